package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portalkit/portalkit/customer"
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
	var applied int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied))
	assert.Equal(t, 1, applied, "each migration is recorded once")
	var mode string
	require.NoError(t, db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)
}

func TestConcurrentInTxNeverBusy(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, filepath.Join(t.TempDir(), "portal.db"))
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

// TestSmoke exercises the repos until storagetest covers them.
func TestSmoke(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, filepath.Join(t.TempDir(), "portal.db"))
	in := func(fn func(r storage.Repos) error) error { return s.InTx(ctx, fn) }

	parent := newCustomer("cus_a", "Alpha 100%")
	parent.ExternalRef = "ERP_1"
	child := newCustomer("cus_b", "Beta")
	child.ParentID = "cus_a"
	require.NoError(t, in(func(r storage.Repos) error {
		require.NoError(t, r.Customers().Create(ctx, parent))
		return r.Customers().Create(ctx, child)
	}))

	// uniqueness and references
	dupRef := newCustomer("cus_c", "Gamma")
	dupRef.ExternalRef = "ERP_1"
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Customers().Create(ctx, dupRef) }), storage.ErrAlreadyExists)
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Customers().Create(ctx, parent) }), storage.ErrAlreadyExists)
	orphan := newCustomer("cus_d", "Delta")
	orphan.ParentID = "cus_nope"
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Customers().Create(ctx, orphan) }), storage.ErrNotFound)
	noRef := newCustomer("cus_e", "Epsilon") // two empty external refs do not collide
	require.NoError(t, in(func(r storage.Repos) error { return r.Customers().Create(ctx, noRef) }))

	err := s.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.Customers().Get(ctx, "cus_b")
		require.NoError(t, err)
		assert.Equal(t, child, got)
		_, err = r.Customers().Get(ctx, "cus_nope")
		assert.ErrorIs(t, err, storage.ErrNotFound)

		list := func(f storage.CustomerFilter) []customer.ID {
			l, err := r.Customers().List(ctx, f, storage.Page{})
			require.NoError(t, err)
			var ids []customer.ID
			for _, c := range l.Items {
				ids = append(ids, c.ID)
			}
			return ids
		}
		assert.Equal(t, []customer.ID{"cus_b"}, list(storage.CustomerFilter{ParentID: "cus_a"}))
		assert.Equal(t, []customer.ID{"cus_a", "cus_e"}, list(storage.CustomerFilter{TopLevel: true}))
		assert.Equal(t, []customer.ID{"cus_a"}, list(storage.CustomerFilter{Search: "100%"}))
		assert.Equal(t, []customer.ID{"cus_a"}, list(storage.CustomerFilter{Search: "erp_"}))
		assert.Empty(t, list(storage.CustomerFilter{Search: "erp%1"}))
		assert.Equal(t, []customer.ID{"cus_b"}, list(storage.CustomerFilter{Search: "BETA@"}))
		assert.Equal(t, []customer.ID{"cus_e"}, list(storage.CustomerFilter{IDs: []customer.ID{"cus_e", "cus_x"}}))
		assert.Empty(t, list(storage.CustomerFilter{IDs: []customer.ID{}}))
		assert.Empty(t, list(storage.CustomerFilter{Statuses: []customer.Status{customer.StatusArchived}}))

		l, err := r.Customers().List(ctx, storage.CustomerFilter{}, storage.Page{Limit: 2})
		require.NoError(t, err)
		require.Len(t, l.Items, 2)
		require.NotEmpty(t, l.NextCursor)
		l, err = r.Customers().List(ctx, storage.CustomerFilter{}, storage.Page{Limit: 2, Cursor: l.NextCursor})
		require.NoError(t, err)
		assert.Equal(t, customer.ID("cus_e"), l.Items[0].ID)
		assert.Empty(t, l.NextCursor)

		assert.ErrorIs(t, r.Customers().Create(ctx, newCustomer("cus_z", "Z")), storage.ErrReadOnly)
		return nil
	})
	require.NoError(t, err)

	// Update bumps the version, keeps ID and CreatedAt, returns fn's error unchanged.
	errStop := errors.New("stop")
	assert.Equal(t, errStop, in(func(r storage.Repos) error {
		_, err := r.Customers().Update(ctx, "cus_a", func(*customer.Customer) error { return errStop })
		return err
	}))
	var updated customer.Customer
	require.NoError(t, in(func(r storage.Repos) error {
		var err error
		updated, err = r.Customers().Update(ctx, "cus_a", func(c *customer.Customer) error {
			c.Status = customer.StatusSuspended
			c.ExternalRef = ""
			c.Features.Tickets = true
			c.UpdatedAt = t0.Add(time.Hour)
			return nil
		})
		return err
	}))
	assert.Equal(t, int64(2), updated.Version)
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.Customers().Get(ctx, "cus_a")
		assert.Equal(t, updated, got)
		return err
	}))
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		f := storage.CustomerFilter{Statuses: []customer.Status{customer.StatusSuspended, customer.StatusActive, customer.StatusSuspended}}
		l, err := r.Customers().List(ctx, f, storage.Page{Limit: 2})
		require.NoError(t, err)
		require.Len(t, l.Items, 2)
		assert.Equal(t, []customer.ID{"cus_a", "cus_b"}, []customer.ID{l.Items[0].ID, l.Items[1].ID}, "several statuses merge in ID order")
		l, err = r.Customers().List(ctx, f, storage.Page{Limit: 2, Cursor: l.NextCursor})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, customer.ID("cus_e"), l.Items[0].ID)
		assert.Empty(t, l.NextCursor)
		return nil
	}))
	assert.ErrorIs(t, in(func(r storage.Repos) error {
		_, err := r.Customers().Update(ctx, "cus_nope", func(*customer.Customer) error { return nil })
		return err
	}), storage.ErrNotFound)
	assert.ErrorIs(t, in(func(r storage.Repos) error {
		_, err := r.Customers().Update(ctx, "cus_e", func(c *customer.Customer) error { c.ParentID = "cus_nope"; return nil })
		return err
	}), storage.ErrNotFound)

	// A panic rolls back and is re-raised.
	assert.Panics(t, func() {
		_ = in(func(r storage.Repos) error {
			_ = r.Customers().Create(ctx, newCustomer("cus_p", "P"))
			panic("boom")
		})
	})
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		_, err := r.Customers().Get(ctx, "cus_p")
		assert.ErrorIs(t, err, storage.ErrNotFound)
		return nil
	}))

	// Users: e-mail unique ignoring ASCII case.
	u := customer.User{ID: "usr_1", Email: "ann@example.com", Name: "Ann", Version: 1, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, in(func(r storage.Repos) error { return r.Users().Create(ctx, u) }))
	assert.ErrorIs(t, in(func(r storage.Repos) error {
		return r.Users().Create(ctx, customer.User{ID: "usr_2", Email: "ANN@example.com", Version: 1, CreatedAt: t0, UpdatedAt: t0})
	}), storage.ErrAlreadyExists)
	require.NoError(t, in(func(r storage.Repos) error {
		return r.Users().Create(ctx, customer.User{ID: "usr_2", Email: "bob@example.com", Version: 1, CreatedAt: t0, UpdatedAt: t0})
	}))
	assert.ErrorIs(t, in(func(r storage.Repos) error {
		_, err := r.Users().Update(ctx, "usr_2", func(u *customer.User) error { u.Email = "ann@example.com"; return nil })
		return err
	}), storage.ErrAlreadyExists)
	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.Users().GetByEmail(ctx, "ann@example.com")
		assert.Equal(t, u, got)
		return err
	}))

	// Sites and memberships.
	site := func(id, name string) customer.Site {
		return customer.Site{ID: customer.SiteID(id), CustomerID: "cus_a", Name: name, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	}
	require.NoError(t, in(func(r storage.Repos) error {
		require.NoError(t, r.Sites().Create(ctx, site("sit_1", "Plant")))
		return r.Sites().Create(ctx, site("sit_2", "Office"))
	}))
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Sites().Create(ctx, site("sit_3", "PLANT")) }), storage.ErrAlreadyExists)
	noCustomer := site("sit_3", "X")
	noCustomer.CustomerID = "cus_nope"
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Sites().Create(ctx, noCustomer) }), storage.ErrNotFound)

	m := customer.Membership{ID: "mem_1", UserID: "usr_1", CustomerID: "cus_a", Role: customer.RoleAdmin,
		SiteIDs: []customer.SiteID{"sit_2", "sit_1"}, Status: customer.MembershipActive, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, in(func(r storage.Repos) error { return r.Memberships().Create(ctx, m) }))
	m2 := m
	m2.ID = "mem_2"
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Memberships().Create(ctx, m2) }), storage.ErrAlreadyExists)
	m2.UserID, m2.SiteIDs = "usr_2", []customer.SiteID{"sit_nope"}
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Memberships().Create(ctx, m2) }), storage.ErrNotFound)
	m2.SiteIDs, m2.Role = nil, customer.RoleViewer
	require.NoError(t, in(func(r storage.Repos) error { return r.Memberships().Create(ctx, m2) }))
	m2.UserID = "usr_nope"
	m2.ID = "mem_3"
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Memberships().Create(ctx, m2) }), storage.ErrNotFound)

	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Sites().Delete(ctx, "sit_1") }), storage.ErrConflict)
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Sites().Delete(ctx, "sit_nope") }), storage.ErrNotFound)

	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.Memberships().Get(ctx, "mem_1")
		require.NoError(t, err)
		assert.Equal(t, []customer.SiteID{"sit_1", "sit_2"}, got.SiteIDs)
		got, err = r.Memberships().Get(ctx, "mem_2")
		require.NoError(t, err)
		assert.Nil(t, got.SiteIDs)
		l, err := r.Memberships().List(ctx, storage.MembershipFilter{SiteID: "sit_2"}, storage.Page{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, customer.MembershipID("mem_1"), l.Items[0].ID)
		l, err = r.Memberships().List(ctx, storage.MembershipFilter{CustomerID: "cus_a", Role: customer.RoleViewer}, storage.Page{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		n, err := r.Memberships().CountActiveAdmins(ctx, "cus_a")
		assert.Equal(t, 1, n)
		return err
	}))

	got, err := func() (customer.Membership, error) {
		var got customer.Membership
		err := in(func(r storage.Repos) error {
			var err error
			got, err = r.Memberships().Update(ctx, "mem_1", func(m *customer.Membership) error {
				m.SiteIDs = []customer.SiteID{"sit_2"}
				return nil
			})
			return err
		})
		return got, err
	}()
	require.NoError(t, err)
	assert.Equal(t, []customer.SiteID{"sit_2"}, got.SiteIDs)
	assert.Equal(t, int64(2), got.Version)
	assert.ErrorIs(t, in(func(r storage.Repos) error {
		_, err := r.Memberships().Update(ctx, "mem_1", func(m *customer.Membership) error {
			m.SiteIDs = []customer.SiteID{"sit_nope"}
			return nil
		})
		return err
	}), storage.ErrNotFound)
	require.NoError(t, in(func(r storage.Repos) error { return r.Sites().Delete(ctx, "sit_1") }))
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Sites().Delete(ctx, "sit_2") }), storage.ErrConflict)
	require.NoError(t, in(func(r storage.Repos) error { return r.Memberships().Delete(ctx, "mem_1") }))
	assert.ErrorIs(t, in(func(r storage.Repos) error { return r.Memberships().Delete(ctx, "mem_1") }), storage.ErrNotFound)
	require.NoError(t, in(func(r storage.Repos) error { return r.Sites().Delete(ctx, "sit_2") }), "the cascade dropped the membership's sites")
}

// TestInTxBeginsImmediate shows that InTx takes the write lock at BEGIN: a
// second store on the same file (another process, say) cannot even start a
// read-only InTx while the first one runs, but its ReadTx can.
func TestInTxBeginsImmediate(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "portal.db")
	a := openStore(t, path)
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
