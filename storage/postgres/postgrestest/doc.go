// Package postgrestest gives each test a PostgreSQL database of its own: a
// new, empty schema on the server that PORTALKIT_TEST_POSTGRES_URL names,
// dropped with everything in it when the test ends. Tests that use it skip
// when the variable is unset, and only then; so that they run in parallel
// and leave nothing behind, none shares a schema.
//
//	func TestSomething(t *testing.T) {
//		store := postgrestest.Open(t) // skips without PORTALKIT_TEST_POSTGRES_URL
//		...
//	}
package postgrestest
