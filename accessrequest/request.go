package accessrequest

import (
	"net/url"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
)

// ID identifies an access request ("acr_" + UUIDv7).
type ID string

// Status is where a request stands. StatusExpired is derived from the time
// (Request.State); the others are stored.
type Status string

// Request statuses.
const (
	StatusUnconfirmed Status = "unconfirmed" // the requester has not confirmed the e-mail address yet
	StatusPending     Status = "pending"     // confirmed; waits for the provider's decision
	StatusConnected   Status = "connected"   // the requester was invited into a customer
	StatusRejected    Status = "rejected"    // the provider said no, with a message
	StatusExpired     Status = "expired"     // not confirmed within ConfirmTTL
)

// Statuses lists every status a request can be seen in.
var Statuses = []Status{StatusUnconfirmed, StatusPending, StatusConnected, StatusRejected, StatusExpired}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusUnconfirmed, StatusPending, StatusConnected, StatusRejected, StatusExpired:
		return true
	}
	return false
}

// Decided reports whether s is a decision: connected or rejected.
func (s Status) Decided() bool { return s == StatusConnected || s == StatusRejected }

// ConfirmTTL is how long the confirmation link of a request works; an
// unconfirmed request expires then and never reaches the provider.
const ConfirmTTL = 24 * time.Hour

// Limits of a request's text, in characters.
const (
	MaxCompanyName = 200
	MaxVATID       = 32
	MaxWebsite     = 200
	MaxName        = 200
	MaxPhone       = 40
	MaxMessage     = 2000
	// MaxDecisionMessage bounds the provider's personal message.
	MaxDecisionMessage = 2000
)

// Request is someone asking for access to the portal for a company.
type Request struct {
	ID          ID
	CompanyName string
	VATID       string
	// Website is an http or https URL, or empty.
	Website string
	// Name, Email and Phone are the requester's. Email is normalised
	// (customer.NormalizeEmail).
	Name    string
	Email   string
	Phone   string
	Message string
	// Language is the requester's language ("en", "de"): the mail about
	// the request is written in it.
	Language string
	// TokenHash is the hash of the confirmation link's token.
	TokenHash invite.Hash
	// ConfirmBy is when an unconfirmed request expires.
	ConfirmBy   time.Time
	ConfirmedAt time.Time
	// Status is the stored status: unconfirmed, pending, connected or
	// rejected. State derives expired from it.
	Status   Status
	Decision Decision
	// ClientAddr is the network address the request came from, for the
	// provider's judgement.
	ClientAddr string
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Decision is what the provider decided about a request: who, when, with
// which message, and for a connection the customer and the invitation.
type Decision struct {
	// By names who decided, as identity.Principal.Actor returns it
	// ("staff:stf_…", "api_key:key_…").
	By string
	At time.Time
	// Message is the personal message to the requester: the reason of a
	// rejection, the note in the invitation of a connection.
	Message string
	// CustomerID is the customer the request was connected to.
	CustomerID customer.ID
	// NewCustomer says the customer was created for the request.
	NewCustomer bool
	// InvitationID is the requester's invitation into CustomerID.
	InvitationID invite.ID
}

// State returns the request's status at now: its stored status, or
// StatusExpired for an unconfirmed request past ConfirmBy.
func (r Request) State(now time.Time) Status {
	if r.Status == StatusUnconfirmed && !now.Before(r.ConfirmBy) {
		return StatusExpired
	}
	return r.Status
}

// errBadLink is what a confirmation link that cannot be used answers:
// unknown, expired or of a decided request look the same.
var errBadLink = portalerr.New(portalerr.NotFound, "this confirmation link is not valid or has expired; send the request again")

// Confirm marks the request confirmed at now: it reaches the provider. A
// request confirmed already stays as it is (the link may be opened twice).
// NotFound, as for an unknown link, when the request expired.
func (r *Request) Confirm(now time.Time) error {
	switch r.State(now) {
	case StatusUnconfirmed:
		r.Status, r.ConfirmedAt, r.UpdatedAt = StatusPending, now, now
		return nil
	case StatusExpired:
		return errBadLink
	}
	return nil
}

// ErrBadLink is the error Confirm returns for an expired request; callers
// answer an unknown link with it too.
var ErrBadLink = errBadLink

// CheckDecidable returns nil when the provider may decide the request at
// now: it is pending. Conflict naming who decided and when for a decided
// request; FailedPrecondition for one not confirmed (or expired).
func (r Request) CheckDecidable(now time.Time) error {
	switch s := r.State(now); {
	case s.Decided():
		return portalerr.New(portalerr.Conflict, "access request %s was already %s by %s at %s",
			r.ID, s, r.Decision.By, r.Decision.At.UTC().Format(time.RFC3339))
	case s != StatusPending:
		return portalerr.New(portalerr.FailedPrecondition, "access request %s is %s: only confirmed requests can be decided", r.ID, s)
	}
	return nil
}

// Decide records d as the request's decision with outcome, connected or
// rejected, after CheckDecidable. It returns CheckDecidable's error and
// changes nothing when the request cannot be decided.
func (r *Request) Decide(outcome Status, d Decision) error {
	if err := r.CheckDecidable(d.At); err != nil {
		return err
	}
	if !outcome.Decided() {
		return portalerr.New(portalerr.Invalid, "a decision connects or rejects, not %q", outcome)
	}
	r.Status, r.Decision, r.UpdatedAt = outcome, d, d.At
	return nil
}

// CheckWebsite returns the website as stored (trimmed; "https://" added
// when no scheme is given) and an Invalid error on "website" when it is not
// an http or https URL with a host.
func CheckWebsite(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil || len(s) > MaxWebsite {
		return "", portalerr.Invalidf("website", "must be a web address such as https://example.com")
	}
	return s, nil
}
