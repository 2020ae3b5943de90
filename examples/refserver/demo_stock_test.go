package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestRunDemoStock checks the demo's supplier warehouse over HTTP: the
// laptops Acme's fulfilled pre-order stocked in, the items staff stocked in
// by hand, one issued, and that a second start adds none.
func TestRunDemoStock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := start(t, dir, "--demo")
	require.NotEmpty(t, s.key, s.output())
	assert.Contains(t, s.output(), "Supplier warehouse of Acme GmbH")
	assert.Contains(t, s.output(), "PO-000006  pre_order fulfilled")

	items := func(url string) []client.StockItem {
		t.Helper()
		c, err := client.New(url, client.WithAPIKey(s.key))
		require.NoError(t, err)
		q := "demo:acme"
		l, err := client.Check(c.ListCustomersWithResponse(t.Context(), &client.ListCustomersParams{Q: &q}))
		require.NoError(t, err)
		require.Len(t, l.JSON200.Items, 1)
		acme := l.JSON200.Items[0]
		assert.True(t, acme.Features.SupplierWarehouse)
		r, err := client.Check(c.ListStockItemsWithResponse(t.Context(), acme.Id, nil))
		require.NoError(t, err)
		return r.JSON200.Items
	}
	got := items(s.url)
	require.Len(t, got, 8, "5 laptops of the pre-order, 1 laptop and 2 phones by hand")
	byStatus := map[client.StockItemStatus]int{}
	fromOrder := 0
	for _, it := range got {
		byStatus[it.Status]++
		if it.OrderId != nil {
			fromOrder++
			assert.Equal(t, "LAP-14", it.Product.Sku)
		}
		if it.Status == client.StockItemStatusIssued {
			assert.Equal(t, "Erika Mustermann", it.Holder.Name)
			assert.NotNil(t, it.OrderId, "a pre-ordered laptop is issued")
		}
	}
	assert.Equal(t, 5, fromOrder)
	assert.Equal(t, map[client.StockItemStatus]int{client.StockItemStatusInStock: 7, client.StockItemStatusIssued: 1}, byStatus)
	require.NoError(t, s.shutdown(t))

	again := start(t, dir, "--demo")
	assert.Len(t, items(again.url), 8, "a second start stocks nothing more")
	require.NoError(t, again.shutdown(t))
}
