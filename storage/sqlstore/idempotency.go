package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/storage"
)

type idempotencyRepo struct{ t *txn }

func (t *txn) Idempotency() storage.IdempotencyRepo { return idempotencyRepo{t} }

// idempotencyKeys' key is (scope, key): the table's get, update and list,
// which take the first column as the key, are not used.
var idempotencyKeys = newTable(table[idempotency.Record]{
	name: "idempotency_keys", noun: "idempotency record",
	columns: []string{"scope", "key", "fingerprint", "state", "status", "content_type", "etag", "body", "object_id",
		"created_at", "expires_at"},
	values: func(rec *idempotency.Record) []any {
		r := &rec.Response
		return []any{rec.Scope, rec.Key, rec.Fingerprint, string(rec.State), r.Status, r.ContentType, r.ETag,
			nullBytes(r.Body), strings.Join(rec.ObjectIDs, ","), ts(rec.CreatedAt), ts(rec.ExpiresAt)}
	},
	dest: func(rec *idempotency.Record) []any {
		r := &rec.Response
		return []any{&rec.Scope, &rec.Key, &rec.Fingerprint, &rec.State, &r.Status, &r.ContentType, &r.ETag,
			&r.Body, listCol{&rec.ObjectIDs}, tcol(&rec.CreatedAt), tcol(&rec.ExpiresAt)}
	},
})

const idempotencyKey = `scope = ? AND key = ?`

// listCol scans a comma-separated text column (IDs, which hold no commas)
// into a slice; "" is none.
type listCol struct{ dst *[]string }

func (c listCol) Scan(src any) error {
	var s sql.NullString
	if err := s.Scan(src); err != nil {
		return err
	}
	*c.dst = nil
	if s.String != "" {
		*c.dst = strings.Split(s.String, ",")
	}
	return nil
}

// Begin stores rec as in flight, with its ObjectIDs and no response. ErrAlreadyExists when
// the primary key (scope, key) is taken.
func (s idempotencyRepo) Begin(ctx context.Context, rec idempotency.Record) error {
	rec.State, rec.Response = idempotency.InFlight, idempotency.Response{}
	return idempotencyKeys.insert(ctx, s.t, &rec)
}

// Get returns the record of scope and key, or ErrNotFound.
func (s idempotencyRepo) Get(ctx context.Context, scope, key string) (idempotency.Record, error) {
	return idempotencyKeys.getWhere(ctx, s.t, "getting idempotency record", idempotencyKey, scope, key)
}

// Complete stores the answer of an in-flight record. ErrNotFound, ErrConflict
// (done already).
func (s idempotencyRepo) Complete(ctx context.Context, scope, key string, resp idempotency.Response) error {
	const op = "completing idempotency record"
	if err := s.t.writable(op); err != nil {
		return err
	}
	n, err := s.t.exec(ctx, op, nil, `UPDATE idempotency_keys SET
		state = ?, status = ?, content_type = ?, etag = ?, body = ?
		WHERE `+idempotencyKey+` AND state = ?`,
		string(idempotency.Done), resp.Status, resp.ContentType, resp.ETag, nullBytes(resp.Body),
		scope, key, string(idempotency.InFlight))
	if err != nil || n == 1 {
		return err
	}
	if _, err := s.Get(ctx, scope, key); err != nil {
		return err
	}
	return fmt.Errorf("%s: %s: not in flight: %w", s.t.d.Name, op, storage.ErrConflict)
}

// Delete removes the record, or returns ErrNotFound.
func (s idempotencyRepo) Delete(ctx context.Context, scope, key string) error {
	return deleteOne(ctx, s.t, "deleting idempotency record", nil, `DELETE FROM idempotency_keys WHERE `+idempotencyKey, scope, key)
}

// DeleteExpired removes the records whose ExpiresAt is at or before before.
func (s idempotencyRepo) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired idempotency records"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM idempotency_keys WHERE expires_at <= ?`, ts(before))
	return int(n), err
}

// nullBytes stores an empty body as NULL, which reads back as nil.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
