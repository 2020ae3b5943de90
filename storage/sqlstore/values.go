package sqlstore

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Values cross the driver boundary in forms both engines take: times as
// fixed-width UTC text (SQLite keeps the text, which sorts as the instants
// do; PostgreSQL parses it into timestamptz), JSON as text, booleans as
// bool (SQLite stores 0 or 1). The scanners below read either engine's
// form back.

// timeLayout is the text form of a time: UTC with microseconds, fixed width.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// ts returns t as a statement parameter.
func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTS is ts, with the zero time as NULL: an optional time that is unset.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// storedTime returns t as it reads back: in UTC, truncated to the
// microsecond, so Update returns what it wrote.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullString stores an empty string as NULL, so UNIQUE and FOREIGN KEY
// constraints ignore it.
func nullString[S ~string](s S) any {
	if s == "" {
		return nil
	}
	return string(s)
}

// timeCol scans a time column (text in SQLite, timestamptz in PostgreSQL)
// into *p, in UTC; NULL is the zero time.
type timeCol struct{ p *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = time.Time{}
	case time.Time:
		*c.p = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("reading a time from %T", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return fmt.Errorf("reading time %q: %w", s, err)
	}
	*c.p = t
	return nil
}

// tcol returns the scan destination of a time column.
func tcol(p *time.Time) timeCol { return timeCol{p} }

// strCol scans a nullable text column into *p; NULL is "".
type strCol[S ~string] struct{ p *S }

func (c strCol[S]) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = ""
	case string:
		*c.p = S(v)
	case []byte:
		*c.p = S(v)
	default:
		return fmt.Errorf("reading text from %T", src)
	}
	return nil
}

// scol returns the scan destination of a nullable text column.
func scol[S ~string](p *S) strCol[S] { return strCol[S]{p} }

// jsonCol scans a JSON column (text in SQLite, jsonb in PostgreSQL) into
// the value p points to.
type jsonCol struct{ p any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("reading JSON from %T", src)
	}
	return json.Unmarshal(b, c.p)
}

// jcol returns the scan destination of a JSON column.
func jcol(p any) jsonCol { return jsonCol{p} }

// jsonText returns v as the text of a JSON parameter.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// jsonValue is a JSON parameter that marshals when the driver asks.
type jsonValue struct{ v any }

func (j jsonValue) Value() (driver.Value, error) { return jsonText(j.v) }

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// anyOf returns ids as parameters, for an IN list of placeholders(len(ids)).
func anyOf[S ~string](ids []S) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// likePattern returns a LIKE pattern (for ESCAPE '\') matching s anywhere.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// normalize checks p as storage.Page.Normalize does and returns the ID to
// start after. A cursor that decodes to bytes no ID has (invalid UTF-8, or
// NUL, which PostgreSQL's text cannot hold) is Invalid too.
func normalize(p storage.Page) (after string, limit int, err error) {
	after, limit, err = p.Normalize()
	if err != nil {
		return "", 0, err
	}
	if !utf8.ValidString(after) || strings.ContainsRune(after, 0) {
		return "", 0, portalerr.Invalidf("cursor", "is not a cursor returned by this list")
	}
	return after, limit, nil
}

// queryList runs q, which selects at most limit+1 rows ordered by ID, and
// returns them as one page: the rows up to limit and the cursor after them.
func queryList[T any](ctx context.Context, t *txn, op, q string, args []any, limit int,
	scan func(scanner) (T, error), id func(T) string) (storage.List[T], error) {
	items, err := queryAll(ctx, t, op, q, args, min(limit+1, 16), scan)
	if err != nil {
		return storage.List[T]{}, err
	}
	items, next := storage.Trim(items, limit, id)
	return storage.List[T]{Items: items, NextCursor: next}, nil
}

// queryAll runs q and scans every row it returns.
func queryAll[T any](ctx context.Context, t *txn, op, q string, args []any, capacity int,
	scan func(scanner) (T, error)) ([]T, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.dbError(op, err, nil)
	}
	defer rows.Close()
	items := make([]T, 0, capacity)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.dbError(op, err, nil)
		}
		items = append(items, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.dbError(op, err, nil)
	}
	return items, nil
}

// conds is the where clause of a list, built from a filter: conditions
// joined by AND, with their arguments in order.
type conds struct {
	where []string
	args  []any
}

// eq adds column = value, unless value is empty: a zero filter field does
// not filter.
func (c *conds) eq(column, value string) {
	if value != "" {
		c.and(column+` = ?`, []any{value})
	}
}

// and adds cond and its arguments.
func (c *conds) and(cond string, args []any) {
	c.where = append(c.where, cond)
	c.args = append(c.args, args...)
}

func (c conds) String() string { return strings.Join(c.where, " AND ") }
