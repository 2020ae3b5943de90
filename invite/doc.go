// Package invite owns the ways into a portal that do not need a password:
// invitations, one-time e-mail login links and long-lived access links, and
// the secret tokens behind them (generation and hashing).
//
// A token is shown once, to the person it is for; only its SHA-256 hash is
// stored. The package is pure: it holds values and rules and does no I/O.
package invite
