package refinery_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqlite"
)

// The demo corridor's refinery run (event 023/024 at refinery-mo,
// 20 Oct 2025) becomes the check-in and check-out of October:
//
//	feed: REE-2025-001 24,950 kg + REE-2025-002 17,980 kg, wet, at the lots'
//	      moisture → dry tonnes as the lot view gives them
//	ndpr_oxide: NDPR-2025-001 2,530 kg, moisture 0, Nd2O3 74.5 % → Nd
//	      74.5 × 0.857356 = 63.873021 %; Pr6O11 24.8 % → Pr 24.8 × 0.827704 = 20.527063 %
//	lace_carbonate: LACE-2025-001 16,640 kg at 12 % moisture = 14.6432 dmt
//
// The feed is concentrate at about 45 % TREO (illustrative): REE-2025-001
// 24.95 t at 8 % moisture = 22.954 dmt, Nd2O3 5.3 % (its latest assay, the
// lab's sensor reading) → 22.954 × 5.3 % × 0.857356 = 1.043027 t Nd;
// REE-2025-002 17.98 t at 7 % = 16.7214 dmt, Nd2O3 5.1 % → 0.731146 t Nd;
// 1.774173 t Nd in. Out: 2.53 × 63.873021 % = 1.615987 t Nd: recovery 91.1 %
// (Nd2O3 → Nd 0.857356, Pr6O11 → Pr 0.827704: IUPAC 2021 atomic weights).
//
// and the residue, unmeasured, closes the balance.
func TestFromLedgerDemoCorridor(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := demo.Load(ctx, ledger.NewService(store)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("demo/refinery-mo.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flow, err := refinery.DecodeProblemUnvalidated(f)
	if err != nil {
		t.Fatal(err)
	}
	site := "urn:critmin:demo:site:refinery-mo"
	p, err := refinery.FromLedger(ctx, store, flow, site, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	lots, err := store.FindLotsByID(ctx, []string{"urn:critmin:demo:lot:REE-2025-001", "urn:critmin:demo:lot:REE-2025-002"})
	if err != nil || len(lots) != 2 {
		t.Fatalf("lots: %v", err)
	}
	wantFeed := 0.0
	for _, l := range lots {
		m := 0.0
		if l.Moisture != nil {
			m = *l.Moisture
		}
		q := map[string]float64{"urn:critmin:demo:lot:REE-2025-001": 24.950, "urn:critmin:demo:lot:REE-2025-002": 17.980}[l.ID]
		wantFeed += q * (1 - m)
	}
	s := map[string]refinery.Stream{}
	for _, st := range p.Streams {
		s[st.ID] = st
	}
	near(t, "feed dry t", s["ree_feed"].Mass.Value, wantFeed, 1e-9)
	near(t, "ndpr t", s["ndpr_oxide"].Mass.Value, 2.530, 1e-12)
	near(t, "ndpr Nd %", s["ndpr_oxide"].Grade["Nd"].Value, 74.5*ndOx, 1e-9)
	near(t, "ndpr Pr %", s["ndpr_oxide"].Grade["Pr"].Value, 24.8*prOx, 1e-9)
	near(t, "lace dry t", s["lace_carbonate"].Mass.Value, 16.64*0.88, 1e-9)
	// Each lot: var(dry) = (1 − m)²·(0.005·w)² + w²·0.005² (weighing 0.5 %,
	// moisture 0.5 % abs., first order), summed over the two lots.
	near(t, "feed mass sd", s["ree_feed"].Mass.SD, math.Sqrt(dryVar(lots[0], 24.95)+dryVar(lots[1], 17.98)), 1e-9)
	if src := s["ndpr_oxide"].Mass.Source; len(src) != 2 || src[0] != "urn:critmin:demo:event:023" {
		t.Errorf("source %v", src)
	}
	if s["residue"].Mass != nil {
		t.Error("the residue, which the ledger does not record, got a mass")
	}
	r := mustReconcile(t, p)
	// Nothing is redundant (the residue is unmeasured), so the recovery of
	// Nd into the oxide is the raw one: 2.53 × 63.876 % / (feed × grade)
	// = 1.61606 / 1.77430 = 0.91082.
	var rec float64
	for _, a := range r.Accounts {
		if a.Element == "Nd" {
			rec = float64(a.Recovery["ndpr_oxide"])
		}
	}
	feedNd := s["ree_feed"].Mass.Value * s["ree_feed"].Grade["Nd"].Value / 100
	near(t, "Nd recovery", rec, 2.53*74.5*ndOx/100/feedNd, 1e-9)
	near(t, "Nd recovery by hand", rec, 2.53*0.745*ndOx/(24.95*0.92*0.053*ndOx+17.98*0.93*0.051*ndOx), 1e-6)

	if _, err := refinery.FromLedger(ctx, store, flow, site, "2025-09", refinery.Precision{}); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("a month without transformations: %v, want EINVALID", err)
	}
	flow.Streams[2].Commodity = "something_else"
	if _, err := refinery.FromLedger(ctx, store, flow, site, "2025-10", refinery.Precision{}); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("a lot whose commodity no stream carries: %v, want EINVALID", err)
	}
}

func dryVar(l *critmin.Lot, wet float64) float64 {
	if l.Moisture == nil {
		return (0.005 * wet) * (0.005 * wet)
	}
	m := *l.Moisture
	return (1-m)*(1-m)*(0.005*wet)*(0.005*wet) + wet*wet*0.005*0.005
}

// The demo corridor's refinery (REE line and Sb roaster, sharing no
// stream) from the ledger: each unit is just determined (measured feed
// and products, unmeasured residue), so dof = 0 + 0 and no measurement is
// adjusted or made more precise (before the fix: dof 1, the Sb residue's
// grade sd 0.036 instead of 0.459). A flowsheet that names another site
// than the one asked for is refused, naming /site.
func TestFromLedgerCorridorJustDetermined(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := demo.Load(ctx, ledger.NewService(store)); err != nil {
		t.Fatal(err)
	}
	flow, err := refinery.CorridorFlowsheet()
	if err != nil {
		t.Fatal(err)
	}
	p, err := refinery.FromLedger(ctx, store, flow, refinery.CorridorSite, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	if r.DOF != 0 || r.ChiSquare != 0 {
		t.Errorf("dof %d χ² %g, want 0 and 0", r.DOF, r.ChiSquare)
	}
	for _, s := range r.Streams {
		if e := s.Mass; e.Measured != nil && float64(e.SD) != *e.MeasuredSD {
			t.Errorf("%s mass sd %g, measured %g", s.ID, float64(e.SD), *e.MeasuredSD)
		}
		if s.ID == "sb_residue" && float64(s.Grade["Sb"].SD) < 0.3 {
			t.Errorf("sb_residue Sb sd %g, want that of the roaster alone (≈0.459)", float64(s.Grade["Sb"].SD))
		}
	}
	flow.Site = "urn:critmin:demo:site:elsewhere"
	_, err = refinery.FromLedger(ctx, store, flow, refinery.CorridorSite, "2025-10", refinery.Precision{})
	var e *critmin.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Pointer != "/site" {
		t.Errorf("flowsheet of another site: %v, want /site refused", err)
	}
}

// One run told in two events a day apart (EPCIS 2.0 transformationID):
// X1 consumes A (100 t dry at 4 % Nd) and outputs the oxide O1 (2 t);
// X2 outputs only the carbonate L1 (3 t). The store links A to L1 too, but
// the feed is A's 100 t once — counted in X1, which lists it — not 200 t.
func TestFromLedgerRunInTwoEvents(t *testing.T) {
	ctx := context.Background()
	const site = plantSite
	doc := plantDoc(`
  {"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`, `
  {"type": "TransformationEvent", "eventID": "urn:t:ev:X1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R1",
   "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 2, "uom": "TNE"}],
   "bizLocation": {"id": "`+site+`"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}`, `
  {"type": "TransformationEvent", "eventID": "urn:t:ev:X2", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R1",
   "outputQuantityList": [{"epcClass": "urn:t:lot:L1", "quantity": 3, "uom": "TNE"}],
   "bizLocation": {"id": "`+site+`"}, "ilmd": {"cm:commodity": "lace_carbonate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	p := plantProblem(t, ctx, plantLedger(t, ctx, doc), `{"elements": ["Nd"], "nodes": [{"id": "plant"}], "streams": [
  {"id": "feed", "kind": "feed", "commodity": "ree_concentrate", "to": "plant"},
  {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant"},
  {"id": "lace", "kind": "product", "commodity": "lace_carbonate", "from": "plant"},
  {"id": "residue", "kind": "residue", "from": "plant"}]}`)
	want := map[string]float64{"feed": 100, "oxide": 2, "lace": 3}
	for _, s := range p.Streams {
		if w, ok := want[s.ID]; ok && (s.Mass == nil || math.Abs(s.Mass.Value-w) > 1e-9) {
			t.Errorf("%s: %+v, want %g t", s.ID, s.Mass, w)
		}
	}
}

// TestFlowsheetValueAndLedgerRefused (nu12b-2 item 3): a quantity given
// in the flowsheet that the ledger measures as well — ree_feed's mass
// (the ledger reads 39.675 t from the received lots) or its Nd grade
// (ledger 4.4719 %) — is refused naming the stream's field, never
// silently replaced by the ledger's value.
func TestFlowsheetValueAndLedgerRefused(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := demo.Load(ctx, ledger.NewService(store)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, field string }{{"mass", "mass_t"}, {"grade", "grade_pct/Nd"}} {
		t.Run(c.name, func(t *testing.T) {
			flow, err := refinery.CorridorFlowsheet()
			if err != nil {
				t.Fatal(err)
			}
			si := -1
			for i := range flow.Streams {
				if flow.Streams[i].ID == "ree_feed" {
					si = i
				}
			}
			if si < 0 {
				t.Fatal("no ree_feed in the corridor flowsheet")
			}
			q := refinery.M(50, 0.5)
			if c.name == "mass" {
				flow.Streams[si].Mass = q
			} else {
				q.Value, q.SD = 3.0, 0.1
				if flow.Streams[si].Grade == nil {
					flow.Streams[si].Grade = map[string]*refinery.Quantity{}
				}
				flow.Streams[si].Grade["Nd"] = q
			}
			_, err = refinery.FromLedger(ctx, store, flow, refinery.CorridorSite, "2025-10", refinery.Precision{})
			var e *critmin.Error
			want := fmt.Sprintf("/streams/%d/%s", si, c.field)
			if !errors.As(err, &e) || critmin.ErrorCode(err) != critmin.EINVALID || len(e.Fields) != 1 || e.Fields[0].Pointer != want || !strings.Contains(err.Error(), "given in the flowsheet") {
				t.Errorf("got %v, want EINVALID at %s", err, want)
			}
		})
	}
}

// A run split over three events (EPCIS 2.0 §7.4.6), counted as capture
// and verify count it (ledger.RunLinks, ledger.RunConsumption):
//
//	S1 (5 Oct): input A 60 t, no output yet
//	S2 (6 Oct): input B 40 t, output O 2 t
//	S3 (7 Oct): output O 1 t more (an output-only event of the run)
//
// feed = A 60 + B 40 = 100 t (A's line, stated before the run had an
// output, is carried by S2's edge A→O, which S2 itself does not list);
// oxide = 2 + 1 = 3 t: each event states what it produced (fix9f,
// ledger.RunProduced; lot O is 3 t too), S2's 2 t counted once although
// S3's replayed edges from A and B also lead to O. Before fix9f the
// ledger read 2 t (the largest line) and lot O read 1 t (the last).
func TestFromLedgerSplitRunCountedOnce(t *testing.T) {
	ctx := context.Background()
	const site = plantSite
	commission := func(id string, q float64) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": ` + fmt.Sprint(q) + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "AUS", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	oxide := `"ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}`
	store := plantLedger(t, ctx, plantDoc(commission("A", 60), commission("B", 40), `
  {"type": "TransformationEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R",
   "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 60, "uom": "TNE"}], "bizLocation": {"id": "`+site+`"}}`, `
  {"type": "TransformationEvent", "eventID": "urn:t:ev:S2", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R",
   "inputQuantityList": [{"epcClass": "urn:t:lot:B", "quantity": 40, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 2, "uom": "TNE"}],
   "bizLocation": {"id": "`+site+`"}, `+oxide+`}`, `
  {"type": "TransformationEvent", "eventID": "urn:t:ev:S3", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R",
   "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "`+site+`"}, `+oxide+`}`))
	p := plantProblem(t, ctx, store, plantFlow)
	want := map[string]float64{"feed": 100, "oxide": 3}
	for _, s := range p.Streams {
		if w, ok := want[s.ID]; ok && (s.Mass == nil || math.Abs(s.Mass.Value-w) > 1e-9) {
			t.Errorf("%s: %+v, want %g t", s.ID, s.Mass, w)
		}
	}
	if o, err := store.FindLot(ctx, "urn:t:lot:O"); err != nil || math.Abs(o.WetTonnes-3) > 1e-9 {
		t.Errorf("lot O: %+v %v, want 2 + 1 = 3 t", o, err)
	}
	// Feed Nd grade: both lots at 4 %: (60·4 + 40·4)/100 = 4 %.
	for _, s := range p.Streams {
		if s.ID == "feed" && (s.Grade["Nd"] == nil || math.Abs(s.Grade["Nd"].Value-4) > 1e-9) {
			t.Errorf("feed Nd grade %+v, want 4 %%", s.Grade["Nd"])
		}
	}
}

// Oxide → element factors of the hand-worked figures: n·A(M) over the
// formula mass, IUPAC 2021 standard atomic weights.
const (
	ndOx = 2 * 144.242 / (2*144.242 + 3*15.999)      // Nd2O3 → Nd 0.857356
	prOx = 6 * 140.90766 / (6*140.90766 + 11*15.999) // Pr6O11 → Pr 0.827704
)
