// Package portaltest owns helpers for testing code built on package portal:
// a Portal over the memory backend with a controllable clock and
// deterministic IDs, and contexts that carry principals.
package portaltest
