// Package portal owns portalkit's use cases: everything a provider's staff,
// its machines and its customers' users can do, each checked against one
// authorization policy and run in one storage transaction.
//
// Build a Portal with New over any storage.Store, then call its methods with
// a context that carries the caller (identity.NewContext):
//
//	store, err := sqlite.Open(ctx, "data/portal.db")
//	p, err := portal.New(portal.Config{Store: store})
//	ctx = identity.NewContext(ctx, identity.Staff("stf_1", identity.StaffAdmin))
//	c, err := p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Acme GmbH"})
//
// Every method fails with a *portalerr.Error: Unauthenticated without a
// principal in ctx; Invalid, with field violations, for bad input (nothing is
// written); NotFound for an object that does not exist or that belongs to
// another customer than the calling user's (never PermissionDenied, so
// customers cannot probe each other); PermissionDenied when the caller may
// see the object but not do this to it.
//
// # Mail
//
// Use cases that mail someone (an invitation, a login link) write the
// message into the outbox (storage.OutboxRepo) in their own transaction,
// so a change never happens without its mail and no mail leaves for a
// change that rolled back. The outbox worker, RunOutbox, renders due
// messages with package mailer's templates, the provider's Branding and
// the customer's template overrides, and sends them through
// Config.Mailer, retrying temporary failures with backoff:
//
//	p, err := portal.New(portal.Config{Store: store, Mailer: smtp,
//		Branding: mailer.Branding{ProductName: "Acme Portal", PublicBaseURL: "https://portal.acme.example"}})
//	go p.RunOutbox(ctx, portal.OutboxOptions{})
//
// Mail about a customer that has its own branding (customer.Branding) is
// rendered with its name, logo and colour, and its links point at its
// host name; BrandingForHost gives a web UI the same look for the sign-in
// pages of a request's host.
//
// Delivery is at least once; see DeliverOutbox. OutboxOptions sets how
// many messages a pass claims and sends at once, and OutboxStats says
// whether delivery keeps up (package outboxmetrics exports it to
// Prometheus).
package portal
