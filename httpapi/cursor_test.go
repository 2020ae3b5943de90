package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// TestCursors pages a list over HTTP on one server and continues it on
// another of the same database, which reads the shared cursor key in the
// middle of a read request; a forged cursor, or one sent with other
// filters, is 400 invalid naming the cursor.
func TestCursors(t *testing.T) {
	t.Parallel()
	store := portaltest.Store(t)
	a := newEnvOn(t, store, portal.SequentialIDs(), "")
	owner := a.client(t, a.owner)
	var want []string
	for _, name := range []string{"Acme", "Globex", "Initech"} {
		want = append(want, createCustomer(t, owner, name).Id)
	}
	first := must(owner.ListCustomersWithResponse(t.Context(), &client.ListCustomersParams{Limit: ptr(1)}))(t).JSON200
	require.NotEmpty(t, first.NextCursor)

	b := newEnvOn(t, store, portal.SequentialIDs(), a.owner)
	other := b.client(t, a.owner)
	got := []string{first.Items[0].Id}
	for cursor := first.NextCursor; cursor != ""; {
		page := must(other.ListCustomersWithResponse(t.Context(), &client.ListCustomersParams{Cursor: &cursor, Limit: ptr(1)}))(t).JSON200
		for _, c := range page.Items {
			got = append(got, c.Id)
		}
		cursor = page.NextCursor
	}
	assert.Equal(t, want, got)

	for name, query := range map[string]string{
		// What a cursor was before they were sealed: the ID to start after, in base64.
		"a forged cursor":            "cursor=" + base64.RawURLEncoding.EncodeToString([]byte(want[0])),
		"a cursor of another search": "q=acme&cursor=" + url.QueryEscape(first.NextCursor),
	} {
		res, body := b.do(t, http.MethodGet, "/v1/customers?"+query, a.owner, nil, nil)
		p := problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Equal(t, map[string]string{"cursor": "is not a cursor returned by this list"}, fields(p), name)
	}
}
