package storage

import "context"

// ServerKeyRepo keeps the deployment's own secret keys, such as the one
// that seals list cursors (see portal.Config.CursorKey): kept in the
// database, a key outlives restarts and is shared by every server on it.
type ServerKeyRepo interface {
	// GetOrCreate returns the key stored under name. When there is none, it
	// stores fresh under name and returns it. Of concurrent callers, all get
	// the key stored first, whatever fresh each passed.
	GetOrCreate(ctx context.Context, name string, fresh []byte) ([]byte, error)
}
