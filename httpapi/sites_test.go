package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/client"
)

// A site's external reference goes in with create, comes out everywhere,
// and a rename without one keeps it.
func TestSiteExternalRef(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	ref := "ERP-4711"
	site := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Hamburg", ExternalRef: &ref}))(t).JSON201
	assert.Equal(t, ref, site.ExternalRef)

	got := must(e.client(t, ada.Token).GetSiteWithResponse(ctx, cid, site.Id))(t).JSON200
	assert.Equal(t, ref, got.ExternalRef, "the customer's own users see it")

	renamed := must(owner.RenameSiteWithResponse(ctx, cid, site.Id, &client.RenameSiteParams{IfMatch: `"1"`},
		client.SiteRequest{Name: "Hamburg HQ"}))(t).JSON200
	assert.Equal(t, "Hamburg HQ", renamed.Name)
	assert.Equal(t, ref, renamed.ExternalRef, "kept")

	list := must(owner.ListSitesWithResponse(ctx, cid, nil))(t).JSON200
	if assert.Len(t, list.Items, 1) {
		assert.Equal(t, ref, list.Items[0].ExternalRef)
	}
}
