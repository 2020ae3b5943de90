package warehouse

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portalerr"
)

// ItemID identifies a stock item ("itm_" + UUIDv7).
type ItemID string

// Status is where an item stands.
type Status string

// Item statuses.
const (
	StatusInStock Status = "in_stock" // in the warehouse, ready to issue
	StatusIssued  Status = "issued"   // handed to an employee (Item.Holder)
	StatusRetired Status = "retired"  // out of service for good; final
)

// Statuses lists every status.
var Statuses = []Status{StatusInStock, StatusIssued, StatusRetired}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusInStock || s == StatusIssued || s == StatusRetired
}

// Condition is the state a device is in.
type Condition string

// Conditions.
const (
	ConditionNew         Condition = "new"
	ConditionUsed        Condition = "used"
	ConditionRefurbished Condition = "refurbished"
	ConditionDefective   Condition = "defective"
)

// Conditions lists every condition.
var Conditions = []Condition{ConditionNew, ConditionUsed, ConditionRefurbished, ConditionDefective}

// Valid reports whether c is a known condition.
func (c Condition) Valid() bool {
	switch c {
	case ConditionNew, ConditionUsed, ConditionRefurbished, ConditionDefective:
		return true
	}
	return false
}

// Limits.
const (
	MaxSerialNumber = 100  // characters of a serial number
	MaxNote         = 2000 // characters of a movement's note
)

// Item is one device held in the warehouse for a customer.
type Item struct {
	ID         ItemID
	CustomerID customer.ID
	ProductID  orders.ProductID
	// SerialNumber is the device's serial number, unique within the
	// customer when set (compared exactly); optional.
	SerialNumber string
	Condition    Condition
	// SiteID is the customer's site the item belongs to; empty for the
	// whole customer.
	SiteID customer.SiteID
	Status Status
	// Holder is the employee the item is issued to; zero unless issued.
	Holder orders.Employee
	// HolderID is the employee of the customer's org structure (package
	// org) the item is issued to; empty unless issued to one by ID.
	HolderID org.EmployeeID
	// OrderID is the pre-order that stocked the item; empty when it was
	// stocked in by hand.
	OrderID   orders.ID
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MovementID identifies a movement ("mov_" + UUIDv7).
type MovementID string

// MovementKind says what a movement did.
type MovementKind string

// Movement kinds.
const (
	MoveStockIn MovementKind = "stock_in" // the item entered the warehouse
	MoveIssue   MovementKind = "issue"    // handed to an employee
	MoveReturn  MovementKind = "return"   // back in stock, reusable
	MoveRetire  MovementKind = "retire"   // out of service
)

// Movement is one entry of the ledger: a change of one item's status.
// Movements are only appended, never changed.
type Movement struct {
	ID         MovementID
	ItemID     ItemID
	CustomerID customer.ID
	ProductID  orders.ProductID
	Kind       MovementKind
	// From is the status the item left (empty for a stock-in) and To the
	// one it reached.
	From, To Status
	// Holder is whom the item was issued to (issue) or who held it (return,
	// and retire of an issued item); zero otherwise.
	Holder orders.Employee
	// Condition is the item's condition after the move.
	Condition Condition
	// OrderID is the pre-order a stock-in came from; empty otherwise.
	OrderID orders.ID
	At      time.Time
	// By names who made the move, as identity.Principal.Actor returns it.
	By   string
	Note string
}

// Act is a move asked for: the ID its movement gets, who makes it, when,
// and an optional note.
type Act struct {
	MovementID MovementID
	By         string
	At         time.Time
	Note       string
}

// Draft is an item to stock in.
type Draft struct {
	ID           ItemID
	CustomerID   customer.ID
	ProductID    orders.ProductID
	SerialNumber string
	// Condition defaults to new.
	Condition Condition
	SiteID    customer.SiteID
	// OrderID names the pre-order the item comes from, if any.
	OrderID orders.ID
}

// StockIn returns the in-stock item d describes and its stock_in movement.
// Invalid for an unknown condition ("condition"), a serial number longer
// than MaxSerialNumber or not a single line ("serial_number"), or a note
// longer than MaxNote ("note").
func StockIn(d Draft, a Act) (Item, Movement, error) {
	d.SerialNumber = strings.TrimSpace(d.SerialNumber)
	if d.Condition == "" {
		d.Condition = ConditionNew
	}
	var bad []portalerr.FieldViolation
	if !d.Condition.Valid() {
		bad = append(bad, portalerr.FieldViolation{Field: "condition", Message: "must be one of: new, used, refurbished, defective"})
	}
	if utf8.RuneCountInString(d.SerialNumber) > MaxSerialNumber || strings.ContainsAny(d.SerialNumber, "\r\n\t") {
		bad = append(bad, portalerr.FieldViolation{Field: "serial_number", Message: fmt.Sprintf("must be a single line of at most %d characters", MaxSerialNumber)})
	}
	note, err := checkNote(a.Note)
	if err != nil {
		bad = append(bad, portalerr.FieldsOf(err)...)
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return Item{}, Movement{}, err
	}
	it := Item{
		ID: d.ID, CustomerID: d.CustomerID, ProductID: d.ProductID, SerialNumber: d.SerialNumber,
		Condition: d.Condition, SiteID: d.SiteID, Status: StatusInStock, OrderID: d.OrderID,
		Version: 1, CreatedAt: a.At, UpdatedAt: a.At,
	}
	m := Movement{
		ID: a.MovementID, ItemID: it.ID, CustomerID: it.CustomerID, ProductID: it.ProductID,
		Kind: MoveStockIn, To: StatusInStock, Condition: it.Condition, OrderID: d.OrderID,
		At: a.At, By: a.By, Note: note,
	}
	return it, m, nil
}

// FromPreOrder returns the drafts of the items a fulfilled pre-order
// stocks: one per unit of each line, new, at the order's site, naming the
// order. The caller gives each draft its ID. FailedPrecondition when o is
// not a pre-order.
func FromPreOrder(o orders.Order) ([]Draft, error) {
	if o.Kind != orders.KindPreOrder {
		return nil, portalerr.New(portalerr.FailedPrecondition, "order %s is a %s order, not a pre-order", o.Number, o.Kind)
	}
	out := make([]Draft, 0, o.Units())
	for _, l := range o.Lines {
		for range l.Quantity {
			out = append(out, Draft{CustomerID: o.CustomerID, ProductID: l.ProductID, Condition: ConditionNew, SiteID: o.SiteID, OrderID: o.ID})
		}
	}
	return out, nil
}

// Issue hands an in-stock item to an employee. The holder needs a name
// (Invalid on "holder.name"); an e-mail address or an employee number are
// optional. FailedPrecondition unless the item is in stock.
func (it Item) Issue(a Act, to orders.Employee) (Item, Movement, error) {
	h, err := orders.NormalizeEmployee(to, "holder")
	if err != nil {
		return it, Movement{}, err
	}
	next, m, err := it.move(a, MoveIssue, StatusIssued, "issued", StatusInStock)
	if err != nil {
		return it, Movement{}, err
	}
	next.Holder, m.Holder = h, h
	return next, m, nil
}

// IssueToEmployee hands an in-stock item to e, an employee of the org
// structure: the holder's name, e-mail address and employee number are
// e's, and HolderID is e.ID. FailedPrecondition for an employee who is not
// active (org.Employee.CheckIssuable) or an item not in stock.
func (it Item) IssueToEmployee(a Act, e org.Employee) (Item, Movement, error) {
	if err := e.CheckIssuable(); err != nil {
		return it, Movement{}, err
	}
	next, m, err := it.Issue(a, orders.Employee{Name: e.Name, Email: e.Email, EmployeeNumber: e.EmployeeNumber})
	if err != nil {
		return it, Movement{}, err
	}
	next.HolderID = e.ID
	return next, m, nil
}

// Return takes an issued item back into stock, to be reused. cond, when
// set, is the condition it came back in (Invalid on "condition" when
// unknown); empty keeps the condition it had. FailedPrecondition unless
// the item is issued.
func (it Item) Return(a Act, cond Condition) (Item, Movement, error) {
	if cond != "" && !cond.Valid() {
		return it, Movement{}, portalerr.Invalidf("condition", "must be one of: new, used, refurbished, defective")
	}
	next, m, err := it.move(a, MoveReturn, StatusInStock, "returned", StatusIssued)
	if err != nil {
		return it, Movement{}, err
	}
	m.Holder = it.Holder
	next.Holder, next.HolderID = orders.Employee{}, ""
	if cond != "" {
		next.Condition, m.Condition = cond, cond
	}
	return next, m, nil
}

// Retire takes an item out of service for good, from stock or from the
// employee who holds it (a lost or broken device). FailedPrecondition for
// a retired item.
func (it Item) Retire(a Act) (Item, Movement, error) {
	next, m, err := it.move(a, MoveRetire, StatusRetired, "retired", StatusInStock, StatusIssued)
	if err != nil {
		return it, Movement{}, err
	}
	m.Holder = it.Holder
	next.Holder, next.HolderID = orders.Employee{}, ""
	return next, m, nil
}

// move checks that it may go to `to` from its status (one of from) and
// returns it after the move and the movement, without holder.
func (it Item) move(a Act, kind MovementKind, to Status, verb string, from ...Status) (Item, Movement, error) {
	note, err := checkNote(a.Note)
	if err != nil {
		return it, Movement{}, err
	}
	ok := false
	for _, f := range from {
		ok = ok || it.Status == f
	}
	if !ok {
		return it, Movement{}, portalerr.New(portalerr.FailedPrecondition, "item %s is %s; it cannot be %s", it.ID, it.Status, verb)
	}
	next := it
	next.Status = to
	next.UpdatedAt = a.At
	m := Movement{
		ID: a.MovementID, ItemID: it.ID, CustomerID: it.CustomerID, ProductID: it.ProductID,
		Kind: kind, From: it.Status, To: to, Condition: it.Condition,
		At: a.At, By: a.By, Note: note,
	}
	return next, m, nil
}

func checkNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return "", portalerr.Invalidf("note", "must be at most %d characters", MaxNote)
	}
	return note, nil
}

// Level is how many items of one product a customer has in each status.
type Level struct {
	ProductID orders.ProductID
	InStock   int
	Issued    int
	Retired   int
}

// Held returns the items still held for the customer: in stock or issued.
func (l Level) Held() int { return l.InStock + l.Issued }

// Add applies one movement to l: the item leaves m.From and reaches m.To.
// Summing a product's whole ledger from a zero Level gives its stock levels.
func (l *Level) Add(m Movement) {
	l.count(m.From, -1)
	l.count(m.To, +1)
}

func (l *Level) count(s Status, d int) {
	switch s {
	case StatusInStock:
		l.InStock += d
	case StatusIssued:
		l.Issued += d
	case StatusRetired:
		l.Retired += d
	}
}
