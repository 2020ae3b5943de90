package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

var auditTests = []test{
	{"AppendList", testAuditAppendList},
	{"AppendDuplicateID", testAuditAppendDuplicateID},
	{"List", testAuditList},
	{"TimesUTC", testAuditTimesUTC},
}

func newEventID() audit.ID { return audit.ID(newID("evt_")) }

func newEvent(cid customer.ID, object, action string) audit.Event {
	return audit.Event{
		ID:         newEventID(),
		At:         base,
		Actor:      "staff:stf_1",
		Action:     action,
		CustomerID: cid,
		ObjectID:   object,
	}
}

func appendEvent(t *testing.T, s storage.Store, e audit.Event) audit.Event {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Audit().Append(ctx, e)
	}), "appending event %s", e.Action)
	return e
}

func listEvents(t *testing.T, s storage.Store, f storage.AuditFilter, p storage.Page) (storage.List[audit.Event], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[audit.Event], error) {
		return r.Audit().List(ctx, f, p)
	})
}

func eventIDs(t *testing.T, s storage.Store, f storage.AuditFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listEvents(t, s, f, p)
		return idsOf(l.Items, func(e audit.Event) audit.ID { return e.ID }), l.NextCursor, err
	})
}

func testAuditAppendList(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	e := appendEvent(t, s, newEvent(c.ID, "acl_1", "access_link.created"))
	provider := newEvent("", "key_1", "api_key.created") // provider-wide: no customer
	provider.Actor = "api_key:key_0"
	provider.At = at(time.Minute)
	appendEvent(t, s, provider)

	gone := newEvent(newCustomerID(), "obj_gone", "thing.deleted") // events outlive what they name
	gone.At = at(2 * time.Minute)
	appendEvent(t, s, gone)

	l, err := listEvents(t, s, storage.AuditFilter{}, storage.Page{})
	require.NoError(t, err)
	assert.Equal(t, []audit.Event{e, provider, gone}, l.Items, "events come back whole, in ID order")
	assert.Empty(t, l.NextCursor)
}

func testAuditAppendDuplicateID(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	e := appendEvent(t, s, newEvent(c.ID, "acl_1", "access_link.created"))
	dup := newEvent(c.ID, "acl_2", "access_link.disabled")
	dup.ID = e.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Audit().Append(ctx, dup) })
	assertAlreadyExists(t, err)
	l, err := listEvents(t, s, storage.AuditFilter{}, storage.Page{})
	require.NoError(t, err)
	assert.Equal(t, []audit.Event{e}, l.Items, "the first event is unchanged")
}

func testAuditList(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	a1 := appendEvent(t, s, newEvent(a.ID, "acl_1", "access_link.created"))
	a2 := appendEvent(t, s, newEvent(a.ID, "acl_1", "access_link.disabled"))
	a3 := appendEvent(t, s, newEvent(a.ID, "acl_2", "access_link.created"))
	b1 := appendEvent(t, s, newEvent(b.ID, "acl_3", "access_link.created"))
	p1 := appendEvent(t, s, newEvent("", "key_1", "api_key.created"))

	for name, tc := range map[string]struct {
		f    storage.AuditFilter
		want []string
	}{
		"all":             {storage.AuditFilter{}, sorted(a1.ID, a2.ID, a3.ID, b1.ID, p1.ID)},
		"customer":        {storage.AuditFilter{CustomerID: a.ID}, sorted(a1.ID, a2.ID, a3.ID)},
		"object":          {storage.AuditFilter{ObjectID: "acl_1"}, sorted(a1.ID, a2.ID)},
		"customer+object": {storage.AuditFilter{CustomerID: a.ID, ObjectID: "acl_2"}, sorted(a3.ID)},
		"provider object": {storage.AuditFilter{ObjectID: "key_1"}, sorted(p1.ID)},
		"nothing":         {storage.AuditFilter{CustomerID: b.ID, ObjectID: "acl_1"}, nil},
	} {
		got := eventIDs(t, s, tc.f)
		if tc.want == nil {
			assert.Empty(t, got, name)
			continue
		}
		assert.Equal(t, tc.want, got, name)
	}
}

func testAuditTimesUTC(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	when := time.Date(2025, time.September, 9, 9, 9, 9, 90000, time.FixedZone("UTC-9", -9*3600))
	e := newEvent(c.ID, "acl_1", "access_link.created")
	e.At = when
	appendEvent(t, s, e)
	l, err := listEvents(t, s, storage.AuditFilter{CustomerID: c.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assertUTC(t, when, l.Items[0].At, "At")
}
