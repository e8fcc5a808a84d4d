package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestAssayAfterRunFlagged (issue 9): a product's element shares rest on
// its inputs' assays; a re-assay of an input dated after the run changes
// them retroactively, and every view of the product's origin says so.
//
// Run B1 (2025-10-10) at a controlled-blending site: P (Pakistan, 10 t dry
// at Nd 10 %) + M (Myanmar, 10 t dry at Nd 10 %) → Z, 2 t at Nd 90 %.
//
//	at the run: Nd from P = 10 × 10 % = 1.0 t, from M 1.0 t → PAK 50 %
//
// On 2025-10-20 P is assayed again, Nd 20 % (a final assay replacing the
// provisional one; a sensor report spelled gs1:MT-MassConcentration):
//
//	Nd from P = 10 × 20 % = 2.0 t, M 1.0 t → PAK 2 / 3 = 66.7 %
//
// The shares follow the later figure (physical origin is what the feed
// held) and the lot page (Origin), the kept-mix read (OriginOf without
// evidence: lot list, risk ledger) and the list (Origins) all carry the
// anomaly assay_after_run naming P, Nd, the re-assay event and the run.
func TestAssayAfterRunFlagged(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 10, "Nd:10"),
		feed("M", "ree_concentrate", "MMR", 10, "Nd:10"),
		runOf("B1", "b", "2025-10-10T00:00:00Z", []string{"P:10", "M:10"}, product{lot: "Z", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:90"}})))
	check := func(stage string, pak float64, flagged bool) {
		t.Helper()
		for _, evidence := range []bool{true, false} {
			c, err := custody.OriginOf(ctx, db, "urn:t:lot:Z", evidence)
			if err != nil {
				t.Fatal(err)
			}
			if got := share(c.Elements["Nd"].ByCountry, "PAK").Share; !near(got, pak) {
				t.Errorf("%s (evidence %v): Nd PAK %.4f, want %.4f", stage, evidence, got, pak)
			}
			found := false
			for _, a := range c.Anomalies {
				if a.Kind == "assay_after_run" && strings.Contains(a.Detail, "input urn:t:lot:P's assay of Nd (event urn:t:ev:reassay") && strings.Contains(a.Detail, "after run urn:t:ev:B1") {
					found = true
				}
			}
			if found != flagged {
				t.Errorf("%s (evidence %v): assay_after_run %v, want %v (anomalies %+v)", stage, evidence, found, flagged, c.Anomalies)
			}
		}
		l, err := db.FindLot(ctx, "urn:t:lot:Z")
		if err != nil {
			t.Fatal(err)
		}
		m, err := custody.Origins(ctx, db, []*critmin.Lot{l})
		if err != nil {
			t.Fatal(err)
		}
		if got := share(m[l.ID].Elements["Nd"].ByCountry, "PAK").Share; !near(got, pak) {
			t.Errorf("%s: list Nd PAK %.4f, want %.4f", stage, got, pak)
		}
	}
	check("at the run", 0.5, false)
	reassay := `{"type": "ObjectEvent", "eventID": "urn:t:ev:reassay", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:P"}], "sensorElementList": [{"sensorReport": [{"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 20, "uom": "P1", "cm:basis": "dry"}]}]}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(reassay)}); err != nil {
		t.Fatal(err)
	}
	check("after the re-assay", 2.0/3, true)
}

// TestLateResultAndMoistureFlagged (issue 9, leftover of origin9): two
// changes assay_after_run missed. Run B1 (2025-10-10) as in
// TestAssayAfterRunFlagged: P (Pakistan) + M (Myanmar), 10 t dry each at
// Nd 10 % → Z; Nd PAK 1.0 / 2.0 = 50 %.
//
//  1. A laboratory result on P dated 2025-10-05 (before the run) but
//     recorded an hour after the run was: Nd 20 %, now P's assay in
//     effect. Nd from P 10 × 20 % = 2.0 t, M 1.0 t → PAK 2 / 3 = 66.7 %;
//     the shares at the run did not rest on it → flagged "recorded after
//     run".
//  2. M's moisture reported 50 % on 2025-10-20 (an H2O report): M's 10 t
//     wet now bring 10 × (1 − 0.5) = 5 t dry, Nd 0.5 t → PAK 2.0 / 2.5 =
//     80 %, flagged "moisture 50.0 %, changed after run … (it was 0.0 %)".
func TestLateResultAndMoistureFlagged(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 10, "Nd:10"),
		feed("M", "ree_concentrate", "MMR", 10, "Nd:10"),
		runOf("B1", "b", "2025-10-10T00:00:00Z", []string{"P:10", "M:10"}, product{lot: "Z", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:90"}})))
	later := ledger.NewService(db)
	later.Now = func() time.Time { return time.Now().Add(time.Hour) }
	flags := func(stage string, pak float64, n int, want ...string) {
		t.Helper()
		for _, evidence := range []bool{true, false} {
			c, err := custody.OriginOf(ctx, db, "urn:t:lot:Z", evidence)
			if err != nil {
				t.Fatal(err)
			}
			if got := share(c.Elements["Nd"].ByCountry, "PAK").Share; !near(got, pak) {
				t.Errorf("%s (evidence %v): Nd PAK %.4f, want %.4f", stage, evidence, got, pak)
			}
			var details []string
			for _, a := range c.Anomalies {
				if a.Kind == "assay_after_run" {
					details = append(details, a.Detail)
				}
			}
			all := strings.Join(details, " | ")
			if len(details) != n {
				t.Errorf("%s (evidence %v): %d assay_after_run anomalies, want %d: %s", stage, evidence, len(details), n, all)
			}
			for _, w := range want {
				if !strings.Contains(all, w) {
					t.Errorf("%s (evidence %v): anomalies %q lack %q", stage, evidence, all, w)
				}
			}
		}
	}
	lab := `{"type": "ObjectEvent", "eventID": "urn:t:ev:lab", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:P"}], "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 20, "uom": "P1", "cm:basis": "dry"}]}]}`
	if _, err := later.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(lab)}); err != nil {
		t.Fatal(err)
	}
	flags("late laboratory result", 2.0/3, 1, "input urn:t:lot:P's assay recorded after run urn:t:ev:B1", "event urn:t:ev:lab dated 2025-10-05T00:00:00Z")
	wet := `{"type": "ObjectEvent", "eventID": "urn:t:ev:wet", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:M"}], "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 50, "uom": "P1"}]}]}`
	if _, err := later.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(wet)}); err != nil {
		t.Fatal(err)
	}
	flags("moisture changed", 0.8, 2, "input urn:t:lot:P's assay recorded after run", "input urn:t:lot:M's moisture 50.0 %, changed after run urn:t:ev:B1 consumed it on 2025-10-10T00:00:00Z (it was 0.0 %; events urn:t:ev:wet)")
}
