package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portalerr"
)

// problemTitles names each code's problem type; portalerr.HTTPStatus gives
// its status. A few answers differ from that status by where the error
// arises rather than by its code (412, 413, 428, 503); those are set with
// withStatus.
var problemTitles = map[portalerr.Code]string{
	portalerr.Invalid:            "Invalid input",
	portalerr.Unauthenticated:    "Not signed in",
	portalerr.PermissionDenied:   "Not allowed",
	portalerr.FeatureDisabled:    "Feature disabled",
	portalerr.LicenseRequired:    "License required",
	portalerr.NotFound:           "Not found",
	portalerr.AlreadyExists:      "Already exists",
	portalerr.Conflict:           "Conflict",
	portalerr.FailedPrecondition: "Not possible now",
	portalerr.InvitationExpired:  "Invitation expired",
	portalerr.InvitationRevoked:  "Invitation revoked",
	portalerr.InvitationUsed:     "Invitation used",
	portalerr.RateLimited:        "Too many attempts",
	portalerr.Internal:           "Internal error",
}

// statusError overrides the status the table gives an error's code.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// withStatus returns err answered with status instead of the status of its
// code: a stale If-Match (Conflict) is 412, a missing one (Invalid) 428, a
// body over the limit (Invalid) 413.
func withStatus(status int, err error) error {
	if err == nil {
		return nil
	}
	return &statusError{status: status, err: err}
}

// errBodyTooLarge answers a request body over the limit (413).
func errBodyTooLarge(limit int64) error {
	return withStatus(http.StatusRequestEntityTooLarge, portalerr.New(portalerr.Invalid,
		"the request body is larger than %d bytes", limit))
}

// errIfMatchRequired answers an update without If-Match (428).
var errIfMatchRequired = withStatus(http.StatusPreconditionRequired, &portalerr.Error{
	Code:    portalerr.Invalid,
	Message: "If-Match is required: send the ETag of the version you read",
	Fields:  []portalerr.FieldViolation{{Field: "If-Match", Message: "is required"}},
})

// staleIfMatch maps the Conflict a versioned update gives for a stale
// version to 412; other errors pass unchanged.
func staleIfMatch(err error) error {
	if portalerr.CodeOf(err) == portalerr.Conflict {
		return withStatus(http.StatusPreconditionFailed, err)
	}
	return err
}

// writeProblem answers err as an application/problem+json document. The
// status comes from err's code through portalerr.HTTPStatus unless withStatus set
// one. Errors without a portalerr code are answered "internal error" and
// logged with the request ID; their text never reaches the client. A request
// whose context was cancelled (the client went away) is logged at debug.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	code := portalerr.CodeOf(err)
	title, ok := problemTitles[code]
	if !ok {
		code, title = portalerr.Internal, problemTitles[portalerr.Internal]
	}
	status := portalerr.HTTPStatus(code)
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	reqID := requestID(ctx)
	if code == portalerr.Internal {
		switch {
		case errors.Is(err, context.Canceled) || ctx.Err() != nil:
			s.log.DebugContext(ctx, "httpapi: request ended early", "request_id", reqID, "err", err)
		default:
			s.log.ErrorContext(ctx, "httpapi: internal error", "request_id", reqID,
				"method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	prob := oapi.Problem{
		Type:     "urn:portalkit:problem:" + string(code),
		Title:    title,
		Status:   status,
		Code:     oapi.ProblemCode(code),
		Detail:   ptr(portalerr.MessageOf(err)),
		Instance: ptr(r.URL.Path),
	}
	if reqID != "" {
		prob.RequestId = ptr(reqID)
	}
	if code != portalerr.Internal {
		if fields := portalerr.FieldsOf(err); len(fields) > 0 {
			fv := make([]oapi.FieldViolation, len(fields))
			for i, f := range fields {
				fv[i] = oapi.FieldViolation{Field: f.Field, Message: f.Message}
			}
			prob.Fields = &fv
		}
	}
	h := w.Header()
	if code == portalerr.RateLimited {
		var pe *portalerr.Error
		if errors.As(err, &pe) && pe.RetryAfter > 0 {
			secs := int(math.Ceil(pe.RetryAfter.Seconds()))
			prob.RetryAfterSeconds = &secs
			h.Set("Retry-After", strconv.Itoa(secs))
		}
	}
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="portalkit"`)
	}
	// Headers a handler set before it failed (an ETag) describe no resource now.
	h.Del("ETag")
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(prob); err != nil {
		s.log.DebugContext(ctx, "httpapi: writing a problem", "request_id", reqID, "err", err)
	}
}

// ptr returns a pointer to v, for the optional fields of generated types.
func ptr[T any](v T) *T { return &v }
