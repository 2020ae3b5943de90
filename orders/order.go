package orders

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// ID identifies an order ("ord_" + UUIDv7).
type ID string

// Number is an order's number as people know it: unique and increasing
// across the deployment, given by storage when the order is placed.
type Number int64

// String formats n as people see it: "PO-000042".
func (n Number) String() string { return fmt.Sprintf("PO-%06d", int64(n)) }

// Kind says how an order is delivered.
type Kind string

// Order kinds.
const (
	// KindStandard is delivered to an address or handed to an employee.
	KindStandard Kind = "standard"
	// KindPreOrder is stocked in the supplier warehouse on the customer's
	// behalf when fulfilled, and retrieved later. Needs the pre_orders feature.
	KindPreOrder Kind = "pre_order"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindStandard || k == KindPreOrder }

// Status is where an order stands.
type Status string

// Order statuses.
//
//	submitted ─▶ confirmed ─▶ fulfilled
//	    │            └──────▶ cancelled (by the provider)
//	    ├──────▶ rejected (by the provider)
//	    └──────▶ cancelled (by the customer)
const (
	StatusSubmitted Status = "submitted" // waiting in the provider's order inbox
	StatusConfirmed Status = "confirmed" // accepted by the provider, or on submission with auto_confirm_orders
	StatusRejected  Status = "rejected"  // refused by the provider, with a reason; final
	StatusCancelled Status = "cancelled" // withdrawn; final
	StatusFulfilled Status = "fulfilled" // delivered (or stocked, for a pre-order); final
)

// Statuses lists every status in the order of the state machine.
var Statuses = []Status{StatusSubmitted, StatusConfirmed, StatusRejected, StatusCancelled, StatusFulfilled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusSubmitted, StatusConfirmed, StatusRejected, StatusCancelled, StatusFulfilled:
		return true
	}
	return false
}

// Final reports whether no transition leaves s.
func (s Status) Final() bool {
	return s == StatusRejected || s == StatusCancelled || s == StatusFulfilled
}

// Order limits.
const (
	MaxLines    = 100    // lines per order
	MaxQuantity = 10_000 // units per line
	MaxNote     = 2000   // characters of a note or a reason
	// MaxPreOrderUnits bounds the units of a pre-order over all its lines:
	// fulfilling it stocks one warehouse item and one movement per unit
	// in a single transaction.
	MaxPreOrderUnits = 1000
)

// Line is one product of an order. Name, SKU and UnitPrice are copied from
// the catalogue when the order is placed, so later changes to the product
// or the offer do not change the order.
type Line struct {
	ProductID ProductID
	SKU       string
	Name      string
	UnitPrice Money
	Quantity  int
}

// Total returns the line's amount in minor units: unit price × quantity.
func (l Line) Total() int64 { return l.UnitPrice.Amount * int64(l.Quantity) }

// Employee is a person of the customer who receives goods: the recipient
// of an order or the holder of a warehouse item. Employees need not be
// users of the portal.
type Employee struct {
	Name string `json:"name" validate:"max=200,singleline"`
	// Email is normalised (customer.NormalizeEmail); optional.
	Email string `json:"email" validate:"max=254"`
	// EmployeeNumber is the customer's own key for the person; optional.
	EmployeeNumber string `json:"employee_number" validate:"max=100,singleline"`
}

// IsZero reports whether e names nobody.
func (e Employee) IsZero() bool { return e == Employee{} }

// NormalizeEmployee trims e and normalises its e-mail address. It returns
// an Invalid error on field+".name" when the name is empty and on
// field+".email" when the address is not one.
func NormalizeEmployee(e Employee, field string) (Employee, error) {
	e.Name = strings.TrimSpace(e.Name)
	e.Email = strings.TrimSpace(e.Email)
	e.EmployeeNumber = strings.TrimSpace(e.EmployeeNumber)
	var bad []portalerr.FieldViolation
	if e.Name == "" {
		bad = append(bad, portalerr.FieldViolation{Field: field + ".name", Message: "is required"})
	}
	if e.Email != "" {
		email, err := customer.NormalizeEmail(e.Email)
		if err != nil {
			bad = append(bad, portalerr.FieldViolation{Field: field + ".email", Message: "must be a plain e-mail address such as name@example.com"})
		}
		e.Email = email
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return Employee{}, err
	}
	return e, nil
}

// Event is one transition of an order, kept in its history.
type Event struct {
	// From is the status left; empty for the submission.
	From Status
	To   Status
	At   time.Time
	// By names who made the transition, as identity.Principal.Actor
	// returns it ("user:usr_…", "staff:stf_…"), or AutoConfirm.
	By string
	// Note is the provider's note on a confirmation, the reason of a
	// rejection or a cancellation; empty when none was given.
	Note string
}

// AutoConfirm is Event.By for a confirmation made by the
// auto_confirm_orders feature on submission.
const AutoConfirm = "system:auto_confirm_orders"

// Order is a customer's order.
type Order struct {
	ID         ID
	Number     Number
	CustomerID customer.ID
	// SiteID is the customer's site the order is for; empty for the whole customer.
	SiteID customer.SiteID
	Kind   Kind
	Status Status
	// Currency is the currency of every line.
	Currency string
	Lines    []Line
	// A standard order goes to DeliveryAddress or is handed to Recipient
	// (exactly one is set); a pre-order has neither.
	DeliveryAddress customer.Address
	Recipient       Employee
	// RequestedDate is the day the customer asks for delivery, at midnight
	// UTC (the calendar day named, stored in UTC: see Day); zero when none
	// was asked.
	RequestedDate time.Time
	Note          string
	// OrderedBy is the user who placed the order; the order's e-mails go to them.
	OrderedBy customer.UserID
	// History holds every transition, oldest first; the first is the submission.
	History   []Event
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Total returns the sum of the lines.
func (o Order) Total() Money {
	var sum int64
	for _, l := range o.Lines {
		sum += l.Total()
	}
	return Money{Amount: sum, Currency: o.Currency}
}

// Units returns how many units the order holds, over all lines.
func (o Order) Units() int {
	n := 0
	for _, l := range o.Lines {
		n += l.Quantity
	}
	return n
}

// CheckPlacement returns nil when a customer with features f may place an
// order of kind k, and a FeatureDisabled error otherwise: orders need
// order_authorization, pre-orders also pre_orders.
func CheckPlacement(f customer.Features, k Kind) error {
	switch {
	case !f.OrderAuthorization:
		return portalerr.New(portalerr.FeatureDisabled, "this customer may not place orders: order_authorization is off")
	case k == KindPreOrder && !f.PreOrders:
		return &portalerr.Error{
			Code:    portalerr.FeatureDisabled,
			Message: "this customer may not place pre-orders: pre_orders is off",
			Fields:  []portalerr.FieldViolation{{Field: "kind", Message: "pre_order needs the pre_orders feature"}},
		}
	}
	return nil
}

// LineDraft is a line asked for: a catalogue entry and a quantity.
type LineDraft struct {
	Entry    Entry
	Quantity int
}

// Draft is an order as placed, before its rules are checked.
type Draft struct {
	ID         ID
	Number     Number
	CustomerID customer.ID
	SiteID     customer.SiteID
	Kind       Kind
	// Lines are the entries ordered, already resolved against the
	// customer's catalogue (see Resolve).
	Lines           []LineDraft
	DeliveryAddress customer.Address
	Recipient       Employee
	RequestedDate   time.Time
	Note            string
	OrderedBy       customer.UserID
	// By names the principal placing the order; At is when.
	By string
	At time.Time
}

// New checks d and returns the submitted order it places, its submission
// the first event of its history and Version 1. An Invalid error names
// every bad field ("lines[2].quantity", "delivery_address.city"):
//
//   - an unknown kind;
//   - no lines, more than MaxLines, a product on two lines, a quantity
//     outside 1..MaxQuantity, or a line priced in another currency than the
//     first;
//   - a pre-order of more than MaxPreOrderUnits units over all its lines
//     (on "lines");
//   - a standard order without exactly one of delivery address and
//     recipient, or a pre-order with either (it is stocked in the supplier
//     warehouse); a delivery address without line1, city or country;
//   - a requested date before the day of d.At where the requester is
//     (in d.RequestedDate's location);
//   - a note longer than MaxNote.
//
// d.RequestedDate is cut to its calendar day in its own location (see
// Day). New does not check features: see CheckPlacement.
func New(d Draft) (Order, error) {
	var bad []portalerr.FieldViolation
	fail := func(field, format string, args ...any) {
		bad = append(bad, portalerr.FieldViolation{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !d.Kind.Valid() {
		fail("kind", "must be one of: standard, pre_order")
	}
	switch {
	case len(d.Lines) == 0:
		fail("lines", "must have at least 1 item")
	case len(d.Lines) > MaxLines:
		fail("lines", "must have at most %d items", MaxLines)
	}
	o := Order{
		ID: d.ID, Number: d.Number, CustomerID: d.CustomerID, SiteID: d.SiteID,
		Kind: d.Kind, Status: StatusSubmitted, Note: strings.TrimSpace(d.Note), OrderedBy: d.OrderedBy,
		Version: 1, CreatedAt: d.At, UpdatedAt: d.At,
	}
	seen := make(map[ProductID]int, len(d.Lines))
	for i, ld := range d.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		p := ld.Entry.Product
		if j, ok := seen[p.ID]; ok {
			fail(field+".product_id", "repeats the product of lines[%d]; order more of it there", j)
		}
		seen[p.ID] = i
		if ld.Quantity < 1 || ld.Quantity > MaxQuantity {
			fail(field+".quantity", "must be between 1 and %d", MaxQuantity)
		}
		price := ld.Entry.Price
		if o.Currency == "" {
			o.Currency = price.Currency
		} else if price.Currency != o.Currency {
			fail(field+".product_id", "is priced in %s; the order is in %s (one currency per order)", price.Currency, o.Currency)
		}
		o.Lines = append(o.Lines, Line{ProductID: p.ID, SKU: p.SKU, Name: p.Name, UnitPrice: price, Quantity: ld.Quantity})
	}
	if units := o.Units(); d.Kind == KindPreOrder && units > MaxPreOrderUnits {
		fail("lines", "a pre-order may hold at most %d units in all, one warehouse item each; this one holds %d: split it", MaxPreOrderUnits, units)
	}

	addr := d.DeliveryAddress.Normalize()
	hasAddr := addr != (customer.Address{})
	hasRecipient := !d.Recipient.IsZero()
	switch {
	case d.Kind == KindPreOrder && (hasAddr || hasRecipient):
		field := "delivery_address"
		if hasRecipient {
			field = "recipient"
		}
		fail(field, "must be empty for a pre-order, which is stocked in the supplier warehouse")
	case d.Kind == KindStandard && hasAddr && hasRecipient:
		fail("recipient", "give a delivery address or a recipient, not both")
	case d.Kind == KindStandard && !hasAddr && !hasRecipient:
		fail("delivery_address", "a standard order needs a delivery address or a recipient")
	case hasAddr:
		for _, f := range []struct{ name, value string }{{"line1", addr.Line1}, {"city", addr.City}, {"country", addr.Country}} {
			if f.value == "" {
				fail("delivery_address."+f.name, "is required")
			}
		}
		o.DeliveryAddress = addr
	case hasRecipient:
		r, err := NormalizeEmployee(d.Recipient, "recipient")
		bad = append(bad, portalerr.FieldsOf(err)...)
		o.Recipient = r
	}

	if !d.RequestedDate.IsZero() {
		day := Day(d.RequestedDate)
		if day.Before(Day(d.At.In(d.RequestedDate.Location()))) {
			fail("requested_date", "must not be in the past")
		}
		o.RequestedDate = day
	}
	if utf8.RuneCountInString(o.Note) > MaxNote {
		fail("note", "must be at most %d characters", MaxNote)
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return Order{}, err
	}
	o.History = []Event{{To: StatusSubmitted, At: d.At, By: d.By}}
	return o, nil
}

// Day returns the calendar day of t in t's own location, as midnight UTC:
// 5 March at 00:00 in Berlin is 5 March, though it is still 4 March in
// UTC. A date is a day where the person who named it is, so it is stored
// without a zone.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Act is a transition asked for: who, when and with which note.
//
// The transition methods below return the order as it is after the move
// and the event to record (see storage's OrderRepo.Transition), or, when
// the order is not in the status the move starts from, FailedPrecondition
// if it never was and Conflict if it has left it.
type Act struct {
	By   string
	At   time.Time
	Note string
}

// Confirm moves a submitted order to confirmed, on the provider's side; the
// note is optional. It returns the order as it is after the move and the
// event to record.
func (o Order) Confirm(a Act) (Order, Event, error) {
	return o.move(a, StatusConfirmed, "note", "confirmed", StatusSubmitted)
}

// Reject moves a submitted order to rejected, on the provider's side.
// a.Note is the reason and is required (Invalid on field "reason").
func (o Order) Reject(a Act) (Order, Event, error) {
	if strings.TrimSpace(a.Note) == "" {
		return o, Event{}, portalerr.Invalidf("reason", "is required: tell the customer why")
	}
	return o.move(a, StatusRejected, "reason", "rejected", StatusSubmitted)
}

// Fulfil moves a confirmed order to fulfilled, on the provider's side.
func (o Order) Fulfil(a Act) (Order, Event, error) {
	return o.move(a, StatusFulfilled, "note", "fulfilled", StatusConfirmed)
}

// CancelByCustomer withdraws an order the provider has not decided on yet:
// only a submitted order can be cancelled by its customer.
func (o Order) CancelByCustomer(a Act) (Order, Event, error) {
	return o.move(a, StatusCancelled, "reason", "cancelled by the customer", StatusSubmitted)
}

// CancelByProvider cancels a confirmed order on the provider's side (a
// submitted one is rejected instead).
func (o Order) CancelByProvider(a Act) (Order, Event, error) {
	return o.move(a, StatusCancelled, "reason", "cancelled by the provider", StatusConfirmed)
}

// move checks that o may go to `to` (only from `from`) and returns o after
// the move with the event appended. A note longer than MaxNote is Invalid
// on noteField. When o is not at `from`:
//
//   - if it was at `from` once, the move lost to the transition that took
//     it on (another decision, made concurrently or since the caller
//     looked): Conflict, naming that transition;
//   - otherwise the state machine does not allow the move: FailedPrecondition.
func (o Order) move(a Act, to Status, noteField, verb string, from Status) (Order, Event, error) {
	note := strings.TrimSpace(a.Note)
	if utf8.RuneCountInString(note) > MaxNote {
		return o, Event{}, portalerr.Invalidf(noteField, "must be at most %d characters", MaxNote)
	}
	if o.Status != from {
		if left, ok := o.left(from); ok {
			return o, Event{}, portalerr.New(portalerr.Conflict,
				"order %s was %s by %s at %s, so it can no longer be %s; read it again",
				o.Number, left.To, left.By, left.At.UTC().Format(time.RFC3339), verb)
		}
		return o, Event{}, portalerr.New(portalerr.FailedPrecondition,
			"order %s is %s; only a %s order can be %s", o.Number, o.Status, from, verb)
	}
	ev := Event{From: o.Status, To: to, At: a.At, By: a.By, Note: note}
	next := o
	next.Status = to
	next.History = append(append(make([]Event, 0, len(o.History)+1), o.History...), ev)
	next.UpdatedAt = a.At
	return next, ev, nil
}

// left returns the transition that took o out of status s, if o was ever at s.
func (o Order) left(s Status) (Event, bool) {
	for _, ev := range o.History {
		if ev.From == s {
			return ev, true
		}
	}
	return Event{}, false
}
