package portal

import (
	"fmt"
	"sync/atomic"

	"github.com/google/uuid"
)

// ID prefixes, one per kind of object, so an ID says what it names.
const (
	PrefixCustomer   = "cus"
	PrefixUser       = "usr"
	PrefixMembership = "mem"
	PrefixSite       = "sit"
)

// IDSource makes new IDs. NewID returns prefix + "_" + a unique suffix; IDs
// of one prefix must sort in creation order, because lists are ordered by ID.
type IDSource interface {
	NewID(prefix string) string
}

// IDSourceFunc adapts a function to IDSource.
type IDSourceFunc func(prefix string) string

// NewID calls f.
func (f IDSourceFunc) NewID(prefix string) string { return f(prefix) }

// UUIDv7IDs returns the default IDSource: prefix + "_" + a UUIDv7, which
// sorts by time and is unique across processes.
func UUIDv7IDs() IDSource {
	return IDSourceFunc(func(prefix string) string {
		return prefix + "_" + uuid.Must(uuid.NewV7()).String()
	})
}

// SequentialIDs returns an IDSource for tests and examples: prefix + "_" +
// a counter shared by all prefixes, zero-padded to sort correctly
// ("cus_000001", "usr_000002", ...). It is deterministic and safe for
// concurrent use, but unique only within one process.
func SequentialIDs() IDSource {
	var n atomic.Int64
	return IDSourceFunc(func(prefix string) string {
		return fmt.Sprintf("%s_%06d", prefix, n.Add(1))
	})
}
