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
	// Actor names who did it, as identity.Principal.Actor returns it for a
	// principal without an impersonator: "user:usr_…", "staff:stf_…".
	Actor string
	// Impersonator names the staff member acting as Actor ("staff:stf_…"),
	// if any.
	Impersonator string
	// Action says what was done, "access_link.created" for example.
	Action string
	// CustomerID is the customer the object belongs to; empty for provider-wide objects.
	CustomerID customer.ID
	// ObjectID is the ID of the object acted on.
	ObjectID string
	// RequestID is the ID of the HTTP request that did it, if known.
	RequestID string
	// ActorName and ImpersonatorName are the names of Actor and
	// Impersonator as they are when the log is read (a user's or staff
	// member's name, an API key's): filled by the lists, never stored,
	// empty for a principal that is gone.
	ActorName, ImpersonatorName string
	// Changes are the fields it changed, before and after; never secrets.
	Changes []Change
}

// Change is one changed field of an event's object.
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Diff returns the changes between two sets of fields, by name, in the
// order of names: fields equal on both sides are left out.
func Diff(names []string, before, after map[string]string) []Change {
	var out []Change
	for _, n := range names {
		if before[n] != after[n] {
			out = append(out, Change{Field: n, Before: before[n], After: after[n]})
		}
	}
	return out
}
