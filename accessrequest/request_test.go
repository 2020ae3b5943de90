package accessrequest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

var now = time.Date(2026, time.December, 7, 10, 0, 0, 0, time.UTC)

func unconfirmed() accessrequest.Request {
	return accessrequest.Request{ID: "acr_1", Email: "jane@acme.example", Status: accessrequest.StatusUnconfirmed, ConfirmBy: now.Add(accessrequest.ConfirmTTL)}
}

func TestConfirmWithinTheDay(t *testing.T) {
	r := unconfirmed()
	require.NoError(t, r.Confirm(now.Add(time.Hour)))
	assert.Equal(t, accessrequest.StatusPending, r.State(now.Add(48*time.Hour)), "a confirmed request does not expire")
	assert.Equal(t, now.Add(time.Hour), r.ConfirmedAt)
	require.NoError(t, r.Confirm(now.Add(2*time.Hour)), "opening the link twice")
	assert.Equal(t, now.Add(time.Hour), r.ConfirmedAt, "the second opening changes nothing")
}

func TestUnconfirmedExpiresAfterADay(t *testing.T) {
	r := unconfirmed()
	assert.Equal(t, accessrequest.StatusUnconfirmed, r.State(now.Add(accessrequest.ConfirmTTL-time.Second)))
	assert.Equal(t, accessrequest.StatusExpired, r.State(now.Add(accessrequest.ConfirmTTL)))
	err := r.Confirm(now.Add(accessrequest.ConfirmTTL))
	assert.Equal(t, portalerr.NotFound, portalerr.CodeOf(err))
	assert.Equal(t, accessrequest.StatusUnconfirmed, r.Status, "nothing changed")
}

func TestDecideOnce(t *testing.T) {
	r := unconfirmed()
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(r.CheckDecidable(now)), "unconfirmed")
	require.NoError(t, r.Confirm(now))
	require.NoError(t, r.Decide(accessrequest.StatusRejected, accessrequest.Decision{By: "staff:stf_1", At: now, Message: "Sorry"}))
	err := r.Decide(accessrequest.StatusConnected, accessrequest.Decision{By: "staff:stf_2", At: now.Add(time.Minute)})
	assert.Equal(t, portalerr.Conflict, portalerr.CodeOf(err))
	assert.Contains(t, err.Error(), "rejected by staff:stf_1")
	assert.Equal(t, "staff:stf_1", r.Decision.By, "the first decision stays")
}

func TestCheckWebsite(t *testing.T) {
	for in, want := range map[string]string{"": "", "acme.example": "https://acme.example", " http://acme.example/x ": "http://acme.example/x"} {
		got, err := accessrequest.CheckWebsite(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"javascript://x", "ftp://acme.example", "https://", "https://u:p@acme.example"} {
		_, err := accessrequest.CheckWebsite(bad)
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), bad)
	}
}

func TestRankPutsTheSameDomainFirst(t *testing.T) {
	r := accessrequest.Request{CompanyName: "Acme Industries GmbH", VATID: "DE 123.456.789", Email: "jane@acme.example"}
	sameName := customer.Customer{ID: "cus_1", Name: "Acme Industries"}
	sameVAT := customer.Customer{ID: "cus_2", Name: "Holding", VATID: "de123456789"}
	sameDomain := customer.Customer{ID: "cus_3", Name: "ACM Group", ContactEmail: "info@acme.example"}
	memberDomain := customer.Customer{ID: "cus_4", Name: "Zeta"}
	unrelated := customer.Customer{ID: "cus_5", Name: "Other Trading"}
	got := accessrequest.Rank(r, []accessrequest.Candidate{
		{Customer: sameName}, {Customer: sameVAT}, {Customer: sameDomain}, {Customer: memberDomain, MemberDomains: []string{"acme.example"}}, {Customer: unrelated},
	})
	var ids []customer.ID
	for _, m := range got {
		ids = append(ids, m.Customer.ID)
		require.NotEmpty(t, m.Reasons)
		for _, why := range m.Reasons {
			assert.NotEmpty(t, why.Explanation)
		}
	}
	assert.Equal(t, []customer.ID{"cus_3", "cus_4", "cus_2", "cus_1"}, ids, "domain, domain, VAT ID, name; the unrelated one left out")
	assert.Equal(t, accessrequest.MatchEmailDomain, got[0].Reasons[0].Kind)
	assert.Contains(t, got[0].Reasons[0].Explanation, "acme.example")
	assert.Equal(t, accessrequest.MatchName, got[3].Reasons[0].Kind)
}

func TestRankIgnoresFreeMailDomains(t *testing.T) {
	r := accessrequest.Request{CompanyName: "Tiny Shop", Email: "jane@gmail.com"}
	got := accessrequest.Rank(r, []accessrequest.Candidate{{Customer: customer.Customer{ID: "cus_1", Name: "Big Corp", ContactEmail: "x@gmail.com"}}})
	assert.Empty(t, got)
}
