package portal

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
)

// recordDiff appends the audit event of action on object, done by the
// caller of a, in the caller's transaction, with the fields that differ
// between before and after (values of one struct type; nil for creations
// and deletions, whose object ID says enough), and publishes its webhook
// event with obj as data (see recordChanges). See fieldChanges for what
// is left out.
func (p *Portal) recordDiff(ctx context.Context, r storage.Repos, a access, action string, cid customer.ID, object string, before, after, obj any) error {
	var changes []audit.Change
	if before != nil && after != nil {
		changes = fieldChanges(before, after)
	}
	return p.recordChanges(ctx, r, a.who.Actor(), action, cid, object, changes, obj)
}

// bookkeeping are the fields every stored object carries that say nothing
// about what changed.
var bookkeeping = map[string]bool{"Version": true, "UpdatedAt": true, "CreatedAt": true, "UpdatedBy": true, "History": true}

// secretWords mark fields never written to the audit log, whatever their
// type: tokens, passwords, secrets and their hashes.
var secretWords = []string{"secret", "token", "password", "hash", "key"}

// fieldChanges are the audit log's changes between two values of one
// struct type: each exported field (snake_case named; a nested struct's
// fields as "address.city") whose printed value differs, except
// bookkeeping fields and secrets (secretWords), whose values never reach
// the log.
func fieldChanges(before, after any) []audit.Change {
	b, a := reflect.Indirect(reflect.ValueOf(before)), reflect.Indirect(reflect.ValueOf(after))
	if b.Kind() != reflect.Struct || b.Type() != a.Type() {
		return nil
	}
	return structChanges("", b, a)
}

// structChanges is fieldChanges of two struct values, their fields' names
// prefixed with prefix.
func structChanges(prefix string, b, a reflect.Value) []audit.Change {
	var out []audit.Change
	t := b.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || bookkeeping[f.Name] || isSecret(f.Name) {
			continue
		}
		name := prefix + snake(f.Name)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Time]() {
			out = append(out, structChanges(name+".", b.Field(i), a.Field(i))...)
			continue
		}
		bv, av := auditValue(b.Field(i)), auditValue(a.Field(i))
		if bv != av {
			out = append(out, audit.Change{Field: name, Before: bv, After: av})
		}
	}
	return out
}

// isSecret reports whether a field named name holds a secret.
func isSecret(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// auditValue prints v for the audit log: times in RFC 3339, the zero
// time empty, everything else as fmt prints it.
func auditValue(v reflect.Value) string {
	if t, ok := v.Interface().(time.Time); ok {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	return fmt.Sprint(v.Interface())
}

// snake turns a Go field name into the audit log's field name:
// "SiteID" → "site_id", "VATID" → "vat_id", "AutoConfirmOrders" →
// "auto_confirm_orders".
func snake(name string) string {
	if base, ok := strings.CutSuffix(name, "ID"); ok && base != "" {
		return snake(base) + "_id"
	}
	var b strings.Builder
	rs := []rune(name)
	for i, c := range rs {
		if unicode.IsUpper(c) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// recordValueChanges are the audit log's changes of a record of type t
// from before to after: its values shown to customers only, as
// "values.<field>" (a customer's admins read its audit log; the record's
// own history keeps the rest), and its site.
func recordValueChanges(t record.Type, before, after record.Record) []audit.Change {
	b, a := map[string]string{"site_id": string(before.SiteID)}, map[string]string{"site_id": string(after.SiteID)}
	names := []string{"site_id"}
	for _, side := range []struct {
		vals map[string]string
		into map[string]string
	}{{t.Shown(before.Values), b}, {t.Shown(after.Values), a}} {
		for k, v := range side.vals {
			side.into["values."+k] = v
			if !slices.Contains(names, "values."+k) {
				names = append(names, "values."+k)
			}
		}
	}
	slices.Sort(names[1:])
	return audit.Diff(names, b, a)
}
