package storagetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
)

var recordTests = []test{
	{"DefineTypeVersions", testRecordTypeVersions},
	{"CreateGet", testRecordCreateGet},
	{"CreateDuplicates", testRecordCreateDuplicates},
	{"CreateMissingCustomer", testRecordCreateMissingCustomer},
	{"Change", testRecordChange},
	{"ChangeStaleVersion", testRecordChangeStale},
	{"SearchByIdentifier", testRecordSearchByIdentifier},
	{"SearchText", testRecordSearchText},
	{"SearchTextAcrossCustomers", testRecordSearchTextAcrossCustomers},
	{"ListFilters", testRecordListFilters},
	{"ChangeRequests", testRecordChangeRequests},
	{"ReadTxRefusesWrites", testRecordsReadOnly},
}

// meterType is a type as staff define it through the API.
func meterType(v int) record.Type {
	t := record.Type{Name: "water_meter", Label: "Water meter", Version: v, Fields: []record.Field{
		{Name: "meter_number", Kind: record.KindText, Required: true, Identifier: true, Customer: true},
		{Name: "reading", Kind: record.KindNumber, Customer: true, Edit: record.EditRule{Role: customer.RoleMaintainer, MaxChangePercent: 20}},
		{Name: "cost", Kind: record.KindMoney, Currency: "EUR"},
	}, Actions: []record.Action{{Name: "report", TicketType: "generic"}}}
	if v > 1 {
		t.Fields = append(t.Fields, record.Field{Name: "installed_on", Kind: record.KindDate, Customer: true})
	}
	return t
}

func newRecordID() record.ID { return record.ID(newID("rec_")) }

func newRecord(cid customer.ID, number string) record.Record {
	return record.Record{
		ID: newRecordID(), CustomerID: cid, Type: "water_meter", TypeVersion: 1, ExternalRef: "ext-" + number,
		Values:  map[string]string{"meter_number": number, "reading": "100", "cost": "1999"},
		History: []record.Event{{Kind: record.EventCreated, At: base, By: "staff:stf_1", After: map[string]string{"meter_number": number}}},
		Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func indexOf(r record.Record) storage.RecordIndex {
	t := meterType(1)
	return storage.RecordIndex{
		Identifiers: t.Identifiers(r.Values),
		TextAll:     t.SearchText(r.ExternalRef, r.Values, false),
		TextShown:   t.SearchText(r.ExternalRef, r.Values, true),
	}
}

func createRecord(t *testing.T, s storage.Store, r record.Record) record.Record {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, rs storage.Repos) error {
		return rs.Records().Create(ctx, r, indexOf(r))
	}), "creating record")
	return r
}

func getRecord(t *testing.T, s storage.Store, id record.ID) (record.Record, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (record.Record, error) { return r.Records().Get(ctx, id) })
}

func changeRecord(t *testing.T, s storage.Store, next record.Record, evs ...record.Event) (record.Record, error) {
	t.Helper()
	var out record.Record
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.Records().Change(ctx, next, indexOf(next), evs...)
		return err
	})
	return out, err
}

func recordIDs(t *testing.T, s storage.Store, f storage.RecordFilter) []string {
	t.Helper()
	return collect(t, 2, 50, func(p storage.Page) ([]string, string, error) {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[record.Record], error) {
			return r.Records().List(ctx, f, p)
		})
		return idsOf(l.Items, func(r record.Record) record.ID { return r.ID }), l.NextCursor, err
	})
}

func testRecordTypeVersions(t *testing.T, s storage.Store) {
	define := func(typ record.Type) error {
		return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Records().DefineType(ctx, typ) })
	}
	require.NoError(t, define(meterType(1)))
	require.NoError(t, define(meterType(2)))
	assertAlreadyExists(t, define(meterType(2)))
	other := meterType(1)
	other.Name = "gas_meter"
	require.NoError(t, define(other))

	typeAt := func(name string, v int) (record.Type, error) {
		return get(t, s, func(ctx context.Context, r storage.Repos) (record.Type, error) { return r.Records().Type(ctx, name, v) })
	}
	v1, err := typeAt("water_meter", 1)
	require.NoError(t, err)
	assert.Equal(t, meterType(1), v1)
	latest, err := typeAt("water_meter", 0)
	require.NoError(t, err)
	assert.Equal(t, meterType(2), latest)
	_, err = typeAt("water_meter", 3)
	assertNotFound(t, err)
	_, err = typeAt("nothing", 0)
	assertNotFound(t, err)

	all, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]record.Type, error) { return r.Records().Types(ctx) })
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "gas_meter", all[0].Name)
	assert.Equal(t, meterType(2), all[1])
}

func testRecordCreateGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	want := newRecord(c.ID, "M-1")
	want.SiteID = "sit_1"
	createRecord(t, s, want)
	got, err := getRecord(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	byRef, err := get(t, s, func(ctx context.Context, r storage.Repos) (record.Record, error) {
		return r.Records().ByExternalRef(ctx, "water_meter", "ext-M-1")
	})
	require.NoError(t, err)
	assert.Equal(t, want, byRef)
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (record.Record, error) {
		return r.Records().ByExternalRef(ctx, "gas_meter", "ext-M-1")
	})
	assertNotFound(t, err)

	unassigned := newRecord("", "M-2")
	unassigned.ExternalRef = ""
	createRecord(t, s, unassigned)
	got, err = getRecord(t, s, unassigned.ID)
	require.NoError(t, err)
	assert.Equal(t, unassigned, got)
	_, err = getRecord(t, s, newRecordID())
	assertNotFound(t, err)
}

func testRecordCreateDuplicates(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	r := createRecord(t, s, newRecord(c.ID, "M-1"))
	sameID := newRecord(c.ID, "M-2")
	sameID.ID = r.ID
	sameRef := newRecord(c.ID, "M-3")
	sameRef.ExternalRef = r.ExternalRef
	for _, dup := range []record.Record{sameID, sameRef} {
		assertAlreadyExists(t, write(t, s, func(ctx context.Context, rs storage.Repos) error {
			return rs.Records().Create(ctx, dup, indexOf(dup))
		}))
	}
	// Records without an external reference do not collide.
	for _, n := range []string{"M-4", "M-5"} {
		r := newRecord(c.ID, n)
		r.ExternalRef = ""
		createRecord(t, s, r)
	}
	// The same external reference in another type does.
	other := newRecord(c.ID, "M-6")
	other.Type, other.ExternalRef = "gas_meter", r.ExternalRef
	createRecord(t, s, other)
}

func testRecordCreateMissingCustomer(t *testing.T, s storage.Store) {
	r := newRecord(newCustomerID(), "M-1")
	assertNotFound(t, write(t, s, func(ctx context.Context, rs storage.Repos) error { return rs.Records().Create(ctx, r, indexOf(r)) }))
}

func testRecordChange(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	r := createRecord(t, s, newRecord("", "M-1"))
	next := r
	next.CustomerID, next.SiteID, next.TypeVersion = c.ID, "sit_9", 2
	next.Values = map[string]string{"meter_number": "M-1b", "reading": "120"}
	next.UpdatedAt = at(3600e9)
	ev := record.Event{Kind: record.EventChanged, At: next.UpdatedAt, By: "user:usr_1", ByCustomer: true,
		Before: map[string]string{"meter_number": "M-1", "reading": "100", "cost": "1999"}, After: map[string]string{"meter_number": "M-1b", "reading": "120"}}
	got, err := changeRecord(t, s, next, ev)
	require.NoError(t, err)
	want := next
	want.Version = 2
	want.History = append(append([]record.Event(nil), r.History...), ev)
	assert.Equal(t, want, got)
	stored, err := getRecord(t, s, r.ID)
	require.NoError(t, err)
	assert.Equal(t, want, stored)
	// The index moved with the values.
	assert.Empty(t, recordIDs(t, s, storage.RecordFilter{Type: "water_meter", Field: "meter_number", Value: "M-1"}))
	assert.Equal(t, []string{string(r.ID)}, recordIDs(t, s, storage.RecordFilter{Type: "water_meter", Field: "meter_number", Value: "M-1b"}))
	// Type and external reference stay as stored.
	next = stored
	next.Type, next.ExternalRef = "other", "other-ref"
	got, err = changeRecord(t, s, next)
	require.NoError(t, err)
	assert.Equal(t, "water_meter", got.Type)
	assert.Equal(t, r.ExternalRef, got.ExternalRef)
	assert.Len(t, got.History, 2)
}

func testRecordChangeStale(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	r := createRecord(t, s, newRecord(c.ID, "M-1"))
	first := r
	first.Values = map[string]string{"meter_number": "M-1", "reading": "110"}
	_, err := changeRecord(t, s, first)
	require.NoError(t, err)
	stale := r
	stale.Values = map[string]string{"meter_number": "M-1", "reading": "90"}
	_, err = changeRecord(t, s, stale, record.Event{Kind: record.EventChanged, At: base, By: "x"})
	assertConflict(t, err)
	got, err := getRecord(t, s, r.ID)
	require.NoError(t, err)
	assert.Equal(t, "110", got.Values["reading"])
	assert.Len(t, got.History, 1, "a refused change appends nothing")

	missing := newRecord(c.ID, "M-2")
	_, err = changeRecord(t, s, missing)
	assertNotFound(t, err)
}

func testRecordSearchByIdentifier(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	globex := createCustomer(t, s, newCustomer("Globex"))
	a1 := createRecord(t, s, newRecord(acme.ID, "M-1"))
	a2 := newRecord(acme.ID, "M-1") // the same meter number twice in one customer
	a2.ExternalRef = "ext-a2"
	createRecord(t, s, a2)
	g1 := newRecord(globex.ID, "M-1")
	g1.ExternalRef = "ext-g1"
	createRecord(t, s, g1)
	createRecord(t, s, newRecord(acme.ID, "M-2"))
	free := newRecord("", "M-1")
	free.ExternalRef = "ext-free"
	createRecord(t, s, free)

	f := storage.RecordFilter{Type: "water_meter", Field: "meter_number", Value: "M-1"}
	assert.Equal(t, []string{string(a1.ID), string(a2.ID), string(g1.ID), string(free.ID)}, recordIDs(t, s, f))
	f.CustomerID = acme.ID
	assert.Equal(t, []string{string(a1.ID), string(a2.ID)}, recordIDs(t, s, f))
	f.CustomerID, f.Unassigned = "", true
	assert.Equal(t, []string{string(free.ID)}, recordIDs(t, s, f))
	assert.Empty(t, recordIDs(t, s, storage.RecordFilter{Type: "water_meter", Field: "meter_number", Value: "m-1"}), "exact, case and all")
	assert.Empty(t, recordIDs(t, s, storage.RecordFilter{Type: "gas_meter", Field: "meter_number", Value: "M-1"}))
	assert.Empty(t, recordIDs(t, s, storage.RecordFilter{Type: "water_meter", Field: "reading", Value: "100"}), "not an identifier")
}

func testRecordSearchText(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	r1 := newRecord(acme.ID, "AB-100%")
	createRecord(t, s, r1)
	r2 := newRecord(acme.ID, "XY-7")
	r2.Values["cost"] = "4242"
	createRecord(t, s, r2)

	text := func(q string, shown bool) []string {
		return recordIDs(t, s, storage.RecordFilter{CustomerID: acme.ID, Text: q, ShownOnly: shown})
	}
	assert.Equal(t, []string{string(r1.ID)}, text("ab-10", true))
	assert.Equal(t, []string{string(r1.ID)}, text("100%", true), "wildcards are matched as text")
	assert.Empty(t, text("x_-7", true))
	assert.Equal(t, []string{string(r2.ID)}, text("4242", false))
	assert.Empty(t, text("4242", true), "a hidden field is not searched for customers")
	assert.Equal(t, []string{string(r2.ID)}, text("ext-xy", false))
	assert.Empty(t, text("ext-xy", true), "nor the external reference")
}

// Staff search the text of every customer's records (a backend may
// answer through an index of its own, such as SQLite's FTS5 table, which
// must follow every change).
func testRecordSearchTextAcrossCustomers(t *testing.T, s storage.Store) {
	acme, globex := createCustomer(t, s, newCustomer("Acme")), createCustomer(t, s, newCustomer("Globex"))
	var ids []string
	for i := range 3 {
		for _, c := range []customer.Customer{acme, globex} {
			r := createRecord(t, s, newRecord(c.ID, fmt.Sprintf("QQ-%d-%s", i, c.Name)))
			ids = append(ids, string(r.ID))
		}
	}
	r1 := createRecord(t, s, newRecord(acme.ID, "AB-100%"))
	free := newRecord("", "ZZ-9")
	free.Values["cost"] = "4242"
	free = createRecord(t, s, free)

	text := func(q string, shown bool) []string {
		return recordIDs(t, s, storage.RecordFilter{Text: q, ShownOnly: shown})
	}
	assert.Equal(t, ids, text("qq-", false), "every customer's, in ID order, page by page")
	assert.Equal(t, ids[1:2], text("qq-0-globex", true))
	assert.Equal(t, []string{string(r1.ID)}, text("100%", true), "wildcards are matched as text")
	assert.Empty(t, text("x_-1", false))
	assert.Equal(t, []string{string(r1.ID)}, text("b-1", false))
	assert.Equal(t, []string{string(free.ID)}, text("4242", false))
	assert.Empty(t, text("4242", true), "a hidden field is not searched for customers")
	assert.Equal(t, []string{string(free.ID)}, recordIDs(t, s, storage.RecordFilter{Unassigned: true, Text: "zz-9"}))
	assert.Empty(t, recordIDs(t, s, storage.RecordFilter{Type: "gas_meter", Text: "zz-9"}))

	next := free
	next.Values = map[string]string{"meter_number": "YY-8", "reading": "100", "cost": "1999"}
	_, err := changeRecord(t, s, next)
	require.NoError(t, err)
	assert.Empty(t, text("zz-9", true), "the old text is gone")
	assert.Empty(t, text("4242", false))
	assert.Equal(t, []string{string(free.ID)}, text("ext-zz-9", false), "the external reference stays")
	assert.Equal(t, []string{string(free.ID)}, text("yy-8", true), "the new one is found")
}

func testRecordListFilters(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	r1 := newRecord(acme.ID, "M-1")
	r1.SiteID = "sit_a"
	createRecord(t, s, r1)
	r2 := newRecord(acme.ID, "M-2")
	createRecord(t, s, r2)
	r3 := newRecord(acme.ID, "M-3")
	r3.SiteID, r3.Type = "sit_b", "gas_meter"
	createRecord(t, s, r3)

	assert.Equal(t, []string{string(r1.ID), string(r2.ID), string(r3.ID)}, recordIDs(t, s, storage.RecordFilter{CustomerID: acme.ID}))
	assert.Equal(t, []string{string(r3.ID)}, recordIDs(t, s, storage.RecordFilter{CustomerID: acme.ID, Type: "gas_meter"}))
	assert.Equal(t, []string{string(r1.ID), string(r2.ID)}, recordIDs(t, s, storage.RecordFilter{CustomerID: acme.ID, SiteIDs: []customer.SiteID{"sit_a"}}))
	assert.Equal(t, []string{string(r2.ID)}, recordIDs(t, s, storage.RecordFilter{CustomerID: acme.ID, SiteIDs: []customer.SiteID{}}))
	assert.Empty(t, recordIDs(t, s, storage.RecordFilter{CustomerID: newCustomerID()}))
}

func testRecordChangeRequests(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	r := createRecord(t, s, newRecord(acme.ID, "M-1"))
	newChange := func() record.ChangeRequest {
		return record.ChangeRequest{
			ID: record.ChangeID(newID("rcr_")), RecordID: r.ID, CustomerID: acme.ID,
			Changes: map[string]string{"reading": "110"}, Before: map[string]string{"reading": "100"}, After: map[string]string{"reading": "110"},
			BaseVersion: 1, Status: record.ChangePending, RequestedBy: "user:usr_1", CreatedAt: base,
		}
	}
	c1, c2 := newChange(), newChange()
	for _, c := range []record.ChangeRequest{c1, c2} {
		require.NoError(t, write(t, s, func(ctx context.Context, rs storage.Repos) error { return rs.Records().CreateChange(ctx, c) }))
	}
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, rs storage.Repos) error { return rs.Records().CreateChange(ctx, c1) }))
	orphan := newChange()
	orphan.RecordID = newRecordID()
	assertNotFound(t, write(t, s, func(ctx context.Context, rs storage.Repos) error { return rs.Records().CreateChange(ctx, orphan) }))

	got, err := get(t, s, func(ctx context.Context, rs storage.Repos) (record.ChangeRequest, error) {
		return rs.Records().GetChange(ctx, c1.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, c1, got)

	decided, err := c1.Decide(true, "staff:stf_1", at(60e9), "ok")
	require.NoError(t, err)
	decide := func(c record.ChangeRequest) error {
		return write(t, s, func(ctx context.Context, rs storage.Repos) error { return rs.Records().DecideChange(ctx, c) })
	}
	require.NoError(t, decide(decided))
	assertConflict(t, decide(decided), "a request is decided once")
	missing := decided
	missing.ID = "rcr_missing"
	assertNotFound(t, decide(missing))
	got, err = get(t, s, func(ctx context.Context, rs storage.Repos) (record.ChangeRequest, error) {
		return rs.Records().GetChange(ctx, c1.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, decided, got)

	list := func(f storage.ChangeFilter) []string {
		return collect(t, 1, 50, func(p storage.Page) ([]string, string, error) {
			l, err := get(t, s, func(ctx context.Context, rs storage.Repos) (storage.List[record.ChangeRequest], error) {
				return rs.Records().ListChanges(ctx, f, p)
			})
			return idsOf(l.Items, func(c record.ChangeRequest) record.ChangeID { return c.ID }), l.NextCursor, err
		})
	}
	assert.Equal(t, []string{string(c2.ID)}, list(storage.ChangeFilter{Status: record.ChangePending}))
	assert.Equal(t, []string{string(c1.ID), string(c2.ID)}, list(storage.ChangeFilter{CustomerID: acme.ID}))
	assert.Equal(t, []string{string(c1.ID), string(c2.ID)}, list(storage.ChangeFilter{RecordID: r.ID}))
	assert.Empty(t, list(storage.ChangeFilter{CustomerID: newCustomerID()}))
}

func testRecordsReadOnly(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	r := newRecord(c.ID, "M-1")
	assertReadOnly(t, read(t, s, func(ctx context.Context, rs storage.Repos) error { return rs.Records().Create(ctx, r, indexOf(r)) }))
	assertReadOnly(t, read(t, s, func(ctx context.Context, rs storage.Repos) error { return rs.Records().DefineType(ctx, meterType(1)) }))
}
