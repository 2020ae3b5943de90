package httpapi

// Fingerprint lets tests begin an idempotency record for a request.
var Fingerprint = fingerprint
