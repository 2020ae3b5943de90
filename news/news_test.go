package news_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portalerr"
)

func TestRenderFormats(t *testing.T) {
	got := string(news.Render("# Hello\n\nSome *emphasis*, a [link](https://example.com/a) and ~~old~~.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
	for _, want := range []string{"<h1>Hello</h1>", "<em>emphasis</em>", `<a href="https://example.com/a" rel="nofollow">link</a>`, "<del>old</del>", "<table>", "<td>1</td>"} {
		assert.Contains(t, got, want)
	}
}

func TestRenderStripsWhatCouldRun(t *testing.T) {
	tests := []struct {
		name, body string
		gone       []string
	}{
		// Inline raw HTML goes; its text may stay, as text.
		{"script tag", "hi <script>alert(1)</script> there", []string{"<script", "</script"}},
		{"script block", "<script>\nalert(1)\n</script>", []string{"<script", "alert(1)"}},
		{"event handler", `<img src="https://example.com/x.png" onerror="alert(1)">`, []string{"onerror", "alert"}},
		{"event handler in a link", `<a href="https://example.com" onclick="alert(1)">x</a>`, []string{"onclick"}},
		{"javascript link", "[click](javascript:alert(1))", []string{"javascript:"}},
		{"javascript link, mixed case", "[click](JaVaScRiPt:alert(1))", []string{"avascript:"}},
		{"javascript autolink", "<javascript:alert(1)>", []string{"href"}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD4=)", []string{"data:"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, []string{"<iframe", "evil.example"}},
		{"inline style", `<p style="position:fixed;top:0">cover</p>`, []string{"style="}},
		{"style tag", "<style>body{display:none}</style>", []string{"<style", "display:none"}},
		{"object", `<object data="https://evil.example/x.swf"></object>`, []string{"<object"}},
		{"form", `<form action="https://evil.example"><input name="p"></form>`, []string{"<form", "<input"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.ToLower(string(news.Render(tt.body)))
			for _, g := range tt.gone {
				assert.NotContains(t, got, strings.ToLower(g))
			}
		})
	}
}

func TestRenderKeepsHTTPSImages(t *testing.T) {
	got := string(news.Render("![logo](https://example.com/logo.png)"))
	assert.Contains(t, got, `<img src="https://example.com/logo.png" alt="logo"`)
}

func TestValidate(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ok := news.Article{Title: "Maintenance", Body: "On Sunday.", PublishAt: now, Audience: news.Everyone}
	require.NoError(t, ok.Validate())

	tests := []struct {
		name  string
		edit  func(*news.Article)
		field string
	}{
		{"no title", func(a *news.Article) { a.Title = " " }, "title"},
		{"long title", func(a *news.Article) { a.Title = strings.Repeat("x", 201) }, "title"},
		{"two-line title", func(a *news.Article) { a.Title = "a\nb" }, "title"},
		{"no body", func(a *news.Article) { a.Body = "" }, "body"},
		{"large body", func(a *news.Article) { a.Body = strings.Repeat("x", news.MaxBody+1) }, "body"},
		{"no publish time", func(a *news.Article) { a.PublishAt = time.Time{} }, "publish_at"},
		{"no audience", func(a *news.Article) { a.Audience = news.Audience{} }, "audience"},
		{"customer's article for all", func(a *news.Article) { a.CustomerID = "cus_1" }, "audience"},
		{"customer's article for another", func(a *news.Article) { a.CustomerID, a.Audience = "cus_1", news.Only("cus_2") }, "audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			err := a.Validate()
			require.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
			assert.Equal(t, tt.field, portalerr.FieldsOf(err)[0].Field)
		})
	}
	own := ok
	own.CustomerID, own.Audience = "cus_1", news.Only("cus_1")
	assert.NoError(t, own.Validate())
}

func TestVisibleTo(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	a := news.Article{PublishAt: now, Audience: news.Only("cus_b", "cus_a", "cus_a")}
	assert.Equal(t, []customer.ID{"cus_a", "cus_b"}, a.Audience.Customers)
	assert.True(t, a.VisibleTo("cus_a", now))
	assert.False(t, a.VisibleTo("cus_c", now))
	assert.False(t, a.VisibleTo("cus_a", now.Add(-time.Second)), "scheduled")
	a.Audience = news.Everyone
	assert.True(t, a.VisibleTo("cus_c", now))
}
