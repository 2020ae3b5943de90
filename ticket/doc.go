// Package ticket owns support tickets: Ticket with its human number
// (T-000123), its status machine and its history of Events, Comment (a
// public reply or an internal note), and the registry of ticket Types with
// their type-specific fields and validation.
//
// A ticket is opened, worked on by the provider's service desk, possibly
// waits on the customer, is resolved and finally closed:
//
//	open ─▶ in_progress ─▶ waiting_on_customer ─▶ resolved ─▶ closed
//	  └──────────┴──────────────────┴───────────────▲   │
//	                                  reopen (within the window) ◀┘
//
// Every change (a transition, an assignment, an applied master-data change)
// is an Event with who made it and when. Internal notes are for the
// provider's staff only; the package marks them, package portal keeps them
// from customer users.
//
// Types are a Registry: the built-in ones (DefaultTypes) plus any a
// provider registers in Go with its own fields and validation.
//
// The package is pure: it holds values and rules and does no I/O. Use cases
// that load, check and store these values live in package portal.
package ticket
