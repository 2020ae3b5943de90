package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
)

func openStore(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// openMigrated is openStore on a copy of the database OpenTemp copies,
// written to path: for tests of a file store that do not test migrating,
// which TestReopenKeepsDataAndSkipsMigrations and TestMigration* do.
func openMigrated(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	require.NoError(t, sqlite.WriteTemplate(context.Background(), path))
	return openStore(t, path)
}

var t0 = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)

func newCustomer(id, name string) customer.Customer {
	return customer.Customer{
		ID: customer.ID(id), Name: name, ContactEmail: name + "@example.com",
		Address: customer.Address{Line1: "Main St 1", City: "Berlin", Country: "DE"},
		Status:  customer.StatusActive, Features: customer.DefaultFeatures(),
		Version: 1, CreatedAt: t0, UpdatedAt: t0,
	}
}

func TestReopenKeepsDataAndSkipsMigrations(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "portal.db")
	// The database OpenTemp copies is what Open left on a new file: a
	// copy of it stands for one (the TestMigration tests migrate too).
	require.NoError(t, sqlite.WriteTemplate(ctx, path))
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	c := newCustomer("cus_1", "Acme")
	c.ExternalRef = "ERP-1"
	require.NoError(t, s.InTx(ctx, func(r storage.Repos) error { return r.Customers().Create(ctx, c) }))
	require.NoError(t, s.Close())

	s2 := openStore(t, "file:"+path+"?mode=rw")
	err = s2.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.Customers().Get(ctx, "cus_1")
		require.NoError(t, err)
		assert.Equal(t, c, got)
		return nil
	})
	require.NoError(t, err)

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	files, err := filepath.Glob("migrations/*.sql")
	require.NoError(t, err)
	var applied int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied))
	assert.Equal(t, len(files), applied, "each migration is recorded once")
	var mode string
	require.NoError(t, db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)
}

func TestConcurrentInTxNeverBusy(t *testing.T) {
	ctx := t.Context()
	s := openMigrated(t, filepath.Join(t.TempDir(), "portal.db"))
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				return r.Customers().Create(ctx, newCustomer(fmt.Sprintf("cus_%02d", i), fmt.Sprintf("c%d", i)))
			})
		})
		// Readers at the same time must neither block the writers nor see BUSY.
		wg.Go(func() {
			errs <- s.ReadTx(ctx, func(r storage.Repos) error {
				_, err := r.Customers().List(ctx, storage.CustomerFilter{}, storage.Page{})
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	err := s.ReadTx(ctx, func(r storage.Repos) error {
		l, err := r.Customers().List(ctx, storage.CustomerFilter{}, storage.Page{Limit: 100})
		assert.Len(t, l.Items, n)
		return err
	})
	require.NoError(t, err)
}

func TestOpenRefusesMemory(t *testing.T) {
	for _, dsn := range []string{":memory:", "", "file::memory:", "file:x?mode=memory&cache=shared"} {
		_, err := sqlite.Open(t.Context(), dsn)
		assert.Error(t, err, dsn)
	}
}

// TestEmptyIDSetMatchesNothing pins a choice the contract leaves open: a
// nil IDs filter does not filter, a non-nil empty one (a view scoped to no
// customers or sites) matches nothing rather than everything.
func TestEmptyIDSetMatchesNothing(t *testing.T) {
	ctx := t.Context()
	s := openMigrated(t, filepath.Join(t.TempDir(), "portal.db"))
	c := newCustomer("cus_1", "Acme")
	site := customer.Site{ID: "sit_1", CustomerID: c.ID, Name: "Plant", Version: 1, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, s.InTx(ctx, func(r storage.Repos) error {
		require.NoError(t, r.Customers().Create(ctx, c))
		return r.Sites().Create(ctx, site)
	}))
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		cl, err := r.Customers().List(ctx, storage.CustomerFilter{IDs: []customer.ID{}}, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, cl.Items)
		sl, err := r.Sites().List(ctx, storage.SiteFilter{CustomerID: c.ID, IDs: []customer.SiteID{}}, storage.Page{})
		require.NoError(t, err)
		assert.Empty(t, sl.Items)
		sl, err = r.Sites().List(ctx, storage.SiteFilter{CustomerID: c.ID}, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, sl.Items, 1)
		return nil
	}))
}

// TestInTxBeginsImmediate shows that InTx takes the write lock at BEGIN: a
// second store on the same file (another process, say) cannot even start a
// read-only InTx while the first one runs, but its ReadTx can.
func TestInTxBeginsImmediate(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "portal.db")
	a := openMigrated(t, path)
	b, err := sqlite.Open(ctx, path, sqlite.WithBusyTimeout(50*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	err = a.InTx(ctx, func(storage.Repos) error {
		err := b.InTx(ctx, func(r storage.Repos) error {
			_, err := r.Customers().Get(ctx, "cus_1")
			return err
		})
		var serr *msqlite.Error
		if assert.ErrorAs(t, err, &serr, "the other writer waits for the lock at BEGIN") {
			assert.Equal(t, sqlite3.SQLITE_BUSY, serr.Code()&0xff)
		}
		assert.NoError(t, b.ReadTx(ctx, func(r storage.Repos) error {
			_, err := r.Customers().List(ctx, storage.CustomerFilter{}, storage.Page{})
			return err
		}))
		return nil
	})
	require.NoError(t, err)
}

// TestUnsetTimesAreNull shows the storage of optional times: a zero
// time.Time is NULL in the row (so "IS NULL" conditions such as the
// single-use checks see it), and a set one is fixed-width UTC text.
func TestUnsetTimesAreNull(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "portal.db")
	s := openMigrated(t, path)
	revoked := time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	keys := []identity.APIKey{
		{ID: "key_1", Name: "ERP", Role: identity.StaffAdmin, TokenHash: "h1", CreatedBy: "bootstrap", CreatedAt: t0},
		{ID: "key_2", Name: "old", Role: identity.StaffAdmin, TokenHash: "h2", CreatedBy: "bootstrap", CreatedAt: t0, RevokedAt: revoked},
	}
	require.NoError(t, s.InTx(ctx, func(r storage.Repos) error {
		for _, k := range keys {
			require.NoError(t, r.APIKeys().Create(ctx, k))
		}
		return nil
	}))

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var revokedAt, lastUsed sql.NullString
	require.NoError(t, db.QueryRow(`SELECT revoked_at, last_used_at FROM api_keys WHERE id = 'key_1'`).Scan(&revokedAt, &lastUsed))
	assert.False(t, revokedAt.Valid, "unset RevokedAt is NULL")
	assert.False(t, lastUsed.Valid, "unset LastUsedAt is NULL")
	require.NoError(t, db.QueryRow(`SELECT revoked_at FROM api_keys WHERE id = 'key_2'`).Scan(&revokedAt))
	assert.Equal(t, "2026-03-02T09:00:00.000000Z", revokedAt.String)

	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.APIKeys().Get(ctx, "key_1")
		require.NoError(t, err)
		assert.True(t, got.RevokedAt.IsZero())
		assert.True(t, got.LastUsedAt.IsZero())
		return nil
	}))
}

// TestMigrationKeepsTheClaimOfMessagesInHand upgrades a database that has
// a message in a worker's hand, claimed under the old schema, whose
// attempts fenced the bookkeeping: the worker settles it with the number
// it holds, and a stale one cannot.
func TestMigrationKeepsTheClaimOfMessagesInHand(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "portal.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 6) // before outbox claims
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO outbox (id, kind, recipient, payload, status, attempts, next_attempt_at,
		claimed_until, last_error, created_at, updated_at) VALUES
		('out_1', 'invitation', 'ada@example.com', X'7B7D', 'sending', 3, '2026-03-01T09:00:00.000000Z',
		 '2026-03-01T09:10:00.000000Z', '', '2026-03-01T08:00:00.000000Z', '2026-03-01T09:00:00.000000Z')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s := openStore(t, path)
	at := time.Date(2026, 3, 1, 9, 1, 0, 0, time.UTC)
	err = s.InTx(ctx, func(r storage.Repos) error {
		m, err := r.Outbox().Get(ctx, "out_1")
		require.NoError(t, err)
		assert.Equal(t, 3, m.Attempts)
		assert.Equal(t, 3, m.Claims, "the claim in hand keeps its number")
		_, err = r.Outbox().MarkSent(ctx, "out_1", 2, at)
		assert.ErrorIs(t, err, storage.ErrConflict, "a stale claim settles nothing")
		_, err = r.Outbox().MarkSent(ctx, "out_1", 3, at)
		return err
	})
	require.NoError(t, err, "the worker holding the claim settles it")
}

// Backup copies a database as it is; OpenTempFrom opens a copy of that,
// whose changes leave the original alone.
func TestBackupAndOpenTempFrom(t *testing.T) {
	ctx := t.Context()
	src := openMigrated(t, filepath.Join(t.TempDir(), "src.db"))
	require.NoError(t, src.InTx(ctx, func(r storage.Repos) error {
		return r.Customers().Create(ctx, newCustomer("cus_1", "acme"))
	}))
	backup := filepath.Join(t.TempDir(), "backup.db")
	require.NoError(t, sqlite.Backup(ctx, src, backup))
	assert.Error(t, sqlite.Backup(ctx, src, backup), "the target must not exist")

	for range 2 {
		c, err := sqlite.OpenTempFrom(ctx, backup)
		require.NoError(t, err)
		require.NoError(t, c.InTx(ctx, func(r storage.Repos) error {
			got, err := r.Customers().Get(ctx, "cus_1")
			require.NoError(t, err)
			assert.Equal(t, "acme", got.Name)
			return r.Customers().Create(ctx, newCustomer("cus_2", "globex"))
		}))
		require.NoError(t, c.Close())
	}
	err := src.ReadTx(ctx, func(r storage.Repos) error {
		_, err := r.Customers().Get(ctx, "cus_2")
		return err
	})
	assert.ErrorIs(t, err, storage.ErrNotFound, "copies are copies")
}

// TestMigrationMarksWebhookSecretsInClear upgrades a database whose
// endpoints hold their signing secrets in clear: migration 00090 marks
// them "plain:" (the portal seals them on its first delivery pass) and
// leaves an empty previous secret empty.
func TestMigrationMarksWebhookSecretsInClear(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "portal.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 80) // webhooks, secrets in clear
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO webhook_endpoints (id, url, description, event_types, customer_id, enabled,
		disabled_reason, secret, previous_secret, previous_until, failing_since, version, created_at, updated_at) VALUES
		('wep_1', 'https://erp.example/hooks', '', '["order.submitted"]', NULL, 1, '', 'whsec_new', 'whsec_old',
		 '2026-03-01T10:00:00.000000Z', NULL, 1, '2026-03-01T08:00:00.000000Z', '2026-03-01T08:00:00.000000Z'),
		('wep_2', 'https://erp.example/other', '', '["order.submitted"]', NULL, 1, '', 'whsec_only', '',
		 NULL, NULL, 1, '2026-03-01T08:00:00.000000Z', '2026-03-01T08:00:00.000000Z')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s := openStore(t, path)
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		e, err := r.Webhooks().Endpoint(ctx, "wep_1")
		require.NoError(t, err)
		assert.Equal(t, "plain:whsec_new", e.Secret)
		assert.Equal(t, "plain:whsec_old", e.PreviousSecret)
		e, err = r.Webhooks().Endpoint(ctx, "wep_2")
		require.NoError(t, err)
		assert.Equal(t, "plain:whsec_only", e.Secret)
		assert.Empty(t, e.PreviousSecret)
		return nil
	}))
}
