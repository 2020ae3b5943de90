// Package audit owns the record of who did what to which object and when,
// for actions the provider must be able to account for later (creating,
// refreshing and disabling access links, issuing API keys, ...).
package audit
