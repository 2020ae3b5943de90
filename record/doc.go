// Package record owns the records a provider shares with its customers
// (contracts, domains, tasks, meters): record Types with their fields,
// identifier fields, the fields customer users see, and the rules under
// which a field may be edited; Record, the values of one record of one
// customer with its history of Events; and ChangeRequest, an edit that
// waits for the provider's approval.
//
// A Type is versioned: changing a type makes a new version, and every
// record keeps the version its values were checked against, so a change of
// a type never makes a stored record invalid. The built-in types
// (DefaultTypes: contract, domain, task, meter) live in a Registry in Go,
// as a provider's own types may; staff define further types through the
// API, which package portal stores.
//
// Values are strings whose Field kind says which strings are allowed:
// numbers in decimal ("12.5"), money in integer minor units of the field's
// currency ("1999"), dates as YYYY-MM-DD, booleans as "true" or "false",
// references to a site or stock item as their IDs.
//
// An edit is checked field by field with Type.CheckEdit, which applies
// each field's EditRule (role, cadence, relative change, freeze before a
// date, approval) and names the rule that refused it.
//
// The package is pure: it holds values and rules and does no I/O.
package record
