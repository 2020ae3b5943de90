package storagetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
)

// RecordTable is a size of the records table the record benchmarks run
// against.
type RecordTable struct {
	Name      string
	Customers int
	Records   int // spread evenly over the customers
}

// RecordTables are the sizes every backend benchmarks.
var RecordTables = []RecordTable{
	{"records=10k/customers=100", 100, 10_000},
	{"records=1M/customers=10k", 10_000, 1_000_000},
}

// OpenRecordTable returns a store seeded for t, the way a backend can do
// it fastest (bulk SQL). The benchmarks rely on this data:
//   - customers cus_000000000000 … (printf "cus_%012d", i from 0), active;
//   - records rec_000000000000 … ("rec_%012d", i from 0) of type meter,
//     version 1, customer i % Customers, no site, external reference
//     "ext-<i>", values meter_number "M-%09d" and contract_number "C-%09d"
//     of i and medium "gas", without history;
//   - the identifier rows of both identifier fields of each record.
type OpenRecordTable func(b *testing.B, t RecordTable) storage.Store

// BenchmarkRecordSearch measures finding records by an identifier value
// and by full text (a substring of the index text: what customers see of
// it for a customer user, all of it for staff), as a customer user
// searches (its own customer's records) and as staff do (across
// customers), each in a read transaction of its own as the use case runs
// it; and, as the baseline of the same run, reading one record and one
// customer by primary key. Each search finds the one record of the
// middle.
func BenchmarkRecordSearch(b *testing.B, open OpenRecordTable) {
	for _, t := range RecordTables {
		b.Run(t.Name, func(b *testing.B) {
			ctx := b.Context()
			s := open(b, t)
			i := t.Records / 2
			id := record.ID(fmt.Sprintf("rec_%012d", i))
			cid := customer.ID(fmt.Sprintf("cus_%012d", i%t.Customers))
			value := fmt.Sprintf("M-%09d", i)
			search := func(f storage.RecordFilter) func(b *testing.B) {
				return func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						err := s.ReadTx(ctx, func(r storage.Repos) error {
							l, err := r.Records().List(ctx, f, storage.Page{Limit: 50})
							if err == nil && (len(l.Items) != 1 || l.Items[0].ID != id) {
								err = fmt.Errorf("found %d records, want %s", len(l.Items), id)
							}
							return err
						})
						if err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.Run("baseline=customer by key", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.ReadTx(ctx, func(r storage.Repos) error { _, err := r.Customers().Get(ctx, cid); return err }); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("baseline=record by key", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := s.ReadTx(ctx, func(r storage.Repos) error { _, err := r.Records().Get(ctx, id); return err }); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("identifier/customer", search(storage.RecordFilter{CustomerID: cid, Type: record.TypeMeter, Field: "meter_number", Value: value}))
			b.Run("identifier/all customers", search(storage.RecordFilter{Type: record.TypeMeter, Field: "meter_number", Value: value}))
			text := strings.ToLower(value) // as the index holds it
			b.Run("text/customer", search(storage.RecordFilter{CustomerID: cid, Text: text, ShownOnly: true}))
			b.Run("text/all customers", search(storage.RecordFilter{Text: text}))
		})
	}
}
