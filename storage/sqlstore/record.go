package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
)

type recordRepo struct{ t *txn }

func (t *txn) Records() storage.RecordRepo { return recordRepo{t} }

// recordRow is a records row: the record and its index texts.
type recordRow struct {
	r                 record.Record
	textAll, textShow string
}

// recordTable is the records row of a record; its history is rows of
// record_events, its identifier values rows of record_identifiers.
var recordTable = newTable(table[recordRow]{
	name: "records", noun: "record",
	columns: []string{"id", "customer_id", "site_id", "type", "type_version", "external_ref", "record_values",
		"text_all", "text_shown", "version", "created_at", "updated_at"},
	values: func(w *recordRow) []any {
		r := &w.r
		return []any{string(r.ID), nullString(r.CustomerID), string(r.SiteID), r.Type, r.TypeVersion, nullString(r.ExternalRef),
			attributesJSON(r.Values), w.textAll, w.textShow, r.Version, ts(r.CreatedAt), ts(r.UpdatedAt)}
	},
	dest: func(w *recordRow) []any {
		r := &w.r
		return []any{&r.ID, scol(&r.CustomerID), &r.SiteID, &r.Type, &r.TypeVersion, scol(&r.ExternalRef),
			attributesCol{&r.Values}, &w.textAll, &w.textShow, &r.Version, tcol(&r.CreatedAt), tcol(&r.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// DefineType stores one version of a type.
func (s recordRepo) DefineType(ctx context.Context, t record.Type) error {
	op := fmt.Sprintf("defining record type %s version %d", t.Name, t.Version)
	if err := s.t.writable(op); err != nil {
		return err
	}
	def, err := jsonText(t)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	_, err = s.t.exec(ctx, op, nil, `INSERT INTO record_types (name, version, definition) VALUES (?, ?, ?)`, t.Name, t.Version, def)
	return err
}

// Type returns one version of a type, the latest for 0.
func (s recordRepo) Type(ctx context.Context, name string, v int) (record.Type, error) {
	op := fmt.Sprintf("finding record type %s version %d", name, v)
	q, args := `SELECT definition FROM record_types WHERE name = ? AND version = ?`, []any{name, v}
	if v == 0 {
		q, args = `SELECT definition FROM record_types WHERE name = ? ORDER BY version DESC LIMIT 1`, []any{name}
	}
	var t record.Type
	if err := s.t.queryRow(ctx, q, args...).Scan(jcol(&t)); err != nil {
		return record.Type{}, s.t.dbError(op, err, nil)
	}
	return t, nil
}

// Types returns the latest version of every stored type.
func (s recordRepo) Types(ctx context.Context) ([]record.Type, error) {
	var out []record.Type
	var t record.Type
	err := eachRow(ctx, s.t, "listing record types", `SELECT definition FROM record_types d
		WHERE version = (SELECT max(version) FROM record_types l WHERE l.name = d.name) ORDER BY name`,
		nil, []any{jcol(&t)}, func() { out = append(out, t); t = record.Type{} })
	return out, err
}

// Create stores r, its history and its index.
func (s recordRepo) Create(ctx context.Context, r record.Record, ix storage.RecordIndex) error {
	w := recordRow{r: r, textAll: ix.TextAll, textShow: ix.TextShown}
	if err := recordTable.insert(ctx, s.t, &w); err != nil {
		return err
	}
	op := "creating record " + string(r.ID)
	if err := s.writeIndex(ctx, op, r, ix); err != nil {
		return err
	}
	if err := s.indexText(ctx, op, r.ID, nil, ix); err != nil {
		return err
	}
	return s.appendEvents(ctx, op, r.ID, 0, r.History)
}

// indexText puts record id's texts into the dialect's full-text index
// (Dialect.RecordText), if it has one, in place of old, the texts the
// index holds for it (nil for a new record): FTS5 forgets a row's terms
// only when told the text it indexed. A new record first gets its row ID
// in record_text_rows.
func (s recordRepo) indexText(ctx context.Context, op string, id record.ID, old *storage.RecordIndex, ix storage.RecordIndex) error {
	fts := s.t.d.RecordText
	if fts == "" {
		return nil
	}
	if old == nil {
		if _, err := s.t.exec(ctx, op, nil, `INSERT INTO record_text_rows (record_id) VALUES (?)`, string(id)); err != nil {
			return err
		}
	} else {
		if old.TextAll == ix.TextAll && old.TextShown == ix.TextShown {
			return nil
		}
		if _, err := s.t.exec(ctx, op, nil, `INSERT INTO `+fts+` (`+fts+`, rowid, text_all, text_shown)
			SELECT 'delete', rowid, ?, ? FROM record_text_rows WHERE record_id = ?`, old.TextAll, old.TextShown, string(id)); err != nil {
			return err
		}
	}
	_, err := s.t.exec(ctx, op, nil, `INSERT INTO `+fts+` (rowid, text_all, text_shown)
		SELECT rowid, ?, ? FROM record_text_rows WHERE record_id = ?`, ix.TextAll, ix.TextShown, string(id))
	return err
}

// writeIndex stores ix's identifier values as those of r.
func (s recordRepo) writeIndex(ctx context.Context, op string, r record.Record, ix storage.RecordIndex) error {
	args := make([]any, 0, len(ix.Identifiers)*4)
	for _, f := range slices.Sorted(maps.Keys(ix.Identifiers)) {
		args = append(args, r.Type, f, ix.Identifiers[f], string(r.ID))
	}
	if len(args) == 0 {
		return nil
	}
	return insertRows(ctx, s.t, op, `INSERT INTO record_identifiers (type, field, value, record_id) VALUES `, 4, args)
}

func jsonMap(m map[string]string) string {
	if m == nil {
		return "{}"
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

// appendEvents stores evs as the events after seq `after` of record id.
func (s recordRepo) appendEvents(ctx context.Context, op string, id record.ID, after int, evs []record.Event) error {
	args := make([]any, 0, len(evs)*9)
	for i, ev := range evs {
		args = append(args, string(id), after+i+1, string(ev.Kind), ts(ev.At), ev.By, ev.ByCustomer,
			jsonMap(ev.Before), jsonMap(ev.After), ev.Note)
	}
	if len(args) == 0 {
		return nil
	}
	return insertRows(ctx, s.t, op, `INSERT INTO record_events (record_id, seq, kind, at, by, by_customer, before, after, note) VALUES `, 9, args)
}

// Get returns the record with its history, or ErrNotFound.
func (s recordRepo) Get(ctx context.Context, id record.ID) (record.Record, error) {
	w, err := recordTable.get(ctx, s.t, string(id))
	if err != nil {
		return record.Record{}, err
	}
	return s.withHistory(ctx, w.r)
}

// ByExternalRef returns the record of a type with an external reference.
func (s recordRepo) ByExternalRef(ctx context.Context, typ, ref string) (record.Record, error) {
	w, err := recordTable.getWhere(ctx, s.t, fmt.Sprintf("finding %s record %q", typ, ref), `type = ? AND external_ref = ?`, typ, ref)
	if err != nil {
		return record.Record{}, err
	}
	return s.withHistory(ctx, w.r)
}

func (s recordRepo) withHistory(ctx context.Context, r record.Record) (record.Record, error) {
	var ev record.Event
	err := eachRow(ctx, s.t, "reading history of record "+string(r.ID),
		`SELECT kind, at, by, by_customer, before, after, note FROM record_events WHERE record_id = ? ORDER BY seq`,
		[]any{string(r.ID)}, []any{&ev.Kind, tcol(&ev.At), &ev.By, &ev.ByCustomer, attributesCol{&ev.Before}, attributesCol{&ev.After}, &ev.Note},
		func() { r.History = append(r.History, ev); ev = record.Event{} })
	if err != nil {
		return record.Record{}, err
	}
	return r, nil
}

// Change writes next if the stored version is still next.Version, replaces
// its index and appends evs.
func (s recordRepo) Change(ctx context.Context, next record.Record, ix storage.RecordIndex, evs ...record.Event) (record.Record, error) {
	op := "changing record " + string(next.ID)
	if err := s.t.writable(op); err != nil {
		return record.Record{}, err
	}
	var old storage.RecordIndex
	if s.t.d.RecordText != "" {
		err := s.t.queryRow(ctx, `SELECT text_all, text_shown FROM records WHERE id = ?`, string(next.ID)).Scan(&old.TextAll, &old.TextShown)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return record.Record{}, s.t.dbError(op, err, nil)
		}
	}
	n, err := s.t.exec(ctx, op, storage.ErrNotFound, `UPDATE records SET customer_id = ?, site_id = ?, type_version = ?,
		record_values = ?, text_all = ?, text_shown = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		nullString(next.CustomerID), string(next.SiteID), next.TypeVersion, attributesJSON(next.Values), ix.TextAll, ix.TextShown,
		ts(next.UpdatedAt), string(next.ID), next.Version)
	if err != nil {
		return record.Record{}, err
	}
	if n == 0 {
		var one int
		if err := s.t.queryRow(ctx, `SELECT 1 FROM records WHERE id = ?`, string(next.ID)).Scan(&one); err != nil {
			return record.Record{}, s.t.dbError(op, err, nil)
		}
		return record.Record{}, fmt.Errorf("%s: %s: not at version %d: %w", s.t.d.Name, op, next.Version, storage.ErrConflict)
	}
	if _, err := s.t.exec(ctx, op, nil, `DELETE FROM record_identifiers WHERE record_id = ?`, string(next.ID)); err != nil {
		return record.Record{}, err
	}
	stored, err := recordTable.get(ctx, s.t, string(next.ID))
	if err != nil {
		return record.Record{}, err
	}
	if err := s.writeIndex(ctx, op, stored.r, ix); err != nil {
		return record.Record{}, err
	}
	if err := s.indexText(ctx, op, next.ID, &old, ix); err != nil {
		return record.Record{}, err
	}
	if len(evs) > 0 {
		// The UPDATE holds the record's row, so nobody appends between
		// reading the last seq and the insert.
		var last int
		if err := s.t.queryRow(ctx, `SELECT coalesce(max(seq), 0) FROM record_events WHERE record_id = ?`, string(next.ID)).Scan(&last); err != nil {
			return record.Record{}, s.t.dbError(op, err, nil)
		}
		if err := s.appendEvents(ctx, op, next.ID, last, evs); err != nil {
			return record.Record{}, err
		}
	}
	return s.withHistory(ctx, stored.r)
}

// List returns one page of records matching f.
func (s recordRepo) List(ctx context.Context, f storage.RecordFilter, p storage.Page) (storage.List[record.Record], error) {
	const op = "listing records"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[record.Record]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	if (f.Field != "" || f.Value != "") && (f.Type == "" || f.Field == "") {
		return storage.List[record.Record]{}, fmt.Errorf("%s: %s: an identifier search needs a type and a field: %w", s.t.d.Name, op, storage.ErrNotFound)
	}
	// A search by identifier walks the identifiers' key, (type, field,
	// value, record), which holds the records of one value in ID order:
	// paging by i.record_id keeps it an index range scan that needs no
	// sort, whatever the size of the table.
	key := `r.id`
	if f.Field != "" {
		key = `i.record_id`
	}
	var w conds
	w.and(key+` > ?`, []any{after})
	switch {
	case f.CustomerID != "":
		w.eq(`r.customer_id`, string(f.CustomerID))
	case f.Unassigned:
		w.and(`r.customer_id IS NULL`, nil)
	}
	if f.Field == "" {
		// (A search by identifier has the type in the identifiers' key.)
		w.eq(`r.type`, f.Type)
	}
	if f.SiteIDs != nil {
		sites := slices.Compact(slices.Sorted(slices.Values(f.SiteIDs)))
		args := []any{""}
		for _, s := range sites {
			args = append(args, string(s))
		}
		w.and(`r.site_id IN (`+placeholders(len(args))+`)`, args)
	}
	if f.Text != "" && f.CustomerID == "" && s.t.d.RecordText != "" && ftsPattern(f.Text) {
		// Across customers, the FTS5 trigram index finds the records
		// whose text has f.Text (SQLite). Its LIKE takes no ESCAPE, so
		// ftsPattern keeps out texts with wildcards, and those too short
		// for a trigram, which the index cannot narrow down.
		col := `text_all`
		if f.ShownOnly {
			col = `text_shown`
		}
		w.and(`r.id IN (SELECT x.record_id FROM `+s.t.d.RecordText+` t JOIN record_text_rows x ON x.rowid = t.rowid WHERE t.`+col+` LIKE ?)`,
			[]any{"%" + f.Text + "%"})
	} else if f.Text != "" {
		col := `r.text_all`
		if f.ShownOnly {
			col = `r.text_shown`
		}
		if f.CustomerID != "" {
			// One customer's records are few enough to read through its
			// index, in ID order, until a page is found: that beats a
			// trigram index (PostgreSQL's, 00100) whose trigrams are common
			// across customers, such as those of numbers, and which the
			// planner, misjudging LIKE, would otherwise prefer. The
			// expression keeps it from using that index.
			col = `(` + col + ` || '')`
		}
		w.and(col+` LIKE ? ESCAPE '\'`, []any{likePattern(f.Text)})
	}
	from := `records r`
	var args []any
	if f.Field != "" {
		from = `record_identifiers i JOIN records r ON r.id = i.record_id`
		w.where = append([]string{`i.type = ? AND i.field = ? AND i.value = ?`}, w.where...)
		args = append(args, f.Type, f.Field, f.Value)
	}
	q := `SELECT ` + prefixed("r.", recordTable.columns) + ` FROM ` + from + ` WHERE ` + w.String() + ` ORDER BY ` + key + ` LIMIT ?`
	args = append(append(args, w.args...), limit+1)
	l, err := queryList(ctx, s.t, op, q, args, limit, recordTable.scan, func(w recordRow) string { return string(w.r.ID) })
	if err != nil {
		return storage.List[record.Record]{}, err
	}
	out := storage.List[record.Record]{Items: make([]record.Record, len(l.Items)), NextCursor: l.NextCursor}
	for i, w := range l.Items {
		out.Items[i] = w.r
	}
	return out, nil
}

var changeTable = newTable(table[record.ChangeRequest]{
	name: "record_changes", noun: "record change request",
	columns: []string{"id", "record_id", "customer_id", "changes", "before", "after", "base_version", "status",
		"requested_by", "decided_by", "decided_at", "note", "created_at"},
	values: func(c *record.ChangeRequest) []any {
		return []any{string(c.ID), string(c.RecordID), string(c.CustomerID), jsonMap(c.Changes), jsonMap(c.Before), jsonMap(c.After),
			c.BaseVersion, string(c.Status), c.RequestedBy, c.DecidedBy, nullTS(c.DecidedAt), c.Note, ts(c.CreatedAt)}
	},
	dest: func(c *record.ChangeRequest) []any {
		return []any{&c.ID, &c.RecordID, &c.CustomerID, attributesCol{&c.Changes}, attributesCol{&c.Before}, attributesCol{&c.After},
			&c.BaseVersion, &c.Status, &c.RequestedBy, &c.DecidedBy, tcol(&c.DecidedAt), &c.Note, tcol(&c.CreatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// CreateChange stores c.
func (s recordRepo) CreateChange(ctx context.Context, c record.ChangeRequest) error {
	return changeTable.insert(ctx, s.t, &c)
}

// GetChange returns a change request, or ErrNotFound.
func (s recordRepo) GetChange(ctx context.Context, id record.ChangeID) (record.ChangeRequest, error) {
	return changeTable.get(ctx, s.t, string(id))
}

// DecideChange stores c's decision while the stored request is pending.
func (s recordRepo) DecideChange(ctx context.Context, c record.ChangeRequest) error {
	op := "deciding record change request " + string(c.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	n, err := s.t.exec(ctx, op, nil, `UPDATE record_changes SET status = ?, decided_by = ?, decided_at = ?, note = ?
		WHERE id = ? AND status = 'pending'`, string(c.Status), c.DecidedBy, nullTS(c.DecidedAt), c.Note, string(c.ID))
	if err != nil {
		return err
	}
	if n == 0 {
		if _, err := changeTable.get(ctx, s.t, string(c.ID)); err != nil {
			return err
		}
		return fmt.Errorf("%s: %s: not pending: %w", s.t.d.Name, op, storage.ErrConflict)
	}
	return nil
}

// ListChanges returns one page of change requests matching f.
func (s recordRepo) ListChanges(ctx context.Context, f storage.ChangeFilter, p storage.Page) (storage.List[record.ChangeRequest], error) {
	var w conds
	w.eq(`customer_id`, string(f.CustomerID))
	w.eq(`record_id`, string(f.RecordID))
	w.eq(`status`, string(f.Status))
	return changeTable.list(ctx, s.t, "listing record change requests", p, w.String(), w.args,
		func(c record.ChangeRequest) string { return string(c.ID) })
}

// ftsPattern reports whether text can be searched through an FTS5
// trigram index as LIKE '%text%' without ESCAPE: it has no LIKE wildcard
// and at least one trigram.
func ftsPattern(text string) bool {
	return !strings.ContainsAny(text, `%_`) && utf8.RuneCountInString(text) >= 3
}
