package webui

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// DefaultTileURL is the map's default tile source: OpenStreetMap's
// standard tiles, whose use requires the attribution DefaultTileAttribution.
const (
	DefaultTileURL         = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	DefaultTileAttribution = "© OpenStreetMap contributors"
)

// WithMapTiles sets the tiles under the portal's site map: a URL template
// with {z}, {x} and {y} (slippy-map tile numbers in Web Mercator, 256
// pixels a tile), and the attribution its provider asks for, shown below
// the map (linked to OpenStreetMap's copyright page for the default). An
// empty template shows the markers on a plain background.
func WithMapTiles(urlTemplate, attribution string) Option {
	return func(h *handler) { h.tiles, h.tileCredit = urlTemplate, attribution }
}

// fieldRoutes registers the customer portal's field-service pages.
func (h *handler) fieldRoutes() {
	h.handle("GET /sites", h.asUser(h.siteMap))
	h.handle("GET /sites/{id}", h.asUser(h.sitePage))
	h.handle("GET /pictures/{id}", h.asUser(h.picture(false)))
	h.handle("GET /pictures/{id}/thumb", h.asUser(h.picture(true)))
}

// picture serves a picture's image, or its thumbnail, of the caller's
// customer (or, with ?c=, of a sub-customer it may read).
func (h *handler) picture(thumb bool) userPage {
	return func(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
		if c := r.URL.Query().Get("c"); c != "" {
			cid = customer.ID(c)
		}
		rc, pic, err := h.p.OpenPicture(r.Context(), cid, fieldwork.PictureID(r.PathValue("id")), thumb)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		defer rc.Close()
		ct := pic.ContentType
		if thumb {
			ct = "image/jpeg"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "private, max-age=3600")
		http.ServeContent(w, r, "", pic.TakenAt, rc)
	}
}

// The map's size in pixels, and the margin markers keep from its edges.
const (
	mapW, mapH = 800, 480
	mapMargin  = 40
	tileSize   = 256
	maxZoom    = 16
	maxMapped  = 1000 // sites on one map
)

// mapSite is a site as the map page lists it.
type mapSite struct {
	customer.Site
	CustomerName string
	Jobs         int  // jobs planned in the range; counted when Counted
	Counted      bool // the jobs live view is on for the site's customer
	Marker       *marker
	Href         string
}

// marker is a site's place on the map, in the map's pixels.
type marker struct {
	X, Y float64
	N    int // the site's number in the list
}

// tile is one image of the tile layer, at its place on the map.
type tile struct {
	X, Y float64
	URL  string
}

// mapPage is the map page's data.
type mapPage struct {
	From, To     string      // the date inputs' values
	Q            string      // the search: sites whose name, city or reference contains it
	Sub          customer.ID // the sub-customer ?c= chose, which the form keeps; "" for the caller's own
	Sites        []mapSite
	W, H         int
	Tiles        []tile
	Credit       string
	CreditURL    string
	AllSites     bool // no live view of jobs: every site, not those of the range
	Truncated    bool
	UnlocatedOut int // sites without a position (listed, not on the map)
}

// dateRange reads the page's from and to (YYYY-MM-DD, to inclusive):
// the last 30 days by default. It returns the range as times (to
// exclusive) and the inputs' values.
func dateRange(r *http.Request, now time.Time) (fieldwork.Range, string, string) {
	const day = "2006-01-02"
	today := now.UTC().Truncate(24 * time.Hour)
	from, err := time.Parse(day, r.URL.Query().Get("from"))
	if err != nil {
		from = today.AddDate(0, 0, -30)
	}
	to, err := time.Parse(day, r.URL.Query().Get("to"))
	if err != nil || to.Before(from) {
		to = today
	}
	return fieldwork.Range{From: from, To: to.AddDate(0, 0, 1)}, from.Format(day), to.Format(day)
}

// visibleCustomers returns the caller's customer and the sub-customers
// below it that the portal lets it read, nearest first.
func (h *handler) visibleCustomers(r *http.Request, cid customer.ID) ([]customer.Customer, error) {
	own, err := h.p.GetCustomer(r.Context(), cid)
	if err != nil {
		return nil, err
	}
	out := []customer.Customer{own}
	for i := 0; i < len(out) && len(out) < 200; i++ {
		params := portal.ListCustomersParams{ParentID: out[i].ID, Limit: 100}
		for {
			l, err := h.p.ListCustomers(r.Context(), params)
			if err != nil {
				return nil, err
			}
			out = append(out, l.Items...)
			if l.NextCursor == "" {
				break
			}
			params.Cursor = l.NextCursor
		}
	}
	return out, nil
}

// jobCounts counts customer cid's jobs in rng by site; ok is false when
// the caller may not see its jobs (the live view is off).
func (h *handler) jobCounts(r *http.Request, cid customer.ID, rng fieldwork.Range) (map[customer.SiteID]int, bool, error) {
	counts := map[customer.SiteID]int{}
	params := portal.ListJobsParams{From: rng.From, To: rng.To, Limit: 100}
	for range 20 {
		l, err := h.p.ListJobs(r.Context(), cid, params)
		if portalerr.CodeOf(err) == portalerr.NotFound {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		for _, j := range l.Items {
			counts[j.SiteID]++
		}
		if l.NextCursor == "" {
			break
		}
		params.Cursor = l.NextCursor
	}
	return counts, true, nil
}

// siteMap shows the sites of the caller's customer (or, with ?c=, of a
// sub-customer it may read) and its sub-customers with work in the chosen
// range on a map, and lists them beside it; ?q= keeps the sites whose
// name, city or reference contains it.
func (h *handler) siteMap(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	own := cid
	if c := r.URL.Query().Get("c"); c != "" {
		cid = customer.ID(c)
	}
	rng, from, to := dateRange(r, h.p.Now())
	customers, err := h.visibleCustomers(r, cid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := mapPage{From: from, To: to, Q: strings.TrimSpace(r.URL.Query().Get("q")), W: mapW, H: mapH, AllSites: true}
	if cid != own {
		d.Sub = cid
	}
	for _, c := range customers {
		counts, counted, err := h.jobCounts(r, c.ID, rng)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if counted {
			d.AllSites = false
		}
		params := portal.ListSitesParams{Search: d.Q, Limit: 100}
		for len(d.Sites) < maxMapped {
			l, err := h.p.ListSites(r.Context(), c.ID, params)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			for _, s := range l.Items {
				if counted && counts[s.ID] == 0 {
					continue
				}
				href := v.URL("/sites", s.ID)
				if c.ID != own {
					href += "?c=" + string(c.ID)
				}
				d.Sites = append(d.Sites, mapSite{Site: s, CustomerName: c.Name, Jobs: counts[s.ID], Counted: counted, Href: href})
			}
			if l.NextCursor == "" {
				break
			}
			params.Cursor = l.NextCursor
		}
		d.Truncated = d.Truncated || len(d.Sites) >= maxMapped
	}
	d.place(h.tiles)
	if h.tiles != "" {
		d.Credit = h.tileCredit
	}
	if h.tiles == DefaultTileURL {
		d.CreditURL = "https://www.openstreetmap.org/copyright"
	}
	v.Title = v.T("Sites")
	v.Data = d
	h.render(w, r, "sites", v)
}

// mercator projects a position to Web Mercator world coordinates, 0 to 1
// from the west and from the north (EPSG:3857 as slippy maps tile it).
func mercator(g customer.GeoPoint) (x, y float64) {
	lat := math.Max(-85.05112878, math.Min(85.05112878, g.Latitude)) * math.Pi / 180
	x = (g.Longitude + 180) / 360
	y = (1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2
	return x, y
}

// place picks the deepest zoom at which every located site fits the map,
// centres them, gives each its marker and lays the tiles under them.
func (d *mapPage) place(tileURL string) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range d.Sites {
		if s.Location == nil {
			d.UnlocatedOut++
			continue
		}
		x, y := mercator(*s.Location)
		minX, minY, maxX, maxY = math.Min(minX, x), math.Min(minY, y), math.Max(maxX, x), math.Max(maxY, y)
	}
	if math.IsInf(minX, 1) {
		minX, minY, maxX, maxY = 0, 0, 1, 1 // nothing located: the world
	}
	zoom := 0
	for z := maxZoom; z > 0; z-- {
		world := float64(int(tileSize) << z)
		if (maxX-minX)*world <= mapW-2*mapMargin && (maxY-minY)*world <= mapH-2*mapMargin {
			zoom = z
			break
		}
	}
	world := float64(int(tileSize) << zoom)
	ox := (minX+maxX)/2*world - mapW/2 // the map's top-left corner, in world pixels
	oy := (minY+maxY)/2*world - mapH/2
	n := 0
	for i := range d.Sites {
		if d.Sites[i].Location == nil {
			continue
		}
		n++
		x, y := mercator(*d.Sites[i].Location)
		d.Sites[i].Marker = &marker{X: math.Round(x*world - ox), Y: math.Round(y*world - oy), N: n}
	}
	if tileURL == "" {
		return
	}
	tiles := 1 << zoom
	for ty := int(math.Floor(oy / tileSize)); float64(ty*tileSize) < oy+mapH; ty++ {
		if ty < 0 || ty >= tiles {
			continue
		}
		for tx := int(math.Floor(ox / tileSize)); float64(tx*tileSize) < ox+mapW; tx++ {
			wx := ((tx % tiles) + tiles) % tiles // the world repeats east and west
			u := strings.NewReplacer("{z}", strconv.Itoa(zoom), "{x}", strconv.Itoa(wx), "{y}", strconv.Itoa(ty)).Replace(tileURL)
			d.Tiles = append(d.Tiles, tile{X: float64(tx*tileSize) - ox, Y: float64(ty*tileSize) - oy, URL: u})
		}
	}
}

// sitePageData is a site page's data.
type sitePageData struct {
	Site          customer.Site
	CustomerName  string
	From, To      string
	Jobs          []fieldwork.Job
	Visits        []fieldwork.Visit
	Pictures      []fieldwork.Picture
	JobsShown     bool // the jobs live view is on
	VisitsShown   bool
	PicturesShown bool
	// Sub is the ?c= query the site's links carry for a sub-customer's site.
	Sub string
}

// sitePage shows one site of the caller's customer (or, with ?c=, of a
// sub-customer it may read): its address, and the jobs and visits of the
// chosen range where the live views are on.
func (h *handler) sitePage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if c := r.URL.Query().Get("c"); c != "" {
		cid = customer.ID(c)
	}
	sid := customer.SiteID(r.PathValue("id"))
	s, err := h.p.GetSite(r.Context(), cid, sid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.p.GetCustomer(r.Context(), cid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rng, from, to := dateRange(r, h.p.Now())
	d := sitePageData{Site: s, CustomerName: c.Name, From: from, To: to}
	jobs, err := h.p.ListJobs(r.Context(), cid, portal.ListJobsParams{SiteID: sid, From: rng.From, To: rng.To, Limit: 100})
	if err = shown(err, &d.JobsShown); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Jobs = jobs.Items
	visits, err := h.p.ListVisits(r.Context(), cid, portal.ListVisitsParams{SiteID: sid, From: rng.From, To: rng.To, Limit: 100})
	if err = shown(err, &d.VisitsShown); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Visits = visits.Items
	pics, err := h.p.ListPictures(r.Context(), cid, portal.ListPicturesParams{SiteID: sid, From: rng.From, To: rng.To, Limit: 100})
	if err = shown(err, &d.PicturesShown); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Pictures = pics.Items
	if r.URL.Query().Get("c") != "" {
		d.Sub = "?c=" + string(cid)
	}
	v.Title = s.Name
	v.Data = d
	h.render(w, r, "site", v)
}

// shown sets *on when err is nil; a live view that is off (NotFound) is
// no error of the page, which then leaves that part out.
func shown(err error, on *bool) error {
	*on = err == nil
	if portalerr.CodeOf(err) == portalerr.NotFound {
		return nil
	}
	return err
}
