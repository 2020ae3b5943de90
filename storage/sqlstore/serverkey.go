package sqlstore

import (
	"context"

	"github.com/portalkit/portalkit/storage"
)

type serverKeyRepo struct{ t *txn }

func (t *txn) ServerKeys() storage.ServerKeyRepo { return serverKeyRepo{t} }

// GetOrCreate inserts fresh unless a key of that name exists, then reads
// the one stored. Of two transactions inserting at once, the unique key
// makes the second's insert do nothing; on PostgreSQL, whose serializable
// snapshot cannot see the first's row, the second fails to serialize
// instead and InTx runs it again, when it reads that row.
func (s serverKeyRepo) GetOrCreate(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	op := "getting server key " + name
	if err := s.t.writable(op); err != nil {
		return nil, err
	}
	if _, err := s.t.exec(ctx, op, nil,
		`INSERT INTO server_keys (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, err
	}
	var key []byte
	if err := s.t.queryRow(ctx, `SELECT secret FROM server_keys WHERE name = ?`, name).Scan(&key); err != nil {
		return nil, s.t.dbError(op, err, nil)
	}
	return key, nil
}
