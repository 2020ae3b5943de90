package sqlstore

import (
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Dialect is what the store needs to know about a database engine: the few
// places where SQLite and PostgreSQL differ. Every query is written once,
// with ? placeholders; the dialect rewrites them and classifies the
// engine's errors. storage/sqlite and storage/postgres each build one.
type Dialect struct {
	// Name prefixes the store's errors: "sqlite", "postgres".
	Name string
	// NumberedPlaceholders rewrites ? as $1, $2, … (PostgreSQL).
	NumberedPlaceholders bool
	// ILike is the operator that matches a LIKE pattern ignoring case
	// (at least ASCII case): "LIKE" in SQLite, "ILIKE" in PostgreSQL.
	ILike string
	// SkipLocked is appended to the select of rows a worker claims:
	// " FOR UPDATE SKIP LOCKED" where several transactions write at once,
	// "" where writers take turns.
	SkipLocked string
	// Classify says what a driver error means; ErrOther when nothing the
	// store distinguishes.
	Classify func(err error) ErrorKind
	// TxAttempts is how many times InTx runs a transaction that failed
	// with a KindRetry error before it gives up with storage.ErrConflict;
	// 1 (or less) never retries.
	TxAttempts int
	// WriteTx and ReadTx are the options of InTx's and ReadTx's
	// transactions.
	WriteTx, ReadTx sql.TxOptions
	// PlanEach, when set, is an argument that, put before a statement's
	// own, has the driver plan the statement for its parameters each time
	// it runs rather than once (pgx.QueryExecModeExec): for substring
	// searches, whose best plan (a trigram index for a rare term, the
	// primary key for a common one) depends on the pattern. SQLite plans
	// every statement for its parameters anyway.
	PlanEach any
	// ClaimIsolation, when set, is the statement a transaction whose first
	// statement is an outbox claim runs first, to lower its isolation (see
	// storage/postgres); the transaction then takes no further statement.
	ClaimIsolation string
	// OrderNumber, when set, is the query that takes the next order number
	// from a sequence (PostgreSQL: nextval), which never makes concurrent
	// placements wait for one another. Without it the number comes from a
	// row of the counters table, which writers that take turns (SQLite)
	// update at no cost.
	OrderNumber string
	// RecordText, when set, is the table of an FTS5 trigram index of the
	// records' text (SQLite's record_text, with record_text_rows mapping
	// its row IDs to records), through which a search of records' text
	// across customers goes. Without it, LIKE on the records' columns
	// (which PostgreSQL answers from trigram indexes).
	RecordText string
	// TicketNumber is OrderNumber for ticket numbers (PostgreSQL:
	// nextval('ticket_number')); without it, the counters row
	// 'ticket_number'.
	TicketNumber string

	rebound  sync.Map // query text → rewritten text
	nRebound atomic.Int64
}

// ErrorKind is a class of driver errors the store maps to storage errors.
type ErrorKind int

const (
	// KindOther is any error the store does not distinguish: internal.
	KindOther ErrorKind = iota
	// KindUnique is a unique or primary key violation: ErrAlreadyExists.
	KindUnique
	// KindForeignKey is a foreign key violation: what it means depends on
	// the statement (a missing parent, or a child still in place).
	KindForeignKey
	// KindRetry is a serialization failure or a deadlock's victim: running
	// the transaction again may succeed.
	KindRetry
	// KindReadOnly is a write refused in a read-only transaction.
	KindReadOnly
	// KindBadText is text the database cannot store (a NUL byte).
	KindBadText
)

// maxRebound bounds the rewritten query texts a dialect keeps. Static
// queries are a few hundred; lists with IN-lists add one per length.
const maxRebound = 4096

// bind returns q with its placeholders as the engine wants them. It skips ?
// inside quoted strings.
func (d *Dialect) bind(q string) string {
	if !d.NumberedPlaceholders || !strings.Contains(q, "?") {
		return q
	}
	if v, ok := d.rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
			b.WriteByte(c)
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if d.nRebound.Load() < maxRebound {
		if _, loaded := d.rebound.LoadOrStore(q, out); !loaded {
			d.nRebound.Add(1)
		}
	}
	return out
}
