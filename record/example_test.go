package record_test

import (
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/record"
)

// A provider's own record type, registered in Go next to the built-in
// ones, and an edit its rules refuse, naming the rule.
func ExampleType_CheckEdit() {
	reg := record.DefaultRegistry()
	if err := reg.Register(record.Type{Name: "water_meter", Label: "Water meter", Fields: []record.Field{
		{Name: "meter_number", Kind: record.KindText, Required: true, Identifier: true, Customer: true},
		{Name: "yearly_consumption", Kind: record.KindNumber, Customer: true,
			Edit: record.EditRule{Role: customer.RoleMaintainer, MaxChangePercent: 50}},
	}}); err != nil {
		panic(err)
	}
	t, _ := reg.Lookup("water_meter", 0)
	r := record.Record{Type: t.Name, TypeVersion: t.Version, Values: map[string]string{"meter_number": "WM-1", "yearly_consumption": "100"}}
	maintainer := record.Editor{Role: customer.RoleMaintainer}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	_, err := t.CheckEdit(r, map[string]string{"yearly_consumption": "200"}, maintainer, now)
	fmt.Println(record.RuleOf(err))
	e, err := t.CheckEdit(r, map[string]string{"yearly_consumption": "140"}, maintainer, now)
	fmt.Println(e.After, err)
	// Output:
	// relative_change
	// map[yearly_consumption:140] <nil>
}
