package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// createProduct adds a product to the provider's global portfolio.
func (e *env) createProduct(t *testing.T, sku, name string) orders.Product {
	t.Helper()
	p, err := e.p.CreateProduct(portaltest.Owner(t.Context()), portal.CreateProductParams{
		SKU: sku, Name: name, Price: orders.Money{Amount: 99_900, Currency: "EUR"},
	})
	require.NoError(t, err)
	return p
}

func stockInItem(p orders.Product, serial string) client.StockInItem {
	in := client.StockInItem{ProductId: string(p.ID)}
	if serial != "" {
		in.SerialNumber = &serial
	}
	return in
}

// TestStockOverHTTP runs the supplier warehouse through the generated
// client: staff stock in, a maintainer issues and takes back, the admin
// retires, a viewer reads levels, items and history.
func TestStockOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{SupplierWarehouse: ptr(true)})
	adaC := e.client(t, ada.Token)
	max := e.client(t, e.join(t, adaC, cid, "max@acme.example", client.RoleMaintainer).Token)
	vic := e.client(t, e.join(t, adaC, cid, "vic@acme.example", client.RoleViewer).Token)
	laptop := e.createProduct(t, "LAP-14", "Laptop 14")

	in := must(owner.StockInWithResponse(ctx, cid, nil, client.StockInRequest{
		Items: []client.StockInItem{stockInItem(laptop, "SN-1"), stockInItem(laptop, "")}, Note: ptr("delivered by DHL"),
	}))(t)
	require.Equal(t, http.StatusCreated, in.StatusCode())
	require.Len(t, in.JSON201.Items, 2)
	first := in.JSON201.Items[0]
	assert.Equal(t, client.StockProduct{Id: string(laptop.ID), Sku: "LAP-14", Name: "Laptop 14"}, first.Product)
	assert.Equal(t, ptr("SN-1"), first.SerialNumber)
	assert.Nil(t, in.JSON201.Items[1].SerialNumber, "no serial number: left out")
	assert.Equal(t, client.StockConditionNew, first.Condition)
	assert.Equal(t, client.StockItemStatusInStock, first.Status)
	assert.Nil(t, first.Holder)

	issued := must(max.IssueStockItemWithResponse(ctx, cid, first.Id, nil, client.IssueStockItemRequest{
		Holder: &client.Employee{Name: "Bob Builder", Email: ptr(openapi_types.Email("Bob@Acme.example")), EmployeeNumber: ptr("E-7")},
		Note:   ptr("new hire"),
	}))(t).JSON200
	assert.Equal(t, client.StockItemStatusIssued, issued.Status)
	assert.Equal(t, &client.Employee{Name: "Bob Builder", Email: ptr(openapi_types.Email("bob@acme.example")), EmployeeNumber: ptr("E-7")}, issued.Holder)

	p := fails(max.IssueStockItemWithResponse(ctx, cid, first.Id, nil, client.IssueStockItemRequest{Holder: &client.Employee{Name: "Carol"}}))(
		t, http.StatusConflict, client.ProblemCodeConflict)
	assert.Contains(t, p.Message, "issued to Bob Builder")

	levels := must(vic.ListStockLevelsWithResponse(ctx, cid, nil))(t).JSON200
	assert.Equal(t, []client.StockLevel{{Product: first.Product, InStock: 1, Issued: 1}}, levels.Items)
	held := must(vic.ListStockItemsWithResponse(ctx, cid, &client.ListStockItemsParams{Status: ptr(client.StockItemStatusIssued)}))(t).JSON200
	require.Len(t, held.Items, 1)
	assert.Equal(t, "Bob Builder", held.Items[0].Holder.Name, "a viewer sees who holds what")
	bySerial := must(vic.ListStockItemsWithResponse(ctx, cid, &client.ListStockItemsParams{SerialNumber: ptr("SN-1"), ProductId: ptr(string(laptop.ID))}))(t).JSON200
	require.Len(t, bySerial.Items, 1)
	assert.Equal(t, first.Id, bySerial.Items[0].Id)

	// The return's body is optional.
	back := must(max.ReturnStockItemWithResponse(ctx, cid, first.Id, nil, client.ReturnStockItemRequest{}))(t).JSON200
	assert.Equal(t, client.StockItemStatusInStock, back.Status)
	assert.Nil(t, back.Holder)
	res, body := e.do(t, http.MethodPost, "/v1/customers/"+cid+"/stock/items/"+in.JSON201.Items[1].Id+"/return", e.owner, nil, nil)
	problem(t, res, body, http.StatusConflict, client.ProblemCodeFailedPrecondition) // never issued

	fails(max.RetireStockItemWithResponse(ctx, cid, first.Id, nil, client.RetireStockItemRequest{Reason: "broken"}))(
		t, http.StatusForbidden, client.ProblemCodePermissionDenied)
	retired := must(adaC.RetireStockItemWithResponse(ctx, cid, first.Id, nil, client.RetireStockItemRequest{Reason: "broken"}))(t).JSON200
	assert.Equal(t, client.StockItemStatusRetired, retired.Status)

	h := must(vic.GetStockItemWithResponse(ctx, cid, first.Id))(t).JSON200
	assert.Equal(t, *retired, h.Item)
	var kinds []client.StockMovementKind
	for _, m := range h.History {
		kinds = append(kinds, m.Kind)
	}
	assert.Equal(t, []client.StockMovementKind{client.StockMovementKindStockIn, client.StockMovementKindIssue, client.StockMovementKindReturn, client.StockMovementKindRetire}, kinds)
	assert.Nil(t, h.History[0].From, "a stock-in comes from nowhere")
	assert.Equal(t, ptr("delivered by DHL"), h.History[0].Note)
	assert.Equal(t, "Bob Builder", h.History[1].Holder.Name)
	assert.Equal(t, ptr(client.StockItemStatusInStock), h.History[1].From)
	assert.Equal(t, "user:"+ada.Membership.UserId, h.History[3].By)
	assert.Equal(t, ptr("broken"), h.History[3].Note)
}

func TestStockProblemsOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{SupplierWarehouse: ptr(true)})
	plain := createCustomer(t, owner, "Initech")
	laptop := e.createProduct(t, "LAP-14", "Laptop 14")
	must(owner.StockInWithResponse(ctx, cid, nil, client.StockInRequest{Items: []client.StockInItem{stockInItem(laptop, "SN-1")}}))(t)

	fails(owner.StockInWithResponse(ctx, plain.Id, nil, client.StockInRequest{Items: []client.StockInItem{stockInItem(laptop, "")}}))(
		t, http.StatusForbidden, client.ProblemCodeFeatureDisabled)
	fails(owner.ListStockLevelsWithResponse(ctx, plain.Id, nil))(t, http.StatusForbidden, client.ProblemCodeFeatureDisabled)

	e2 := fails(owner.StockInWithResponse(ctx, cid, nil, client.StockInRequest{Items: []client.StockInItem{stockInItem(laptop, "SN-1")}}))(
		t, http.StatusConflict, client.ProblemCodeAlreadyExists)
	assert.Contains(t, errFields(e2), "items[0].serial_number")
	e2 = fails(owner.StockInWithResponse(ctx, cid, nil, client.StockInRequest{Items: []client.StockInItem{
		stockInItem(laptop, ""), {ProductId: "prd_ghost", Condition: ptr(client.StockCondition("mint"))},
	}}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, errFields(e2), "items[1].condition", "the spec's enum")
	e2 = fails(owner.StockInWithResponse(ctx, cid, nil, client.StockInRequest{Items: []client.StockInItem{{ProductId: "prd_ghost"}}}))(
		t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, errFields(e2), "items[0].product_id", "the use case")
	e2 = fails(owner.StockInWithResponse(ctx, cid, nil, client.StockInRequest{}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, errFields(e2), "items")

	l := must(owner.ListStockItemsWithResponse(ctx, cid, nil))(t).JSON200
	require.Len(t, l.Items, 1, "refused stock-ins wrote nothing")
	itemID := l.Items[0].Id
	adaC := e.client(t, ada.Token)
	e2 = fails(adaC.IssueStockItemWithResponse(ctx, cid, itemID, nil, client.IssueStockItemRequest{Holder: &client.Employee{Name: ""}}))(
		t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, errFields(e2), "holder.name")
	e2 = fails(adaC.RetireStockItemWithResponse(ctx, cid, itemID, nil, client.RetireStockItemRequest{}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, errFields(e2), "reason")
	fails(adaC.GetStockItemWithResponse(ctx, cid, "itm_ghost"))(t, http.StatusNotFound, client.ProblemCodeNotFound)

	// The warehouse cannot be turned off while it holds the item.
	f := must(owner.GetFeaturesWithResponse(ctx, cid))(t)
	e2 = fails(owner.UpdateFeaturesWithResponse(ctx, cid, &client.UpdateFeaturesParams{IfMatch: f.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{SupplierWarehouse: ptr(false)}))(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)
	assert.Contains(t, e2.Message, "still holds 1 items")
	must(adaC.RetireStockItemWithResponse(ctx, cid, itemID, nil, client.RetireStockItemRequest{Reason: "end of lease"}))(t)
	off := must(owner.UpdateFeaturesWithResponse(ctx, cid, &client.UpdateFeaturesParams{IfMatch: f.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{SupplierWarehouse: ptr(false)}))(t).JSON200
	assert.False(t, off.SupplierWarehouse)
}

// TestConcurrentIssueOverHTTP issues one item in many requests at once:
// one answers 200, every other 409 conflict.
func TestConcurrentIssueOverHTTP(t *testing.T) {
	t.Parallel()
	const requests = 16
	e := newEnv(t)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{SupplierWarehouse: ptr(true)})
	laptop := e.createProduct(t, "LAP-14", "Laptop 14")
	it := must(e.client(t, e.owner).StockInWithResponse(ctx, cid, nil, client.StockInRequest{Items: []client.StockInItem{stockInItem(laptop, "")}}))(t).JSON201.Items[0]
	c := e.client(t, ada.Token)
	statuses := make([]int, requests)
	codes := make([]string, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			r, err := c.IssueStockItemWithResponse(ctx, cid, it.Id, nil, client.IssueStockItemRequest{Holder: &client.Employee{Name: fmt.Sprintf("Employee %d", i)}})
			if !assert.NoError(t, err) {
				return
			}
			statuses[i] = r.StatusCode()
			if _, err := client.Check(r, nil); err != nil {
				var ce *client.Error
				if assert.ErrorAs(t, err, &ce) {
					codes[i] = ce.Code
				}
			}
		})
	}
	wg.Wait()
	won := 0
	for i, s := range statuses {
		if s == http.StatusOK {
			won++
			continue
		}
		assert.Equal(t, http.StatusConflict, s)
		assert.Equal(t, string(client.ProblemCodeConflict), codes[i])
	}
	assert.Equal(t, 1, won, "the item is issued once")
	h := must(c.GetStockItemWithResponse(ctx, cid, it.Id))(t).JSON200
	assert.Len(t, h.History, 2, "one stock-in, one issue")
}

// TestIssueIsIdempotent retries an issue with its Idempotency-Key: the
// retry answers as the first did instead of with a conflict.
func TestIssueIsIdempotent(t *testing.T) {
	t.Parallel()
	e, _ := newIdempotentEnv(t)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{SupplierWarehouse: ptr(true)})
	laptop := e.createProduct(t, "LAP-14", "Laptop 14")
	it := must(e.client(t, e.owner).StockInWithResponse(ctx, cid, nil, client.StockInRequest{Items: []client.StockInItem{stockInItem(laptop, "")}}))(t).JSON201.Items[0]
	path := "/v1/customers/" + cid + "/stock/items/" + it.Id + "/issue"
	res, first := e.post(t, path, ada.Token, "key-1", `{"holder":{"name":"Bob"}}`)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", first)
	res, again := e.post(t, path, ada.Token, "key-1", `{"holder":{"name":"Bob"}}`)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", again)
	assert.Equal(t, "true", res.Header.Get("Idempotent-Replayed"))
	assert.JSONEq(t, string(first), string(again))
	res, body := e.post(t, path, ada.Token, "key-2", `{"holder":{"name":"Bob"}}`)
	problem(t, res, body, http.StatusConflict, client.ProblemCodeConflict)
}
