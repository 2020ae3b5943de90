// Package filestore owns the files portalkit keeps outside its database
// (ticket attachments, site pictures): checking an upload, storing it under a
// generated key and serving it back safely. The database keeps only the
// metadata Put returns (File).
//
// A Store sits on a gocloud.dev/blob bucket, named by URL:
//
//	file:///var/lib/portalkit/files   a local directory, created if missing (the default)
//	mem://                            in memory, for tests and examples
//	s3://bucket?region=eu-central-1   S3 and S3-compatible stores; import filestore/s3
//
// The S3 driver pulls in the AWS SDK, so it lives in its own package, which
// registers the s3:// scheme when imported:
//
//	import _ "github.com/portalkit/portalkit/filestore/s3"
//
// Other gocloud drivers (gcsblob, azureblob) work the same way: import the
// driver and pass its URL to Open, or hand a bucket to New.
//
// Put never trusts the client: the content type is sniffed from the first 512
// bytes (net/http.DetectContentType, the WHATWG algorithm browsers use) and
// checked against an allow-list, the size is counted while streaming, and the
// key is a fresh "fil_" + UUIDv7, never the client's file name, which is kept
// only, sanitised, for display and downloads. ServeContent, ServeDownload and Store.Serve
// answer with headers that keep a stored file from running as a page of the
// portal's origin.
//
// Authorization is not this package's business: callers check who may read or
// delete a file before they pass its key.
package filestore
