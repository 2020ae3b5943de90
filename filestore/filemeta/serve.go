package filemeta

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// inline lists the types a browser may show in place: raster images, which
// cannot run script. Everything else is offered as a download.
var inline = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"image/bmp": true, "image/x-icon": true, "image/avif": true,
}

// SetHeaders sets the headers that answer with f: its sniffed Content-Type;
// "X-Content-Type-Options: nosniff" so the browser keeps to it; a
// Content-Disposition that is inline for raster images and attachment for
// everything else, with the name as an ASCII fallback and in UTF-8
// (RFC 6266, RFC 5987); a Content-Security-Policy that sandboxes the
// response, so even a file a browser renders runs no script and loads
// nothing; the key as ETag (a key's content never changes); and a private
// Cache-Control, because files are served after an authorization check.
func SetHeaders(h http.Header, f File) { setHeaders(h, f, true) }

// SetDownloadHeaders is SetHeaders with a Content-Disposition that is
// attachment for every type: the browser saves the file, whatever it is.
func SetDownloadHeaders(h http.Header, f File) { setHeaders(h, f, false) }

func setHeaders(h http.Header, f File, inlineImages bool) {
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	disposition := "attachment"
	if mt, _, err := mime.ParseMediaType(ct); err == nil && inline[mt] && inlineImages {
		disposition = "inline"
	}
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", ContentDisposition(disposition, f.Name))
	// style-src lets the browser's own image viewer style its page, as
	// GitHub's raw file host does; sandbox makes any document an opaque
	// origin without script.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-site")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "private, no-cache")
	if f.Key != "" {
		h.Set("ETag", `"`+string(f.Key)+`"`)
	}
}

// ContentDisposition returns a Content-Disposition value of the given type
// ("inline" or "attachment") for a file name: filename= with an ASCII
// fallback for old clients, filename*= with the name in UTF-8 (RFC 5987).
func ContentDisposition(disposition, name string) string {
	name = SanitizeName(name)
	return disposition + `; filename="` + asciiName(name) + `"; filename*=UTF-8''` + encodeRFC5987(name)
}

// asciiName replaces what may not, or should not, stand in a quoted
// filename: non-ASCII, quotes, backslashes, and "%", which some browsers
// decode.
func asciiName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
}

// encodeRFC5987 percent-encodes every byte that is not an attr-char.
func encodeRFC5987(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// ServeContent answers r with f's content: SetHeaders, then
// http.ServeContent, which handles HEAD, Range and If-None-Match. modtime
// may be zero.
func ServeContent(w http.ResponseWriter, r *http.Request, f File, modtime time.Time, content io.ReadSeeker) {
	SetHeaders(w.Header(), f)
	http.ServeContent(w, r, "", modtime, content)
}

// ServeDownload is ServeContent with SetDownloadHeaders: every file is
// offered as a download, raster images too. http.ServeContent sets
// Content-Length (of the range asked for).
func ServeDownload(w http.ResponseWriter, r *http.Request, f File, modtime time.Time, content io.ReadSeeker) {
	SetDownloadHeaders(w.Header(), f)
	http.ServeContent(w, r, "", modtime, content)
}
