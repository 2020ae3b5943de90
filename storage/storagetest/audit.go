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
	{"DetailFiltersNewestFirst", testAuditDetailFilters},
	{"DeleteBefore", testAuditDeleteBefore},
}

// listAudit returns every event matching f, page by page of 2.
func listAudit(t *testing.T, s storage.Store, f storage.AuditFilter) []audit.Event {
	t.Helper()
	var out []audit.Event
	p := storage.Page{Limit: 2}
	for range 20 {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[audit.Event], error) {
			return r.Audit().List(ctx, f, p)
		})
		require.NoError(t, err)
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			return out
		}
		p.Cursor = l.NextCursor
	}
	t.Fatal("too many pages")
	return nil
}

// testAuditDetailFilters checks the impersonator, request ID and changes
// read back, and that actor (as actor or impersonator), action and time
// filter, newest first across pages.
func testAuditDetailFilters(t *testing.T, s storage.Store) {
	c := newCustomerID()
	e1 := newEvent(c, "obj_1", "sso.configured")
	e1.Changes = []audit.Change{{Field: "issuer", Before: "", After: "https://login.example.com"}}
	e1.RequestID = "req-1"
	e2 := newEvent(c, "obj_1", "invitation.created")
	e2.Actor, e2.Impersonator, e2.At = "user:usr_1", "staff:stf_9", at(time.Hour)
	e3 := newEvent(c, "obj_2", "sso.configured")
	e3.At = at(2 * time.Hour)
	for _, e := range []audit.Event{e1, e2, e3} {
		appendEvent(t, s, e)
	}
	ids := func(es []audit.Event) []audit.ID {
		var out []audit.ID
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	all := listAudit(t, s, storage.AuditFilter{CustomerID: c, NewestFirst: true})
	assert.Equal(t, []audit.ID{e3.ID, e2.ID, e1.ID}, ids(all))
	assert.Equal(t, e1, all[2], "read back as written")
	assert.Equal(t, e2, all[1])
	assert.Equal(t, []audit.ID{e2.ID}, ids(listAudit(t, s, storage.AuditFilter{Actor: "staff:stf_9"})), "by impersonator")
	assert.Equal(t, []audit.ID{e2.ID}, ids(listAudit(t, s, storage.AuditFilter{Actor: "user:usr_1"})), "by actor")
	assert.Equal(t, []audit.ID{e1.ID, e3.ID}, ids(listAudit(t, s, storage.AuditFilter{Action: "sso.configured"})))
	assert.Equal(t, []audit.ID{e2.ID}, ids(listAudit(t, s, storage.AuditFilter{From: at(time.Hour), To: at(2 * time.Hour)})))
}

func testAuditDeleteBefore(t *testing.T, s storage.Store) {
	c := newCustomerID()
	old, keep := newEvent(c, "o", "a.old"), newEvent(c, "o", "a.kept")
	keep.At = at(time.Hour)
	appendEvent(t, s, old)
	appendEvent(t, s, keep)
	var n int
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Audit().DeleteBefore(ctx, at(time.Hour))
		return err
	}))
	assert.Equal(t, 1, n)
	got := listAudit(t, s, storage.AuditFilter{CustomerID: c})
	require.Len(t, got, 1)
	assert.Equal(t, keep.ID, got[0].ID)
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
