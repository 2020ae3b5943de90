// Package postgrestest gives each test a PostgreSQL database of its own: a
// schema on the server that PORTALKIT_TEST_POSTGRES_URL names that no other
// running test uses. Tests that use it skip when the variable is unset, and
// only then.
//
// URL gives a new, empty schema, dropped with everything in it when the
// test ends. Open gives a Store on a migrated schema; since migrating costs
// the better part of a second, the schemas of finished tests are emptied
// and handed to the next Open of the same process. Every schema is held by
// a session advisory lock of its process, so a schema whose process died
// is dropped by the next process that creates one, and never one in use.
//
//	func TestSomething(t *testing.T) {
//		store := postgrestest.Open(t) // skips without PORTALKIT_TEST_POSTGRES_URL
//		...
//	}
package postgrestest
