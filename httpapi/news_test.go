package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestNewsOverHTTP: staff publish to all customers, a customer's admin to
// its own people; a viewer reads both, rendered and sanitized, and nothing
// of another customer's.
func TestNewsOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	acme := createCustomer(t, owner, "Acme GmbH")
	globex := createCustomer(t, owner, "Globex")
	admin := e.client(t, e.join(t, owner, acme.Id, "ada@acme.example", client.RoleAdmin).Token)
	viewer := e.client(t, e.join(t, owner, acme.Id, "vic@acme.example", client.RoleViewer).Token)
	globexAdmin := e.client(t, e.join(t, owner, globex.Id, "gus@globex.example", client.RoleAdmin).Token)

	all := must(owner.CreateArticleWithResponse(t.Context(), nil, client.ArticleRequest{
		Title: "Maintenance", Body: "On **Sunday** <script>alert(1)</script> [x](javascript:alert(1))",
		Audience: client.Audience{All: true, CustomerIds: []string{}},
	}))(t).JSON201
	require.NotNil(t, all)
	assert.Equal(t, `"1"`, must(owner.GetArticleWithResponse(t.Context(), all.Id))(t).HTTPResponse.Header.Get("ETag"))
	must(admin.CreateCustomerArticleWithResponse(t.Context(), acme.Id, nil, client.CustomerArticleRequest{Title: "Printer", Body: "2nd floor"}))(t)
	secret := must(globexAdmin.CreateCustomerArticleWithResponse(t.Context(), globex.Id, nil, client.CustomerArticleRequest{Title: "Globex only", Body: "x"}))(t).JSON201
	require.NotNil(t, secret)

	l := must(viewer.ListCustomerNewsWithResponse(t.Context(), acme.Id, nil))(t).JSON200
	require.NotNil(t, l)
	require.Len(t, l.Items, 2)
	assert.Equal(t, "Printer", l.Items[0].Title)
	assert.Equal(t, acme.Id, l.Items[0].CustomerId)
	got := l.Items[1]
	assert.Contains(t, got.BodyHtml, "<strong>Sunday</strong>")
	assert.NotContains(t, got.BodyHtml, "<script")
	assert.NotContains(t, got.BodyHtml, "javascript:")
	assert.True(t, got.Audience.All)

	fails(viewer.GetCustomerArticleWithResponse(t.Context(), acme.Id, secret.Id))(t, 404, client.ProblemCodeNotFound)
	fails(viewer.ListCustomerNewsWithResponse(t.Context(), globex.Id, nil))(t, 404, client.ProblemCodeNotFound)
	fails(owner.CreateArticleWithResponse(t.Context(), nil, client.ArticleRequest{
		Title: "Nobody", Body: "x", Audience: client.Audience{CustomerIds: []string{"cus_ghost"}},
	}))(t, 400, client.ProblemCodeInvalid)
}
