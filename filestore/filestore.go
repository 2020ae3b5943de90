package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file://, the default
	_ "gocloud.dev/blob/memblob"  // mem://, for tests and examples
	"gocloud.dev/gcerrors"

	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/portalerr"
)

// Key names a stored file (see filemeta.Key).
type Key = filemeta.Key

// KeyPrefix starts every Key.
const KeyPrefix = filemeta.KeyPrefix

// File is what the database keeps about a stored file (see filemeta.File).
type File = filemeta.File

// DefaultMaxBytes is the size limit when Limits.MaxBytes is zero.
const DefaultMaxBytes = filemeta.DefaultMaxBytes

// Limits says what Put accepts (see filemeta.Limits).
type Limits = filemeta.Limits

// DefaultTypes returns the media types Put accepts when Limits.Types is nil:
// raster images (PNG, JPEG, GIF, WebP), PDF, plain text and CSV.
func DefaultTypes() []string { return filemeta.DefaultTypes() }

// sniffLen is how much of an upload DetectContentType looks at.
const sniffLen = 512

// Store keeps files in a gocloud.dev/blob bucket. It is safe for concurrent use.
type Store struct {
	bucket *blob.Bucket
}

// Open opens the store a URL names: "file:///path" (a local directory,
// created if missing), "mem://" (in memory), or any scheme of a gocloud blob
// driver the program imports, such as "s3://bucket?region=…&endpoint=…"
// with package filestore/s3. Credentials never go in the URL: drivers take
// them from the environment, as gocloud does (for S3 the AWS SDK's chain:
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, shared config files, instance
// roles). The URL is a URL: a directory whose path holds "#", "?", "%" or
// spaces must be escaped (url.URL{Scheme: "file", Path: dir}.String()).
//
// For file:// URLs Open adds create_dir, and no_tmp_dir so that uploads are
// written next to their final place and renamed there: in os.TempDir the
// rename fails when the directory is on another mount, as container volumes
// are. A crash mid-upload may leave a "fil_….tmp" file behind; it is never
// served, because it is not a Key.
func Open(ctx context.Context, urlstr string) (*Store, error) {
	u, err := url.Parse(urlstr)
	if err != nil {
		return nil, fmt.Errorf("filestore: parsing the store URL: %w", err)
	}
	if u.Scheme == "file" {
		q := u.Query()
		for _, p := range []string{"create_dir", "no_tmp_dir"} {
			if !q.Has(p) {
				q.Set(p, "true")
			}
		}
		u.RawQuery = q.Encode()
	}
	b, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("filestore: opening %s: %w", u.Redacted(), err)
	}
	return New(b), nil
}

// New returns a Store over a bucket the caller opened; Close closes it.
func New(b *blob.Bucket) *Store { return &Store{bucket: b} }

// Close releases the bucket.
func (s *Store) Close() error {
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("filestore: closing: %w", err)
	}
	return nil
}

// Put stores the content r yields as a new file and returns its metadata.
// name is the client's file name; it is sanitised and kept for display only.
//
// Put fails with an Invalid error, and stores nothing, when the content is
// empty, larger than limits.MaxBytes, or of a sniffed type outside
// limits.Types. Reading r ends at the limit plus one byte, so a caller need
// not bound it; when the caller does bound it with http.MaxBytesReader, going
// over that limit is the same Invalid error. A cancelled ctx aborts the write and leaves nothing behind.
func (s *Store) Put(ctx context.Context, name string, r io.Reader, limits Limits) (File, error) {
	maxBytes := limits.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	switch {
	case errors.Is(err, io.EOF):
		return File{}, portalerr.Invalidf("file", "is empty")
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return File{}, readError(err)
	}
	head = head[:n]
	if int64(n) > maxBytes {
		return File{}, tooLarge(maxBytes)
	}
	f := File{Key: newKey(), Name: SanitizeName(name)}
	f.ContentType = sniff(head, f.Name)
	if err := checkType(f.ContentType, limits.Types); err != nil {
		return File{}, err
	}

	// Cancelling the writer's context before Close is how gocloud aborts a
	// write: no object, and no temporary file, is left.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, string(f.Key), &blob.WriterOptions{
		ContentType: f.ContentType,
		Metadata:    map[string]string{"name": f.Name},
	})
	if err != nil {
		return File{}, fmt.Errorf("filestore: storing %s: %w", f.Key, err)
	}
	abort := func(err error) (File, error) {
		cancel()
		_ = w.Close() // reports the cancellation; the write is dropped
		return File{}, err
	}
	h := sha256.New()
	dst := io.MultiWriter(w, h)
	if _, err := dst.Write(head); err != nil {
		return abort(fmt.Errorf("filestore: storing %s: %w", f.Key, err))
	}
	rest, err := io.Copy(dst, io.LimitReader(r, maxBytes-int64(n)+1))
	if err != nil {
		return abort(readError(err))
	}
	f.Size = int64(n) + rest
	if f.Size > maxBytes {
		return abort(tooLarge(maxBytes))
	}
	if err := w.Close(); err != nil {
		return File{}, fmt.Errorf("filestore: storing %s: %w", f.Key, err)
	}
	f.SHA256 = hex.EncodeToString(h.Sum(nil))
	return f, nil
}

// Get opens a stored file for reading; the caller closes it. The reader
// seeks, as http.ServeContent needs. The File has every field but SHA256. A key that names no file, or is not a Key at all,
// is a NotFound error.
func (s *Store) Get(ctx context.Context, key Key) (io.ReadSeekCloser, File, error) {
	if !key.Valid() {
		return nil, File{}, notFound(key)
	}
	// The reader does not carry metadata, so the name comes from Attributes.
	attrs, err := s.bucket.Attributes(ctx, string(key))
	if err != nil {
		return nil, File{}, s.classify(err, key, "reading")
	}
	rd, err := s.bucket.NewReader(ctx, string(key), nil)
	if err != nil {
		return nil, File{}, s.classify(err, key, "reading")
	}
	f := File{Key: key, Name: attrs.Metadata["name"], ContentType: rd.ContentType(), Size: rd.Size()}
	return rd, f, nil
}

// Delete removes a stored file. A key that names no file is a NotFound
// error, which callers that retry may ignore.
func (s *Store) Delete(ctx context.Context, key Key) error {
	if !key.Valid() {
		return notFound(key)
	}
	if err := s.bucket.Delete(ctx, string(key)); err != nil {
		return s.classify(err, key, "deleting")
	}
	return nil
}

func (s *Store) classify(err error, key Key, doing string) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return &portalerr.Error{Code: portalerr.NotFound, Message: fmt.Sprintf("file %s not found", key), Err: err}
	}
	return fmt.Errorf("filestore: %s %s: %w", doing, key, err)
}

func notFound(key Key) error {
	return portalerr.New(portalerr.NotFound, "file %q not found", string(key))
}

// readError classifies an error while streaming the upload: running into
// the request's own body limit is the client's fault, like our limit.
func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	return fmt.Errorf("filestore: reading the upload: %w", err)
}

func tooLarge(maxBytes int64) error {
	err := portalerr.Invalidf("file", "is larger than the limit of %s", formatBytes(maxBytes))
	err.Err = filemeta.ErrTooLarge
	return err
}

// formatBytes names a limit the way people set it: "10 MiB", "512 bytes".
func formatBytes(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

func newKey() Key { return filemeta.NewKey() }

// sniff returns the content type of an upload from its first bytes. The
// sniffer cannot tell CSV from plain text, so a text file whose name ends in
// .csv is text/csv: the name only chooses between two text types, both
// served as attachments.
func sniff(head []byte, name string) string {
	ct := http.DetectContentType(head)
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "text/plain" && strings.EqualFold(path.Ext(name), ".csv") {
		return mime.FormatMediaType("text/csv", params)
	}
	return ct
}

func checkType(ct string, allowed []string) error {
	if allowed == nil {
		allowed = DefaultTypes()
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = ct
	}
	for _, a := range allowed {
		if am, _, err := mime.ParseMediaType(a); err == nil && am == mt {
			return nil
		}
	}
	return portalerr.Invalidf("file", "type %s is not allowed (allowed: %s)", mt, strings.Join(allowed, ", "))
}
