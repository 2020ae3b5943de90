package filestore_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/filestore"
)

func TestSanitizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"Angebot März 2026.pdf", "Angebot März 2026.pdf"},
		{"../../etc/passwd", "passwd"},
		{"/abs/path/x.png", "x.png"},
		{`C:\fakepath\photo.png`, "photo.png"},
		{`..\..\windows\win.ini`, "win.ini"},
		{"dir/", "file"},
		{"a\x00b\x07c.txt", "abc.txt"},
		{"line\r\nbreak\ttab.txt", "line  break tab.txt"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"}, // right-to-left override
		{"zero\u200Bwidth.txt", "zerowidth.txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{`a"b<c>d|e?f*g:h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{".bashrc", "bashrc"},
		{"..", "file"},
		{"...", "file"},
		{"", "file"},
		{"   ", "file"},
		{"\x00\x01", "file"},
		{"name. . ", "name"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, filestore.SanitizeName(tt.in), "%q", tt.in)
	}
}

func TestSanitizeNameLong(t *testing.T) {
	tests := []struct{ in, wantSuffix string }{
		{strings.Repeat("a", 1000) + ".pdf", ".pdf"},
		{strings.Repeat("ä", 300) + ".png", ".png"},
		{strings.Repeat("日", 300), "日"},
		{"x." + strings.Repeat("e", 300), "e"}, // an "extension" too long to keep
	}
	for _, tt := range tests {
		got := filestore.SanitizeName(tt.in)
		assert.LessOrEqual(t, len(got), filestore.MaxNameBytes, "%.20q…", tt.in)
		assert.Greater(t, len(got), filestore.MaxNameBytes-4, "%.20q…", tt.in)
		assert.True(t, utf8.ValidString(got), "%.20q…", tt.in)
		assert.True(t, strings.HasSuffix(got, tt.wantSuffix), "%.20q… → %q", tt.in, got)
	}
}
