package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the floor's driver, as storage/sqlite's

	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
)

// portalkitHandler is portalkit as the reference server wires it: the
// SQLite backend, a Portal and the HTTP handler with its access log,
// metrics, validation and Idempotency-Keys. The log goes nowhere, but is
// still written.
func portalkitHandler(ctx context.Context, db string) (http.Handler, func() error, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, cleanup, err := openPortal(ctx, db, log)
	if err != nil {
		return nil, nil, err
	}
	return httpapi.NewHandler(p, httpapi.WithLogger(log)), cleanup, nil
}

// openPortal opens the Portal over db as the reference server does, with
// its outbox worker running until cleanup.
func openPortal(ctx context.Context, db string, log *slog.Logger) (*portal.Portal, func() error, error) {
	store, err := openStore(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	p, err := portal.New(portal.Config{
		Store: store, Logger: log,
		// Order mail is rendered and "sent" by the outbox worker as in the
		// reference server, to a mailer that drops it.
		Mailer:   mailer.Func(func(context.Context, mailer.Message) error { return nil }),
		Branding: mailer.Branding{ProductName: "portalbench", PublicBaseURL: "http://127.0.0.1"},
		// Webhooks go to the bench's receiver on this machine, with the
		// events' data as the API shows it, as the reference server sends.
		Webhooks: portal.WebhookConfig{AllowHTTP: true, AllowPrivateAddresses: true, Data: httpapi.EventData},
	})
	if err != nil {
		_ = store.Close()
		return nil, nil, err
	}
	wctx, stop := context.WithCancel(ctx)
	worker := make(chan error, 1)
	go func() { worker <- p.RunOutbox(wctx, portal.OutboxOptions{}) }()
	hooks := make(chan error, 1)
	go func() { hooks <- p.RunWebhooks(wctx, portal.WebhookOptions{}) }()
	cleanup := func() error {
		stop()
		return errors.Join(<-worker, <-hooks, store.Close())
	}
	return p, cleanup, nil
}

// floor answers the view, list and place scenarios with hand-written SQL
// over the same database: the session token is looked up in a map loaded at
// start, nothing is validated and no policy is checked but "the order is
// the caller's customer's". It is what this machine can do for the same
// reads and writes, with nothing else in the way.
type floor struct {
	read, write *sql.DB
	sessions    map[string]string // token hash → customer ID
	// Statements are prepared once, as portalkit's SQLite backend keeps
	// them: reads by query text on first use, the writes at start (the one
	// write connection is busy inside transactions later).
	reads                                         sync.Map // query text → *sql.Stmt
	product, counter, insOrder, insLine, insEvent *sql.Stmt
}

// stmt returns the read statement for q, prepared on first use.
func (f *floor) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := f.reads.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := f.read.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := f.reads.LoadOrStore(q, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// query runs the read q with args on its prepared statement.
func (f *floor) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := f.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// floorHandler opens db with the pragmas storage/sqlite uses (WAL,
// synchronous NORMAL, one writer with BEGIN IMMEDIATE) and serves the floor.
func floorHandler(ctx context.Context, db string) (http.Handler, func() error, error) {
	params := func(extra ...string) string {
		q := url.Values{"_pragma": {"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Add(extra[i], extra[i+1])
		}
		return db + "?" + q.Encode()
	}
	write, err := sql.Open("sqlite", params("_txlock", "immediate"))
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", params("_pragma", "query_only(1)"))
	if err != nil {
		return nil, nil, errors.Join(err, write.Close())
	}
	// As many readers as storage/sqlite keeps: more connections than cores
	// only make SQLite's readers contend.
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	f := &floor{read: read, write: write, sessions: map[string]string{}}
	closeAll := func() error { return errors.Join(read.Close(), write.Close()) }
	rows, err := read.QueryContext(ctx, `SELECT token_hash, customer_id FROM sessions`)
	if err != nil {
		return nil, nil, errors.Join(err, closeAll())
	}
	for rows.Next() {
		var h, c string
		if err := rows.Scan(&h, &c); err != nil {
			return nil, nil, errors.Join(err, rows.Close(), closeAll())
		}
		f.sessions[h] = c
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, nil, errors.Join(err, closeAll())
	}
	for _, w := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&f.product, `SELECT sku, name, price_amount, price_currency FROM products WHERE id = ?`},
		{&f.counter, `INSERT INTO counters (name, value) VALUES ('order_number', 1)
			ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`},
		{&f.insOrder, `INSERT INTO orders (id, number, customer_id, site_id, kind, status, currency,
			delivery_line1, delivery_line2, delivery_postal_code, delivery_city, delivery_region, delivery_country,
			recipient_name, recipient_email, recipient_employee_number, requested_date, note, ordered_by, version, created_at, updated_at)
			VALUES (?, ?, ?, NULL, ?, 'submitted', ?, '', '', '', '', '', '', ?, ?, ?, NULL, '', 'floor', 1, ?, ?)`},
		{&f.insLine, `INSERT INTO order_lines (order_id, line, product_id, sku, name, unit_amount, unit_currency, quantity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&f.insEvent, `INSERT INTO order_events (order_id, seq, from_status, to_status, at, by, note) VALUES (?, 1, '', 'submitted', ?, 'floor', '')`},
	} {
		if *w.st, err = write.PrepareContext(ctx, w.q); err != nil {
			return nil, nil, errors.Join(err, closeAll())
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/customers/{customerId}/orders/{orderId}", f.view)
	mux.HandleFunc("GET /v1/customers/{customerId}/orders", f.list)
	mux.HandleFunc("POST /v1/customers/{customerId}/orders", f.place)
	return mux, closeAll, nil
}

// caller returns the customer the request's session belongs to, when that
// is the customer of the path.
func (f *floor) caller(r *http.Request) (string, bool) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	sum := sha256.Sum256([]byte(tok))
	cid, ok := f.sessions[hex.EncodeToString(sum[:])]
	return cid, ok && cid == r.PathValue("customerId")
}

type floorLine struct {
	ProductID string     `json:"product_id"`
	SKU       string     `json:"sku"`
	Name      string     `json:"name"`
	UnitPrice floorMoney `json:"unit_price"`
	Quantity  int        `json:"quantity"`
}

type floorMoney struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type floorEvent struct {
	From string `json:"from,omitempty"`
	To   string `json:"to"`
	At   string `json:"at"`
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
}

type floorOrder struct {
	ID         string       `json:"id"`
	Number     int64        `json:"number"`
	CustomerID string       `json:"customer_id"`
	Kind       string       `json:"kind"`
	Status     string       `json:"status"`
	Currency   string       `json:"currency"`
	Lines      []floorLine  `json:"lines"`
	Recipient  any          `json:"recipient"`
	History    []floorEvent `json:"history"`
	Version    int64        `json:"version"`
	CreatedAt  string       `json:"created_at"`
	UpdatedAt  string       `json:"updated_at"`
}

const floorOrderColumns = `id, number, customer_id, kind, status, currency, recipient_name, recipient_email, recipient_employee_number, version, created_at, updated_at`

func scanFloorOrder(sc interface{ Scan(...any) error }) (floorOrder, error) {
	var o floorOrder
	var name, email, number string
	err := sc.Scan(&o.ID, &o.Number, &o.CustomerID, &o.Kind, &o.Status, &o.Currency, &name, &email, &number, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	o.Recipient = map[string]string{"name": name, "email": email, "employee_number": number}
	return o, err
}

// details loads the lines and history of os, two queries for all of them.
func (f *floor) details(ctx context.Context, os []floorOrder) error {
	if len(os) == 0 {
		return nil
	}
	at := make(map[string]*floorOrder, len(os))
	args := make([]any, len(os))
	for i := range os {
		at[os[i].ID] = &os[i]
		args[i] = os[i].ID
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(os)), ",")
	rows, err := f.query(ctx, `SELECT order_id, product_id, sku, name, unit_amount, unit_currency, quantity FROM order_lines WHERE order_id IN (`+in+`) ORDER BY order_id, line`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var l floorLine
		if err := rows.Scan(&id, &l.ProductID, &l.SKU, &l.Name, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &l.Quantity); err != nil {
			return errors.Join(err, rows.Close())
		}
		at[id].Lines = append(at[id].Lines, l)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	rows, err = f.query(ctx, `SELECT order_id, from_status, to_status, at, by, note FROM order_events WHERE order_id IN (`+in+`) ORDER BY order_id, seq`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var e floorEvent
		if err := rows.Scan(&id, &e.From, &e.To, &e.At, &e.By, &e.Note); err != nil {
			return errors.Join(err, rows.Close())
		}
		at[id].History = append(at[id].History, e)
	}
	return errors.Join(rows.Err(), rows.Close())
}

func (f *floor) view(w http.ResponseWriter, r *http.Request) {
	cid, ok := f.caller(r)
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	st, err := f.stmt(r.Context(), `SELECT `+floorOrderColumns+` FROM orders WHERE id = ? AND customer_id = ?`)
	if err != nil {
		writeFloor(w, 0, nil, err)
		return
	}
	o, err := scanFloorOrder(st.QueryRowContext(r.Context(), r.PathValue("orderId"), cid))
	if errors.Is(err, sql.ErrNoRows) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	os := []floorOrder{o}
	if err == nil {
		err = f.details(r.Context(), os)
	}
	writeFloor(w, http.StatusOK, os[0], err)
}

func (f *floor) list(w http.ResponseWriter, r *http.Request) {
	cid, ok := f.caller(r)
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	rows, err := f.query(r.Context(), `SELECT `+floorOrderColumns+` FROM orders WHERE customer_id = ? ORDER BY id DESC LIMIT 50`, cid)
	if err != nil {
		writeFloor(w, 0, nil, err)
		return
	}
	var os []floorOrder
	for rows.Next() {
		o, err := scanFloorOrder(rows)
		if err != nil {
			writeFloor(w, 0, nil, errors.Join(err, rows.Close()))
			return
		}
		os = append(os, o)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		writeFloor(w, 0, nil, err)
		return
	}
	err = f.details(r.Context(), os)
	writeFloor(w, http.StatusOK, map[string]any{"items": os}, err)
}

func (f *floor) place(w http.ResponseWriter, r *http.Request) {
	cid, ok := f.caller(r)
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var in struct {
		Kind  string `json:"kind"`
		Lines []struct {
			ProductID string `json:"product_id"`
			Quantity  int    `json:"quantity"`
		} `json:"lines"`
		Recipient struct {
			Name           string `json:"name"`
			Email          string `json:"email"`
			EmployeeNumber string `json:"employee_number"`
		} `json:"recipient"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Lines) == 0 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	o := floorOrder{
		ID: "ord_" + uuid.Must(uuid.NewV7()).String(), CustomerID: cid, Kind: in.Kind, Status: "submitted",
		Recipient: in.Recipient, Version: 1, CreatedAt: now, UpdatedAt: now,
		History: []floorEvent{{To: "submitted", At: now, By: "floor"}},
	}
	tx, err := f.write.BeginTx(ctx, nil)
	if err != nil {
		writeFloor(w, 0, nil, err)
		return
	}
	defer func() { _ = tx.Rollback() }()
	for _, l := range in.Lines {
		fl := floorLine{ProductID: l.ProductID, Quantity: l.Quantity}
		err := tx.StmtContext(ctx, f.product).QueryRowContext(ctx, l.ProductID).
			Scan(&fl.SKU, &fl.Name, &fl.UnitPrice.Amount, &fl.UnitPrice.Currency)
		if err != nil {
			writeFloor(w, 0, nil, err)
			return
		}
		o.Currency = fl.UnitPrice.Currency
		o.Lines = append(o.Lines, fl)
	}
	err = tx.StmtContext(ctx, f.counter).QueryRowContext(ctx).Scan(&o.Number)
	if err == nil {
		_, err = tx.StmtContext(ctx, f.insOrder).ExecContext(ctx,
			o.ID, o.Number, cid, o.Kind, o.Currency, in.Recipient.Name, in.Recipient.Email, in.Recipient.EmployeeNumber, now, now)
	}
	for i, l := range o.Lines {
		if err != nil {
			break
		}
		_, err = tx.StmtContext(ctx, f.insLine).ExecContext(ctx,
			o.ID, i+1, l.ProductID, l.SKU, l.Name, l.UnitPrice.Amount, l.UnitPrice.Currency, l.Quantity)
	}
	if err == nil {
		_, err = tx.StmtContext(ctx, f.insEvent).ExecContext(ctx, o.ID, now)
	}
	if err == nil {
		err = tx.Commit()
	}
	writeFloor(w, http.StatusCreated, o, err)
}

func writeFloor(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		http.Error(w, fmt.Sprintf("floor: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
