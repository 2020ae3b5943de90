package portalerr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Code classifies an error. The set is closed: adding a code is an API change.
type Code string

// The codes. Their string values are stable and appear in the HTTP API.
const (
	Invalid            Code = "invalid"             // bad input; Fields says which
	NotFound           Code = "not_found"           // no such object, or not visible to the caller
	AlreadyExists      Code = "already_exists"      // a unique property is taken
	Conflict           Code = "conflict"            // a concurrent change won, or a stale version was given
	PermissionDenied   Code = "permission_denied"   // the caller is known but may not do this
	Unauthenticated    Code = "unauthenticated"     // no caller, or its credentials are no longer valid
	FailedPrecondition Code = "failed_precondition" // the object's state does not allow this now
	FeatureDisabled    Code = "feature_disabled"    // the customer's portal settings do not allow this
	LicenseRequired    Code = "license_required"    // the provider is not entitled to this paid feature
	RateLimited        Code = "rate_limited"        // too many attempts; RetryAfter says when to try again
	InvitationExpired  Code = "invitation_expired"  // the invitation's time ran out
	InvitationRevoked  Code = "invitation_revoked"  // the invitation was withdrawn
	InvitationUsed     Code = "invitation_used"     // the invitation was accepted already
	Internal           Code = "internal"            // anything unexpected; details are logged, not shown
)

// Codes lists every code, for tables that must cover them all.
var Codes = []Code{
	Invalid, NotFound, AlreadyExists, Conflict, PermissionDenied, Unauthenticated,
	FailedPrecondition, FeatureDisabled, LicenseRequired, RateLimited,
	InvitationExpired, InvitationRevoked, InvitationUsed, Internal,
}

// FieldViolation says what is wrong with one input field. Field is the
// field's name as the caller spelled it (JSON names, dotted paths such as
// "address.country" and indexes such as "site_ids[2]").
type FieldViolation struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is portalkit's one error type.
type Error struct {
	Code    Code
	Message string           // safe to show to the caller
	Fields  []FieldViolation // with Invalid: one entry per bad field
	Err     error            // the cause, for logs; never shown to callers
	// RetryAfter, with RateLimited, is how long the caller should wait.
	RetryAfter time.Duration
}

// Sentinels, one per code. errors.Is(err, ErrX) reports whether err carries
// code X, whatever its message.
var (
	ErrInvalid            = &Error{Code: Invalid}
	ErrNotFound           = &Error{Code: NotFound}
	ErrAlreadyExists      = &Error{Code: AlreadyExists}
	ErrConflict           = &Error{Code: Conflict}
	ErrPermissionDenied   = &Error{Code: PermissionDenied}
	ErrUnauthenticated    = &Error{Code: Unauthenticated}
	ErrFailedPrecondition = &Error{Code: FailedPrecondition}
	ErrFeatureDisabled    = &Error{Code: FeatureDisabled}
	ErrLicenseRequired    = &Error{Code: LicenseRequired}
	ErrRateLimited        = &Error{Code: RateLimited}
	ErrInvitationExpired  = &Error{Code: InvitationExpired}
	ErrInvitationRevoked  = &Error{Code: InvitationRevoked}
	ErrInvitationUsed     = &Error{Code: InvitationUsed}
	ErrInternal           = &Error{Code: Internal}
)

// New returns an error with the given code and a message formatted like fmt.Sprintf.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an Invalid error with one field violation.
func Invalidf(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Invalid, Message: field + ": " + msg, Fields: []FieldViolation{{Field: field, Message: msg}}}
}

// InvalidFields returns an Invalid error for the given violations, or nil when there are none.
func InvalidFields(fields ...FieldViolation) error {
	if len(fields) == 0 {
		return nil
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return &Error{Code: Invalid, Message: strings.Join(parts, "; "), Fields: fields}
}

// Error implements error. It includes the cause, so it is meant for logs.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Code)
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same code. This is what makes
// errors.Is(err, ErrNotFound) true for every not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// CodeOf returns the code of the first *Error in err's chain. A nil error has
// no code (""); context.Canceled and context.DeadlineExceeded are mapped to
// Internal like any other error without a code.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the message safe to show to a caller: the message of the
// first *Error in err's chain, or "internal error" when it has none.
func MessageOf(err error) string {
	var e *Error
	if !errors.As(err, &e) || e.Code == Internal {
		return "internal error"
	}
	if e.Message == "" {
		return strings.ReplaceAll(string(e.Code), "_", " ")
	}
	return e.Message
}

// FieldsOf returns the field violations of the first *Error in err's chain.
func FieldsOf(err error) []FieldViolation {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// IsContext reports whether err is a cancelled or expired context.
func IsContext(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// httpStatus is the one table from codes to HTTP statuses, shared by the
// API and the web pages.
var httpStatus = map[Code]int{
	Invalid:            http.StatusBadRequest,
	Unauthenticated:    http.StatusUnauthorized,
	PermissionDenied:   http.StatusForbidden,
	FeatureDisabled:    http.StatusForbidden,
	LicenseRequired:    http.StatusForbidden,
	NotFound:           http.StatusNotFound,
	AlreadyExists:      http.StatusConflict,
	Conflict:           http.StatusConflict,
	FailedPrecondition: http.StatusConflict,
	InvitationExpired:  http.StatusGone,
	InvitationRevoked:  http.StatusGone,
	InvitationUsed:     http.StatusGone,
	RateLimited:        http.StatusTooManyRequests,
	Internal:           http.StatusInternalServerError,
}

// HTTPStatus returns the HTTP status that answers an error of code c:
// 500 for Internal and for a code it does not know.
func HTTPStatus(c Code) int {
	if s, ok := httpStatus[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}
