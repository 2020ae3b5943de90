package webui

import (
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"

	"github.com/portalkit/portalkit/orders"
)

// languages are the pages' languages, the first the default.
var languages = []language.Tag{language.English, language.German}

var matcher = language.NewMatcher(languages)

// messages holds every text of the pages: English is the key, German its
// translation, built at its first use. A text missing here shows in
// English (TestEveryTextIsTranslated finds those).
var messages = sync.OnceValue(func() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for en, de := range german {
		_ = b.SetString(language.English, en, en)
		_ = b.SetString(language.German, en, de)
	}
	for _, ls := range []map[string][2]string{labels} {
		for key, l := range ls {
			_ = b.SetString(language.English, key, l[0])
			_ = b.SetString(language.German, key, l[1])
		}
	}
	return b
})

// pickLanguage chooses the pages' language: the person's own setting
// (a BCP 47 tag, "" for none), else the browser's Accept-Language.
func pickLanguage(r *http.Request, own string) language.Tag {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if own != "" {
		if t, err := language.Parse(own); err == nil {
			tags = append([]language.Tag{t}, tags...)
		}
	}
	_, i, _ := matcher.Match(tags...)
	return languages[i]
}

// locale formats for one language.
type locale struct {
	tag language.Tag
	pr  *message.Printer
}

func newLocale(t language.Tag) locale {
	return locale{tag: t, pr: message.NewPrinter(t, message.Catalog(messages()))}
}

// T translates text (an English key) and fills in its %-verbs with args.
func (l locale) T(text string, args ...any) string { return l.pr.Sprintf(text, args...) }

// Lang is the language's BCP 47 tag, for <html lang>.
func (l locale) Lang() string { return l.tag.String() }

// Money formats m: "€1,234.50" in English, "1.234,50 €" in German.
func (l locale) Money(m orders.Money) string { return l.Amount(m.Amount, m.Currency) }

// Amount formats an amount in minor units of an ISO 4217 currency, as
// Money does.
func (l locale) Amount(minor int64, cur string) string {
	u, err := currency.ParseISO(cur)
	if err != nil {
		return fmt.Sprintf("%d %s", minor, cur)
	}
	scale, _ := currency.Standard.Rounding(u)
	amount := float64(minor) / math.Pow10(scale)
	n := l.pr.Sprint(number.Decimal(amount, number.Scale(scale)))
	sym := l.pr.Sprint(currency.NarrowSymbol(u))
	if l.tag == language.German {
		return n + "\u00a0" + sym
	}
	return sym + n
}

// Date formats a calendar day: "7 Dec 2026" or "07.12.2026".
func (l locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l.tag == language.German {
		return t.Format("02.01.2006")
	}
	return t.Format("2 Jan 2006")
}

// Time formats an instant, in UTC: "7 Dec 2026, 14:05 UTC".
func (l locale) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	return l.Date(t) + ", " + t.Format("15:04") + " UTC"
}

// Number formats an integer with the language's digit grouping.
func (l locale) Number(n int) string { return l.pr.Sprint(number.Decimal(n)) }

// Bytes names a file size for people: "512 bytes", "1.5 KB", "2.3 MB"
// (units of 1024), with the locale's decimal mark.
func (l locale) Bytes(n int64) string {
	switch {
	case n < 1<<10:
		return l.T("%d bytes", n)
	case n < 1<<20:
		return l.pr.Sprintf("%v KB", number.Decimal(float64(n)/(1<<10), number.MaxFractionDigits(1)))
	default:
		return l.pr.Sprintf("%v MB", number.Decimal(float64(n)/(1<<20), number.MaxFractionDigits(1)))
	}
}
