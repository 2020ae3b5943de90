package portal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/warehouse"
)

// ID prefixes of records and their change requests.
const (
	PrefixRecord       = "rec"
	PrefixRecordChange = "rcr"
)

// MaxRecordUpserts is the most records one UpsertRecords call takes.
const MaxRecordUpserts = 1000

// DefaultClaimLimit bounds a customer's claims of records: 10 attempts in
// 15 minutes, for all its admins together.
var DefaultClaimLimit = Limit{N: 10, Window: 15 * time.Minute}

// recordSetup is the record part of Config, its defaults filled in.
type recordSetup struct {
	types *record.Registry
	claim Limit
}

func errRecordNotFound(id record.ID) error {
	return portalerr.New(portalerr.NotFound, "record %s not found", id)
}

func errRecordChangeNotFound(id record.ChangeID) error {
	return portalerr.New(portalerr.NotFound, "change request %s not found", id)
}

// errClaimFailed is the one answer to a claim that finds no record: no
// such record, values that do not match, a record of another customer.
var errClaimFailed = portalerr.New(portalerr.NotFound, "no unassigned record matches these identifiers")

// recordType returns version v (0: the latest) of the type named name: a
// type of Config.RecordTypes, else one defined through the API.
// ErrNotFound when there is none.
func (p *Portal) recordType(ctx context.Context, r storage.Repos, name string, v int) (record.Type, error) {
	if p.records.types.Has(name) {
		if t, ok := p.records.types.Lookup(name, v); ok {
			return t, nil
		}
		return record.Type{}, portalerr.New(portalerr.NotFound, "record type %s version %d not found", name, v)
	}
	t, err := r.Records().Type(ctx, name, v)
	if err != nil {
		return t, notFoundAs(err, portalerr.New(portalerr.NotFound, "record type %s not found", name))
	}
	return t, nil
}

// typeOf returns the type record rec was written with, its error named
// after the record.
func (p *Portal) typeOf(ctx context.Context, r storage.Repos, rec record.Record) (record.Type, error) {
	t, err := p.recordType(ctx, r, rec.Type, rec.TypeVersion)
	if err != nil {
		return t, fmt.Errorf("portal: loading the type of record %s: %w", rec.ID, err)
	}
	return t, nil
}

// typeFor returns the type a new record names: Invalid on "type" when
// there is no such type.
func (p *Portal) typeFor(ctx context.Context, r storage.Repos, name, field string) (record.Type, error) {
	t, err := p.recordType(ctx, r, name, 0)
	if errors.Is(err, storage.ErrNotFound) {
		return t, portalerr.Invalidf(field, "there is no record type %q", name)
	}
	return t, err
}

// shownType returns t as a customer user may see it: its shown fields.
func shownType(t record.Type) record.Type {
	t.Fields = slices.DeleteFunc(slices.Clone(t.Fields), func(f record.Field) bool { return !f.Customer })
	return t
}

// RecordTypes returns the latest version of every record type, by name:
// the types of Config.RecordTypes and those defined through the API. Staff
// and customer users may call it; a customer user sees only the fields
// shown to customers.
func (p *Portal) RecordTypes(ctx context.Context) ([]record.Type, error) {
	var out []record.Type
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordTypes, "", "")
		if err != nil {
			return err
		}
		stored, err := r.Records().Types(ctx)
		if err != nil {
			return fmt.Errorf("portal: listing record types: %w", err)
		}
		out = append(p.records.types.Latest(), stored...)
		slices.SortFunc(out, func(a, b record.Type) int { return strings.Compare(a.Name, b.Name) })
		if a.user() {
			for i := range out {
				out[i] = shownType(out[i])
			}
		}
		return nil
	})
	return out, err
}

// RecordType returns version v (0: the latest) of the record type named
// name, as RecordTypes returns types. NotFound when there is none.
func (p *Portal) RecordType(ctx context.Context, name string, v int) (record.Type, error) {
	var out record.Type
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordTypes, "", "")
		if err != nil {
			return err
		}
		if out, err = p.recordType(ctx, r, name, v); err != nil {
			return err
		}
		if a.user() {
			out = shownType(out)
		}
		return nil
	})
	return out, err
}

// DefineRecordType stores t as the next version of its type (the first
// is 1; t.Version is ignored). Staff admins may call it. Records keep the
// version they were made with until staff change them. AlreadyExists for
// the name of a type defined in Go; Invalid for a definition
// record.Type.Check refuses, or an action naming no ticket type.
func (p *Portal) DefineRecordType(ctx context.Context, t record.Type) (record.Type, error) {
	if p.records.types.Has(t.Name) {
		return record.Type{}, portalerr.New(portalerr.AlreadyExists, "record type %s is defined in the server's code and cannot be changed here", t.Name)
	}
	t.Builtin = false
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordTypeManage, "", "")
		if err != nil {
			return err
		}
		t.Version = 1
		latest, err := r.Records().Type(ctx, t.Name, 0)
		switch {
		case err == nil:
			t.Version = latest.Version + 1
		case !errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("portal: loading record type: %w", err)
		}
		var bad []portalerr.FieldViolation
		bad = append(bad, portalerr.FieldsOf(t.Check())...)
		for i, act := range t.Actions {
			if _, ok := p.tickets.types.Lookup(act.TicketType); !ok && record.ValidName(act.TicketType) {
				bad = append(bad, portalerr.FieldViolation{Field: fmt.Sprintf("actions[%d].ticket_type", i), Message: "is not a ticket type"})
			}
		}
		if err := portalerr.InvalidFields(bad...); err != nil {
			return err
		}
		if err := r.Records().DefineType(ctx, t); err != nil {
			return fmt.Errorf("portal: defining record type: %w", err)
		}
		return p.record(ctx, r, a.who.Actor(), "record_type.defined", "", fmt.Sprintf("%s@%d", t.Name, t.Version), t)
	})
	if err != nil {
		return record.Type{}, err
	}
	return t, nil
}

// index returns what storage finds r (of type t) by.
func index(t record.Type, r record.Record) storage.RecordIndex {
	return storage.RecordIndex{
		Identifiers: t.Identifiers(r.Values),
		TextAll:     t.SearchText(r.ExternalRef, r.Values, false),
		TextShown:   t.SearchText(r.ExternalRef, r.Values, true),
	}
}

// checkRecordRefs checks that the sites and stock items values name are
// customer cid's (none while the record has no customer), and that site
// is. Every bad one is named in one Invalid error, under prefix.
func checkRecordRefs(ctx context.Context, r storage.Repos, cid customer.ID, site customer.SiteID, t record.Type, values map[string]string, prefix string) error {
	var bad []portalerr.FieldViolation
	checkSite := func(field string, id customer.SiteID) error {
		s, err := r.Sites().Get(ctx, id)
		switch {
		case cid == "", errors.Is(err, storage.ErrNotFound), err == nil && s.CustomerID != cid:
			bad = append(bad, portalerr.FieldViolation{Field: prefix + field, Message: fmt.Sprintf("%s is not a site of the record's customer", id)})
		case err != nil:
			return fmt.Errorf("portal: loading site: %w", err)
		}
		return nil
	}
	if site != "" {
		if err := checkSite("site_id", site); err != nil {
			return err
		}
	}
	for _, f := range t.Fields {
		v := values[f.Name]
		if v == "" {
			continue
		}
		switch f.Kind {
		case record.KindSite:
			if err := checkSite("values."+f.Name, customer.SiteID(v)); err != nil {
				return err
			}
		case record.KindStockItem:
			it, err := r.Stock().Get(ctx, warehouse.ItemID(v))
			switch {
			case cid == "", errors.Is(err, storage.ErrNotFound), err == nil && it.CustomerID != cid:
				bad = append(bad, portalerr.FieldViolation{Field: prefix + "values." + f.Name, Message: fmt.Sprintf("%s is not a stock item of the record's customer", v)})
			case err != nil:
				return fmt.Errorf("portal: loading stock item: %w", err)
			}
		}
	}
	return portalerr.InvalidFields(bad...)
}

// RecordParams are a record as staff create it.
type RecordParams struct {
	Type        string            `json:"type" validate:"required,max=64"`
	ExternalRef string            `json:"external_ref" validate:"max=200"`
	SiteID      customer.SiteID   `json:"site_id" validate:"max=100"`
	Values      map[string]string `json:"values" validate:"max=50"`
}

// newRecord checks params for a record of customer cid (empty: nobody)
// and returns it, with its creation as its first event.
func (p *Portal) newRecord(ctx context.Context, r storage.Repos, a access, cid customer.ID, params RecordParams, prefix string) (record.Record, record.Type, error) {
	t, err := p.typeFor(ctx, r, params.Type, prefix+"type")
	if err != nil {
		return record.Record{}, t, err
	}
	var bad []portalerr.FieldViolation
	if err := record.CheckExternalRef(params.ExternalRef); err != nil {
		bad = append(bad, portalerr.FieldViolation{Field: prefix + "external_ref", Message: portalerr.FieldsOf(err)[0].Message})
	}
	values, err := t.CheckValues(params.Values)
	for _, f := range portalerr.FieldsOf(err) {
		bad = append(bad, portalerr.FieldViolation{Field: prefix + f.Field, Message: f.Message})
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return record.Record{}, t, err
	}
	if err := checkRecordRefs(ctx, r, cid, params.SiteID, t, values, prefix); err != nil {
		return record.Record{}, t, err
	}
	now := p.timestamp()
	rec := record.Record{
		ID: record.ID(p.ids.NewID(PrefixRecord)), CustomerID: cid, SiteID: params.SiteID,
		Type: t.Name, TypeVersion: t.Version, ExternalRef: params.ExternalRef, Values: values,
		History: []record.Event{{Kind: record.EventCreated, At: now, By: a.who.Actor(), After: values}},
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	return rec, t, nil
}

// CreateRecord creates a record of customer cid. Staff may call it.
// Invalid for an unknown type, values the type refuses, or a site or
// stock item that is not the customer's; AlreadyExists when the external
// reference is taken among the type's records.
func (p *Portal) CreateRecord(ctx context.Context, cid customer.ID, params RecordParams) (record.Record, error) {
	if err := validStruct(params); err != nil {
		return record.Record{}, err
	}
	var out record.Record
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordManage, cid, "")
		if err != nil {
			return err
		}
		if _, err := a.customerOf(ctx, r, cid); err != nil {
			return err
		}
		rec, t, err := p.newRecord(ctx, r, a, cid, params, "")
		if err != nil {
			return err
		}
		noteObject(r, string(rec.ID))
		if err := r.Records().Create(ctx, rec, index(t, rec)); err != nil {
			return fmt.Errorf("portal: creating record: %w", err)
		}
		out = rec
		return p.recordDiff(ctx, r, a, "record.created", cid, string(rec.ID), nil, nil, rec)
	})
	return out, err
}

// UpsertRecordParams are one record of a bulk upsert: found by its type
// and external reference, created when there is none.
type UpsertRecordParams struct {
	// CustomerID is the record's customer; empty leaves it to be claimed
	// (or, for an existing record, unassigns it).
	CustomerID  customer.ID       `json:"customer_id" validate:"max=100"`
	Type        string            `json:"type" validate:"required,max=64"`
	ExternalRef string            `json:"external_ref" validate:"required,max=200"`
	SiteID      customer.SiteID   `json:"site_id" validate:"max=100"`
	Values      map[string]string `json:"values" validate:"max=50"`
}

// UpsertOutcome says what an upsert did to one record.
type UpsertOutcome string

// Upsert outcomes.
const (
	UpsertCreated   UpsertOutcome = "created"
	UpsertUpdated   UpsertOutcome = "updated"
	UpsertUnchanged UpsertOutcome = "unchanged"
)

// UpsertResult is what an upsert did to one record, in the order given.
type UpsertResult struct {
	RecordID record.ID
	Outcome  UpsertOutcome
}

// UpsertRecords creates or updates up to MaxRecordUpserts records by their
// type and external reference, in one transaction: all or nothing. A
// record whose customer, site and values are as given is left unchanged
// (no version, no history), so repeating a request changes nothing. An
// updated record moves to the type's latest version. Staff may call it.
// Invalid names every bad record as "records[i]…", and refuses more than
// MaxRecordUpserts records or one type and reference given twice.
func (p *Portal) UpsertRecords(ctx context.Context, items []UpsertRecordParams) ([]UpsertResult, error) {
	if len(items) == 0 {
		return nil, portalerr.Invalidf("records", "give at least one record")
	}
	if len(items) > MaxRecordUpserts {
		return nil, portalerr.Invalidf("records", "at most %d records per request, got %d: send them in several requests", MaxRecordUpserts, len(items))
	}
	var bad []portalerr.FieldViolation
	seen := map[[2]string]int{}
	for i, it := range items {
		prefix := fmt.Sprintf("records[%d].", i)
		for _, f := range portalerr.FieldsOf(validStruct(it)) {
			bad = append(bad, portalerr.FieldViolation{Field: prefix + f.Field, Message: f.Message})
		}
		k := [2]string{it.Type, it.ExternalRef}
		if j, ok := seen[k]; ok {
			bad = append(bad, portalerr.FieldViolation{Field: prefix + "external_ref", Message: fmt.Sprintf("repeats records[%d]", j)})
		}
		seen[k] = i
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return nil, err
	}
	out := make([]UpsertResult, len(items))
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordManage, "", "")
		if err != nil {
			return err
		}
		customers := map[customer.ID]bool{}
		var bad []portalerr.FieldViolation
		for i, it := range items {
			prefix := fmt.Sprintf("records[%d].", i)
			if it.CustomerID != "" && !customers[it.CustomerID] {
				switch _, err := r.Customers().Get(ctx, it.CustomerID); {
				case errors.Is(err, storage.ErrNotFound):
					bad = append(bad, portalerr.FieldViolation{Field: prefix + "customer_id", Message: fmt.Sprintf("there is no customer %s", it.CustomerID)})
					continue
				case err != nil:
					return fmt.Errorf("portal: loading customer: %w", err)
				}
				customers[it.CustomerID] = true
			}
			res, err := p.upsertRecord(ctx, r, a, it, prefix)
			if fs := portalerr.FieldsOf(err); len(fs) > 0 && portalerr.CodeOf(err) == portalerr.Invalid {
				bad = append(bad, fs...)
				continue
			}
			if err != nil {
				return err
			}
			out[i] = res
		}
		return portalerr.InvalidFields(bad...)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// upsertRecord creates or updates the record of one upsert.
func (p *Portal) upsertRecord(ctx context.Context, r storage.Repos, a access, it UpsertRecordParams, prefix string) (UpsertResult, error) {
	params := RecordParams{Type: it.Type, ExternalRef: it.ExternalRef, SiteID: it.SiteID, Values: it.Values}
	fresh, t, err := p.newRecord(ctx, r, a, it.CustomerID, params, prefix)
	if err != nil {
		return UpsertResult{}, err
	}
	old, err := r.Records().ByExternalRef(ctx, t.Name, it.ExternalRef)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if err := r.Records().Create(ctx, fresh, index(t, fresh)); err != nil {
			return UpsertResult{}, fmt.Errorf("portal: creating record: %w", err)
		}
		if err := p.recordDiff(ctx, r, a, "record.created", fresh.CustomerID, string(fresh.ID), nil, nil, fresh); err != nil {
			return UpsertResult{}, err
		}
		return UpsertResult{RecordID: fresh.ID, Outcome: UpsertCreated}, nil
	case err != nil:
		return UpsertResult{}, fmt.Errorf("portal: loading record: %w", err)
	}
	before, after := record.Diff(old.Values, fresh.Values)
	if len(before)+len(after) == 0 && old.CustomerID == it.CustomerID && old.SiteID == it.SiteID && old.TypeVersion == t.Version {
		return UpsertResult{RecordID: old.ID, Outcome: UpsertUnchanged}, nil
	}
	next := old
	next.CustomerID, next.SiteID, next.TypeVersion, next.Values, next.UpdatedAt = it.CustomerID, it.SiteID, t.Version, fresh.Values, fresh.UpdatedAt
	evs := []record.Event{}
	if before != nil || after != nil {
		evs = append(evs, record.Event{Kind: record.EventChanged, At: next.UpdatedAt, By: a.who.Actor(), Before: before, After: after})
	}
	if old.CustomerID != next.CustomerID || old.SiteID != next.SiteID {
		evs = append(evs, assignedEvent(next, next.UpdatedAt, a.who.Actor()))
	}
	stored, err := r.Records().Change(ctx, next, index(t, next), evs...)
	if err != nil {
		return UpsertResult{}, fmt.Errorf("portal: updating record: %w", err)
	}
	// The record's new customer's event, or its old one's when it was
	// unassigned.
	if err := p.recordChanges(ctx, r, a.who.Actor(), "record.updated", cmp.Or(next.CustomerID, old.CustomerID), string(old.ID),
		recordValueChanges(t, old, next), stored); err != nil {
		return UpsertResult{}, err
	}
	return UpsertResult{RecordID: old.ID, Outcome: UpsertUpdated}, nil
}

func assignedEvent(r record.Record, at time.Time, by string) record.Event {
	to := "customer " + string(r.CustomerID)
	if r.CustomerID == "" {
		to = "nobody"
	}
	if r.SiteID != "" {
		to += ", site " + string(r.SiteID)
	}
	return record.Event{Kind: record.EventAssigned, At: at, By: by, Note: "assigned to " + to}
}

// loadRecord loads a record of customer cid as the caller may see it:
// another customer's, or one of a site a member is not limited to, is
// NotFound.
func loadRecord(ctx context.Context, r storage.Repos, a access, cid customer.ID, id record.ID) (record.Record, error) {
	rec, err := r.Records().Get(ctx, id)
	if err != nil {
		return rec, notFoundAs(err, errRecordNotFound(id))
	}
	// An empty cid names no customer: the records of none are not
	// anybody's to read through these use cases.
	if cid == "" || rec.CustomerID != cid || (a.sites() != nil && rec.SiteID != "" && !a.membership.CoversSite(rec.SiteID)) {
		return record.Record{}, errRecordNotFound(id)
	}
	return rec, nil
}

// asSeen returns rec as the caller may see it: for a customer user, the
// fields shown to customers only, in its values and its history, and no
// external reference.
func (p *Portal) asSeen(ctx context.Context, r storage.Repos, a access, rec record.Record) (record.Record, error) {
	if !a.user() {
		return rec, nil
	}
	t, err := p.typeOf(ctx, r, rec)
	if err != nil {
		return rec, err
	}
	rec.ExternalRef = ""
	rec.Values = t.Shown(rec.Values)
	hist := make([]record.Event, len(rec.History))
	for i, ev := range rec.History {
		hist[i] = ev.Shown(t)
	}
	rec.History = hist
	return rec, nil
}

// GetRecord returns one of a customer's records with its history. Staff
// and the customer's users may call it; a customer user gets only the
// fields shown to customers, and a member limited to some sites the
// records of those sites and of none.
func (p *Portal) GetRecord(ctx context.Context, cid customer.ID, id record.ID) (record.Record, error) {
	var out record.Record
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordRead, cid, "")
		if err != nil {
			return err
		}
		rec, err := loadRecord(ctx, r, a, cid, id)
		if err != nil {
			return err
		}
		out, err = p.asSeen(ctx, r, a, rec)
		return err
	})
	return out, err
}

// ListRecordsParams search and page a customer's records.
type ListRecordsParams struct {
	Type string `json:"type" validate:"max=64"`
	// Field and Value find records of Type whose identifier field Field is
	// exactly Value.
	Field string `json:"field" validate:"max=64,required_with=Value"`
	Value string `json:"value" validate:"max=2000,required_with=Field"`
	// Q finds records whose values (for customer users: the shown ones)
	// contain it, ignoring case.
	Q      string `json:"q" validate:"max=200"`
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

func (p ListRecordsParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }

// ListRecords returns one page of a customer's records, oldest first,
// without their history. Staff and the customer's users may call it, as
// GetRecord. Invalid when Field is not an identifier field of Type.
func (p *Portal) ListRecords(ctx context.Context, cid customer.ID, params ListRecordsParams) (List[record.Record], error) {
	return listIn(ctx, p, "records", ActRecordRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[record.Record], error) {
		f, err := p.recordFilter(ctx, r, a, params)
		if err != nil {
			return storage.List[record.Record]{}, err
		}
		f.CustomerID, f.SiteIDs = cid, a.sites()
		l, err := r.Records().List(ctx, f, page)
		if err != nil {
			return l, err
		}
		for i := range l.Items {
			if l.Items[i], err = p.asSeen(ctx, r, a, l.Items[i]); err != nil {
				return l, err
			}
		}
		return l, nil
	})
}

// recordFilter checks a search and returns its filter.
func (p *Portal) recordFilter(ctx context.Context, r storage.Repos, a access, params ListRecordsParams) (storage.RecordFilter, error) {
	f := storage.RecordFilter{Type: params.Type, Text: strings.ToLower(strings.TrimSpace(params.Q)), ShownOnly: a.user()}
	if params.Field == "" {
		return f, nil
	}
	if params.Type == "" {
		return f, portalerr.Invalidf("type", "a search by an identifier needs the type")
	}
	t, err := p.typeFor(ctx, r, params.Type, "type")
	if err != nil {
		return f, err
	}
	if fd, ok := t.Field(params.Field); !ok || !fd.Identifier {
		return f, portalerr.Invalidf("field", "must be an identifier field of %s: %s", t.Name, strings.Join(t.IdentifierFields(), ", "))
	}
	f.Field, f.Value = params.Field, strings.TrimSpace(params.Value)
	return f, nil
}

// AllRecordsParams search and page the records across customers.
type AllRecordsParams struct {
	ListRecordsParams
	CustomerID customer.ID `json:"customer_id" validate:"max=100"`
	// Unassigned keeps the records of no customer; not with CustomerID.
	Unassigned bool `json:"unassigned" validate:"excluded_with=CustomerID"`
}

// AllRecords returns one page of records across customers (or of one,
// or of none), oldest first. Staff may call it.
func (p *Portal) AllRecords(ctx context.Context, params AllRecordsParams) (List[record.Record], error) {
	if err := validStruct(params); err != nil {
		return List[record.Record]{}, err
	}
	lc, page, err := p.openList(ctx, "all_records", "", params)
	if err != nil {
		return List[record.Record]{}, err
	}
	var out List[record.Record]
	err = p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordManage, "", "")
		if err != nil {
			return err
		}
		f, err := p.recordFilter(ctx, r, a, params.ListRecordsParams)
		if err != nil {
			return err
		}
		f.CustomerID, f.Unassigned = params.CustomerID, params.Unassigned
		out, err = listPage(r.Records().List(ctx, f, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// UpdateRecordParams are an edit of a record.
type UpdateRecordParams struct {
	// Version is the version of the record the edit was made on (the
	// ETag's); a record at another version is a Conflict.
	Version int64 `json:"version" validate:"min=1"`
	// Values are the fields to change, by name; an empty value clears one.
	Values map[string]string `json:"values" validate:"max=50"`
	// SiteID, for staff, moves the record to another site of its
	// customer; nil leaves it, an empty string takes it off its site.
	SiteID *customer.SiteID `json:"site_id" validate:"omitempty,max=100"`
}

// RecordEdit is what an edit did: the record as it stands, and the change
// request the edit became when it needs approval (the record is then
// unchanged).
type RecordEdit struct {
	Record  record.Record
	Request *record.ChangeRequest
}

// UpdateRecord edits one of a customer's records. Staff change any field,
// and the record's site; a customer's maintainers and admins change the
// shown fields their type's edit rules allow (record.Type.CheckEdit: a
// refused edit names the field and the rule). An edit of a field that
// needs approval is stored as a pending change request instead, for staff
// to decide; FailedPrecondition (rule approval) while one for the same
// field waits. Conflict when the record is not at params.Version.
func (p *Portal) UpdateRecord(ctx context.Context, cid customer.ID, id record.ID, params UpdateRecordParams) (RecordEdit, error) {
	if err := validStruct(params); err != nil {
		return RecordEdit{}, err
	}
	var out RecordEdit
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordEdit, cid, "")
		if err != nil {
			return err
		}
		if a.user() && params.SiteID != nil {
			return portalerr.Invalidf("site_id", "only the provider moves a record to another site")
		}
		rec, err := loadRecord(ctx, r, a, cid, id)
		if err != nil {
			return err
		}
		if rec.Version != params.Version {
			return portalerr.New(portalerr.Conflict, "record %s is at version %d, not %d: reload it", id, rec.Version, params.Version)
		}
		t, err := p.typeOf(ctx, r, rec)
		if err != nil {
			return err
		}
		ed := record.Editor{Staff: !a.user(), Role: a.membership.Role, By: a.who.Actor()}
		if a.who.ReadOnly {
			ed.Role = customer.RoleViewer
		}
		now := p.timestamp()
		next := rec
		var edit record.Edit
		if len(params.Values) > 0 || params.SiteID == nil {
			if edit, err = t.CheckEdit(rec, params.Values, ed, now); err != nil {
				return err
			}
			next.Values = edit.Values
		}
		if params.SiteID != nil {
			next.SiteID = *params.SiteID
		}
		if err := checkRecordRefs(ctx, r, cid, next.SiteID, t, next.Values, ""); err != nil {
			return err
		}
		if edit.NeedsApproval {
			c, err := p.requestChange(ctx, r, a, rec, params.Values, edit, now)
			if err != nil {
				return err
			}
			if err := p.recordDiff(ctx, r, a, "record_change.requested", cid, string(c.ID), nil, nil, c); err != nil {
				return err
			}
			out.Request = &c
			out.Record, err = p.asSeen(ctx, r, a, rec)
			return err
		}
		var evs []record.Event
		if edit.Before != nil || edit.After != nil {
			evs = append(evs, record.Event{Kind: record.EventChanged, At: now, By: a.who.Actor(), ByCustomer: a.user(), Before: edit.Before, After: edit.After})
		}
		if next.SiteID != rec.SiteID {
			evs = append(evs, assignedEvent(next, now, a.who.Actor()))
		}
		if len(evs) == 0 {
			return portalerr.Invalidf("values", "changes nothing")
		}
		next.UpdatedAt = now
		stored, err := r.Records().Change(ctx, next, index(t, next), evs...)
		if err != nil {
			return fmt.Errorf("portal: changing record: %w", err)
		}
		if err := p.recordChanges(ctx, r, a.who.Actor(), "record.updated", cid, string(id), recordValueChanges(t, rec, next), stored); err != nil {
			return err
		}
		out.Record, err = p.asSeen(ctx, r, a, stored)
		return err
	})
	return out, err
}

// requestChange stores edit of rec as a pending change request, unless
// one for a field it changes waits already.
func (p *Portal) requestChange(ctx context.Context, r storage.Repos, a access, rec record.Record, changes map[string]string, edit record.Edit, now time.Time) (record.ChangeRequest, error) {
	pending, err := r.Records().ListChanges(ctx, storage.ChangeFilter{RecordID: rec.ID, Status: record.ChangePending}, storage.Page{Limit: 100})
	if err != nil {
		return record.ChangeRequest{}, fmt.Errorf("portal: listing change requests: %w", err)
	}
	for _, c := range pending.Items {
		for f := range changes {
			if _, ok := c.Changes[f]; ok {
				return record.ChangeRequest{}, &portalerr.Error{Code: portalerr.FailedPrecondition,
					Message: fmt.Sprintf("values.%s: refused by rule %s: a change of it waits for approval (%s)", f, record.RuleApproval, c.ID),
					Fields:  []portalerr.FieldViolation{{Field: "values." + f, Message: record.RuleApproval + ": a change of it waits for approval already"}}}
			}
		}
	}
	c := record.ChangeRequest{
		ID: record.ChangeID(p.ids.NewID(PrefixRecordChange)), RecordID: rec.ID, CustomerID: rec.CustomerID,
		Changes: maps.Clone(changes), Before: edit.Before, After: edit.After, BaseVersion: rec.Version,
		Status: record.ChangePending, RequestedBy: a.who.Actor(), CreatedAt: now,
	}
	noteObject(r, string(c.ID))
	if err := r.Records().CreateChange(ctx, c); err != nil {
		return c, fmt.Errorf("portal: storing change request: %w", err)
	}
	return c, nil
}

// ListRecordChangesParams filter and page change requests.
type ListRecordChangesParams struct {
	// Status keeps requests in this status; empty keeps all.
	Status     record.ChangeStatus `json:"status" validate:"omitempty,oneof=pending approved rejected"`
	CustomerID customer.ID         `json:"customer_id" validate:"max=100"`
	RecordID   record.ID           `json:"record_id" validate:"max=100"`
	Cursor     string              `json:"cursor" validate:"max=200"`
	Limit      int                 `json:"limit" validate:"min=0,max=100"`
}

func (p ListRecordChangesParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// RecordChanges returns one page of change requests across customers,
// oldest first: with Status pending, the staff inbox. Staff may call it.
func (p *Portal) RecordChanges(ctx context.Context, params ListRecordChangesParams) (List[record.ChangeRequest], error) {
	if err := validStruct(params); err != nil {
		return List[record.ChangeRequest]{}, err
	}
	lc, page, err := p.openList(ctx, "record_changes", "", params)
	if err != nil {
		return List[record.ChangeRequest]{}, err
	}
	var out List[record.ChangeRequest]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActRecordApprove, "", ""); err != nil {
			return err
		}
		out, err = listPage(r.Records().ListChanges(ctx, storage.ChangeFilter{
			CustomerID: params.CustomerID, RecordID: params.RecordID, Status: params.Status}, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// DecideRecordChangeParams decide a change request.
type DecideRecordChangeParams struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note" validate:"max=2000"`
}

// DecideRecordChange approves or rejects a pending change request. An
// approved one is applied to its record if the record is still at the
// version the request was made on, and recorded in the history as the
// requester's change; Conflict when the record changed since (reject the
// request, and the customer asks again). FailedPrecondition for a request
// decided already. The customer user who asked is mailed the decision
// (NotifyRecordChangeDecided) with the note, if still an active member
// who may see the record. Staff may call it.
func (p *Portal) DecideRecordChange(ctx context.Context, id record.ChangeID, params DecideRecordChangeParams) (record.ChangeRequest, error) {
	if err := validStruct(params); err != nil {
		return record.ChangeRequest{}, err
	}
	var out record.ChangeRequest
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordApprove, "", "")
		if err != nil {
			return err
		}
		c, err := r.Records().GetChange(ctx, id)
		if err != nil {
			return notFoundAs(err, errRecordChangeNotFound(id))
		}
		now := p.timestamp()
		if out, err = c.Decide(params.Approve, a.who.Actor(), now, strings.TrimSpace(params.Note)); err != nil {
			return err
		}
		if params.Approve {
			if err := p.applyChange(ctx, r, a, c, now); err != nil {
				return err
			}
		}
		if err := r.Records().DecideChange(ctx, out); err != nil {
			return fmt.Errorf("portal: deciding change request: %w", err)
		}
		if err := p.notifyChangeDecided(ctx, r, out); err != nil {
			return err
		}
		return p.record(ctx, r, a.who.Actor(), "record_change."+string(out.Status), c.CustomerID, string(c.ID), out)
	})
	return out, err
}

// notifyChangeDecided tells the customer user who asked for change c
// what staff decided (c's status and note), in that user's language, if
// the user is still active and may still see the record.
func (p *Portal) notifyChangeDecided(ctx context.Context, r storage.Repos, c record.ChangeRequest) error {
	uid, ok := strings.CutPrefix(c.RequestedBy, string(identity.KindUser)+":")
	if !ok {
		return nil
	}
	rec, err := r.Records().Get(ctx, c.RecordID)
	if err != nil {
		return fmt.Errorf("portal: loading record of change request: %w", err)
	}
	if rec.CustomerID != c.CustomerID {
		return nil // the record left the customer since
	}
	u, ok, err := activeRecipient(ctx, r, customer.UserID(uid), c.CustomerID, rec.SiteID, "the requester")
	if err != nil || !ok {
		return err
	}
	cust, err := r.Customers().Get(ctx, c.CustomerID)
	if err != nil {
		return fmt.Errorf("portal: loading the customer of change request %s: %w", c.ID, err)
	}
	t, err := p.typeOf(ctx, r, rec)
	if err != nil {
		return err
	}
	var lines []string
	for _, f := range t.Fields {
		if _, asked := c.Changes[f.Name]; asked && f.Customer {
			lines = append(lines, fmt.Sprintf("%s: %s → %s", cmp.Or(f.Label, f.Name), c.Before[f.Name], cmp.Or(c.After[f.Name], c.Changes[f.Name])))
		}
	}
	return p.enqueue(ctx, r, Notification{Kind: NotifyRecordChangeDecided, To: u.Email, Locale: u.Locale,
		CustomerID: cust.ID, CustomerName: cust.Name, RecordID: string(rec.ID), RecordTitle: recordName(t, rec),
		RecordChanges: strings.Join(lines, "\n"), Approved: c.Status == record.ChangeApproved, Reason: c.Note})
}

// applyChange applies an approved change request to its record, with
// the version check.
func (p *Portal) applyChange(ctx context.Context, r storage.Repos, a access, c record.ChangeRequest, now time.Time) error {
	rec, err := r.Records().Get(ctx, c.RecordID)
	if err != nil {
		return fmt.Errorf("portal: loading record of change request: %w", err)
	}
	if rec.Version != c.BaseVersion || rec.CustomerID != c.CustomerID {
		return portalerr.New(portalerr.Conflict, "record %s changed since the request was made (version %d, now %d): reject the request",
			rec.ID, c.BaseVersion, rec.Version)
	}
	t, err := p.typeOf(ctx, r, rec)
	if err != nil {
		return err
	}
	edit, err := t.CheckEdit(rec, c.Changes, record.Editor{Staff: true}, now)
	if err != nil {
		return err
	}
	next := rec
	next.Values, next.UpdatedAt = edit.Values, now
	ev := record.Event{Kind: record.EventApproved, At: now, By: c.RequestedBy, ByCustomer: true,
		Before: edit.Before, After: edit.After, Note: fmt.Sprintf("change request %s approved by %s", c.ID, a.who.Actor())}
	if _, err := r.Records().Change(ctx, next, index(t, next), ev); err != nil {
		return fmt.Errorf("portal: applying change request: %w", err)
	}
	return nil
}

// ClaimRecordParams name the record a customer claims: its type and the
// values of all the type's identifier fields, exactly.
type ClaimRecordParams struct {
	Type        string            `json:"type" validate:"required,max=64"`
	Identifiers map[string]string `json:"identifiers" validate:"required,min=1,max=20"`
}

// ClaimRecord assigns to customer cid the record the provider created
// without a customer whose type is params.Type and whose identifier
// values are all exactly those given. A customer's admins may call it.
// Whatever does not match (no such type or record, one wrong value, a
// record of a customer already) is the same NotFound, so a claim tells
// nothing about records that are not the caller's. Attempts are limited
// per customer (Config.RecordClaimLimit: RateLimited), and every attempt,
// refused or not, is audited ("record.claimed", "record.claim_failed").
func (p *Portal) ClaimRecord(ctx context.Context, cid customer.ID, params ClaimRecordParams) (record.Record, error) {
	if err := validStruct(params); err != nil {
		return record.Record{}, err
	}
	// Only a caller who may claim for cid counts against its limit; the
	// count is a write of its own, outside the claim's transaction.
	err := p.read(ctx, func(r storage.Repos) error {
		_, err := p.authorize(ctx, r, ActRecordClaim, cid, "")
		return err
	})
	if err != nil {
		return record.Record{}, err
	}
	if limited := p.allow(ctx, "record_claim:"+string(cid), p.records.claim, p.now()); limited != nil {
		err := p.write(ctx, func(r storage.Repos) error {
			a, err := p.authorize(ctx, r, ActRecordClaim, cid, "")
			if err != nil {
				return err
			}
			return p.record(ctx, r, a.who.Actor(), "record.claim_limited", cid, "", nil)
		})
		return record.Record{}, cmpErr(err, limited)
	}
	var out record.Record
	var failed bool
	err = p.write(ctx, func(r storage.Repos) error {
		failed = false
		a, err := p.authorize(ctx, r, ActRecordClaim, cid, "")
		if err != nil {
			return err
		}
		rec, t, ok, err := p.findClaim(ctx, r, params)
		if err != nil {
			return err
		}
		if !ok {
			failed = true
			return p.record(ctx, r, a.who.Actor(), "record.claim_failed", cid, "", nil)
		}
		now := p.timestamp()
		next := rec
		next.CustomerID, next.UpdatedAt = cid, now
		ev := record.Event{Kind: record.EventClaimed, At: now, By: a.who.Actor(), ByCustomer: true, Note: "claimed by customer " + string(cid)}
		stored, err := r.Records().Change(ctx, next, index(t, next), ev)
		if err != nil {
			return fmt.Errorf("portal: claiming record: %w", err)
		}
		if err := p.record(ctx, r, a.who.Actor(), "record.claimed", cid, string(rec.ID), stored); err != nil {
			return err
		}
		out, err = p.asSeen(ctx, r, a, stored)
		return err
	})
	if err == nil && failed {
		return record.Record{}, errClaimFailed
	}
	return out, err
}

// findClaim finds the unassigned record a claim names; ok false when
// there is none.
func (p *Portal) findClaim(ctx context.Context, r storage.Repos, params ClaimRecordParams) (record.Record, record.Type, bool, error) {
	t, err := p.recordType(ctx, r, params.Type, 0)
	if errors.Is(err, storage.ErrNotFound) {
		return record.Record{}, t, false, nil
	}
	if err != nil {
		return record.Record{}, t, false, err
	}
	ids := t.IdentifierFields()
	if len(ids) == 0 {
		return record.Record{}, t, false, nil
	}
	given := make(map[string]string, len(params.Identifiers))
	for k, v := range params.Identifiers {
		given[k] = strings.TrimSpace(v)
	}
	first := ids[0]
	if given[first] == "" {
		return record.Record{}, t, false, nil
	}
	// Records of several versions of the type share its name; each keeps
	// its identifiers, so the candidates are matched with their own.
	l, err := r.Records().List(ctx, storage.RecordFilter{Type: t.Name, Field: first, Value: given[first], Unassigned: true}, storage.Page{Limit: 100})
	if err != nil {
		return record.Record{}, t, false, fmt.Errorf("portal: finding record to claim: %w", err)
	}
	for _, rec := range l.Items {
		rt, err := p.recordType(ctx, r, rec.Type, rec.TypeVersion)
		if err != nil {
			return record.Record{}, t, false, err
		}
		if rt.MatchIdentifiers(rec, given) {
			return rec, rt, true, nil
		}
	}
	return record.Record{}, t, false, nil
}

// cmpErr returns the first error that is not nil.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// RecordActionParams are what a caller adds when taking a record's action:
// the ticket's description and the values of its type's fields.
type RecordActionParams struct {
	Description string            `json:"description" validate:"max=9000"`
	Fields      map[string]string `json:"fields" validate:"max=50"`
}

// RunRecordAction takes the action named action of one of a customer's
// records (record.Action): it opens a ticket of the action's ticket type
// about the record, at the record's site, as OpenTicket does (and with
// its rules: the tickets feature, the caller's role). The ticket names the
// record in its subject and in the first line of its description
// ("Record rec_… (contract C-1, K-1)") and links to it (Links.RecordID).
// A webhook action (record.Action.Webhook) opens no ticket: it publishes a
// record.action webhook event (RecordActionEvent) and returns the zero
// Ticket. Customer users need the action's role besides (default
// maintainer). NotFound for a record the caller may not see and for an
// action its type does not have.
func (p *Portal) RunRecordAction(ctx context.Context, cid customer.ID, id record.ID, action string, params RecordActionParams) (ticket.Ticket, error) {
	if err := validStruct(params); err != nil {
		return ticket.Ticket{}, err
	}
	var open OpenTicketParams
	var hook bool
	// A webhook action publishes in a writing transaction; a ticket
	// action only reads here, and OpenTicket writes.
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordRead, cid, "")
		if err != nil {
			return err
		}
		rec, err := loadRecord(ctx, r, a, cid, id)
		if err != nil {
			return err
		}
		t, err := p.typeOf(ctx, r, rec)
		if err != nil {
			return err
		}
		act, ok := t.Action(action)
		if !ok {
			return portalerr.New(portalerr.NotFound, "%s records have no action %q", t.Name, action)
		}
		if !a.mayTake(act) {
			return errDenied
		}
		if act.Webhook {
			hook = true
			seen := rec
			seen.ExternalRef, seen.Values, seen.History = "", t.Shown(rec.Values), nil
			return p.record(ctx, r, a.who.Actor(), "record.action", cid, string(rec.ID), RecordActionEvent{Record: seen, Action: act.Name,
				By: a.who.Actor(), Description: strings.TrimSpace(params.Description), Fields: params.Fields})
		}
		open = actionTicket(t, act, rec, params)
		return nil
	})
	if err != nil || hook {
		return ticket.Ticket{}, err
	}
	return p.OpenTicket(ctx, cid, open)
}

// mayTake reports whether the caller may take action act as far as the
// action's own rule goes: a customer user needs its role (default
// maintainer) and a session that is not read-only; staff may take any.
func (a access) mayTake(act record.Action) bool {
	if !a.user() {
		return true
	}
	role := cmp.Or(act.Role, customer.RoleMaintainer)
	return !a.who.ReadOnly && a.membership.Role.AtLeast(role)
}

// RecordActions returns the actions of one of a customer's records that
// the caller may take now (RunRecordAction), in the order of its type: an
// action's role for customer users, and for an action that opens a
// ticket, the right to open tickets (the tickets feature; for staff, the
// service desk). Staff and the customer's users may call it, as
// GetRecord; NotFound as GetRecord.
func (p *Portal) RecordActions(ctx context.Context, cid customer.ID, id record.ID) ([]record.Action, error) {
	var out []record.Action
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordRead, cid, "")
		if err != nil {
			return err
		}
		rec, err := loadRecord(ctx, r, a, cid, id)
		if err != nil {
			return err
		}
		t, err := p.typeOf(ctx, r, rec)
		if err != nil {
			return err
		}
		tickets := false
		if len(t.Actions) > 0 {
			_, err := p.authorize(ctx, r, ActTicketOpen, cid, rec.SiteID)
			if portalerr.CodeOf(err) == portalerr.Internal {
				return err
			}
			tickets = err == nil
		}
		for _, act := range t.Actions {
			if a.mayTake(act) && (act.Webhook || tickets) {
				out = append(out, act)
			}
		}
		return nil
	})
	return out, err
}

// RecordActionEvent is the data of a record.action webhook event: a
// webhook action taken on a record.
type RecordActionEvent struct {
	// Record is the record as customers see it.
	Record record.Record
	// Action names the action taken.
	Action string
	// By is who took it (identity.Principal.Actor).
	By string
	// Description and Fields are what the caller gave with the action.
	Description string
	Fields      map[string]string
}

// recordName names record rec of type t for people: the type's label and
// the record's identifier values ("Contract C-1, K-1").
func recordName(t record.Type, rec record.Record) string {
	what := cmp.Or(t.Label, t.Name)
	ids := make([]string, 0, 2)
	for _, f := range t.IdentifierFields() {
		ids = append(ids, rec.Values[f])
	}
	if len(ids) > 0 {
		what += " " + strings.Join(ids, ", ")
	}
	return what
}

// actionTicket returns the ticket that action act of record rec opens.
func actionTicket(t record.Type, act record.Action, rec record.Record, params RecordActionParams) OpenTicketParams {
	label, what := cmp.Or(act.Label, act.Name), recordName(t, rec)
	subject := label + ": " + what
	if utf8.RuneCountInString(subject) > ticket.MaxSubject {
		subject = string([]rune(subject)[:ticket.MaxSubject-1]) + "…"
	}
	desc := fmt.Sprintf("Record %s (%s)", rec.ID, what)
	if d := strings.TrimSpace(params.Description); d != "" {
		desc += "\n\n" + d
	}
	return OpenTicketParams{Type: act.TicketType, Subject: subject, Description: desc, Fields: params.Fields,
		Links: TicketLinksParams{SiteID: rec.SiteID, RecordID: rec.ID}}
}

// RecordChangesOf returns the change requests of one of a customer's
// records, oldest first (the first 100): what its people asked to change
// and what staff decided. Staff and the customer's users may call it, as
// GetRecord; customer users see the fields shown to customers only.
func (p *Portal) RecordChangesOf(ctx context.Context, cid customer.ID, id record.ID) ([]record.ChangeRequest, error) {
	var out []record.ChangeRequest
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActRecordRead, cid, "")
		if err != nil {
			return err
		}
		rec, err := loadRecord(ctx, r, a, cid, id)
		if err != nil {
			return err
		}
		l, err := r.Records().ListChanges(ctx, storage.ChangeFilter{CustomerID: cid, RecordID: rec.ID}, storage.Page{Limit: storage.MaxLimit})
		if err != nil {
			return fmt.Errorf("portal: listing change requests: %w", err)
		}
		out = l.Items
		if !a.user() {
			return nil
		}
		t, err := p.typeOf(ctx, r, rec)
		if err != nil {
			return err
		}
		for i, c := range out {
			c.Changes, c.Before, c.After = t.Shown(c.Changes), t.Shown(c.Before), t.Shown(c.After)
			out[i] = c
		}
		return nil
	})
	return out, err
}
