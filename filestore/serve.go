package filestore

import (
	"io"
	"net/http"
	"time"

	"github.com/portalkit/portalkit/filestore/filemeta"
)

// MaxNameBytes is the longest sanitised file name, in bytes (see
// filemeta.MaxNameBytes).
const MaxNameBytes = filemeta.MaxNameBytes

// SanitizeName makes a client's file name safe to show and to offer as a
// download name (see filemeta.SanitizeName).
func SanitizeName(name string) string { return filemeta.SanitizeName(name) }

// SetHeaders sets the headers that answer with f (see filemeta.SetHeaders).
func SetHeaders(h http.Header, f File) { filemeta.SetHeaders(h, f) }

// ContentDisposition returns a Content-Disposition value of the given type
// ("inline" or "attachment") for a file name (see
// filemeta.ContentDisposition).
func ContentDisposition(disposition, name string) string {
	return filemeta.ContentDisposition(disposition, name)
}

// ServeContent answers r with f's content (see filemeta.ServeContent).
func ServeContent(w http.ResponseWriter, r *http.Request, f File, modtime time.Time, content io.ReadSeeker) {
	filemeta.ServeContent(w, r, f, modtime, content)
}

// ServeDownload answers r with f's content as a download (see
// filemeta.ServeDownload).
func ServeDownload(w http.ResponseWriter, r *http.Request, f File, modtime time.Time, content io.ReadSeeker) {
	filemeta.ServeDownload(w, r, f, modtime, content)
}

// Serve answers r with the stored file key names. When the file cannot be
// opened (a NotFound error for a missing key) Serve writes nothing and
// returns the error, for the caller to answer in its own way. The caller
// checks first that the requester may read the file.
func (s *Store) Serve(w http.ResponseWriter, r *http.Request, key Key) error {
	rd, f, err := s.Get(r.Context(), key)
	if err != nil {
		return err
	}
	defer rd.Close()
	ServeContent(w, r, f, time.Time{}, rd)
	return nil
}
