package reqid_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/internal/reqid"
)

func TestOf(t *testing.T) {
	tests := []struct {
		name, header string
		kept         bool
	}{
		{"a caller's ID", "trace-42:a.b_c", true},
		{"none", "", false},
		{"too long", strings.Repeat("a", 129), false},
		{"longest", strings.Repeat("a", 128), true},
		{"a space", "a b", false},
		{"a line break", "a\r\nX-Evil: 1", false},
		{"non-ASCII", "äbc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set(reqid.Header, tt.header)
			got := reqid.Of(r)
			if tt.kept {
				assert.Equal(t, tt.header, got)
				return
			}
			assert.Regexp(t, `^req_[0-9a-f]{24}$`, got)
		})
	}
	assert.NotEqual(t, reqid.New(), reqid.New())
}
