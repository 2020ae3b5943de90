package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/portal"
)

// demoStaffCSV is Acme's HR export, as its HR system writes it.
const demoStaffCSV = `Personalnummer;Name;E-Mail;Benutzer;Abteilung;Kostenstelle;Standort;Vorgesetzte
E-1001;Hanna Hartmann;hanna@acme.example;hhartmann;Geschäftsführung;CC-100;Hamburg;
E-1017;Jonas Weber;jonas@acme.example;jweber;IT;CC-210;Hamburg;E-1001
E-1023;Lena Fischer;lena@acme.example;lfischer;IT;CC-210;Hamburg;E-1017
E-1031;Mehmet Yilmaz;mehmet@acme.example;myilmaz;Vertrieb;CC-300;Berlin;E-1001
E-1042;Nina Newhire;nina@acme.example;nnewhire;Vertrieb;CC-300;Hamburg;E-1031
E-1050;Paul Becker;paul@acme.example;pbecker;Lager;CC-400;Hamburg;E-1001
`

// demoLeaver is the line of the export that the next export lacks.
const demoLeaver = "E-1050;Paul Becker;paul@acme.example;pbecker;Lager;CC-400;Hamburg;E-1001\n"

var demoStaffMapping = hrsync.Mapping{
	hrsync.FieldExternalID: "Personalnummer", hrsync.FieldEmail: "E-Mail", hrsync.FieldUsername: "Benutzer",
	hrsync.FieldDepartment: "Abteilung", hrsync.FieldCostCentre: "Kostenstelle", hrsync.FieldLocation: "Standort",
	hrsync.FieldManagerExternalID: "Vorgesetzte",
}

// seedDemoHR licenses Acme for HR sync, syncs its HR export, and plans a
// dry run of the next export, in which Paul Becker has left. (Issue him a
// laptop from the warehouse before applying it, and he is locked with an
// offboarding task until the laptop is back.)
func seedDemoHR(staff context.Context, p *portal.Portal, acme customer.Customer, out io.Writer) error {
	if _, err := p.UpdateLicenses(staff, acme.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted}); err != nil {
		return err
	}
	c, err := p.GetCustomer(staff, acme.ID)
	if err != nil {
		return err
	}
	on := true
	if _, err := p.UpdateFeatures(staff, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: &on}}); err != nil {
		return err
	}
	if _, err := p.StartSync(staff, acme.ID, portal.StartSyncParams{CSV: demoStaffCSV, Mapping: demoStaffMapping}); err != nil {
		return err
	}
	next := strings.TrimSuffix(demoStaffCSV, demoLeaver)
	run, err := p.StartSync(staff, acme.ID, portal.StartSyncParams{CSV: next, Mapping: demoStaffMapping, DryRun: true, Threshold: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nHR sync: %s is licensed and has 6 employees from its HR export; a planned run (%s) would remove Paul Becker.\n",
		acme.Name, run.ID)
	return nil
}
