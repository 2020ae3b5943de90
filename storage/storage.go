package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/portalerr"
)

// Errors a backend returns, wrapped with context. They are portalerr
// sentinels, so errors.Is and portalerr.CodeOf work on them unchanged.
var (
	// ErrNotFound: no row with that key.
	ErrNotFound = portalerr.ErrNotFound
	// ErrAlreadyExists: a unique key (ID, e-mail, external reference, ...) is taken.
	ErrAlreadyExists = portalerr.ErrAlreadyExists
	// ErrConflict: a concurrent transaction changed the row first.
	ErrConflict = portalerr.ErrConflict
	// ErrReadOnly: a write was attempted in a ReadTx. Backends wrap this
	// value itself: its code is Internal and portalerr matches by code, so
	// errors.Is(err, ErrReadOnly) also holds for any other internal error.
	ErrReadOnly = &portalerr.Error{Code: portalerr.Internal, Message: "storage: write in a read-only transaction"}
)

// Store is a storage backend.
type Store interface {
	// InTx runs fn in a read-write transaction. It commits when fn returns
	// nil and rolls back when fn returns an error or panics (the panic is
	// re-raised after the rollback). fn's error is returned unchanged. The
	// Repos are valid only during fn and must not be used from other
	// goroutines. fn must not start another transaction on the same Store:
	// backends with one writer would wait for the one fn holds.
	//
	// Write transactions are serializable: whatever fn reads and writes,
	// the outcome is one that running them one at a time could have had,
	// so a rule checked by reading (a customer keeps an active admin)
	// still holds when concurrent transactions change what fn read.
	// Backends that run transactions concurrently get there by failing one
	// that cannot be serialized, and run fn again (storage/postgres): fn
	// may therefore run more than once, and must have no effects outside
	// the transaction, such as sending mail or appending to a slice it
	// does not reset. When the backend gives up, the error is ErrConflict.
	InTx(ctx context.Context, fn func(Repos) error) error
	// ReadTx runs fn in a read-only transaction that sees one consistent
	// snapshot. Writes fail with ErrReadOnly.
	ReadTx(ctx context.Context, fn func(Repos) error) error
	// Ping reports whether the backend can reach its database. A database
	// that answers may still refuse writes (a read-only file, a full
	// disk): Heartbeat finds that out.
	Ping(ctx context.Context) error
	// Heartbeat commits a write transaction of its own that records now,
	// and returns its error: nil when the backend can commit writes. It is
	// cheap, but it is a write: callers that probe often should reuse its
	// answer for a while, as portal.Portal.Ready does.
	Heartbeat(ctx context.Context, now time.Time) error
	// Close releases the backend's resources.
	Close() error
}

// Repos gives the repositories of one transaction.
type Repos interface {
	Customers() CustomerRepo
	Users() UserRepo
	Memberships() MembershipRepo
	Sites() SiteRepo
	Invitations() InvitationRepo
	LoginLinks() LoginLinkRepo
	AccessLinks() AccessLinkRepo
	Sessions() SessionRepo
	APIKeys() APIKeyRepo
	Passwords() PasswordRepo
	Audit() AuditRepo
	Idempotency() IdempotencyRepo
	Products() ProductRepo
	Offers() OfferRepo
	Orders() OrderRepo
	Stock() StockRepo
	Outbox() OutboxRepo
	MailTemplates() MailTemplateRepo
	ServerKeys() ServerKeyRepo
	Staff() StaffRepo
	Tickets() TicketRepo
	News() NewsRepo
	Licenses() LicenseRepo
	Org() OrgRepo
	// Field service (#18).
	Jobs() JobRepo
	Visits() VisitRepo
	Pictures() PictureRepo
	Records() RecordRepo
	Webhooks() WebhookRepo
	AccessRequests() AccessRequestRepo
	Contacts() ContactRepo
	EmailChanges() EmailChangeRepo
	PasswordResets() PasswordResetRepo
	SSO() SSORepo
	Impersonations() ImpersonationRepo
}
