package news

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders CommonMark with tables, strikethrough and bare links.
// It leaves raw HTML out (goldmark's default), and sanitize would remove
// what was let through anyway.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))

// sanitize is bluemonday's policy for user content: no script, no event
// handlers, no style attributes (the web UI's CSP allows none), no
// iframes, only http, https and mailto links, each with rel="nofollow".
var sanitize = bluemonday.UGCPolicy()

// Render turns an article's Markdown body into HTML that is safe to put
// into a page as it is: goldmark renders it, bluemonday's UGC policy
// removes anything that could run script, load a frame or restyle the
// page. Markdown goldmark cannot render comes out as text.
func Render(body string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(body), &buf); err != nil {
		// Convert fails only when writing to buf fails, which it does not;
		// show the source, escaped, rather than nothing.
		return template.HTML(template.HTMLEscapeString(body))
	}
	return template.HTML(sanitize.SanitizeBytes(buf.Bytes()))
}
