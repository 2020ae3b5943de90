package storage

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/record"
)

// RecordRepo stores record types defined through the API, records with
// their history and search index, and change requests. Records are never
// deleted.
type RecordRepo interface {
	// DefineType stores version t.Version of type t.Name as given.
	// ErrAlreadyExists when that version is stored already.
	DefineType(ctx context.Context, t record.Type) error
	// Type returns version v of the type named name (0: the latest), or
	// ErrNotFound.
	Type(ctx context.Context, name string, v int) (record.Type, error)
	// Types returns the latest version of every stored type, by name.
	Types(ctx context.Context) ([]record.Type, error)

	// Create stores r with its history as given and ix as its index.
	// ErrAlreadyExists when the ID, or the external reference among the
	// records of r.Type, is taken; ErrNotFound when the customer does
	// not exist. The site is stored as given.
	Create(ctx context.Context, r record.Record, ix RecordIndex) error
	// Get returns the record with the given ID and its history, or
	// ErrNotFound.
	Get(ctx context.Context, id record.ID) (record.Record, error)
	// ByExternalRef returns the record of type typ with external reference
	// ref and its history, or ErrNotFound.
	ByExternalRef(ctx context.Context, typ, ref string) (record.Record, error)
	// Change stores next in place of the record next.ID in one conditional
	// write that succeeds only while the stored version is next.Version:
	// the version becomes next.Version+1, ix replaces the record's index,
	// and evs are appended to the history. Type, ExternalRef and
	// CreatedAt stay as stored. It returns the record as written, with its
	// history. ErrConflict when the stored version differs and nothing is
	// written; ErrNotFound when there is no such record or customer.
	Change(ctx context.Context, next record.Record, ix RecordIndex, evs ...record.Event) (record.Record, error)
	// List returns one page of records matching f, without their history,
	// ordered by ID.
	List(ctx context.Context, f RecordFilter, p Page) (List[record.Record], error)

	// CreateChange stores c as given. ErrAlreadyExists when the ID is
	// taken; ErrNotFound when the record does not exist.
	CreateChange(ctx context.Context, c record.ChangeRequest) error
	// Change returns the change request with the given ID, or ErrNotFound.
	GetChange(ctx context.Context, id record.ChangeID) (record.ChangeRequest, error)
	// DecideChange stores c's decision (status, decider, time, note) if the
	// stored request is still pending. ErrConflict when it is not;
	// ErrNotFound when there is no such request.
	DecideChange(ctx context.Context, c record.ChangeRequest) error
	// ListChanges returns one page of change requests matching f, oldest
	// first.
	ListChanges(ctx context.Context, f ChangeFilter, p Page) (List[record.ChangeRequest], error)
}

// RecordIndex is what a record is found by: the values of its type's
// identifier fields, searched exactly, and its text for full-text search,
// all of it and what customers see of it. Values are kept as given;
// callers lower-case the texts.
type RecordIndex struct {
	Identifiers map[string]string
	TextAll     string
	TextShown   string
}

// RecordFilter narrows a record list. Zero fields do not filter.
type RecordFilter struct {
	CustomerID customer.ID
	// Unassigned keeps records of no customer; not combined with
	// CustomerID.
	Unassigned bool
	Type       string
	// SiteIDs keeps records of one of these sites or of no site. nil
	// does not filter.
	SiteIDs []customer.SiteID
	// Field and Value keep records of Type whose identifier field Field
	// is exactly Value; both need Type.
	Field, Value string
	// Text keeps records whose index text contains it (lower case, as
	// the index holds it): TextShown with ShownOnly, else TextAll.
	Text      string
	ShownOnly bool
}

// ChangeFilter narrows a list of change requests. Zero fields do not
// filter.
type ChangeFilter struct {
	CustomerID customer.ID
	RecordID   record.ID
	Status     record.ChangeStatus
}
