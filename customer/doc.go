// Package customer owns the provider's customer accounts and the people in
// them: Customer with its Features (the portal settings) and Branding
// (its own look and host name) and their rules, User, Membership with its
// Role, and Site.
//
// The package is pure: it holds values and rules and does no I/O. Use cases
// that load, check and store these values live in package portal.
package customer
