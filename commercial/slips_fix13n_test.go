package commercial_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/xuri/excelize/v2"
)

// Issue 13, new-user check after fix13l (fix13n): slips still invoiced
// with 200. One test per class, each failing before its fix.

// slipLot captures a lot of commodity (Cu 24 %, Au auGpt g/t) commissioned
// on 25 Aug 2025 and shipped on 2 Sep 2025 at wetKg kg with H2O blH2O %,
// and — when recvKg > 0 — received on 4 Oct 2025 at recvKg kg with H2O
// recvH2O %.
func slipLot(t *testing.T, s *commercial.Service, lot, commodity string, wetKg, blH2O, auGpt, recvKg, recvH2O float64) {
	t.Helper()
	q := []any{map[string]any{"epcClass": lot, "quantity": wetKg, "uom": "KGM"}}
	evs := []map[string]any{
		{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"c"), "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": q,
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": commodity, "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": auGpt, "cm:unit": "g/t", "cm:basis": "dry"}}}},
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

// conflictAt says whether err is a 409 naming pointer.
func conflictAt(err error, pointer string) bool {
	pointer = jsonPointer(pointer)
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == pointer {
			return critmin.ErrorCode(err) == critmin.ECONFLICT
		}
	}
	return false
}

// acceptance is one person's acceptance of check.
func acceptance(check string) []commercial.Acceptance {
	return []commercial.Acceptance{{Check: check, By: "j.doe (trade desk)", Reason: "surveyor's report SR-118: rain on the open hatch at Karachi"}}
}

// fix13n 2: a moisture written as a fraction of per cent at loading
// (0.8 for 8) was invoiced: 100 wmt × (1 − 0.8 %) = 99.2 dmt instead of
// 100 × (1 − 8 %) = 92 dmt, 7.2 t of water paid as concentrate. Below the
// plausible 3–20 % of a concentrate it is refused 409 naming
// lot/loading/moisture; 80 (ten times over) is refused too; 8 is issued
// on 92 dmt. The same slip at both ends (0.8 at loading and discharge:
// the two agree, so the dry-loss comparison passes — 99.2 vs 99.8 × 0.992
// = 99.0016 dmt) is refused at the final too. A person may accept a real
// figure (check "moisture"): the invoice is issued and keeps who and why.
func TestMoistureSlipRefusedPerCommodity(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-MOIST", func(m map[string]any) { delete(m, "assay_exchange") })
	for _, c := range []struct {
		name  string
		h2o   float64
		issue bool
	}{{"fraction", 0.8, false}, {"ten-times", 80, false}, {"right", 8, true}} {
		lot := "urn:critmin:test:lot:MOIST-" + c.name
		slipLot(t, s, lot, "copper_concentrate", 100000, c.h2o, 4, 0, 0)
		inv, err := s.IssueAt(ctx, "T-MOIST", lot, commercial.Provisional, provAt)
		if !c.issue {
			if critmin.ErrorCode(err) != critmin.ECONFLICT || !conflictAt(err, "lot/loading/moisture") || !strings.Contains(critmin.ErrorMessage(err), "plausible 3–20 %") {
				t.Errorf("%s: H2O %v %%: %v; want 409 naming lot/loading/moisture and the 3–20 %% bound", c.name, c.h2o, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !inv.Settlement.DMT.Equal(d("92")) {
			t.Errorf("H2O 8 %%: %s dmt, want 100 × (1 − 8 %%) = 92", inv.Settlement.DMT)
		}
	}
	// Both ends 0.8 %: refused at the final, naming the loading figure.
	both := "urn:critmin:test:lot:MOIST-both"
	slipLot(t, s, both, "copper_concentrate", 100000, 0.8, 4, 99800, 0.8)
	if _, err := s.IssueAt(ctx, "T-MOIST", both, commercial.Final, finalAt); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "0.8 %") {
		t.Errorf("final on 0.8 %% at both ends: %v; want 409", err)
	}
	// Accepted: issued on 99.2 dmt, the acceptance kept with the invoice.
	inv, err := s.IssueAccepting(ctx, "T-MOIST", both, commercial.Provisional, provAt, acceptance(commercial.AcceptMoisture))
	if err != nil {
		t.Fatalf("provisional with the moisture accepted: %v", err)
	}
	got := inv.Settlement.Accepted
	if len(got) != 1 || got[0].By != "j.doe (trade desk)" || !strings.Contains(got[0].Refusal, "0.8 %") {
		t.Errorf("accepted %+v; want j.doe's acceptance with the refusal it overrode", got)
	}
	if !inv.Settlement.DMT.Equal(d("99.2")) {
		t.Errorf("accepted 0.8 %%: %s dmt, want 100 × (1 − 0.8 %%) = 99.2", inv.Settlement.DMT)
	}
	stored, err := s.Invoice(ctx, inv.ID)
	if err != nil || len(stored.Settlement.Accepted) != 1 {
		t.Fatalf("stored invoice: %v, accepted %v; want the acceptance kept", err, stored)
	}
	// The acceptance is kept with the lot under the contract: the final
	// (99.8 ≥ 99.5 wmt: the loading weight, 99.2 dmt) inherits it and
	// records it again; the valuation is computed on it.
	fin, err := s.IssueAt(ctx, "T-MOIST", both, commercial.Final, finalAt)
	if err != nil || len(fin.Settlement.Accepted) != 1 || fin.Settlement.Accepted[0].By != "j.doe (trade desk)" {
		t.Fatalf("final after the accepted provisional: %v; want issued, the acceptance recorded", err)
	}
	if v, _, err := s.Value(ctx, "T-MOIST", both); err != nil || v.NotComputable != "" {
		t.Errorf("valuation: %v, not computable %q", err, v.NotComputable)
	}
}

// fix13n 5: a real 2 % transit loss with 1.5 points of rain. Loading
// 100 wmt at 8 % = 92 dmt; 2 % of it lost: 90.16 dmt, received at 9.5 %:
// 90.16 ÷ 0.905 = 99.624 wmt (99.624 × 0.905 = 90.15972 dmt). Dry loss
// 92 − 90.15972 = 1.84028 dmt; allowed: wet loss 100 − 99.624 = 0.376 +
// 0.5 % × 92 = 0.46 + 1 point × 99.624 = 0.99624 → 1.83224 dmt. 1.84028 >
// 1.83224: refused, with no way to accept it. Now: refused as before
// without an acceptance (naming how to accept), issued with one on the
// outturn (99.624 < 100 × 99.5 % = 99.5? no: 99.624 ≥ 99.5, the loading
// weight stands: 92 dmt), the acceptance kept with who and why. An
// acceptance of a check that does not refuse is itself refused.
func TestDryLossAcceptedWithReason(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-RAIN", func(m map[string]any) { delete(m, "assay_exchange") })
	lot := "urn:critmin:test:lot:RAIN-1"
	slipLot(t, s, lot, "copper_concentrate", 100000, 8, 4, 99624, 9.5)
	_, err := s.IssueAt(ctx, "T-RAIN", lot, commercial.Final, finalAt)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "1.84 dmt (2 %) below loading 92 dmt") || !strings.Contains(critmin.ErrorMessage(err), "= 1.83224 dmt") || !strings.Contains(critmin.ErrorMessage(err), `"dry_loss"`) {
		t.Fatalf("final without acceptance: %v; want 409 on the 1.84 dmt loss, saying how to accept it", err)
	}
	if _, err := s.IssueAccepting(ctx, "T-RAIN", lot, commercial.Final, finalAt, []commercial.Acceptance{{Check: commercial.AcceptDryLoss}}); !hasField(err, "/accept/0/by") || !hasField(err, "/accept/0/reason") {
		t.Errorf("acceptance without who and why: %v; want accept/0/by and accept/0/reason", err)
	}
	if _, err := s.IssueAccepting(ctx, "T-RAIN", lot, commercial.Provisional, provAt, acceptance(commercial.AcceptGrade)); !hasField(err, "/accept/0/check") {
		t.Errorf("acceptance of a grade that is not refused: %v; want accept/0/check (nothing to accept)", err)
	}
	if _, err := s.IssueAt(ctx, "T-RAIN", lot, commercial.Provisional, provAt); err != nil {
		t.Fatalf("provisional (loading figures, no discharge compared): %v", err)
	}
	inv, err := s.IssueAccepting(ctx, "T-RAIN", lot, commercial.Final, finalAt, acceptance(commercial.AcceptDryLoss))
	if err != nil {
		t.Fatalf("final with the dry loss accepted: %v", err)
	}
	if a := inv.Settlement.Accepted; len(a) != 1 || a[0].Check != "dry_loss" || a[0].Reason == "" || !strings.Contains(a[0].Refusal, "1.84 dmt") {
		t.Errorf("accepted %+v; want the dry_loss acceptance with its reason and the refusal", a)
	}
	if !inv.Settlement.DMT.Equal(d("92")) {
		t.Errorf("dmt %s; want the loading weight's 92 (outturn 99.624 ≥ 99.5 wmt franchise floor)", inv.Settlement.DMT)
	}
	// The workbook shows the acceptance too.
	var buf bytes.Buffer
	if err := commercial.WriteXLSX(&buf, inv); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Invoice")
	found := false
	for _, r := range rows {
		found = found || (len(r) >= 3 && r[0] == "ACCEPTED (dry_loss)" && r[1] == "j.doe (trade desk)" && strings.HasPrefix(r[2], "surveyor's report"))
	}
	if !found {
		t.Errorf("workbook rows %q lack the acceptance", rows)
	}
}

// fix13n 6: a gravity gold concentrate at 2 500 g/t Au was refused by the
// flotation bound (1 000 g/t). A contract for a gravity concentrate is
// bounded at 500 000 g/t (50 %): 2 500 g/t settles; a unit slip of it
// (2 500 captured as %, 25 000 000 g/t) is still refused. On a flotation
// copper concentrate 2 500 g/t stays refused unless accepted (check
// "grade"), with no "did you mean 2500 %?" (fix13t: a g/t figure is no
// per-cent slip).
func TestGravityConcentrateGoldBound(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	const gravity = "https://example.org/commodity/gold_gravity_concentrate"
	termsFrom(t, s, "demo/cu-2025.json", "T-GRAV", func(m map[string]any) {
		delete(m, "assay_exchange")
		m["commodity"] = gravity
	})
	termsFrom(t, s, "demo/cu-2025.json", "T-FLOT", func(m map[string]any) { delete(m, "assay_exchange") })
	g, f := "urn:critmin:test:lot:GRAV-1", "urn:critmin:test:lot:FLOT-1"
	slipLot(t, s, g, gravity, 20000, 8, 2500, 0, 0)
	slipLot(t, s, f, "copper_concentrate", 20000, 8, 2500, 0, 0)
	if _, err := s.IssueAt(ctx, "T-GRAV", g, commercial.Provisional, provAt); err != nil {
		t.Fatalf("gravity concentrate at 2 500 g/t Au: %v", err)
	}
	_, err := s.IssueAt(ctx, "T-FLOT", f, commercial.Provisional, provAt)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "above the plausible 1000 g/t") || strings.Contains(critmin.ErrorMessage(err), "did you mean 2500 %") {
		t.Fatalf("flotation concentrate at 2 500 g/t Au: %v; want 409", err)
	}
	inv, err := s.IssueAccepting(ctx, "T-FLOT", f, commercial.Provisional, provAt, acceptance(commercial.AcceptGrade))
	if err != nil || len(inv.Settlement.Accepted) != 1 {
		t.Fatalf("flotation at 2 500 g/t with the grade accepted: %v", err)
	}
}

// fix13n 7: the seller reports Au 4.1 and Ag 8 in % (slips for g/t): Au
// 4.1 × 10 000 = 41,000 g/t > 1,000; Ag 8 × 10 000 = 80,000 g/t > 50,000.
// Both are named at once (results/0/value and results/2/value; Cu 24 %
// between them is plausible), each with its converted figure and the
// reading it most likely meant ("did you mean Au 4.1 g/t?"); nothing stored.
func TestExchangeWrongUnitsListedAtOnceWithConvertedFigure(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:XU-ALL"
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	_, err := s.SubmitAssays(ctx, &commercial.ExchangeSubmission{Lot: lot, Party: commercial.Seller, Lab: "urn:lab:seller", At: provAt,
		Results: []commercial.ExchangeResult{{Analyte: "Au", Value: d("4.1"), Unit: "%"}, {Analyte: "Cu", Value: d("24"), Unit: "%"}, {Analyte: "Ag", Value: d("8"), Unit: "%"}}})
	if !hasField(err, "/results/0/value") || !hasField(err, "/results/2/value") || hasField(err, "/results/1/value") {
		t.Fatalf("%v (fields %v); want results/0/value and results/2/value", err, critmin.ErrorFields(err))
	}
	reasons := ""
	for _, f := range critmin.ErrorFields(err) {
		reasons += f.Reason + "\n"
	}
	for _, want := range []string{"Au 4.1 % = 41,000 g/t", "did you mean Au 4.1 g/t?", "Ag 8 % = 80,000 g/t", "did you mean Ag 8 g/t?"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons %q do not say %q", reasons, want)
		}
	}
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, lot)
	if err != nil || len(lf.Results) != 0 {
		t.Errorf("results stored: %v, %v; want none", err, lf)
	}
}

// boundSettle settles 1 wmt at 8 % (0.92 dmt) of a lot with grades under
// terms whose one price series (id, unit) published value on 2025-09-01,
// the B/L date (provisional: last price published on or before it).
func boundSettle(t *testing.T, terms, id, unit, value string, grades map[string]commercial.Grade) error {
	t.Helper()
	ts := MustTerms(t, terms)
	cur, _, _ := strings.Cut(unit, "/")
	series := &commercial.PriceSeries{ID: id, Source: "test", Unit: unit, Currency: cur, Frequency: commercial.Irregular,
		Points: []commercial.PricePoint{{Date: "2025-09-01", Value: d(value), Published: true}}}
	lot := &commercial.LotFacts{Lot: "l", BLDate: day("2025-09-01"), Loading: commercial.Weighing{WMT: d("1"), MoisturePct: d("8")}, Assays: grades}
	_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: map[string]*commercial.PriceSeries{id: series}})
	return err
}

// fix13n 4: antimony, rare-earth oxides (payable or in a basket) and CNY
// prices had no bound at all, so a per-tonne value in a per-lb or per-kg
// series was invoiced. Now (prices.csv: Argus via USGS MCS 2026, SMM):
//   - Sb 48 000 "USD/lb" (a per-tonne value) = 48 000 × 2 204.622622 =
//     105.8 M USD/t > 250 000: refused; 21.81 USD/lb = 48 082.8 USD/t
//     inside 2 500–250 000: settles.
//   - basket Nd2O3 70 000 "USD/kg" (per tonne) > 550 USD/kg: refused;
//     70 USD/kg settles.
//   - NdPr oxide 600 "CNY/t" (a per-kg value) < 100 000 CNY/t: refused;
//     600 000 CNY/t settles.
func TestAntimonyRareEarthAndCNYPricesBounded(t *testing.T) {
	head := `"seller": "s", "buyer": "b", "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"}, `
	sb := `{"id": "SB", "commodity": "antimony_ore", "currency": "USD", ` + head + `
	  "payables": [{"element": "Sb", "grade_unit": "%", "payable_pct": 100, "price": {"series": "SB", "unit": "USD/lb", "pct": 100}}]}`
	ree := `{"id": "REE", "commodity": "ree_concentrate", "currency": "USD", ` + head + `
	  "basket": {"basis": "TREO", "payable_pct": 30, "unit": "USD/kg", "oxides": [{"oxide": "Nd2O3", "price": {"series": "ND", "unit": "USD/kg"}}]}}`
	ndpr := `{"id": "NDPR", "commodity": "ndpr_oxide", "currency": "CNY", ` + head + `
	  "payables": [{"element": "NdPr oxide", "analytes": ["Nd2O3", "Pr6O11"], "grade_unit": "%", "basis": "product", "payable_pct": 100, "price": {"series": "NDPR", "unit": "CNY/t"}}]}`
	sbG := map[string]commercial.Grade{"Sb": {Value: d("40"), Unit: "%"}}
	reeG := map[string]commercial.Grade{"TREO": {Value: d("40"), Unit: "%"}, "Nd2O3": {Value: d("8"), Unit: "%"}}
	ndG := map[string]commercial.Grade{"Nd2O3": {Value: d("75"), Unit: "%"}, "Pr6O11": {Value: d("24.5"), Unit: "%"}}
	for _, c := range []struct {
		name, terms, id, unit, value string
		grades                       map[string]commercial.Grade
		refused                      bool
	}{
		{"Sb per tonne as per lb", sb, "SB", "USD/lb", "48000", sbG, true},
		{"Sb per lb", sb, "SB", "USD/lb", "21.81", sbG, false},
		{"Nd2O3 per tonne as per kg", ree, "ND", "USD/kg", "70000", reeG, true},
		{"Nd2O3 per kg", ree, "ND", "USD/kg", "70", reeG, false},
		{"NdPr CNY per kg as per tonne", ndpr, "NDPR", "CNY/t", "600", ndG, true},
		{"NdPr CNY per tonne", ndpr, "NDPR", "CNY/t", "600000", ndG, false},
	} {
		err := boundSettle(t, c.terms, c.id, c.unit, c.value, c.grades)
		if c.refused && (err == nil || !strings.Contains(critmin.ErrorMessage(err), "outside the plausible")) {
			t.Errorf("%s: %v; want refused outside the plausible range", c.name, err)
		}
		if !c.refused && err != nil {
			t.Errorf("%s: %v; want settled", c.name, err)
		}
	}
}

// fix13n 3: the contract quantity was checked per lot only. Contract
// 200 dmt ± 10 % = 220 dmt; lots of 100 wmt at 9 % = 91 dmt each. Lot 1:
// 91 ≤ 220; lot 2: 91 + 91 = 182 ≤ 220; lot 3: 182 + 91 = 273 > 220 —
// refused 409 naming the lot, the 182 dmt already invoiced, the sum and
// the limit (over by 53 dmt). Lot 1's final is issued: its own
// provisional's 91 dmt is not counted twice (91 + 91 = 182 ≤ 220).
func TestContractQuantitySumsItsLots(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-QTY", func(m map[string]any) {
		delete(m, "assay_exchange")
		delete(m, "take_or_pay")
		m["weights"] = map[string]any{"final_at": "loading", "franchise_pct": 0.5}
		m["quantity"] = map[string]any{"dmt": 200, "tolerance_pct": 10, "option": "buyer"}
	})
	var lots []string
	for _, n := range []string{"1", "2", "3"} {
		lot := "urn:critmin:test:lot:QTY-" + n
		slipLot(t, s, lot, "copper_concentrate", 100000, 9, 4, 0, 0)
		lots = append(lots, lot)
	}
	for _, lot := range lots[:2] {
		if _, err := s.IssueAt(ctx, "T-QTY", lot, commercial.Provisional, provAt); err != nil {
			t.Fatalf("%s: %v", lot, err)
		}
	}
	_, err := s.IssueAt(ctx, "T-QTY", lots[2], commercial.Provisional, provAt)
	if !conflictAt(err, "lot") {
		t.Fatalf("third lot: %v; want 409 naming lot", err)
	}
	for _, want := range []string{lots[2], "91 dmt, with the 182 dmt of the 2 lots already invoiced", "makes 273 dmt", "= 220 dmt (over by 53 dmt)"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("refusal %q does not say %q", critmin.ErrorMessage(err), want)
		}
	}
	if _, err := s.IssueAt(ctx, "T-QTY", lots[0], commercial.Final, finalAt); err != nil {
		t.Errorf("final of lot 1: %v; want issued (its provisional not counted twice)", err)
	}
}

// fix13n 1: unit slips inside the wide price bounds were imported. Three
// daily series over the weekdays of August 2025, each with one slipped
// row on 15 August (line numbers: the header is line 1, then three rows a
// day):
//   - ND-KG (USD/kg) at 70 with 31.75 on the 15th: 31.75 ÷ 70 = 0.4536 ≈
//     453.59237 ÷ 1000 = 1 ÷ 2.2046 — a per-lb price: "USD/lb";
//   - AU-OZT (USD/ozt) at 3775 with 121.37 (3775 ÷ 31.1034768 = 121.37):
//     a per-g price, ratio 1 ÷ 31.1035: "USD/g";
//   - AU-KG (USD/kg) at 121 372 (3775 × 1000 ÷ 31.1034768 = 121 369.8)
//     with 3775: 3775 ÷ 121 372 = 0.0311 ≈ 31.1034768 ÷ 1000 — a per-ozt
//     price: "USD/ozt".
//
// Each is refused at import naming its line and the value column with the
// likely unit; nothing is stored. A 10 % move (77 after 70) is no slip.
// With the jumps confirmed the file is imported.
func TestPriceUnitSlipsRefusedAtImport(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("series,date,value,unit,source,frequency\n")
	line := 1
	lines := map[string]int{}
	for day := day("2025-08-01"); day.Month() == 8; day = day.AddDate(0, 0, 1) {
		if wd := day.Weekday(); wd == 0 || wd == 6 {
			continue
		}
		date := day.Format("2006-01-02")
		nd, ozt, kg := "70", "3775", "121372"
		if date == "2025-08-15" {
			nd, ozt, kg = "31.75", "121.37", "3775"
		}
		if date == "2025-08-20" {
			nd = "77"
		}
		for _, r := range [][3]string{{"ND-KG", nd, "USD/kg"}, {"AU-OZT", ozt, "USD/ozt"}, {"AU-KG", kg, "USD/kg"}} {
			line++
			lines[r[0]+date] = line
			b.WriteString(r[0] + "," + date + "," + r[1] + "," + r[2] + ",test,daily\n")
		}
	}
	_, err := s.ImportPrices(ctx, strings.NewReader(b.String()), commercial.PriceSeries{})
	fields := critmin.ErrorFields(err)
	if critmin.ErrorCode(err) != critmin.EINVALID || len(fields) != 3 {
		t.Fatalf("%v (%d fields); want the 3 slipped rows", err, len(fields))
	}
	for i, want := range []struct {
		series, likely string
	}{{"ND-KG", "most likely in USD/lb"}, {"AU-OZT", "most likely in USD/g"}, {"AU-KG", "most likely in USD/ozt"}} {
		ptr := fmt.Sprintf("line %d/value", lines[want.series+"2025-08-15"])
		if fields[i].Pointer != ptr || !strings.Contains(fields[i].Reason, want.likely) || !strings.Contains(fields[i].Reason, "series "+want.series) {
			t.Errorf("fault %d: %s: %s; want %s naming %s and %q", i, fields[i].Pointer, fields[i].Reason, ptr, want.series, want.likely)
		}
	}
	if _, err := s.PriceSeries(ctx, "ND-KG"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("ND-KG stored after a refused import: %v", err)
	}
	got, err := s.ImportPricesWith(ctx, strings.NewReader(b.String()), commercial.PriceSeries{}, commercial.PriceImportOptions{ConfirmUnitJumps: true})
	if err != nil || len(got) != 3 {
		t.Fatalf("confirmed: %v", err)
	}
}

// fix13n 1, known market ranges: the demo copper contract prices Cu from
// DEMO-LME-CU (USD/t, from 2025-07-01). A week of June 2025 imported at
// per-lb values, 4.45 (9 800 USD/t ÷ 2 204.62 lb/t = 4.445): the rows
// agree with each other, but 4.45 USD/t is outside copper's plausible
// 1 000–50 000 USD/t; in USD/lb it would be 4.45 × 2 204.62 = 9 810.57
// USD/t, in range: refused naming each line and the likely unit.
func TestPriceImportJudgedByTheContractsMarketRange(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	csv := "series,date,value\n"
	for _, day := range []string{"2025-06-02", "2025-06-03", "2025-06-04", "2025-06-05", "2025-06-06"} {
		csv += "DEMO-LME-CU," + day + ",4.45\n"
	}
	_, err := s.ImportPrices(ctx, strings.NewReader(csv), commercial.PriceSeries{})
	if !hasField(err, "line 2/value") || !hasField(err, "line 6/value") {
		t.Fatalf("%v; want lines 2–6 refused", err)
	}
	msg := ""
	for _, f := range critmin.ErrorFields(err) {
		msg += f.Reason + "\n"
	}
	for _, want := range []string{"outside the plausible 1000–50000 USD/t for Cu, which contract FWO-USSM-CU-2025 prices from this series", "in USD/lb it would be 9810.57 USD/t, in range"} {
		if !strings.Contains(msg, want) {
			t.Errorf("faults %q do not say %q", msg, want)
		}
	}
}
