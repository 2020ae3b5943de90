package audit

import (
	"time"

	"github.com/portalkit/portalkit/customer"
)

// ID identifies an event ("evt_" + UUIDv7).
type ID string

// Event is one recorded action. Events are only appended, never changed.
type Event struct {
	ID ID
	At time.Time
	// Actor names who did it, as identity.Principal.Actor returns it.
	Actor string
	// Action says what was done, "access_link.created" for example.
	Action string
	// CustomerID is the customer the object belongs to; empty for provider-wide objects.
	CustomerID customer.ID
	// ObjectID is the ID of the object acted on.
	ObjectID string
}
