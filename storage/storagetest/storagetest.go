package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

// Run runs the whole conformance suite against the stores newStore returns,
// a fresh one for every subtest.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	run(t, newStore, false)
}

// RunParallel is Run with the subtests of each group run in parallel (the
// concurrency tests stay one at a time, as they start goroutines of their
// own): for a backend whose newStore may be called from several goroutines
// at once and whose stores share nothing, as storage/sqlite's temporary
// stores and storage/postgres's test schemas do.
func RunParallel(t *testing.T, newStore func(t *testing.T) storage.Store) {
	run(t, newStore, true)
}

func run(t *testing.T, newStore func(t *testing.T) storage.Store, parallel bool) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Customers", customerTests},
		{"Users", userTests},
		{"Memberships", membershipTests},
		{"Sites", siteTests},
		{"Invitations", invitationTests},
		{"LoginLinks", loginLinkTests},
		{"AccessLinks", accessLinkTests},
		{"Sessions", sessionTests},
		{"APIKeys", apiKeyTests},
		{"Staff", staffTests},
		{"Passwords", passwordTests},
		{"Audit", auditTests},
		{"Idempotency", idempotencyTests},
		{"Products", productTests},
		{"Offers", offerTests},
		{"Orders", orderTests},
		{"Tickets", ticketTests},
		{"Stock", stockTests},
		{"Outbox", outboxTests},
		{"MailTemplates", mailTemplateTests},
		{"Attempts", attemptTests},
		{"ServerKeys", serverKeyTests},
		{"News", newsTests},
		{"Org", orgTests},
		{"FieldWork", fieldworkTests},
		{"Records", recordTests},
		{"Webhooks", webhookTests},
		{"AccessRequests", accessRequestTests},
		{"Contacts", contactTests},
		{"PasswordResets", passwordResetTests},
		{"SSO", ssoTests},
		{"Impersonations", impersonationTests},
		{"Paging", pageTests},
		{"Tx", txTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { runAll(t, newStore, g.tests, parallel) })
	}
	t.Run("Concurrency", func(t *testing.T) { RunConcurrency(t, newStore) })
}

// test is one subtest; it gets a fresh store.
type test struct {
	name string
	run  func(t *testing.T, s storage.Store)
}

func runAll(t *testing.T, newStore func(t *testing.T) storage.Store, tests []test, parallel bool) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			s := newStore(t)
			require.NotNil(t, s, "newStore returned nil")
			tt.run(t, s)
		})
	}
}

// base is the time every fixture starts from: microsecond precision in UTC,
// which is what portal stores, so values round-trip exactly.
var base = time.Date(2025, time.March, 14, 9, 26, 53, 589793000, time.UTC)

// at returns base moved by d.
func at(d time.Duration) time.Time { return base.Add(d) }

// errBoom is what fn returns to make an Update or a transaction fail.
var errBoom = errors.New("storagetest: boom")

func newID(prefix string) string { return prefix + uuid.Must(uuid.NewV7()).String() }

func newCustomerID() customer.ID             { return customer.ID(newID("cus_")) }
func newUserID() customer.UserID             { return customer.UserID(newID("usr_")) }
func newMembershipID() customer.MembershipID { return customer.MembershipID(newID("mem_")) }
func newSiteID() customer.SiteID             { return customer.SiteID(newID("sit_")) }

// write runs fn in InTx with the test's context.
func write(t *testing.T, s storage.Store, fn func(ctx context.Context, r storage.Repos) error) error {
	t.Helper()
	ctx := t.Context()
	return s.InTx(ctx, func(r storage.Repos) error { return fn(ctx, r) })
}

// read runs fn in ReadTx with the test's context.
func read(t *testing.T, s storage.Store, fn func(ctx context.Context, r storage.Repos) error) error {
	t.Helper()
	ctx := t.Context()
	return s.ReadTx(ctx, func(r storage.Repos) error { return fn(ctx, r) })
}

// get reads one value in its own ReadTx.
func get[T any](t *testing.T, s storage.Store, fn func(ctx context.Context, r storage.Repos) (T, error)) (T, error) {
	t.Helper()
	var v T
	err := read(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		v, err = fn(ctx, r)
		return err
	})
	return v, err
}

// assertUTC checks that got is the instant want in UTC.
func assertUTC(t *testing.T, want, got time.Time, field string) {
	t.Helper()
	assert.Truef(t, want.Equal(got), "%s: got %s, want %s", field, got, want)
	assert.Equalf(t, time.UTC, got.Location(), "%s: location", field)
}

// assertNotFound, assertAlreadyExists and assertConflict check err against
// the storage sentinels.
func assertNotFound(t *testing.T, err error, msgAndArgs ...any) bool {
	t.Helper()
	return assert.ErrorIs(t, err, storage.ErrNotFound, msgAndArgs...)
}

func assertAlreadyExists(t *testing.T, err error, msgAndArgs ...any) bool {
	t.Helper()
	return assert.ErrorIs(t, err, storage.ErrAlreadyExists, msgAndArgs...)
}

func assertConflict(t *testing.T, err error, msgAndArgs ...any) bool {
	t.Helper()
	return assert.ErrorIs(t, err, storage.ErrConflict, msgAndArgs...)
}

// collect pages through a list with the given limit and returns the IDs in
// the order seen, failing if the list does not end within maxPages.
func collect(t *testing.T, limit, maxPages int, list func(p storage.Page) ([]string, string, error)) []string {
	t.Helper()
	var ids []string
	p := storage.Page{Limit: limit}
	for range maxPages {
		page, next, err := list(p)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page), limit)
		ids = append(ids, page...)
		if next == "" {
			return ids
		}
		require.NotEmpty(t, page, "a page with a NextCursor must not be empty")
		p.Cursor = next
	}
	require.FailNow(t, "list did not end", "after %d pages", maxPages)
	return nil
}

// idsOf returns the IDs of a list's items, as strings.
func idsOf[T any, ID ~string](items []T, id func(T) ID) []string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = string(id(v))
	}
	return out
}
