package commercial_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
)

// noteLot captures a copper lot under a fixed-price contract T-NOTE (Cu
// 20 %, payable 100 % at a fixed 10 000 USD/t; no TC, RC nor penalty;
// final at discharge, 0.5 % franchise): loaded 100 000 kg at 10 %
// moisture on the B/L of 2 Sep 2025, received on 4 Oct 2025 at
// receiptKg with H2O 10 %, the receipt event receiptID.
func noteLot(t *testing.T, s *commercial.Service, lot string) (receiptID string) {
	t.Helper()
	termsFrom(t, s, "demo/cu-2025.json", "T-NOTE", func(m map[string]any) {
		for _, k := range []string{"tc", "rc", "assay_exchange", "moisture", "take_or_pay"} {
			delete(m, k)
		}
		m["payables"] = []any{map[string]any{"element": "Cu", "grade_unit": "%", "payable_pct": 100, "price": map[string]any{"fixed": 10000, "unit": "USD/t"}}}
	})
	receiptID = "urn:uuid:d13f0000-0000-4000-8000-0000000000b3"
	capture(t, s,
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000b1", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.10, "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 20.0, "cm:unit": "%", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000b2", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:NOTE-1"}}},
		map[string]any{"type": "ObjectEvent", "eventID": receiptID, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
			"quantityList": qty(lot, 100000), "sensorElementList": h2o(10)})
	return receiptID
}

// Issue 13, new-user check (fix13p, 1): after the final invoice a
// corrected weight changed what critmin showed, and nothing invoiced the
// change. Now the final invoice stays as issued and a credit note
// invoices the difference.
//
// Issued: 100 wmt × (1 − 10 %) = 90 dmt × 20 % Cu × 100 % payable = 18 t
// Cu × 10 000 USD/t = 180 000.00 USD; provisional 90 % = 162 000.00;
// final balance 180 000 − 162 000 = 18 000.00.
// The receipt is corrected to 99 000 kg (the 100 000 kg receipt declared
// in error): the outturn 99 wmt is 1 % below the 100 loaded, beyond the
// 0.5 % franchise, so discharge weights stand: 99 × 0.9 = 89.1 dmt × 20 %
// = 17.82 t × 10 000 = 178 200.00 USD. The credit note is 178 200 −
// 180 000 = −1 800.00 USD, one line (the Cu payable), naming both
// receipts; invoice + note = 18 000 − 1 800 = 16 200 = 178 200 − 162 000.
func TestCorrectionAfterFinalInvoiceIssuesCreditNote(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-A"
	receipt := noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	fin, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "final invoice", fin.Total, "18000")
	eq(t, "invoiced lot value", fin.Settlement.Value, "180000")
	if _, err := s.IssueNote(ctx, "T-NOTE", lot, "no change"); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "nothing to correct") {
		t.Errorf("note with nothing changed: %v; want ECONFLICT, nothing to correct", err)
	}
	if _, err := s.IssueNote(ctx, "T-NOTE", lot, " "); !hasField(err, "/reason") {
		t.Errorf("note without a reason: %v; want reason required", err)
	}
	retract(t, s, receipt, "2025-12-01T09:00:00Z")
	corrected := "urn:uuid:d13f0000-0000-4000-8000-0000000000b4"
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": corrected, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 99000), "sensorElementList": h2o(10)})
	v, _, err := s.Value(ctx, "T-NOTE", lot)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "lot value before the note (as invoiced)", v.LotValue, "180000")
	if v.CurrentDiffers == nil || v.CurrentDiffers.LotValue == nil || !v.CurrentDiffers.LotValue.Equal(d("178200")) || !strings.Contains(v.CurrentDiffers.Reason, "credit or debit note") {
		t.Fatalf("current differs %+v; want 178 200 and a note called for", v.CurrentDiffers)
	}
	n, err := s.IssueNoteAt(ctx, "T-NOTE", lot, "receipt weight corrected to 99 000 kg", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind != commercial.CreditNote || n.ID != fin.ID+"-CN1" || n.Invoice != fin.ID || n.Reason != "receipt weight corrected to 99 000 kg" {
		t.Errorf("note %s (%s) against %s, reason %q; want credit note %s-CN1", n.ID, n.Kind, n.Invoice, n.Reason, fin.ID)
	}
	eq(t, "credit note", n.Total, "-1800")
	eq(t, "before", n.Before, "180000")
	eq(t, "after", n.After, "178200")
	if len(n.Lines) != 1 || !n.Lines[0].Amount.Equal(d("-1800")) || !strings.Contains(n.Lines[0].Formula, "now 178,200.00, invoiced 180,000.00, difference −1,800.00 USD") {
		t.Errorf("note lines %+v; want one line of −1 800 (178 200 now − 180 000 invoiced)", n.Lines)
	}
	if !slices.Contains(n.Events, receipt) || !slices.Contains(n.Events, corrected) {
		t.Errorf("note events %v; want the retracted receipt %s and the corrected one %s", n.Events, receipt, corrected)
	}
	// The note is recorded on the lot, as an invoice is: one
	// TransactionEvent naming the note and the invoice it corrects.
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{n.EventID}, Limit: 1})
	if err != nil || n.EventID == "" || len(page.Events) != 1 || page.Events[0].Type != "TransactionEvent" {
		t.Errorf("note event %q: %v, %d events; want one TransactionEvent", n.EventID, err, len(page.Events))
	}
	// The final invoice is unchanged.
	again, err := s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "final invoice after the note", again.Total, "18000")
	v, _, err = s.Value(ctx, "T-NOTE", lot)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "lot value with the note", v.LotValue, "178200")
	eq(t, "final balance with the note", *v.FinalBalance, "16200")
	sum := decimal.Zero
	for _, l := range v.Lines {
		sum = sum.Add(l.Amount)
	}
	eq(t, "headline lines", sum, "178200")
	// invoice + notes = the recomputed amount: 18 000 − 1 800 = 178 200 − 162 000.
	eq(t, "invoice + notes", fin.Total.Add(commercial.NoteTotals(v.Notes)), v.Final.Value.Sub(v.ProvAmount).String())
	if v.CurrentDiffers != nil || len(v.Notes) != 1 {
		t.Errorf("after the note: current differs %+v, %d notes; want none, 1", v.CurrentDiffers, len(v.Notes))
	}
	if _, err := s.IssueNote(ctx, "T-NOTE", lot, "again"); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("second note with nothing more changed: %v; want ECONFLICT", err)
	}
}

// A correction before the final invoice is settled by the final invoice:
// a note against a lot with only its provisional invoice is refused 409.
func TestNoteNeedsFinalInvoice(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-B"
	noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueNote(ctx, "T-NOTE", lot, "weights"); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "no final invoice") {
		t.Errorf("note without a final invoice: %v; want ECONFLICT naming the missing final invoice", err)
	}
}

// A note exists from its issue day: the invoice as of the day before does
// not carry it; the agreement as of the day before counts the antimony
// lot as invoiced and shipped at the final invoice's figures, and from
// the note's day on at invoice + note (invoiced by the note's issue
// month, shipped at the corrected lot value).
func TestNotesAsOfTheirIssueDay(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	f := mustFile(t, "testdata/late-sb.csv")
	if _, err := s.ImportPriceCorrections(ctx, strings.NewReader(f), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	later := *s
	later.Now = func() time.Time { return time.Date(2025, 12, 10, 0, 0, 0, 0, time.UTC) }
	n, err := later.IssueNoteAt(ctx, "FWO-USSM-SB-2025", commercial.DemoAntimonyLot, "late assessment", time.Date(2025, 12, 3, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	before, err := later.InvoiceAsOf(ctx, n.Invoice, time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	after, err := later.InvoiceAsOf(ctx, n.Invoice, time.Date(2025, 12, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Notes) != 0 || len(after.Notes) != 1 {
		t.Errorf("invoice %s as of 2 Dec has %d notes, as of 5 Dec %d; want 0 then 1", n.Invoice, len(before.Notes), len(after.Notes))
	}
	sb := func(day int) commercial.CommodityProgress {
		p, err := later.Progress(ctx, commercial.DemoAgreement, time.Date(2025, 12, day, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Commodities {
			if strings.EqualFold(c.Commodity, "antimony") {
				return c
			}
		}
		t.Fatalf("no antimony in the agreement's progress")
		return commercial.CommodityProgress{}
	}
	p2, p5 := sb(2), sb(5)
	eq(t, "antimony invoiced, 5 Dec − 2 Dec", p5.Invoiced.Sub(p2.Invoiced), n.Total.String())
	eq(t, "antimony shipped, 5 Dec − 2 Dec", p5.Shipped.Sub(p2.Shipped), n.Total.String())
}

// The planner values a finally invoiced lot at its invoice as corrected by
// its notes: the T-NOTE lot's final invoice settles 180 000.00 USD on 90
// dmt (2 000 USD/dmt); the credit note of −1 800.00 brings it to
// 178 200.00 on the corrected 89.1 dmt: 178 200 ÷ 89.1 = 2 000 USD/dmt,
// the price source naming the note. (Without the note's dmt it would read
// 178 200 ÷ 90 = 1 980, mixing the corrected value with the old weight.)
func TestPlannerValuesLotAtInvoiceAndNotes(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-C"
	receipt := noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	retract(t, s, receipt, "2025-12-01T09:00:00Z")
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000c4", "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 99000), "sensorElementList": h2o(10)})
	n, err := s.IssueNote(ctx, "T-NOTE", lot, "receipt corrected")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "note dmt", n.DMT, "89.1")
	net := &plan.Network{
		ID: "buy", Title: "bought feed", Party: "urn:critmin:demo:party:ussm", Periods: plan.Periods{Unit: "week", Count: 1, Start: "2026-01-05"},
		Commodities: []plan.Commodity{{ID: "copper_concentrate"}},
		Sites:       []plan.Site{{ID: "M", Kind: "mine", Country: "PAK"}, {ID: "S", Kind: "buyer", Country: "USA"}},
		Supplies: []plan.Supply{{ID: "note-lot", Site: "M", Commodity: "copper_concentrate", OriginCountry: "PAK", Lot: lot,
			Grade: map[string]float64{"Cu": 0.20}, Tonnes: 89.1}},
		Lanes:     []plan.Lane{{ID: "MS", From: "M", To: "S", Mode: "truck", CostPerT: 10}},
		Contracts: []plan.Contract{{ID: "smelter", Buyer: "S", Site: "S", Commodity: "copper_concentrate", MaxT: 100, PricePerT: 2500}},
	}
	if _, _, err := s.PlanTerms(ctx, net, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	sp := net.Supplies[0]
	if sp.PricePerT != 2000 || sp.PriceFrom != plan.PriceFromInvoice || !strings.Contains(sp.PriceSource, n.ID) {
		t.Errorf("priced %v from %q (%s); want 2000 from the final invoice and note %s", sp.PricePerT, sp.PriceFrom, sp.PriceSource, n.ID)
	}
}
