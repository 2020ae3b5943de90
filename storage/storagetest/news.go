package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/storage"
)

var newsTests = []test{
	{"CreateGet", testNewsCreateGet},
	{"GetMissing", testNewsGetMissing},
	{"CreateDuplicateID", testNewsCreateDuplicateID},
	{"CreateMissingCustomer", testNewsCreateMissingCustomer},
	{"Update", testNewsUpdate},
	{"UpdateMissing", testNewsUpdateMissing},
	{"UpdateFnError", testNewsUpdateFnError},
	{"UpdateMissingAudience", testNewsUpdateMissingAudience},
	{"Delete", testNewsDelete},
	{"ListNewestFirst", testNewsListNewestFirst},
	{"ListReader", testNewsListReader},
	{"ListByCustomer", testNewsListByCustomer},
	{"ListPages", testNewsListPages},
}

func newArticle(title string, publish time.Time, aud news.Audience) news.Article {
	return news.Article{
		ID:        news.ID(newID("art_")),
		Title:     title,
		Body:      "Some *news*: " + title,
		PublishAt: publish,
		Audience:  aud,
		Author:    "staff:stf_1",
		Version:   1,
		CreatedAt: base,
		UpdatedAt: base,
	}
}

func createArticle(t *testing.T, s storage.Store, a news.Article) news.Article {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.News().Create(ctx, a)
	}), "creating article %s", a.Title)
	return a
}

func getArticle(t *testing.T, s storage.Store, id news.ID) (news.Article, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (news.Article, error) {
		return r.News().Get(ctx, id)
	})
}

func updateArticle(t *testing.T, s storage.Store, id news.ID, fn func(*news.Article) error) (news.Article, error) {
	t.Helper()
	var a news.Article
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		a, err = r.News().Update(ctx, id, fn)
		return err
	})
	return a, err
}

func listArticles(t *testing.T, s storage.Store, f storage.NewsFilter, p storage.Page) (storage.List[news.Article], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[news.Article], error) {
		return r.News().List(ctx, f, p)
	})
}

func articleTitles(l storage.List[news.Article]) []string {
	out := []string{}
	for _, a := range l.Items {
		out = append(out, a.Title)
	}
	return out
}

func testNewsCreateGet(t *testing.T, s storage.Store) {
	c1 := createCustomer(t, s, newCustomer("Acme"))
	c2 := createCustomer(t, s, newCustomer("Globex"))
	all := createArticle(t, s, newArticle("For all", base, news.Everyone))
	chosen := createArticle(t, s, newArticle("For two", base, news.Only(c2.ID, c1.ID)))
	own := newArticle("Acme's own", at(time.Hour), news.Only(c1.ID))
	own.CustomerID, own.Author = c1.ID, "user:usr_1"
	createArticle(t, s, own)

	for _, want := range []news.Article{all, chosen, own} {
		got, err := getArticle(t, s, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func testNewsGetMissing(t *testing.T, s storage.Store) {
	_, err := getArticle(t, s, "art_missing")
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testNewsCreateDuplicateID(t *testing.T, s storage.Store) {
	a := createArticle(t, s, newArticle("One", base, news.Everyone))
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.News().Create(ctx, a) })
	assert.ErrorIs(t, err, storage.ErrAlreadyExists)
}

func testNewsCreateMissingCustomer(t *testing.T, s storage.Store) {
	a := newArticle("For nobody", base, news.Only("cus_missing"))
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.News().Create(ctx, a) })
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = getArticle(t, s, a.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing of the failed transaction stays")

	own := newArticle("By nobody", base, news.Everyone)
	own.CustomerID = "cus_missing"
	err = write(t, s, func(ctx context.Context, r storage.Repos) error { return r.News().Create(ctx, own) })
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testNewsUpdate(t *testing.T, s storage.Store) {
	c1 := createCustomer(t, s, newCustomer("Acme"))
	c2 := createCustomer(t, s, newCustomer("Globex"))
	a := createArticle(t, s, newArticle("Draft", base, news.Only(c1.ID)))
	got, err := updateArticle(t, s, a.ID, func(a *news.Article) error {
		a.Title, a.Body = "Final", "Changed"
		a.PublishAt, a.UpdatedAt = at(2*time.Hour), at(time.Hour)
		a.Audience = news.Only(c2.ID)
		a.CustomerID, a.CreatedAt = c2.ID, at(time.Hour) // kept as stored
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Version)
	assert.Empty(t, got.CustomerID, "the writing customer is kept")
	assert.Equal(t, base, got.CreatedAt)
	stored, err := getArticle(t, s, a.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)
	assert.Equal(t, []customer.ID{c2.ID}, stored.Audience.Customers)

	got, err = updateArticle(t, s, a.ID, func(a *news.Article) error { a.Audience = news.Everyone; return nil })
	require.NoError(t, err)
	stored, err = getArticle(t, s, a.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)
	assert.True(t, stored.Audience.All)
	assert.Nil(t, stored.Audience.Customers)
}

func testNewsUpdateMissing(t *testing.T, s storage.Store) {
	_, err := updateArticle(t, s, "art_missing", func(*news.Article) error { return nil })
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testNewsUpdateFnError(t *testing.T, s storage.Store) {
	a := createArticle(t, s, newArticle("Keep", base, news.Everyone))
	_, err := updateArticle(t, s, a.ID, func(a *news.Article) error { a.Title = "Lost"; return errBoom })
	assert.ErrorIs(t, err, errBoom)
	got, err := getArticle(t, s, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, got)
}

func testNewsUpdateMissingAudience(t *testing.T, s storage.Store) {
	a := createArticle(t, s, newArticle("Keep", base, news.Everyone))
	_, err := updateArticle(t, s, a.ID, func(a *news.Article) error { a.Audience = news.Only("cus_missing"); return nil })
	assert.ErrorIs(t, err, storage.ErrNotFound)
	got, err := getArticle(t, s, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, got)
}

func testNewsDelete(t *testing.T, s storage.Store) {
	c1 := createCustomer(t, s, newCustomer("Acme"))
	a := createArticle(t, s, newArticle("Gone", base, news.Only(c1.ID)))
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.News().Delete(ctx, a.ID) }))
	_, err := getArticle(t, s, a.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	err = write(t, s, func(ctx context.Context, r storage.Repos) error { return r.News().Delete(ctx, a.ID) })
	assert.ErrorIs(t, err, storage.ErrNotFound)
	l, err := listArticles(t, s, storage.NewsFilter{Reader: c1.ID}, storage.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Items)
}

func testNewsListNewestFirst(t *testing.T, s storage.Store) {
	// Created in one order, published in another: lists follow PublishAt.
	createArticle(t, s, newArticle("Later", at(3*time.Hour), news.Everyone))
	createArticle(t, s, newArticle("First", at(time.Hour), news.Everyone))
	createArticle(t, s, newArticle("Second", at(2*time.Hour), news.Everyone))
	createArticle(t, s, newArticle("Second too", at(2*time.Hour), news.Everyone))

	l, err := listArticles(t, s, storage.NewsFilter{}, storage.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{"Later", "Second too", "Second", "First"}, articleTitles(l))

	l, err = listArticles(t, s, storage.NewsFilter{PublishedBy: at(2 * time.Hour)}, storage.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{"Second too", "Second", "First"}, articleTitles(l), "scheduled ones left out")
}

func testNewsListReader(t *testing.T, s storage.Store) {
	c1 := createCustomer(t, s, newCustomer("Acme"))
	c2 := createCustomer(t, s, newCustomer("Globex"))
	c3 := createCustomer(t, s, newCustomer("Initech"))
	createArticle(t, s, newArticle("All", at(1*time.Hour), news.Everyone))
	createArticle(t, s, newArticle("Acme and Globex", at(2*time.Hour), news.Only(c1.ID, c2.ID)))
	createArticle(t, s, newArticle("Globex", at(3*time.Hour), news.Only(c2.ID)))

	for _, tt := range []struct {
		reader customer.ID
		want   []string
	}{
		{c1.ID, []string{"Acme and Globex", "All"}},
		{c2.ID, []string{"Globex", "Acme and Globex", "All"}},
		{c3.ID, []string{"All"}},
	} {
		l, err := listArticles(t, s, storage.NewsFilter{Reader: tt.reader}, storage.Page{})
		require.NoError(t, err)
		assert.Equal(t, tt.want, articleTitles(l), "reader %s", tt.reader)
	}
}

func testNewsListByCustomer(t *testing.T, s storage.Store) {
	c1 := createCustomer(t, s, newCustomer("Acme"))
	createArticle(t, s, newArticle("Staff's", base, news.Only(c1.ID)))
	own := newArticle("Acme's", base, news.Only(c1.ID))
	own.CustomerID = c1.ID
	createArticle(t, s, own)
	l, err := listArticles(t, s, storage.NewsFilter{CustomerID: c1.ID}, storage.Page{})
	require.NoError(t, err)
	assert.Equal(t, []string{"Acme's"}, articleTitles(l))
}

func testNewsListPages(t *testing.T, s storage.Store) {
	var want []string
	for i := range 5 {
		// Two share each publish time, so the cursor's tie-break on ID counts.
		a := createArticle(t, s, newArticle(string(rune('a'+i)), at(time.Duration(i/2)*time.Hour), news.Everyone))
		want = append([]string{a.Title}, want...)
	}
	var got []string
	p := storage.Page{Limit: 2}
	for range 5 {
		l, err := listArticles(t, s, storage.NewsFilter{}, p)
		require.NoError(t, err)
		got = append(got, articleTitles(l)...)
		if l.NextCursor == "" {
			break
		}
		p.Cursor = l.NextCursor
	}
	assert.Equal(t, want, got)
}
