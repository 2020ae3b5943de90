package httpapi

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/portalkit/portalkit/portalerr"
)

// validationError turns what kin-openapi found wrong with a request into an
// Invalid error with one field violation per problem, named as the caller
// spelled the field ("address.country", "site_ids[2]", "If-Match"). Two
// cases answer another status: a body over limit (413) and a missing
// If-Match (428).
func validationError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge(limit)
	}
	var fields []portalerr.FieldViolation
	for _, e := range flatten(err) {
		var re *openapi3filter.RequestError
		if !errors.As(e, &re) {
			fields = append(fields, portalerr.FieldViolation{Field: "", Message: "is not valid"})
			continue
		}
		switch {
		case re.Parameter != nil:
			if re.Parameter.In == openapi3.ParameterInHeader && strings.EqualFold(re.Parameter.Name, "If-Match") &&
				errors.Is(re.Err, openapi3filter.ErrInvalidRequired) {
				return errIfMatchRequired
			}
			fields = append(fields, paramViolation(re))
		case re.RequestBody != nil:
			fields = append(fields, bodyViolations(re)...)
		default:
			fields = append(fields, portalerr.FieldViolation{Field: "", Message: "is not valid"})
		}
	}
	if len(fields) == 0 {
		return portalerr.New(portalerr.Invalid, "the request is not valid")
	}
	return portalerr.InvalidFields(fields...)
}

// flatten lists the errors inside kin-openapi's MultiErrors. It looks at
// err itself only: a RequestError wraps a MultiError of its own, which
// bodyViolations reads.
func flatten(err error) []error {
	if me, ok := err.(openapi3.MultiError); ok {
		var out []error
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func paramViolation(re *openapi3filter.RequestError) portalerr.FieldViolation {
	v := portalerr.FieldViolation{Field: re.Parameter.Name, Message: "is not valid"}
	var se *openapi3.SchemaError
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		v.Message = "is required"
	case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
		v.Message = "must not be empty"
	case errors.As(re.Err, &se) && se.Reason != "":
		v.Message = se.Reason
	}
	return v
}

func bodyViolations(re *openapi3filter.RequestError) []portalerr.FieldViolation {
	var pe *openapi3filter.ParseError
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		return []portalerr.FieldViolation{{Field: "body", Message: "is required"}}
	case re.Err == nil:
		// kin-openapi's only body error without a cause is an unexpected Content-Type.
		return []portalerr.FieldViolation{{Field: "Content-Type", Message: "must be application/json"}}
	case errors.As(re.Err, &pe):
		return []portalerr.FieldViolation{{Field: "body", Message: "is not valid JSON"}}
	}
	var out []portalerr.FieldViolation
	for _, e := range flatten(re.Err) {
		var se *openapi3.SchemaError
		if !errors.As(e, &se) {
			out = append(out, portalerr.FieldViolation{Field: "body", Message: "is not valid"})
			continue
		}
		out = append(out, schemaViolation(se))
	}
	return out
}

// propertyReason matches kin-openapi's reasons about one property of an
// object ("property \"x\" is unsupported", "… is missing"). The JSON
// pointer of an unsupported property names the object, not the property;
// that of a missing one names the property already.
var propertyReason = regexp.MustCompile(`^property "([^"]+)" is (unsupported|missing)$`)

func schemaViolation(se *openapi3.SchemaError) portalerr.FieldViolation {
	path := se.JSONPointer()
	msg := se.Reason
	if m := propertyReason.FindStringSubmatch(se.Reason); m != nil {
		if len(path) == 0 || path[len(path)-1] != m[1] {
			path = append(path, m[1])
		}
		msg = map[string]string{"unsupported": "is not a known field", "missing": "is required"}[m[2]]
	}
	if msg == "" {
		msg = "is not valid"
	}
	field := fieldPath(path)
	if field == "" {
		field = "body"
	}
	return portalerr.FieldViolation{Field: field, Message: msg}
}

// fieldPath writes a JSON pointer as a dotted path with indexes:
// ["address","country"] is "address.country", ["site_ids","2"] is "site_ids[2]".
func fieldPath(ptr []string) string {
	var b strings.Builder
	for _, p := range ptr {
		if _, err := strconv.Atoi(p); err == nil && b.Len() > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}
