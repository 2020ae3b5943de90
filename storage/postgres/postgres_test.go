package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for goose
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

var t0 = time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)

func newCustomer(id, name string) customer.Customer {
	return customer.Customer{
		ID: customer.ID(id), Name: name, ContactEmail: name + "@example.com",
		Address: customer.Address{Line1: "Main St 1", City: "Berlin", Country: "DE"},
		Status:  customer.StatusActive, Features: customer.DefaultFeatures(),
		Version: 1, CreatedAt: t0, UpdatedAt: t0,
	}
}

// openStore opens a Store on the database at url, closed when t ends.
func openStore(t testing.TB, url string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// connect opens a plain connection to the database at url, for looking at
// what the store wrote or seeding it in bulk.
func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// migrationFiles counts the embedded migrations, as the repository holds them.
func migrationFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	require.NoError(t, err)
	return len(entries)
}

// TestOpenMigratesOnce opens stores on one new schema from several
// goroutines at once, as replicas starting together do: each Open
// succeeds, and each migration is applied once, under the advisory lock.
// Opening again later applies nothing and keeps the data.
func TestOpenMigratesOnce(t *testing.T) {
	ctx := t.Context()
	url := postgrestest.URL(t)
	const replicas = 3
	stores := make([]*postgres.Store, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(ctx, url) })
	}
	wg.Wait()
	for i := range replicas {
		require.NoError(t, errs[i], "replica %d", i)
		t.Cleanup(func() { _ = stores[i].Close() })
	}

	c := newCustomer("cus_1", "Acme")
	c.ExternalRef = "ERP-1"
	require.NoError(t, stores[0].InTx(ctx, func(r storage.Repos) error { return r.Customers().Create(ctx, c) }))
	again := openStore(t, url)
	require.NoError(t, again.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.Customers().Get(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, got)
		return nil
	}))

	var applied int
	conn := connect(t, url)
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied))
	assert.Equal(t, migrationFiles(t), applied, "each migration is recorded once")
}

// TestOpenRefuses checks that Open fails, rather than half-working, on a
// URL it cannot use.
func TestOpenRefuses(t *testing.T) {
	base := postgrestest.URL(t)
	for name, url := range map[string]string{
		"not a URL":        "postgres://[::1",
		"no such schema":   strings.Replace(base, "search_path=test_", "search_path=nosuch_", 1),
		"unreachable host": "postgres://postgres@127.0.0.1:1/test?connect_timeout=2",
	} {
		_, err := postgres.Open(t.Context(), url)
		assert.Error(t, err, name)
	}
	_, err := postgres.Open(t.Context(), base, postgres.WithTxAttempts(0))
	assert.Error(t, err, "no attempts")
}

// TestInTxSerializesCheckThenWrite runs the check behind "a customer keeps
// an active admin" in two transactions that overlap for certain: each
// counts the active admins (two), waits until the other has counted too,
// and then demotes its own admin. Run one after the other, the second sees
// one admin left and refuses, and SERIALIZABLE must give that outcome:
// PostgreSQL fails one transaction, InTx runs it again, and the second run
// refuses. READ COMMITTED lets both demote and leaves no admin; that case
// is here to show that the test catches what it is about.
func TestInTxSerializesCheckThenWrite(t *testing.T) {
	errLastAdmin := errors.New("the last active admin cannot be demoted")
	for _, tc := range []struct {
		name        string
		opts        []postgres.Option
		wantDemoted int
		wantAdmins  int
		wantRefused int // runs of fn that saw one admin and refused
		wantFailed  int // InTx calls that returned ErrConflict
	}{
		{name: "serializable", wantDemoted: 1, wantAdmins: 1, wantRefused: 1},
		{name: "serializable without retries", opts: []postgres.Option{postgres.WithTxAttempts(1)},
			wantDemoted: 1, wantAdmins: 1, wantFailed: 1},
		{name: "read committed lets both through", opts: []postgres.Option{postgres.WithIsolation(sql.LevelReadCommitted)},
			wantDemoted: 2, wantAdmins: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s := postgrestest.Open(t, tc.opts...)
			c := newCustomer("cus_1", "Acme")
			ms := make([]customer.Membership, 2)
			require.NoError(t, s.InTx(ctx, func(r storage.Repos) error {
				require.NoError(t, r.Customers().Create(ctx, c))
				for i := range ms {
					u := customer.User{ID: customer.UserID(fmt.Sprintf("usr_%d", i)), Email: fmt.Sprintf("admin%d@acme.example", i),
						Status: customer.UserActive, Version: 1, CreatedAt: t0, UpdatedAt: t0}
					require.NoError(t, r.Users().Create(ctx, u))
					ms[i] = customer.Membership{ID: customer.MembershipID(fmt.Sprintf("mem_%d", i)), UserID: u.ID, CustomerID: c.ID,
						Role: customer.RoleAdmin, Status: customer.MembershipActive, Version: 1, CreatedAt: t0, UpdatedAt: t0}
					require.NoError(t, r.Memberships().Create(ctx, ms[i]))
				}
				return nil
			}))

			var counted sync.WaitGroup // both first runs have counted
			counted.Add(len(ms))
			var runs, refused atomic.Int32
			errs := make([]error, len(ms))
			var wg sync.WaitGroup
			for i, m := range ms {
				wg.Go(func() {
					first := true
					errs[i] = s.InTx(ctx, func(r storage.Repos) error {
						runs.Add(1)
						n, err := r.Memberships().CountActiveAdmins(ctx, c.ID)
						if first {
							first = false
							counted.Done()
							counted.Wait()
						}
						if err != nil {
							return err
						}
						if n <= 1 {
							refused.Add(1)
							return errLastAdmin
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

			demoted, failed := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					demoted++
				case errors.Is(err, errLastAdmin):
				case errors.Is(err, storage.ErrConflict):
					failed++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			assert.Equal(t, tc.wantDemoted, demoted, "demotions")
			assert.Equal(t, tc.wantRefused, int(refused.Load()), "refusals")
			assert.Equal(t, tc.wantFailed, failed, "InTx calls that gave up with ErrConflict")
			// A rerun that starts before the other transaction commits may
			// fail to serialize again; without retries fn runs once each.
			if tc.wantRefused > 0 {
				assert.GreaterOrEqual(t, runs.Load(), int32(len(ms)+1), "the loser ran again")
			} else {
				assert.Equal(t, int32(len(ms)), runs.Load(), "fn runs once per InTx")
			}
			var admins int
			require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
				var err error
				admins, err = r.Memberships().CountActiveAdmins(ctx, c.ID)
				return err
			}))
			assert.Equal(t, tc.wantAdmins, admins, "active admins left")
		})
	}
}

// TestInTxRetriesWhateverFnReturns has fn hide the serialization failure
// behind an error of its own, as a use case that maps storage errors to
// its own codes would: InTx still runs it again, since the transaction is
// void either way.
func TestInTxRetriesWhateverFnReturns(t *testing.T) {
	ctx := t.Context()
	s := postgrestest.Open(t)
	c := newCustomer("cus_1", "0")
	require.NoError(t, s.InTx(ctx, func(r storage.Repos) error { return r.Customers().Create(ctx, c) }))

	errMine := portalerr.New(portalerr.Conflict, "someone else was quicker")
	var read sync.WaitGroup // both first runs have read the customer
	read.Add(2)
	var runs atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			first := true
			errs[i] = s.InTx(ctx, func(r storage.Repos) error {
				runs.Add(1)
				got, err := r.Customers().Get(ctx, c.ID)
				if first {
					first = false
					read.Done()
					read.Wait()
				}
				if err != nil {
					return err
				}
				_, err = r.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
					c.Name = got.Name + "+"
					return nil
				})
				if err != nil {
					return errMine // the storage error is dropped
				}
				return nil
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, int32(3), runs.Load(), "the loser ran again")
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.Customers().Get(ctx, c.ID)
		assert.Equal(t, "0++", got.Name, "both updates are kept")
		assert.Equal(t, int64(3), got.Version)
		return err
	}))
}

// TestInTxRetriesDeadlockVictim has two transactions update two customers
// in opposite orders, each holding its first row when it asks for the
// other's: PostgreSQL ends the deadlock (after deadlock_timeout, 1s by
// default) by failing one with 40P01, and InTx runs that one again.
func TestInTxRetriesDeadlockVictim(t *testing.T) {
	ctx := t.Context()
	s := postgrestest.Open(t)
	a, b := newCustomer("cus_a", "a"), newCustomer("cus_b", "b")
	require.NoError(t, s.InTx(ctx, func(r storage.Repos) error {
		require.NoError(t, r.Customers().Create(ctx, a))
		return r.Customers().Create(ctx, b)
	}))
	rename := func(suffix string) func(*customer.Customer) error {
		return func(c *customer.Customer) error {
			c.Name += suffix
			return nil
		}
	}

	var holding sync.WaitGroup // both first runs hold their first row
	holding.Add(2)
	var runs atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, order := range [][2]customer.ID{{a.ID, b.ID}, {b.ID, a.ID}} {
		wg.Go(func() {
			first := true
			errs[i] = s.InTx(ctx, func(r storage.Repos) error {
				runs.Add(1)
				if _, err := r.Customers().Update(ctx, order[0], rename(strconv.Itoa(i))); err != nil {
					return err
				}
				if first {
					first = false
					holding.Done()
					holding.Wait()
				}
				_, err := r.Customers().Update(ctx, order[1], rename(strconv.Itoa(i)))
				return err
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	// A victim that runs again before the other transaction commits
	// conflicts with it once more: at least one rerun.
	assert.GreaterOrEqual(t, runs.Load(), int32(3), "the victim ran again")
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		for _, c := range []customer.Customer{a, b} {
			got, err := r.Customers().Get(ctx, c.ID)
			require.NoError(t, err)
			assert.Len(t, got.Name, 3, "%s was renamed by both", c.ID)
			assert.Equal(t, int64(3), got.Version)
		}
		return nil
	}))
}

// TestTxModes checks the transactions the server runs: ReadTx is
// REPEATABLE READ and READ ONLY, so the server too refuses its writes, and
// InTx is SERIALIZABLE.
func TestTxModes(t *testing.T) {
	ctx := t.Context()
	s := postgrestest.Open(t)
	const q = `SELECT current_setting('transaction_isolation') || ', read only ' || current_setting('transaction_read_only')`
	var mode string
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		return postgres.TxOf(r).QueryRowContext(ctx, q).Scan(&mode)
	}))
	assert.Equal(t, "repeatable read, read only on", mode)
	require.NoError(t, s.InTx(ctx, func(r storage.Repos) error {
		return postgres.TxOf(r).QueryRowContext(ctx, q).Scan(&mode)
	}))
	assert.Equal(t, "serializable, read only off", mode)
}

// TestColumnTypes shows how values are stored: times as timestamptz, unset
// optional times as NULL (so the "IS NULL" conditions of the single-use
// checks see them), IDs in the "C" collation.
func TestColumnTypes(t *testing.T) {
	ctx := t.Context()
	url := postgrestest.MigratedURL(t)
	s := openStore(t, url)
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

	conn := connect(t, url)
	var revokedAt, lastUsed *time.Time
	require.NoError(t, conn.QueryRow(ctx, `SELECT revoked_at, last_used_at FROM api_keys WHERE id = 'key_1'`).Scan(&revokedAt, &lastUsed))
	assert.Nil(t, revokedAt, "unset RevokedAt is NULL")
	assert.Nil(t, lastUsed, "unset LastUsedAt is NULL")
	var text string
	require.NoError(t, conn.QueryRow(ctx, `SELECT to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM api_keys WHERE id = 'key_2'`).Scan(&text))
	assert.Equal(t, "2026-03-02 09:00:00", text)

	// Every time is timestamptz; every ID, and every reference to one, is
	// text in the "C" collation, so keyset paging orders them byte by byte.
	rows, err := conn.Query(ctx, `SELECT table_name || '.' || column_name, data_type, coalesce(collation_name, '')
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`)
	require.NoError(t, err)
	cols, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([3]string, error) {
		var c [3]string
		err := row.Scan(&c[0], &c[1], &c[2])
		return c, err
	})
	require.NoError(t, err)
	require.NotEmpty(t, cols)
	var times, ids int
	for _, c := range cols {
		name, typ, collation := c[0], c[1], c[2]
		_, column, _ := strings.Cut(name, ".")
		switch {
		case strings.HasSuffix(column, "_at") || strings.HasSuffix(column, "_until") || name == "audit_events.at":
			times++
			assert.Equal(t, "timestamp with time zone", typ, name)
		case (column == "id" || strings.HasSuffix(column, "_id")) && column != "object_id" && column != "vat_id":
			ids++
			assert.Equal(t, "C", collation, "%s compares byte by byte", name)
		}
		assert.NotEqual(t, "timestamp without time zone", typ, name)
	}
	assert.Greater(t, times, 20)
	assert.Greater(t, ids, 20)
}

// TestTextPostgreSQLCannotStore checks that a NUL byte, which text cannot
// hold, is bad input rather than an internal error, and that a cursor no
// list could have returned is refused the same way.
func TestTextPostgreSQLCannotStore(t *testing.T) {
	ctx := t.Context()
	s := postgrestest.Open(t)
	err := s.InTx(ctx, func(r storage.Repos) error { return r.Customers().Create(ctx, newCustomer("cus_1", "Acme\x00")) })
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "%v", err)
	for _, after := range []string{"cus_\x00", "\xff\xfe"} {
		err = s.ReadTx(ctx, func(r storage.Repos) error {
			_, err := r.Customers().List(ctx, storage.CustomerFilter{}, storage.Page{Cursor: storage.Cursor(after)})
			return err
		})
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "cursor after %q: %v", after, err)
	}
}

// TestSearchHasTrigramIndex checks that the migration created the trigram
// index and that PostgreSQL can answer a substring search with it (on a
// table this small it would rather scan, so scans are switched off).
func TestSearchHasTrigramIndex(t *testing.T) {
	ctx := t.Context()
	url := postgrestest.URL(t)
	openStore(t, url)
	conn := connect(t, url)
	var trgm bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')`).Scan(&trgm))
	if !trgm {
		t.Skip("pg_trgm is not installed on this server: search scans, by design")
	}
	_, err := conn.Exec(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	rows, err := conn.Query(ctx, `EXPLAIN SELECT id FROM customers WHERE name ILIKE '%acme%' OR contact_email ILIKE '%acme%' OR external_ref ILIKE '%acme%'`)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(lines), "customers_search")
}

// TestMigrationKeepsTheClaimOfMessagesInHand upgrades a schema that has a
// message in a worker's hand, claimed under the old schema, whose attempts
// fenced the bookkeeping: the worker settles it with the number it holds,
// and a stale one cannot.
func TestMigrationKeepsTheClaimOfMessagesInHand(t *testing.T) {
	ctx := t.Context()
	url := postgrestest.URL(t)
	db, err := sql.Open("pgx", url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 6) // before outbox claims
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO outbox (id, kind, recipient, payload, status, attempts, next_attempt_at,
		claimed_until, last_error, created_at, updated_at)
		VALUES ('out_1', 'invitation', 'ada@example.com', '{}', 'sending', 3, $1, $2, '', $1, $1)`, t0, t0.Add(10*time.Minute))
	require.NoError(t, err)

	s := openStore(t, url)
	err = s.InTx(ctx, func(r storage.Repos) error {
		m, err := r.Outbox().Get(ctx, "out_1")
		require.NoError(t, err)
		assert.Equal(t, 3, m.Attempts)
		assert.Equal(t, 3, m.Claims, "the claim in hand keeps its number")
		_, err = r.Outbox().MarkSent(ctx, "out_1", 2, t0)
		assert.ErrorIs(t, err, storage.ErrConflict, "a stale claim settles nothing")
		_, err = r.Outbox().MarkSent(ctx, "out_1", 3, t0)
		return err
	})
	require.NoError(t, err, "the worker holding the claim settles it")
}

// TestMigrationMarksWebhookSecretsInClear upgrades a schema whose
// endpoints hold their signing secrets in clear: migration 00090 marks
// them "plain:" (the portal seals them on its first delivery pass) and
// leaves an empty previous secret empty.
func TestMigrationMarksWebhookSecretsInClear(t *testing.T) {
	ctx := t.Context()
	url := postgrestest.URL(t)
	db, err := sql.Open("pgx", url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 80) // webhooks, secrets in clear
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO webhook_endpoints (id, url, description, event_types, customer_id, enabled,
		disabled_reason, secret, previous_secret, previous_until, failing_since, version, created_at, updated_at) VALUES
		('wep_1', 'https://erp.example/hooks', '', '["order.submitted"]', NULL, true, '', 'whsec_new', 'whsec_old', $1, NULL, 1, $1, $1),
		('wep_2', 'https://erp.example/other', '', '["order.submitted"]', NULL, true, '', 'whsec_only', '', NULL, NULL, 1, $1, $1)`, t0)
	require.NoError(t, err)

	s := openStore(t, url)
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
