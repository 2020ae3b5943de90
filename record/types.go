package record

import (
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// FieldKind is the kind of value a type's field holds. Values are strings;
// the kind says which strings are allowed.
type FieldKind string

// Field kinds.
const (
	KindText      FieldKind = "text"       // one line of text
	KindNumber    FieldKind = "number"     // a decimal number such as 12.5 or -3
	KindDate      FieldKind = "date"       // a calendar day, YYYY-MM-DD
	KindEnum      FieldKind = "enum"       // one of Field.Options
	KindMoney     FieldKind = "money"      // integer minor units of Field.Currency
	KindBool      FieldKind = "boolean"    // true or false
	KindSite      FieldKind = "site"       // the ID of a site of the record's customer
	KindStockItem FieldKind = "stock_item" // the ID of a stock item of the record's customer
)

// Kinds lists every field kind.
var Kinds = []FieldKind{KindText, KindNumber, KindDate, KindEnum, KindMoney, KindBool, KindSite, KindStockItem}

// Limits of types and values.
const (
	MaxFields     = 50    // fields of one type
	MaxActions    = 20    // actions of one type
	MaxFieldValue = 2000  // characters of one value
	MaxExternal   = 200   // characters of an external reference
	MaxNumber     = 30    // characters of a number or an amount of money
	MaxPercent    = 1000. // the largest MaxChangePercent
	MaxDays       = 3660  // the longest period or freeze, in days
)

// EditRule says whether and how customer users may change a field. Staff
// change any field without these rules; the values are still checked.
type EditRule struct {
	// Role is the least role of a customer user who may change the field;
	// empty: customer users may not change it. Rule "role".
	Role customer.Role `json:"role,omitempty"`
	// MaxChanges, with PeriodDays, allows at most MaxChanges changes of
	// the field by customer users in any PeriodDays days. Rule "cadence".
	MaxChanges int `json:"max_changes,omitempty"`
	PeriodDays int `json:"period_days,omitempty"`
	// MaxChangePercent, for number and money fields, allows a new value at
	// most this many percent above or below the current one (a current
	// value that is empty or zero does not limit). Rule "relative_change".
	MaxChangePercent float64 `json:"max_change_percent,omitempty"`
	// FreezeDays, with FreezeField (a date field of the type), refuses a
	// change in the FreezeDays days before that date and on it. Rule
	// "freeze".
	FreezeDays  int    `json:"freeze_days,omitempty"`
	FreezeField string `json:"freeze_field,omitempty"`
	// Approval makes a change of the field by a customer user a
	// ChangeRequest that staff approve or reject. Rule "approval".
	Approval bool `json:"approval,omitempty"`
}

// Rule names, as a refused edit gives them.
const (
	RuleRole           = "role"
	RuleCadence        = "cadence"
	RuleRelativeChange = "relative_change"
	RuleFreeze         = "freeze"
	RuleApproval       = "approval"
)

// Field is one field of a record type.
type Field struct {
	// Name is the key in Record.Values: lower case, digits and _.
	Name  string    `json:"name"`
	Label string    `json:"label,omitempty"`
	Kind  FieldKind `json:"kind"`
	// Required fields must have a value.
	Required bool `json:"required,omitempty"`
	// Options are the allowed values of an enum field.
	Options []string `json:"options,omitempty"`
	// Currency is the ISO 4217 code of a money field.
	Currency string `json:"currency,omitempty"`
	// Identifier fields identify a record to people: they are searched
	// exactly, and a customer claims a record by giving all of them. An
	// identifier is required and shown to customers.
	Identifier bool `json:"identifier,omitempty"`
	// Customer fields are shown to customer users; the others never leave
	// the server for them.
	Customer bool     `json:"customer,omitempty"`
	Edit     EditRule `json:"edit,omitzero"`
}

// Action is something a customer user may ask for about a record, such as
// reporting a meter reading or cancelling a contract: it opens a ticket of
// TicketType about the record.
type Action struct {
	Name       string `json:"name"`
	Label      string `json:"label,omitempty"`
	TicketType string `json:"ticket_type,omitempty"`
	// Webhook makes the action publish a webhook event (record.action)
	// instead of opening a ticket; such an action names no TicketType.
	Webhook bool `json:"webhook,omitempty"`
	// Role is the least role of a customer user who may take the action;
	// default maintainer.
	Role customer.Role `json:"role,omitempty"`
}

// Type is a kind of record: its fields, its actions and its version.
type Type struct {
	// Name is the type's key ("contract"): lower case, digits and _.
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
	// Version counts the type's definitions from 1; a record keeps the
	// version it was checked against.
	Version int      `json:"version"`
	Fields  []Field  `json:"fields"`
	Actions []Action `json:"actions,omitempty"`
	// Builtin marks a type defined in Go (a Registry), which the API
	// cannot redefine.
	Builtin bool `json:"-"`
}

// Field returns the field named name.
func (t Type) Field(name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Action returns the action named name.
func (t Type) Action(name string) (Action, bool) {
	for _, a := range t.Actions {
		if a.Name == name {
			return a, true
		}
	}
	return Action{}, false
}

// IdentifierFields returns the names of t's identifier fields, in order.
func (t Type) IdentifierFields() []string {
	var out []string
	for _, f := range t.Fields {
		if f.Identifier {
			out = append(out, f.Name)
		}
	}
	return out
}

// Claimable reports whether a customer may claim records of t: t has
// identifier fields.
func (t Type) Claimable() bool { return len(t.IdentifierFields()) > 0 }

// Check checks t's definition. An Invalid error names every problem:
// names that are not lower case letters, digits and _, repeated or
// unknown fields, an enum without options, a money field without a
// currency, an unknown role, rules that do not fit their field, an action
// without a ticket type.
func (t Type) Check() error {
	var bad []portalerr.FieldViolation
	fail := func(field, format string, args ...any) {
		bad = append(bad, portalerr.FieldViolation{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !ValidName(t.Name) {
		fail("name", "must be 1 to 64 lower case letters, digits and _")
	}
	if utf8.RuneCountInString(t.Label) > 200 {
		fail("label", "must be at most 200 characters")
	}
	if t.Version < 1 {
		fail("version", "must be 1 or more")
	}
	if len(t.Fields) == 0 || len(t.Fields) > MaxFields {
		fail("fields", "must have 1 to %d fields", MaxFields)
	}
	kinds := map[string]FieldKind{}
	for _, f := range t.Fields {
		kinds[f.Name] = f.Kind
	}
	seen := map[string]bool{}
	for i, f := range t.Fields {
		p := fmt.Sprintf("fields[%d]", i)
		switch {
		case !ValidName(f.Name):
			fail(p+".name", "must be 1 to 64 lower case letters, digits and _")
		case seen[f.Name]:
			fail(p+".name", "repeats %s", f.Name)
		}
		seen[f.Name] = true
		if utf8.RuneCountInString(f.Label) > 200 {
			fail(p+".label", "must be at most 200 characters")
		}
		switch f.Kind {
		case KindEnum:
			if len(f.Options) == 0 || len(f.Options) > 100 {
				fail(p+".options", "an enum needs 1 to 100 options")
			}
			for _, o := range f.Options {
				if o == "" || strings.TrimSpace(o) != o || utf8.RuneCountInString(o) > 100 {
					fail(p+".options", "options must be 1 to 100 characters without surrounding spaces")
					break
				}
			}
		case KindMoney:
			if !currencyRE.MatchString(f.Currency) {
				fail(p+".currency", "a money field needs an ISO 4217 currency such as EUR")
			}
		case KindText, KindNumber, KindDate, KindBool, KindSite, KindStockItem:
		default:
			fail(p+".kind", "must be one of: %s", kindNames())
		}
		if f.Kind != KindEnum && len(f.Options) > 0 {
			fail(p+".options", "only an enum has options")
		}
		if f.Kind != KindMoney && f.Currency != "" {
			fail(p+".currency", "only a money field has a currency")
		}
		if f.Identifier && (!f.Required || !f.Customer) {
			fail(p+".identifier", "an identifier must be required and shown to customers")
		}
		if f.Identifier && (f.Kind == KindBool || f.Kind == KindSite || f.Kind == KindStockItem) {
			fail(p+".identifier", "a %s field cannot be an identifier", f.Kind)
		}
		e := f.Edit
		if e.Role != "" && !e.Role.Valid() {
			fail(p+".edit.role", "must be viewer, maintainer or admin")
		}
		if e != (EditRule{}) && e.Role == "" {
			fail(p+".edit.role", "rules need the role that may edit")
		}
		if e.Role != "" && !f.Customer {
			fail(p+".edit.role", "customers may edit only fields shown to them")
		}
		if (e.MaxChanges > 0) != (e.PeriodDays > 0) || e.MaxChanges < 0 || e.PeriodDays > MaxDays || e.MaxChanges > 1000 {
			fail(p+".edit.max_changes", "a cadence needs max_changes (1 to 1000) and period_days (1 to %d)", MaxDays)
		}
		if e.MaxChangePercent < 0 || e.MaxChangePercent > MaxPercent {
			fail(p+".edit.max_change_percent", "must be 0 to %g", MaxPercent)
		} else if e.MaxChangePercent > 0 && f.Kind != KindNumber && f.Kind != KindMoney {
			fail(p+".edit.max_change_percent", "only number and money fields change relatively")
		}
		if (e.FreezeDays > 0) != (e.FreezeField != "") || e.FreezeDays < 0 || e.FreezeDays > MaxDays {
			fail(p+".edit.freeze_days", "a freeze needs freeze_days (1 to %d) and freeze_field", MaxDays)
		} else if e.FreezeField != "" && kinds[e.FreezeField] != KindDate {
			fail(p+".edit.freeze_field", "must name a date field of the type")
		}
	}
	if len(t.Actions) > MaxActions {
		fail("actions", "must have at most %d actions", MaxActions)
	}
	seenAct := map[string]bool{}
	for i, a := range t.Actions {
		p := fmt.Sprintf("actions[%d]", i)
		switch {
		case !ValidName(a.Name):
			fail(p+".name", "must be 1 to 64 lower case letters, digits and _")
		case seenAct[a.Name]:
			fail(p+".name", "repeats %s", a.Name)
		}
		seenAct[a.Name] = true
		switch {
		case a.Webhook && a.TicketType != "":
			fail(p+".ticket_type", "must be empty for a webhook action")
		case !a.Webhook && !ValidName(a.TicketType):
			fail(p+".ticket_type", "must name a ticket type")
		}
		if a.Role != "" && !a.Role.Valid() {
			fail(p+".role", "must be viewer, maintainer or admin")
		}
	}
	return portalerr.InvalidFields(bad...)
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

func kindNames() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// ValidName reports whether s is a name of a type, field or action: 1 to
// 64 lower case letters, digits and _.
func ValidName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

var (
	numberRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	moneyRE  = regexp.MustCompile(`^-?[0-9]+$`)
	refRE    = regexp.MustCompile(`^[a-z]{3}_[A-Za-z0-9_-]{1,64}$`)
)

// check returns v as stored (trimmed) and what is wrong with it, if anything.
func (f Field) check(v string) (string, string) {
	v = strings.TrimSpace(v)
	if utf8.RuneCountInString(v) > MaxFieldValue {
		return v, fmt.Sprintf("must be at most %d characters", MaxFieldValue)
	}
	switch f.Kind {
	case KindText:
		if strings.ContainsAny(v, "\r\n") {
			return v, "must be one line"
		}
	case KindNumber:
		if len(v) > MaxNumber || !numberRE.MatchString(v) {
			return v, "must be a decimal number such as 12.5"
		}
	case KindMoney:
		if len(v) > MaxNumber || !moneyRE.MatchString(v) {
			return v, "must be an amount in minor units (cents) such as 1999"
		}
	case KindDate:
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return v, "must be a date such as 2026-03-31"
		}
	case KindEnum:
		if !slices.Contains(f.Options, v) {
			return v, "must be one of: " + strings.Join(f.Options, ", ")
		}
	case KindBool:
		if v != "true" && v != "false" {
			return v, "must be true or false"
		}
	case KindSite:
		if !strings.HasPrefix(v, "sit_") || !refRE.MatchString(v) {
			return v, "must be the ID of a site (sit_…)"
		}
	case KindStockItem:
		if !strings.HasPrefix(v, "itm_") || !refRE.MatchString(v) {
			return v, "must be the ID of a stock item (itm_…)"
		}
	}
	return v, ""
}

// CheckValues returns the values of a record of type t as they are
// stored: trimmed, empty ones dropped. An Invalid error names each bad
// field as "values.<name>": a missing required field, a value its kind
// refuses, a field the type does not have. Whether a site or stock item is
// the record's customer's is for the caller to check.
func (t Type) CheckValues(values map[string]string) (map[string]string, error) {
	var bad []portalerr.FieldViolation
	out := make(map[string]string, len(values))
	for _, f := range t.Fields {
		v, ok := values[f.Name]
		if !ok || strings.TrimSpace(v) == "" {
			if f.Required {
				bad = append(bad, portalerr.FieldViolation{Field: "values." + f.Name, Message: "is required"})
			}
			continue
		}
		v, msg := f.check(v)
		if msg != "" {
			bad = append(bad, portalerr.FieldViolation{Field: "values." + f.Name, Message: msg})
			continue
		}
		out[f.Name] = v
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if _, ok := t.Field(k); !ok {
			bad = append(bad, portalerr.FieldViolation{Field: "values." + k, Message: fmt.Sprintf("is not a field of %s records", t.Name)})
		}
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return nil, err
	}
	return out, nil
}

// Shown returns the values of t's fields that customer users see; the
// others are left out.
func (t Type) Shown(values map[string]string) map[string]string {
	out := make(map[string]string, len(values))
	for _, f := range t.Fields {
		if v, ok := values[f.Name]; ok && f.Customer {
			out[f.Name] = v
		}
	}
	return out
}

// Identifiers returns the values of t's identifier fields in values.
func (t Type) Identifiers(values map[string]string) map[string]string {
	out := map[string]string{}
	for _, f := range t.Fields {
		if v, ok := values[f.Name]; ok && f.Identifier {
			out[f.Name] = v
		}
	}
	return out
}

// SearchText returns what a full-text search of a record of type t looks
// in: its external reference and values, lower case, one per line; with
// shownOnly, the values of fields customers see alone.
func (t Type) SearchText(ref string, values map[string]string, shownOnly bool) string {
	var b strings.Builder
	if !shownOnly {
		b.WriteString(strings.ToLower(ref))
	}
	for _, f := range t.Fields {
		if v, ok := values[f.Name]; ok && (f.Customer || !shownOnly) {
			b.WriteString("\n")
			b.WriteString(strings.ToLower(v))
		}
	}
	return b.String()
}

// number parses a number or money value exactly.
func number(s string) (*big.Rat, bool) {
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// withinPercent reports whether next differs from cur by at most pct
// percent of cur. An empty, unparsable or zero cur does not limit.
func withinPercent(cur, next string, pct float64) bool {
	c, ok := number(cur)
	if !ok || c.Sign() == 0 {
		return true
	}
	n, ok := number(next)
	if !ok {
		return false
	}
	diff := new(big.Rat).Sub(n, c)
	diff.Abs(diff)
	limit := new(big.Rat).Abs(c)
	p, _ := new(big.Rat).SetString(strconv.FormatFloat(pct, 'f', -1, 64))
	limit.Mul(limit, p)
	limit.Quo(limit, big.NewRat(100, 1))
	return diff.Cmp(limit) <= 0
}

// Registry holds record types defined in Go, by name and version. It is
// safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	types map[string]map[int]Type
}

// NewRegistry returns a registry of types. It panics on a type that
// Register refuses: types in Go are set up at start.
func NewRegistry(types ...Type) *Registry {
	r := &Registry{types: map[string]map[int]Type{}}
	for _, t := range types {
		if err := r.Register(t); err != nil {
			panic(err)
		}
	}
	return r
}

// DefaultRegistry returns a new registry of DefaultTypes, to which a
// provider may add its own types and versions.
func DefaultRegistry() *Registry { return NewRegistry(DefaultTypes()...) }

// Register adds t (version 0 is taken as 1), or replaces the same version
// of it. Keep the older versions registered while records of them exist.
// The Invalid error of Type.Check when t is not a valid type.
func (r *Registry) Register(t Type) error {
	if t.Version == 0 {
		t.Version = 1
	}
	if err := t.Check(); err != nil {
		return fmt.Errorf("record: registering type %q: %w", t.Name, err)
	}
	t.Builtin = true
	t.Fields, t.Actions = slices.Clone(t.Fields), slices.Clone(t.Actions)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.types[t.Name] == nil {
		r.types[t.Name] = map[int]Type{}
	}
	r.types[t.Name][t.Version] = t
	return nil
}

// Lookup returns version v of the type named name; v 0 means the latest.
func (r *Registry) Lookup(name string, v int) (Type, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	vs := r.types[name]
	if v == 0 {
		v = slices.Max(slices.Collect(maps.Keys(vs)))
	}
	t, ok := vs[v]
	return t, ok
}

// Has reports whether the registry holds a type named name.
func (r *Registry) Has(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.types[name]) > 0
}

// Latest returns the latest version of every type, sorted by name.
func (r *Registry) Latest() []Type {
	r.mu.RLock()
	names := slices.Sorted(maps.Keys(r.types))
	r.mu.RUnlock()
	out := make([]Type, 0, len(names))
	for _, n := range names {
		t, _ := r.Lookup(n, 0)
		out = append(out, t)
	}
	return out
}

// Built-in type names.
const (
	TypeContract = "contract"
	TypeDomain   = "domain"
	TypeTask     = "task"
	TypeMeter    = "meter"
)

// DefaultTypes returns the built-in types:
//   - contract: a contract number and customer number identify it; its
//     monthly instalment may be changed by 10% at most, twice a year,
//     and not in the 30 days before its end; a change of the billing
//     e-mail needs approval. Actions: cancel.
//   - domain: identified by its name; auto-renewal may be switched by a
//     maintainer, not in the 14 days before it expires.
//   - task: a task the provider tracks for the customer, with a status
//     and a due date; a maintainer may change its status.
//   - meter: identified by its meter number with the contract number; the
//     expected yearly consumption may change by 50% at most, once a
//     quarter. Actions: report a reading.
func DefaultTypes() []Type {
	return []Type{
		{
			Name: TypeContract, Label: "Contract", Version: 1,
			Fields: []Field{
				{Name: "contract_number", Label: "Contract number", Kind: KindText, Required: true, Identifier: true, Customer: true},
				{Name: "customer_number", Label: "Customer number", Kind: KindText, Required: true, Identifier: true, Customer: true},
				{Name: "product", Label: "Product", Kind: KindText, Customer: true},
				{Name: "status", Label: "Status", Kind: KindEnum, Required: true, Options: []string{"draft", "active", "cancelled", "ended"}, Customer: true},
				{Name: "start_date", Label: "Start date", Kind: KindDate, Customer: true},
				{Name: "end_date", Label: "End date", Kind: KindDate, Customer: true},
				{Name: "monthly_instalment", Label: "Monthly instalment", Kind: KindMoney, Currency: "EUR", Customer: true,
					Edit: EditRule{Role: customer.RoleAdmin, MaxChanges: 2, PeriodDays: 365, MaxChangePercent: 10, FreezeDays: 30, FreezeField: "end_date"}},
				{Name: "billing_email", Label: "Billing e-mail", Kind: KindText, Customer: true,
					Edit: EditRule{Role: customer.RoleAdmin, Approval: true}},
				{Name: "site", Label: "Site", Kind: KindSite, Customer: true},
				{Name: "margin_note", Label: "Internal margin note", Kind: KindText},
			},
			Actions: []Action{{Name: "cancel", Label: "Cancel contract", TicketType: "generic", Role: customer.RoleAdmin}},
		},
		{
			Name: TypeDomain, Label: "Domain", Version: 1,
			Fields: []Field{
				{Name: "domain_name", Label: "Domain name", Kind: KindText, Required: true, Identifier: true, Customer: true},
				{Name: "registered_on", Label: "Registered on", Kind: KindDate, Customer: true},
				{Name: "expires_on", Label: "Expires on", Kind: KindDate, Customer: true},
				{Name: "auto_renew", Label: "Renew automatically", Kind: KindBool, Customer: true,
					Edit: EditRule{Role: customer.RoleMaintainer, FreezeDays: 14, FreezeField: "expires_on"}},
				{Name: "yearly_fee", Label: "Yearly fee", Kind: KindMoney, Currency: "EUR", Customer: true},
			},
		},
		{
			Name: TypeTask, Label: "Task", Version: 1,
			Fields: []Field{
				{Name: "title", Label: "Title", Kind: KindText, Required: true, Customer: true},
				{Name: "status", Label: "Status", Kind: KindEnum, Required: true, Options: []string{"open", "in_progress", "done"}, Customer: true,
					Edit: EditRule{Role: customer.RoleMaintainer}},
				{Name: "due_on", Label: "Due on", Kind: KindDate, Customer: true},
				{Name: "stock_item", Label: "Device", Kind: KindStockItem, Customer: true},
			},
		},
		{
			Name: TypeMeter, Label: "Meter", Version: 1,
			Fields: []Field{
				{Name: "meter_number", Label: "Meter number", Kind: KindText, Required: true, Identifier: true, Customer: true},
				{Name: "contract_number", Label: "Contract number", Kind: KindText, Required: true, Identifier: true, Customer: true},
				{Name: "medium", Label: "Medium", Kind: KindEnum, Required: true, Options: []string{"electricity", "gas", "water", "heat"}, Customer: true},
				{Name: "yearly_consumption", Label: "Expected yearly consumption", Kind: KindNumber, Customer: true,
					Edit: EditRule{Role: customer.RoleMaintainer, MaxChanges: 1, PeriodDays: 90, MaxChangePercent: 50}},
				{Name: "last_reading", Label: "Last reading", Kind: KindNumber, Customer: true},
				{Name: "site", Label: "Site", Kind: KindSite, Customer: true},
			},
			Actions: []Action{{Name: "report_reading", Label: "Report meter reading", TicketType: "generic"}},
		},
	}
}
