// Package portalerr owns portalkit's error codes and its one error type.
//
// Every error that leaves a portalkit package either is, or wraps, an
// *Error carrying a Code. Callers branch on the code, never on the text:
//
//	if portalerr.CodeOf(err) == portalerr.NotFound { ... }
//	if errors.Is(err, portalerr.ErrConflict) { ... }
//
// The sentinels (ErrNotFound, ErrConflict, ...) match any error of the same
// code through errors.Is, so a storage backend's "not found" and a use case's
// "customer cus_… not found" are both errors.Is(err, portalerr.ErrNotFound).
// An error without a Code is Internal: its text is for logs, never for users.
package portalerr
