package record

import (
	"crypto/subtle"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// ID identifies a record ("rec_" + UUIDv7).
type ID string

// ChangeID identifies a change request ("rcr_" + UUIDv7).
type ChangeID string

// Record is one record a provider shares with a customer.
type Record struct {
	ID ID
	// CustomerID is the customer the record belongs to; empty while the
	// provider has assigned it to nobody, until a customer claims it.
	CustomerID customer.ID
	// SiteID is the customer's site the record is about; empty for none.
	SiteID customer.SiteID
	// Type and TypeVersion name the type the values were checked against.
	Type        string
	TypeVersion int
	// ExternalRef is the record's key in the provider's own system; empty
	// for none. Unique among the records of one type.
	ExternalRef string
	Values      map[string]string
	// History holds every change, oldest first; lists leave it empty.
	History   []Event
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// EventKind says what an Event records.
type EventKind string

// Event kinds.
const (
	EventCreated  EventKind = "created"  // After: the first values
	EventChanged  EventKind = "changed"  // Before, After: the fields that changed
	EventApproved EventKind = "approved" // a change request was applied
	EventAssigned EventKind = "assigned" // the customer or site changed (Note says to what)
	EventClaimed  EventKind = "claimed"  // a customer claimed the record
)

// Event is one change of a record, kept in its history.
type Event struct {
	Kind EventKind
	At   time.Time
	// By names who made the change, as identity.Principal.Actor returns
	// it ("user:usr_…", "staff:stf_…", "api_key:key_…").
	By string
	// ByCustomer is set when a customer user made the change (directly or
	// through an approved request): the cadence rule counts these.
	ByCustomer bool
	// Before and After hold the values of the fields that changed.
	Before map[string]string
	After  map[string]string
	Note   string
}

// Shown returns e with the values of fields customers do not see left out.
func (e Event) Shown(t Type) Event {
	e.Before, e.After = t.Shown(e.Before), t.Shown(e.After)
	return e
}

// Diff returns the values of the fields that differ between before and
// after, on each side; nil maps when nothing differs.
func Diff(before, after map[string]string) (map[string]string, map[string]string) {
	var b, a map[string]string
	for _, k := range slices.Sorted(maps.Keys(joinKeys(before, after))) {
		if before[k] != after[k] {
			if b == nil {
				b, a = map[string]string{}, map[string]string{}
			}
			if v, ok := before[k]; ok {
				b[k] = v
			}
			if v, ok := after[k]; ok {
				a[k] = v
			}
		}
	}
	return b, a
}

func joinKeys(ms ...map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

// Editor is who edits a record: staff (rules do not apply) or a customer
// user with its role.
type Editor struct {
	Staff bool
	Role  customer.Role
	By    string
}

// Edit is a checked edit of a record: the values it sets and whether it
// must wait for approval.
type Edit struct {
	// Values are the record's values after the edit.
	Values map[string]string
	// Before and After hold the changed fields' values (Diff).
	Before, After map[string]string
	// NeedsApproval is set when a changed field's rule asks for approval:
	// the edit becomes a ChangeRequest instead of being applied.
	NeedsApproval bool
}

// refused returns the error of an edit refused by rule on field f.
func refused(code portalerr.Code, f, rule, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &portalerr.Error{
		Code:    code,
		Message: fmt.Sprintf("values.%s: refused by rule %s: %s", f, rule, msg),
		Fields:  []portalerr.FieldViolation{{Field: "values." + f, Message: rule + ": " + msg}},
	}
}

// RuleOf returns the rule that refused an edit, as CheckEdit names it in
// the first field violation of its error; "" when err names none.
func RuleOf(err error) string {
	for _, f := range portalerr.FieldsOf(err) {
		rule, _, ok := strings.Cut(f.Message, ": ")
		switch rule {
		case RuleRole, RuleCadence, RuleRelativeChange, RuleFreeze, RuleApproval:
			if ok {
				return rule
			}
		}
	}
	return ""
}

// CheckEdit checks changes (field name to new value; an empty value clears
// the field) to r, a record of type t, by ed at now, and returns the edit
// to store. Staff change any field; a customer user changes only fields
// shown to it, under each changed field's EditRule:
//   - role: PermissionDenied when ed's role is below the rule's, or the
//     field has none;
//   - cadence: FailedPrecondition when the field changed MaxChanges times
//     by customer users in the last PeriodDays days;
//   - relative_change: Invalid when the new value is more than
//     MaxChangePercent away from the current one;
//   - freeze: FailedPrecondition from FreezeDays days before the date in
//     FreezeField up to and including that date.
//
// The error names the field ("values.<name>") and the rule ("<rule>: …").
// An unchanged value is no change. Invalid for values the field's kind
// refuses or fields the type (for customers, its shown fields) does not
// have, and for an edit that changes nothing.
func (t Type) CheckEdit(r Record, changes map[string]string, ed Editor, now time.Time) (Edit, error) {
	if len(changes) == 0 {
		return Edit{}, portalerr.Invalidf("values", "name at least one field to change")
	}
	next := maps.Clone(r.Values)
	if next == nil {
		next = map[string]string{}
	}
	var bad []portalerr.FieldViolation
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		f, ok := t.Field(name)
		if !ok || (!ed.Staff && !f.Customer) {
			bad = append(bad, portalerr.FieldViolation{Field: "values." + name, Message: fmt.Sprintf("is not a field of %s records", t.Name)})
			continue
		}
		v := strings.TrimSpace(changes[name])
		if v == "" {
			delete(next, name)
			continue
		}
		v, msg := f.check(v)
		if msg != "" {
			bad = append(bad, portalerr.FieldViolation{Field: "values." + name, Message: msg})
			continue
		}
		next[name] = v
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return Edit{}, err
	}
	values, err := t.CheckValues(next)
	if err != nil {
		return Edit{}, err
	}
	before, after := Diff(r.Values, values)
	if len(after) == 0 && len(before) == 0 {
		return Edit{}, portalerr.Invalidf("values", "changes nothing: the values are as given already")
	}
	e := Edit{Values: values, Before: before, After: after}
	if ed.Staff {
		return e, nil
	}
	for _, name := range slices.Sorted(maps.Keys(joinKeys(before, after))) {
		f, _ := t.Field(name)
		rule := f.Edit
		if rule.Role == "" || !ed.Role.AtLeast(rule.Role) {
			if rule.Role == "" {
				return Edit{}, refused(portalerr.PermissionDenied, name, RuleRole, "customers may not change this field")
			}
			return Edit{}, refused(portalerr.PermissionDenied, name, RuleRole, "needs the %s role", rule.Role)
		}
		if rule.MaxChanges > 0 {
			since := now.Add(-time.Duration(rule.PeriodDays) * 24 * time.Hour)
			if n := r.changesOf(name, since); n >= rule.MaxChanges {
				return Edit{}, refused(portalerr.FailedPrecondition, name, RuleCadence,
					"may change at most %d times in %d days; it changed %d times since %s",
					rule.MaxChanges, rule.PeriodDays, n, since.UTC().Format(time.DateOnly))
			}
		}
		if rule.MaxChangePercent > 0 && !withinPercent(r.Values[name], values[name], rule.MaxChangePercent) {
			return Edit{}, refused(portalerr.Invalid, name, RuleRelativeChange,
				"may change by at most %g%% of its current value %s", rule.MaxChangePercent, r.Values[name])
		}
		if rule.FreezeDays > 0 {
			if d, err := time.Parse(time.DateOnly, r.Values[rule.FreezeField]); err == nil {
				today := now.UTC().Truncate(24 * time.Hour)
				from := d.AddDate(0, 0, -rule.FreezeDays)
				if !today.Before(from) && !today.After(d) {
					return Edit{}, refused(portalerr.FailedPrecondition, name, RuleFreeze,
						"cannot change in the %d days before %s (%s)", rule.FreezeDays, rule.FreezeField, d.Format(time.DateOnly))
				}
			}
		}
		if rule.Approval {
			e.NeedsApproval = true
		}
	}
	return e, nil
}

// changesOf counts the changes of field name by customer users in r's
// history since since.
func (r Record) changesOf(name string, since time.Time) int {
	n := 0
	for _, ev := range r.History {
		if !ev.ByCustomer || ev.At.Before(since) || (ev.Kind != EventChanged && ev.Kind != EventApproved) {
			continue
		}
		if ev.Before[name] != ev.After[name] {
			n++
		}
	}
	return n
}

// MatchIdentifiers reports whether given holds exactly the values of
// every identifier field of t in r (and no other field). The values are
// compared in constant time, so a near miss takes as long as a far one.
func (t Type) MatchIdentifiers(r Record, given map[string]string) bool {
	ids := t.IdentifierFields()
	if len(ids) == 0 || len(given) != len(ids) {
		return false
	}
	ok := 1
	for _, f := range ids {
		g, has := given[f]
		if !has {
			return false
		}
		ok &= subtle.ConstantTimeCompare([]byte(g), []byte(r.Values[f]))
	}
	return ok == 1
}

// CheckExternalRef returns an Invalid error for an external reference that
// is too long or not one line.
func CheckExternalRef(ref string) error {
	if utf8.RuneCountInString(ref) > MaxExternal || strings.ContainsAny(ref, "\r\n") || strings.TrimSpace(ref) != ref {
		return portalerr.Invalidf("external_ref", "must be one line of at most %d characters without surrounding spaces", MaxExternal)
	}
	return nil
}

// ChangeStatus is where a change request stands.
type ChangeStatus string

// Change request statuses.
const (
	ChangePending  ChangeStatus = "pending"
	ChangeApproved ChangeStatus = "approved"
	ChangeRejected ChangeStatus = "rejected"
)

// ChangeRequest is a customer user's edit of a record that waits for the
// provider's approval. It is applied only if the record is still at
// BaseVersion when approved.
type ChangeRequest struct {
	ID         ChangeID
	RecordID   ID
	CustomerID customer.ID
	// Changes are the fields the edit sets (an empty value clears one).
	Changes map[string]string
	// Before and After are the changed fields' values as the edit was
	// checked.
	Before, After map[string]string
	// BaseVersion is the record's version the edit was made on.
	BaseVersion int64
	Status      ChangeStatus
	RequestedBy string
	DecidedBy   string
	DecidedAt   time.Time
	Note        string
	CreatedAt   time.Time
}

// Decide approves or rejects c. FailedPrecondition when c is not pending.
func (c ChangeRequest) Decide(approve bool, by string, at time.Time, note string) (ChangeRequest, error) {
	if c.Status != ChangePending {
		return c, portalerr.New(portalerr.FailedPrecondition, "change request %s is %s already", c.ID, c.Status)
	}
	if utf8.RuneCountInString(note) > 2000 {
		return c, portalerr.Invalidf("note", "must be at most 2000 characters")
	}
	c.Status = ChangeRejected
	if approve {
		c.Status = ChangeApproved
	}
	c.DecidedBy, c.DecidedAt, c.Note = by, at, note
	return c, nil
}
