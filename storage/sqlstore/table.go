package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/storage"
)

// table is how one aggregate is stored in one table: its columns, the
// values of a row and where a row scans to. The statements every aggregate
// needs (insert, get by key, the versioned read-modify-write of Update) are
// built from it once, here, rather than written per aggregate.
type table[T any] struct {
	name string // the table
	noun string // what a row is, in errors: "customer"
	// columns are the table's columns; the first is the key.
	columns []string
	// values returns v's values in the order of columns.
	values func(v *T) []any
	// dest returns where each column of a row scans to in v.
	dest func(v *T) []any
	// version returns v's version, which Update increases by one and
	// checks (compare and set); nil when the aggregate has none.
	version func(v *T) *int64
	// keep restores in v what Update must not change of old (the key,
	// the creation time) and brings v's times to stored precision.
	keep func(old T, v *T)
	// fkErr is what a foreign key violation means when a row is written:
	// usually ErrNotFound (a referenced row is missing).
	fkErr error

	cols                                 string // columns, joined
	insertSQL, selectSQL, updateSQL, key string
}

// newTable returns tb with its statements built.
func newTable[T any](tb table[T]) *table[T] {
	tb.cols = strings.Join(tb.columns, ", ")
	tb.key = tb.columns[0]
	tb.insertSQL = `INSERT INTO ` + tb.name + ` (` + tb.cols + `) VALUES (` + placeholders(len(tb.columns)) + `)`
	tb.selectSQL = `SELECT ` + tb.cols + ` FROM ` + tb.name
	set := make([]string, 0, len(tb.columns)-1)
	for _, c := range tb.columns[1:] {
		set = append(set, c+` = ?`)
	}
	tb.updateSQL = `UPDATE ` + tb.name + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + tb.key + ` = ?`
	if tb.version != nil {
		tb.updateSQL += ` AND version = ?`
	}
	return &tb
}

// scan reads one row of tb's columns.
func (tb *table[T]) scan(s scanner) (T, error) {
	var v T
	err := s.Scan(tb.dest(&v)...)
	return v, err
}

// insert stores v. ErrAlreadyExists when a unique key is taken; fkErr when
// a reference is missing.
func (tb *table[T]) insert(ctx context.Context, t *txn, v *T) error {
	vals := tb.values(v)
	key, _ := vals[0].(string)
	op := "creating " + tb.noun + " " + key
	if err := t.writable(op); err != nil {
		return err
	}
	_, err := t.exec(ctx, op, tb.fkErr, tb.insertSQL, vals...)
	return err
}

// get returns the row with the given key, or ErrNotFound.
func (tb *table[T]) get(ctx context.Context, t *txn, id string) (T, error) {
	return tb.getWhere(ctx, t, "finding "+tb.noun+" "+id, tb.key+` = ?`, id)
}

// getWhere returns the one row that where (a condition on tb's columns)
// selects, or ErrNotFound.
func (tb *table[T]) getWhere(ctx context.Context, t *txn, op, where string, args ...any) (T, error) {
	v, err := tb.scan(t.queryRow(ctx, tb.selectSQL+` WHERE `+where, args...))
	if err != nil {
		var zero T
		return zero, t.dbError(op, err, nil)
	}
	return v, nil
}

// update is every Update's read-modify-write: it reads the row with the
// given key, lets fn change a copy, keeps what must not change, increases
// the version and writes the row back if its version is still the one read.
// An error from fn is returned unchanged and nothing is written.
// ErrNotFound when there is no such row; ErrConflict when another
// transaction wrote it first; ErrAlreadyExists or fkErr as for insert.
func (tb *table[T]) update(ctx context.Context, t *txn, id string, fn func(*T) error) (T, error) {
	var zero T
	op := "updating " + tb.noun + " " + id
	if err := t.writable(op); err != nil {
		return zero, err
	}
	old, err := tb.get(ctx, t, id)
	if err != nil {
		return zero, err
	}
	v := old
	if err := fn(&v); err != nil {
		return zero, err
	}
	tb.keep(old, &v)
	if tb.version != nil {
		*tb.version(&v) = *tb.version(&old) + 1
	}
	args := append(tb.values(&v)[1:], id)
	if tb.version != nil {
		args = append(args, *tb.version(&old))
	}
	n, err := t.exec(ctx, op, tb.fkErr, tb.updateSQL, args...)
	if err != nil {
		return zero, err
	}
	if n == 0 {
		// The row was there when read: another transaction moved its
		// version on first. (Under SERIALIZABLE that transaction fails to
		// serialize instead; the check stays, so a lost write is never
		// reported as made.)
		return zero, fmt.Errorf("%s: %s: %w", t.d.Name, op, storage.ErrConflict)
	}
	return v, nil
}

// list returns one page of rows matching where, ordered by key, after the
// page's cursor.
func (tb *table[T]) list(ctx context.Context, t *txn, op string, p storage.Page, where string, args []any, id func(T) string) (storage.List[T], error) {
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[T]{}, fmt.Errorf("%s: %s: %w", t.d.Name, op, err)
	}
	q := tb.selectSQL + ` WHERE ` + tb.key + ` > ?`
	if where != "" {
		q += ` AND ` + where
	}
	q += ` ORDER BY ` + tb.key + ` LIMIT ?`
	args = append(append([]any{after}, args...), limit+1)
	return queryList(ctx, t, op, q, args, limit, tb.scan, id)
}

// delete deletes the row of tb with the given key. ErrNotFound when
// there is none; fkErr when a row still refers to it (nil: internal).
func (tb *table[T]) delete(ctx context.Context, t *txn, id string, fkErr error) error {
	return deleteOne(ctx, t, "deleting "+tb.noun+" "+id, fkErr, `DELETE FROM `+tb.name+` WHERE `+tb.key+` = ?`, id)
}

// deleteOne runs q, a DELETE of at most one row, and returns ErrNotFound
// when it deleted none; fkErr when a row still refers to it.
func deleteOne(ctx context.Context, t *txn, op string, fkErr error, q string, args ...any) error {
	if err := t.writable(op); err != nil {
		return err
	}
	n, err := t.exec(ctx, op, fkErr, q, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %s: %w", t.d.Name, op, storage.ErrNotFound)
	}
	return nil
}

// upsertSQL returns tb's insert that, when a row with the same key (the
// columns of the unique index conflict) exists, replaces that row's other
// columns instead, except those named in keep. The key decides which, in
// one statement, so two concurrent puts cannot both insert.
func upsertSQL[T any](tb *table[T], conflict []string, keep ...string) string {
	var set []string
	for _, c := range tb.columns {
		if !slices.Contains(conflict, c) && !slices.Contains(keep, c) {
			set = append(set, c+` = excluded.`+c)
		}
	}
	return tb.insertSQL + ` ON CONFLICT (` + strings.Join(conflict, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
}

// crud gives a repository the Create, Get and Update of its table, as the
// storage interfaces spell them (see storage.CustomerRepo, for one): a
// repository embeds it and adds its lists and lookups.
type crud[T any, ID ~string] struct {
	t  *txn
	tb *table[T]
}

// Create stores v. ErrAlreadyExists when a unique key is taken; the table's
// fkErr when a reference is missing.
func (c crud[T, ID]) Create(ctx context.Context, v T) error {
	return c.tb.insert(ctx, c.t, &v)
}

// Get returns the row with the given key, or ErrNotFound.
func (c crud[T, ID]) Get(ctx context.Context, id ID) (T, error) {
	return c.tb.get(ctx, c.t, string(id))
}

// Update is table.update: read, change, write back if unchanged meanwhile.
func (c crud[T, ID]) Update(ctx context.Context, id ID, fn func(*T) error) (T, error) {
	return c.tb.update(ctx, c.t, string(id), fn)
}
