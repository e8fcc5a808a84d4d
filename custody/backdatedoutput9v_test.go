package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// bdEvent is one TransformationEvent of run xid at site mb: input
// in ("lot:t", none when empty) and output out (0.5 t of NdPr oxide at
// 64 % Nd + 16 % Pr = 0.4 t Nd+Pr, with ILMD claim claim; "lot:t" for
// another mass) when out is set.
func bdEvent(id, xid, when, in, out, claim string) string {
	ins, outs, ilmd := "", "", ""
	if in != "" {
		lot, t, _ := strings.Cut(in, ":")
		ins = `, "inputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + t + `, "uom": "TNE"}]`
	}
	if out != "" {
		lot, t, ok := strings.Cut(out, ":")
		if !ok {
			t = "0.5"
		}
		outs = `, "outputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + t + `, "uom": "TNE"}]`
		ilmd = `, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 64, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 16, "cm:unit": "%", "cm:basis": "dry"}]` + claim + `}`
	}
	x := ""
	if xid != "" {
		x = `, "transformationID": "urn:t:xid:` + xid + `"`
	}
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning"` +
		x + ins + outs + `, "bizLocation": {"id": "urn:t:site:mb"}` + ilmd + `}`
}

// backDatedStore is site mb (declaration: REE → NdPr oxide on Nd + Pr at
// 0.9, monthly periods, carry-forward 1) with one Pakistani feed AP (20 t
// at Nd 4 % + Pr 1 % = 1 t Nd+Pr) and a Chinese one CC (1000 t):
//
//	run R: R-IN  Nov 20 consumes AP (20 t), no output;
//	       R-OUT Nov 5  outputs PR (1.2 t × 80 % = 0.96 t Nd+Pr ≥ the run's
//	                    0.9 t credit, fix9c; Nd 0.768 ≤ 0.8, Pr 0.192 ≤
//	                    0.2), no claim — captured
//	       after R-IN, so the store links AP → PR by R-OUT's event.
//	Y:     Nov 10 10 t of CC → Y1 (0.4 t Nd+Pr), claims Pakistan.
//	Z:     Nov 25 10 t of CC → Z1 (0.4 t Nd+Pr), claims Pakistan.
//
// AP was consumed on November 20: its credit, 1 t × 0.9 = 0.9 t Nd+Pr
// Pakistani, exists from then, not from R-OUT's November 5. Y1's claim
// (Nov 10) finds no Pakistani credit (balance 0): refused, shortfall 0.4.
// Z1's claim (Nov 25) draws 0.4 of the 0.9: accepted; closing 0.5.
func backDatedStore(t *testing.T) *sqldb.DB {
	t.Helper()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("AP", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		feed("CC", "ree_concentrate", "CHN", 1000, "Nd:4", "Pr:1"),
		bdEvent("R-IN", "R", "2025-11-20T00:00:00Z", "AP:20", "", ""),
		bdEvent("R-OUT", "R", "2025-11-05T00:00:00Z", "", "PR:1.2", ""),
		bdEvent("Y", "", "2025-11-10T00:00:00Z", "CC:10", "Y1", claimPAK),
		bdEvent("Z", "", "2025-11-25T00:00:00Z", "CC:10", "Z1", claimPAK),
	))
	if err := custody.DeclareMassBalance(context.Background(), db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestBackDatedOutputCreditAtConsumption (fix9v item 1): a run's credit
// from an input is booked when the input was consumed, not at an earlier
// output-only event of the run: credit time = max(input consumption time,
// output time), per input (ISO 22095-2 §5: credits enter the account when
// the qualifying input is consumed by the process).
func TestBackDatedOutputCreditAtConsumption(t *testing.T) {
	db := backDatedStore(t)
	ctx := context.Background()
	now := time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	// November PAK: opening 0, credits 0.9 (Nov 20), claims 0.4 (Z1), closing 0.5.
	sameLine(t, "2025-11", line(t, st, "ree", "PAK"), 0, 0.9, 0.4, 0, 0.5)
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "credit" && e.Country == "PAK" && !e.Time.Equal(time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("PAK credit booked at %s, want 2025-11-20 (AP consumed by R-IN)", e.Time)
			}
		}
	}
	var y1 bool
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:Y1" {
			y1 = true
		}
	}
	if !y1 {
		t.Errorf("Y1's claim (Nov 10) was not refused: the credit from AP exists only from Nov 20; refused %+v", st.Refused)
	}
	// The genealogy dates AP → PR at AP's consumption (Nov 20), by every
	// reader: none before, one after, the lot's own edges alike.
	nov := func(d int) time.Time { return time.Date(2025, 11, d, 0, 0, 0, 0, time.UTC) }
	for _, w := range []struct {
		from, to time.Time
		n        int
	}{{nov(1), nov(15), 0}, {nov(15), nov(30), 1}} {
		es, err := db.EdgesAt(ctx, "urn:t:site:mb", w.from, w.to)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range es {
			if e.Child == "urn:t:lot:PR" {
				n++
				if !e.EventTime.Equal(nov(20)) {
					t.Errorf("EdgesAt: AP → PR dated %s, want Nov 20", e.EventTime)
				}
			}
		}
		if n != w.n {
			t.Errorf("EdgesAt [%s, %s): %d edges into PR, want %d", w.from, w.to, n, w.n)
		}
	}
	for _, up := range []bool{true, false} {
		ids := []string{"urn:t:lot:PR"}
		if !up {
			ids = []string{"urn:t:lot:AP"}
		}
		es, err := db.LotEdges(ctx, ids, up)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Child == "urn:t:lot:PR" && !e.EventTime.Equal(nov(20)) {
				t.Errorf("LotEdges(upstream %v): AP → PR dated %s, want Nov 20", up, e.EventTime)
			}
		}
	}
	es, err := db.UpstreamEdges(ctx, "urn:t:lot:PR", 10)
	if err != nil || len(es) != 1 || !es[0].EventTime.Equal(nov(20)) {
		t.Errorf("UpstreamEdges(PR) = %+v (%v), want AP → PR dated Nov 20", es, err)
	}
	o, err := custody.Origin(ctx, db, "urn:t:lot:Y1")
	if err != nil {
		t.Fatal(err)
	}
	if o.Claimed == nil || o.Claimed.Status != custody.ClaimRefused || !near(o.Claimed.Shortfall, 0.4) {
		t.Errorf("Y1 claim %+v, want refused with shortfall 0.4", o.Claimed)
	}
	o, err = custody.Origin(ctx, db, "urn:t:lot:Z1")
	if err != nil {
		t.Fatal(err)
	}
	if o.Claimed == nil || o.Claimed.Status != custody.ClaimAccepted {
		t.Errorf("Z1 claim %+v, want accepted", o.Claimed)
	}
}

// TestBackDatedOutputCaptureCheck (fix9v item 1, at capture): the check
// that captures a claim dates a run's credit as the store does. Site mb
// holds AP's run input R-IN (Nov 20) alone; a document then brings R-OUT
// (Nov 5, output PR of run R) and Y (Nov 10, Y1 claims 0.4 t Nd+Pr
// Pakistani). AP's 0.9 t credit exists from Nov 20: Y1's claim finds a
// Pakistani balance of 0 and is refused, shortfall 0.4; the capture
// stores nothing. Z (Nov 25, Z1 claims 0.4) is accepted: 0.4 ≤ 0.9.
func TestBackDatedOutputCaptureCheck(t *testing.T) {
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("AP", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		feed("CC", "ree_concentrate", "CHN", 1000, "Nd:4", "Pr:1"),
		bdEvent("R-IN", "R", "2025-11-20T00:00:00Z", "AP:20", "", ""),
	))
	ctx := context.Background()
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.Now = clockAt("2025-11-28T00:00:00Z")
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(bdEvent("R-OUT", "R", "2025-11-05T00:00:00Z", "", "PR:1.2", ""), bdEvent("Y", "", "2025-11-10T00:00:00Z", "CC:10", "Y1", claimPAK))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "lot urn:t:lot:Y1 claims 0.4 t Nd+Pr of Pakistan origin but the balance holds 0 t (shortfall 0.4 t)") {
		t.Fatalf("Y1's claim before AP was consumed: %v, want EINVALID refusing Y1 with shortfall 0.4", err)
	}
	if ls, _ := db.FindLotsByID(ctx, []string{"urn:t:lot:Y1"}); len(ls) != 0 {
		t.Errorf("refused capture stored Y1")
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(bdEvent("R-OUT", "R", "2025-11-05T00:00:00Z", "", "PR:1.2", ""), bdEvent("Z", "", "2025-11-25T00:00:00Z", "CC:10", "Z1", claimPAK))}); err != nil {
		t.Fatalf("Z1's claim after AP was consumed: %v", err)
	}
}
