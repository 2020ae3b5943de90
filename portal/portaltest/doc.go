// Package portaltest owns helpers for testing code built on package portal:
// a Portal over the memory backend with a controllable clock and
// deterministic IDs, a Recorder that runs the Portal's outbox worker and
// keeps the mail it sends, and contexts that carry principals.
package portaltest
