package s3_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/filestore"
	_ "github.com/portalkit/portalkit/filestore/s3"
)

// Opening a bucket contacts no server, so this checks, offline, that the
// import registers s3:// and that the documented parameters are accepted.
func TestOpenRegistersS3(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	s, err := filestore.Open(t.Context(), "s3://portal-files?region=eu-central-1&endpoint=http://127.0.0.1:9&use_path_style=true")
	require.NoError(t, err)
	require.NoError(t, s.Close())
}
