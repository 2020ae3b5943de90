package news

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// ID identifies an article ("art_" + UUIDv7).
type ID string

// Limits on an article's text.
const (
	// MaxTitle is the longest title, in characters.
	MaxTitle = 200
	// MaxBody is the largest Markdown body, in bytes: an article, not a
	// document store.
	MaxBody = 64 << 10
	// MaxAudience is how many customers one article may name.
	MaxAudience = 100
)

// Article is a news article shown on the portal's start page of the
// customers it is addressed to, from PublishAt on.
type Article struct {
	ID ID
	// CustomerID is the customer whose admin wrote the article, which is
	// then addressed to that customer alone; empty for the provider's
	// articles, written by staff.
	CustomerID customer.ID
	Title      string
	// Body is Markdown; Render turns it into safe HTML.
	Body string
	// PublishAt is when the article shows; until then it is scheduled.
	PublishAt time.Time
	Audience  Audience
	// Author is the actor who wrote the article ("staff:stf_…",
	// "user:usr_…", "api_key:key_…"), kept as a record.
	Author    string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Audience says whom an article is for: every customer, or the listed ones.
type Audience struct {
	All bool
	// Customers, when All is false, are the customers whose people read
	// the article; sorted and without duplicates (Normalize).
	Customers []customer.ID
}

// Everyone is the audience of an article for all customers.
var Everyone = Audience{All: true}

// Only returns the audience of the given customers.
func Only(ids ...customer.ID) Audience { return Audience{Customers: ids}.Normalize() }

// Normalize returns a sorted, duplicate-free audience; All drops the list.
func (a Audience) Normalize() Audience {
	if a.All {
		return Everyone
	}
	ids := slices.Clone(a.Customers)
	slices.Sort(ids)
	return Audience{Customers: slices.Compact(ids)}
}

// Includes reports whether the people of customer id read articles for a.
func (a Audience) Includes(id customer.ID) bool {
	return a.All || slices.Contains(a.Customers, id)
}

// Published reports whether the article shows at now: scheduled articles
// do not.
func (a Article) Published(now time.Time) bool { return !a.PublishAt.After(now) }

// VisibleTo reports whether the people of customer id see the article at now.
func (a Article) VisibleTo(id customer.ID, now time.Time) bool {
	return a.Published(now) && a.Audience.Includes(id)
}

// Validate checks the article's fields, and that an article a customer
// wrote is addressed to that customer alone. Invalid, naming every bad
// field.
func (a Article) Validate() error {
	var fields []portalerr.FieldViolation
	bad := func(field, msg string) {
		fields = append(fields, portalerr.FieldViolation{Field: field, Message: msg})
	}
	title := strings.TrimSpace(a.Title)
	switch {
	case title == "":
		bad("title", "is required")
	case utf8.RuneCountInString(title) > MaxTitle:
		bad("title", "is longer than 200 characters")
	case strings.ContainsAny(title, "\r\n"):
		bad("title", "must be one line")
	}
	switch {
	case strings.TrimSpace(a.Body) == "":
		bad("body", "is required")
	case len(a.Body) > MaxBody:
		bad("body", "is larger than 64 KiB")
	case !utf8.ValidString(a.Body):
		bad("body", "is not valid UTF-8")
	}
	if a.PublishAt.IsZero() {
		bad("publish_at", "is required")
	}
	switch {
	case a.CustomerID != "" && (a.Audience.All || len(a.Audience.Customers) != 1 || a.Audience.Customers[0] != a.CustomerID):
		bad("audience", "of a customer's article is that customer alone")
	case a.Audience.All && len(a.Audience.Customers) > 0:
		bad("audience", "is all customers or a list, not both")
	case !a.Audience.All && len(a.Audience.Customers) == 0:
		bad("audience", "names no customer: choose all customers or at least one")
	case len(a.Audience.Customers) > MaxAudience:
		bad("audience", "names more than 100 customers: address the article to all")
	}
	return portalerr.InvalidFields(fields...)
}
