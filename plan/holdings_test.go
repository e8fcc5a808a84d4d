package plan_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/sqlite"
)

// TestLedgerSuppliesPerHolding (issue 9 part 5, issue 15, fix15r; the
// new-user check nu15e's finding 2): the planner offers each holding of
// a ledger lot — the body and the received parts, per site and owner as
// ledger.StandsAt holds them — with its own mass and grade, so that the
// lot's supplies add up to what stands of it. Lot NU-A1 (demo sites),
// 30 t wet at 8 % moisture at Loe Shilman, owner FWO, TREO 12 % dry:
//   - TRK-1 ships 12 t to Karachi, received 11.95 t for USSM; TRK-2
//     ships 5 t, received 5.01 t for the smelter;
//   - SEA-1 ships 6 t of USSM's on to Houston, received 5.9 t and
//     assayed there TREO 11.5 %; RAIL-1 ships those 5.9 t on to the
//     refinery, received 5.88 t, all taken by run NU-RUN-1;
//   - the body at the mine is weighed 12.95 t.
//
// Supplies (dry = wet × 0.92):
//   - lot-NU-A1, the body at Loe Shilman: 12.95 × 0.92 = 11.914 t, TREO
//     12 % (the lot's assay; it read (21.997 × 12 % + 5.41 × 11.5 %) ÷
//     27.407 = 11.901 %, the whole lot's average with the part consumed
//     at the refinery);
//   - lot-NU-A1@karachi-ussm: (11.95 − 6) × 0.92 = 5.474 t, TREO 12 %;
//   - lot-NU-A1@karachi-smelter: 5.01 × 0.92 = 4.6092 → 4.609 t, 12 %;
//   - nothing at Houston (5.9 − 5.9 shipped on) or the refinery (5.88
//     taken), nothing in transit.
//
// Σ = 11.914 + 5.474 + 4.609 = 21.997 t = Σ ledger.StandsAt (dry); it
// offered the body's 11.914 t alone, leaving out the 10.083 t at Karachi.
// Contained TREO 21.997 × 12 % = 2.63964 t.
func TestLedgerSuppliesPerHolding(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const (
		lot  = "urn:critmin:demo:lot:NU-A1"
		site = "urn:critmin:demo:site:"
		pty  = "urn:critmin:demo:party:"
	)
	ev := func(id, when, step, loc, body string) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:nu:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "%s", "bizLocation": {"id": "%s%s"}, %s}`, id, when, step, site, loc, body)
	}
	qty := func(kgs int) string {
		if kgs == 0 {
			return `"quantityList": [{"epcClass": "` + lot + `"}]`
		}
		return fmt.Sprintf(`"quantityList": [{"epcClass": "%s", "quantity": %d, "uom": "KGM"}]`, lot, kgs)
	}
	bol := func(b string) string {
		return `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + b + `"}]`
	}
	ship := func(id, when, from, to, b string, kgs int, extra string) string {
		return ev(id, when, "shipping", from, `"disposition": "in_transit", `+qty(kgs)+`, `+bol(b)+`, "destinationList": [{"type": "location", "destination": "`+site+to+`"}]`+extra)
	}
	receive := func(id, when, at, b string, kgs int, owner string) string {
		parties := ""
		if owner != "" {
			parties = `, "destinationList": [{"type": "owning_party", "destination": "` + pty + owner + `"}, {"type": "possessing_party", "destination": "` + pty + owner + `"}]`
		}
		return ev(id, when, "receiving", at, `"disposition": "in_progress", `+qty(kgs)+`, `+bol(b)+parties)
	}
	events := []string{
		`{"type": "ObjectEvent", "eventID": "urn:t:nu:c", "eventTime": "2026-11-01T05:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + site + `loe-shilman"},
  "destinationList": [{"type": "owning_party", "destination": "` + pty + `fwo"}, {"type": "possessing_party", "destination": "` + pty + `fwo"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 12, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		ship("trk1", "2026-11-02T03:00:00Z", "loe-shilman", "karachi", "NU-TRK-1", 12000, ""),
		ship("trk2", "2026-11-03T03:00:00Z", "loe-shilman", "karachi", "NU-TRK-2", 5000, ""),
		receive("r1", "2026-11-04T11:00:00Z", "karachi", "NU-TRK-1", 11950, "ussm"),
		receive("r2", "2026-11-05T04:00:00Z", "karachi", "NU-TRK-2", 5010, "smelter"),
		ship("sea1", "2026-11-08T09:00:00Z", "karachi", "houston", "NU-SEA-1", 6000, `, "sourceList": [{"type": "owning_party", "source": "`+pty+`ussm"}]`),
		ev("wb", "2026-11-10T04:00:00Z", "sensor_reporting", "loe-shilman", qty(12950)+`, "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 12950, "uom": "KGM"}]}]`),
		receive("r3", "2026-12-01T15:00:00Z", "houston", "NU-SEA-1", 5900, ""),
		ev("a1", "2026-12-02T16:00:00Z", "sampling", "houston", `"quantityList": [{"epcClass": "`+lot+`"}], "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/TREO", "value": 11.5, "uom": "P1", "cm:basis": "dry"}]}]`),
		ship("rail1", "2026-12-02T21:00:00Z", "houston", "refinery-mo", "NU-RAIL-1", 0, ""),
		receive("r4", "2026-12-03T17:00:00Z", "refinery-mo", "NU-RAIL-1", 5880, ""),
		`{"type": "TransformationEvent", "eventID": "urn:t:nu:run", "eventTime": "2026-12-03T21:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
  "transformationID": "urn:critmin:demo:run:NU-RUN-1", "bizLocation": {"id": "` + site + `refinery-mo"},
  "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": 5880, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:critmin:demo:lot:NU-NDPR-1", "quantity": 400, "uom": "KGM"}],
  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 75, "cm:unit": "%", "cm:basis": "dry"}]}}`,
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2026-12-04T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",\n") + `]}}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	n := plan.Demo()
	n.Supplies = nil
	if err := n.PullLedger(ctx, db); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"lot-NU-A1": 11.914, "lot-NU-A1@karachi-ussm": 5.474, "lot-NU-A1@karachi-smelter": 4.609}
	sites := map[string]string{"lot-NU-A1": "loe-shilman", "lot-NU-A1@karachi-ussm": "karachi", "lot-NU-A1@karachi-smelter": "karachi"}
	var sum, treo float64
	got := 0
	for _, s := range n.Supplies {
		if s.Lot != lot {
			continue
		}
		got++
		sum += s.Tonnes
		treo += s.Tonnes * s.Grade["TREO"]
		w, ok := want[s.ID]
		if !ok {
			t.Errorf("supply %s (%s): %v t, not a holding of NU-A1", s.ID, s.Holding, s.Tonnes)
			continue
		}
		if math.Abs(s.Tonnes-w) > 1e-9 || math.Abs(s.Grade["TREO"]-0.12) > 1e-12 || s.Site != sites[s.ID] || s.OriginCountry != "PAK" {
			t.Errorf("supply %s (%s): %v t at %s, TREO %v, origin %s; want %v t at %s, TREO 0.12, PAK", s.ID, s.Holding, s.Tonnes, s.Site, s.Grade["TREO"], s.OriginCountry, w, sites[s.ID])
		}
	}
	if got != len(want) {
		t.Errorf("%d supplies of NU-A1, want %d (the body and the two owners' parts at Karachi)", got, len(want))
	}
	// Σ supplies = what stands (ledger.StandsAt, dry) and no more.
	l, err := db.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	var stands float64
	for _, st := range ledger.StandsAt(l) {
		stands += st.DryTonnes
	}
	if math.Abs(sum-21.997) > 1e-9 || math.Abs(stands-sum) > 0.0005*float64(got) || ledger.AtSea(l) != 0 {
		t.Errorf("Σ supplies %v t, standing %v t (at sea %v); want 11.914 + 5.474 + 4.609 = 21.997 t for both", sum, stands, ledger.AtSea(l))
	}
	if math.Abs(treo-21.997*0.12) > 1e-9 {
		t.Errorf("contained TREO %v t, want 21.997 × 12 %% = 2.63964 t", treo)
	}
}
