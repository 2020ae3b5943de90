package portal

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

// Config configures a Portal. Only Store is required.
type Config struct {
	// Store is the storage backend.
	Store storage.Store
	// Now returns the current time; default time.Now. Times are kept in UTC
	// with microsecond precision.
	Now func() time.Time
	// IDs makes new IDs; default UUIDv7IDs.
	IDs IDSource
	// Entitlements are the paid capabilities the provider holds.
	Entitlements customer.Entitlements
	// Logger receives what operators should know; default slog.Default().
	Logger *slog.Logger
}

// Portal runs the use cases. It is safe for concurrent use.
type Portal struct {
	store storage.Store
	now   func() time.Time
	ids   IDSource
	ent   customer.Entitlements
	log   *slog.Logger
}

// New returns a Portal for cfg. It fails when cfg.Store is nil.
func New(cfg Config) (*Portal, error) {
	if cfg.Store == nil {
		return nil, errors.New("portal: Config.Store is required")
	}
	p := &Portal{store: cfg.Store, now: cfg.Now, ids: cfg.IDs, ent: cfg.Entitlements, log: cfg.Logger}
	if p.now == nil {
		p.now = time.Now
	}
	if p.ids == nil {
		p.ids = UUIDv7IDs()
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	return p, nil
}

// timestamp returns the current time as stored: UTC, microsecond precision.
func (p *Portal) timestamp() time.Time {
	return p.now().UTC().Truncate(time.Microsecond)
}

// write runs fn in a read-write transaction after authorizing the caller.
func (p *Portal) write(ctx context.Context, fn func(storage.Repos) error) error {
	return p.store.InTx(ctx, fn)
}

// read runs fn in a read-only transaction.
func (p *Portal) read(ctx context.Context, fn func(storage.Repos) error) error {
	return p.store.ReadTx(ctx, fn)
}
