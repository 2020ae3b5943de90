// Package accessrequest owns requests for access to the portal from people
// who have no account yet: Request (the company and the person asking, the
// e-mail confirmation, the provider's Decision), the rules of its status
// machine, and Rank, which finds the existing customers a request may
// belong to and says why each matched.
//
// A request is made on a public form and must be confirmed through a link
// mailed to the requester before the provider sees it; one that is not
// confirmed within ConfirmTTL expires:
//
//	unconfirmed ─▶ pending ─▶ connected (to a new or an existing customer)
//	     │              └───▶ rejected (with a personal message)
//	     └─▶ expired (derived from the time)
//
// A decision is final: a decided request cannot be decided again, and the
// error a second decider gets names the first (CheckDecidable).
//
// The package is pure: it holds values and rules and does no I/O. Use cases
// that load, check and store these values live in package portal.
package accessrequest
