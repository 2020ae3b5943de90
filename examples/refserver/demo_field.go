package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// seedDemoField seeds the field-service demo: a primary customer with two
// sub-customers, each with located sites, jobs of the last weeks and their
// visits, and a viewer of the primary who sees all of them on the map. It
// prints the viewer's sign-in link.
func seedDemoField(staff context.Context, p *portal.Portal, base string, out io.Writer) error {
	on := true
	live := customer.FeaturesPatch{Jobs: &on, Visits: &on, Pictures: &on, AccessLinks: &on}
	primary, err := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Nordwind Facility GmbH", ExternalRef: "demo:nordwind",
		Address: customer.Address{Line1: "Unter den Linden 10", PostalCode: "10117", City: "Berlin", Country: "DE"}, Features: live})
	if err != nil {
		return err
	}
	type siteSeed struct {
		name, street, postal, city, region string
		lat, lon                           float64
	}
	subs := []struct {
		name, ref string
		sites     []siteSeed
	}{
		{"Nordwind Nord", "demo:nordwind-nord", []siteSeed{
			{"Hamburg Hafen", "Am Sandtorkai 50", "20457", "Hamburg", "Hamburg", 53.5433, 9.9890},
			{"Bremen Überseestadt", "Konsul-Smidt-Straße 8", "28217", "Bremen", "Bremen", 53.0955, 8.7752},
		}},
		{"Nordwind Süd", "demo:nordwind-sued", []siteSeed{
			{"München Werksviertel", "Atelierstraße 10", "81671", "München", "Bayern", 48.1237, 11.6036},
			{"Stuttgart Mitte", "Königstraße 1", "70173", "Stuttgart", "Baden-Württemberg", 48.7823, 9.1800},
		}},
	}
	hq, err := p.CreateSite(staff, primary.ID, portal.SiteParams{Name: "Berlin Zentrale",
		Address:  &customer.Address{Line1: "Unter den Linden 10", PostalCode: "10117", City: "Berlin", Country: "DE"},
		Location: &customer.GeoPoint{Latitude: 52.5170, Longitude: 13.3889}})
	if err != nil {
		return err
	}
	now := p.Now().UTC().Truncate(time.Hour)
	n := 0
	push := func(cid customer.ID, sid customer.SiteID, title string) error {
		n++
		at := now.AddDate(0, 0, -3*n)
		j, _, err := p.PutJob(staff, cid, portal.JobParams{SiteID: sid, Type: "maintenance", Title: title,
			Description: "Quarterly check of heating and ventilation.", Status: "done", PlannedAt: at, ExternalRef: fmt.Sprintf("FS-%04d", n)})
		if err != nil {
			return err
		}
		_, _, err = p.PutVisit(staff, cid, j.ID, portal.VisitParams{Technician: "Tess Technik", StartedAt: at.Add(time.Hour),
			EndedAt: at.Add(3 * time.Hour), Outcome: "completed", Report: "Filters changed, pressure checked, all fine.", ExternalRef: fmt.Sprintf("V-%04d", n)})
		return err
	}
	if err := push(primary.ID, hq.ID, "Heating check"); err != nil {
		return err
	}
	for _, sc := range subs {
		c, err := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: sc.name, ExternalRef: sc.ref, ParentID: primary.ID, Features: live})
		if err != nil {
			return err
		}
		for _, ss := range sc.sites {
			s, err := p.CreateSite(staff, c.ID, portal.SiteParams{Name: ss.name,
				Address:  &customer.Address{Line1: ss.street, PostalCode: ss.postal, City: ss.city, Region: ss.region, Country: "DE"},
				Location: &customer.GeoPoint{Latitude: ss.lat, Longitude: ss.lon}})
			if err != nil {
				return err
			}
			if err := push(c.ID, s.ID, "Ventilation service"); err != nil {
				return err
			}
		}
	}
	// A customer's first member is its admin, whatever role is asked for:
	// Nora comes first, so that Vic is the viewer the demo promises.
	if _, err := p.AddMember(staff, primary.ID, portal.AddMemberParams{Email: "nora@nordwind.example", Name: "Nora Admin", Role: customer.RoleAdmin}); err != nil {
		return err
	}
	m, err := p.AddMember(staff, primary.ID, portal.AddMemberParams{Email: "vic@nordwind.example", Name: "Vic Viewer", Role: customer.RoleViewer})
	if err != nil {
		return err
	}
	if m.Role != customer.RoleViewer {
		return fmt.Errorf("demo: Vic is %s of %s, not its viewer", m.Role, primary.Name)
	}
	link, err := p.CreateAccessLink(staff, primary.ID, m.ID, portal.CreateAccessLinkParams{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nField service: %s has the sub-customers %s and %s; its viewer sees all their sites on the map (%s/sites):\n",
		primary.Name, subs[0].name, subs[1].name, base)
	fmt.Fprintf(out, "  Vic Viewer <vic@nordwind.example>, viewer of %s:\n    %s/access?%s\n", primary.Name, base, url.Values{"token": {link.Token}}.Encode())
	return nil
}
