package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// fix9tReport is an OBSERVE (inspecting) of lot at its mine on October
// 20 carrying the sensor reports given (JSON objects).
func fix9tReport(id, lot string, reports ...string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "readPoint": {"id": "urn:t:site:mine-PAK"},
	  "sensorElementList": [{"sensorReport": [` + strings.Join(reports, ",") + `]}]}`
}

// fix9tNd is a MassConcentration report of Nd in % on basis; fix9tH2O
// one of H2O (moisture) in %.
func fix9tNd(pct, basis string) string {
	return `{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": ` + pct + `, "uom": "P1", "cm:basis": "` + basis + `"}`
}

func fix9tH2O(pct string) string {
	return `{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": ` + pct + `, "uom": "P1"}`
}

// TestLateAsReceivedAssayOnConsumedLot (issue 9, fix9t): an as-received
// assay that carries its own H2O, recorded after a run consumed the lot,
// is accepted and converted with its own H2O; the H2O is the moisture of
// the sample the assay was measured on. It does not move the lot's
// moisture: the run took the lot at the moisture it had (dry = wet ×
// (1 − moisture), the tonnes the run consumed and was credited for), as a
// run's take of a part keeps the part's moisture (fix15n) and a moisture
// reading alone on a lot runs took of is refused.
//
//	L: Pakistan, 10 t wet at 8 % → 10 × 0.92 = 9.2 t dry, Nd 2 % dry
//	   → 0.184 t Nd
//	M: Myanmar, 10 t dry (0 %), Nd 2.5 % → 0.25 t Nd
//	R (Oct 10): L 10 t + M 10 t → Y, 1 t dry at Nd 40 % = 0.4 t Nd
//	Before: R's Nd in 0.184 + 0.25 = 0.434 t; Y's Nd Pakistan
//	0.184 / 0.434 = 42.396 %.
//
// (1) Oct 20, on L: Nd 2.3 % as received with H2O 8 % → 2.3 / (1 − 0.08)
// = 2.5 % dry; L stays 9.2 t dry at 8 % → 9.2 × 0.025 = 0.23 t Nd; R's
// Nd in 0.23 + 0.25 = 0.48 t; Y's Nd Pakistan 0.23 / 0.48 = 47.917 %,
// flagged assay_after_run (dated after R took L).
//
// (2) the same with H2O 10 % (another sample's moisture than the lot's
// 8 %) → 2.3 / 0.9 = 2.5556 % dry; L stays 8 %, 9.2 t dry (what R
// took) → 9.2 × 2.3 / 90 = 0.235111 t Nd; R's Nd in 0.485111 t; Y's Nd
// Pakistan 0.235111 / 0.485111 = 48.465 %. (Had the 10 % re-dried L it
// would read 9.0 t dry and 0.23 t Nd: the run's input rewritten.)
//
// (3) L part-consumed (R5 took 5 t of its 10 t): the same assay with H2O
// 10 % is accepted, L keeps 8 % and 9.2 t dry (one moisture dried what
// R5 took), grade 2.5556 %.
//
// (4) L not consumed: the assay's H2O 10 % is also the lot's moisture
// reading, as before: L 10 × 0.9 = 9.0 t dry at 2.5556 % = 0.23 t Nd.
//
// Refusals kept: an H2O report alone of 10 % on consumed L (moisture of
// lot … refused), an as-received assay with H2O 100 % (moisture outside
// [0, 1)), an assay on basis "wet" (unknown basis) — nothing stored.
func TestLateAsReceivedAssayOnConsumedLot(t *testing.T) {
	ctx := context.Background()
	lFeed := strings.Replace(feed("L", "ree_concentrate", "PAK", 10, "Nd:2"), `"cm:moisture": 0,`, `"cm:moisture": 0.08,`, 1)
	mFeed := feed("M", "ree_concentrate", "MMR", 10, "Nd:2.5")
	sites := map[string]string{"cb": "controlled_blending"}
	setup := func(t *testing.T, take string) (*sqldb.DB, func() *critmin.Lot, func(string) error) {
		t.Helper()
		evs := []string{lFeed, mFeed}
		switch take {
		case "all":
			evs = append(evs, runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"L:10", "M:10"}, product{lot: "Y", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:40"}}))
		case "part":
			evs = append(evs, runOf("R5", "cb", "2025-10-10T00:00:00Z", []string{"L:5"}, product{lot: "Y5", commodity: "ndpr_oxide", t: 0.2, assays: []string{"Nd:40"}}))
		}
		db := store(t, doc(sites, evs...))
		svc := ledger.NewService(db)
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		svc.Now = clockAt("2025-10-21T00:00:00Z")
		lot := func() *critmin.Lot {
			t.Helper()
			l, err := db.FindLot(ctx, "urn:t:lot:L")
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		capture := func(ev string) error {
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(ev)})
			return err
		}
		return db, lot, capture
	}
	yNd := func(t *testing.T, db *sqldb.DB) (pak, in float64, flagged bool) {
		t.Helper()
		c, err := custody.Origin(ctx, db, "urn:t:lot:Y")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range c.Anomalies {
			if a.Kind == "assay_after_run" && strings.Contains(a.Detail, "urn:t:lot:L") {
				flagged = true
			}
			if a.Kind == "assay_after_run" && strings.Contains(a.Detail, "moisture") {
				t.Errorf("Y flags a moisture change of L: %s", a.Detail)
			}
		}
		for _, r := range c.Runs {
			for _, e := range r.Elements {
				if e.Element == "Nd" {
					in = e.In
				}
			}
		}
		return share(c.Elements["Nd"].ByCountry, "PAK").Share, in, flagged
	}
	checkLot := func(t *testing.T, l *critmin.Lot, grade float64) {
		t.Helper()
		if l.Moisture == nil || !near(*l.Moisture, 0.08) || !near(l.DryTonnes, 9.2) {
			t.Errorf("L: moisture %v, %v t dry; want 0.08, 9.2 (the moisture the run took it at)", l.Moisture, l.DryTonnes)
		}
		if g := custody.GradesOf(l)["Nd"]; !near(g, grade) {
			t.Errorf("L: dry grade of Nd %v, want %v", g, grade)
		}
	}

	t.Run("same H2O as the lot", func(t *testing.T) {
		db, lot, capture := setup(t, "all")
		if pak, in, _ := yNd(t, db); !near(pak, 0.184/0.434) || !near(in, 0.434) {
			t.Fatalf("before: Y Nd Pakistan %v, R Nd in %v; want %v, 0.434", pak, in, 0.184/0.434)
		}
		if err := capture(fix9tReport("ar8", "L", fix9tNd("2.3", "as_received"), fix9tH2O("8"))); err != nil {
			t.Fatalf("as-received Nd 2.3 %% with H2O 8 %% on consumed L refused: %v", err)
		}
		checkLot(t, lot(), 0.025)
		pak, in, flagged := yNd(t, db)
		if !near(pak, 0.23/0.48) || !near(in, 0.48) || !flagged {
			t.Errorf("after: Y Nd Pakistan %v, R Nd in %v, flagged %v; want %v, 0.48, true", pak, in, flagged, 0.23/0.48)
		}
	})

	t.Run("other H2O than the lot", func(t *testing.T) {
		db, lot, capture := setup(t, "all")
		if err := capture(fix9tReport("ar10", "L", fix9tNd("2.3", "as_received"), fix9tH2O("10"))); err != nil {
			t.Fatalf("as-received Nd 2.3 %% with H2O 10 %% on consumed L refused: %v", err)
		}
		l := lot()
		checkLot(t, l, 0.023/0.9)
		var own *float64
		for _, a := range l.Assays {
			if a.Analyte == "Nd" && a.Basis == "as_received" {
				own = a.Moisture
			}
		}
		if own == nil || !near(*own, 0.10) {
			t.Errorf("L's as-received Nd assay keeps moisture %v, want its own 0.10", own)
		}
		ndL := 9.2 * 0.023 / 0.9 // 0.235111
		pak, in, flagged := yNd(t, db)
		if !near(pak, ndL/(ndL+0.25)) || !near(in, ndL+0.25) || !flagged {
			t.Errorf("after: Y Nd Pakistan %v, R Nd in %v, flagged %v; want %v, %v, true", pak, in, flagged, ndL/(ndL+0.25), ndL+0.25)
		}
	})

	t.Run("lot without moisture", func(t *testing.T) {
		// L commissioned with no moisture is dry as stated: R took
		// 10 t dry. The assay's H2O 8 % converts it (2.5 % dry) and
		// leaves L 10 t dry: 10 × 0.025 = 0.25 t Nd; Y's Nd Pakistan
		// 0.25 / 0.5 = 50 %.
		dry := strings.Replace(lFeed, `"cm:moisture": 0.08, `, ``, 1)
		db := store(t, doc(sites, dry, mFeed, runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"L:10", "M:10"}, product{lot: "Y", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:40"}})))
		svc := ledger.NewService(db)
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		svc.Now = clockAt("2025-10-21T00:00:00Z")
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(fix9tReport("ar8", "L", fix9tNd("2.3", "as_received"), fix9tH2O("8")))}); err != nil {
			t.Fatalf("as-received assay on consumed L without moisture refused: %v", err)
		}
		l, err := db.FindLot(ctx, "urn:t:lot:L")
		if err != nil {
			t.Fatal(err)
		}
		if l.Moisture != nil || !near(l.DryTonnes, 10) || !near(custody.GradesOf(l)["Nd"], 0.025) {
			t.Errorf("L: moisture %v, %v t dry, grade %v; want none, 10, 0.025", l.Moisture, l.DryTonnes, custody.GradesOf(l)["Nd"])
		}
		if pak, in, _ := yNd(t, db); !near(pak, 0.5) || !near(in, 0.5) {
			t.Errorf("Y Nd Pakistan %v, R Nd in %v; want 0.5, 0.5", pak, in)
		}
	})

	t.Run("part-consumed lot", func(t *testing.T) {
		_, lot, capture := setup(t, "part")
		if err := capture(fix9tReport("ar10", "L", fix9tNd("2.3", "as_received"), fix9tH2O("10"))); err != nil {
			t.Fatalf("as-received assay on part-consumed L refused: %v", err)
		}
		checkLot(t, lot(), 0.023/0.9)
	})

	t.Run("lot not consumed", func(t *testing.T) {
		_, lot, capture := setup(t, "")
		if err := capture(fix9tReport("ar10", "L", fix9tNd("2.3", "as_received"), fix9tH2O("10"))); err != nil {
			t.Fatalf("as-received assay on L refused: %v", err)
		}
		l := lot()
		if l.Moisture == nil || !near(*l.Moisture, 0.10) || !near(l.DryTonnes, 9.0) || !near(custody.GradesOf(l)["Nd"], 0.023/0.9) {
			t.Errorf("L: moisture %v, %v t dry, grade %v; want 0.10, 9.0, %v", l.Moisture, l.DryTonnes, custody.GradesOf(l)["Nd"], 0.023/0.9)
		}
	})

	t.Run("refusals kept", func(t *testing.T) {
		_, lot, capture := setup(t, "all")
		for _, tc := range []struct {
			what, ev string
			code     string
			want     string
		}{
			{"H2O alone on consumed L", fix9tReport("m10", "L", fix9tH2O("10")), critmin.ECONFLICT, "moisture of lot urn:t:lot:L refused"},
			{"H2O 100 %", fix9tReport("m100", "L", fix9tNd("2.3", "as_received"), fix9tH2O("100")), critmin.EINVALID, "moisture must be a fraction in [0, 1)"},
			{"basis wet", fix9tReport("wet", "L", fix9tNd("2.3", "wet"), fix9tH2O("8")), critmin.EINVALID, "basis"},
		} {
			err := capture(tc.ev)
			if critmin.ErrorCode(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %s naming %q", tc.what, err, tc.code, tc.want)
			}
		}
		checkLot(t, lot(), 0.02)
	})
}
