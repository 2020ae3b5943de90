// Package portal owns portalkit's use cases: everything a provider's staff,
// its machines and its customers' users can do, each checked against one
// authorization policy and run in one storage transaction.
//
// Build a Portal with New over any storage.Store, then call its methods with
// a context that carries the caller (identity.NewContext):
//
//	p, err := portal.New(portal.Config{Store: memory.New()})
//	ctx = identity.NewContext(ctx, identity.Staff("stf_1", identity.StaffAdmin))
//	c, err := p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Acme GmbH"})
//
// Every method fails with a *portalerr.Error: Unauthenticated without a
// principal in ctx; Invalid, with field violations, for bad input (nothing is
// written); NotFound for an object that does not exist or that belongs to
// another customer than the calling user's (never PermissionDenied, so
// customers cannot probe each other); PermissionDenied when the caller may
// see the object but not do this to it.
package portal
