package commercial_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Issue 13, fifth new-user check (branch fix13e): one test per gap, each
// failing before its fix.

// Gap 1: a grade sensitivity scales a rare-earth total with its parts.
// The demo REE basket (TREO 30 % payable, Nd2O3 and Pr6O11 priced by
// their share of TREO) on a feed of TREO 50 %, Nd2O3 10 %, Pr6O11 3 %,
// CeO2 22 %, La2O3 13 % (the oxides 48 % ≤ TREO), both oxides at 75
// USD/kg: basket price 10/50 × 75 + 3/50 × 75 = 15 + 4.5 = 19.5 USD/kg
// TREO; 50 % TREO = 500 kg/dmt × 30 % = 150 kg × 19.5 = 2 925 USD/dmt.
// Grade × 0.9 scales every rare-earth analyte (CeO2 and La2O3 too, so
// the shares stay 0.2 and 0.06): 450 × 30 % × 19.5 = 2 632.5; × 1.1:
// 550 × 30 % × 19.5 = 3 217.5. Before, only TREO, Nd2O3 and Pr6O11 were
// scaled: at × 0.9 the oxides 9 + 2.7 + 22 + 13 = 46.7 % exceeded TREO
// 45 % (+ 0.5 tolerance), a sample no laboratory reports: n/a.
func TestGradeSensitivityScalesTheTotal(t *testing.T) {
	ts, err := commercial.ParseTermSheet([]byte(mustFile(t, "demo/ree-2025.json")))
	if err != nil {
		t.Fatal(err)
	}
	pc := func(v string) commercial.Grade {
		return commercial.Grade{Value: decimal.RequireFromString(v), Unit: "%"}
	}
	grades := map[string]commercial.Grade{"TREO": pc("50"), "Nd2O3": pc("10"), "Pr6O11": pc("3"), "CeO2": pc("22"), "La2O3": pc("13")}
	spot := map[string]decimal.Decimal{"DEMO-AGENCY-ND2O3": decimal.NewFromInt(75), "DEMO-AGENCY-PR6O11": decimal.NewFromInt(75)}
	f := []decimal.Decimal{decimal.RequireFromString("0.9"), decimal.NewFromInt(1), decimal.RequireFromString("1.1")}
	c := commercial.CompareNSR([]*commercial.TermSheet{ts}, grades, spot, f).Cases[0]
	if c.Error != "" {
		t.Fatal(c.Error)
	}
	eq(t, "NSR", c.NSRPerDMT, "2925")
	for i, want := range []string{"2632.5", "2925", "3217.5"} {
		if c.GradeSens[i] == nil {
			t.Fatalf("grade × %s: n/a (%s)", f[i], c.GradeNotes[i])
		}
		eq(t, "grade × "+f[i].String(), *c.GradeSens[i], want)
	}
	if got := strings.Join(c.GradeScaled, ","); got != "CeO2,La2O3,Nd2O3,Pr6O11,TREO" {
		t.Errorf("scaled %s, want every rare-earth analyte", got)
	}
	// The demo REE lots get a figure too: a basket with no charges
	// scales with its grade, so grade × 0.9 is 0.9 × the NSR.
	s := MustDemo(t)
	for _, lot := range []string{commercial.DemoREELot1, commercial.DemoREELot2} {
		cmp, err := s.NSRFor(context.Background(), "FWO-USSM-REE-2025", lot, "", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), 10)
		if err != nil {
			t.Fatal(err)
		}
		c := cmp.Cases[0]
		if c.Error != "" || len(c.GradeSens) != 3 || c.GradeSens[0] == nil {
			t.Fatalf("%s: grade −10 %% n/a: %q %q", lot, c.Error, c.GradeNotes)
		}
		if d := c.GradeSens[0].Sub(c.NSRPerDMT.Mul(f[0])).Abs(); d.GreaterThan(decimal.RequireFromString("0.001")) {
			t.Errorf("%s: grade −10 %% %s, 0.9 × NSR %s = %s", lot, c.GradeSens[0], c.NSRPerDMT, c.NSRPerDMT.Mul(f[0]))
		}
	}
}

// Gap 3: exposure totals count what is priced, never a total beside its
// parts. On 15 Oct 2025 (TestExposure) the two REE lots are open: lot 1
// 22.954 dmt × 45 % TREO × 30 % = 3 098.79 kg payable TREO, × 5.2/45 =
// 358.082 kg Nd2O3; lot 2 16.721 × 44 % × 30 % = 2 207.172 kg TREO, ×
// 5.1/44 = 255.831 kg Nd2O3. long_kg Nd2O3 = 358.082 + 255.831 =
// 613.913; TREO (3 098.79 + 2 207.172 = 5 305.962 kg) is each lot's
// basis_kg and no key of long_kg (before: long_kg TREO 5 305.962 beside
// its oxides).
func TestExposureTotalsCountNoTotal(t *testing.T) {
	s := MustDemo(t)
	ex, err := s.Exposure(context.Background(), time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []map[string]decimal.Decimal{ex.Long, ex.Short, ex.Priced, ex.Unpriced} {
		if v, ok := m["TREO"]; ok {
			t.Errorf("a total counts TREO %s beside its oxides", v)
		}
	}
	eq(t, "long Nd2O3", ex.Long["Nd2O3"], "613.913")
	basis := decimal.Zero
	for _, l := range ex.Lots {
		if _, ok := l.Payable["TREO"]; ok {
			t.Errorf("lot %s payable_kg lists TREO beside its oxides", l.Lot)
		}
		basis = basis.Add(l.BasisKg["TREO"])
	}
	eq(t, "basis TREO", basis, "5305.962")
}

// Gap 2: an explicit book that is a party to only some open contracts is
// accepted; the others are left out and said so. The book of
// TestExposureIsOneBook seen by the smelter: it buys lot BOOK-B under
// T-SALE (50 000 kg × 0.92 = 46 dmt × 230 kg Cu/dmt = 10 580 kg long);
// T-BUY (FWO → USSM, lot BOOK-A) and the demo's purchases from FWO
// (copper, antimony: one open lot each; REE: two) are not its position:
// left out, each said so. Before: 400
// "not a party to contract FWO-USSM-…".
func TestExposureBookOnSomeContracts(t *testing.T) {
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
	on := time.Date(2025, 9, 6, 0, 0, 0, 0, time.UTC)
	ex, err := s.Exposure(ctx, on, "urn:critmin:test:party:smelter")
	if err != nil {
		t.Fatalf("a book on some contracts: %v", err)
	}
	eq(t, "long Cu", ex.Long["Cu"], "10580")
	eq(t, "short Cu", ex.Short["Cu"], "0")
	eq(t, "net Cu", ex.Priced["Cu"].Add(ex.Unpriced["Cu"]), "10580")
	if len(ex.Lots) != 1 || ex.Lots[0].Contract != "T-SALE" || ex.Lots[0].Side != "long" {
		t.Errorf("lots %+v, want T-SALE's, long", ex.Lots)
	}
	left := map[string]int{}
	for _, l := range ex.LeftOut {
		left[l.Contract] = l.Lots
		if !strings.Contains(l.Reason, "neither the seller") {
			t.Errorf("left out %s: %q", l.Contract, l.Reason)
		}
	}
	if left["T-BUY"] != 1 || left["FWO-USSM-CU-2025"] != 1 || left["FWO-USSM-REE-2025"] != 2 || left["FWO-USSM-SB-2025"] != 1 || len(left) != 4 {
		t.Errorf("left out %v, want T-BUY and the demo's FWO → USSM contracts", left)
	}
	// A party to none of the open contracts is refused, naming book.
	if _, err := s.Exposure(ctx, on, "urn:critmin:test:party:nobody"); !hasField(err, "/book") {
		t.Errorf("a book on no contract: %v", err)
	}
}

// Gap 4: an off-spec lot's zero invoice warns. NdPr oxide at Nd2O3 74 %
// + Pr6O11 24 % = 98 % < the 99 % minimum grade of the demo NdPr sale:
// nothing payable, 0 × 1 000 kg = 0 USD, provisional 100 % of 0 = 0.
// The term sheet states no rejection limit (min_grade is where payment
// stops), so the invoice is issued — with a warning naming the payable,
// in the JSON, when served again and in the workbook.
func TestOffSpecInvoiceWarns(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/ndpr-2025.json", "T-NDPR", func(map[string]any) {})
	lot := "urn:critmin:test:lot:NDPR-OFF"
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:e13e0000-0000-4000-8000-000000000001", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 1000),
		"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:ussm"}},
		"ilmd": map[string]any{"cm:commodity": "ndpr_oxide", "cm:moisture": 0.0, "cm:assay": []any{
			map[string]any{"cm:analyte": "Nd2O3", "cm:value": 74.0, "cm:unit": "%", "cm:basis": "dry"},
			map[string]any{"cm:analyte": "Pr6O11", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:e13e0000-0000-4000-9000-000000000001", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, 1000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:E13E-1"}}})
	inv, err := s.IssueAt(ctx, "T-NDPR", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "total", inv.Total, "0")
	warned := func(where string, ws []string) {
		t.Helper()
		if len(ws) != 1 || !strings.Contains(ws[0], "below the minimum payable grade") || !strings.Contains(ws[0], "worth nothing") {
			t.Errorf("%s: warnings %q", where, ws)
		}
	}
	warned("issued", inv.Warnings)
	b, _ := json.Marshal(inv)
	if !bytes.Contains(b, []byte(`"warnings":["lot urn:critmin:test:lot:NDPR-OFF is worth nothing`)) {
		t.Errorf("JSON without the warning: %s", b)
	}
	served, err := s.Invoice(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	warned("served", served.Warnings)
	var buf bytes.Buffer
	if err := commercial.WriteXLSX(&buf, served); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Invoice")
	found := false
	for _, r := range rows {
		if len(r) > 1 && r[0] == "WARNING" && strings.Contains(r[1], "worth nothing") {
			found = true
		}
	}
	if !found {
		t.Errorf("workbook without the warning: %q", rows[:12])
	}
	// A lot worth something carries none (the demo copper lot).
	cu, err := s.Invoice(ctx, commercial.InvoiceID(commercial.DemoContractFor[commercial.DemoCopperLot], commercial.DemoCopperLot, commercial.Provisional))
	if err != nil || len(cu.Warnings) != 0 {
		t.Errorf("copper invoice: %v, warnings %q", err, cu.Warnings)
	}
}

// Gap 6: a TC or RC basis price stated in a unit other than its
// element's series is refused, naming the field. The demo copper TC
// escalates on DEMO-LME-CU, quoted in USD/t: a basis of 9 000 stated in
// USc/lb is refused at /tc/basis_unit, nothing stored; in USD/t it is
// accepted. Before: basis_unit was an unknown field.
func TestBasisUnitMustMatchSeries(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	for _, c := range []struct{ at, unit string }{{"/tc/basis_unit", "USc/lb"}, {"/rc/0/basis_unit", "USD/kg"}} {
		var m map[string]any
		json.Unmarshal([]byte(mustFile(t, "demo/cu-2025.json")), &m)
		m["id"] = "T-BASIS"
		if c.at == "/tc/basis_unit" {
			m["tc"].(map[string]any)["basis_unit"] = c.unit
		} else {
			rc := m["rc"].([]any)[0].(map[string]any)
			rc["basis_price"], rc["basis_unit"] = 9000, c.unit
		}
		b, _ := json.Marshal(m)
		_, err := s.SaveContract(ctx, b)
		if !hasField(err, c.at) || !strings.Contains(err.Error(), "USD/t") {
			t.Errorf("%s %s: %v", c.at, c.unit, err)
		}
		if _, err := s.Contract(ctx, "T-BASIS"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: stored (%v)", c.at, err)
		}
	}
	termsFrom(t, s, "demo/cu-2025.json", "T-BASIS", func(m map[string]any) { m["tc"].(map[string]any)["basis_unit"] = "USD/t" })
}

// Gap 5: commercial errors name the field as the term sheet writes it,
// with each figure's unit. (1) A missing spot price was at pointer
// "spot/DEMO-AGENCY-PR6O11", no field of any input: now the term sheet's
// /basket/oxides/1/price/series, with the unit the series is quoted in.
// (2) An escalator starting below its basis said "starts at or above the
// basis price 9000", no unit and not the figure refused: now "from 8000
// USD/t is below basis_price 9000 USD/t". (3) A TC floor over its cap
// said "floor 50 is above the cap 40": now in USD/dmt.
func TestErrorsNameFieldWithUnit(t *testing.T) {
	ree, err := commercial.ParseTermSheet([]byte(mustFile(t, "demo/ree-2025.json")))
	if err != nil {
		t.Fatal(err)
	}
	pc := func(v string) commercial.Grade {
		return commercial.Grade{Value: decimal.RequireFromString(v), Unit: "%"}
	}
	grades := map[string]commercial.Grade{"TREO": pc("50"), "Nd2O3": pc("10"), "Pr6O11": pc("3")}
	_, _, err = commercial.NetValuePerTonne(ree, grades, map[string]decimal.Decimal{"DEMO-AGENCY-ND2O3": decimal.NewFromInt(75)})
	if !hasField(err, "/basket/oxides/1/price/series") || !strings.Contains(err.Error(), "DEMO-AGENCY-PR6O11 (Pr6O11 in USD/kg)") {
		t.Errorf("missing spot: %v", err)
	}
	for _, c := range []struct {
		edit      func(tc map[string]any)
		at, words string
	}{
		{func(tc map[string]any) { tc["escalators"].([]any)[0].(map[string]any)["from"] = 8000 }, "/tc/escalators/0/from", "from 8000 USD/t is below basis_price 9000 USD/t"},
		{func(tc map[string]any) { tc["floor"], tc["cap"] = 50, 40 }, "/tc/floor", "floor 50 USD/dmt is above cap 40 USD/dmt"},
	} {
		var m map[string]any
		json.Unmarshal([]byte(mustFile(t, "demo/cu-2025.json")), &m)
		c.edit(m["tc"].(map[string]any))
		b, _ := json.Marshal(m)
		if _, err := commercial.ParseTermSheet(b); !hasField(err, c.at) || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: %v, want %q", c.at, err, c.words)
		}
	}
}
