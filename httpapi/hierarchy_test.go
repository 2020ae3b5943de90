package httpapi_test

import (
	"bytes"
	"maps"
	"net/http"
	"strings"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// subCustomerReads are the operations a primary customer's people may call
// on their sub-customers (the policy's SubCustomers rule): reading the
// customer, its sites and the field-service work. Every other operation
// answers 404 there, as for a foreign customer.
var subCustomerReads = map[string]bool{
	"getCustomer":         true,
	"listSites":           true,
	"getSite":             true,
	"listJobs":            true,
	"getJob":              true,
	"listVisits":          true,
	"getVisit":            true,
	"listPictures":        true,
	"getPictureContent":   true,
	"getPictureThumbnail": true,
}

// hierFixture is a primary customer with two sub-customers, and another
// primary with one: each with a located site.
type hierFixture struct {
	*env
	primary, north, south, other, sibling string // customer IDs
	sites, jobs, visits, pictures         map[string]string
	primaryViewer, northAdmin             string // tokens
}

func newHierFixture(t *testing.T) *hierFixture {
	t.Helper()
	f := &hierFixture{env: newEnv(t), sites: map[string]string{}, jobs: map[string]string{}, visits: map[string]string{}, pictures: map[string]string{}}
	live := &client.FeaturesPatch{Jobs: ptr(true), Visits: ptr(true), Pictures: ptr(true)}
	owner := f.client(t, f.owner)
	ctx := t.Context()
	site := func(cid, name string, lat, lon float64) {
		s := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: name, Location: &client.GeoPoint{Latitude: lat, Longitude: lon}}))(t).JSON201
		f.sites[cid] = s.Id
		staff := portaltest.Owner(ctx)
		j, _, err := f.p.PutJob(staff, customer.ID(cid), portal.JobParams{SiteID: customer.SiteID(s.Id), Type: "repair", Title: name, PlannedAt: f.p.Now()})
		require.NoError(t, err)
		v, _, err := f.p.PutVisit(staff, customer.ID(cid), j.ID, portal.VisitParams{Technician: "Tess", StartedAt: f.p.Now()})
		require.NoError(t, err)
		pic, err := f.p.UploadPicture(staff, customer.ID(cid), j.ID, portal.UploadPictureParams{Name: "p.png"}, bytes.NewReader(tinyPNG))
		require.NoError(t, err)
		f.jobs[cid], f.visits[cid], f.pictures[cid] = string(j.ID), string(v.ID), string(pic.ID)
	}
	sub := func(name, parent, email string, lat, lon float64) (string, client.SignIn) {
		c := must(owner.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: name, ParentId: ptr(parent), Features: live,
			FirstUser: &client.FirstUser{Email: openapi_types.Email(email)}}))(t).JSON201
		si := must(f.client(t, "").AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: f.lastToken(t, email), Name: ptr(email)}))(t).JSON201
		site(c.Id, name+" site", lat, lon)
		return c.Id, *si
	}
	var primaryAdmin client.SignIn
	f.primary, primaryAdmin = f.onboard(t, "Primary", "ada@primary.example", live)
	site(f.primary, "Head office", 52.52, 13.40)
	f.primaryViewer = f.join(t, f.client(t, primaryAdmin.Token), f.primary, "vic@primary.example", client.RoleViewer).Token
	var northAdmin client.SignIn
	f.north, northAdmin = sub("North", f.primary, "nina@north.example", 53.55, 9.99)
	f.northAdmin = northAdmin.Token
	f.south, _ = sub("South", f.primary, "sam@south.example", 48.14, 11.58)
	f.other, _ = f.onboard(t, "Other", "otto@other.example", live)
	site(f.other, "Other office", 50.94, 6.96)
	f.sibling, _ = sub("Sibling", f.other, "sib@sibling.example", 51.23, 6.78)
	return f
}

// TestSubCustomerMatrix calls every read of openapi.yaml under a customer
// as a primary customer's viewer on its sub-customer (the reads of
// subCustomerReads answer 200, every other 404), on another primary's
// sub-customer and on that primary (404 throughout), and as a
// sub-customer's admin on its parent and its sibling (404 throughout).
func TestSubCustomerMatrix(t *testing.T) {
	t.Parallel()
	ops := specOperations(t)
	inSpec := map[string]bool{}
	for _, op := range ops {
		inSpec[op.id] = true
	}
	for id := range subCustomerReads {
		assert.True(t, inSpec[id], "subCustomerReads names %s, which openapi.yaml does not have", id)
	}
	f := newHierFixture(t)
	idsOf := func(cid string) map[string]string {
		ids := maps.Clone(ghostIDs)
		ids["customerId"], ids["siteId"], ids["jobId"], ids["visitId"] = cid, f.sites[cid], f.jobs[cid], f.visits[cid]
		ids["pictureId"] = f.pictures[cid]
		return ids
	}
	for _, op := range ops {
		if op.method != http.MethodGet || !strings.HasPrefix(op.path, "/v1/customers/{customerId}") {
			continue
		}
		t.Run(op.id, func(t *testing.T) {
			row := isolationMatrix[op.id]
			row.body, row.ifMatch = "", ""
			want := no404
			if subCustomerReads[op.id] {
				want = ok200
			}
			for _, cid := range []string{f.north, f.south} {
				res, body := f.callAs(t, op, row, f.primaryViewer, idsOf(cid))
				expectStatus(t, res, body, want, "the primary's viewer on its sub-customer")
			}
			for _, cid := range []string{f.other, f.sibling} {
				res, body := f.callAs(t, op, row, f.primaryViewer, idsOf(cid))
				expectStatus(t, res, body, no404, "the primary's viewer on another primary or its sub-customer")
			}
			for _, cid := range []string{f.primary, f.south} {
				res, body := f.callAs(t, op, row, f.northAdmin, idsOf(cid))
				expectStatus(t, res, body, no404, "a sub-customer's admin on its parent or its sibling")
			}
		})
	}
}

// callAs sends op as token with ids filled in.
func (f *hierFixture) callAs(t *testing.T, op isoOp, row isoRow, token string, ids map[string]string) (*http.Response, []byte) {
	t.Helper()
	path := fill(t, op.path, ids)
	if row.query != "" {
		path += "?" + fill(t, row.query, ids)
	}
	return f.do(t, op.method, path, token, nil, nil)
}

// A primary's viewer sees both sub-customers' sites, and lists the
// sub-customers to find them; the GeoJSON export of a sub-customer works
// as its list does.
func TestPrimaryViewerSeesSubCustomerSites(t *testing.T) {
	t.Parallel()
	f := newHierFixture(t)
	c := f.client(t, f.primaryViewer)
	ctx := t.Context()
	kids := must(c.ListCustomersWithResponse(ctx, &client.ListCustomersParams{ParentId: ptr(f.primary)}))(t).JSON200
	var got []string
	for _, k := range kids.Items {
		got = append(got, k.Id)
		sites := must(c.ListSitesWithResponse(ctx, k.Id, nil))(t).JSON200
		require.Len(t, sites.Items, 1)
		assert.Equal(t, f.sites[k.Id], sites.Items[0].Id)
	}
	assert.ElementsMatch(t, []string{f.north, f.south}, got)
	r, err := c.ListCustomersWithResponse(ctx, &client.ListCustomersParams{ParentId: ptr(f.other)})
	fails(r, err)(t, http.StatusNotFound, client.ProblemCodeNotFound)

	res, body := f.do(t, http.MethodGet, "/v1/customers/"+f.north+"/sites", f.primaryViewer, nil, map[string]string{"Accept": "application/geo+json"})
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", body)
	assert.Contains(t, string(body), f.sites[f.north])
}
