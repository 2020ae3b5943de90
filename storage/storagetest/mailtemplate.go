package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

var mailTemplateTests = []test{
	{"PutGet", testMailTemplatePutGet},
	{"PutReplaces", testMailTemplatePutReplaces},
	{"PutUnknownCustomer", testMailTemplateUnknownCustomer},
	{"Delete", testMailTemplateDelete},
	{"List", testMailTemplateList},
	{"Rollback", testMailTemplateRollback},
	{"ReadTxRefusesWrites", testMailTemplateReadOnly},
}

func newMailTemplate(cid customer.ID, kind, locale string) customer.MailTemplate {
	return customer.MailTemplate{
		CustomerID: cid,
		Kind:       kind,
		Locale:     locale,
		Subject:    "Willkommen bei {{.CustomerName}}",
		Text:       "Hier entlang: {{.Link}}",
		HTML:       `<p><a href="{{.Link}}">Los geht's</a></p>`,
		UpdatedBy:  "staff:stf_1",
		CreatedAt:  base,
		UpdatedAt:  base,
	}
}

func putMailTemplate(t *testing.T, s storage.Store, mt customer.MailTemplate) (customer.MailTemplate, error) {
	t.Helper()
	var out customer.MailTemplate
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.MailTemplates().Put(ctx, mt)
		return err
	})
	return out, err
}

func getMailTemplate(t *testing.T, s storage.Store, cid customer.ID, kind, locale string) (customer.MailTemplate, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (customer.MailTemplate, error) {
		return r.MailTemplates().Get(ctx, cid, kind, locale)
	})
}

func listMailTemplates(t *testing.T, s storage.Store, cid customer.ID) []customer.MailTemplate {
	t.Helper()
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]customer.MailTemplate, error) {
		return r.MailTemplates().List(ctx, cid)
	})
	require.NoError(t, err)
	return l
}

func deleteMailTemplate(t *testing.T, s storage.Store, cid customer.ID, kind, locale string) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.MailTemplates().Delete(ctx, cid, kind, locale)
	})
}

func testMailTemplatePutGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	mt := newMailTemplate(c.ID, "invitation", "de")
	stored, err := putMailTemplate(t, s, mt)
	require.NoError(t, err)
	assert.Equal(t, mt, stored, "Put returns what it stored")
	got, err := getMailTemplate(t, s, c.ID, "invitation", "de")
	require.NoError(t, err)
	assert.Equal(t, mt, got)

	for _, k := range [][2]string{{"invitation", "en"}, {"login_link", "de"}} {
		_, err = getMailTemplate(t, s, c.ID, k[0], k[1])
		assertNotFound(t, err, "%s/%s", k[0], k[1])
	}
	other := createCustomer(t, s, newCustomer("Globex"))
	_, err = getMailTemplate(t, s, other.ID, "invitation", "de")
	assertNotFound(t, err, "another customer's")
}

func testMailTemplatePutReplaces(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	first, err := putMailTemplate(t, s, newMailTemplate(c.ID, "invitation", "de"))
	require.NoError(t, err)
	next := newMailTemplate(c.ID, "invitation", "de")
	next.Subject = ""
	next.Text = "Neu: {{.Link}}"
	next.UpdatedBy = "staff:stf_2"
	next.CreatedAt = at(time.Hour) // ignored: the first CreatedAt stays
	next.UpdatedAt = at(time.Hour)
	got, err := putMailTemplate(t, s, next)
	require.NoError(t, err)
	want := next
	want.CreatedAt = first.CreatedAt
	assert.Equal(t, want, got)
	stored, err := getMailTemplate(t, s, c.ID, "invitation", "de")
	require.NoError(t, err)
	assert.Equal(t, want, stored)
	assert.Len(t, listMailTemplates(t, s, c.ID), 1, "replaced, not added")
}

func testMailTemplateUnknownCustomer(t *testing.T, s storage.Store) {
	_, err := putMailTemplate(t, s, newMailTemplate(newCustomerID(), "invitation", "de"))
	assertNotFound(t, err)
}

func testMailTemplateDelete(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	_, err := putMailTemplate(t, s, newMailTemplate(c.ID, "invitation", "de"))
	require.NoError(t, err)
	keep, err := putMailTemplate(t, s, newMailTemplate(c.ID, "invitation", "en"))
	require.NoError(t, err)

	require.NoError(t, deleteMailTemplate(t, s, c.ID, "invitation", "de"))
	_, err = getMailTemplate(t, s, c.ID, "invitation", "de")
	assertNotFound(t, err)
	got, err := getMailTemplate(t, s, c.ID, "invitation", "en")
	require.NoError(t, err)
	assert.Equal(t, keep, got, "the other locale stays")
	assertNotFound(t, deleteMailTemplate(t, s, c.ID, "invitation", "de"), "deleting twice")
	_, err = putMailTemplate(t, s, newMailTemplate(c.ID, "invitation", "de"))
	assert.NoError(t, err, "the key is free again")
}

func testMailTemplateList(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	var want []customer.MailTemplate
	for _, k := range [][2]string{{"invitation", "de"}, {"invitation", "en"}, {"login_link", "en"}} {
		mt, err := putMailTemplate(t, s, newMailTemplate(c.ID, k[0], k[1]))
		require.NoError(t, err)
		want = append(want, mt)
	}
	// Stored out of order, and another customer's.
	_, err := putMailTemplate(t, s, newMailTemplate(other.ID, "access_link", "de"))
	require.NoError(t, err)
	first, err := putMailTemplate(t, s, newMailTemplate(c.ID, "access_link", "en"))
	require.NoError(t, err)
	want = append([]customer.MailTemplate{first}, want...)

	assert.Equal(t, want, listMailTemplates(t, s, c.ID), "the customer's, by kind and locale")
	assert.Len(t, listMailTemplates(t, s, other.ID), 1)
	assert.Empty(t, listMailTemplates(t, s, newCustomerID()))
}

func testMailTemplateRollback(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	kept, err := putMailTemplate(t, s, newMailTemplate(c.ID, "invitation", "de"))
	require.NoError(t, err)
	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		changed := newMailTemplate(c.ID, "invitation", "de")
		changed.Subject = "Changed"
		if _, err := r.MailTemplates().Put(ctx, changed); err != nil {
			return err
		}
		if _, err := r.MailTemplates().Put(ctx, newMailTemplate(c.ID, "login_link", "de")); err != nil {
			return err
		}
		if err := r.MailTemplates().Delete(ctx, c.ID, "invitation", "de"); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, []customer.MailTemplate{kept}, listMailTemplates(t, s, c.ID), "everything is rolled back")
}

func testMailTemplateReadOnly(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	kept, err := putMailTemplate(t, s, newMailTemplate(c.ID, "invitation", "de"))
	require.NoError(t, err)
	err = read(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.MailTemplates().Put(ctx, newMailTemplate(c.ID, "login_link", "de"))
		return err
	})
	assert.ErrorIs(t, err, storage.ErrReadOnly, "Put")
	err = read(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.MailTemplates().Delete(ctx, c.ID, "invitation", "de")
	})
	assert.ErrorIs(t, err, storage.ErrReadOnly, "Delete")
	assert.Equal(t, []customer.MailTemplate{kept}, listMailTemplates(t, s, c.ID), "nothing changed")
}
