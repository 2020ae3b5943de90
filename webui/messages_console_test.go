package webui

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// textRE finds the texts templates ({{.T "…"}}) and handlers (v.T("…"))
// translate.
var textRE = regexp.MustCompile(`(?:\.T "|v\.T\(")((?:[^"\\]|\\.)*)"`)

// sourceTexts returns the texts translated in the files name matches:
// templates by their base name, Go files of this package.
func sourceTexts(t *testing.T, match func(name string) bool) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	add := func(b []byte) {
		for _, m := range textRE.FindAllSubmatch(b, -1) {
			out[strings.ReplaceAll(string(m[1]), `\"`, `"`)] = true
		}
	}
	tpls, err := fs.Glob(templateFS, "templates/*.html")
	require.NoError(t, err)
	gos, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, n := range tpls {
		if match(filepath.Base(n)) {
			b, err := fs.ReadFile(templateFS, n)
			require.NoError(t, err)
			add(b)
		}
	}
	for _, n := range gos {
		if !strings.HasSuffix(n, "_test.go") && match(n) {
			b, err := os.ReadFile(n)
			require.NoError(t, err)
			add(b)
		}
	}
	return out
}

func isConsole(name string) bool { return strings.HasPrefix(name, "console") }

// TestConsoleTextsAreTranslated checks that every text of the console
// that the customer portal does not show as well is in germanConsole,
// and that germanConsole holds no text nothing shows.
func TestConsoleTextsAreTranslated(t *testing.T) {
	t.Parallel()
	console := sourceTexts(t, isConsole)
	for _, f := range features {
		console[f.Label], console[f.Rule] = true, true
	}
	for _, tab := range customerTabs {
		console[tab.label] = true
	}
	portalTexts := sourceTexts(t, func(name string) bool { return !isConsole(name) })
	for _, n := range notices {
		portalTexts[n] = true
	}
	for text := range console {
		if portalTexts[text] || strings.Contains(text, ":") && !strings.Contains(text, " ") {
			continue // the portal's, or a label
		}
		assert.NotEmpty(t, germanConsole[text], "no German for console text %q", text)
	}
	for _, text := range slices.Sorted(maps.Keys(germanConsole)) {
		assert.True(t, console[text] || portalTexts[text], "germanConsole holds %q, which no page shows", text)
	}
}

// TestConsoleLabelsAreComplete checks that every label the console
// names by its value is in labels, in both languages.
func TestConsoleLabelsAreComplete(t *testing.T) {
	t.Parallel()
	for key, l := range labels {
		assert.NotEmpty(t, l[0], key)
		assert.NotEmpty(t, l[1], key)
	}
	for text := range sourceTexts(t, isConsole) {
		if strings.Contains(text, ":") && !strings.Contains(text, " ") && !strings.HasSuffix(text, ":") {
			_, ok := labels[text]
			assert.True(t, ok, "no label %q", text)
		}
	}
}
