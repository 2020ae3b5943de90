package ticket

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/portalerr"
)

// FieldKind is the kind of value a type's field holds. Values are strings;
// the kind says which strings are allowed.
type FieldKind string

// Field kinds.
const (
	KindText  FieldKind = "text"  // one line of text
	KindLong  FieldKind = "long"  // free text, several lines
	KindDate  FieldKind = "date"  // a calendar day, YYYY-MM-DD
	KindEnum  FieldKind = "enum"  // one of Field.Options
	KindEmail FieldKind = "email" // an e-mail address
)

// Field is a type-specific field of a ticket.
type Field struct {
	// Name is the key in Ticket.Fields: lower case, digits and _.
	Name     string
	Kind     FieldKind
	Required bool
	// Options are the allowed values of a KindEnum field.
	Options []string
	// MaxLen bounds the value in characters; 0 means MaxFieldValue.
	MaxLen int
	// Label is a short English description for forms and the API.
	Label string
}

// check returns v as stored (trimmed) and what is wrong with it, if anything.
func (f Field) check(v string) (string, string) {
	v = strings.TrimSpace(v)
	limit := f.MaxLen
	if limit == 0 {
		limit = MaxFieldValue
	}
	if utf8.RuneCountInString(v) > limit {
		return v, fmt.Sprintf("must be at most %d characters", limit)
	}
	switch f.Kind {
	case KindText:
		if strings.ContainsAny(v, "\r\n") {
			return v, "must be one line"
		}
	case KindDate:
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return v, "must be a date such as 2026-03-31"
		}
	case KindEnum:
		if !slices.Contains(f.Options, v) {
			return v, "must be one of: " + strings.Join(f.Options, ", ")
		}
	case KindEmail:
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v || a.Name != "" {
			return v, "must be a plain e-mail address such as name@example.com"
		}
	}
	return v, ""
}

// Type is a kind of ticket: its fields and its own rules.
type Type struct {
	// Name is the type's key ("equipment_damage"): lower case, digits and _.
	Name string
	// Label is a short English name for forms and the API.
	Label  string
	Fields []Field
	// Validate, when set, checks the fields after each has passed its
	// Field rules (dates are dates, required fields are there): the rules
	// between fields, or with the links. It returns an Invalid error
	// naming fields as "fields.<name>" or "links.<name>".
	Validate func(fields map[string]string, links Links) error
}

// Check returns the fields of a ticket of type t as they are stored:
// trimmed, empty ones dropped. An Invalid error names each bad field as
// "fields.<name>": a missing required field, a value its kind refuses, a
// field the type does not have; then t.Validate's findings.
func (t Type) Check(fields map[string]string, links Links) (map[string]string, error) {
	var bad []portalerr.FieldViolation
	out := make(map[string]string, len(fields))
	known := make(map[string]bool, len(t.Fields))
	for _, f := range t.Fields {
		known[f.Name] = true
		v, ok := fields[f.Name]
		if !ok || strings.TrimSpace(v) == "" {
			if f.Required {
				bad = append(bad, portalerr.FieldViolation{Field: "fields." + f.Name, Message: "is required"})
			}
			continue
		}
		v, msg := f.check(v)
		if msg != "" {
			bad = append(bad, portalerr.FieldViolation{Field: "fields." + f.Name, Message: msg})
			continue
		}
		out[f.Name] = v
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !known[k] {
			bad = append(bad, portalerr.FieldViolation{Field: "fields." + k, Message: fmt.Sprintf("is not a field of %s tickets", t.Name)})
		}
	}
	if len(bad) == 0 && t.Validate != nil {
		if err := t.Validate(out, links); err != nil {
			if fs := portalerr.FieldsOf(err); len(fs) > 0 {
				bad = append(bad, fs...)
			} else {
				return nil, err
			}
		}
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Registry holds the ticket types a deployment knows. It is safe for
// concurrent use.
type Registry struct {
	mu    sync.RWMutex
	types map[string]Type
}

// NewRegistry returns a registry of types. It panics on a type that
// Register refuses: types are set up in code, at start.
func NewRegistry(types ...Type) *Registry {
	r := &Registry{types: make(map[string]Type, len(types))}
	for _, t := range types {
		if err := r.Register(t); err != nil {
			panic(err)
		}
	}
	return r
}

// DefaultRegistry returns a new registry of DefaultTypes, to which a
// provider may add its own.
func DefaultRegistry() *Registry { return NewRegistry(DefaultTypes()...) }

// Register adds t, or replaces the type of the same name. An Invalid error
// when t's name or a field's name is not lower case letters, digits and _,
// when a field repeats, has an unknown kind, or is an enum without options.
func (r *Registry) Register(t Type) error {
	var bad []portalerr.FieldViolation
	if !validName(t.Name) {
		bad = append(bad, portalerr.FieldViolation{Field: "name", Message: "must be lower case letters, digits and _"})
	}
	seen := map[string]bool{}
	for i, f := range t.Fields {
		field := fmt.Sprintf("fields[%d]", i)
		switch {
		case !validName(f.Name):
			bad = append(bad, portalerr.FieldViolation{Field: field + ".name", Message: "must be lower case letters, digits and _"})
		case seen[f.Name]:
			bad = append(bad, portalerr.FieldViolation{Field: field + ".name", Message: "repeats " + f.Name})
		}
		seen[f.Name] = true
		switch f.Kind {
		case KindText, KindLong, KindDate, KindEmail:
		case KindEnum:
			if len(f.Options) == 0 {
				bad = append(bad, portalerr.FieldViolation{Field: field + ".options", Message: "an enum needs options"})
			}
		default:
			bad = append(bad, portalerr.FieldViolation{Field: field + ".kind", Message: "must be one of: text, long, date, enum, email"})
		}
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return fmt.Errorf("ticket: registering type %q: %w", t.Name, err)
	}
	t.Fields = slices.Clone(t.Fields)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.types[t.Name] = t
	return nil
}

func validName(s string) bool {
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

// Lookup returns the type named name.
func (r *Registry) Lookup(name string) (Type, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.types[name]
	return t, ok
}

// Types returns every type, sorted by name.
func (r *Registry) Types() []Type {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := slices.Collect(maps.Values(r.types))
	slices.SortFunc(out, func(a, b Type) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Names returns the names of every type, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.types))
}

// Built-in type names.
const (
	TypeEquipmentDamage  = "equipment_damage"
	TypeRentalChange     = "rental_change"
	TypeOrderLineDates   = "order_line_dates"
	TypeInvoiceQuestion  = "invoice_question"
	TypeMasterDataChange = "master_data_change"
	TypeGeneric          = "generic"
)

// MasterDataFields are the fields of a master_data_change ticket: each
// names a detail of the customer, and its value is the new value asked
// for. At least one is required.
var MasterDataFields = []string{
	"name", "legal_name", "vat_id", "contact_email", "phone",
	"address_line1", "address_line2", "address_postal_code", "address_city", "address_region", "address_country",
}

// DefaultTypes returns the built-in types: equipment damage, a change of
// rental dates or the stop of a rental, a change of an order line's on-rent
// or off-rent date, an invoice question, a change of the customer's master
// data, and generic.
func DefaultTypes() []Type {
	md := make([]Field, 0, len(MasterDataFields))
	for _, n := range MasterDataFields {
		f := Field{Name: n, Kind: KindText, MaxLen: 200, Label: "New " + strings.ReplaceAll(n, "_", " ")}
		if n == "contact_email" {
			f.Kind, f.MaxLen = KindEmail, 254
		}
		md = append(md, f)
	}
	return []Type{
		{
			Name: TypeEquipmentDamage, Label: "Equipment damage",
			Fields: []Field{
				{Name: "damage", Kind: KindEnum, Required: true, Options: []string{"cosmetic", "functional", "total_loss"}, Label: "Kind of damage"},
				{Name: "noticed_on", Kind: KindDate, Label: "Noticed on"},
				{Name: "serial_number", Kind: KindText, MaxLen: 100, Label: "Serial number"},
			},
		},
		{
			Name: TypeRentalChange, Label: "Change or stop of a rental",
			Fields: []Field{
				{Name: "change", Kind: KindEnum, Required: true, Options: []string{"extend", "shorten", "stop"}, Label: "Change"},
				{Name: "start_date", Kind: KindDate, Label: "New start date"},
				{Name: "end_date", Kind: KindDate, Label: "New end date"},
			},
			Validate: func(f map[string]string, _ Links) error {
				if f["start_date"] == "" && f["end_date"] == "" {
					return portalerr.Invalidf("fields.end_date", "give a new start date, a new end date or both")
				}
				return datesInOrder(f, "start_date", "end_date")
			},
		},
		{
			Name: TypeOrderLineDates, Label: "On-rent or off-rent date of an order line",
			Fields: []Field{
				{Name: "on_rent_date", Kind: KindDate, Label: "New on-rent date"},
				{Name: "off_rent_date", Kind: KindDate, Label: "New off-rent date"},
			},
			Validate: func(f map[string]string, l Links) error {
				var bad []portalerr.FieldViolation
				if l.OrderID == "" || l.OrderLine == 0 {
					bad = append(bad, portalerr.FieldViolation{Field: "links.order_line", Message: "name the order and its line"})
				}
				if f["on_rent_date"] == "" && f["off_rent_date"] == "" {
					bad = append(bad, portalerr.FieldViolation{Field: "fields.off_rent_date", Message: "give a new on-rent date, off-rent date or both"})
				}
				bad = append(bad, portalerr.FieldsOf(datesInOrder(f, "on_rent_date", "off_rent_date"))...)
				return portalerr.InvalidFields(bad...)
			},
		},
		{
			Name: TypeInvoiceQuestion, Label: "Question about an invoice",
			Fields: []Field{
				{Name: "invoice_number", Kind: KindText, Required: true, MaxLen: 100, Label: "Invoice number"},
			},
		},
		{
			Name: TypeMasterDataChange, Label: "Change of our master data",
			Fields: md,
			Validate: func(f map[string]string, _ Links) error {
				if len(f) == 0 {
					return portalerr.Invalidf("fields", "name at least one detail and its new value")
				}
				if c, ok := f["address_country"]; ok && (len(c) != 2 || strings.ToUpper(c) != c) {
					return portalerr.Invalidf("fields.address_country", "must be an ISO 3166-1 alpha-2 code such as DE")
				}
				return nil
			},
		},
		{Name: TypeGeneric, Label: "Other request"},
	}
}

// datesInOrder returns an Invalid error on fields.<to> when both dates are
// set and to is before from.
func datesInOrder(f map[string]string, from, to string) error {
	if f[from] != "" && f[to] != "" && f[to] < f[from] {
		return portalerr.Invalidf("fields."+to, "must not be before %s", from)
	}
	return nil
}
