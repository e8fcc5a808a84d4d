package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// inputOnly is a TransformationEvent of run tid at site mb that feeds
// inT t of lot in and states no output.
func inputOnly(id, tid, when, in string, inT float64) string {
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "transformationID": "urn:t:run:` + tid + `", "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": ` + fmtF(inT) + `, "uom": "TNE"}],
	 "bizLocation": {"id": "urn:t:site:mb"}}`
}

// gainsOf is the details of lot's element_gain anomalies.
func gainsOf(t *testing.T, db critmin.Store, lot string) (*custody.Composition, string) {
	t.Helper()
	o, err := custody.OriginOf(context.Background(), db, "urn:t:lot:"+lot, true)
	if err != nil {
		t.Fatal(err)
	}
	var gains []string
	for _, a := range o.Anomalies {
		if a.Kind == "element_gain" {
			gains = append(gains, a.Detail)
		}
	}
	return o, strings.Join(gains, "\n")
}

// TestRunOutputBeforeInput (issue 9, fix9i, 1): a run's output lines
// count however its events are captured or dated. Site mb, Q, Pakistan,
// 100 t at Nd 4 % + Pr 1 %: Nd 4 t, Pr 1 t in.
//
//	za (run Z, output-only, captured first): OZ 10 t at Nd 60 % + Pr 20 %
//	zb (run Z, captured later): 100 t of Q → OZ 0.5 t
//
// OZ is 10 + 0.5 = 10.5 t. Run Z's element balance over both events: Nd
// out 10.5 × 60 % = 6.3 t > 4 × 1.005 = 4.02 t, Pr 10.5 × 20 % = 2.1 t
// > 1.005 t → element_gain on each (before: none — za stated its line
// before any input, so no genealogy edge carried it and RunProduced read
// zb's 0.5 t: Nd 0.3 t, while OZ's origin read 6.3 t from 4 t). OZ's
// origin is capped at what Z put in: Nd 4 t, Pr 1 t. Z's credit: inputs
// × factor 100 × 5 % × 0.9 = 4.5 t; its products hold, capped, 4 + 1 =
// 5 t ≥ 4.5 → 4.5 t, with no bound on zb's 0.5 t (before: 0.5 × 80 % =
// 0.4 t Nd+Pr). The same holds whether za is dated before zb (Z1) or
// after it (Z2), in one document (Z3), and when zb is captured first
// and za dated before it (Z4: za's own line then rides a replay link).
func TestRunOutputBeforeInput(t *testing.T) {
	for _, c := range []struct {
		name, run, za, zb string
		oneDoc            bool
	}{
		{"dated before", "Z1", "2025-11-20T00:00:00Z", "2025-11-21T00:00:00Z", false},
		{"dated after", "Z2", "2025-11-22T00:00:00Z", "2025-11-21T00:00:00Z", false},
		{"one document", "Z3", "2025-11-20T00:00:00Z", "2025-11-21T00:00:00Z", true},
		{"zb captured first, za dated before", "Z4", "2025-11-20T00:00:00Z", "2025-11-21T00:00:00Z", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, svc := mbSvc(t)
			ctx := context.Background()
			if err := capture(svc, feedAtMB("Q", 100)); err != nil {
				t.Fatal(err)
			}
			za := runT("za", c.run, c.za, "mb", "", 0, "OZ", 10, "")
			zb := runT("zb", c.run, c.zb, "mb", "Q", 100, "OZ", 0.5, "")
			if c.oneDoc {
				if err := capture(svc, za, zb); err != nil {
					t.Fatal(err)
				}
			} else if c.run == "Z4" {
				if err := capture(svc, zb); err != nil {
					t.Fatal(err)
				}
				if err := capture(svc, za); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := capture(svc, za); err != nil {
					t.Fatal(err)
				}
				if err := capture(svc, zb); err != nil {
					t.Fatal(err)
				}
			}
			oz, err := db.FindLot(ctx, "urn:t:lot:OZ")
			if err != nil || !near(oz.WetTonnes, 10.5) {
				t.Fatalf("OZ: %+v %v, want 10 + 0.5 = 10.5 t", oz, err)
			}
			o, gains := gainsOf(t, db, "OZ")
			for _, want := range []string{"outputs hold 6.3 t Nd but its inputs only 4 t", "outputs hold 2.1 t Pr but its inputs only 1 t"} {
				if !strings.Contains(gains, want) {
					t.Errorf("element_gain anomalies %q lack %q", gains, want)
				}
			}
			if !near(o.Elements["Nd"].Recorded(), 4) || !near(o.Elements["Pr"].Recorded(), 1) {
				t.Errorf("OZ's origin: Nd %v t, Pr %v t; want capped at 4 and 1", o.Elements["Nd"].Recorded(), o.Elements["Pr"].Recorded())
			}
			st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			var credits []custody.Entry
			for _, cat := range st.Categories {
				for _, e := range cat.Entries {
					if e.Kind == "credit" && e.Lot == "urn:t:lot:Q" {
						credits = append(credits, e)
					}
				}
			}
			if len(credits) != 1 || !near(credits[0].Tonnes, 4.5) || strings.Contains(credits[0].Note, "in 0.5 t") {
				t.Errorf("Z's credits %+v, want one of 4.5 t and no bound on zb's 0.5 t", credits)
			}
		})
	}
}

// TestRunOutputsBeforeInputOnly (fix9i, 1): two output-only events of run
// Y (ya OZ 10 t, yc OZ 3 t) before an input-only event yd (100 t of Q):
// OZ is 10 + 3 = 13 t and Y produced 13 t: Nd 13 × 60 % = 7.8 t > 4.02
// t, Pr 13 × 20 % = 2.6 t > 1.005 t → element_gain (before: yd's one
// edge carried ya's 10 t only: Nd 6 t, and yc's 3 t was lost).
func TestRunOutputsBeforeInputOnly(t *testing.T) {
	db, svc := mbSvc(t)
	if err := capture(svc, feedAtMB("Q", 100)); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, runT("ya", "Y", "2025-11-20T00:00:00Z", "mb", "", 0, "OZ", 10, "")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, runT("yc", "Y", "2025-11-20T12:00:00Z", "mb", "", 0, "OZ", 3, "")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, inputOnly("yd", "Y", "2025-11-21T00:00:00Z", "Q", 100)); err != nil {
		t.Fatal(err)
	}
	oz, err := db.FindLot(context.Background(), "urn:t:lot:OZ")
	if err != nil || !near(oz.WetTonnes, 13) {
		t.Fatalf("OZ: %+v %v, want 10 + 3 = 13 t", oz, err)
	}
	_, gains := gainsOf(t, db, "OZ")
	for _, want := range []string{"outputs hold 7.8 t Nd but its inputs only 4 t", "outputs hold 2.6 t Pr but its inputs only 1 t"} {
		if !strings.Contains(gains, want) {
			t.Errorf("element_gain anomalies %q lack %q", gains, want)
		}
	}
}

// TestRunOutputBeforeInputTrace (fix9i, 1): the trace's mass check reads
// the run's output lines whatever the order of capture. Run X: xa
// (output-only, captured first) OX 150 t, then xb 100 t of Q → OX 0.5 t.
// Outputs 150 + 0.5 = 150.5 t > inputs 100 t × 1.005 →
// impossible_quantities "outputs weigh 150.5 t but its inputs only 100
// t" (before: none, the run read xb's 0.5 t alone).
func TestRunOutputBeforeInputTrace(t *testing.T) {
	db, svc := mbSvc(t)
	if err := capture(svc, feedAtMB("Q", 100)); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, strings.Replace(runT("xa", "X", "2025-11-20T00:00:00Z", "mb", "", 0, "OX", 150, ""), `"cm:value": 60`, `"cm:value": 1`, 1)); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, strings.Replace(runT("xb", "X", "2025-11-21T00:00:00Z", "mb", "Q", 100, "OX", 0.5, ""), `"cm:value": 60`, `"cm:value": 1`, 1)); err != nil {
		t.Fatal(err)
	}
	tr, err := custody.TraceLot(context.Background(), db, "urn:t:lot:OX", custody.Backward, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range tr.Anomalies {
		if a.Kind == "impossible_quantities" {
			got = append(got, a.Detail)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "outputs weigh 150.5 t but its inputs only 100 t") {
		t.Errorf("trace of OX: impossible_quantities %q; want one, outputs weigh 150.5 t but its inputs only 100 t", got)
	}
}
