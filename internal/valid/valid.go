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

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		return "must " + bound(fe, "at most")
	case "min":
		return "must " + bound(fe, "at least")
	case "email":
		return "must be an e-mail address"
	case "iso3166_1_alpha2":
		return "must be an ISO 3166-1 alpha-2 country code such as DE"
	case "iso4217":
		return "must be an ISO 4217 currency code such as EUR"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "singleline":
		return "must be a single line of printable text"
	case "printascii":
		return "must be printable ASCII"
	case "dive", "unique":
		return "must not repeat an item"
	case "color":
		return `must be a colour such as "#2563eb" or "#26e"`
	case "startswith":
		return "must start with " + fe.Param()
	}
	return "is not valid (" + fe.Tag() + ")"
}

// bound words a min or max check for the field's kind.
func bound(fe validator.FieldError, rel string) string {
	switch fe.Kind() {
	case reflect.String:
		return "be " + rel + " " + fe.Param() + " characters"
	case reflect.Slice, reflect.Array, reflect.Map:
		return "have " + rel + " " + fe.Param() + " items"
	}
	return "be " + rel + " " + fe.Param()
}
