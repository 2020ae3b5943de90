package httpapi_test

import (
	"go/build"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportsNoStorage holds the layering DESIGN.md draws: the HTTP layer
// talks to portal only. It may not import the storage contract or any
// backend; portal's API gives it everything (its own page type,
// portal.Idempotent, the domain packages' types). The storage contract is
// still in its dependency graph, through portal.Config.Store.
func TestImportsNoStorage(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	require.NotEmpty(t, pkg.Imports)
	const storage = "github.com/portalkit/portalkit/storage"
	for _, imp := range pkg.Imports {
		assert.False(t, imp == storage || strings.HasPrefix(imp, storage+"/"),
			"httpapi imports %s: go through portal instead", imp)
	}
}
