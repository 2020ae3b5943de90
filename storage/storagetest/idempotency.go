package storagetest

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/storage"
)

var idempotencyTests = []test{
	{"RoundTrip", testIdempotencyRoundTrip},
	{"BeginDuplicate", testIdempotencyBeginDuplicate},
	{"ScopesAreSeparate", testIdempotencyScopes},
	{"Complete", testIdempotencyComplete},
	{"CompleteKeepsNoSecret", testIdempotencyCompleteNoBody},
	{"Delete", testIdempotencyDelete},
	{"DeleteExpired", testIdempotencyDeleteExpired},
	{"Rollback", testIdempotencyRollback},
	{"ReadTxRefusesWrites", testIdempotencyReadOnly},
	{"TimesUTC", testIdempotencyTimesUTC},
}

var idempotencyConcurrencyTests = []test{
	{"IdempotencyBeginOnce", testIdempotencyBeginOnce},
}

func newIdempotency(scope, key string) idempotency.Record {
	return idempotency.Record{
		Scope:       scope,
		Key:         key,
		Fingerprint: "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15",
		State:       idempotency.InFlight,
		CreatedAt:   base,
		ExpiresAt:   at(idempotency.TTL),
	}
}

func beginIdempotency(t *testing.T, s storage.Store, rec idempotency.Record) idempotency.Record {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Idempotency().Begin(ctx, rec)
	}), "beginning %s/%s", rec.Scope, rec.Key)
	return rec
}

func getIdempotency(t *testing.T, s storage.Store, scope, key string) (idempotency.Record, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (idempotency.Record, error) {
		return r.Idempotency().Get(ctx, scope, key)
	})
}

func completeIdempotency(t *testing.T, s storage.Store, scope, key string, resp idempotency.Response) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Idempotency().Complete(ctx, scope, key, resp)
	})
}

func deleteIdempotency(t *testing.T, s storage.Store, scope, key string) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Idempotency().Delete(ctx, scope, key)
	})
}

var createdResponse = idempotency.Response{
	Status:      201,
	ContentType: "application/json",
	ETag:        `"1"`,
	Body:        []byte(`{"id":"cus_1","name":"Acme"}` + "\n"),
}

func testIdempotencyRoundTrip(t *testing.T, s storage.Store) {
	rec := newIdempotency("api_key:key_1", "k-1")
	rec.ObjectIDs = []string{"itm_1", "itm_2"}
	rec.Response = createdResponse // ignored by Begin
	rec.State = idempotency.Done
	beginIdempotency(t, s, rec)

	got, err := getIdempotency(t, s, rec.Scope, rec.Key)
	require.NoError(t, err)
	want := rec
	want.State, want.Response = idempotency.InFlight, idempotency.Response{}
	assert.Equal(t, want, got, "Begin stores an in-flight record with its object and no response")

	require.NoError(t, completeIdempotency(t, s, rec.Scope, rec.Key, createdResponse))
	got, err = getIdempotency(t, s, rec.Scope, rec.Key)
	require.NoError(t, err)
	assert.Equal(t, []string{"itm_1", "itm_2"}, got.ObjectIDs, "Complete keeps the objects")

	_, err = getIdempotency(t, s, rec.Scope, "k-2")
	assertNotFound(t, err, "another key")
	_, err = getIdempotency(t, s, "api_key:key_2", rec.Key)
	assertNotFound(t, err, "another scope")
}

func testIdempotencyBeginDuplicate(t *testing.T, s storage.Store) {
	first := beginIdempotency(t, s, newIdempotency("api_key:key_1", "k-1"))
	dup := newIdempotency("api_key:key_1", "k-1")
	dup.Fingerprint = "another"
	dup.CreatedAt = at(time.Minute)
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Idempotency().Begin(ctx, dup) })
	assertAlreadyExists(t, err)

	require.NoError(t, completeIdempotency(t, s, first.Scope, first.Key, createdResponse))
	err = write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Idempotency().Begin(ctx, dup) })
	assertAlreadyExists(t, err, "a done record holds its key too")

	got, err := getIdempotency(t, s, first.Scope, first.Key)
	require.NoError(t, err)
	assert.Equal(t, first.Fingerprint, got.Fingerprint, "the first record is unchanged")
	assert.Equal(t, createdResponse, got.Response)
}

func testIdempotencyScopes(t *testing.T, s storage.Store) {
	a := beginIdempotency(t, s, newIdempotency("api_key:key_1", "k-1"))
	b := newIdempotency("user:usr_1", "k-1")
	b.Fingerprint = "other"
	beginIdempotency(t, s, b)
	require.NoError(t, completeIdempotency(t, s, a.Scope, a.Key, createdResponse))

	gotA, err := getIdempotency(t, s, a.Scope, a.Key)
	require.NoError(t, err)
	gotB, err := getIdempotency(t, s, b.Scope, b.Key)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Done, gotA.State)
	assert.Equal(t, idempotency.InFlight, gotB.State, "completing one scope's key leaves the other's")
	assert.Equal(t, "other", gotB.Fingerprint)
}

func testIdempotencyComplete(t *testing.T, s storage.Store) {
	rec := beginIdempotency(t, s, newIdempotency("api_key:key_1", "k-1"))
	require.NoError(t, completeIdempotency(t, s, rec.Scope, rec.Key, createdResponse))

	got, err := getIdempotency(t, s, rec.Scope, rec.Key)
	require.NoError(t, err)
	want := rec
	want.State, want.Response = idempotency.Done, createdResponse
	assert.Equal(t, want, got)

	err = completeIdempotency(t, s, rec.Scope, rec.Key, idempotency.Response{Status: 500})
	assertConflict(t, err, "a done record is not completed twice")
	got, err = getIdempotency(t, s, rec.Scope, rec.Key)
	require.NoError(t, err)
	assert.Equal(t, createdResponse, got.Response, "the first answer stays")

	err = completeIdempotency(t, s, rec.Scope, "missing", createdResponse)
	assertNotFound(t, err)
}

func testIdempotencyCompleteNoBody(t *testing.T, s storage.Store) {
	rec := beginIdempotency(t, s, newIdempotency("api_key:key_1", "k-1"))
	resp := idempotency.Response{Status: 204}
	require.NoError(t, completeIdempotency(t, s, rec.Scope, rec.Key, resp))
	got, err := getIdempotency(t, s, rec.Scope, rec.Key)
	require.NoError(t, err)
	assert.Equal(t, resp, got.Response, "no body comes back as nil")

	rec2 := beginIdempotency(t, s, newIdempotency("api_key:key_1", "k-2"))
	resp.Body = []byte{}
	require.NoError(t, completeIdempotency(t, s, rec2.Scope, rec2.Key, resp))
	got, err = getIdempotency(t, s, rec2.Scope, rec2.Key)
	require.NoError(t, err)
	assert.Nil(t, got.Response.Body, "an empty body comes back as nil")
}

func testIdempotencyDelete(t *testing.T, s storage.Store) {
	rec := beginIdempotency(t, s, newIdempotency("api_key:key_1", "k-1"))
	other := beginIdempotency(t, s, newIdempotency("api_key:key_1", "k-2"))
	require.NoError(t, deleteIdempotency(t, s, rec.Scope, rec.Key))
	_, err := getIdempotency(t, s, rec.Scope, rec.Key)
	assertNotFound(t, err)
	_, err = getIdempotency(t, s, other.Scope, other.Key)
	assert.NoError(t, err, "other keys stay")

	assertNotFound(t, deleteIdempotency(t, s, rec.Scope, rec.Key), "deleting twice")
	beginIdempotency(t, s, rec) // the key is free again
}

func testIdempotencyDeleteExpired(t *testing.T, s storage.Store) {
	early := newIdempotency("api_key:key_1", "early")
	early.ExpiresAt = at(time.Hour - time.Microsecond)
	edge := newIdempotency("api_key:key_1", "edge")
	edge.ExpiresAt = at(time.Hour)
	late := newIdempotency("api_key:key_1", "late")
	late.ExpiresAt = at(time.Hour + time.Microsecond)
	for _, rec := range []idempotency.Record{early, edge, late} {
		beginIdempotency(t, s, rec)
	}
	require.NoError(t, completeIdempotency(t, s, edge.Scope, edge.Key, createdResponse))

	var n int
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Idempotency().DeleteExpired(ctx, at(time.Hour))
		return err
	}))
	assert.Equal(t, 2, n, "ExpiresAt before and at the bound, done or in flight")
	for _, rec := range []idempotency.Record{early, edge} {
		_, err := getIdempotency(t, s, rec.Scope, rec.Key)
		assertNotFound(t, err, rec.Key)
	}
	_, err := getIdempotency(t, s, late.Scope, late.Key)
	assert.NoError(t, err, "a record expiring after the bound stays")

	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Idempotency().DeleteExpired(ctx, at(time.Hour))
		return err
	}))
	assert.Zero(t, n, "nothing left to delete")
}

func testIdempotencyRollback(t *testing.T, s storage.Store) {
	done := beginIdempotency(t, s, newIdempotency("api_key:key_1", "done"))
	require.NoError(t, completeIdempotency(t, s, done.Scope, done.Key, createdResponse))
	flight := beginIdempotency(t, s, newIdempotency("api_key:key_1", "flight"))
	fresh := newIdempotency("api_key:key_1", "fresh")

	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		ir := r.Idempotency()
		if err := ir.Begin(ctx, fresh); err != nil {
			return err
		}
		if err := ir.Complete(ctx, flight.Scope, flight.Key, createdResponse); err != nil {
			return err
		}
		if err := ir.Delete(ctx, done.Scope, done.Key); err != nil {
			return err
		}
		if _, err := ir.DeleteExpired(ctx, at(365*24*time.Hour)); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)

	_, err = getIdempotency(t, s, fresh.Scope, fresh.Key)
	assertNotFound(t, err, "Begin is rolled back")
	got, err := getIdempotency(t, s, flight.Scope, flight.Key)
	require.NoError(t, err)
	assert.Equal(t, idempotency.InFlight, got.State, "Complete is rolled back")
	assert.Zero(t, got.Response)
	got, err = getIdempotency(t, s, done.Scope, done.Key)
	require.NoError(t, err, "Delete and DeleteExpired are rolled back")
	assert.Equal(t, createdResponse, got.Response)
}

func testIdempotencyReadOnly(t *testing.T, s storage.Store) {
	rec := beginIdempotency(t, s, newIdempotency("api_key:key_1", "k-1"))
	for name, fn := range map[string]func(ctx context.Context, r storage.IdempotencyRepo) error{
		"Begin": func(ctx context.Context, r storage.IdempotencyRepo) error {
			return r.Begin(ctx, newIdempotency("s", "k"))
		},
		"Complete": func(ctx context.Context, r storage.IdempotencyRepo) error {
			return r.Complete(ctx, rec.Scope, rec.Key, createdResponse)
		},
		"Delete": func(ctx context.Context, r storage.IdempotencyRepo) error { return r.Delete(ctx, rec.Scope, rec.Key) },
		"DeleteExpired": func(ctx context.Context, r storage.IdempotencyRepo) error {
			_, err := r.DeleteExpired(ctx, at(365*24*time.Hour))
			return err
		},
	} {
		err := read(t, s, func(ctx context.Context, r storage.Repos) error { return fn(ctx, r.Idempotency()) })
		assert.ErrorIs(t, err, storage.ErrReadOnly, name)
	}
	got, err := getIdempotency(t, s, rec.Scope, rec.Key)
	require.NoError(t, err)
	assert.Equal(t, idempotency.InFlight, got.State, "nothing changed")
}

func testIdempotencyTimesUTC(t *testing.T, s storage.Store) {
	zone := time.FixedZone("UTC+5", 5*3600)
	rec := newIdempotency("api_key:key_1", "k-1")
	rec.CreatedAt = base.In(zone)
	rec.ExpiresAt = at(idempotency.TTL).In(zone)
	beginIdempotency(t, s, rec)
	got, err := getIdempotency(t, s, rec.Scope, rec.Key)
	require.NoError(t, err)
	assertUTC(t, rec.CreatedAt, got.CreatedAt, "CreatedAt")
	assertUTC(t, rec.ExpiresAt, got.ExpiresAt, "ExpiresAt")
}

// testIdempotencyBeginOnce has 20 goroutines begin the same key at once:
// exactly one wins, and the others get ErrAlreadyExists.
func testIdempotencyBeginOnce(t *testing.T, s storage.Store) {
	const n = 20
	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for i := range n {
		rec := newIdempotency("api_key:key_1", "k-1")
		rec.Fingerprint = "request " + strconv.Itoa(i)
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error { return r.Idempotency().Begin(ctx, rec) })
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
	assert.Equal(t, 1, won, "exactly one Begin wins")
	got, err := getIdempotency(t, s, "api_key:key_1", "k-1")
	require.NoError(t, err)
	assert.Equal(t, idempotency.InFlight, got.State)
}
