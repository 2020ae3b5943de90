package portal_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

func titles(l portal.List[news.Article]) []string {
	out := []string{}
	for _, a := range l.Items {
		out = append(out, a.Title)
	}
	return out
}

func TestNewsReachesItsAudienceOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, newSQLiteStore(t))
	acme, globex := e.createCustomer(t, "Acme"), e.createCustomer(t, "Globex")
	acmeAdmin := e.addMember(t, acme.ID, "admin@acme.example", customer.RoleAdmin)
	acmeViewer := e.addMember(t, acme.ID, "viewer@acme.example", customer.RoleViewer)
	globexAdmin := e.addMember(t, globex.ID, "admin@globex.example", customer.RoleAdmin)

	create := func(title string, aud news.Audience) news.Article {
		a, err := e.p.CreateArticle(e.owner, portal.CreateArticleParams{Title: title, Body: "**" + title + "**", Audience: aud})
		require.NoError(t, err)
		e.clock.Advance(time.Minute)
		return a
	}
	create("For all", news.Everyone)
	create("For Acme", news.Only(acme.ID))
	forGlobex := create("For Globex", news.Only(globex.ID))
	globexOwn, err := e.p.CreateCustomerArticle(as(t, globexAdmin), globex.ID, portal.CreateCustomerArticleParams{Title: "Globex inside", Body: "x"})
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	acmeOwn, err := e.p.CreateCustomerArticle(as(t, acmeAdmin), acme.ID, portal.CreateCustomerArticleParams{Title: "Acme inside", Body: "x"})
	require.NoError(t, err)
	assert.Equal(t, "user:"+string(acmeAdmin.UserID), acmeOwn.Author)
	assert.Equal(t, []customer.ID{acme.ID}, acmeOwn.Audience.Customers)
	scheduled, err := e.p.CreateArticle(e.owner, portal.CreateArticleParams{Title: "Next week", Body: "x", Audience: news.Everyone,
		PublishAt: e.clock.Now().Add(7 * 24 * time.Hour)})
	require.NoError(t, err)

	l, err := e.p.ListCustomerNews(as(t, acmeViewer), acme.ID, portal.ListCustomerNewsParams{})
	require.NoError(t, err)
	assert.Equal(t, []string{"Acme inside", "For Acme", "For all"}, titles(l), "newest first, published, addressed to Acme")

	for _, id := range []news.ID{forGlobex.ID, globexOwn.ID, scheduled.ID} {
		_, err := e.p.GetCustomerArticle(as(t, acmeViewer), acme.ID, id)
		assertCode(t, portalerr.NotFound, err, "article %s", id)
	}
	_, err = e.p.ListCustomerNews(as(t, acmeViewer), globex.ID, portal.ListCustomerNewsParams{})
	assertCode(t, portalerr.NotFound, err)

	// Acme's admin changes only Acme's own articles.
	_, err = e.p.UpdateCustomerArticle(as(t, acmeAdmin), acme.ID, forGlobex.ID, portal.UpdateArticleParams{Title: ptr("Mine")})
	assertCode(t, portalerr.NotFound, err)
	err = e.p.DeleteCustomerArticle(as(t, acmeAdmin), acme.ID, l.Items[1].ID)
	assertCode(t, portalerr.NotFound, err, "the provider's article addressed to Acme is not Acme's")
	_, err = e.p.UpdateCustomerArticle(as(t, acmeAdmin), acme.ID, acmeOwn.ID, portal.UpdateArticleParams{Audience: &news.Everyone})
	assertCode(t, portalerr.Invalid, err, "a customer's article stays with its customer")
	_, err = e.p.UpdateCustomerArticle(as(t, acmeAdmin), acme.ID, acmeOwn.ID, portal.UpdateArticleParams{Version: 7, Title: ptr("x")})
	assertCode(t, portalerr.Conflict, err)
	later := e.clock.Now().Add(time.Hour)
	got, err := e.p.UpdateCustomerArticle(as(t, acmeAdmin), acme.ID, acmeOwn.ID, portal.UpdateArticleParams{Version: 1, Title: ptr("Acme soon"), PublishAt: &later})
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Version)

	// Scheduled now, it is gone for the viewer but still there for the admin who may change it.
	_, err = e.p.GetCustomerArticle(as(t, acmeViewer), acme.ID, acmeOwn.ID)
	assertCode(t, portalerr.NotFound, err)
	_, err = e.p.GetCustomerArticle(as(t, acmeAdmin), acme.ID, acmeOwn.ID)
	require.NoError(t, err)
	own, err := e.p.ListCustomerNews(as(t, acmeAdmin), acme.ID, portal.ListCustomerNewsParams{Written: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"Acme soon"}, titles(own))
	_, err = e.p.ListCustomerNews(as(t, acmeViewer), acme.ID, portal.ListCustomerNewsParams{Written: true})
	assertCode(t, portalerr.PermissionDenied, err)

	require.NoError(t, e.p.DeleteCustomerArticle(as(t, acmeAdmin), acme.ID, acmeOwn.ID))
	all, err := e.p.ListArticles(e.owner, portal.ListArticlesParams{})
	require.NoError(t, err)
	assert.Equal(t, []string{"Next week", "Globex inside", "For Globex", "For Acme", "For all"}, titles(all), "staff see every article, scheduled ones too")
}

func TestCreateArticleInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, newSQLiteStore(t))
	for name, params := range map[string]portal.CreateArticleParams{
		"no audience":      {Title: "T", Body: "B"},
		"unknown customer": {Title: "T", Body: "B", Audience: news.Only("cus_missing")},
		"no title":         {Body: "B", Audience: news.Everyone},
		"huge body":        {Title: "T", Body: string(make([]byte, news.MaxBody+1)), Audience: news.Everyone},
	} {
		_, err := e.p.CreateArticle(e.owner, params)
		assertCode(t, portalerr.Invalid, err, name)
	}
}
