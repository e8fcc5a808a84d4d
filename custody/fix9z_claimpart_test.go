package custody_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestClaimOnOutputLotReadsWholeLot (issue 9, fix9z item 2): a claim on a
// run's output lot is read on the whole lot as it stood when claimed —
// its body and every part at their own assays then — as the run's element
// balance reads the lot, never a part shipped and assayed after the
// claim. In mbStore (clock November 25): run Z1 (Nov 20) makes 1 t of
// NdPr oxide Z1 at Nd 60 % + Pr 20 %, claiming Pakistan 100 %: 1 × 0.8 =
// 0.8 t Nd+Pr claimed (within the 2.6 t PAK balance). On Nov 21, 0.4 t
// of Z1 leave for Karachi (B/L Z1K), received there on Nov 22 for BUY
// and assayed there on Nov 23 at Nd 50 % + Pr 20 %.
//   - The claim keeps 0.8 t: when it was made nothing had left, 1 t ×
//     80 %. Read with the later part (the lot's body assays then, its
//     parts now) it took 0.6 × 80 % + 0.4 × 70 % = 0.48 + 0.28 = 0.76 t.
//   - By its assays it holds 0.76 t now, and the later-assay note names
//     the part's assay (event aK), recorded on the part, not on the
//     body: "it holds 0.76 t Nd+Pr by its assays now; the claim rests on
//     the 0.8 t Nd+Pr it held when claimed".
//   - What it contains now (Claimed.Contains) is its physical figure:
//     Z1's run took 1 t of C2 (Nd 4 % + Pr 1 %: 0.04 + 0.01 t), so
//     Nd 0.56 t and Pr 0.2 t by assay are capped (element_gain) at
//     0.04 + 0.01 = 0.05 t (fix9ab: the claimed view never counts as
//     held what the physical view refuses).
func TestClaimOnOutputLotReadsWholeLot(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	const lot, port, buy = "urn:t:lot:Z1", "urn:t:site:karachi", "urn:t:party:BUY"
	if err := capture(svc, oxideRun("Z1", "2025-11-20T00:00:00Z", "Z1", 1, claimPAK)); err != nil {
		t.Fatal(err)
	}
	at := func(id, when, site, extra string) string {
		return strings.Replace(objectEv(id, when, lot, "OBSERVE", extra), "urn:t:site:mb", site, 1)
	}
	qty := func(ev string) string {
		return strings.Replace(ev, `"quantityList": [{"epcClass": "`+lot+`"}]`, `"quantityList": [{"epcClass": "`+lot+`", "quantity": 0.4, "uom": "TNE"}]`, 1)
	}
	ship := qty(at("zs", "2025-11-21T00:00:00Z", "urn:t:site:mb", `, "bizStep": "shipping", "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:Z1K"}]`))
	recv := qty(at("zr", "2025-11-22T00:00:00Z", port, `, "bizStep": "receiving", "disposition": "in_progress", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:Z1K"}],
	 "destinationList": [{"type": "owning_party", "destination": "`+buy+`"}, {"type": "possessing_party", "destination": "`+buy+`"}]`))
	assay := at("aK", "2025-11-23T00:00:00Z", port, `, "bizStep": "sampling", "sensorElementList": [{"sensorReport": [
	 {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 50, "uom": "P1", "cm:basis": "dry"},
	 {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 20, "uom": "P1", "cm:basis": "dry"}]}]`)
	if err := capture(svc, ship, recv, assay); err != nil {
		t.Fatal(err)
	}
	o, err := custody.OriginOf(ctx, db, lot, false)
	if err != nil {
		t.Fatal(err)
	}
	cl := o.Claimed
	if cl == nil || cl.Status != custody.ClaimAccepted {
		t.Fatalf("claim %+v, want accepted", cl)
	}
	if math.Abs(cl.Tonnes-0.8) > 1e-9 {
		t.Errorf("claim took %v t, want 1 t × 80 %% = 0.8 t (the whole lot when claimed), not 0.6 × 80 %% + 0.4 × 70 %% = 0.76 t", cl.Tonnes)
	}
	if math.Abs(cl.Contains-0.05) > 1e-9 || cl.NotCovered != 0 {
		t.Errorf("lot contains %v t (not covered %v), want the capped 0.04 + 0.01 = 0.05 t, nothing not covered", cl.Contains, cl.NotCovered)
	}
	if !slices.Contains(cl.ReassayedBy, "urn:t:ev:aK") || !strings.Contains(cl.ReassayNote, "it holds 0.76 t Nd+Pr by its assays now; the claim rests on the 0.8 t Nd+Pr it held when claimed") {
		t.Errorf("reassay %v %q, want the part's assay aK named: it holds 0.76 t by its assays now; the claim rests on the 0.8 t", cl.ReassayedBy, cl.ReassayNote)
	}
}
