// Package storagetest owns the conformance suite that every storage backend
// must pass: Run checks a storage.Store against the contract written in
// package storage, one fresh store per subtest.
//
// A backend runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store {
//			s, err := mybackend.Open(t.Context(), …)
//			require.NoError(t, err)
//			t.Cleanup(func() { _ = s.Close() })
//			return s
//		})
//	}
//
// newStore must return an empty store and arrange, with t.Cleanup, for it to
// be closed. RunParallel runs the same suite with each group's subtests in
// parallel, for backends whose stores share nothing (both of portalkit's). RunConcurrency, which Run also calls, holds the tests that start
// many goroutines; a backend may run it on its own, for example with a larger
// busy timeout.
//
// The suite asserts what callers may rely on, and nothing about how a
// backend gets there: errors are checked with errors.Is against the storage
// sentinels and with portalerr.CodeOf, never by their text.
package storagetest
