package webui

import (
	"io/fs"
	"strings"
	"testing"
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
