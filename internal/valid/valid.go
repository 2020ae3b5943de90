package valid

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"

	"github.com/portalkit/portalkit/portalerr"
)

var v = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			return ""
		case "":
			return f.Name
		}
		return name
	})
	// singleline: printable text without line breaks or control characters.
	must(v.RegisterValidation("singleline", func(fl validator.FieldLevel) bool {
		return SingleLine(fl.Field().String())
	}))
	// color: an accent colour, "#rgb" or "#rrggbb" (see Color).
	must(v.RegisterValidation("color", func(fl validator.FieldLevel) bool {
		return Color(fl.Field().String())
	}))
	return v
}

var colorRE = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// Color reports whether s is a colour as portalkit takes one, for the
// provider's branding and a customer's alike: "#rgb" or "#rrggbb" in hex
// digits of either case. It is the one colour rule: mail renders the
// value into a style attribute, so nothing else may pass.
func Color(s string) bool { return colorRE.MatchString(s) }

// SingleLine reports whether s is printable text without line breaks or
// control characters: the "singleline" tag's rule.
func SingleLine(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return !unicode.IsPrint(r) && r != ' '
	}) < 0
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Struct checks s's validate tags. It returns nil, or a portalerr Invalid
// error with one violation per bad field.
func Struct(s any) error {
	err := v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return fmt.Errorf("valid: %w", err) // a programming error: not a struct
	}
	fields := make([]portalerr.FieldViolation, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, portalerr.FieldViolation{Field: fieldPath(fe), Message: message(fe)})
	}
	return portalerr.InvalidFields(fields...)
}

// fieldPath drops the top-level struct name: "CreateCustomerParams.address.country" -> "address.country".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

// The messages of the checks' violations. Those with a %s hold the check's
// parameter (a length, a list of values); Formats lists them all.
const (
	msgRequired     = "is required"
	msgMaxChars     = "must be at most %s characters"
	msgMinChars     = "must be at least %s characters"
	msgMaxItems     = "must have at most %s items"
	msgMinItems     = "must have at least %s items"
	msgMax          = "must be at most %s"
	msgMin          = "must be at least %s"
	msgEmail        = "must be an e-mail address"
	msgCountry      = "must be an ISO 3166-1 alpha-2 country code such as DE"
	msgCurrency     = "must be an ISO 4217 currency code such as EUR"
	msgOneOf        = "must be one of: %s"
	msgSingleLine   = "must be a single line of printable text"
	msgPrintASCII   = "must be printable ASCII"
	msgUnique       = "must not repeat an item"
	msgColor        = `must be a colour such as "#2563eb" or "#26e"`
	msgStartsWith   = "must start with %s"
	msgOtherInvalid = "is not valid (%s)"
)

// Formats are every message a violation of a check can have, as formats
// whose %s, where there is one, is the check's parameter: a user
// interface translates them (webui's catalogue has a text for each).
var Formats = []string{
	msgRequired, msgMaxChars, msgMinChars, msgMaxItems, msgMinItems, msgMax, msgMin,
	msgEmail, msgCountry, msgCurrency, msgOneOf, msgSingleLine, msgPrintASCII,
	msgUnique, msgColor, msgStartsWith, msgOtherInvalid,
}

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return msgRequired
	case "max":
		return bound(fe, msgMaxChars, msgMaxItems, msgMax)
	case "min":
		return bound(fe, msgMinChars, msgMinItems, msgMin)
	case "email":
		return msgEmail
	case "iso3166_1_alpha2":
		return msgCountry
	case "iso4217":
		return msgCurrency
	case "oneof":
		return fmt.Sprintf(msgOneOf, strings.ReplaceAll(fe.Param(), " ", ", "))
	case "singleline":
		return msgSingleLine
	case "printascii":
		return msgPrintASCII
	case "dive", "unique":
		return msgUnique
	case "color":
		return msgColor
	case "startswith":
		return fmt.Sprintf(msgStartsWith, fe.Param())
	}
	return fmt.Sprintf(msgOtherInvalid, fe.Tag())
}

// bound words a min or max check for the field's kind: a string's
// characters, a collection's items or a number.
func bound(fe validator.FieldError, chars, items, number string) string {
	switch fe.Kind() {
	case reflect.String:
		return fmt.Sprintf(chars, fe.Param())
	case reflect.Slice, reflect.Array, reflect.Map:
		return fmt.Sprintf(items, fe.Param())
	}
	return fmt.Sprintf(number, fe.Param())
}
