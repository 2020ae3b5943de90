package sqlite

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// template is a migrated, empty database that OpenTemp copies, so that a
// test opening hundreds of stores migrates once. It is kept in memory, not
// on disk, so that no process leaves it behind.
var template struct {
	once sync.Once
	data []byte
	err  error
}

// OpenTemp opens a new, empty database in a temporary directory of its
// own, which the Store's Close removes: the throwaway store of tests and
// examples. It runs as a file database does (the same two pools, WAL), but
// without waiting for the disk (synchronous=OFF), since nothing in it is
// meant to outlive the process, and with two read connections unless an
// option says otherwise. Its schema is copied from a database the
// process migrated once.
func OpenTemp(ctx context.Context, opts ...Option) (*Store, error) {
	template.once.Do(func() { template.data, template.err = migrateTemplate(ctx) })
	if template.err != nil {
		return nil, template.err
	}
	return openTemp(ctx, func(dst string) error { return os.WriteFile(dst, template.data, 0o600) }, opts...)
}

// OpenTempFrom is OpenTemp on a copy of the database file at path (one
// that Backup wrote, say) rather than an empty one: tests that build a
// fixture once give each case a copy of its own this way. Pending
// migrations are applied to the copy.
func OpenTempFrom(ctx context.Context, path string, opts ...Option) (*Store, error) {
	return openTemp(ctx, func(dst string) error { return copyFile(path, dst) }, opts...)
}

// openTemp opens a database that fill writes, in a new temporary
// directory that Close removes.
func openTemp(ctx context.Context, fill func(dst string) error, opts ...Option) (*Store, error) {
	dir, err := os.MkdirTemp("", "portalkit-sqlite-")
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening a temporary database: %w", err)
	}
	copied := filepath.Join(dir, "portal.db")
	if err := fill(copied); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("sqlite: opening a temporary database: %w", err)
	}
	// Two readers: a test's requests seldom overlap, and every connection
	// parses the schema when it opens, which is most of what opening a
	// store for one test costs.
	opts = append([]Option{WithReadConns(2)}, opts...)
	opts = append(opts, func(c *config) {
		c.synchronous = "OFF"
		c.onClose = func() error { return os.RemoveAll(dir) }
	})
	s, err := Open(ctx, copied, opts...)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// Backup writes a consistent copy of s's database, as of one moment, to
// the file path, which must not exist yet (VACUUM INTO). It runs on the
// write connection (the read ones are query_only), so writers wait for it;
// readers go on. The copy is a database Open and OpenTempFrom take.
func Backup(ctx context.Context, s *Store, path string) error {
	write, _ := s.DB()
	if _, err := write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("sqlite: backing up to %s: %w", path, err)
	}
	return nil
}

// migrateTemplate creates and migrates the database OpenTemp copies and
// returns its bytes, removing the file.
func migrateTemplate(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "portalkit-sqlite-template-")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrating a template database: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	s, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	// Everything into the database file, so that the file alone is the
	// template: Close then removes the empty write-ahead log.
	write, _ := s.DB()
	if _, err := write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: migrating a template database: %w", err)
	}
	if err := s.Close(); err != nil {
		return nil, fmt.Errorf("sqlite: migrating a template database: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrating a template database: %w", err)
	}
	return data, nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
