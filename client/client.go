package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Client calls a portalkit server. It is the generated ClientWithResponses,
// so every operation is a method (CreateCustomerWithResponse, ...), made by
// New with the options an API consumer needs. It is safe for concurrent use.
type Client struct {
	*ClientWithResponses
}

// Option configures a Client. The generated options work too:
// WithHTTPClient takes an *http.Client (any HttpRequestDoer), and
// WithRequestEditorFn adds a function that changes every request.
type Option = ClientOption

// New returns a Client for the server at baseURL, such as
// "http://127.0.0.1:8080". It fails when baseURL is not an absolute http or
// https URL, or when an option fails.
func New(baseURL string, opts ...Option) (*Client, error) {
	if !strings.HasPrefix(baseURL, "http://") && !strings.HasPrefix(baseURL, "https://") {
		return nil, fmt.Errorf("portalkit: base URL %q is not an http or https URL", baseURL)
	}
	c, err := NewClientWithResponses(baseURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("portalkit: new client: %w", err)
	}
	return &Client{ClientWithResponses: c}, nil
}

// WithAPIKey authenticates every request with an API key (pk_…): staff
// rights for machines such as an ERP.
func WithAPIKey(token string) Option {
	return WithRequestEditorFn(bearer(token))
}

// WithSessionToken authenticates every request with a session token (ps_…),
// as a person signed in through an invitation, a login link, an access link
// or a password.
func WithSessionToken(token string) Option {
	return WithRequestEditorFn(bearer(token))
}

func bearer(token string) RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// Sentinel errors, one per problem code. An *Error matches the one of its
// code with errors.Is:
//
//	if errors.Is(err, client.ErrNotFound) { … }
var (
	ErrInvalid            = errors.New("portalkit: invalid")
	ErrUnauthenticated    = errors.New("portalkit: unauthenticated")
	ErrPermissionDenied   = errors.New("portalkit: permission denied")
	ErrFeatureDisabled    = errors.New("portalkit: feature disabled")
	ErrLicenseRequired    = errors.New("portalkit: license required")
	ErrNotFound           = errors.New("portalkit: not found")
	ErrAlreadyExists      = errors.New("portalkit: already exists")
	ErrConflict           = errors.New("portalkit: conflict")
	ErrFailedPrecondition = errors.New("portalkit: failed precondition")
	ErrInvitationExpired  = errors.New("portalkit: invitation expired")
	ErrInvitationRevoked  = errors.New("portalkit: invitation revoked")
	ErrInvitationUsed     = errors.New("portalkit: invitation used")
	ErrRateLimited        = errors.New("portalkit: rate limited")
	ErrInternal           = errors.New("portalkit: internal error")
)

var sentinels = map[ProblemCode]error{
	ProblemCodeInvalid:            ErrInvalid,
	ProblemCodeUnauthenticated:    ErrUnauthenticated,
	ProblemCodePermissionDenied:   ErrPermissionDenied,
	ProblemCodeFeatureDisabled:    ErrFeatureDisabled,
	ProblemCodeLicenseRequired:    ErrLicenseRequired,
	ProblemCodeNotFound:           ErrNotFound,
	ProblemCodeAlreadyExists:      ErrAlreadyExists,
	ProblemCodeConflict:           ErrConflict,
	ProblemCodeFailedPrecondition: ErrFailedPrecondition,
	ProblemCodeInvitationExpired:  ErrInvitationExpired,
	ProblemCodeInvitationRevoked:  ErrInvitationRevoked,
	ProblemCodeInvitationUsed:     ErrInvitationUsed,
	ProblemCodeRateLimited:        ErrRateLimited,
	ProblemCodeInternal:           ErrInternal,
}

// Error is a problem the server answered (RFC 9457 application/problem+json).
// errors.Is matches it against the sentinel of its code, such as ErrNotFound.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is the stable problem code, such as "not_found" (see ProblemCode).
	Code string
	// Message says what went wrong this time, safe to show.
	Message string
	// Fields name the bad input fields of an "invalid" problem.
	Fields []FieldViolation
	// RequestID is the request's ID in the server's log; quote it when asking for help.
	RequestID string
	// RetryAfter is how long to wait before trying again, for "rate_limited".
	RetryAfter time.Duration
}

// Error returns "portalkit: <code>: <message>" and the field violations.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("portalkit: ")
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
		if i == len(e.Fields)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// Is reports whether target is the sentinel error of e's code.
func (e *Error) Is(target error) bool {
	s, ok := sentinels[ProblemCode(e.Code)]
	return ok && s == target
}

// Response is what every generated XxxResponse has.
type Response interface {
	StatusCode() int
	GetBody() []byte
}

// Check turns a generated call's answer into an error: err as it is, a
// problem status (400 and up) as an *Error, else nil. It returns r in every
// case, so that a call and its check fit in one line:
//
//	r, err := client.Check(c.GetCustomerWithResponse(ctx, id))
//	if err != nil { … }
//	fmt.Println(r.JSON200.Name)
func Check[R Response](r R, err error) (R, error) {
	if err != nil {
		return r, err
	}
	return r, CheckResponse(r.StatusCode(), r.GetBody())
}

// CheckResponse returns nil for a status below 400, else an *Error read from
// the problem+json body. A body that is not a problem (a proxy's error page,
// say) still gives an *Error, with a code that follows from the status.
func CheckResponse(status int, body []byte) error {
	if status < 400 {
		return nil
	}
	var p Problem
	if json.Unmarshal(body, &p) != nil || p.Code == "" {
		return &Error{Status: status, Code: string(codeOf(status)), Message: http.StatusText(status)}
	}
	e := &Error{Status: status, Code: string(p.Code), Message: p.Title}
	if p.Detail != nil && *p.Detail != "" {
		e.Message = *p.Detail
	}
	if p.Fields != nil {
		e.Fields = *p.Fields
	}
	if p.RequestId != nil {
		e.RequestID = *p.RequestId
	}
	if p.RetryAfterSeconds != nil {
		e.RetryAfter = time.Duration(*p.RetryAfterSeconds) * time.Second
	}
	return e
}

// codeOf guesses the code of an answer that carries none.
func codeOf(status int) ProblemCode {
	switch status {
	case http.StatusUnauthorized:
		return ProblemCodeUnauthenticated
	case http.StatusForbidden:
		return ProblemCodePermissionDenied
	case http.StatusNotFound:
		return ProblemCodeNotFound
	case http.StatusConflict:
		return ProblemCodeConflict
	case http.StatusPreconditionFailed:
		return ProblemCodeConflict
	case http.StatusTooManyRequests:
		return ProblemCodeRateLimited
	}
	if status >= 500 {
		return ProblemCodeInternal
	}
	return ProblemCodeInvalid
}
