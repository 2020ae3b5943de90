package filemeta

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest sanitised file name, in bytes: file systems
// allow 255, and the name travels in headers twice.
const MaxNameBytes = 200

// SanitizeName makes a client's file name safe to show and to offer as a
// download name: the last element of any path (browsers send
// `C:\fakepath\x.png`), without control and invisible formatting characters
// (such as the right-to-left override that makes "xfdp.exe" read
// "exe.pdf"), with characters Windows forbids replaced by "_", without
// leading dots (hidden files) and trailing dots and spaces (which Windows
// drops), and at most MaxNameBytes long, keeping the extension. A name with
// nothing left is "file".
func SanitizeName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.TrimRight(strings.TrimLeft(b.String(), ". "), ". ")
	if len(name) > MaxNameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		stem := name[:MaxNameBytes-len(ext)]
		for !utf8.ValidString(stem) {
			stem = stem[:len(stem)-1]
		}
		name = strings.TrimRight(stem, ". ") + ext
	}
	if name == "" {
		return "file"
	}
	return name
}
