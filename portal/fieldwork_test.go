package portal_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// The provider's system pushes a job twice with one reference: one job,
// changed by the second push; visits likewise.
func TestPutJobByExternalRef(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		site := e.createSite(t, c.ID, "Plant")
		at := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
		params := portal.JobParams{SiteID: site.ID, Type: "repair", Title: "Boiler", PlannedAt: at, ExternalRef: " FS-1 "}
		first, created, err := e.p.PutJob(e.owner, c.ID, params)
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, fieldwork.StatusPlanned, first.Status, "planned by default")
		assert.Equal(t, "FS-1", first.ExternalRef)

		params.Title, params.Status = "Boiler room", fieldwork.StatusScheduled
		second, created, err := e.p.PutJob(e.owner, c.ID, params)
		require.NoError(t, err)
		assert.False(t, created, "the same reference changes the job there is")
		assert.Equal(t, first.ID, second.ID)
		assert.Equal(t, "Boiler room", second.Title)
		assert.Equal(t, first.Version+1, second.Version)
		_, _, err = e.p.PutJob(e.owner, c.ID, params)
		require.NoError(t, err, "pushing the same state again is fine")
		l, err := e.p.ListJobs(e.owner, c.ID, portal.ListJobsParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1, "pushed three times, there once")

		params.Status = fieldwork.StatusPlanned
		_, _, err = e.p.PutJob(e.owner, c.ID, params)
		assertCode(t, portalerr.FailedPrecondition, err, "no way back")
		other := e.createCustomer(t, "Globex")
		params.SiteID = e.createSite(t, other.ID, "Theirs").ID
		_, _, err = e.p.PutJob(e.owner, c.ID, params)
		assertCode(t, portalerr.NotFound, err, "a site of another customer")
		_, _, err = e.p.PutJob(e.owner, c.ID, portal.JobParams{SiteID: site.ID})
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"type", "title", "planned_at"}, fieldsOf(err))

		vp := portal.VisitParams{Technician: "Tess", StartedAt: at, ExternalRef: "V-1"}
		v1, created, err := e.p.PutVisit(e.owner, c.ID, first.ID, vp)
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, site.ID, v1.SiteID, "the job's site")
		vp.EndedAt, vp.Outcome = at.Add(2*time.Hour), "completed"
		v2, created, err := e.p.PutVisit(e.owner, c.ID, first.ID, vp)
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, v1.ID, v2.ID)
		assert.Equal(t, "completed", v2.Outcome)
		vp.EndedAt = at.Add(-time.Minute)
		_, _, err = e.p.PutVisit(e.owner, c.ID, first.ID, vp)
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"ended_at"}, fieldsOf(err))
		vl, err := e.p.ListVisits(e.owner, c.ID, portal.ListVisitsParams{JobID: first.ID})
		require.NoError(t, err)
		assert.Len(t, vl.Items, 1)
		assertCode(t, portalerr.FailedPrecondition, e.p.DeleteSite(e.owner, c.ID, site.ID), "a site keeps its jobs' history")
	})
}

// A job pushed again with another site takes its visits and pictures
// along: the site lists and site-limited members go by the job's new
// site, and no one keeps what moved away from the sites they see.
func TestPutJobMovesItsWork(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		north := e.createSite(t, c.ID, "North")
		south := e.createSite(t, c.ID, "South")
		cur, err := e.p.GetCustomer(e.owner, c.ID)
		require.NoError(t, err)
		_, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: cur.Version,
			FeaturesPatch: customer.FeaturesPatch{Jobs: ptr(true), Visits: ptr(true), Pictures: ptr(true)}})
		require.NoError(t, err)
		at := e.p.Now().Add(-time.Hour)
		params := portal.JobParams{SiteID: north.ID, Type: "repair", Title: "Boiler", PlannedAt: at, ExternalRef: "FS-1"}
		j, _, err := e.p.PutJob(e.owner, c.ID, params)
		require.NoError(t, err)
		other, _, err := e.p.PutJob(e.owner, c.ID, portal.JobParams{SiteID: north.ID, Type: "repair", Title: "Pump", PlannedAt: at})
		require.NoError(t, err)
		v, _, err := e.p.PutVisit(e.owner, c.ID, j.ID, portal.VisitParams{Technician: "Tess", StartedAt: at, ExternalRef: "V-1"})
		require.NoError(t, err)
		stays, _, err := e.p.PutVisit(e.owner, c.ID, other.ID, portal.VisitParams{Technician: "Tess", StartedAt: at})
		require.NoError(t, err)
		pic, err := e.p.UploadPicture(e.owner, c.ID, j.ID, portal.UploadPictureParams{Name: "boiler.png"}, bytes.NewReader(pictureOf(t, 10, 10, "png")))
		require.NoError(t, err)
		northOnly := as(t, e.addMember(t, c.ID, "north@acme.example", customer.RoleViewer, north.ID))
		southOnly := as(t, e.addMember(t, c.ID, "south@acme.example", customer.RoleViewer, south.ID))

		params.SiteID = south.ID
		moved, created, err := e.p.PutJob(e.owner, c.ID, params)
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, south.ID, moved.SiteID)

		got, err := e.p.GetVisit(e.owner, c.ID, v.ID)
		require.NoError(t, err)
		assert.Equal(t, south.ID, got.SiteID, "the visit goes with its job")
		assert.Equal(t, v.Version+1, got.Version, "a changed visit has a new version")
		still, err := e.p.GetVisit(e.owner, c.ID, stays.ID)
		require.NoError(t, err)
		assert.Equal(t, stays, still, "another job's visit stays")
		// The moved visit's change is audited (and published) as its own
		// visit.updated; the visit that stayed has none.
		ev, err := e.p.ListAuditEvents(e.owner, portal.ListAuditEventsParams{Action: "visit.updated", Limit: 100})
		require.NoError(t, err)
		if assert.Len(t, ev.Items, 1, "one visit.updated event") {
			assert.Equal(t, string(v.ID), ev.Items[0].ObjectID)
			assert.Equal(t, c.ID, ev.Items[0].CustomerID)
			assert.Equal(t, []audit.Change{{Field: "site_id", Before: string(north.ID), After: string(south.ID)}}, ev.Items[0].Changes)
		}
		pl, err := e.p.ListPictures(e.owner, c.ID, portal.ListPicturesParams{SiteID: south.ID})
		require.NoError(t, err)
		if assert.Len(t, pl.Items, 1, "the picture goes with its job") {
			assert.Equal(t, pic.ID, pl.Items[0].ID)
		}
		vl, err := e.p.ListVisits(e.owner, c.ID, portal.ListVisitsParams{SiteID: north.ID})
		require.NoError(t, err)
		assert.Equal(t, []fieldwork.VisitID{stays.ID}, visitIDsOf(vl.Items), "the old site keeps only its own jobs' visits")

		_, err = e.p.GetVisit(southOnly, c.ID, v.ID)
		require.NoError(t, err, "a member of the new site sees the visit")
		rc, _, err := e.p.OpenPicture(southOnly, c.ID, pic.ID, true)
		require.NoError(t, err, "and the picture")
		rc.Close()
		_, err = e.p.GetVisit(northOnly, c.ID, v.ID)
		assertCode(t, portalerr.NotFound, err, "a member of the old site no longer does")
		_, _, err = e.p.OpenPicture(northOnly, c.ID, pic.ID, true)
		assertCode(t, portalerr.NotFound, err)
		nl, err := e.p.ListPictures(northOnly, c.ID, portal.ListPicturesParams{})
		require.NoError(t, err)
		assert.Empty(t, nl.Items)

		v2, created, err := e.p.PutVisit(e.owner, c.ID, j.ID, portal.VisitParams{Technician: "Tess", StartedAt: at, ExternalRef: "V-1"})
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, south.ID, v2.SiteID)
	}, withFiles(t))
}

// A visit's reference stays with its job: pushing it for another job is
// refused with FailedPrecondition, as PutVisit says, and changes nothing.
func TestPutVisitRefOfAnotherJob(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		site := e.createSite(t, c.ID, "Plant")
		at := e.p.Now().Add(-time.Hour)
		put := func(title string) fieldwork.Job {
			j, _, err := e.p.PutJob(e.owner, c.ID, portal.JobParams{SiteID: site.ID, Type: "repair", Title: title, PlannedAt: at})
			require.NoError(t, err)
			return j
		}
		boiler, pump := put("Boiler"), put("Pump")
		v, _, err := e.p.PutVisit(e.owner, c.ID, boiler.ID, portal.VisitParams{Technician: "Tess", StartedAt: at, ExternalRef: "V-1"})
		require.NoError(t, err)
		_, _, err = e.p.PutVisit(e.owner, c.ID, pump.ID, portal.VisitParams{Technician: "Tom", StartedAt: at, ExternalRef: "V-1"})
		assertCode(t, portalerr.FailedPrecondition, err, "the reference of another job's visit")
		got, err := e.p.GetVisit(e.owner, c.ID, v.ID)
		require.NoError(t, err)
		assert.Equal(t, v, got, "the visit is as it was")
		l, err := e.p.ListVisits(e.owner, c.ID, portal.ListVisitsParams{JobID: pump.ID})
		require.NoError(t, err)
		assert.Empty(t, l.Items)
	})
}

func visitIDsOf(vs []fieldwork.Visit) []fieldwork.VisitID {
	out := make([]fieldwork.VisitID, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// Customer users read jobs and visits while their live views are on; off,
// they are not there (404), and staff still see and push them.
func TestFieldWorkLiveViews(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		north := e.createSite(t, c.ID, "North")
		south := e.createSite(t, c.ID, "South")
		now := e.p.Now()
		put := func(sid customer.SiteID, ref string, at time.Time) fieldwork.Job {
			j, _, err := e.p.PutJob(e.owner, c.ID, portal.JobParams{SiteID: sid, Type: "repair", Title: ref, PlannedAt: at, ExternalRef: ref})
			require.NoError(t, err)
			_, _, err = e.p.PutVisit(e.owner, c.ID, j.ID, portal.VisitParams{Technician: "Tess", StartedAt: at})
			require.NoError(t, err)
			return j
		}
		jn := put(north.ID, "N", now.Add(-48*time.Hour))
		js := put(south.ID, "S", now.Add(-24*time.Hour))
		old := put(north.ID, "OLD", now.Add(-60*24*time.Hour))
		viewer := identity.NewContext(t.Context(), identity.User(e.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer).Membership))
		limited := identity.NewContext(t.Context(), identity.User(e.addMember(t, c.ID, "lim@acme.example", customer.RoleAdmin, north.ID).Membership))

		_, err := e.p.ListJobs(viewer, c.ID, portal.ListJobsParams{})
		assertCode(t, portalerr.NotFound, err, "jobs off: not there")
		_, err = e.p.GetJob(viewer, c.ID, jn.ID)
		assertCode(t, portalerr.NotFound, err)
		_, err = e.p.ListVisits(viewer, c.ID, portal.ListVisitsParams{})
		assertCode(t, portalerr.NotFound, err, "visits off: not there")
		_, err = e.p.GetJob(e.owner, c.ID, jn.ID)
		require.NoError(t, err, "staff see it all the same")

		cur, err := e.p.GetCustomer(e.owner, c.ID)
		require.NoError(t, err)
		_, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: cur.Version, FeaturesPatch: customer.FeaturesPatch{Jobs: ptr(true)}})
		require.NoError(t, err)
		l, err := e.p.ListJobs(viewer, c.ID, portal.ListJobsParams{From: now.Add(-30 * 24 * time.Hour), To: now})
		require.NoError(t, err)
		assert.Equal(t, []fieldwork.JobID{js.ID, jn.ID}, jobIDsOf(l.Items), "the last 30 days, newest first")
		l, err = e.p.ListJobs(limited, c.ID, portal.ListJobsParams{})
		require.NoError(t, err)
		assert.Equal(t, []fieldwork.JobID{jn.ID, old.ID}, jobIDsOf(l.Items), "a site-limited member sees its sites' jobs")
		l, err = e.p.ListJobs(limited, c.ID, portal.ListJobsParams{SiteID: south.ID})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "and nothing when it asks for another site")
		_, err = e.p.GetJob(limited, c.ID, js.ID)
		assertCode(t, portalerr.NotFound, err)
		_, err = e.p.ListVisits(viewer, c.ID, portal.ListVisitsParams{})
		assertCode(t, portalerr.NotFound, err, "visits have a switch of their own")
		_, err = e.p.ListJobs(viewer, c.ID, portal.ListJobsParams{From: now, To: now.Add(-time.Hour)})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"to"}, fieldsOf(err))
		_, _, err = e.p.PutJob(viewer, c.ID, portal.JobParams{SiteID: north.ID, Type: "repair", Title: "Mine", PlannedAt: now})
		assertCode(t, portalerr.PermissionDenied, err, "customer users read only")
	})
}

// A primary customer's viewer reads its sub-customers' jobs while both
// have the live view; a sibling's stay hidden.
func TestSubCustomerJobs(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHierarchy(t, e)
		on := customer.FeaturesPatch{Jobs: ptr(true)}
		for _, c := range []customer.Customer{h.primary, h.north, h.sibling} {
			cur, err := e.p.GetCustomer(e.owner, c.ID)
			require.NoError(t, err)
			_, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: cur.Version, FeaturesPatch: on})
			require.NoError(t, err)
		}
		jobs := map[customer.ID]fieldwork.Job{}
		for _, c := range []customer.Customer{h.north, h.south, h.sibling} {
			j, _, err := e.p.PutJob(e.owner, c.ID, portal.JobParams{SiteID: h.sites[c.ID].ID, Type: "repair", Title: c.Name, PlannedAt: e.p.Now()})
			require.NoError(t, err)
			jobs[c.ID] = j
		}
		l, err := e.p.ListJobs(h.primaryViewer, h.north.ID, portal.ListJobsParams{})
		require.NoError(t, err)
		assert.Equal(t, []fieldwork.JobID{jobs[h.north.ID].ID}, jobIDsOf(l.Items))
		_, err = e.p.GetJob(h.primaryViewer, h.north.ID, jobs[h.north.ID].ID)
		require.NoError(t, err)
		_, err = e.p.ListJobs(h.primaryViewer, h.south.ID, portal.ListJobsParams{})
		assertCode(t, portalerr.NotFound, err, "the sub-customer's own switch is off")
		_, err = e.p.ListJobs(h.primaryViewer, h.sibling.ID, portal.ListJobsParams{})
		assertCode(t, portalerr.NotFound, err, "another primary's sub-customer")
		_, err = e.p.UpdateJob(h.primaryViewer, h.north.ID, jobs[h.north.ID].ID, portal.UpdateJobParams{Title: ptr("Mine")})
		assertCode(t, portalerr.NotFound, err, "read only below")
	})
}

func jobIDsOf(js []fieldwork.Job) []fieldwork.JobID {
	out := make([]fieldwork.JobID, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}
