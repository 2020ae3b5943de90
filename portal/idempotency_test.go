package portal_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// failingCustomers is a storage.CustomerRepo whose Create fails while fail
// is set: a change that breaks after its transaction recorded the key.
type failingCustomers struct {
	storage.CustomerRepo
	fail *bool
}

func (c failingCustomers) Create(ctx context.Context, cu customer.Customer) error {
	if *c.fail {
		return errors.New("disk on fire")
	}
	return c.CustomerRepo.Create(ctx, cu)
}

type failingCustomersRepos struct {
	storage.Repos
	fail *bool
}

func (r failingCustomersRepos) Customers() storage.CustomerRepo {
	return failingCustomers{r.Repos.Customers(), r.fail}
}

// failingCustomersStore is a store whose write transactions see
// failingCustomers.
type failingCustomersStore struct {
	storage.Store
	fail *bool
}

func (s failingCustomersStore) InTx(ctx context.Context, fn func(storage.Repos) error) error {
	return s.Store.InTx(ctx, func(r storage.Repos) error { return fn(failingCustomersRepos{r, s.fail}) })
}

func TestIdempotencyKeyRecordedWithTheChange(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			fail := false
			store := failingCustomersStore{newStore(t), &fail}
			e := newEnv(t, store)
			now := e.p.Now()
			rec := idempotency.Record{Scope: "staff:owner", Key: "key-1", Fingerprint: "fp", CreatedAt: now, ExpiresAt: now.Add(idempotency.TTL)}
			record := func() (idempotency.Record, error) {
				var got idempotency.Record
				err := store.ReadTx(t.Context(), func(r storage.Repos) error {
					var err error
					got, err = r.Idempotency().Get(t.Context(), rec.Scope, rec.Key)
					return err
				})
				return got, err
			}
			names := func() []string {
				l, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{})
				require.NoError(t, err)
				var out []string
				for _, c := range l.Items {
					out = append(out, c.Name)
				}
				return out
			}

			// The change fails after the key was stored in its transaction:
			// both go.
			fail = true
			ctx, w := portal.WithIdempotencyKey(e.owner, rec)
			_, err := e.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Acme"})
			require.Error(t, err)
			assert.False(t, w.Recorded())
			assert.False(t, w.Taken())
			_, err = record()
			assert.ErrorIs(t, err, storage.ErrNotFound, "no key without the change")

			// The change commits: the key is in flight with it.
			fail = false
			ctx, w = portal.WithIdempotencyKey(e.owner, rec)
			_, err = e.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Acme"})
			require.NoError(t, err)
			assert.True(t, w.Recorded())
			got, err := record()
			require.NoError(t, err)
			assert.Equal(t, idempotency.InFlight, got.State)
			assert.Equal(t, "fp", got.Fingerprint)

			// A later use case under the same context records nothing more.
			_, err = e.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Globex"})
			require.NoError(t, err, "the key is settled for this context")

			// Another request with the key changes nothing.
			ctx, w = portal.WithIdempotencyKey(e.owner, rec)
			_, err = e.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Initech"})
			assertCode(t, portalerr.Conflict, err)
			assert.True(t, w.Taken())
			assert.False(t, w.Recorded())
			assert.Equal(t, []string{"Acme", "Globex"}, names())

			// Once the record has expired, the key is free again.
			e.clock.Advance(idempotency.TTL)
			later := rec
			later.Fingerprint, later.CreatedAt, later.ExpiresAt = "fp2", e.p.Now(), e.p.Now().Add(idempotency.TTL)
			ctx, w = portal.WithIdempotencyKey(e.owner, later)
			_, err = e.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Initech"})
			require.NoError(t, err)
			assert.True(t, w.Recorded())
			got, err = record()
			require.NoError(t, err)
			assert.Equal(t, "fp2", got.Fingerprint, "the expired record was replaced")
		})
	}
}

func TestIdempotencyKeyOneChangeUnderContention(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			store := newStore(t)
			e := newEnv(t, store)
			now := e.p.Now()
			rec := idempotency.Record{Scope: "staff:owner", Key: "key-1", Fingerprint: "fp", CreatedAt: now, ExpiresAt: now.Add(idempotency.TTL)}
			const n = 16
			var (
				wg              sync.WaitGroup
				recorded, taken [n]bool
				errs            [n]error
			)
			for i := range n {
				wg.Go(func() {
					ctx, w := portal.WithIdempotencyKey(e.owner, rec)
					_, errs[i] = e.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Acme"})
					recorded[i], taken[i] = w.Recorded(), w.Taken()
				})
			}
			wg.Wait()
			wins := 0
			for i := range n {
				switch {
				case recorded[i]:
					wins++
					assert.NoError(t, errs[i])
				default:
					assert.True(t, taken[i], "a loser met the key: %v", errs[i])
					assertCode(t, portalerr.Conflict, errs[i])
				}
			}
			assert.Equal(t, 1, wins, "one change for one key")
			l, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{})
			require.NoError(t, err)
			assert.Len(t, l.Items, 1)
		})
	}
}
