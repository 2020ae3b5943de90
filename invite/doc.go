// Package invite owns the ways into a portal that do not need a password:
// invitations, one-time e-mail login links and long-lived access links, and
// the secret tokens behind them (generation and hashing).
//
// A token is shown once, to the person it is for; only its SHA-256 hash is
// stored, and tokens are found by their hash through a unique index. No
// secret is ever compared byte by byte: what a lookup's timing could reveal
// is a prefix of a SHA-256 digest of a 256-bit random token, which helps
// nobody forge one. Single use is enforced by conditional writes in the
// database (storage.InvitationRepo.MarkAccepted, LoginLinkRepo.Consume).
// The package is pure: it holds values and rules and does no I/O.
package invite
