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
func SequentialIDs() IDSource { return &Sequence{} }

// Sequence is the IDSource of SequentialIDs, with its count in view: a test
// that copies a fixture's database into a fresh store gives the new portal
// SequenceAfter(the fixture's Drawn()), so its IDs go on where the
// fixture's stopped. The zero value starts at 1.
type Sequence struct{ n atomic.Int64 }

// SequenceAfter returns a Sequence whose first ID is number n+1.
func SequenceAfter(n int64) *Sequence {
	s := &Sequence{}
	s.n.Store(n)
	return s
}

// NewID returns prefix + "_" + the next number, zero-padded.
func (s *Sequence) NewID(prefix string) string {
	return fmt.Sprintf("%s_%06d", prefix, s.n.Add(1))
}

// Drawn returns the number of the last ID drawn (0 for none).
func (s *Sequence) Drawn() int64 { return s.n.Load() }
