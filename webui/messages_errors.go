package webui

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// germanErrors translates the messages that the use cases and the domain
// packages give their errors (portalerr.Invalidf and the like), which the
// pages show beside a form or in an alert. A %s, %d or %v stands for what
// the message names; errorText finds the format a message was made from
// and its arguments. TestErrorMessagesAreTranslated holds that every
// format of an Invalidf call a page can show has a text here.
var germanErrors = map[string]string{
	// Input the pages read themselves.
	"choose a file to attach":                                 "Wählen Sie eine Datei zum Anhängen",
	"could not be read: send the form again":                  "konnte nicht gelesen werden: Senden Sie das Formular erneut",
	"is missing: reload the page":                             "fehlt: Laden Sie die Seite neu",
	"is empty":                                                "ist leer",
	"must be one line":                                        "muss eine einzige Zeile sein",
	"is not valid":                                            "ist ungültig",
	"is not a date and time":                                  "ist kein Datum mit Uhrzeit",
	"must be a date":                                          "muss ein Datum sein",
	"must be an amount such as %s":                            "muss ein Betrag sein, etwa %s",
	"must be a whole number from 0 to 10000":                  "muss eine ganze Zahl von 0 bis 10000 sein",
	"must be a whole number of hours":                         "muss eine ganze Stundenzahl sein",
	"must be between %s and %s":                               "muss zwischen %s und %s liegen",
	"must be between 0 and %d minor units":                    "muss zwischen 0 und %d Untereinheiten (etwa Cent) liegen",
	"must be between 0 and %s":                                "muss zwischen 0 und %s liegen",
	"must be between 1 and %d":                                "muss zwischen 1 und %d liegen",
	"must not be before %s":                                   "darf nicht vor %s liegen",
	"must be after from":                                      "muss nach dem Beginn liegen",
	"must be positive":                                        "muss größer als null sein",
	"is larger than %d bytes":                                 "ist größer als %d Bytes",
	"is larger than the limit of %d bytes":                    "ist größer als die Grenze von %d Bytes",
	"is larger than the limit of %s":                          "ist größer als die Grenze von %s",
	"is not a cursor returned by this list":                   "ist keine Position, die diese Liste geliefert hat",
	"names at most %d values":                                 "nennt höchstens %d Werte",
	"must have at most %d items":                              "darf höchstens %d Einträge haben",
	"must be at least %d characters":                          "muss mindestens %d Zeichen lang sein",
	"must be at most %d characters":                           "darf höchstens %d Zeichen lang sein",
	"must be at most 2000 characters":                         "darf höchstens 2000 Zeichen lang sein",
	"must be at least %d bytes long":                          "muss mindestens %d Bytes lang sein",
	"must be at most %d bytes":                                "darf höchstens %d Bytes lang sein",
	"is not a URL":                                            "ist keine URL",
	"must be a web address such as https://example.com":       "muss eine Webadresse sein, etwa https://example.com",
	"is not an e-mail address":                                "ist keine E-Mail-Adresse",
	"must be a plain e-mail address":                          "muss eine einfache E-Mail-Adresse sein",
	"must be a plain e-mail address such as name@example.com": "muss eine einfache E-Mail-Adresse sein, etwa name@example.com",
	"must be an ISO 3166-1 alpha-2 code such as DE":           "muss ein Code nach ISO 3166-1 alpha-2 sein, etwa DE",
	"must be one line of at most %d characters without surrounding spaces": "muss eine Zeile von höchstens %d Zeichen ohne Leerzeichen am Anfang und Ende sein",

	// Enumerations.
	"must be active, suspended or archived":                                    "muss aktiv, gesperrt oder archiviert sein",
	"must be one of: default, granted, revoked":                                "muss einer dieser Werte sein: default, granted, revoked",
	"must be one of: low, normal, high, urgent":                                "muss einer dieser Werte sein: low, normal, high, urgent",
	"must be one of: new, used, refurbished, defective":                        "muss einer dieser Werte sein: new, used, refurbished, defective",
	"must be one of: open, in_progress, waiting_on_customer, resolved, closed": "muss einer dieser Werte sein: open, in_progress, waiting_on_customer, resolved, closed",
	"must be department or cost_centre":                                        "muss department oder cost_centre sein",
	"unknown kind %q":                                                          "unbekannte Art %q",

	// Customers, people and sign-in.
	"customer %s does not exist":                               "Kunde %s existiert nicht",
	"customer %s is archived":                                  "Kunde %s ist archiviert",
	"customer %s not found":                                    "Kunde %s nicht gefunden",
	"customers nest at most %d levels deep":                    "Kunden lassen sich höchstens %d Ebenen tief verschachteln",
	"would make the customer its own ancestor":                 "würde den Kunden zu seinem eigenen Vorfahren machen",
	"exactly one address must be primary, not %d":              "genau eine Adresse muss die Hauptadresse sein, nicht %d",
	"must be at most %d":                                       "darf höchstens %d sein",
	"names no customer":                                        "nennt keinen Kunden",
	"is the provider's own host name":                          "ist der eigene Hostname des Anbieters",
	"%s is not an active member of this customer":              "%s ist kein aktives Mitglied dieses Kunden",
	"%s is not a service-desk staff member":                    "%s gehört nicht zum Service-Desk",
	"is required for a new account":                            "ist für ein neues Konto erforderlich",
	"is required for %s":                                       "ist für %s erforderlich",
	"must be empty: the requester is the first user":           "muss leer sein: Die anfragende Person ist die erste Benutzerin oder der erste Benutzer",
	"is not your current password":                             "ist nicht Ihr aktuelles Passwort",
	"is too common; choose a longer phrase of your own":        "ist zu gebräuchlich; wählen Sie einen längeren, eigenen Satz",
	"has no single sign-on; sign in with a link or a password": "hat keine Einmalanmeldung; melden Sie sich mit einem Link oder Passwort an",
	"an article of a customer's is for its own people":         "ein Artikel eines Kunden ist für dessen eigene Leute",

	// Orders, products and the warehouse.
	"a product chosen is no longer in the catalogue":               "ein gewähltes Produkt ist nicht mehr im Katalog",
	"choose a quantity of at least one product":                    "wählen Sie bei mindestens einem Produkt eine Menge",
	"product %s does not exist":                                    "Produkt %s existiert nicht",
	"product %s belongs to another customer":                       "Produkt %s gehört einem anderen Kunden",
	"is required: you may order for your sites only":               "ist erforderlich: Sie dürfen nur für Ihre Standorte bestellen",
	"give serial numbers, one a line, or a quantity from 1 to 100": "geben Sie Seriennummern an, eine je Zeile, oder eine Menge von 1 bis 100",
	"%s is %s: devices go to active employees only":                "%s ist %s: Geräte gehen nur an aktive Mitarbeitende",
	"%s is not an employee of this customer":                       "%s gehört nicht zu den Mitarbeitenden dieses Kunden",
	"must be empty when employee_id names the holder":              "muss leer sein, wenn employee_id die Person nennt",

	// Tickets, sites and field service.
	"must be empty: you open tickets for yourself":  "muss leer sein: Sie eröffnen Tickets für sich selbst",
	"is required: tell the customer why":            "ist erforderlich: Sagen Sie dem Kunden, warum",
	"%s is not a site of this customer":             "%s ist kein Standort dieses Kunden",
	"name the site":                                 "nennen Sie den Standort",
	"give a new start date, a new end date or both": "geben Sie einen neuen Beginn, ein neues Ende oder beides an",
	"type %s is not allowed (allowed: %s)":          "Typ %s ist nicht erlaubt (erlaubt: %s)",

	// Records.
	"there is no record type %q":                                            "es gibt keinen Datensatztyp %q",
	"is not a JSON object of a record type: %s":                             "ist kein JSON-Objekt eines Datensatztyps: %s",
	"a search by an identifier needs the type":                              "eine Suche nach einer Kennung braucht den Typ",
	"must be an identifier field of %s: %s":                                 "muss ein Kennungsfeld von %s sein: %s",
	"changes nothing":                                                       "ändert nichts",
	"changes nothing: the values are as given already":                      "ändert nichts: Die Werte entsprechen bereits den Angaben",
	"name at least one detail and its new value":                            "nennen Sie mindestens eine Angabe und ihren neuen Wert",
	"name at least one field to change":                                     "nennen Sie mindestens ein zu änderndes Feld",
	"only the provider moves a record to another site":                      "nur der Anbieter kann einen Datensatz an einen anderen Standort verlegen",
	"value %q is longer than %d characters":                                 "Wert %q ist länger als %d Zeichen",
	"give at least one record":                                              "geben Sie mindestens einen Datensatz an",
	"at most %d records per request, got %d: send them in several requests": "höchstens %d Datensätze je Anfrage, es waren %d: Verteilen Sie sie auf mehrere Anfragen",

	// HR sync.
	"give either a CSV file or an Excel workbook (xlsx)": "geben Sie entweder eine CSV-Datei oder eine Excel-Arbeitsmappe (xlsx) an",
	"is not a CSV file":                    "ist keine CSV-Datei",
	"is not an Excel workbook (.xlsx): %v": "ist keine Excel-Arbeitsmappe (.xlsx): %v",
	"has no sheet":                         "hat kein Tabellenblatt",
	"has no header row":                    "hat keine Kopfzeile",
	"has no header row: %v":                "hat keine Kopfzeile: %v",
	"holds more than %d rows":              "enthält mehr als %d Zeilen",
	"cannot be read: %v":                   "kann nicht gelesen werden: %v",

	// Mail and webhooks.
	"an override needs a subject, a text or an HTML part; delete it to use the defaults":         "eine eigene Vorlage braucht einen Betreff, einen Text oder einen HTML-Teil; löschen Sie sie, um die Vorgaben zu nutzen",
	"leads to %s, a loopback, private or link-local address; this server does not deliver there": "führt zu %s, einer Loopback-, privaten oder link-lokalen Adresse; dieser Server liefert dorthin nicht",
}

// errorFormat is a format of germanFields or germanErrors as a pattern
// that takes a message made from it apart again.
type errorFormat struct {
	format  string
	pattern *regexp.Regexp
	verbs   []byte // each verb's letter: s, d (an int), v or q (a quoted string)
	literal int    // the length of its text outside the verbs
}

var errorVerb = regexp.MustCompile(`%[sdvq]`)

// errorFormats are the formats with verbs of germanFields and
// germanErrors, the most specific first: of two that match a message (as
// "must be at most %s" and "must be at most %s characters" do), the one
// with more text of its own.
var errorFormats = sync.OnceValue(func() []errorFormat {
	var out []errorFormat
	for _, m := range []map[string]string{germanFields, germanErrors} {
		for format := range m {
			verbs := errorVerb.FindAllStringIndex(format, -1)
			if len(verbs) == 0 {
				continue
			}
			f := errorFormat{format: format}
			var re strings.Builder
			re.WriteString("^")
			last := 0
			for _, v := range verbs {
				re.WriteString(regexp.QuoteMeta(format[last:v[0]]))
				f.literal += v[0] - last
				f.verbs = append(f.verbs, format[v[1]-1])
				if format[v[1]-1] == 'd' {
					re.WriteString(`(-?\d+)`)
				} else {
					re.WriteString(`(.+)`)
				}
				last = v[1]
			}
			re.WriteString(regexp.QuoteMeta(format[last:]) + "$")
			f.literal += len(format) - last
			f.pattern = regexp.MustCompile(re.String())
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b errorFormat) int {
		return cmp.Or(cmp.Compare(b.literal, a.literal), strings.Compare(a.format, b.format))
	})
	return out
})

// errorText returns msg, the English message of an error, in the page's
// language: a text of the catalogue as it is, or one made from a format
// of germanFields or germanErrors, with the same arguments; any other
// message, and every message on an English page, unchanged.
func (l locale) errorText(msg string) string {
	if l.tag == language.English {
		return msg // as written, numbers included
	}
	if _, ok := german[msg]; ok {
		return l.T(msg)
	}
	for _, f := range errorFormats() {
		m := f.pattern.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		if args, ok := f.args(m[1:]); ok {
			return l.T(f.format, args...)
		}
		return msg
	}
	return msg
}

// args converts what a message's pattern matched to the arguments of f:
// a %d's an int, a %q's unquoted. False for a number too large for int.
func (f errorFormat) args(matched []string) ([]any, bool) {
	args := make([]any, len(matched))
	for i, a := range matched {
		args[i] = a
		switch f.verbs[i] {
		case 'd':
			n, err := strconv.Atoi(a)
			if err != nil {
				return nil, false
			}
			args[i] = n
		case 'q':
			if s, err := strconv.Unquote(a); err == nil {
				args[i] = s
			}
		}
	}
	return args, true
}
