package storagetest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/storage"
)

var txTests = []test{
	{"Ping", testPing},
	{"Heartbeat", testHeartbeat},
	{"CommitAcrossAggregates", testTxCommit},
	{"RollbackOnError", testTxRollbackOnError},
	{"RollbackOnPanic", testTxRollbackOnPanic},
	{"RollbackUndoesEverything", testTxRollbackUndoesEverything},
	{"RollbackUndoesSignInState", testTxRollbackUndoesSignInState},
	{"ReadsOwnWrites", testTxReadsOwnWrites},
	{"ReadTx", testReadTx},
	{"ReadTxRefusesWrites", testReadTxRefusesWrites},
	{"ReadTxRefusesSignInWrites", testReadTxRefusesSignInWrites},
	{"CanceledContext", testTxCanceledContext},
}

var concurrencyTests = []test{
	{"NoLostUpdates", testNoLostUpdates},
	{"UniqueUnderContention", testUniqueUnderContention},
	{"ReadTxSnapshot", testReadTxSnapshot},
	{"InvitationAcceptedOnce", testInvitationAcceptedOnce},
	{"LoginLinkConsumedOnce", testLoginLinkConsumedOnce},
	{"CheckThenWriteSerialized", testCheckThenWriteSerialized},
	{"HeartbeatsConcurrently", testHeartbeatsConcurrently},
}

// RunConcurrency runs the tests that start many goroutines on one store:
// lost updates, unique keys under contention, ReadTx snapshots, single-use
// tokens (an invitation accepted, a login link consumed, once), a rule
// checked by reading and then writing (InTx is serializable), idempotency
// keys (begun once), outbox claims (each message handed out once), order
// numbers, one decision per order, one issue per stock item, heartbeats
// and attempts counted once each. Run calls it too.
func RunConcurrency(t *testing.T, newStore func(t *testing.T) storage.Store) {
	runAll(t, newStore, concurrencyTests, false)
	runAll(t, newStore, idempotencyConcurrencyTests, false)
	runAll(t, newStore, outboxConcurrencyTests, false)
	runAll(t, newStore, orderConcurrencyTests, false)
	runAll(t, newStore, ticketConcurrencyTests, false)
	runAll(t, newStore, accessRequestConcurrencyTests, false)
	runAll(t, newStore, stockConcurrencyTests, false)
	runAll(t, newStore, attemptConcurrencyTests, false)
	runAll(t, newStore, serverKeyConcurrencyTests, false)
	runAll(t, newStore, webhookConcurrencyTests, false)
}

func testPing(t *testing.T, s storage.Store) {
	assert.NoError(t, s.Ping(t.Context()))
}

// testHeartbeat beats again and again, at one time and at later ones, and
// with a context that has ended: that fails, and the next beat does not.
func testHeartbeat(t *testing.T, s storage.Store) {
	at := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		assert.NoError(t, s.Heartbeat(t.Context(), at), "beat %d", i)
		assert.NoError(t, s.Heartbeat(t.Context(), at), "beat %d again at the same time", i)
		at = at.Add(time.Second)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, s.Heartbeat(ctx, at), context.Canceled)
	assert.NoError(t, s.Heartbeat(t.Context(), at), "the store beats again")
}

func testTxCommit(t *testing.T, s storage.Store) {
	c := newCustomer("Acme")
	u := newUser("ann@example.com")
	m := newMembership(u.ID, c.ID)
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		if err := r.Customers().Create(ctx, c); err != nil {
			return err
		}
		if err := r.Users().Create(ctx, u); err != nil {
			return err
		}
		return r.Memberships().Create(ctx, m)
	}))
	gotC, err := getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, gotC)
	gotU, err := getUser(t, s, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u, gotU)
	gotM, err := getMembership(t, s, m.ID)
	require.NoError(t, err)
	assertMembership(t, m, gotM)
}

// createBoth creates a customer and a user in r, the writes the rollback
// tests expect to vanish.
func createBoth(ctx context.Context, r storage.Repos, c customer.Customer, u customer.User) error {
	if err := r.Customers().Create(ctx, c); err != nil {
		return err
	}
	return r.Users().Create(ctx, u)
}

// assertNeither checks that neither c nor u is stored, and that their unique
// keys are free again.
func assertNeither(t *testing.T, s storage.Store, c customer.Customer, u customer.User) {
	t.Helper()
	_, err := getCustomer(t, s, c.ID)
	assertNotFound(t, err, "the customer is rolled back")
	_, err = getUser(t, s, u.ID)
	assertNotFound(t, err, "the user is rolled back")
	_, err = getUserByEmail(t, s, u.Email)
	assertNotFound(t, err, "the user's e-mail is rolled back")
	assert.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return createBoth(ctx, r, c, u)
	}), "the IDs, the e-mail and the external reference are free again")
}

func testTxRollbackOnError(t *testing.T, s storage.Store) {
	c := newCustomer("Acme")
	c.ExternalRef = "ERP-1"
	u := newUser("ann@example.com")
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		if err := createBoth(ctx, r, c, u); err != nil {
			return err
		}
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
	assertNeither(t, s, c, u)
}

func testTxRollbackOnPanic(t *testing.T, s storage.Store) {
	c := newCustomer("Acme")
	c.ExternalRef = "ERP-1"
	u := newUser("ann@example.com")
	type boom struct{ msg string }
	var created error
	recovered := func() (p any) {
		defer func() { p = recover() }()
		_ = write(t, s, func(ctx context.Context, r storage.Repos) error {
			created = createBoth(ctx, r, c, u)
			panic(boom{"in fn"})
		})
		return nil
	}()
	require.NoError(t, created)
	assert.Equal(t, boom{"in fn"}, recovered, "the panic is re-raised unchanged")
	assertNeither(t, s, c, u)
}

// testTxRollbackUndoesEverything fails a transaction after updates, deletes
// and creates on every aggregate: all of it, indexes included, is undone.
func testTxRollbackUndoesEverything(t *testing.T, s storage.Store) {
	c := newCustomer("Acme")
	c.ExternalRef = "ERP-1"
	createCustomer(t, s, c)
	berlin := createSite(t, s, newSite(c.ID, "Berlin"))
	ann := createUser(t, s, newUser("ann@example.com"))
	m := createMembership(t, s, newMembership(ann.ID, c.ID, berlin.ID))

	newCust := newCustomer("Globex")
	hamburg := newSite(c.ID, "Hamburg")
	bob := newUser("bob@example.com")
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		steps := []func() error{
			func() error {
				_, err := r.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
					c.Name, c.ExternalRef = "Acme GmbH", "ERP-2"
					return nil
				})
				return err
			},
			func() error {
				_, err := r.Sites().Update(ctx, berlin.ID, renameSite("Munich"))
				return err
			},
			func() error {
				_, err := r.Users().Update(ctx, ann.ID, func(u *customer.User) error {
					u.Email = "ann@example.net"
					return nil
				})
				return err
			},
			func() error { return r.Memberships().Delete(ctx, m.ID) },
			func() error { return r.Sites().Delete(ctx, berlin.ID) },
			func() error { return r.Customers().Create(ctx, newCust) },
			func() error { return r.Sites().Create(ctx, hamburg) },
			func() error { return r.Users().Create(ctx, bob) },
			func() error { return r.Memberships().Create(ctx, newMembership(bob.ID, c.ID, hamburg.ID)) },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Errorf("step %d: %v", i, err)
				return err
			}
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)

	gotC, err := getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, gotC)
	gotSite, err := getSite(t, s, berlin.ID)
	require.NoError(t, err)
	assert.Equal(t, berlin, gotSite)
	gotU, err := getUser(t, s, ann.ID)
	require.NoError(t, err)
	assert.Equal(t, ann, gotU)
	gotM, err := getMembership(t, s, m.ID)
	require.NoError(t, err)
	assertMembership(t, m, gotM)
	_, err = getCustomer(t, s, newCust.ID)
	assertNotFound(t, err)
	_, err = getSite(t, s, hamburg.ID)
	assertNotFound(t, err)
	_, err = getUser(t, s, bob.ID)
	assertNotFound(t, err)
	assert.Equal(t, sorted(m.ID), membershipIDs(t, s, storage.MembershipFilter{}))

	// The unique keys are as before: the old ones taken, the new ones free.
	dup := newCustomer("Dup")
	dup.ExternalRef = "ERP-1"
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Customers().Create(ctx, dup) }))
	dup.ExternalRef = "ERP-2"
	createCustomer(t, s, dup)
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Sites().Create(ctx, newSite(c.ID, "berlin"))
	}))
	createSite(t, s, newSite(c.ID, "Munich"))
	createSite(t, s, newSite(c.ID, "Hamburg"))
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Users().Create(ctx, newUser("ann@example.com"))
	}))
	createUser(t, s, newUser("ann@example.net"))
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Memberships().Create(ctx, newMembership(ann.ID, c.ID))
	}), "the restored membership holds its user and customer")
	assertConflict(t, deleteSite(t, s, berlin.ID), "the restored membership still names its site")
}

func testTxReadsOwnWrites(t *testing.T, s storage.Store) {
	c := newCustomer("Acme")
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		if err := r.Customers().Create(ctx, c); err != nil {
			return err
		}
		got, err := r.Customers().Get(ctx, c.ID)
		if assert.NoError(t, err) {
			assert.Equal(t, c, got)
		}
		if _, err := r.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
			c.Name = "Acme GmbH"
			return nil
		}); err != nil {
			return err
		}
		l, err := r.Customers().List(ctx, storage.CustomerFilter{Search: "gmbh"}, storage.Page{})
		if assert.NoError(t, err) && assert.Len(t, l.Items, 1) {
			assert.Equal(t, int64(2), l.Items[0].Version)
		}
		return nil
	}))
}

func testReadTx(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID))
	require.NoError(t, read(t, s, func(ctx context.Context, r storage.Repos) error {
		c, err := r.Customers().Get(ctx, fx.customer.ID)
		assert.NoError(t, err)
		assert.Equal(t, fx.customer, c)
		u, err := r.Users().GetByEmail(ctx, fx.ann.Email)
		assert.NoError(t, err)
		assert.Equal(t, fx.ann, u)
		got, err := r.Memberships().Get(ctx, m.ID)
		assert.NoError(t, err)
		assertMembership(t, m, got)
		n, err := r.Memberships().CountActiveAdmins(ctx, fx.customer.ID)
		assert.NoError(t, err)
		assert.Zero(t, n)
		sites, err := r.Sites().List(ctx, storage.SiteFilter{CustomerID: fx.customer.ID}, storage.Page{})
		assert.NoError(t, err)
		assert.Len(t, sites.Items, 2)
		return nil
	}))
	err := read(t, s, func(context.Context, storage.Repos) error { return errBoom })
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
}

// assertReadOnly checks that err wraps storage.ErrReadOnly itself. It is a
// portalerr.Error of code Internal, and those match by code, so errors.Is
// alone would accept any internal error.
func assertReadOnly(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	if assert.ErrorIs(t, err, storage.ErrReadOnly, msgAndArgs...) {
		assert.True(t, wraps(err, storage.ErrReadOnly), "the error wraps storage.ErrReadOnly itself: %v", err)
	}
}

// wraps reports whether target itself is in err's chain.
func wraps(err, target error) bool {
	if err == target {
		return true
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		return wraps(e.Unwrap(), target)
	case interface{ Unwrap() []error }:
		for _, e := range e.Unwrap() {
			if wraps(e, target) {
				return true
			}
		}
	}
	return false
}

func testReadTxRefusesWrites(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID))
	u := newUser("carol@example.com")

	writes := map[string]func(ctx context.Context, r storage.Repos) error{
		"Customers.Create": func(ctx context.Context, r storage.Repos) error {
			return r.Customers().Create(ctx, newCustomer("Globex"))
		},
		"Customers.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Customers().Update(ctx, fx.customer.ID, func(c *customer.Customer) error {
				c.Name = "Changed"
				return nil
			})
			return err
		},
		"Users.Create": func(ctx context.Context, r storage.Repos) error { return r.Users().Create(ctx, u) },
		"Users.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Users().Update(ctx, fx.ann.ID, func(u *customer.User) error {
				u.Name = "Changed"
				return nil
			})
			return err
		},
		"Memberships.Create": func(ctx context.Context, r storage.Repos) error {
			return r.Memberships().Create(ctx, newMembership(fx.bob.ID, fx.customer.ID))
		},
		"Memberships.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Memberships().Update(ctx, m.ID, func(m *customer.Membership) error {
				m.Role = customer.RoleAdmin
				return nil
			})
			return err
		},
		"Memberships.Delete": func(ctx context.Context, r storage.Repos) error { return r.Memberships().Delete(ctx, m.ID) },
		"Sites.Create": func(ctx context.Context, r storage.Repos) error {
			return r.Sites().Create(ctx, newSite(fx.customer.ID, "Hamburg"))
		},
		"Sites.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Sites().Update(ctx, fx.paris.ID, renameSite("Changed"))
			return err
		},
		"Sites.Delete": func(ctx context.Context, r storage.Repos) error { return r.Sites().Delete(ctx, fx.paris.ID) },
	}
	for name, w := range writes {
		var inner error
		err := read(t, s, func(ctx context.Context, r storage.Repos) error {
			inner = w(ctx, r)
			return inner
		})
		assertReadOnly(t, inner, name)
		assert.ErrorIs(t, err, storage.ErrReadOnly, "%s: ReadTx returns fn's error", name)
	}

	// Nothing changed.
	c, err := getCustomer(t, s, fx.customer.ID)
	require.NoError(t, err)
	assert.Equal(t, fx.customer, c)
	gotU, err := getUser(t, s, fx.ann.ID)
	require.NoError(t, err)
	assert.Equal(t, fx.ann, gotU)
	_, err = getUser(t, s, u.ID)
	assertNotFound(t, err)
	gotM, err := getMembership(t, s, m.ID)
	require.NoError(t, err)
	assertMembership(t, m, gotM)
	assert.Equal(t, sorted(m.ID), membershipIDs(t, s, storage.MembershipFilter{}))
	assert.Equal(t, sorted(fx.berlin.ID, fx.paris.ID), siteIDs(t, s, storage.SiteFilter{CustomerID: fx.customer.ID}))
	gotSite, err := getSite(t, s, fx.paris.ID)
	require.NoError(t, err)
	assert.Equal(t, fx.paris, gotSite)
	assert.Equal(t, 1, len(customerIDs(t, s, storage.CustomerFilter{})))
}

func testTxCanceledContext(t *testing.T, s storage.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := newCustomer("Acme")
	err := s.InTx(ctx, func(r storage.Repos) error { return r.Customers().Create(ctx, c) })
	assert.ErrorIs(t, err, context.Canceled, "InTx")
	_, err = getCustomer(t, s, c.ID)
	assertNotFound(t, err, "nothing is written")

	err = s.ReadTx(ctx, func(r storage.Repos) error {
		_, err := r.Customers().Get(ctx, c.ID)
		return err
	})
	assert.ErrorIs(t, err, context.Canceled, "ReadTx")
}

// testNoLostUpdates has 50 goroutines increment one counter through Update:
// every increment survives.
func testNoLostUpdates(t *testing.T, s storage.Store) {
	const n = 50
	c := newCustomer("0")
	createCustomer(t, s, c)

	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for range n {
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				_, err := r.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
					i, err := strconv.Atoi(c.Name)
					if err != nil {
						return err
					}
					c.Name = strconv.Itoa(i + 1)
					return nil
				})
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}

	got, err := getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(n), got.Name, "every increment is kept")
	assert.Equal(t, int64(n+1), got.Version, "every Update adds one to Version")
}

// testHeartbeatsConcurrently has 20 goroutines beat at once, as replicas
// probing one database for readiness do: every beat succeeds (a backend
// whose writers collide on the heartbeat runs them again).
func testHeartbeatsConcurrently(t *testing.T, s storage.Store) {
	const n = 20
	at := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.Heartbeat(t.Context(), at.Add(time.Duration(i)*time.Millisecond)) })
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "beat %d", i)
	}
}

// testUniqueUnderContention has 20 goroutines create customers with the same
// external reference at once: exactly one wins.
func testUniqueUnderContention(t *testing.T, s storage.Store) {
	const n = 20
	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for i := range n {
		c := newCustomer("Acme " + strconv.Itoa(i))
		c.ExternalRef = "ERP-1"
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error { return r.Customers().Create(ctx, c) })
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
		assertAlreadyExists(t, err)
	}
	assert.Equal(t, 1, won, "exactly one create wins")
	assert.Len(t, customerIDs(t, s, storage.CustomerFilter{Search: "ERP-1"}), 1)
}

// testReadTxSnapshot has writers change two customers together while
// readers read both in one ReadTx: a reader never sees one changed and the
// other not.
func testReadTxSnapshot(t *testing.T, s storage.Store) {
	const writers, updates, readers, reads = 4, 10, 4, 25
	a := createCustomer(t, s, newCustomer("0"))
	b := createCustomer(t, s, newCustomer("0"))
	bump := func(c *customer.Customer) error {
		i, err := strconv.Atoi(c.Name)
		if err != nil {
			return err
		}
		c.Name = strconv.Itoa(i + 1)
		c.UpdatedAt = c.UpdatedAt.Add(time.Second)
		return nil
	}

	var mu sync.Mutex
	var failures []error
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, err)
	}
	ctx := t.Context()
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range updates {
				err := s.InTx(ctx, func(r storage.Repos) error {
					if _, err := r.Customers().Update(ctx, a.ID, bump); err != nil {
						return err
					}
					_, err := r.Customers().Update(ctx, b.ID, bump)
					return err
				})
				if err != nil {
					fail(err)
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range reads {
				err := s.ReadTx(ctx, func(r storage.Repos) error {
					ca, err := r.Customers().Get(ctx, a.ID)
					if err != nil {
						return err
					}
					cb, err := r.Customers().Get(ctx, b.ID)
					if err != nil {
						return err
					}
					if ca.Name != cb.Name || ca.Version != cb.Version {
						return errors.New("ReadTx saw " + ca.Name + " and " + cb.Name + ": not one snapshot")
					}
					return nil
				})
				if err != nil {
					fail(err)
				}
			}
		})
	}
	wg.Wait()
	assert.Empty(t, failures)

	got, err := getCustomer(t, s, a.ID)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(writers*updates), got.Name)
}

// signInState is one of each sign-in aggregate, stored: what the rollback
// and read-only tests try to change.
type signInState struct {
	fx      linkFixture
	inv     invite.Invitation
	login   invite.LoginLink
	link    invite.AccessLink
	session identity.Session
	key     identity.APIKey
	pw      identity.Password
	event   audit.Event
}

func newSignInState(t *testing.T, s storage.Store) signInState {
	t.Helper()
	fx := newLinkFixture(t, s)
	st := signInState{
		fx:      fx,
		inv:     createInvitation(t, s, newInvitation(fx.customer.ID, "carol@example.com")),
		login:   createLoginLink(t, s, newLoginLink(fx.ann.ID)),
		link:    createAccessLink(t, s, newAccessLink(fx.annM)),
		session: createSession(t, s, newSession(fx.annM)),
		key:     createAPIKey(t, s, newAPIKey("ERP")),
		pw:      newPassword(fx.ann.ID),
		event:   appendEvent(t, s, newEvent(fx.customer.ID, "obj_1", "thing.done")),
	}
	require.NoError(t, putPassword(t, s, st.pw))
	return st
}

// assertUnchanged checks that st is stored as it was created and that no
// token hash in fresh finds anything.
func (st signInState) assertUnchanged(t *testing.T, s storage.Store, fresh ...invite.Hash) {
	t.Helper()
	inv, err := getInvitationByToken(t, s, st.inv.TokenHash)
	if assert.NoError(t, err, "invitation") {
		assertInvitation(t, st.inv, inv, "invitation")
	}
	link, err := getAccessLinkByToken(t, s, st.link.TokenHash)
	if assert.NoError(t, err, "access link") {
		assert.Equal(t, st.link, link, "access link")
	}
	sn, err := getSession(t, s, st.session.TokenHash)
	if assert.NoError(t, err, "session") {
		assert.Equal(t, st.session, sn, "session")
	}
	m, err := getMembership(t, s, st.fx.annM.ID)
	if assert.NoError(t, err, "membership") {
		assertMembership(t, st.fx.annM, m, "membership")
	}
	k, err := getAPIKeyByToken(t, s, st.key.TokenHash)
	if assert.NoError(t, err, "API key") {
		assert.Equal(t, st.key, k, "API key")
	}
	pw, err := getPassword(t, s, st.fx.ann.ID)
	if assert.NoError(t, err, "password") {
		assert.Equal(t, st.pw, pw, "password")
	}
	_, err = getPassword(t, s, st.fx.bob.ID)
	assertNotFound(t, err, "bob has no password")
	assert.Equal(t, sorted(st.inv.ID), invitationIDs(t, s, storage.InvitationFilter{}), "invitations")
	assert.Equal(t, sorted(st.link.ID), accessLinkIDs(t, s, storage.AccessLinkFilter{}), "access links")
	assert.Equal(t, sorted(st.session.ID), sessionIDs(t, s, storage.SessionFilter{}), "sessions")
	assert.Equal(t, sorted(st.key.ID), apiKeyIDs(t, s), "API keys")
	assert.Equal(t, sorted(st.event.ID), eventIDs(t, s, storage.AuditFilter{}), "audit events")
	for _, h := range fresh {
		_, err := getInvitationByToken(t, s, h)
		assertNotFound(t, err, "a new invitation token")
		_, err = getAccessLinkByToken(t, s, h)
		assertNotFound(t, err, "a new access link token")
		_, err = getSession(t, s, string(h))
		assertNotFound(t, err, "a new session token")
	}
	// Last, as it changes the state: the login link is still unused.
	_, err = consumeLoginLink(t, s, st.login.TokenHash, at(time.Minute))
	assert.NoError(t, err, "the login link is unused")
}

// testTxRollbackUndoesSignInState fails a transaction after creates,
// updates, conditional writes and deletes on every sign-in aggregate, and a
// membership delete that cascades: all of it, token indexes included, is
// undone.
func testTxRollbackUndoesSignInState(t *testing.T, s storage.Store) {
	st := newSignInState(t, s)
	fx := st.fx
	hInv, hLink, hSession := newHash(), newHash(), newHash()
	inv2 := newInvitation(fx.customer.ID, "dave@example.com")
	login2 := newLoginLink(fx.bob.ID)
	link2 := newAccessLink(fx.bobM)
	session2 := newSession(fx.bobM)
	key2 := newAPIKey("CRM")
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		steps := []func() error{
			func() error { return r.Invitations().Create(ctx, inv2) },
			func() error { // before Update, so that its undo cannot hide a missing one
				_, err := r.Invitations().MarkAccepted(ctx, st.inv.ID, fx.ann.ID, at(time.Minute))
				return err
			},
			func() error {
				_, err := r.Invitations().Update(ctx, st.inv.ID, func(i *invite.Invitation) error {
					i.TokenHash, i.SentCount = hInv, 2
					return nil
				})
				return err
			},
			func() error { return r.LoginLinks().Create(ctx, login2) },
			func() error {
				_, err := r.LoginLinks().Consume(ctx, st.login.TokenHash, at(time.Minute))
				return err
			},
			func() error { return r.LoginLinks().Supersede(ctx, fx.bob.ID, at(time.Minute)) },
			func() error {
				_, err := r.LoginLinks().DeleteExpired(ctx, at(365*24*time.Hour))
				return err
			},
			func() error { return r.AccessLinks().Create(ctx, link2) },
			func() error {
				_, err := r.AccessLinks().Update(ctx, st.link.ID, func(l *invite.AccessLink) error {
					l.TokenHash, l.ReadOnly = hLink, true
					return nil
				})
				return err
			},
			func() error { return r.Sessions().Create(ctx, session2) },
			func() error {
				_, err := r.Sessions().Update(ctx, st.session.ID, func(sn *identity.Session) error {
					sn.TokenHash, sn.LastSeenAt = string(hSession), at(time.Hour)
					return nil
				})
				return err
			},
			func() error {
				_, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{UserID: fx.bob.ID})
				return err
			},
			func() error {
				_, err := r.Sessions().DeleteExpired(ctx, at(365*24*time.Hour), at(365*24*time.Hour))
				return err
			},
			func() error { return r.Memberships().Delete(ctx, fx.annM.ID) }, // cascades to the access link
			func() error { return r.APIKeys().Create(ctx, key2) },
			func() error {
				_, err := r.APIKeys().Update(ctx, st.key.ID, func(k *identity.APIKey) error {
					k.RevokedAt = at(time.Hour)
					return nil
				})
				return err
			},
			func() error {
				p := st.pw
				p.FailedAttempts, p.LockedUntil = 5, at(time.Hour)
				return r.Passwords().Put(ctx, p)
			},
			func() error { return r.Passwords().Put(ctx, newPassword(fx.bob.ID)) },
			func() error { return r.Audit().Append(ctx, newEvent(fx.customer.ID, "obj_2", "thing.undone")) },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Errorf("step %d: %v", i, err)
				return err
			}
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	st.assertUnchanged(t, s, hInv, hLink, hSession)

	// The new rows' IDs and token hashes are free again.
	createInvitation(t, s, inv2)
	createLoginLink(t, s, login2)
	createAccessLink(t, s, link2)
	createSession(t, s, session2)
	createAPIKey(t, s, key2)
}

func testReadTxRefusesSignInWrites(t *testing.T, s storage.Store) {
	st := newSignInState(t, s)
	fx := st.fx
	writes := map[string]func(ctx context.Context, r storage.Repos) error{
		"Invitations.Create": func(ctx context.Context, r storage.Repos) error {
			return r.Invitations().Create(ctx, newInvitationFor(fx.customer.ID))
		},
		"Invitations.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Invitations().Update(ctx, st.inv.ID, func(i *invite.Invitation) error {
				i.RevokedAt = at(time.Hour)
				return nil
			})
			return err
		},
		"Invitations.MarkAccepted": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Invitations().MarkAccepted(ctx, st.inv.ID, fx.ann.ID, at(time.Minute))
			return err
		},
		"LoginLinks.Create": func(ctx context.Context, r storage.Repos) error {
			return r.LoginLinks().Create(ctx, newLoginLink(fx.bob.ID))
		},
		"LoginLinks.Consume": func(ctx context.Context, r storage.Repos) error {
			_, err := r.LoginLinks().Consume(ctx, st.login.TokenHash, at(time.Minute))
			return err
		},
		"LoginLinks.Supersede": func(ctx context.Context, r storage.Repos) error {
			return r.LoginLinks().Supersede(ctx, fx.ann.ID, at(time.Minute))
		},
		"LoginLinks.DeleteExpired": func(ctx context.Context, r storage.Repos) error {
			_, err := r.LoginLinks().DeleteExpired(ctx, at(365*24*time.Hour))
			return err
		},
		"AccessLinks.Create": func(ctx context.Context, r storage.Repos) error {
			return r.AccessLinks().Create(ctx, newAccessLink(fx.bobM))
		},
		"AccessLinks.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.AccessLinks().Update(ctx, st.link.ID, func(l *invite.AccessLink) error {
				l.ReadOnly = true
				return nil
			})
			return err
		},
		"Sessions.Create": func(ctx context.Context, r storage.Repos) error {
			return r.Sessions().Create(ctx, newSession(fx.bobM))
		},
		"Sessions.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Sessions().Update(ctx, st.session.ID, func(sn *identity.Session) error {
				sn.LastSeenAt = at(time.Hour)
				return nil
			})
			return err
		},
		"Sessions.Delete": func(ctx context.Context, r storage.Repos) error { return r.Sessions().Delete(ctx, st.session.ID) },
		"Sessions.DeleteMatching": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{UserID: fx.ann.ID})
			return err
		},
		"Sessions.DeleteExpired": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Sessions().DeleteExpired(ctx, at(365*24*time.Hour), at(365*24*time.Hour))
			return err
		},
		"APIKeys.Create": func(ctx context.Context, r storage.Repos) error { return r.APIKeys().Create(ctx, newAPIKey("CRM")) },
		"APIKeys.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.APIKeys().Update(ctx, st.key.ID, func(k *identity.APIKey) error {
				k.RevokedAt = at(time.Hour)
				return nil
			})
			return err
		},
		"Passwords.Put": func(ctx context.Context, r storage.Repos) error {
			return r.Passwords().Put(ctx, newPassword(fx.bob.ID))
		},
		"Audit.Append": func(ctx context.Context, r storage.Repos) error {
			return r.Audit().Append(ctx, newEvent(fx.customer.ID, "obj_2", "thing.done"))
		},
	}
	for name, w := range writes {
		var inner error
		err := read(t, s, func(ctx context.Context, r storage.Repos) error {
			inner = w(ctx, r)
			return inner
		})
		assertReadOnly(t, inner, name)
		assert.ErrorIs(t, err, storage.ErrReadOnly, "%s: ReadTx returns fn's error", name)
	}
	st.assertUnchanged(t, s)
}

// testInvitationAcceptedOnce has 50 goroutines accept one invitation at
// once, each in its own transaction: exactly one succeeds.
func testInvitationAcceptedOnce(t *testing.T, s storage.Store) {
	const n = 50
	fx := newMemberFixture(t, s)
	inv := createInvitation(t, s, newInvitation(fx.customer.ID, fx.ann.Email))

	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for i := range n {
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				_, err := r.Invitations().MarkAccepted(ctx, inv.ID, fx.ann.ID, at(time.Duration(i+1)*time.Second))
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
	assert.Equal(t, 1, won, "exactly one acceptance wins")
	got, err := getInvitation(t, s, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, inv.Version+1, got.Version, "written once")
	assert.False(t, got.AcceptedAt.IsZero())
}

// testLoginLinkConsumedOnce has 50 goroutines consume one login link at
// once: exactly one signs in.
func testLoginLinkConsumedOnce(t *testing.T, s storage.Store) {
	const n = 50
	ann := createUser(t, s, newUser("ann@example.com"))
	l := createLoginLink(t, s, newLoginLink(ann.ID))

	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for range n {
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				_, err := r.LoginLinks().Consume(ctx, l.TokenHash, at(time.Minute))
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
		assertNotFound(t, err)
	}
	assert.Equal(t, 1, won, "exactly one consumer wins")
}

// testCheckThenWriteSerialized has every admin of a customer step down at
// once, each in a transaction that counts the active admins first and
// refuses to demote the last: portal's "a customer keeps an active admin".
// InTx is serializable, so the outcome is that of running the transactions
// one at a time: all but one step down, and one admin is left. Where two
// transactions could both count the same admins and both write (READ
// COMMITTED), several would step down "because another admin is left" and
// leave none.
func testCheckThenWriteSerialized(t *testing.T, s storage.Store) {
	const n = 8
	c := createCustomer(t, s, newCustomer("Acme"))
	admins := make([]customer.Membership, n)
	for i := range admins {
		u := createUser(t, s, newUser("admin"+strconv.Itoa(i)+"@example.com"))
		m := newMembership(u.ID, c.ID)
		m.Role = customer.RoleAdmin
		admins[i] = createMembership(t, s, m)
	}

	errLast := errors.New("storagetest: the last active admin stays")
	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for _, m := range admins {
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				left, err := r.Memberships().CountActiveAdmins(ctx, c.ID)
				if err != nil {
					return err
				}
				if left <= 1 {
					return errLast
				}
				_, err = r.Memberships().Update(ctx, m.ID, func(m *customer.Membership) error {
					m.Role = customer.RoleMaintainer
					return nil
				})
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	demoted, refused := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			demoted++
		case errors.Is(err, errLast):
			refused++
		default:
			assert.NoError(t, err)
		}
	}
	assert.Equal(t, n-1, demoted, "all but one step down")
	assert.Equal(t, 1, refused, "the last admin is refused")
	left, err := get(t, s, func(ctx context.Context, r storage.Repos) (int, error) {
		return r.Memberships().CountActiveAdmins(ctx, c.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, 1, left, "one active admin is left")
}
