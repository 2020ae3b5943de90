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

var contactTests = []test{
	{"CreateGet", testContactCreateGet},
	{"CreateMissingCustomer", testContactCreateMissingCustomer},
	{"UpdateDelete", testContactUpdateDelete},
	{"List", testContactList},
	{"LinkUser", testContactLinkUser},
	{"EmailChanges", testEmailChanges},
}

func newContact(cid customer.ID) customer.Contact {
	return customer.Contact{
		ID: customer.ContactID(newID("con_")), CustomerID: cid, Name: "Jane Doe", Email: "jane@acme.example",
		Phone: "+49 30 1", JobTitle: "Buyer", Notes: "Calls back on Fridays.",
		Addresses: []customer.ContactAddress{
			{Label: "Office", Address: customer.Address{Line1: "Hauptstraße 1", City: "Berlin", Country: "DE"}, Primary: true},
			{Label: "Delivery", Address: customer.Address{Line1: "Hafen 2", City: "Hamburg", Country: "DE"}},
		},
		Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func createContact(t *testing.T, s storage.Store, c customer.Contact) customer.Contact {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Contacts().Create(ctx, c) }))
	return c
}

func getContact(t *testing.T, s storage.Store, id customer.ContactID) (customer.Contact, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (customer.Contact, error) { return r.Contacts().Get(ctx, id) })
}

func testContactCreateGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	want := createContact(t, s, newContact(c.ID))
	got, err := getContact(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	bare := newContact(c.ID)
	bare.Addresses = nil
	bare = createContact(t, s, bare)
	got, err = getContact(t, s, bare.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Addresses)
	_, err = getContact(t, s, "con_missing")
	assertNotFound(t, err)
	err = write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Contacts().Create(ctx, want) })
	assertAlreadyExists(t, err)
}

func testContactCreateMissingCustomer(t *testing.T, s storage.Store) {
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Contacts().Create(ctx, newContact("cus_missing"))
	})
	assertNotFound(t, err)
}

func testContactUpdateDelete(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	k := createContact(t, s, newContact(c.ID))
	var got customer.Contact
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		got, err = r.Contacts().Update(ctx, k.ID, func(x *customer.Contact) error {
			x.Name, x.CustomerID, x.UpdatedAt = "Jane Smith", "cus_other", at(time.Hour)
			x.Addresses = x.Addresses[1:]
			x.Addresses[0].Primary = true
			return nil
		})
		return err
	}))
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, c.ID, got.CustomerID, "the customer stays")
	stored, err := getContact(t, s, k.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)
	require.Len(t, stored.Addresses, 1)
	assert.Equal(t, "Hamburg", stored.Addresses[0].Address.City)

	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Contacts().Delete(ctx, k.ID) }))
	_, err = getContact(t, s, k.ID)
	assertNotFound(t, err)
	err = write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Contacts().Delete(ctx, k.ID) })
	assertNotFound(t, err)
}

func testContactList(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	a1 := createContact(t, s, newContact(a.ID))
	createContact(t, s, newContact(b.ID))
	a2 := createContact(t, s, newContact(a.ID))
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[customer.Contact], error) {
		return r.Contacts().List(ctx, a.ID, storage.Page{})
	})
	require.NoError(t, err)
	var ids []customer.ContactID
	for _, c := range l.Items {
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []customer.ContactID{a1.ID, a2.ID}, ids, "A's only, oldest first")
}

func testContactLinkUser(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	k := newContact(c.ID)
	k.InvitationID = "inv_1"
	k = createContact(t, s, k)
	other := createContact(t, s, newContact(c.ID))
	var n int
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Contacts().LinkUser(ctx, "inv_1", "usr_1")
		return err
	}))
	assert.Equal(t, 1, n)
	got, err := getContact(t, s, k.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.UserID("usr_1"), got.UserID)
	got, err = getContact(t, s, other.ID)
	require.NoError(t, err)
	assert.Empty(t, got.UserID)
}

func testEmailChanges(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@acme.example"))
	ch := storage.EmailChange{ID: newID("emc_"), UserID: u.ID, NewEmail: "ann@new.example", TokenHash: "h1", RequestedBy: "staff:stf_1",
		ExpiresAt: at(time.Hour), CreatedAt: base}
	put := func(ch storage.EmailChange) error {
		return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.EmailChanges().Create(ctx, ch) })
	}
	require.NoError(t, put(ch))
	newer := ch
	newer.ID, newer.TokenHash, newer.NewEmail = newID("emc_"), "h2", "ann@newer.example"
	require.NoError(t, put(newer))
	take := func(hash string, now time.Time) (storage.EmailChange, error) {
		var out storage.EmailChange
		err := write(t, s, func(ctx context.Context, r storage.Repos) error {
			var err error
			out, err = r.EmailChanges().Take(ctx, hash, now)
			return err
		})
		return out, err
	}
	_, err := take("h1", base)
	assertNotFound(t, err, "a newer change ends the older")
	p, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.EmailChange, error) {
		return r.EmailChanges().Pending(ctx, u.ID, base)
	})
	require.NoError(t, err)
	assert.Equal(t, "ann@newer.example", p.NewEmail)
	_, err = take("h2", at(time.Hour))
	assertNotFound(t, err, "expired")
	got, err := take("h2", base)
	require.NoError(t, err)
	assert.Equal(t, newer, got)
	_, err = take("h2", base)
	assertNotFound(t, err, "taken once")
	assertNotFound(t, put(storage.EmailChange{ID: newID("emc_"), UserID: "usr_missing", TokenHash: "h3", ExpiresAt: at(time.Hour), CreatedAt: base}))
}
