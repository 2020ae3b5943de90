package webui

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// fieldLabel is the label of a form's input as its page shows it.
type fieldLabel struct {
	text      string
	translate bool // text is the English of a {{.T}} call; else shown as it is
}

// The parts of a template's source that fieldLabels reads: a label
// element, the text it shows (a {{.T "…"}} call or text before any tag),
// the field paths its {{.Field "…"}} calls name, the names of its
// inputs, and the templates a file calls and defines.
var (
	labelElement  = regexp.MustCompile(`(?s)<label\b[^>]*>(.*?)</label>`)
	labelCall     = regexp.MustCompile(`\{\{\$?\.T "([^"]+)"\}\}`)
	labelField    = regexp.MustCompile(`\$?\.Field "([^"]+)"`)
	radioInput    = regexp.MustCompile(`<input\b[^>]*\btype="radio"`)
	labelInput    = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*?\bname="([^"{]+)"`)
	templateCall  = regexp.MustCompile(`\{\{-?\s*template "([^"]+)"`)
	templateDef   = regexp.MustCompile(`\{\{-?\s*define "([^"]+)"`)
	leadingLetter = regexp.MustCompile(`\p{L}`)
)

// fieldLabels maps each page's name to the labels of its forms' inputs,
// keyed by the field paths a use case's errors name (the {{.Field "…"}}
// inside a label, such as "price.currency") and by the inputs' names. The
// error list above a form that came back names each field by that label,
// in the page's language, rather than by its path in the API. It reads
// the templates' source once, at the first form that fails.
var fieldLabels = sync.OnceValue(func() map[string]map[string]fieldLabel {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	src := make(map[string]string, len(names))
	for _, n := range names {
		b, err := fs.ReadFile(templateFS, n)
		if err != nil {
			panic(err)
		}
		src[strings.TrimSuffix(path.Base(n), ".html")] = string(b)
	}
	definedIn := map[string]string{} // template name → file
	for file, s := range src {
		for _, m := range templateDef.FindAllStringSubmatch(s, -1) {
			definedIn[m[1]] = file
		}
	}
	out := make(map[string]map[string]fieldLabel, len(src))
	for name := range src {
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		var all strings.Builder
		for _, part := range withParts(src, definedIn, name) {
			all.WriteString(src[part])
		}
		out[name] = labelsIn(all.String())
	}
	return out
})

// withParts returns page name and the files of the templates it calls,
// however indirectly, the page first.
func withParts(src, definedIn map[string]string, name string) []string {
	files := []string{name}
	for i := 0; i < len(files); i++ {
		for _, m := range templateCall.FindAllStringSubmatch(src[files[i]], -1) {
			if f, ok := definedIn[m[1]]; ok && !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	}
	return files
}

// labelsIn returns the labels of one template's source, keyed by field
// path and input name. A radio button's label names one choice, not the
// field, and is left out; a key two labels name differently (two forms
// of a page with a field of one name) gets none, so the list shows the
// path rather than perhaps the other form's label.
func labelsIn(src string) map[string]fieldLabel {
	out := map[string]fieldLabel{}
	ambiguous := map[string]bool{}
	for _, m := range labelElement.FindAllStringSubmatch(src, -1) {
		inner := m[1]
		if radioInput.MatchString(inner) {
			continue
		}
		var l fieldLabel
		lead, _, _ := strings.Cut(inner, "<")
		lead, _, _ = strings.Cut(lead, "{{")
		if lead = strings.TrimSpace(lead); leadingLetter.MatchString(lead) {
			l = fieldLabel{text: lead}
		} else if c := labelCall.FindStringSubmatch(inner); c != nil {
			l = fieldLabel{text: c[1], translate: true}
		} else {
			continue
		}
		var keys []string
		for _, f := range labelField.FindAllStringSubmatch(inner, -1) {
			keys = append(keys, f[1])
		}
		for _, f := range labelInput.FindAllStringSubmatch(inner, -1) {
			keys = append(keys, f[1])
		}
		for _, k := range keys {
			if prev, ok := out[k]; ok && prev != l || ambiguous[k] {
				ambiguous[k] = true
				delete(out, k)
				continue
			}
			out[k] = l
		}
	}
	return out
}

// FieldName returns how the error list names the field at path: by the
// label of its input on the page, in the page's language, or by the path
// where the page has no label for it. A path the page's templates do not
// name ("address.postal_code") is looked up by its last part, the name the
// input has on most forms ("postal_code").
func (v *view) FieldName(path string) string {
	labels := fieldLabels()[v.page]
	l, ok := labels[path]
	if i := strings.LastIndexByte(path, '.'); !ok && i >= 0 {
		l, ok = labels[path[i+1:]]
	}
	switch {
	case !ok:
		return path
	case l.translate:
		return v.T(l.text)
	}
	return l.text
}
