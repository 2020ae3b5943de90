// Package s3 lets filestore.Open reach S3 and S3-compatible stores (MinIO,
// Ceph, Garage, Cloudflare R2, …) by registering gocloud's s3blob driver for
// the s3:// scheme. Import it for its side effect:
//
//	import _ "github.com/portalkit/portalkit/filestore/s3"
//
//	store, err := filestore.Open(ctx, "s3://portal-files?region=eu-central-1")
//	store, err := filestore.Open(ctx, "s3://portal-files?endpoint=https://minio.example.com:9000&region=us-east-1&use_path_style=true")
//
// The URL's query parameters are s3blob's (region, endpoint,
// use_path_style, …; see gocloud.dev/blob/s3blob). Credentials never go in
// the URL: the AWS SDK finds them in the environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the shared config files, or an
// instance or task role).
//
// It is a package of its own because the driver brings the AWS SDK (about a
// hundred more packages); programs that keep files on a local disk do not
// build it.
package s3

import _ "gocloud.dev/blob/s3blob" // registers s3://
