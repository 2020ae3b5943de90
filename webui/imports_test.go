package webui_test

import (
	"go/build"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportsNoStorage holds the layering DESIGN.md draws: the web pages,
// siblings of httpapi over portal, talk to portal only and import neither
// the storage contract nor a backend.
func TestImportsNoStorage(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	require.NotEmpty(t, pkg.Imports)
	const storage = "github.com/portalkit/portalkit/storage"
	for _, imp := range pkg.Imports {
		assert.False(t, imp == storage || strings.HasPrefix(imp, storage+"/"),
			"webui imports %s: go through portal instead", imp)
	}
}
