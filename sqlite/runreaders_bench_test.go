package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// BenchmarkRunReaders measures the readers of runs and links that check
// the sealed counts (storetest DerivedReadersRefuseTamperedRows) over
// 2,000 runs at one site: each run k takes 5 t of lot Lk (10 t) and makes
// lot Ok (even k, outputQuantityList) or bag Bk (odd k, outputEPCList);
// 100 more runs take 1 t of a lot Lk each and state no output (open).
// Each reader is asked about 100 runs or lots; EdgesAt answers for the
// site's month (2,000 edges).
//
//	go test -run '^$' -bench RunReaders ./sqlite
func BenchmarkRunReaders(b *testing.B) {
	s := MustOpen(b)
	db := s.(*sqldb.DB)
	svc := ledger.NewService(s)
	ctx := context.Background()
	const runs, open, per = 2000, 100, 500
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", "epcisBody": {"eventList": [`
	capture := func(evs []string) {
		for start := 0; start < len(evs); start += per {
			doc := head + strings.Join(evs[start:min(start+per, len(evs))], ",") + `]}}`
			if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	var evs []string
	for k := range runs {
		evs = append(evs, fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:b:ev:L%d", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		  "quantityList": [{"epcClass": "urn:b:lot:L%d", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:b:site:s"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`, k, k))
	}
	capture(evs)
	evs = evs[:0]
	for k := range runs {
		out := fmt.Sprintf(`"outputQuantityList": [{"epcClass": "urn:b:lot:O%d", "quantity": 2, "uom": "TNE"}]`, k)
		if k%2 == 1 {
			out = fmt.Sprintf(`"outputEPCList": ["urn:b:bag:B%d"]`, k)
		}
		evs = append(evs, fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:b:ev:R%d", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:b:run:R%d",
		  "inputQuantityList": [{"epcClass": "urn:b:lot:L%d", "quantity": 5, "uom": "TNE"}], %s, "bizLocation": {"id": "urn:b:site:s"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}`, k, k, k, out))
	}
	for k := range open {
		evs = append(evs, fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:b:ev:S%d", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:b:run:S%d",
		  "inputQuantityList": [{"epcClass": "urn:b:lot:L%d", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "urn:b:site:s"}}`, k, k, k))
	}
	capture(evs)
	var xids, lots []string
	for k := range 100 {
		xids = append(xids, fmt.Sprintf("urn:b:run:R%d", k*20))
		lots = append(lots, fmt.Sprintf("urn:b:lot:L%d", k))
	}
	from, to := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	b.Run("RunsWithInputs", func(b *testing.B) {
		for b.Loop() {
			if m, err := db.RunsWithInputs(ctx, xids); err != nil || len(m) != 100 {
				b.Fatal(err, len(m))
			}
		}
	})
	b.Run("RunMembers", func(b *testing.B) {
		for b.Loop() {
			if m, err := db.RunMembers(ctx, xids); err != nil || len(m) != 100 {
				b.Fatal(err, len(m))
			}
		}
	})
	b.Run("OpenRunInputs", func(b *testing.B) {
		for b.Loop() {
			if m, _, err := db.OpenRunInputs(ctx, lots); err != nil || len(m) != open {
				b.Fatal(err, len(m))
			}
		}
	})
	b.Run("EdgesAt", func(b *testing.B) {
		for b.Loop() {
			if es, err := db.EdgesAt(ctx, "urn:b:site:s", from, to); err != nil || len(es) != runs {
				b.Fatal(err, len(es))
			}
		}
	})
}
