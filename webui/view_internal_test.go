package webui

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/language"
)

// TestTemplatesParse parses every page's template, as the first page
// rendered does (a template that does not parse panics there): it fails
// here rather than at a person's first visit to an untested page.
func TestTemplatesParse(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, f := range files {
		if name := strings.TrimPrefix(f, "templates/"); name != "layout.html" && !strings.HasPrefix(name, "_") {
			want++
		}
	}
	if got := len(pages()); got != want {
		t.Errorf("%d pages parsed of %d page templates", got, want)
	}
	if messages() == nil {
		t.Error("no message catalogue")
	}
}

// TestFieldName checks how the error list above a form names a field: by
// its input's label on that page, in the page's language, whether the
// template names the field's path, only the input's name, or neither.
func TestFieldName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		page, lang, path, want string
	}{
		{"console_product", "en", "price.currency", "Currency (ISO code)"}, // {{.Field "price.currency"}} in the label
		{"console_product", "de", "price.currency", "Währung (ISO-Code)"},
		{"console_product", "de", "description", "Beschreibung"},         // the input's name
		{"console_product", "de", "sku", "SKU"},                          // a label without {{.T}} stays as it is
		{"console_customer", "en", "address.postal_code", "Postal code"}, // by the path's last part, in a part the page calls
		{"console_customer_new", "de", "branding.host_name", "Hostname"},
		{"console_product", "en", "lines[0].quantity", "lines[0].quantity"}, // no label: the path
		{"basket", "en", "kind", "kind"},                                    // radio buttons name choices, not the field
		{"console_order", "en", "note", "note"},                             // two forms label "note" differently
		{"no_such_page", "en", "name", "name"},
	} {
		v := &view{locale: newLocale(language.MustParse(tc.lang)), page: tc.page}
		assert.Equal(t, tc.want, v.FieldName(tc.path), "%s %s %s", tc.page, tc.lang, tc.path)
	}
}

// TestErrorText checks that an error's English message comes out in
// German when the catalogue has it or the format it was made from: the
// arguments kept (a %d's as a number, a %q's unquoted), the most specific
// of two matching formats taken, and any other message left as it is.
func TestErrorText(t *testing.T) {
	t.Parallel()
	de := newLocale(language.German)
	for msg, want := range map[string]string{
		"must be after from":                                                        "muss nach dem Beginn liegen",
		"must be at most 200 characters":                                            "darf höchstens 200 Zeichen lang sein", // not "must be at most %s"
		"must be at most 200":                                                       "darf höchstens 200 sein",
		"customers nest at most 4 levels deep":                                      "Kunden lassen sich höchstens 4 Ebenen tief verschachteln",
		`there is no record type "asset"`:                                           `es gibt keinen Datensatztyp "asset"`,
		"type pdf is not allowed (allowed: png, jpeg)":                              "Typ pdf ist nicht erlaubt (erlaubt: png, jpeg)",
		"at most 1000 records per request, got 1001: send them in several requests": "höchstens 1.000 Datensätze je Anfrage, es waren 1.001: Verteilen Sie sie auf mehrere Anfragen", // numbers as German writes them
		"exactly one address must be primary, not 2":                                "genau eine Adresse muss die Hauptadresse sein, nicht 2",
		"a message no catalogue has":                                                "a message no catalogue has",
	} {
		assert.Equal(t, want, de.errorText(msg), msg)
	}
	en := newLocale(language.English)
	assert.Equal(t, "at most 1000 records per request, got 1001: send them in several requests",
		en.errorText("at most 1000 records per request, got 1001: send them in several requests"), "an English page shows the message as written")
	assert.Equal(t, "muss zwischen 0 und 1.000.000.000.000 Untereinheiten (etwa Cent) liegen",
		de.errorText("must be between 0 and 1000000000000 minor units"), "the more specific format")
	assert.Equal(t, "must be at most 99999999999999999999", de.errorText("must be at most 99999999999999999999"),
		"a number too large for int: the message as written")
}
