package storagetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/storage"
)

var accessRequestTests = []test{
	{"CreateGet", testAccessRequestCreateGet},
	{"GetMissing", testAccessRequestGetMissing},
	{"CreateDuplicates", testAccessRequestCreateDuplicates},
	{"GetByToken", testAccessRequestGetByToken},
	{"Update", testAccessRequestUpdate},
	{"ListByStatus", testAccessRequestListByStatus},
	{"Count", testAccessRequestCount},
	{"DeleteExpired", testAccessRequestDeleteExpired},
	{"Candidates", testAccessRequestCandidates},
	{"ReadTxRefusesWrites", testAccessRequestsReadOnly},
}

var accessRequestConcurrencyTests = []test{
	{"AccessRequestDecidedOnce", testAccessRequestDecidedOnce},
}

// newAccessRequest returns an unconfirmed request with every field set.
func newAccessRequest(email string) accessrequest.Request {
	_, hash := invite.NewToken("par_")
	return accessrequest.Request{
		ID: accessrequest.ID(newID("acr_")), CompanyName: "Acme Industries GmbH", VATID: "DE 123 456 789",
		Website: "https://acme.example", Name: "Jane Doe", Email: email, Phone: "+49 30 1234",
		Message: "We rent 40 laptops.", Language: "de", TokenHash: hash,
		ConfirmBy: at(accessrequest.ConfirmTTL), Status: accessrequest.StatusUnconfirmed,
		ClientAddr: "192.0.2.1", Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func createAccessRequest(t *testing.T, s storage.Store, r accessrequest.Request) accessrequest.Request {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, rs storage.Repos) error {
		return rs.AccessRequests().Create(ctx, r)
	}), "creating access request")
	return r
}

func getAccessRequest(t *testing.T, s storage.Store, id accessrequest.ID) (accessrequest.Request, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (accessrequest.Request, error) {
		return r.AccessRequests().Get(ctx, id)
	})
}

func updateAccessRequest(t *testing.T, s storage.Store, id accessrequest.ID, fn func(*accessrequest.Request) error) (accessrequest.Request, error) {
	t.Helper()
	var out accessrequest.Request
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.AccessRequests().Update(ctx, id, fn)
		return err
	})
	return out, err
}

func accessRequestIDs(t *testing.T, s storage.Store, f storage.AccessRequestFilter, p storage.Page) []accessrequest.ID {
	t.Helper()
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[accessrequest.Request], error) {
		return r.AccessRequests().List(ctx, f, p)
	})
	require.NoError(t, err)
	var ids []accessrequest.ID
	for _, r := range l.Items {
		ids = append(ids, r.ID)
	}
	return ids
}

func testAccessRequestCreateGet(t *testing.T, s storage.Store) {
	want := createAccessRequest(t, s, newAccessRequest("jane@acme.example"))
	got, err := getAccessRequest(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assertUTC(t, want.ConfirmBy, got.ConfirmBy, "ConfirmBy")
}

func testAccessRequestGetMissing(t *testing.T, s storage.Store) {
	_, err := getAccessRequest(t, s, "acr_missing")
	assertNotFound(t, err)
}

func testAccessRequestCreateDuplicates(t *testing.T, s storage.Store) {
	a := createAccessRequest(t, s, newAccessRequest("jane@acme.example"))
	sameID := newAccessRequest("other@acme.example")
	sameID.ID = a.ID
	sameToken := newAccessRequest("other@acme.example")
	sameToken.TokenHash = a.TokenHash
	for name, r := range map[string]accessrequest.Request{"id": sameID, "token": sameToken} {
		err := write(t, s, func(ctx context.Context, rs storage.Repos) error { return rs.AccessRequests().Create(ctx, r) })
		assertAlreadyExists(t, err, name)
	}
	// The same address may ask again: the rate limits bound that, not the store.
	createAccessRequest(t, s, newAccessRequest("jane@acme.example"))
}

func testAccessRequestGetByToken(t *testing.T, s storage.Store) {
	a := createAccessRequest(t, s, newAccessRequest("jane@acme.example"))
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (accessrequest.Request, error) {
		return r.AccessRequests().GetByToken(ctx, a.TokenHash)
	})
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (accessrequest.Request, error) {
		return r.AccessRequests().GetByToken(ctx, invite.HashToken("par_unknown"))
	})
	assertNotFound(t, err)
}

func testAccessRequestUpdate(t *testing.T, s storage.Store) {
	a := createAccessRequest(t, s, newAccessRequest("jane@acme.example"))
	d := accessrequest.Decision{By: "staff:stf_1", At: at(2 * time.Hour), Message: "Welcome", CustomerID: "cus_1", NewCustomer: true, InvitationID: "inv_1"}
	got, err := updateAccessRequest(t, s, a.ID, func(r *accessrequest.Request) error {
		if err := r.Confirm(at(time.Hour)); err != nil {
			return err
		}
		r.TokenHash = "changed"
		return r.Decide(accessrequest.StatusConnected, d)
	})
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, a.TokenHash, got.TokenHash, "the token hash stays")
	stored, err := getAccessRequest(t, s, a.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)
	assert.Equal(t, accessrequest.StatusConnected, stored.Status)
	assert.Equal(t, d, stored.Decision)
	assertUTC(t, at(time.Hour), stored.ConfirmedAt, "ConfirmedAt")

	_, err = updateAccessRequest(t, s, "acr_missing", func(*accessrequest.Request) error { return nil })
	assertNotFound(t, err)
	_, err = updateAccessRequest(t, s, a.ID, func(*accessrequest.Request) error { return errBoom })
	assert.ErrorIs(t, err, errBoom)
}

func testAccessRequestListByStatus(t *testing.T, s storage.Store) {
	unconfirmed := createAccessRequest(t, s, newAccessRequest("a@acme.example"))
	expired := newAccessRequest("b@acme.example")
	expired.ConfirmBy = at(time.Hour)
	expired = createAccessRequest(t, s, expired)
	pending := newAccessRequest("c@acme.example")
	pending.Status, pending.ConfirmedAt = accessrequest.StatusPending, at(time.Minute)
	pending = createAccessRequest(t, s, pending)
	rejected := newAccessRequest("d@acme.example")
	rejected.Status, rejected.Decision = accessrequest.StatusRejected, accessrequest.Decision{By: "staff:stf_1", At: at(time.Minute)}
	rejected = createAccessRequest(t, s, rejected)

	now := at(2 * time.Hour)
	for status, want := range map[accessrequest.Status][]accessrequest.ID{
		"":                              {rejected.ID, pending.ID, expired.ID, unconfirmed.ID},
		accessrequest.StatusUnconfirmed: {unconfirmed.ID},
		accessrequest.StatusExpired:     {expired.ID},
		accessrequest.StatusPending:     {pending.ID},
		accessrequest.StatusRejected:    {rejected.ID},
		accessrequest.StatusConnected:   nil,
	} {
		assert.Equal(t, want, accessRequestIDs(t, s, storage.AccessRequestFilter{Status: status, Now: now}, storage.Page{}), "status %q", status)
	}
	// Pages, newest first.
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[accessrequest.Request], error) {
		return r.AccessRequests().List(ctx, storage.AccessRequestFilter{Now: now}, storage.Page{Limit: 3})
	})
	require.NoError(t, err)
	require.NotEmpty(t, l.NextCursor)
	assert.Equal(t, []accessrequest.ID{unconfirmed.ID}, accessRequestIDs(t, s, storage.AccessRequestFilter{Now: now}, storage.Page{Cursor: l.NextCursor, Limit: 3}))
}

func testAccessRequestCount(t *testing.T, s storage.Store) {
	createAccessRequest(t, s, newAccessRequest("a@acme.example"))
	expired := newAccessRequest("b@acme.example")
	expired.ConfirmBy = at(time.Hour)
	createAccessRequest(t, s, expired)
	for range 2 {
		p := newAccessRequest("c@acme.example")
		p.Status = accessrequest.StatusPending
		createAccessRequest(t, s, p)
	}
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (map[accessrequest.Status]int, error) {
		return r.AccessRequests().Count(ctx, at(2*time.Hour))
	})
	require.NoError(t, err)
	assert.Equal(t, map[accessrequest.Status]int{accessrequest.StatusUnconfirmed: 1, accessrequest.StatusExpired: 1, accessrequest.StatusPending: 2}, got)
}

func testAccessRequestDeleteExpired(t *testing.T, s storage.Store) {
	keep := createAccessRequest(t, s, newAccessRequest("a@acme.example"))
	gone := newAccessRequest("b@acme.example")
	gone.ConfirmBy = at(time.Hour)
	gone = createAccessRequest(t, s, gone)
	confirmed := newAccessRequest("c@acme.example")
	confirmed.ConfirmBy, confirmed.Status = at(time.Hour), accessrequest.StatusPending
	confirmed = createAccessRequest(t, s, confirmed)
	var n int
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.AccessRequests().DeleteExpired(ctx, at(2*time.Hour))
		return err
	}))
	assert.Equal(t, 1, n)
	_, err := getAccessRequest(t, s, gone.ID)
	assertNotFound(t, err)
	for _, id := range []accessrequest.ID{keep.ID, confirmed.ID} {
		_, err := getAccessRequest(t, s, id)
		assert.NoError(t, err, "kept %s", id)
	}
}

func testAccessRequestCandidates(t *testing.T, s storage.Store) {
	byContact := newCustomer("Contact Corp")
	byContact.ContactEmail, byContact.VATID = "Office@ACME.example", ""
	byContact = createCustomer(t, s, byContact)
	byMember := newCustomer("Member Corp")
	byMember.ContactEmail, byMember.VATID = "x@member.example", ""
	byMember = createCustomer(t, s, byMember)
	u := createUser(t, s, newUser("jane@acme.example"))
	createMembership(t, s, newMembership(u.ID, byMember.ID))
	byVAT := newCustomer("Vat Corp")
	byVAT.ContactEmail, byVAT.VATID = "x@vat.example", "de-123.456.789"
	byVAT = createCustomer(t, s, byVAT)
	byName := newCustomer("The Industries Group")
	byName.ContactEmail, byName.VATID = "x@name.example", ""
	byName = createCustomer(t, s, byName)
	archived := newCustomer("Acme Archived")
	archived.ContactEmail, archived.Status = "x@acme.example", customer.StatusArchived
	createCustomer(t, s, archived)
	other := newCustomer("Unrelated")
	other.ContactEmail, other.VATID = "x@other.example", ""
	createCustomer(t, s, other)
	// "acme_example" must not match "acme.example" as a LIKE pattern would.
	underscore := newCustomer("Underscore")
	underscore.ContactEmail, underscore.VATID = "x@acmeXexample", ""
	createCustomer(t, s, underscore)

	find := func(q storage.CandidateQuery) map[customer.ID][]string {
		got, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]accessrequest.Candidate, error) {
			return r.AccessRequests().Candidates(ctx, q, 50)
		})
		require.NoError(t, err)
		out := map[customer.ID][]string{}
		for _, c := range got {
			out[c.Customer.ID] = c.MemberDomains
		}
		return out
	}
	assert.Equal(t, map[customer.ID][]string{byContact.ID: nil, byMember.ID: {"acme.example"}}, find(storage.CandidateQuery{Domain: "acme.example"}))
	assert.Equal(t, map[customer.ID][]string{byVAT.ID: nil}, find(storage.CandidateQuery{VATID: "DE123456789"}))
	assert.Equal(t, map[customer.ID][]string{byName.ID: nil}, find(storage.CandidateQuery{Words: []string{"industries"}}))
	assert.Len(t, find(storage.CandidateQuery{Domain: "acme.example", VATID: "DE123456789", Words: []string{"industries"}}), 4)
	assert.Empty(t, find(storage.CandidateQuery{Domain: "acme_example"}))
	assert.Empty(t, find(storage.CandidateQuery{}))

	// When more customers match than the limit takes, those matched by
	// domain or VAT ID come first: "Corp" names three customers made before
	// byVAT, and a limit of one still finds byVAT.
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]accessrequest.Candidate, error) {
		return r.AccessRequests().Candidates(ctx, storage.CandidateQuery{VATID: "DE123456789", Words: []string{"corp"}}, 1)
	})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, byVAT.ID, got[0].Customer.ID)
}

func testAccessRequestsReadOnly(t *testing.T, s storage.Store) {
	err := read(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.AccessRequests().Create(ctx, newAccessRequest("a@acme.example"))
	})
	assert.ErrorIs(t, err, storage.ErrReadOnly)
}

// testAccessRequestDecidedOnce: of concurrent decisions on one request,
// one is stored; the others fail with ErrConflict (or see it decided).
func testAccessRequestDecidedOnce(t *testing.T, s storage.Store) {
	a := newAccessRequest("jane@acme.example")
	a.Status = accessrequest.StatusPending
	a = createAccessRequest(t, s, a)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = updateAccessRequest(t, s, a.ID, func(r *accessrequest.Request) error {
				return r.Decide(accessrequest.StatusRejected, accessrequest.Decision{By: "staff:stf_" + string(rune('a'+i)), At: at(time.Minute)})
			})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assertConflict(t, err)
		}
	}
	assert.Equal(t, 1, ok, "one decision is stored")
	got, err := getAccessRequest(t, s, a.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Version)
}
