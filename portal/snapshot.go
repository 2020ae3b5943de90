package portal

import (
	"context"
	"sync"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

// A request that reads (GET, say) authenticates its caller and then runs one
// read-only use case, which checks the caller's membership, user and
// customer again, as its transaction sees them. WithSharedSnapshot lets the
// two share one read transaction: Authenticate opens it and keeps it open,
// and the next read-only use case runs in it and ends it. The use case then
// takes the caller's standing Authenticate read in that same snapshot
// instead of reading it again: the decision is the one it would have made,
// with one transaction and one lookup less.
//
// The snapshot is held only between Authenticate and that read: a write
// use case ends it before it begins (so the memory backend, whose readers
// block writers, cannot deadlock), and so does the end function, which
// must be called when the request is done. Share one only where nothing
// slow happens in between; the HTTP layer does it for requests without a
// body.

type sharedSnapshotKey struct{}

// sharedSnapshot is the read transaction a request shares, held open by a
// goroutine parked inside Store.ReadTx.
type sharedSnapshot struct {
	mu      sync.Mutex
	repos   storage.Repos // nil unless open
	taken   bool          // a use case runs in it
	release chan struct{} // closed to end the transaction
	ended   chan struct{} // closed once it has ended
	// standing is the caller's, as Authenticate read it in this snapshot;
	// zero until it has.
	standing storage.Standing
}

// WithSharedSnapshot returns a context in which Authenticate and the first
// read-only use case after it share one read transaction, and the function
// that ends it if it is still open. Call end once the request is done.
func WithSharedSnapshot(ctx context.Context) (_ context.Context, end func()) {
	s := &sharedSnapshot{}
	return context.WithValue(ctx, sharedSnapshotKey{}, s), s.end
}

func sharedSnapshotOf(ctx context.Context) *sharedSnapshot {
	s, _ := ctx.Value(sharedSnapshotKey{}).(*sharedSnapshot)
	return s
}

// open begins the shared transaction on store, unless one is open or was
// used, and returns its Repos; nil when there is none to share.
func (s *sharedSnapshot) open(ctx context.Context, store storage.Store) (storage.Repos, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release != nil {
		return nil, nil // shared once per request
	}
	release, ended := make(chan struct{}), make(chan struct{})
	s.release, s.ended = release, ended
	type result struct {
		r   storage.Repos
		err error
	}
	opened := make(chan result, 1)
	go func() {
		defer close(ended)
		err := store.ReadTx(context.WithoutCancel(ctx), func(r storage.Repos) error {
			opened <- result{r: r}
			<-release
			return nil
		})
		if err != nil {
			opened <- result{err: err} // ReadTx failed before it called us; nobody reads it after
		}
	}()
	res := <-opened
	s.repos = res.r
	return res.r, res.err
}

// take hands the open transaction over to one read-only use case, which
// must call end when done; false when there is none to take.
func (s *sharedSnapshot) take() (storage.Repos, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repos == nil || s.taken {
		return nil, false
	}
	s.taken = true
	return s.repos, true
}

// remember keeps the caller's standing as read in the shared snapshot.
func (s *sharedSnapshot) remember(st storage.Standing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.standing = st
}

// end ends the shared transaction, if open, and waits until it has ended.
func (s *sharedSnapshot) end() {
	s.mu.Lock()
	open := s.repos != nil
	s.repos = nil
	s.mu.Unlock()
	if open {
		close(s.release)
		<-s.ended
	}
}

// snapshotRepos are the Repos of a shared snapshot, carrying the standing
// Authenticate read in it so authorize can use it.
type snapshotRepos struct {
	storage.Repos
	s *sharedSnapshot
}

// standingOf returns the standing of membership id as r's snapshot holds
// it, when Authenticate read it in that snapshot.
func standingOf(r storage.Repos, id customer.MembershipID) (storage.Standing, bool) {
	sr, ok := r.(snapshotRepos)
	if !ok {
		return storage.Standing{}, false
	}
	sr.s.mu.Lock()
	defer sr.s.mu.Unlock()
	if id == "" || sr.s.standing.Membership.ID != id {
		return storage.Standing{}, false
	}
	return sr.s.standing, true
}
