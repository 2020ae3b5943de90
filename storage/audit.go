package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
)

// AuditRepo appends and lists audit events.
type AuditRepo interface {
	// Append stores e. ErrAlreadyExists when the ID is taken. CustomerID may
	// be empty (a provider-wide event); neither it nor ObjectID is checked
	// against other rows, as events outlive what they describe.
	Append(ctx context.Context, e audit.Event) error
	// List returns one page of events matching f, ordered by ID, or by ID
	// descending with f.NewestFirst.
	List(ctx context.Context, f AuditFilter, p Page) (List[audit.Event], error)
	// DeleteBefore removes the events recorded before `before` (strictly)
	// and returns how many.
	DeleteBefore(ctx context.Context, before time.Time) (int, error)
}

// AuditFilter narrows an event list. Zero fields do not filter.
type AuditFilter struct {
	CustomerID customer.ID
	ObjectID   string
	// Actor keeps events done by, or as, this actor ("user:usr_…"), or by
	// this impersonator ("staff:stf_…").
	Actor string
	// Action keeps events of this action ("sso.configured").
	Action string
	// From and To keep events recorded at or after From and before To.
	From, To time.Time
	// NewestFirst orders by ID descending.
	NewestFirst bool
}
