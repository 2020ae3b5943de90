package identity_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/identity"
)

// TestSSOConfigPendingDomains checks that a pending domain lets nobody
// sign in, and that Normalize treats Pending as it treats Domains.
func TestSSOConfigPendingDomains(t *testing.T) {
	c := identity.SSOConfig{Domains: []string{"Acme.example", "labs.example", "acme.example"}, Pending: []string{" LABS.example"}}
	c.Normalize()
	assert.Equal(t, []string{"acme.example", "labs.example"}, c.Domains)
	assert.Equal(t, []string{"labs.example"}, c.Pending)
	assert.Equal(t, []string{"acme.example"}, c.ActiveDomains())
	for email, want := range map[string]bool{
		"ada@acme.example": true,
		"lab@labs.example": false,
		"eve@evil.example": false,
		"no-at-sign":       false,
	} {
		assert.Equal(t, want, c.AllowsEmail(email), email)
	}
}
