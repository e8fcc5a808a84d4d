package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/ledger"
)

// h2oAt is an H2O MassConcentration of pct in uom P1 (per cent) sensed at.
func h2oAt(at string, pct float64) []any {
	return []any{map[string]any{"sensorMetadata": map[string]any{"time": at}, "sensorReport": []any{
		map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "H2O", "value": pct, "uom": "P1"}}}}
}

// weighedLot captures a copper lot (Cu 24 %, Au 4 g/t) commissioned and
// shipped on 2 Sep 2025 at loadQty in loadUOM with the B/L event's H2O
// blH2O % (uom P1), and — when recvKg > 0 — received on 4 Oct 2025 at
// recvKg kg with H2O recvH2O % (uom P1).
func weighedLot(t *testing.T, s *commercial.Service, lot string, loadQty float64, loadUOM string, blH2O, recvKg, recvH2O float64) {
	t.Helper()
	weighedLotAu(t, s, lot, loadQty, loadUOM, blH2O, recvKg, recvH2O, "g/t")
}

// weighedLotAu is weighedLot with the Au 4 assay in auUnit.
func weighedLotAu(t *testing.T, s *commercial.Service, lot string, loadQty float64, loadUOM string, blH2O, recvKg, recvH2O float64, auUnit string) {
	t.Helper()
	q := []any{map[string]any{"epcClass": lot, "quantity": loadQty, "uom": loadUOM}}
	evs := []map[string]any{
		{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"c"), "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": q,
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": auUnit, "cm:basis": "dry"}}}},
		{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"s"), "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": q, "sensorElementList": h2oAt("2025-09-02T07:00:00Z", blH2O),
			"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:" + uuidFor(lot)[:8]}}},
	}
	if recvKg > 0 {
		evs = append(evs, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"r"), "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
			"quantityList": qty(lot, recvKg), "sensorElementList": h2oAt("2025-10-04T10:00:00Z", recvH2O)})
	}
	capture(t, s, evs...)
}

var (
	provAt  = time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)
	finalAt = time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
)

// Issue 13, new-user recheck (fix13l, 1): the B/L event's H2O 0.09 in uom
// P1 is 0.09 %, a slip for 9 %. Receipt 99 800 kg at H2O 9 %: the outturn
// 99.8 ≥ 100 × (1 − 0.5 % franchise) = 99.5 wmt, so the loading figures
// stood: 100 × (1 − 0.09 %) = 99.91 dmt, while the discharge gives
// 99.8 × (1 − 9 %) = 90.818 dmt — 99.91 − 90.818 = 9.092 dmt of
// concentrate vanished on a 0.2 wmt wet change, and the final was issued.
// Dry loss may not exceed the wet loss 0.2 + 0.5 % × 99.91 = 0.49955
// (weighing) + 1 moisture point × 99.8 = 0.998 (sampling), i.e. 1.69755
// dmt; 9.092 is refused 409 whatever final_at says (discharge and loading
// alike). With the B/L H2O right (9): 91 dmt loaded, loss 91 − 90.818 =
// 0.182 ≤ 0.2 + 0.455 + 0.998, issued on the loading weight, 91 dmt.
func TestLoadingMoistureSlipRefusesFinalWhateverFinalAt(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	for _, at := range []string{"discharge", "loading"} {
		id := "T-AGREE-" + at
		termsFrom(t, s, "demo/cu-2025.json", id, func(m map[string]any) {
			delete(m, "assay_exchange")
			m["weights"] = map[string]any{"final_at": at, "franchise_pct": 0.5}
		})
		bad, good := "urn:critmin:test:lot:AGREE-BAD-"+at, "urn:critmin:test:lot:AGREE-OK-"+at
		weighedLot(t, s, bad, 100000, "KGM", 0.09, 99800, 9)
		weighedLot(t, s, good, 100000, "KGM", 9, 99800, 9)
		// The provisional on 0.09 % is refused by the moisture bound
		// (fix13n: below the plausible 3 % of a concentrate); accepted
		// here, so that the final's own check is what is tested.
		if _, err := s.IssueAt(ctx, id, bad, commercial.Provisional, provAt); critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Fatalf("%s provisional on H2O 0.09 %%: %v; want ECONFLICT", bad, err)
		}
		if _, err := s.IssueAccepting(ctx, id, bad, commercial.Provisional, provAt, []commercial.Acceptance{{Check: commercial.AcceptMoisture, By: "test", Reason: "to test the final"}}); err != nil {
			t.Fatalf("%s provisional, moisture accepted: %v", bad, err)
		}
		if _, err := s.IssueAt(ctx, id, good, commercial.Provisional, provAt); err != nil {
			t.Fatalf("%s provisional: %v", good, err)
		}
		v, _, err := s.Value(ctx, id, bad)
		if err != nil {
			t.Fatal(err)
		}
		if v.Final != nil || !strings.Contains(v.Missing, "dry loss exceeds the wet loss") {
			t.Errorf("final_at %s: valuation final %v, missing %q; want the final missing for the dry loss", at, v.Final != nil, v.Missing)
		}
		_, err = s.IssueAt(ctx, id, bad, commercial.Final, finalAt)
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Fatalf("final_at %s: final on contradicting weighings: %v; want ECONFLICT", at, err)
		}
		for _, want := range []string{bad, "discharge 90.818 dmt", "loading 99.91 dmt", "100 wmt × (1 − 0.09 %)", "99.8 wmt × (1 − 9 %)", "9.092 dmt", "(0.998 dmt) = 1.69755 dmt", "uom P1 is per cent"} {
			if !strings.Contains(critmin.ErrorMessage(err), want) {
				t.Errorf("final_at %s: refusal %q does not say %q", at, critmin.ErrorMessage(err), want)
			}
		}
		inv, err := s.IssueAt(ctx, id, good, commercial.Final, finalAt)
		if err != nil {
			t.Fatalf("final_at %s: final with the moisture right: %v", at, err)
		}
		eq(t, "final dmt", inv.Settlement.DMT, "91")
	}
}

// Issue 13, new-user recheck (fix13l, 2): loaded 100 t at 9 % = 91 dmt,
// received 99 000 kg at H2O 90 % (a slip): 99 × (1 − 90 %) = 9.9 dmt.
// The outturn 99 < 99.5 so the outturn stood and the final credited the
// seller's whole lot away. Dry loss 91 − 9.9 = 81.1 dmt against a wet loss
// of 1 wmt + 0.5 % × 91 = 0.455 + 1 point × 99 = 0.99: allowed 2.445
// dmt; refused 409.
func TestDryLossBeyondWetLossRefusesFinal(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-LOSS", func(m map[string]any) { delete(m, "assay_exchange") })
	lot := "urn:critmin:test:lot:LOSS-1"
	weighedLot(t, s, lot, 100000, "KGM", 9, 99000, 90)
	if _, err := s.IssueAt(ctx, "T-LOSS", lot, commercial.Provisional, provAt); err != nil {
		t.Fatal(err)
	}
	_, err := s.IssueAt(ctx, "T-LOSS", lot, commercial.Final, finalAt)
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("final on a 89 %% dry loss: %v; want ECONFLICT", err)
	}
	for _, want := range []string{"discharge 9.9 dmt", "81.1 dmt", "loading 91 dmt", "= 2.445 dmt"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("refusal %q does not say %q", critmin.ErrorMessage(err), want)
		}
	}
}

// Issue 13, new-user recheck (fix13l, 3): commissioning and B/L at
// 100 000 TNE (meant KGM) at 9 %: 100 000 × (1 − 9 %) = 91 000 dmt, past
// the contract's whole quantity 600 dmt + 10 % = 660 dmt. The provisional
// (before any receipt) is refused 409 naming the lot, both figures and
// the mass unit; the valuation gives the same reason. 100 000 KGM is
// 91 dmt ≤ 660: issued.
func TestLotBeyondContractQuantityRefusesProvisional(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-QTY", func(m map[string]any) { delete(m, "assay_exchange") })
	bad, good := "urn:critmin:test:lot:QTY-TNE", "urn:critmin:test:lot:QTY-KGM"
	weighedLot(t, s, bad, 100000, "TNE", 9, 0, 0)
	weighedLot(t, s, good, 100000, "KGM", 9, 0, 0)
	_, err := s.IssueAt(ctx, "T-QTY", bad, commercial.Provisional, provAt)
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("provisional on 91 000 dmt: %v; want ECONFLICT", err)
	}
	for _, want := range []string{bad, "91000 dmt", "100000 wmt", "600 dmt + 10 % tolerance = 660 dmt", "TNE tonnes"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("refusal %q does not say %q", critmin.ErrorMessage(err), want)
		}
	}
	if _, _, err := s.Value(ctx, "T-QTY", bad); err == nil || !strings.Contains(critmin.ErrorMessage(err), "exceeds the whole quantity") {
		t.Errorf("valuation of %s: %v; want the same reason", bad, err)
	}
	inv, err := s.IssueAt(ctx, "T-QTY", good, commercial.Provisional, provAt)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "provisional dmt", inv.Settlement.DMT, "91")
}

// Issue 13, new-user recheck after fix13l: the ports' moisture samples
// may differ by one point either way. Loading 100 wmt at 9 % = 91 dmt;
// discharge 100 wmt at 8 % = 92 dmt, a dry gain of 1 dmt (1.1 %), was
// refused although it is the ordinary sampling difference a dry loss is
// allowed. The limit is now 91 × 1.005 + 100 × 1 % = 91.455 + 1 =
// 92.455 dmt ≥ 92: the final is issued, on the discharge 92 dmt.
func TestOneMoisturePointDrierAtDischargeIsIssued(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-DRIER", func(m map[string]any) { delete(m, "assay_exchange") })
	lot := "urn:critmin:test:lot:DRIER-1"
	weighedLot(t, s, lot, 100000, "KGM", 9, 100000, 8)
	if _, err := s.IssueAt(ctx, "T-DRIER", lot, commercial.Provisional, provAt); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAt(ctx, "T-DRIER", lot, commercial.Final, finalAt); err != nil {
		t.Fatalf("final with the discharge sample one point drier (92 against 91 dmt): %v", err)
	}
}
