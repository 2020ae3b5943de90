// Package fieldwork owns the field service done at customers' sites: jobs
// (a piece of work at a site, with its status machine), the visits of
// technicians that carry them out, and the pictures taken there. It holds
// the types and their rules only; storage and authorization live in
// package storage and package portal.
package fieldwork
