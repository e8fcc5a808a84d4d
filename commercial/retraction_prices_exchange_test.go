package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// retract declares event id in error at the given time (EPCIS 2.0
// §7.4.1.2), as a user would by recapturing it with an errorDeclaration.
func retract(t *testing.T, s *commercial.Service, id string, at string) {
	t.Helper()
	ctx := context.Background()
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{id}, Limit: 1})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("event %s: %v", id, err)
	}
	body, err := epcis.EventWithContext(page.Events[0])
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	ev["errorDeclaration"] = map[string]any{"declarationTime": at, "reason": "incorrect_data"}
	ctxt := ev["@context"]
	delete(ev, "@context")
	body, _ = json.Marshal(map[string]any{"@context": ctxt, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": at,
		"epcisBody": map[string]any{"eventList": []any{ev}}})
	if _, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatal(err)
	}
}

// Issue 13, second check, items 3 and 4: the NdPr lot (provisional
// invoice only) loses its bill of lading to a retraction on 20 Nov 2025.
// Before, the whole exposure report failed (400, "no B/L date") and so did
// the lot's settlement. Now the exposure lists the other provisional-only
// lots with their quantities and the NdPr lot with retracted_events and
// not_valued; the settlement lists the lot's invoice and says why it is
// not computable.
func TestRetractedLotDoesNotHideOthers(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	v, _, err := s.Value(ctx, commercial.DemoContractFor[commercial.DemoNdPrLot], commercial.DemoNdPrLot)
	if err != nil {
		t.Fatal(err)
	}
	bl := v.Facts.BLEvent
	retract(t, s, bl, "2025-11-20T09:00:00Z")
	ex, err := s.Exposure(ctx, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatalf("exposure with one retracted lot: %v", err)
	}
	var flagged, others int
	for _, l := range ex.Lots {
		if l.Lot == v.Lot {
			if l.NotValued == "" || len(l.Retracted) != 1 || l.Retracted[0].EventID != bl {
				t.Errorf("NdPr lot not flagged: %+v", l)
			}
			flagged++
		} else if len(l.Payable) > 0 && l.DMT.IsPositive() {
			others++
		}
	}
	// Provisional-only on 25 Nov: the two REE lots (the NdPr lot is
	// flagged; copper and antimony were finally invoiced 5 and 10 Nov),
	// and REE-2025-003, shipped under the REE contract and not yet
	// invoiced (fix13t: exposure before the invoice).
	if flagged != 1 || others != 3 {
		t.Errorf("exposure lots: flagged %d (want 1), valued others %d (want 3): %+v", flagged, others, ex.Lots)
	}
	v, _, err = s.Value(ctx, commercial.DemoContractFor[commercial.DemoNdPrLot], commercial.DemoNdPrLot)
	if err != nil {
		t.Fatalf("settlement of a lot whose invoice rests on a retracted B/L: %v", err)
	}
	if v.NotComputable == "" || v.Provisional != nil || len(v.Invoices) != 1 || len(v.Retracted) != 1 || !strings.Contains(v.NotComputable, bl) {
		t.Errorf("valuation = not_computable %q, %d invoices, retracted %+v", v.NotComputable, len(v.Invoices), v.Retracted)
	}
}

// Issue 13, second check, item 1: the antimony lot's final invoice was
// issued on 10 Nov 2025; an agency assessment dated 31 Oct (inside its
// October QP) imported afterwards is refused naming the invoice; imported
// as a correction it is accepted, and the lot's view still shows the
// issued final balance, flagging the current figure naming 2025-10-31.
func TestLatePriceIntoClosedQP(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	contract := commercial.DemoContractFor[commercial.DemoAntimonyLot]
	fin, err := s.Invoice(ctx, commercial.InvoiceID(contract, commercial.DemoAntimonyLot, commercial.Final))
	if err != nil {
		t.Fatal(err)
	}
	var series, from, to string
	for _, p := range fin.Settlement.Prices {
		series, from, to = p.Series, p.From, p.To
	}
	if series == "" || from > "2025-10-31" || to < "2025-10-31" {
		t.Fatalf("antimony final QP %s %s…%s does not hold 31 Oct", series, from, to)
	}
	ps, err := s.PriceSeries(ctx, series)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps.Points {
		if p.Date == "2025-10-31" {
			t.Fatalf("the demo already prices 31 Oct")
		}
	}
	csv := "series,date,value,unit,currency,source,frequency\n" + series + ",2025-10-31,40," + ps.Unit + "," + ps.Currency + ",\"" + ps.Source + "\"," + ps.Frequency + "\n"
	_, err = s.ImportPrices(ctx, strings.NewReader(csv), commercial.PriceSeries{})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), fin.ID) {
		t.Fatalf("late price into a closed QP: err = %v, want ECONFLICT naming %s", err, fin.ID)
	}
	if ps2, _ := s.PriceSeries(ctx, series); len(ps2.Points) != len(ps.Points) {
		t.Fatalf("the refused import stored %d points (had %d)", len(ps2.Points), len(ps.Points))
	}
	if _, err := s.ImportPriceCorrections(ctx, strings.NewReader(csv), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	v, _, err := s.Value(ctx, contract, commercial.DemoAntimonyLot)
	if err != nil {
		t.Fatal(err)
	}
	if v.FinalBalance == nil || !v.FinalBalance.Equal(fin.Total) || !v.LotValue.Equal(fin.Settlement.Value) {
		t.Errorf("view shows balance %v, value %s; the issued final says %s, %s", v.FinalBalance, v.LotValue, fin.Total, fin.Settlement.Value)
	}
	if v.Figures != "issued final invoice "+fin.ID {
		t.Errorf("figures = %q", v.Figures)
	}
	if v.CurrentDiffers == nil || !strings.Contains(v.CurrentDiffers.Reason, "2025-10-31") || v.CurrentDiffers.FinalBalance == nil || v.CurrentDiffers.FinalBalance.Equal(fin.Total) {
		t.Errorf("current differs = %+v, want the late day 2025-10-31 named and a different balance", v.CurrentDiffers)
	}
}

// Item 2: the demo copper lot was exchanged as a whole (seller, buyer and
// umpire results without a sublot). A later sublot submission was kept and
// the whole-lot results silently dropped; now it is refused (ECONFLICT)
// naming an earlier whole-lot event, and results mixing the two captured
// directly are refused by SettleAssays naming both events.
func TestNoMixOfLotAndSublotExchange(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	dmt := d("500")
	sub := &commercial.ExchangeSubmission{Lot: commercial.DemoCopperLot, Party: "seller", Lab: "urn:lab:s", At: time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC),
		Sublot: "A", SublotDMT: &dmt, Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d("22.0"), Unit: "%"}}}
	if _, err := s.SubmitAssays(ctx, sub); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "event urn:") {
		t.Errorf("sublot submission on a whole-lot exchange: err = %v, want ECONFLICT naming the earlier event", err)
	}
	x := &commercial.AssayExchangeTerms{Rule: "split"}
	res := []commercial.AssayResult{
		{Party: "seller", Analyte: "Cu", Value: d("22.0"), Unit: "%", EventID: "ev:whole-s"},
		{Party: "buyer", Analyte: "Cu", Value: d("22.1"), Unit: "%", EventID: "ev:whole-b"},
		{Sublot: "A", Party: "seller", Analyte: "Cu", Value: d("23.0"), Unit: "%", EventID: "ev:sub-s"},
		{Sublot: "A", Party: "buyer", Analyte: "Cu", Value: d("23.1"), Unit: "%", EventID: "ev:sub-b"},
	}
	_, _, err := commercial.SettleAssays(x, res, []commercial.Sublot{{ID: "A", DMT: d("100")}}, []string{"Cu"})
	if !hasField(err, "/assay_exchange") || !strings.Contains(err.Error(), "ev:whole-s") || !strings.Contains(err.Error(), "ev:sub-s") {
		t.Errorf("mixed exchange: err = %v, want one naming ev:whole-s and ev:sub-s", err)
	}
}

// Item 7: a party that resubmits its sublot weight (seller 20 dmt in
// ev:s1, then 21 dmt in ev:s2) is told the rule and the event to retract:
// the later submission supersedes the earlier only once ev:s1 is declared
// in error. Likewise for two results of one analyte.
func TestResubmissionNamesEventToRetract(t *testing.T) {
	x := &commercial.AssayExchangeTerms{Rule: "split"}
	res := []commercial.AssayResult{
		{Sublot: "A", Party: "seller", Analyte: "Cu", Value: d("23.0"), Unit: "%", EventID: "ev:s1"},
		{Sublot: "A", Party: "buyer", Analyte: "Cu", Value: d("23.1"), Unit: "%", EventID: "ev:b1"},
	}
	subs := []commercial.Sublot{{ID: "A", DMT: d("21"), Reports: []commercial.SublotWeight{{Party: "seller", DMT: d("20"), EventID: "ev:s1"}, {Party: "seller", DMT: d("21"), EventID: "ev:s2"}}}}
	_, _, err := commercial.SettleAssays(x, res, subs, []string{"Cu"})
	if !hasField(err, "/sublots/A") || !strings.Contains(err.Error(), "retract event ev:s1") || !strings.Contains(err.Error(), "declared in error") {
		t.Errorf("weight resubmission: err = %v", err)
	}
	res = append(res, commercial.AssayResult{Sublot: "A", Party: "seller", Analyte: "Cu", Value: d("23.2"), Unit: "%", EventID: "ev:s2"})
	_, _, err = commercial.SettleAssays(x, res, []commercial.Sublot{{ID: "A", DMT: d("21")}}, []string{"Cu"})
	if err == nil || !strings.Contains(err.Error(), "retract event ev:s1") {
		t.Errorf("result resubmission: err = %v", err)
	}
}

// Item 6: cuLot (loading 1000 wmt, 8 %; discharge 8.2 %) under final_at
// discharge with a 0.5 % franchise.
//   - Outturn gain, 1003 wmt: the discharge weight counts, gain included:
//     1003 × (1 − 0.082) = 1003 × 0.918 = 920.754 dmt.
//   - The same with weights.gain "loading": the loading weight with the
//     loading moisture (moisture follows the weight), 1000 × 0.92 =
//     920.000 dmt (before: 1000 × 0.918 = 918, water measured at discharge).
//   - Outturn 997 wmt (loss within the franchise, 997 ≥ 995): the loading
//     weight and moisture, 920.000 dmt, no warning.
//   - Outturn 994 wmt (below 995): the outturn weight with the discharge
//     moisture, 994 × 0.918 = 912.492 dmt.
//   - The same with no discharge moisture determination: refused
//     (fix13t: no determination, no dry tonnes); when the parties accept
//     the loading 8 % (loading_moisture): 994 × 0.92 = 914.480 dmt, said
//     so in its warnings.
func TestDischargeGainAndMoisture(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	final := func(ts *commercial.TermSheet, lot *commercial.LotFacts) *commercial.Settlement {
		t.Helper()
		st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	lot := cuLot()
	lot.Discharge.WMT = d("1003")
	eq(t, "gain, final at discharge", final(ts, lot).DMT, "920.754")
	keep := MustTerms(t, strings.Replace(mustFile(t, "testdata/cu-conc.json"), `"franchise_pct": 0.5}`, `"franchise_pct": 0.5, "gain": "loading"}`, 1))
	eq(t, "gain, weights.gain loading", final(keep, lot).DMT, "920")
	st := final(ts, cuLot())
	eq(t, "loss within franchise", st.DMT, "920")
	if len(st.Warnings) != 0 {
		t.Errorf("warnings with a discharge moisture: %v", st.Warnings)
	}
	lot = cuLot()
	lot.Discharge.WMT = d("994")
	eq(t, "loss beyond the franchise", final(ts, lot).DMT, "912.492")
	lot.Discharge.MoisturePct, lot.Discharge.MoistureEvent, lot.Discharge.MoistureFromLoading = d("8"), "ev:bl", true
	// No discharge determination (fix13t): refused, unless the parties
	// accept the loading moisture.
	if _, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()}); err == nil || !strings.Contains(err.Error(), "no moisture was determined at discharge") {
		t.Errorf("no discharge moisture: err = %v, want refused", err)
	}
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices(), Accept: []commercial.Acceptance{{Check: commercial.AcceptLoadingMoisture, By: "test", Reason: "parties agree"}}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "loading moisture", st.DMT, "914.48")
	if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "no moisture determination") {
		t.Errorf("warnings = %v, want the missing discharge moisture flagged", st.Warnings)
	}
}

// Item 9: grades "cu=24%" were read as an analyte "cu" and the settlement
// said "no Cu assay". Element symbols are now accepted in any case (the 118
// symbols differ case-insensitively); "CU" and "Cu" together are the same
// analyte twice. An oxide written in another case ("nd2o3") is kept as
// written and the missing-assay error names the spelling.
func TestGradeSpellings(t *testing.T) {
	g, _, err := commercial.ParseGrades("cu=24%,AU=4.1g/t,ag=50g/t,As=0.35%", "grades")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"Cu", "Au", "Ag", "As"} {
		if _, ok := g[a]; !ok {
			t.Errorf("grades %v lack %s", g, a)
		}
	}
	eq(t, "Cu", g["Cu"].Value, "24")
	if _, _, err := commercial.ParseGrades("CU=24%,Cu=23%", "grades"); !hasField(err, "/grades") || !strings.Contains(err.Error(), "twice") {
		t.Errorf("CU and Cu: err = %v, want Cu given twice", err)
	}
	lot := cuLot()
	lot.Results = nil
	lot.Assays["cu"] = lot.Assays["Cu"]
	delete(lot.Assays, "Cu")
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	_, err = commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: cuPrices()})
	if !hasField(err, "/lot/assays/Cu") || !strings.Contains(err.Error(), `spelled "cu"`) {
		t.Errorf("lot assay spelled cu: err = %v, want the spelling named", err)
	}
}

// Item 10: the demo copper contract's one lot (54.6 dmt) loses its B/L to
// a retraction on 20 Nov 2025: it is no longer counted as delivered but
// listed as excluded with the reason. Delivered 0 dmt; take-or-pay
// (300 − 0) × 25 = 7 500.00 USD (was (300 − 54.6) × 25 = 6 135.00).
func TestPositionExcludesRetractedLot(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	v, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	retract(t, s, v.Facts.BLEvent, "2025-11-20T09:00:00Z")
	p, err := s.Position(ctx, "FWO-USSM-CU-2025")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "delivered", p.DeliveredDMT, "0")
	eq(t, "shortfall amount", *p.ShortfallAmount, "7500")
	if p.Lots != 0 || len(p.Excluded) != 1 || p.Excluded[0].Lot != v.Lot || !strings.Contains(p.Excluded[0].Reason, v.Facts.BLEvent) {
		t.Errorf("position = %+v", p)
	}
	eq(t, "excluded dmt", p.Excluded[0].DMT, "54.6")
}

// TestProgressExcludesRetractedLot: the agreement's shipped value follows
// the delivered quantity's rule. Retracting the demo copper lot's bill of
// lading takes its invoiced value out of "shipped" — shipped after =
// shipped before − the lot's settled value (its final, else provisional
// settlement) — and lists the lot under Excluded naming the event.
func TestProgressExcludesRetractedLot(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	asOf := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	before, err := s.Progress(ctx, commercial.DemoAgreement, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Excluded) != 0 {
		t.Fatalf("excluded before any retraction: %+v", before.Excluded)
	}
	v, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	invs, err := s.Invoices(ctx, critmin.InvoiceFilter{Contract: "FWO-USSM-CU-2025", Lot: v.Lot})
	if err != nil || len(invs) == 0 {
		t.Fatalf("copper lot invoices: %v (%d)", err, len(invs))
	}
	lotValue := invs[0]
	for _, inv := range invs {
		if inv.Kind == commercial.Final && inv.IssuedAt.Before(asOf) {
			lotValue = inv
		}
	}
	retract(t, s, v.Facts.BLEvent, "2025-11-20T09:00:00Z")
	after, err := s.Progress(ctx, commercial.DemoAgreement, asOf)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "shipped", after.Shipped, before.Shipped.Sub(lotValue.Settlement.Value).String())
	if len(after.Excluded) != 1 || after.Excluded[0].Lot != v.Lot || !strings.Contains(after.Excluded[0].Reason, v.Facts.BLEvent) {
		t.Errorf("excluded = %+v", after.Excluded)
	}
	// Invoiced and paid are money that moved: unchanged.
	eq(t, "invoiced", after.Invoiced, before.Invoiced.String())
	eq(t, "paid", after.Paid, before.Paid.String())
}
