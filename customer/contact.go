package customer

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/portalerr"
)

// ContactID identifies a contact person ("con_" + UUIDv7).
type ContactID string

// Limits of a contact.
const (
	MaxContactAddresses = 10
	MaxContactNotes     = 4000
)

// Contact is a person at a customer the provider keeps in the customer's
// record: a name to call, an address to write to. A contact is not a user:
// it has no login until it is given portal access, which invites it
// (InvitationID) and, once the invitation is accepted, links it to the
// user (UserID).
type Contact struct {
	ID         ContactID
	CustomerID ID
	Name       string
	// Email is normalised (NormalizeEmail); empty when unknown.
	Email    string
	Phone    string
	JobTitle string
	// Addresses are the contact's postal addresses; when there are any,
	// exactly one is Primary.
	Addresses []ContactAddress
	Notes     string
	// InvitationID is the invitation portal access sent; empty before.
	InvitationID string
	// UserID is the user the contact became; empty until then.
	UserID    UserID
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ContactAddress is one postal address of a contact.
type ContactAddress struct {
	// Label says what the address is for: "Office", "Delivery", ….
	Label   string
	Address Address
	Primary bool
}

// Primary returns the contact's primary address, and false when it has none.
func (c Contact) Primary() (ContactAddress, bool) {
	for _, a := range c.Addresses {
		if a.Primary {
			return a, true
		}
	}
	return ContactAddress{}, false
}

// Normalize returns c with its text trimmed, its e-mail address in lower
// case and its addresses normalised; a single address is made primary.
func (c Contact) Normalize() Contact {
	c.Name, c.Phone, c.JobTitle = strings.TrimSpace(c.Name), strings.TrimSpace(c.Phone), strings.TrimSpace(c.JobTitle)
	c.Email, c.Notes = strings.ToLower(strings.TrimSpace(c.Email)), strings.TrimSpace(c.Notes)
	out := make([]ContactAddress, 0, len(c.Addresses))
	for _, a := range c.Addresses {
		a.Label, a.Address = strings.TrimSpace(a.Label), a.Address.Normalize()
		out = append(out, a)
	}
	if len(out) == 1 {
		out[0].Primary = true
	}
	if len(out) == 0 {
		out = nil
	}
	c.Addresses = out
	return c
}

// Check returns an Invalid error naming each bad field of c (normalised):
// a name is required, the e-mail address must be one, the texts have
// their limits, and addresses, at most MaxContactAddresses, have exactly
// one primary and two-letter countries.
func (c Contact) Check() error {
	var bad []portalerr.FieldViolation
	add := func(f, format string, args ...any) {
		bad = append(bad, portalerr.FieldViolation{Field: f, Message: fmt.Sprintf(format, args...)})
	}
	line := func(f, v string, n int, required bool) {
		switch {
		case required && v == "":
			add(f, "is required")
		case utf8.RuneCountInString(v) > n:
			add(f, "must be at most %d characters", n)
		case strings.ContainsAny(v, "\r\n\t"):
			add(f, "must be one line")
		}
	}
	line("name", c.Name, 200, true)
	line("phone", c.Phone, 40, false)
	line("job_title", c.JobTitle, 200, false)
	if c.Email != "" {
		if _, err := NormalizeEmail(c.Email); err != nil {
			add("email", "must be a plain e-mail address such as name@example.com")
		}
	}
	if utf8.RuneCountInString(c.Notes) > MaxContactNotes {
		add("notes", "must be at most %d characters", MaxContactNotes)
	}
	if len(c.Addresses) > MaxContactAddresses {
		add("addresses", "must be at most %d", MaxContactAddresses)
	}
	primaries := 0
	for i, a := range c.Addresses {
		f := fmt.Sprintf("addresses[%d]", i)
		line(f+".label", a.Label, 100, false)
		line(f+".address.line1", a.Address.Line1, 200, false)
		line(f+".address.line2", a.Address.Line2, 200, false)
		line(f+".address.postal_code", a.Address.PostalCode, 20, false)
		line(f+".address.city", a.Address.City, 100, false)
		line(f+".address.region", a.Address.Region, 100, false)
		if co := a.Address.Country; co != "" && (len(co) != 2 || strings.ToUpper(co) != co) {
			add(f+".address.country", "must be an ISO 3166-1 alpha-2 code such as DE")
		}
		if a.Primary {
			primaries++
		}
	}
	if len(c.Addresses) > 0 && primaries != 1 {
		add("addresses", "exactly one address must be primary, not %d", primaries)
	}
	return portalerr.InvalidFields(bad...)
}
