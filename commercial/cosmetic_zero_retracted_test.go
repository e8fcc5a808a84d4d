package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// Issue 13, new-user recheck (fix13l, 6): Au 0.5 g/t is below the
// contract's min_grade 1 g/t, so nothing is payable: 0 g/dmt ÷ 31.1034768
// = 0 ozt × 5 USD/ozt = 0. The refining-charge line read "−0 g/dmt
// payable"; a charge on nothing carries no minus sign.
func TestRefiningChargeOnNothingPayableHasNoNegativeZero(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	lot := cuLot()
	g := lot.Assays["Au"]
	g.Value = d("0.5")
	lot.Assays["Au"] = g
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: cuPrices()})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range st.Lines {
		if l.Code != "rc:Au" {
			continue
		}
		eq(t, "rc:Au per dmt", l.PerDMT, "0")
		if strings.Contains(l.Formula, "−0 ") || strings.Contains(l.Formula, "-0 ") || !strings.HasPrefix(l.Formula, "0 g/dmt payable") {
			t.Errorf("rc:Au formula %q; want \"0 g/dmt payable …\" without a negative zero", l.Formula)
		}
		return
	}
	t.Fatalf("no rc:Au line in %+v", st.Lines)
}

// Issue 13, new-user recheck (fix13l, 6): after the antimony lot's B/L is
// declared in error, every invoice of the lot rests on it; the valuation
// listed the event once per invoice (duplicates in retracted_events, the
// same warning printed twice, no invoice named). Each event is listed
// once, naming every invoice that rests on it.
func TestValuationListsEachRetractedEventOnceNamingItsInvoices(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	const contract = "FWO-USSM-SB-2025"
	v, _, err := s.Value(ctx, contract, commercial.DemoAntimonyLot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAt(ctx, contract, commercial.DemoAntimonyLot, commercial.Final, finalAt); err != nil && critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Logf("final: %v", err)
	}
	bl := v.Facts.BLEvent
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{bl}, Limit: 1})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("B/L event %s: %v", bl, err)
	}
	body, err := epcis.EventWithContext(page.Events[0])
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	ev["errorDeclaration"] = map[string]any{"declarationTime": "2025-12-01T09:00:00Z", "reason": "incorrect_data"}
	ctxt := ev["@context"]
	delete(ev, "@context")
	body, _ = json.Marshal(map[string]any{"@context": ctxt, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T09:00:00Z",
		"epcisBody": map[string]any{"eventList": []any{ev}}})
	if _, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatal(err)
	}
	v, _, err = s.Value(ctx, contract, commercial.DemoAntimonyLot)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Invoices) < 2 {
		t.Fatalf("want the lot's provisional and final invoices; have %d", len(v.Invoices))
	}
	if len(v.Retracted) != 1 || v.Retracted[0].EventID != bl {
		t.Fatalf("retracted_events = %+v; want the B/L event %s once", v.Retracted, bl)
	}
	for _, inv := range v.Invoices {
		found := false
		for _, id := range v.Retracted[0].Invoices {
			found = found || id == inv.ID
		}
		if !found {
			t.Errorf("retracted event %s names invoices %v, not %s", bl, v.Retracted[0].Invoices, inv.ID)
		}
	}
}
