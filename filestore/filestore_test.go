package filestore_test

import (
	"strconv"
	"time"

	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portalkit/portalkit/filestore/filemeta"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/portalkit/portalkit/filestore"
	"github.com/portalkit/portalkit/portalerr"
)

// backend opens a fresh store and lists what is in it, temporary files
// included, so tests can tell that a refused upload left nothing.
type backend struct {
	name string
	open func(t *testing.T) (*filestore.Store, func() []string)
}

var backends = []backend{
	{"mem", func(t *testing.T) (*filestore.Store, func() []string) {
		b := memblob.OpenBucket(nil)
		s := filestore.New(b)
		t.Cleanup(func() { _ = s.Close() })
		return s, func() []string {
			var keys []string
			it := b.List(nil)
			for {
				o, err := it.Next(t.Context())
				if errors.Is(err, io.EOF) {
					return keys
				}
				require.NoError(t, err)
				keys = append(keys, o.Key)
			}
		}
	}},
	{"file", func(t *testing.T) (*filestore.Store, func() []string) {
		// A directory that does not exist yet: Open creates it.
		dir := filepath.Join(t.TempDir(), "files", "store")
		s, err := filestore.Open(t.Context(), fileURL(dir))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s, func() []string {
			var names []string
			err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					names = append(names, strings.TrimPrefix(p, dir+string(filepath.Separator)))
				}
				return err
			})
			require.NoError(t, err)
			return names
		}
	}},
}

// fileURL returns the file:// URL of a directory, escaped: test directories
// have "#" in their names.
func fileURL(dir string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

// forEachBackend runs a test against every backend, each with a fresh store.
func forEachBackend(t *testing.T, test func(t *testing.T, s *filestore.Store, list func() []string)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, list := b.open(t)
			test(t, s, list)
		})
	}
}

var (
	pngData  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), bytes.Repeat([]byte{0}, 600)...)
	jpegData = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{1}, 40)...)
	gifData  = []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	webpData = []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00")
	pdfData  = []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
	htmlData = []byte("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>")
	svgData  = []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	zipData  = []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")
	csvData  = []byte("sku,quantity\nDR-100,3\nDR-200,1\n")
	textData = []byte("Die Hebebühne steht seit Montag still.\n")
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestPutSizeLimit(t *testing.T) {
	tests := []struct {
		name    string
		max     int64
		size    int
		wantErr string // the message, which names the limit; "" for success
	}{
		{"exactly at the limit", 1000, 1000, ""},
		{"one over the limit", 1000, 1001, "file: is larger than the limit of 1000 bytes"},
		{"far over the limit", 1 << 10, 1 << 20, "file: is larger than the limit of 1 KiB"},
		{"at a limit inside the sniffed head", 100, 100, ""},
		{"over a limit inside the sniffed head", 100, 101, "file: is larger than the limit of 100 bytes"},
		{"one byte", 1, 1, ""},
		{"empty", 1000, 0, "file: is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
				content := bytes.Repeat([]byte("a"), tt.size)
				f, err := s.Put(t.Context(), "big.txt", bytes.NewReader(content), filestore.Limits{MaxBytes: tt.max})
				if tt.wantErr != "" {
					require.Error(t, err)
					assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
					assert.Equal(t, tt.wantErr, portalerr.MessageOf(err))
					assert.Equal(t, []portalerr.FieldViolation{{Field: "file", Message: strings.TrimPrefix(tt.wantErr, "file: ")}}, portalerr.FieldsOf(err))
					assert.Equal(t, tt.size > 0, errors.Is(err, filemeta.ErrTooLarge), "only a file over the limit is ErrTooLarge")
					assert.Empty(t, list(), "a refused upload leaves nothing behind")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, int64(tt.size), f.Size)
				assert.Equal(t, sum(content), f.SHA256)
				assert.NotEmpty(t, list())
			})
		})
	}
}

func TestPutDefaultLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
		content := bytes.Repeat([]byte("a"), filestore.DefaultMaxBytes+1)
		_, err := s.Put(t.Context(), "big.txt", bytes.NewReader(content), filestore.Limits{})
		require.Error(t, err)
		assert.Equal(t, "file: is larger than the limit of 10 MiB", portalerr.MessageOf(err))
		assert.Empty(t, list())
	})
}

// An upload read through the request's own body limit that runs into it is
// refused like one over Limits.MaxBytes, naming the body limit.
func TestPutRequestBodyLimit(t *testing.T) {
	tests := []struct {
		name        string
		size, limit int64
		want        string
	}{
		{"inside the sniffed head", 300, 200, "file: is larger than the limit of 200 bytes"},
		{"after the sniffed head", 5000, 2048, "file: is larger than the limit of 2 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
				content := io.NopCloser(bytes.NewReader(bytes.Repeat([]byte("a"), int(tt.size))))
				_, err := s.Put(t.Context(), "x.txt", http.MaxBytesReader(nil, content, tt.limit), filestore.Limits{})
				require.Error(t, err)
				assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
				assert.Equal(t, tt.want, portalerr.MessageOf(err))
				assert.Empty(t, list())
			})
		})
	}
}

func TestPutContentType(t *testing.T) {
	tests := []struct {
		name     string // the client's file name, which must not matter
		content  []byte
		types    []string
		wantType string // "" when refused
	}{
		{"photo.png", pngData, nil, "image/png"},
		{"x.txt", pngData, nil, "image/png"},
		{"x", jpegData, nil, "image/jpeg"},
		{"x.gif", gifData, nil, "image/gif"},
		{"x.webp", webpData, nil, "image/webp"},
		{"offer.pdf", pdfData, nil, "application/pdf"},
		{"note.txt", textData, nil, "text/plain; charset=utf-8"},
		{"stock.csv", csvData, nil, "text/csv; charset=utf-8"},
		{"stock.CSV", csvData, nil, "text/csv; charset=utf-8"},
		{"stock.txt", csvData, nil, "text/plain; charset=utf-8"},
		// The name picks CSV only among text: a PNG named .csv is a PNG.
		{"x.csv", pngData, nil, "image/png"},
		{"x.png", htmlData, nil, ""},
		{"x.html", htmlData, nil, ""},
		{"x.csv", htmlData, nil, ""},
		{"x.png", svgData, nil, ""},
		{"x.pdf", zipData, nil, ""},
		// A narrower allow-list.
		{"x.pdf", pdfData, []string{"image/png"}, ""},
		{"x.png", pngData, []string{"image/png"}, "image/png"},
		{"x.txt", textData, []string{"text/plain; charset=utf-8"}, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.wantType, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
				f, err := s.Put(t.Context(), tt.name, bytes.NewReader(tt.content), filestore.Limits{Types: tt.types})
				if tt.wantType == "" {
					require.Error(t, err)
					assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
					assert.Contains(t, portalerr.MessageOf(err), "is not allowed")
					assert.Empty(t, list())
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tt.wantType, f.ContentType)
				_, got, err := s.Get(t.Context(), f.Key)
				require.NoError(t, err)
				assert.Equal(t, tt.wantType, got.ContentType, "the stored type is the sniffed one")
			})
		})
	}
}

func TestPutKeyIsNeverTheName(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
		names := []string{"notes.txt", "notes.txt", "../../escape.txt", "fil_01900000-0000-7000-8000-000000000000", "/abs/path.txt"}
		seen := map[filestore.Key]bool{}
		for _, name := range names {
			f, err := s.Put(t.Context(), name, bytes.NewReader(textData), filestore.Limits{})
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(string(f.Key), filestore.KeyPrefix), f.Key)
			assert.Len(t, string(f.Key), len(filestore.KeyPrefix)+36)
			assert.NotEqual(t, name, string(f.Key))
			assert.False(t, seen[f.Key], "keys are unique")
			seen[f.Key] = true
		}
		for _, stored := range list() {
			assert.True(t, strings.HasPrefix(stored, filestore.KeyPrefix), "stored as %s", stored)
			assert.NotContains(t, stored, "escape")
			assert.NotContains(t, stored, "notes")
		}
	})
}

func TestRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
		content := append(bytes.Clone(pdfData), bytes.Repeat([]byte("0123456789"), 10_000)...)
		put, err := s.Put(t.Context(), `C:\fakepath\Angebot März.pdf`, bytes.NewReader(content), filestore.Limits{})
		require.NoError(t, err)
		assert.Equal(t, filestore.File{
			Key: put.Key, Name: "Angebot März.pdf", ContentType: "application/pdf",
			Size: int64(len(content)), SHA256: sum(content),
		}, put)

		rd, got, err := s.Get(t.Context(), put.Key)
		require.NoError(t, err)
		defer rd.Close()
		read, err := io.ReadAll(rd)
		require.NoError(t, err)
		assert.Equal(t, sum(content), sum(read))
		want := put
		want.SHA256 = ""
		assert.Equal(t, want, got)
	})
}

func TestDeleteAndNotFound(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
		f, err := s.Put(t.Context(), "x.txt", bytes.NewReader(textData), filestore.Limits{})
		require.NoError(t, err)
		require.NoError(t, s.Delete(t.Context(), f.Key))
		assert.Empty(t, list())

		missing := []filestore.Key{
			f.Key,
			"fil_01900000-0000-7000-8000-000000000000",
			"fil_x", "", "../../etc/passwd", "fil_../../etc/passwd", filestore.Key(f.Key + "/x"),
		}
		for _, key := range missing {
			_, _, err := s.Get(t.Context(), key)
			assert.ErrorIs(t, err, portalerr.ErrNotFound, "Get(%q)", key)
			assert.ErrorIs(t, s.Delete(t.Context(), key), portalerr.ErrNotFound, "Delete(%q)", key)
		}
	})
}

// chunked yields its content in pieces and calls after once the first piece
// is out, so a test can act in the middle of an upload.
type chunked struct {
	data  []byte
	after func() error
	done  bool
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	if c.done {
		if err := c.after(); err != nil {
			return 0, err
		}
	}
	c.done = true
	n := copy(p, c.data[:min(len(c.data), 1000)])
	c.data = c.data[n:]
	return n, nil
}

func TestPutFailingMidwayLeavesNothing(t *testing.T) {
	content := bytes.Repeat([]byte("line of text\n"), 1000)
	t.Run("reader fails", func(t *testing.T) {
		forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
			boom := errors.New("connection reset")
			r := &chunked{data: content, after: func() error { return boom }}
			_, err := s.Put(t.Context(), "x.txt", r, filestore.Limits{})
			assert.ErrorIs(t, err, boom)
			assert.Empty(t, list())
		})
	})
	t.Run("context cancelled", func(t *testing.T) {
		forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
			ctx, cancel := context.WithCancel(t.Context())
			r := &chunked{data: content, after: func() error { cancel(); return nil }}
			_, err := s.Put(ctx, "x.txt", r, filestore.Limits{})
			assert.Error(t, err)
			assert.Empty(t, list())
		})
	})
}

func TestOpen(t *testing.T) {
	_, err := filestore.Open(t.Context(), "nosuch://bucket")
	assert.Error(t, err)

	// A file:// store reopened finds what it stored.
	dir := t.TempDir()
	s, err := filestore.Open(t.Context(), fileURL(dir))
	require.NoError(t, err)
	f, err := s.Put(t.Context(), "x.png", bytes.NewReader(pngData), filestore.Limits{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.NotEmpty(t, entries)

	s, err = filestore.Open(t.Context(), fileURL(dir))
	require.NoError(t, err)
	defer s.Close()
	rd, got, err := s.Get(t.Context(), f.Key)
	require.NoError(t, err)
	defer rd.Close()
	assert.Equal(t, "x.png", got.Name)
	assert.Equal(t, "image/png", got.ContentType)
}

func TestNewOverOwnBucket(t *testing.T) {
	b, err := blob.OpenBucket(t.Context(), "mem://")
	require.NoError(t, err)
	s := filestore.New(b)
	defer s.Close()
	_, err = s.Put(t.Context(), "x.gif", bytes.NewReader(gifData), filestore.Limits{})
	require.NoError(t, err)
}

func TestServe(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *filestore.Store, list func() []string) {
		img, err := s.Put(t.Context(), "Baustelle Süd.png", bytes.NewReader(pngData), filestore.Limits{})
		require.NoError(t, err)
		txt, err := s.Put(t.Context(), `Bericht "März"; v2.txt`, bytes.NewReader(textData), filestore.Limits{})
		require.NoError(t, err)
		pdf, err := s.Put(t.Context(), "offer.pdf", bytes.NewReader(pdfData), filestore.Limits{})
		require.NoError(t, err)

		tests := []struct {
			name        string
			key         filestore.Key
			header      http.Header // request headers
			wantStatus  int
			wantType    string
			disposition string
			wantBody    []byte
		}{
			{"image inline", img.Key, nil, 200, "image/png",
				`inline; filename="Baustelle S_d.png"; filename*=UTF-8''Baustelle%20S%C3%BCd.png`, pngData},
			{"text as attachment", txt.Key, nil, 200, "text/plain; charset=utf-8",
				`attachment; filename="Bericht _M_rz_; v2.txt"; filename*=UTF-8''Bericht%20_M%C3%A4rz_%3B%20v2.txt`, textData},
			{"pdf as attachment", pdf.Key, nil, 200, "application/pdf",
				`attachment; filename="offer.pdf"; filename*=UTF-8''offer.pdf`, pdfData},
			{"range", pdf.Key, http.Header{"Range": {"bytes=0-7"}}, 206, "application/pdf",
				`attachment; filename="offer.pdf"; filename*=UTF-8''offer.pdf`, pdfData[:8]},
			{"not modified", pdf.Key, http.Header{"If-None-Match": {`"` + string(pdf.Key) + `"`}}, 304, "",
				`attachment; filename="offer.pdf"; filename*=UTF-8''offer.pdf`, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/files/x", nil)
				for k, v := range tt.header {
					req.Header[k] = v
				}
				rec := httptest.NewRecorder()
				require.NoError(t, s.Serve(rec, req, tt.key))
				res := rec.Result()
				assert.Equal(t, tt.wantStatus, res.StatusCode)
				if tt.wantType != "" {
					assert.Equal(t, tt.wantType, res.Header.Get("Content-Type"))
				}
				assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
				assert.Equal(t, tt.disposition, res.Header.Get("Content-Disposition"))
				assert.Equal(t, "default-src 'none'; style-src 'unsafe-inline'; sandbox", res.Header.Get("Content-Security-Policy"))
				assert.Equal(t, "private, no-cache", res.Header.Get("Cache-Control"))
				assert.Equal(t, `"`+string(tt.key)+`"`, res.Header.Get("ETag"))
				assert.Equal(t, string(tt.wantBody), rec.Body.String())
			})
		}

		t.Run("head", func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodHead, "/files/x", nil)
			rec := httptest.NewRecorder()
			require.NoError(t, s.Serve(rec, req, pdf.Key))
			assert.Equal(t, 200, rec.Code)
			assert.Equal(t, "application/pdf", rec.Header().Get("Content-Type"))
			assert.Empty(t, rec.Body.Bytes())
		})

		t.Run("a download is an attachment, images too", func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/files/x", nil)
			rec := httptest.NewRecorder()
			rd, f, err := s.Get(t.Context(), img.Key)
			require.NoError(t, err)
			defer rd.Close()
			filestore.ServeDownload(rec, req, f, time.Time{}, rd)
			assert.Equal(t, 200, rec.Code)
			assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
			assert.Equal(t, `attachment; filename="Baustelle S_d.png"; filename*=UTF-8''Baustelle%20S%C3%BCd.png`, rec.Header().Get("Content-Disposition"))
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			assert.Equal(t, strconv.Itoa(len(pngData)), rec.Header().Get("Content-Length"))
			assert.Equal(t, pngData, rec.Body.Bytes())
		})

		t.Run("not found writes nothing", func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/files/x", nil)
			rec := httptest.NewRecorder()
			err := s.Serve(rec, req, "fil_01900000-0000-7000-8000-000000000000")
			assert.ErrorIs(t, err, portalerr.ErrNotFound)
			assert.False(t, rec.Flushed)
			assert.Empty(t, rec.Header())
			assert.Empty(t, rec.Body.Bytes())
		})
	})
}

func TestContentDisposition(t *testing.T) {
	tests := []struct{ name, want string }{
		{"plain.txt", `attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`},
		{"100% sure.txt", `attachment; filename="100_ sure.txt"; filename*=UTF-8''100%25%20sure.txt`},
		{"a\r\nSet-Cookie: id=1.txt", `attachment; filename="a  Set-Cookie_ id=1.txt"; filename*=UTF-8''a%20%20Set-Cookie_%20id%3D1.txt`},
		{`back\slash.txt`, `attachment; filename="slash.txt"; filename*=UTF-8''slash.txt`},
		{"日本語.txt", `attachment; filename="___.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, filestore.ContentDisposition("attachment", tt.name), tt.name)
	}
}
