package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/routers"

	"github.com/portalkit/portalkit/portalerr"
)

// checkRequest refuses what the spec cannot express and encoding/json
// lets through: query parameters that are not valid UTF-8, and a JSON body
// that is not exactly one JSON value whose strings are valid UTF-8 (see
// checkJSON). kin-openapi and the generated code both decode the first
// value of a body and ignore what follows it, and both store invalid UTF-8
// as U+FFFD; checking once here, before either, covers every operation.
// It reads the body (already limited) and puts it back for them.
func checkRequest(r *http.Request, route *routers.Route) error {
	var fields []portalerr.FieldViolation
	for name, values := range r.URL.Query() {
		for _, v := range values {
			if !utf8.ValidString(name) || !utf8.ValidString(v) {
				fields = append(fields, portalerr.FieldViolation{Field: validName(name), Message: "is not valid UTF-8"})
				break
			}
		}
	}
	if err := portalerr.InvalidFields(fields...); err != nil {
		return err
	}
	if route.Operation == nil || route.Operation.RequestBody == nil || r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	// Another media type is kin-openapi's to refuse.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge(mbe.Limit)
		}
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 {
		return nil // kin-openapi says the body is required
	}
	return checkJSON(body)
}

// validName is name, or name with its invalid bytes replaced, for naming a
// field whose own name is not valid UTF-8.
func validName(name string) string {
	return string(bytes.ToValidUTF8([]byte(name), []byte("\uFFFD")))
}

// checkJSON checks that data is one JSON value with nothing but white
// space after it, and that every string in it, object keys included, is
// valid UTF-8 text: no invalid bytes and no escaped lone surrogate
// (`"\ud800"`), which encoding/json would both turn into U+FFFD. The error
// is Invalid: "body" for the first two, and for the strings one field
// violation each, naming the field ("address.city", "site_ids[2]").
func checkJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return portalerr.Invalidf("body", "is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return portalerr.Invalidf("body", "must be one JSON value, with nothing after it")
	}
	// Most bodies are ASCII or valid UTF-8 without escapes: nothing to look at.
	if utf8.Valid(v) && !bytes.Contains(v, []byte(`\u`)) {
		return nil
	}
	w := &textWalker{data: v}
	w.value(nil)
	return portalerr.InvalidFields(w.bad...)
}

// textWalker finds the strings of a valid JSON value that are not valid
// UTF-8 text. It trusts data to be valid JSON (json.Decoder checked it),
// which keeps it short; encoding/json bounds the nesting depth, which
// bounds its recursion.
type textWalker struct {
	data []byte
	i    int
	bad  []portalerr.FieldViolation
}

func (w *textWalker) value(path []string) {
	w.space()
	switch w.data[w.i] {
	case '{':
		w.i++
		for {
			w.space()
			if w.data[w.i] == '}' {
				w.i++
				return
			}
			raw, ok := w.str()
			var key string
			if ok {
				_ = json.Unmarshal(raw, &key) // valid JSON and valid text
			} else {
				w.fail(path, "has a field name that is not valid UTF-8")
				key = validName(string(raw[1 : len(raw)-1]))
			}
			w.space()
			w.i++ // ':'
			w.value(append(path[:len(path):len(path)], key))
			w.space()
			if w.data[w.i] == ',' {
				w.i++
			}
		}
	case '[':
		w.i++
		for n := 0; ; n++ {
			w.space()
			if w.data[w.i] == ']' {
				w.i++
				return
			}
			w.value(append(path[:len(path):len(path)], strconv.Itoa(n)))
			w.space()
			if w.data[w.i] == ',' {
				w.i++
			}
		}
	case '"':
		if _, ok := w.str(); !ok {
			w.fail(path, "is not valid UTF-8")
		}
	default: // a number, true, false or null: up to the next delimiter
		for w.i < len(w.data) && !isDelimiter(w.data[w.i]) {
			w.i++
		}
	}
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

func (w *textWalker) fail(path []string, msg string) {
	field := fieldPath(path)
	if field == "" {
		field = "body"
	}
	w.bad = append(w.bad, portalerr.FieldViolation{Field: field, Message: msg})
}

func (w *textWalker) space() {
	for w.i < len(w.data) {
		switch w.data[w.i] {
		case ' ', '\t', '\r', '\n':
			w.i++
		default:
			return
		}
	}
}

// str reads the string at w.i and returns it as written, quotes included,
// and whether it is valid text.
func (w *textWalker) str() (raw []byte, ok bool) {
	start := w.i
	w.i++ // the opening quote
	ok = true
	plain := w.i // start of the bytes since the last escape
	for {
		switch c := w.data[w.i]; c {
		case '"':
			ok = ok && utf8.Valid(w.data[plain:w.i])
			w.i++
			return w.data[start:w.i], ok
		case '\\':
			ok = ok && utf8.Valid(w.data[plain:w.i])
			if w.data[w.i+1] != 'u' {
				w.i += 2
			} else {
				r := w.hex4(w.i + 2)
				w.i += 6
				if utf16.IsSurrogate(r) {
					// Valid only as a high surrogate followed by an escaped low one.
					if r >= 0xdc00 || w.i+6 > len(w.data) || w.data[w.i] != '\\' || w.data[w.i+1] != 'u' ||
						utf16.DecodeRune(r, w.hex4(w.i+2)) == utf8.RuneError {
						ok = false
					} else {
						w.i += 6
					}
				}
			}
			plain = w.i
		default:
			w.i++
		}
	}
}

// hex4 reads the four hex digits of a \u escape at i.
func (w *textWalker) hex4(i int) rune {
	n, _ := strconv.ParseUint(string(w.data[i:i+4]), 16, 32)
	return rune(n)
}
