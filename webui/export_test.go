package webui

import "github.com/portalkit/portalkit/internal/valid"

// Patterns returns the routes of the pages, as registered.
func Patterns() []string { return newHandler(nil).patterns }

// Translated reports whether text has a German translation.
func Translated(text string) bool {
	_, ok := german[text]
	_, label := labels[text]
	return ok || label
}

// FixedTexts are the texts of the pages written in Go tables rather than
// in calls: error titles, notices and the input checks' messages.
func FixedTexts() []string {
	var out []string
	for _, s := range codeTitles {
		out = append(out, s)
	}
	for _, s := range notices {
		out = append(out, s)
	}
	out = append(out, valid.Formats...)
	return out
}

// German returns the German text of an English one of the pages, and
// whether it has one, for the browser tests' check of German pages.
func German(en string) (string, bool) {
	de, ok := german[en]
	return de, ok
}
