package webhook

import (
	"encoding/json"
	"time"

	"github.com/portalkit/portalkit/customer"
)

// EventID identifies an event ("wev_" + UUIDv7). It is the webhook-id of
// every delivery of the event: the same on each attempt, to each endpoint
// and on a replay, so receivers drop repeats by it.
type EventID string

// Type says what happened; its Data has one schema per type (openapi.yaml,
// components WebhookEvent*). Types are "object.verb", as the specification
// recommends.
type Type string

// Event types, one per state change a use case records. Data is the object
// as the HTTP API shows it after the change.
const (
	CustomerCreated   Type = "customer.created"    // Data: Customer
	CustomerUpdated   Type = "customer.updated"    // Data: Customer (details, features, branding, status)
	MembershipCreated Type = "membership.created"  // Data: Membership (added by staff, or an invitation accepted)
	MembershipUpdated Type = "membership.updated"  // Data: Membership (role, sites, disabled, enabled)
	MembershipRemoved Type = "membership.removed"  // Data: Membership as it was
	OrderSubmitted    Type = "order.submitted"     // Data: Order
	OrderConfirmed    Type = "order.confirmed"     // Data: Order
	OrderRejected     Type = "order.rejected"      // Data: Order
	OrderFulfilled    Type = "order.fulfilled"     // Data: Order
	OrderCancelled    Type = "order.cancelled"     // Data: Order
	StockItemStocked  Type = "stock_item.stocked"  // Data: StockItem, one event per item
	StockItemIssued   Type = "stock_item.issued"   // Data: StockItem
	StockItemReturned Type = "stock_item.returned" // Data: StockItem
	StockItemRetired  Type = "stock_item.retired"  // Data: StockItem
	TicketOpened      Type = "ticket.opened"       // Data: Ticket
	TicketUpdated     Type = "ticket.updated"      // Data: Ticket (status, priority, assignee, reopened, change applied)
	TicketCommented   Type = "ticket.commented"    // Data: TicketComment (public replies and internal notes)
	SiteCreated       Type = "site.created"        // Data: Site
	SiteUpdated       Type = "site.updated"        // Data: Site
	SiteDeleted       Type = "site.deleted"        // Data: Site as it was
	// RecordAction: a customer user (or staff) took a webhook action of a
	// record. Data: RecordAction (the record as customers see it, the
	// action and who took it).
	RecordAction Type = "record.action"
)

// Types lists every event type, in a stable order for pages and docs.
var Types = []Type{
	CustomerCreated, CustomerUpdated,
	MembershipCreated, MembershipUpdated, MembershipRemoved,
	OrderSubmitted, OrderConfirmed, OrderRejected, OrderFulfilled, OrderCancelled,
	StockItemStocked, StockItemIssued, StockItemReturned, StockItemRetired,
	TicketOpened, TicketUpdated, TicketCommented,
	SiteCreated, SiteUpdated, SiteDeleted,
	RecordAction,
}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Event is one thing that happened, as every endpoint subscribed to it
// receives it. Its JSON form is the delivered body.
type Event struct {
	ID   EventID `json:"id"`
	Type Type    `json:"type"`
	// Timestamp is when the change was made (not when it was delivered:
	// that is webhook-timestamp).
	Timestamp time.Time `json:"timestamp"`
	// CustomerID is the customer the object belongs to; empty for none.
	CustomerID customer.ID `json:"customer_id,omitempty"`
	// Data is the object as the HTTP API shows it after the change.
	Data json.RawMessage `json:"data"`
}

// Body returns the JSON delivered for e: compact, with Timestamp in UTC.
func (e Event) Body() ([]byte, error) {
	e.Timestamp = e.Timestamp.UTC()
	return json.Marshal(e)
}
