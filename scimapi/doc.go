// Package scimapi owns portalkit's SCIM 2.0 server (RFC 7643, RFC 7644): a
// customer's identity provider (Microsoft Entra ID, Okta, …) provisions
// the customer's employees at /scim/v2/customers/{customerId}/Users with a
// SCIM token the customer's admin made (portal.CreateSCIMToken).
//
// Users are the customer's employees (package org), with the enterprise
// extension for the employee number, department, cost centre and manager;
// Groups are its departments, read-only (a user's department attribute
// places it in one).
// Deactivating a user (active false) or deleting one lets the employee
// leave, as an HR sync does: locked while holding devices, else left (and
// kept as history). The protocol, the schemas, filters and PATCH come from
// github.com/elimity-com/scim; the use cases, and who may call them, are
// package portal's.
package scimapi
