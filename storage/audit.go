package storage

import (
	"context"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
)

// AuditRepo appends and lists audit events.
type AuditRepo interface {
	// Append stores e. ErrAlreadyExists when the ID is taken. CustomerID may
	// be empty (a provider-wide event); neither it nor ObjectID is checked
	// against other rows, as events outlive what they describe.
	Append(ctx context.Context, e audit.Event) error
	// List returns one page of events matching f, ordered by ID.
	List(ctx context.Context, f AuditFilter, p Page) (List[audit.Event], error)
}

// AuditFilter narrows an event list. Zero fields do not filter.
type AuditFilter struct {
	CustomerID customer.ID
	ObjectID   string
}
