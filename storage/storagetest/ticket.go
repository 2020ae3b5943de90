package storagetest

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/ticket"
)

var ticketTests = []test{
	{"CreateGet", testTicketCreateGet},
	{"GetMissing", testTicketGetMissing},
	{"CreateDuplicates", testTicketCreateDuplicates},
	{"CreateMissingCustomer", testTicketCreateMissingCustomer},
	{"NextNumberIncreases", testTicketNextNumberIncreases},
	{"Change", testTicketChange},
	{"ChangeStaleVersion", testTicketChangeStale},
	{"ChangeMissing", testTicketChangeMissing},
	{"List", testTicketList},
	{"ListSites", testTicketListSites},
	{"ListRecord", testTicketListRecord},
	{"Count", testTicketCount},
	{"Comments", testTicketComments},
	{"Attachments", testTicketAttachments},
	{"StaffServiceDesk", testStaffServiceDesk},
	{"ReadTxRefusesWrites", testTicketsReadOnly},
}

var ticketConcurrencyTests = []test{
	{"TicketNumbersUnderContention", testTicketNumbersUnderContention},
	{"TicketChangedOnce", testTicketChangedOnce},
}

func newTicketID() ticket.ID { return ticket.ID(newID("tkt_")) }

// newTicket returns an open ticket of customer cid with every field set.
func newTicket(cid customer.ID, number ticket.Number) ticket.Ticket {
	return ticket.Ticket{
		ID: newTicketID(), Number: number, CustomerID: cid, Type: ticket.TypeRentalChange,
		Subject: "Stop rental", Description: "Please stop it.", Status: ticket.StatusOpen, Priority: ticket.PriorityHigh,
		RequestedBy: newUserID(), Links: ticket.Links{OrderID: "ord_1", OrderLine: 2, StockItemID: "itm_1", SiteID: "sit_1", RecordID: "rec_1"},
		Fields:  map[string]string{"change": "stop", "end_date": "2025-04-01"},
		History: []ticket.Event{{Kind: ticket.EventOpened, To: string(ticket.StatusOpen), At: base, By: "user:usr_1"}},
		Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func createTicket(t *testing.T, s storage.Store, tk ticket.Ticket) ticket.Ticket {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Tickets().Create(ctx, tk)
	}), "creating ticket")
	return tk
}

func getTicket(t *testing.T, s storage.Store, id ticket.ID) (ticket.Ticket, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (ticket.Ticket, error) { return r.Tickets().Get(ctx, id) })
}

func changeTicket(t *testing.T, s storage.Store, next ticket.Ticket, evs ...ticket.Event) (ticket.Ticket, error) {
	t.Helper()
	var out ticket.Ticket
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.Tickets().Change(ctx, next, evs...)
		return err
	})
	return out, err
}

func ticketIDs(t *testing.T, s storage.Store, f storage.TicketFilter) []string {
	t.Helper()
	return collect(t, 2, 50, func(p storage.Page) ([]string, string, error) {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[ticket.Ticket], error) {
			return r.Tickets().List(ctx, f, p)
		})
		return idsOf(l.Items, func(t ticket.Ticket) ticket.ID { return t.ID }), l.NextCursor, err
	})
}

func testTicketCreateGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	want := createTicket(t, s, newTicket(c.ID, 1))
	got, err := getTicket(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	bare := newTicket(c.ID, 2)
	bare.Fields, bare.Links, bare.RequestedBy = nil, ticket.Links{}, ""
	createTicket(t, s, bare)
	got, err = getTicket(t, s, bare.ID)
	require.NoError(t, err)
	assert.Equal(t, bare, got)
}

func testTicketGetMissing(t *testing.T, s storage.Store) {
	_, err := getTicket(t, s, newTicketID())
	assertNotFound(t, err)
}

func testTicketCreateDuplicates(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	tk := createTicket(t, s, newTicket(c.ID, 1))
	sameID := newTicket(c.ID, 2)
	sameID.ID = tk.ID
	sameNumber := newTicket(c.ID, 1)
	for _, dup := range []ticket.Ticket{sameID, sameNumber} {
		assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().Create(ctx, dup) }))
	}
}

func testTicketCreateMissingCustomer(t *testing.T, s storage.Store) {
	tk := newTicket(newCustomerID(), 1)
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().Create(ctx, tk) }))
}

func nextTicketNumber(t *testing.T, s storage.Store) ticket.Number {
	t.Helper()
	var n ticket.Number
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Tickets().NextNumber(ctx)
		return err
	}))
	return n
}

func testTicketNextNumberIncreases(t *testing.T, s storage.Store) {
	a := nextTicketNumber(t, s)
	b := nextTicketNumber(t, s)
	assert.Greater(t, a, ticket.Number(0))
	assert.Greater(t, b, a)
}

func testTicketChange(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	tk := createTicket(t, s, newTicket(c.ID, 1))
	next, ev, err := tk.Move(ticket.StatusResolved, ticket.Act{By: "staff:stf_1", At: at(time.Hour), Note: "done"})
	require.NoError(t, err)
	next.Assignee, next.AppliedAt = "stf_1", at(time.Hour)
	ev2 := ticket.Event{Kind: ticket.EventAssigned, To: "stf_1", At: at(time.Hour), By: "staff:stf_1"}
	next.History = append(next.History, ev2)
	// Fields the contract keeps are not written.
	sent := next
	sent.Number, sent.Type, sent.RequestedBy = 99, "generic", "usr_x"
	got, err := changeTicket(t, s, sent, ev, ev2)
	require.NoError(t, err)
	want := next
	want.Version = tk.Version + 1
	assert.Equal(t, want, got)
	stored, err := getTicket(t, s, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, want, stored)
}

func testTicketChangeStale(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	tk := createTicket(t, s, newTicket(c.ID, 1))
	next, ev, err := tk.Move(ticket.StatusInProgress, ticket.Act{At: at(time.Minute)})
	require.NoError(t, err)
	_, err = changeTicket(t, s, next, ev)
	require.NoError(t, err)
	_, err = changeTicket(t, s, next, ev)
	assertConflict(t, err)
	stored, err := getTicket(t, s, tk.ID)
	require.NoError(t, err)
	assert.Len(t, stored.History, 2, "the stale change wrote nothing")
}

func testTicketChangeMissing(t *testing.T, s storage.Store) {
	tk := newTicket(newCustomerID(), 1)
	_, err := changeTicket(t, s, tk)
	assertNotFound(t, err)
}

func testTicketList(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	beta := createCustomer(t, s, newCustomer("Beta"))
	a1 := newTicket(acme.ID, 1)
	a2 := newTicket(acme.ID, 2)
	a2.Status, a2.Assignee, a2.Type = ticket.StatusWaitingOnCustomer, "stf_1", ticket.TypeGeneric
	a3 := newTicket(acme.ID, 3)
	a3.Status = ticket.StatusClosed
	b1 := newTicket(beta.ID, 4)
	b1.Assignee = "stf_2"
	for _, tk := range []ticket.Ticket{a1, a2, a3, b1} {
		createTicket(t, s, tk)
	}
	for _, tt := range []struct {
		name string
		f    storage.TicketFilter
		want []ticket.ID
	}{
		{"all", storage.TicketFilter{}, []ticket.ID{a1.ID, a2.ID, a3.ID, b1.ID}},
		{"customer", storage.TicketFilter{CustomerID: acme.ID}, []ticket.ID{a1.ID, a2.ID, a3.ID}},
		{"newest first", storage.TicketFilter{CustomerID: acme.ID, NewestFirst: true}, []ticket.ID{a3.ID, a2.ID, a1.ID}},
		{"status", storage.TicketFilter{Status: ticket.StatusWaitingOnCustomer}, []ticket.ID{a2.ID}},
		{"active", storage.TicketFilter{Active: true}, []ticket.ID{a1.ID, a2.ID, b1.ID}},
		{"type", storage.TicketFilter{Type: ticket.TypeGeneric}, []ticket.ID{a2.ID}},
		{"assignee", storage.TicketFilter{Assignee: "stf_2"}, []ticket.ID{b1.ID}},
		{"unassigned", storage.TicketFilter{Unassigned: true}, []ticket.ID{a1.ID, a3.ID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := make([]string, len(tt.want))
			for i, id := range tt.want {
				want[i] = string(id)
			}
			assert.Equal(t, want, ticketIDs(t, s, tt.f))
		})
	}
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[ticket.Ticket], error) {
		return r.Tickets().List(ctx, storage.TicketFilter{CustomerID: acme.ID}, storage.Page{Limit: 1})
	})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	want := a1
	want.History = nil
	assert.Equal(t, want, l.Items[0], "lists leave the history out")
}

func testTicketListSites(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	var ids []ticket.ID
	for i, site := range []customer.SiteID{"", "sit_a", "sit_b"} {
		tk := newTicket(c.ID, ticket.Number(i+1))
		tk.Links.SiteID = site
		ids = append(ids, createTicket(t, s, tk).ID)
	}
	assert.Equal(t, sorted(ids[0], ids[1]), ticketIDs(t, s, storage.TicketFilter{CustomerID: c.ID, SiteIDs: []customer.SiteID{"sit_a"}}))
	assert.Equal(t, sorted(ids[0]), ticketIDs(t, s, storage.TicketFilter{CustomerID: c.ID, SiteIDs: []customer.SiteID{}}))
	assert.Equal(t, sorted(ids...), ticketIDs(t, s, storage.TicketFilter{CustomerID: c.ID, SiteIDs: []customer.SiteID{"sit_b", "sit_a"}}))
}

func testTicketCount(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	beta := createCustomer(t, s, newCustomer("Beta"))
	for i, st := range []ticket.Status{ticket.StatusOpen, ticket.StatusOpen, ticket.StatusWaitingOnCustomer, ticket.StatusClosed} {
		tk := newTicket(acme.ID, ticket.Number(i+1))
		tk.Status = st
		createTicket(t, s, tk)
	}
	createTicket(t, s, newTicket(beta.ID, 10))
	count := func(f storage.TicketFilter) map[ticket.Status]int {
		n, err := get(t, s, func(ctx context.Context, r storage.Repos) (map[ticket.Status]int, error) {
			return r.Tickets().Count(ctx, f)
		})
		require.NoError(t, err)
		return n
	}
	assert.Equal(t, map[ticket.Status]int{ticket.StatusOpen: 2, ticket.StatusWaitingOnCustomer: 1, ticket.StatusClosed: 1},
		count(storage.TicketFilter{CustomerID: acme.ID}))
	assert.Equal(t, map[ticket.Status]int{ticket.StatusOpen: 3, ticket.StatusWaitingOnCustomer: 1, ticket.StatusClosed: 1},
		count(storage.TicketFilter{}))
	assert.Equal(t, map[ticket.Status]int{}, count(storage.TicketFilter{Assignee: "stf_nobody"}))
}

func testTicketComments(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	tk := createTicket(t, s, newTicket(c.ID, 1))
	var all []ticket.Comment
	for i, v := range []ticket.Visibility{ticket.Public, ticket.Internal, ticket.Public} {
		cm := ticket.Comment{
			ID: ticket.CommentID(newID("tcm_")), TicketID: tk.ID, Visibility: v, Author: "staff:stf_1",
			AuthorName: "Ann", Body: "comment " + strconv.Itoa(i), CreatedAt: at(time.Duration(i) * time.Minute),
		}
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().AddComment(ctx, cm) }))
		all = append(all, cm)
	}
	list := func(publicOnly bool) []ticket.Comment {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[ticket.Comment], error) {
			return r.Tickets().Comments(ctx, tk.ID, publicOnly, storage.Page{})
		})
		require.NoError(t, err)
		return l.Items
	}
	assert.Equal(t, all, list(false))
	assert.Equal(t, []ticket.Comment{all[0], all[2]}, list(true), "no internal notes")

	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (ticket.Comment, error) {
		return r.Tickets().Comment(ctx, all[1].ID)
	})
	require.NoError(t, err)
	assert.Equal(t, all[1], got)
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (ticket.Comment, error) {
		return r.Tickets().Comment(ctx, "tcm_missing")
	})
	assertNotFound(t, err)

	dup := all[0]
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().AddComment(ctx, dup) }))
	orphan := all[0]
	orphan.ID, orphan.TicketID = ticket.CommentID(newID("tcm_")), newTicketID()
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().AddComment(ctx, orphan) }))
}

func testTicketAttachments(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	tk := createTicket(t, s, newTicket(c.ID, 1))
	note := ticket.Comment{
		ID: ticket.CommentID(newID("tcm_")), TicketID: tk.ID, Visibility: ticket.Internal, Author: "staff:stf_1",
		AuthorName: "Ann", Body: "see the photo", CreatedAt: base,
	}
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().AddComment(ctx, note) }))
	var all []ticket.Attachment
	for i, cid := range []ticket.CommentID{"", note.ID, ""} {
		a := ticket.Attachment{
			ID: ticket.AttachmentID(newID("att_")), TicketID: tk.ID, CommentID: cid, Visibility: ticket.Public,
			FileKey: newID("fil_"), Name: "photo" + strconv.Itoa(i) + ".png", ContentType: "image/png",
			Size: int64(100 + i), SHA256: "ab12", UploadedBy: "user:usr_1", CreatedAt: at(time.Duration(i) * time.Minute),
		}
		if cid != "" {
			a.Visibility = ticket.Internal
		}
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().AddAttachment(ctx, a) }))
		all = append(all, a)
	}
	list := func(publicOnly bool) []ticket.Attachment {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]ticket.Attachment, error) {
			return r.Tickets().Attachments(ctx, tk.ID, publicOnly)
		})
		require.NoError(t, err)
		return l
	}
	assert.Equal(t, all, list(false))
	assert.Equal(t, []ticket.Attachment{all[0], all[2]}, list(true), "no internal files")

	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (ticket.Attachment, error) {
		return r.Tickets().Attachment(ctx, all[1].ID)
	})
	require.NoError(t, err)
	assert.Equal(t, all[1], got)
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (ticket.Attachment, error) {
		return r.Tickets().Attachment(ctx, "att_missing")
	})
	assertNotFound(t, err)

	dup := all[0]
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().AddAttachment(ctx, dup) }))
	sameKey := all[0]
	sameKey.ID = ticket.AttachmentID(newID("att_"))
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().AddAttachment(ctx, sameKey) }))
	for name, mutate := range map[string]func(*ticket.Attachment){
		"ticket":  func(a *ticket.Attachment) { a.TicketID = newTicketID() },
		"comment": func(a *ticket.Attachment) { a.CommentID = ticket.CommentID(newID("tcm_")) },
	} {
		orphan := all[0]
		orphan.ID, orphan.FileKey = ticket.AttachmentID(newID("att_")), newID("fil_")
		mutate(&orphan)
		assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().AddAttachment(ctx, orphan) }), name)
	}
}

func testStaffServiceDesk(t *testing.T, s storage.Store) {
	m := newStaffMember("desk@provider.example", identity.StaffAgent)
	m.ServiceDesk = true
	createStaff(t, s, m)
	got, err := getStaff(t, s, m.ID)
	require.NoError(t, err)
	assert.True(t, got.ServiceDesk)
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Staff().Update(ctx, m.ID, func(m *identity.StaffMember) error { m.ServiceDesk = false; return nil })
		return err
	}))
	got, err = getStaff(t, s, m.ID)
	require.NoError(t, err)
	assert.False(t, got.ServiceDesk)
}

func testTicketsReadOnly(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	tk := newTicket(c.ID, 1)
	err := read(t, s, func(ctx context.Context, r storage.Repos) error { return r.Tickets().Create(ctx, tk) })
	assert.ErrorIs(t, err, storage.ErrReadOnly)
	err = read(t, s, func(ctx context.Context, r storage.Repos) error { _, err := r.Tickets().NextNumber(ctx); return err })
	assert.ErrorIs(t, err, storage.ErrReadOnly)
}

// testTicketNumbersUnderContention has goroutines take numbers at once:
// every number is distinct.
func testTicketNumbersUnderContention(t *testing.T, s storage.Store) {
	const n = 16
	c := createCustomer(t, s, newCustomer("Acme"))
	numbers := make(chan ticket.Number, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for range n {
		wg.Go(func() {
			// The number is sent once the transaction has committed: a
			// store may run fn again when a try fails to serialize, and
			// only the last try's number is the ticket's.
			var num ticket.Number
			err := s.InTx(ctx, func(r storage.Repos) error {
				var err error
				num, err = r.Tickets().NextNumber(ctx)
				if err != nil {
					return err
				}
				return r.Tickets().Create(ctx, newTicket(c.ID, num))
			})
			if assert.NoError(t, err) {
				numbers <- num
			}
		})
	}
	wg.Wait()
	close(numbers)
	seen := map[ticket.Number]bool{}
	for num := range numbers {
		assert.False(t, seen[num], "number %d twice", num)
		seen[num] = true
	}
	assert.Len(t, seen, n)
}

// testTicketChangedOnce has goroutines change one ticket from the same
// version at once: exactly one change is stored, the others conflict.
func testTicketChangedOnce(t *testing.T, s storage.Store) {
	const n = 16
	c := createCustomer(t, s, newCustomer("Acme"))
	tk := createTicket(t, s, newTicket(c.ID, 1))
	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for i := range n {
		next, ev, err := tk.Assign(identity.StaffID("stf_"+strconv.Itoa(i)), ticket.Act{At: at(time.Second)})
		require.NoError(t, err)
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				_, err := r.Tickets().Change(ctx, next, ev)
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		if err == nil {
			won++
			continue
		}
		assertConflict(t, err)
	}
	assert.Equal(t, 1, won)
	got, err := getTicket(t, s, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, tk.Version+1, got.Version)
	assert.Len(t, got.History, 2)
}

// testTicketListRecord: a ticket keeps its record link through a change,
// and TicketFilter.RecordID keeps the tickets of one record.
func testTicketListRecord(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	var ids []ticket.ID
	for i, rec := range []record.ID{"", "rec_a", "rec_b", "rec_a"} {
		tk := newTicket(c.ID, ticket.Number(i+1))
		tk.Links.RecordID = rec
		ids = append(ids, createTicket(t, s, tk).ID)
	}
	assert.Equal(t, sorted(ids[1], ids[3]), ticketIDs(t, s, storage.TicketFilter{CustomerID: c.ID, RecordID: "rec_a"}))
	assert.Equal(t, sorted(ids[2]), ticketIDs(t, s, storage.TicketFilter{CustomerID: c.ID, RecordID: "rec_b"}))
	assert.Empty(t, ticketIDs(t, s, storage.TicketFilter{CustomerID: c.ID, RecordID: "rec_c"}))

	got, err := getTicket(t, s, ids[2])
	require.NoError(t, err)
	assert.Equal(t, record.ID("rec_b"), got.Links.RecordID)
	got.Links.RecordID = "rec_c"
	got.UpdatedAt = got.UpdatedAt.Add(time.Second)
	_, err = changeTicket(t, s, got)
	require.NoError(t, err)
	got, err = getTicket(t, s, ids[2])
	require.NoError(t, err)
	assert.Equal(t, record.ID("rec_c"), got.Links.RecordID)
	assert.Equal(t, sorted(ids[2]), ticketIDs(t, s, storage.TicketFilter{CustomerID: c.ID, RecordID: "rec_c"}))
}
