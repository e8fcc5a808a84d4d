package commercial_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Issue 13, third new-user check (reports/nu13c.md): one test per
// defect, each failing before its fix.

// bookLot captures a copper-concentrate lot: commissioned on 25 Aug 2025
// with kg wet at 8 % moisture, Cu 24 %, Au 4 g/t; shipped on the B/L of
// 2 Sep 2025. n makes its event ids unique. The lot is the demo FWO's
// (owning_party on its commissioning), the seller of the demo copper
// terms: the seller must own a lot at delivery to invoice it.
func bookLot(t *testing.T, s *commercial.Service, lot string, n int, kg float64) {
	t.Helper()
	bookLotOf(t, s, "urn:critmin:demo:party:fwo", lot, n, kg)
}

// bookLotOf is bookLot owned by owner.
func bookLotOf(t *testing.T, s *commercial.Service, owner, lot string, n int, kg float64) {
	t.Helper()
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": fmt.Sprintf("urn:uuid:d13d0000-0000-4000-8000-%012d", n), "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, kg),
		"destinationList": []any{map[string]any{"type": "owning_party", "destination": owner}},
		"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
			map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
			map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventID": fmt.Sprintf("urn:uuid:d13d0000-0000-4000-9000-%012d", n), "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, kg), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": fmt.Sprintf("urn:critmin:test:bol:D13D-%d", n)}}})
}

// Item 1: exposure is one party's book — purchases long, sales short,
// netted. USSM buys lot BOOK-A under T-BUY (FWO → USSM) and sells lot
// BOOK-B under T-SALE (USSM → a smelter), both on the demo copper terms
// without the assay exchange, invoiced provisionally on 5 Sep 2025.
// Payable Cu: 96.5 % × 24 = 23.16 % against 24 − 1 unit = 23 %: the
// minimum deduction binds, 230 kg/dmt. A: 100 000 kg × (1 − 8 %) = 92
// dmt × 230 = 21 160 kg long; B: 50 000 × 0.92 = 46 dmt × 230 = 10 580
// kg short. The demo copper lot is open too (bought by USSM; best known
// on 6 Sep: the seller's exchange result of 1 Sep, Cu 22.05 %: 22.05 − 1
// = 21.05 % < 96.5 % × 22.05 = 21.278 %, 54.6 dmt × 210.5 = 11 493.3 kg
// long). Long 21 160 + 11 493.3 = 32 653.3, short 10 580, net 32 653.3 −
// 10 580 = 22 073.3 kg (before: 43 233.3 kg, sales added to purchases).
func TestExposureIsOneBook(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	for _, c := range []struct{ id, seller, buyer string }{
		{"T-BUY", "urn:critmin:demo:party:fwo", "urn:critmin:demo:party:ussm"},
		{"T-SALE", "urn:critmin:demo:party:ussm", "urn:critmin:test:party:smelter"}} {
		termsFrom(t, s, "demo/cu-2025.json", c.id, func(m map[string]any) {
			delete(m, "assay_exchange")
			m["seller"], m["buyer"] = c.seller, c.buyer
		})
	}
	bookLot(t, s, "urn:critmin:test:lot:BOOK-A", 1, 100000)
	bookLotOf(t, s, "urn:critmin:demo:party:ussm", "urn:critmin:test:lot:BOOK-B", 2, 50000)
	at := time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)
	for c, lot := range map[string]string{"T-BUY": "urn:critmin:test:lot:BOOK-A", "T-SALE": "urn:critmin:test:lot:BOOK-B"} {
		if _, err := s.IssueAt(ctx, c, lot, commercial.Provisional, at); err != nil {
			t.Fatal(err)
		}
	}
	// 5 Sep: only the test contracts are open (the demo's invoices come later).
	on := time.Date(2025, 9, 6, 0, 0, 0, 0, time.UTC)
	ex, err := s.Exposure(ctx, on, "")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Book != "urn:critmin:demo:party:ussm" {
		t.Errorf("book = %q, want USSM, the party on every open contract", ex.Book)
	}
	eq(t, "long Cu", ex.Long["Cu"], "32653.3")
	eq(t, "short Cu", ex.Short["Cu"], "10580")
	eq(t, "net priced + unpriced Cu", ex.Priced["Cu"].Add(ex.Unpriced["Cu"]), "22073.3")
	sides := map[string]string{}
	for _, l := range ex.Lots {
		sides[l.Contract] = l.Side
	}
	if sides["T-SALE"] != "short" || sides["T-BUY"] != "long" {
		t.Errorf("sides = %v", sides)
	}
	// A party to none of the open contracts: refused, naming book and
	// the contracts (a party to some is TestExposureBookOnSomeContracts).
	_, err = s.Exposure(ctx, on, "urn:critmin:test:party:nobody")
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "book") || !strings.Contains(err.Error(), "FWO-USSM-") {
		t.Errorf("a book not party to a contract: %v", err)
	}
}

// Item 3: the demo's planning file values contract terms at the prices of
// its prices_as_of (2025-12-31; the demo's prices end that day), so on 30
// Nov 2026, when every demo price is stale, magnet-ndpr is still priced at
// USSM-NDPR-FLOOR-2025's terms: NdPr oxide at Nd2O3 75 % + Pr6O11 24.5 %
// = 99.5 % ≥ the 99 % minimum grade, 100 % payable on the product; the
// last assessment on or before 31 Dec 2025 is 72.55 USD/kg (25 Dec),
// under the 110 USD/kg floor: 110 × 1000 kg × 100 % = 110 000 USD/t
// (before: the file's 72 000, with a "stale" warning).
func TestPlanPricesAsOf(t *testing.T) {
	s := MustDemo(t)
	n := plan.Demo().Clone()
	if n.PricesAsOf != "2025-12-31" {
		t.Fatalf("demo prices_as_of = %q", n.PricesAsOf)
	}
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	contracts, _, err := s.PlanTerms(context.Background(), n, n.PricesOn("", today))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(contracts, "magnet-ndpr") {
		t.Fatalf("magnet-ndpr not priced at terms: warnings %q", n.Warnings)
	}
	for _, c := range n.Contracts {
		if c.ID == "magnet-ndpr" && c.PricePerT != 110000 {
			t.Errorf("magnet-ndpr at %v USD/t, want 110000", c.PricePerT)
		}
	}
	// A request's date overrides the file's; none at all is today.
	if got := n.PricesOn("2025-10-01", today); !got.Equal(time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("override: %v", got)
	}
	n.PricesAsOf = ""
	if got := n.PricesOn("", today); !got.Equal(today) {
		t.Errorf("no date: %v, want today", got)
	}
	// A bad date in the file is refused naming the field.
	b := bytes.Replace(mustRead(t, "../plan/demo.json"), []byte(`"prices_as_of": "2025-12-31"`), []byte(`"prices_as_of": "31/12/2025"`), 1)
	if _, err := plan.Parse(b); err == nil || !strings.Contains(err.Error(), "prices_as_of") {
		t.Errorf("bad prices_as_of: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Item 3, the NSR page: with no date given, a valuation takes today's
// prices unless none is current; then the latest day any series published
// (the demo's end on 31 Dec 2025), saying so. On 30 Nov 2026 the demo's
// daily series last published 31 Dec 2025 — eleven months before, far over the
// 5-weekday limit — so 2025-12-31; on 15 Dec 2025 the daily series
// published that day: 15 Dec, no note.
func TestPricesDayFallsBackToLatest(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	got, note, err := s.PricesDay(ctx, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got.Format(time.DateOnly) != "2025-12-31" || !strings.Contains(note, "2025-12-31") || !strings.Contains(note, "2026-11-30") {
		t.Errorf("stale today: %v, %q; want 2025-12-31 with a note", got, note)
	}
	got, note, err = s.PricesDay(ctx, time.Date(2025, 12, 15, 0, 0, 0, 0, time.UTC))
	if err != nil || got.Format(time.DateOnly) != "2025-12-15" || note != "" {
		t.Errorf("current prices: %v, %q, %v; want 2025-12-15, no note", got, note, err)
	}
}

// Item 5: a lot whose weighing event was declared in error and corrected
// counts at its corrected weight. Lot BOOK-C: 100 000 kg at 8 % on the
// B/L of 2 Sep 2025, invoiced provisionally: 100 × 0.92 = 92 dmt. The
// shipping event (B/L and weight) is declared in error and recaptured at
// 99 000 kg: 99 × 0.92 = 91.08 dmt delivered, so the take-or-pay
// shortfall is max(0, 300 − 91.08) = 208.92 dmt × 25 = 5 223 USD
// (before: the lot excluded, 0 dmt delivered, 300 × 25 = 7 500 USD).
func TestPositionCountsCorrectedWeight(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-TOP", func(m map[string]any) {
		delete(m, "assay_exchange")
	})
	lot := "urn:critmin:test:lot:BOOK-C"
	bookLot(t, s, lot, 3, 100000)
	if _, err := s.IssueAt(ctx, "T-TOP", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	retract(t, s, "urn:uuid:d13d0000-0000-4000-9000-000000000003", "2025-09-10T09:00:00Z")
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13d0000-0000-4000-a000-000000000003", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		"quantityList": qty(lot, 99000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:D13D-3"}}})
	p, err := s.Position(ctx, "T-TOP")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "delivered", p.DeliveredDMT, "91.08")
	eq(t, "shortfall", *p.ShortfallDMT, "208.92")
	eq(t, "take-or-pay amount", *p.ShortfallAmount, "5223")
	if len(p.Excluded) != 0 || len(p.Corrected) != 1 || !p.Corrected[0].InvoicedDMT.Equal(d("92")) {
		t.Errorf("excluded %+v, corrected %+v", p.Excluded, p.Corrected)
	}
	// Retracted with no replacement, the lot is excluded.
	retract(t, s, "urn:uuid:d13d0000-0000-4000-a000-000000000003", "2025-09-11T09:00:00Z")
	if p, err = s.Position(ctx, "T-TOP"); err != nil {
		t.Fatal(err)
	}
	if !p.DeliveredDMT.IsZero() || len(p.Excluded) != 1 {
		t.Errorf("no replacement: delivered %s, excluded %+v", p.DeliveredDMT, p.Excluded)
	}
}

// Item 4: the take-or-pay period is a calendar year, calendar years or
// two dates, and only deliveries with a B/L in it count. Lot BOOK-D:
// 100 000 kg at 8 % = 92 dmt, B/L 2 Sep 2025. Period 2024: nothing
// delivered in it, max(0, 300 − 0) = 300 dmt × 25 = 7 500 USD (before:
// the 2025 lot counted against 2024, 208 dmt, 5 200 USD). Period
// 2025-07-01/2026-06-30: max(0, 300 − 92) = 208 dmt × 25 = 5 200 USD.
// Free text is refused naming the field.
func TestTakeOrPayPeriod(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:BOOK-D"
	bookLot(t, s, lot, 4, 100000)
	for _, c := range []struct{ id, period, short, amount string }{
		{"T-TOP-2024", "2024", "300", "7500"},
		{"T-TOP-JUL", "2025-07-01/2026-06-30", "208", "5200"},
	} {
		termsFrom(t, s, "demo/cu-2025.json", c.id, func(m map[string]any) {
			delete(m, "assay_exchange")
			m["take_or_pay"] = map[string]any{"min_dmt": 300, "period": c.period, "shortfall_rate": 25}
		})
		if _, err := s.IssueAt(ctx, c.id, lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		p, err := s.Position(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, c.period+" shortfall", *p.ShortfallDMT, c.short)
		eq(t, c.period+" amount", *p.ShortfallAmount, c.amount)
		// A lot is invoiced under one contract: the next case, a new lot.
		lot = "urn:critmin:test:lot:BOOK-E"
		bookLot(t, s, lot, 5, 100000)
	}
	for _, period := range []string{"whenever", "2026-2025", "2025-13-01/2026-01-01", "2026-01-01/2025-01-01"} {
		var m map[string]any
		json.Unmarshal([]byte(mustFile(t, "demo/cu-2025.json")), &m)
		m["id"] = "T-TOP-BAD"
		m["take_or_pay"] = map[string]any{"min_dmt": 300, "period": period, "shortfall_rate": 25}
		b, _ := json.Marshal(m)
		if _, err := s.SaveContract(ctx, b); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/take_or_pay/period") {
			t.Errorf("period %q: %v", period, err)
		}
	}
}

// Items 6 and 7: element symbols are canonicalised once, at input — in a
// term sheet (payables, penalties), a QP declaration and an assay
// submission (the API's and the CLI's one validator) — and two spellings
// of one element in a list are one item, refused as a repeat.
func TestElementSymbolsCanonicalAtInput(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	ts := termsFrom(t, s, "demo/cu-2025.json", "T-CASE", func(m map[string]any) {
		delete(m, "assay_exchange")
		m["payables"].([]any)[0].(map[string]any)["element"] = "CU"
		m["penalties"] = []any{map[string]any{"analyte": "AS", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 2, "pro_rata": true}}
	})
	if ts.Payables[0].Element != "Cu" || ts.Penalties[0].Analyte != "As" {
		t.Errorf("stored payable %q, penalty %q; want Cu, As", ts.Payables[0].Element, ts.Penalties[0].Analyte)
	}
	var m map[string]any
	json.Unmarshal([]byte(mustFile(t, "demo/cu-2025.json")), &m)
	m["id"] = "T-CASE-DUP"
	p := m["payables"].([]any)
	dup := map[string]any{}
	for k, v := range p[0].(map[string]any) {
		dup[k] = v
	}
	dup["element"] = "cu"
	m["payables"] = append(p, dup)
	b, _ := json.Marshal(m)
	if _, err := s.SaveContract(ctx, b); !hasField(err, "/payables/2/element") {
		t.Errorf("payables Cu and cu: %v, want a repeat at /payables/2/element", err)
	}
	// A declaration of "cu" is of Cu.
	lot := "urn:critmin:test:lot:BOOK-F"
	bookLot(t, s, lot, 6, 100000)
	s.Now = func() time.Time { return time.Date(2025, 9, 1, 12, 0, 0, 0, time.UTC) } // before the B/L
	d := &critmin.QPDeclaration{Contract: "T-CASE", Lot: lot, Element: "cu", Month: 1, Party: "buyer"}
	if err := s.Declare(ctx, d); err != nil || d.Element != "Cu" {
		t.Errorf("declare cu: %v, element %q", err, d.Element)
	}
	// An assay result for "cu" is captured as Cu; an unknown analyte is
	// refused naming the request's field, not the EPCIS pointer.
	s.Now = func() time.Time { return commercial.DemoNow }
	sub := &commercial.ExchangeSubmission{Lot: lot, Party: "seller", Lab: "urn:lab", At: time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC),
		Results: []commercial.ExchangeResult{{Analyte: "cu", Value: d2("24.1"), Unit: "%"}}}
	if _, err := s.SubmitAssays(ctx, sub); err != nil {
		t.Fatal(err)
	}
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, lot)
	if err != nil || len(lf.Results) != 1 || lf.Results[0].Analyte != "Cu" {
		t.Errorf("captured results %+v (%v), want one Cu", lf.Results, err)
	}
	sub.Results[0].Analyte = "Qq"
	if _, err := s.SubmitAssays(ctx, sub); !hasField(err, "/results/0/analyte") {
		t.Errorf("analyte Qq: %v, want results/0/analyte", err)
	}
}

// Items 8 and 9: an assay submission's fields are checked before the
// lot's state — no party is 400 naming party, not a 409 about sublots —
// and a sublot id differing only in case from one reported is refused.
func TestAssaySubmissionFieldsFirstAndSublotCase(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:BOOK-G"
	bookLot(t, s, lot, 7, 100000)
	dmt := d2("46")
	sub := &commercial.ExchangeSubmission{Lot: lot, Party: "seller", Lab: "urn:lab", At: time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC),
		Sublot: "A", SublotDMT: &dmt, Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d2("24.1"), Unit: "%"}}}
	if _, err := s.SubmitAssays(ctx, sub); err != nil {
		t.Fatal(err)
	}
	for _, party := range []string{"", "Umpire"} {
		whole := &commercial.ExchangeSubmission{Lot: lot, Party: party, Lab: "urn:lab", At: sub.At, Results: sub.Results}
		if _, err := s.SubmitAssays(ctx, whole); critmin.ErrorCode(err) != critmin.EINVALID || !hasField(err, "/party") {
			t.Errorf("party %q on a sublot-exchanged lot: %v, want EINVALID naming party", party, err)
		}
	}
	sub.Party, sub.Sublot = "buyer", "a"
	if _, err := s.SubmitAssays(ctx, sub); !hasField(err, "/sublot") || !strings.Contains(err.Error(), `"A"`) {
		t.Errorf("sublot a beside A: %v, want refused naming sublot and A", err)
	}
}

func d2(v string) decimal.Decimal { return decimal.RequireFromString(v) }

// Item 11: the exposure's best-known grade reads the parties' exchange
// results reported so far, and shows the grade and its source. The demo
// copper lot (54.6 dmt, commissioning Cu 22 %): on 7 Oct 2025 only the
// seller's 22.05 % (1 Sep) is in: 22.05 − 1 unit = 21.05 % payable (<
// 96.5 % × 22.05 = 21.278 %), 54.6 × 210.5 = 11 493.3 kg (before: the
// commissioning 22 %, 11 466 kg). On 15 Oct the buyer's 21.80 % (8 Oct)
// is in too, 0.25 apart, the umpire awaited: their mean (22.05 + 21.80) ÷
// 2 = 21.925 %, 20.925 % payable, 54.6 × 209.25 = 11 425.05 kg.
func TestExposureGradeFromPartialExchange(t *testing.T) {
	s := MustDemo(t)
	for _, c := range []struct{ day, kg, grade, source string }{
		{"2025-10-07", "11493.3", "22.05", "the seller's 22.05 %, the only result reported so far"},
		{"2025-10-15", "11425.05", "21.925", "mean of the seller's 22.05 % and the buyer's 21.8 % = 21.925 %"},
	} {
		at, _ := time.Parse(time.DateOnly, c.day)
		ex, err := s.Exposure(context.Background(), at, "")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, l := range ex.Lots {
			if l.Contract != "FWO-USSM-CU-2025" {
				continue
			}
			found = true
			eq(t, c.day+" payable Cu", l.Payable["Cu"], c.kg)
			g := l.Grades["Cu"]
			eq(t, c.day+" grade Cu", g.Value, c.grade)
			if !strings.Contains(g.Formula, c.source) {
				t.Errorf("%s: grade source %q, want %q", c.day, g.Formula, c.source)
			}
		}
		if !found {
			t.Errorf("%s: the copper lot is not exposed", c.day)
		}
	}
}

// Item 12: a contract or price-series id differing only in case from a
// stored one is refused, naming the stored id (before: a second
// contract "fwo-ussm-cu-2025" and a second series were stored, 201).
func TestIDsDifferingOnlyInCase(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	var m map[string]any
	json.Unmarshal([]byte(mustFile(t, "demo/cu-2025.json")), &m)
	m["id"] = "fwo-ussm-cu-2025"
	b, _ := json.Marshal(m)
	if _, err := s.SaveContract(ctx, b); !hasField(err, "/id") || !strings.Contains(err.Error(), `"FWO-USSM-CU-2025"`) {
		t.Errorf("contract fwo-ussm-cu-2025: %v", err)
	}
	csv := "series,date,value,unit,currency,source,frequency\ndemo-lme-cu,2025-10-01,9800,USD/t,USD,s,daily\n"
	if _, err := s.ImportPrices(ctx, strings.NewReader(csv), commercial.PriceSeries{}); !hasField(err, "/series") || !strings.Contains(err.Error(), `"DEMO-LME-CU"`) {
		t.Errorf("series demo-lme-cu: %v", err)
	}
	if cs, err := s.Contracts(ctx); err != nil || slices.ContainsFunc(cs, func(ts *commercial.TermSheet) bool { return ts.ID == "fwo-ussm-cu-2025" }) {
		t.Errorf("the case twin was stored (%v)", err)
	}
}

// Item 10: the XLSX of an invoice resting on a retracted event carries
// the warning and the event, as the page, the JSON and the CLI do.
func TestXLSXFlagsRetractedEvent(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	inv, err := s.Invoice(ctx, commercial.InvoiceID(commercial.DemoContractFor[commercial.DemoCopperLot], commercial.DemoCopperLot, commercial.Final))
	if err != nil {
		t.Fatal(err)
	}
	bl := inv.Settlement.Facts[0].Events[0]
	retract(t, s, bl, "2025-12-01T09:00:00Z")
	if inv, err = s.Invoice(ctx, inv.ID); err != nil || len(inv.Retracted) == 0 {
		t.Fatalf("invoice not flagged: %v %+v", err, inv.Retracted)
	}
	var buf bytes.Buffer
	if err := commercial.WriteXLSX(&buf, inv); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Invoice")
	var warned, listed bool
	for _, r := range rows {
		if len(r) > 1 && r[0] == "WARNING" && strings.Contains(r[1], "declared in error") {
			warned = true
		}
		if len(r) > 1 && r[0] == "Retracted event" && r[1] == bl {
			listed = true
		}
	}
	if !warned || !listed {
		t.Errorf("workbook rows lack the warning (%v) or the event %s (%v): %q", warned, bl, listed, rows[:12])
	}
}

// laggingEvents is a store whose event look-up has not yet seen what was
// captured: the moment in a race when a retry finds the invoice stored
// and its event apparently missing, just as the issuer captures it.
type laggingEvents struct{ critmin.Store }

func (laggingEvents) FindEvents(context.Context, critmin.EventFilter) (*critmin.EventPage, error) {
	return &critmin.EventPage{}, nil
}

// Item 13: a second issue of an invoice whose event another request
// recorded between the look-up and the capture is refused (409) without
// claiming to have recorded the event: the capture stored it as a
// duplicate. Before: "its event, missing from the ledger, is recorded
// now", though the ledger held one invoice event all along.
func TestRaceLoserMessage(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	s.Store = laggingEvents{s.Store}
	_, err := s.Issue(ctx, commercial.DemoContractFor[commercial.DemoCopperLot], commercial.DemoCopperLot, commercial.Final)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || strings.Contains(err.Error(), "recorded now") {
		t.Errorf("second final invoice: %v; want 409 without 'recorded now'", err)
	}
}
