// Package webhook owns portalkit's webhooks: the signature every delivery
// carries, as the Standard Webhooks specification defines it
// (https://www.standardwebhooks.com), with Verify for receivers; the
// events a portal publishes (Event and its Types); the endpoints staff
// register (Endpoint, with its secrets and their rotation); and the record
// of each delivery to an endpoint (Delivery).
//
// A delivery is an HTTP POST of the event's JSON with three headers:
//
//	webhook-id:        the event's ID, the same on every attempt and replay
//	webhook-timestamp: the attempt's time, in Unix seconds
//	webhook-signature: "v1," + base64(HMAC-SHA256(secret, id + "." + timestamp + "." + body)),
//	                   space-separated, one per secret that signs
//
// Secrets are shown as "whsec_" + base64 of 32 random bytes. Receivers
// check a request with Verify (or any Standard Webhooks library) and use
// webhook-id to drop repeats: delivery is at least once, and deliveries to
// one endpoint may arrive in any order.
//
// Apart from signing, the package is pure: it holds values and rules and
// does no I/O. Package portal stores, publishes and delivers.
package webhook
