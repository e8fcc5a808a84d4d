package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/ledger"
	"github.com/shopspring/decimal"
)

// Issue 13, new-user check (reports/nu13.md): one test per defect, each
// failing before its fix.

// capture records EPCIS events (JSON objects without @context) in the
// ledger.
func capture(t *testing.T, s *commercial.Service, events ...map[string]any) {
	t.Helper()
	list := make([]any, len(events))
	for i, e := range events {
		list[i] = e
	}
	body, _ := json.Marshal(map[string]any{
		"@context":      []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
		"type":          "EPCISDocument",
		"schemaVersion": "2.0",
		"creationDate":  "2025-12-01T00:00:00Z",
		"epcisBody":     map[string]any{"eventList": list},
	})
	if _, err := s.Ledger.Capture(context.Background(), ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatalf("capture: %v", err)
	}
}

func qty(lot string, kg float64) []any {
	return []any{map[string]any{"epcClass": lot, "quantity": kg, "uom": "KGM"}}
}

func h2o(pct float64) []any {
	return []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-10-04T10:00:00Z"}, "sensorReport": []any{
		map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "H2O", "value": pct, "uom": "P1"}}}}
}

// termsFrom is a demo term sheet changed by edit and saved under id.
func termsFrom(t *testing.T, s *commercial.Service, file, id string, edit func(m map[string]any)) *commercial.TermSheet {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(mustFile(t, file)), &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = id
	edit(m)
	b, _ := json.Marshal(m)
	ts, err := s.SaveContract(context.Background(), b)
	if err != nil {
		t.Fatalf("save %s: %v", id, err)
	}
	return ts
}

// Item 1: a moisture determination carried by the receipt event itself,
// or by an event between the B/L and the receipt, is the discharge
// moisture. Both lots: 100 000 kg at 8 % moisture on the B/L of 2 Sep
// 2025, received 99 000 kg with H2O 8.5 %. The outturn 99 wmt is below
// 100 × (1 − 0.5 % franchise) = 99.5, so it stands: 99 × (1 − 8.5 %) =
// 90.585 dmt; excess moisture (8.5 − 8 % franchise) × 2 USD = −1 USD/dmt,
// × 90.585 = −90.585 → −90.59 USD. Before the fix both settled on the
// loading moisture: 99 × 0.92 = 91.08 dmt, no moisture line.
func TestMoistureOnWeighingEvents(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-MOIST-2025", func(m map[string]any) {
		delete(m, "assay_exchange")
		m["moisture"] = map[string]any{"franchise_pct": 8, "rate": 2}
	})
	for _, c := range []struct{ lot, where string }{{"urn:critmin:test:lot:MOIST-A", "receipt"}, {"urn:critmin:test:lot:MOIST-B", "transit"}} {
		commissioning := map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + c.lot[len(c.lot)-1:] + "0000000-0000-4000-8000-000000000001", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": qty(c.lot, 100000),
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}}
		shipping := map[string]any{"type": "ObjectEvent", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(c.lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:" + c.lot[len(c.lot)-7:]}}}
		receiving := map[string]any{"type": "ObjectEvent", "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
			"quantityList": qty(c.lot, 99000)}
		events := []map[string]any{commissioning, shipping}
		if c.where == "receipt" {
			receiving["sensorElementList"] = h2o(8.5)
		} else {
			events = append(events, map[string]any{"type": "ObjectEvent", "eventTime": "2025-10-03T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
				"quantityList": []any{map[string]any{"epcClass": c.lot}}, "sensorElementList": h2o(8.5)})
		}
		capture(t, s, append(events, receiving)...)
		v, _, err := s.Value(ctx, "T-MOIST-2025", c.lot)
		if err != nil {
			t.Fatal(err)
		}
		if v.Final == nil {
			t.Fatalf("%s: no final settlement: %s", c.where, v.Missing)
		}
		eq(t, c.where+" discharge moisture", v.Facts.Discharge.MoisturePct, "8.5")
		if v.Facts.Discharge.MoistureFromLoading || len(v.Final.Warnings) > 0 {
			t.Errorf("%s: moisture taken from loading: warnings %v", c.where, v.Final.Warnings)
		}
		eq(t, c.where+" final dmt", v.Final.DMT, "90.585")
		eq(t, c.where+" excess moisture per dmt", lineAmountPerDMT(t, v.Final.Lines, "moisture"), "-1")
		eq(t, c.where+" excess moisture", lineAmount(t, v.Final.Lines, "moisture"), "-90.59")
	}
}

func lineAmountPerDMT(tb testing.TB, lines []commercial.Line, code string) decimal.Decimal {
	tb.Helper()
	for _, l := range lines {
		if l.Code == code {
			return l.PerDMT
		}
	}
	tb.Fatalf("no line %s", code)
	return decimal.Zero
}

// Item 2: an import never changes a stored series' metadata. The demo's
// DEMO-LME-CU is illustrative, from an "ILLUSTRATIVE series …" source: a
// row for a new day saying source "LME official" or illustrative false is
// ECONFLICT naming the field, and the stored series is unchanged (the
// day not added). Item 6e: a row giving only series, date and value
// inherits the stored metadata and is added.
func TestPriceImportKeepsMetadata(t *testing.T) {
	s := MustDemo(t)
	s.Now = func() time.Time { return time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC) } // the day imported is published
	ctx := context.Background()
	before, err := s.PriceSeries(ctx, "DEMO-LME-CU")
	if err != nil {
		t.Fatal(err)
	}
	head := "series,date,value,unit,currency,source,frequency,illustrative\n"
	for _, c := range []struct{ row, want string }{
		{"DEMO-LME-CU,2026-03-02,9000,USD/t,USD,LME official,daily,true\n", "source"},
		{"DEMO-LME-CU,2026-03-02,9000,USD/t,USD,\"" + before.Source + "\",daily,false\n", "illustrative"},
	} {
		_, err := s.ImportPrices(ctx, strings.NewReader(head+c.row), commercial.PriceSeries{})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), c.want) {
			t.Errorf("%s: err = %v, want ECONFLICT naming %s", c.row, err, c.want)
		}
		// The correction path merges the same way.
		_, err = s.ImportPriceCorrections(ctx, strings.NewReader(head+c.row), commercial.PriceSeries{})
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("%s as a correction: err = %v, want ECONFLICT", c.row, err)
		}
	}
	after, err := s.PriceSeries(ctx, "DEMO-LME-CU")
	if err != nil {
		t.Fatal(err)
	}
	if after.Source != before.Source || !after.Illustrative || len(after.Points) != len(before.Points) {
		t.Errorf("stored series changed: source %q illustrative %t, %d points (was %d)", after.Source, after.Illustrative, len(after.Points), len(before.Points))
	}
	got, err := s.ImportPrices(ctx, strings.NewReader("series,date,value\nDEMO-LME-CU,2026-03-02,9000\n"), commercial.PriceSeries{})
	if err != nil {
		t.Fatalf("a day without metadata columns into a stored series: %v", err)
	}
	if g := got[0]; g.Source != before.Source || g.Unit != "USD/t" || g.Frequency != commercial.Daily || !g.Illustrative || len(g.Points) != len(before.Points)+1 {
		t.Errorf("inherited metadata: %+v", g)
	}
	// A new series still states its metadata: the fault named at its row.
	_, err = s.ImportPrices(ctx, strings.NewReader("series,date,value\nNEW-S,2026-03-02,9000\n"), commercial.PriceSeries{})
	if !hasField(err, "line 2/source") {
		t.Errorf("new series without source: err = %v, want line 2/source", err)
	}
}

// Item 6d: one number parser. A price of 1e3 is refused at its line, as
// a payment of 1e3 is refused; 1000.50 is read as written. Issue 14: space
// around a number is dropped everywhere (critmin.NumberText), so " 1000 "
// is 1000 — a space inside ("1 000") is still refused.
func TestPlainNumbers(t *testing.T) {
	for _, v := range []string{"1e3", "\"1 000\"", "\"1,000\"", "+5"} {
		csv := "series,date,value,unit,source,frequency\nS,2025-10-07," + v + ",USD/t,x,daily\n"
		if _, err := commercial.ImportPriceCSV(strings.NewReader(csv), commercial.PriceSeries{}); !hasField(err, "line 2/value") || !strings.Contains(critmin.ErrorMessage(err), "plain decimal") {
			t.Errorf("price %s: err = %v, want line 2/value not a plain decimal", v, err)
		}
	}
	got, err := commercial.ImportPriceCSV(strings.NewReader("series,date,value,unit,source,frequency\nS,2025-10-07,1000.50,USD/t,x,daily\n"), commercial.PriceSeries{})
	if err != nil || !got[0].Points[0].Value.Equal(d("1000.5")) {
		t.Errorf("1000.50: %v %v", got, err)
	}
	got, err = commercial.ImportPriceCSV(strings.NewReader("series,date,value,unit,source,frequency\nS,2025-10-07,\" 1000 \",USD/t,x,daily\n"), commercial.PriceSeries{})
	if err != nil || !got[0].Points[0].Value.Equal(d("1000")) {
		t.Errorf("\" 1000 \": %v %v", got, err)
	}
	s := MustDemo(t)
	invs, _ := s.Invoices(context.Background(), critmin.InvoiceFilter{})
	err = s.RecordPayment(context.Background(), &critmin.TradePayment{Invoice: invs[0].ID, Amount: "1e3", PaidOn: "2025-11-30"})
	if !hasField(err, "/amount") || !strings.Contains(critmin.ErrorMessage(err), "plain decimal") {
		t.Errorf("payment 1e3: err = %v", err)
	}
}

// Item 4: overlapping tiers of any tiered schedule are refused, naming the
// later tier. TC escalators 9000–9600 and from 9500 count 9500–9600
// twice; de-escalators 9000 down to 8000 and 8500 down; RC escalators the
// same; Zn penalties from 3 % (no upper bound) and 5–8 %. Consecutive
// tiers (9000–9600, 9600–…) are accepted.
func TestOverlappingTiers(t *testing.T) {
	base := mustFile(t, "demo/cu-2025.json")
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal([]byte(base), &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	tier := func(from float64, to any) map[string]any {
		t := map[string]any{"from": from, "step": 100, "amount": 1, "pro_rata": true}
		if to != nil {
			t["to"] = to
		}
		return t
	}
	for _, c := range []struct {
		name, field string
		f           func(m map[string]any)
	}{
		{"tc escalators", "/tc/escalators/1", func(m map[string]any) {
			m["tc"].(map[string]any)["escalators"] = []any{tier(9000, 9600), tier(9500, nil)}
		}},
		{"tc de-escalators", "/tc/deescalators/1", func(m map[string]any) {
			m["tc"].(map[string]any)["deescalators"] = []any{tier(9000, 8000), tier(8500, nil)}
		}},
		{"rc escalators", "/rc/0/escalators/1", func(m map[string]any) {
			rc := m["rc"].([]any)[0].(map[string]any)
			rc["basis_price"], rc["basis_unit"] = 9000, "USD/t"
			rc["escalators"] = []any{tier(9000, nil), tier(9200, 9400)}
		}},
		{"penalties", "/penalties/1", func(m map[string]any) {
			m["penalties"] = []any{
				map[string]any{"analyte": "Zn", "unit": "%", "threshold": 3, "step": 1, "rate": 2},
				map[string]any{"analyte": "Zn", "unit": "%", "threshold": 5, "up_to": 8, "step": 1, "rate": 3}}
			x := m["assay_exchange"].(map[string]any)
			x["limits"] = append(x["limits"].([]any), map[string]any{"analyte": "Zn", "limit": 0.1, "unit": "%"})
		}},
	} {
		_, err := commercial.ParseTermSheet(edit(c.f))
		if !hasField(err, c.field) || !strings.Contains(critmin.ErrorMessage(err), "overlaps") {
			t.Errorf("%s: err = %v, want %s overlaps", c.name, err, c.field)
		}
	}
	ok := edit(func(m map[string]any) {
		m["tc"].(map[string]any)["escalators"] = []any{tier(9000, 9600), tier(9600, nil)}
		m["penalties"] = []any{
			map[string]any{"analyte": "Zn", "unit": "%", "threshold": 3, "up_to": 5, "step": 1, "rate": 2},
			map[string]any{"analyte": "Zn", "unit": "%", "threshold": 5, "step": 1, "rate": 3}}
		x := m["assay_exchange"].(map[string]any)
		x["limits"] = append(x["limits"].([]any), map[string]any{"analyte": "Zn", "limit": 0.1, "unit": "%"})
	})
	if _, err := commercial.ParseTermSheet(ok); err != nil {
		t.Errorf("consecutive tiers refused: %v", err)
	}
}

// Item 5: grades that cannot be true of a sample are refused by the NSR
// comparison: Nd2O3 80 % + Pr6O11 20.5 % = 100.5 % of oxide (over the
// whole, beyond the 0.5-point closure tolerance); an analyte that is no
// element or formula (Xx); and the grade sensitivity gives no figure
// where scaling makes a grade impossible: NdPr oxide at 99 % purity × 1.1
// = 108.9 %. At −10 % (89.1 %) the figure stands.
func TestNSRImpossibleGrades(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	asOf := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ grades, want string }{
		{"Nd2O3=80%,Pr6O11=20.5%", "100.5"},
		{"Xx=24%", "Xx"},
	} {
		_, err := s.NSRFor(ctx, "USSM-NDPR-FLOOR-2025", "", c.grades, asOf, 10)
		if !hasField(err, "/grades") || !strings.Contains(critmin.ErrorMessage(err), c.want) {
			t.Errorf("%s: err = %v, want grades naming %s", c.grades, err, c.want)
		}
	}
	cmp, err := s.NSRFor(ctx, "USSM-NDPR-FLOOR-2025", "", "Nd2O3=74.25%,Pr6O11=24.75%", asOf, 10)
	if err != nil {
		t.Fatal(err)
	}
	c := cmp.Cases[0]
	if c.Error != "" || len(c.GradeSens) != 3 || c.GradeSens[0] == nil || c.GradeSens[1] == nil || c.GradeSens[2] != nil || !strings.Contains(c.GradeNotes[2], "grade ×1.1") {
		t.Errorf("grade sensitivity of a 99 %% product: %v notes %q error %q", c.GradeSens, c.GradeNotes, c.Error)
	}
}

// Item 6a: after a second seller result the current data no longer settle
// the demo copper lot (finally invoiced): current_differs says why and
// gives no lot value or balance (null), while the headline keeps the
// issued figures.
func TestCurrentDiffersNotSettled(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	sub := &commercial.ExchangeSubmission{Lot: commercial.DemoCopperLot, Party: commercial.Seller, Lab: "urn:lab:second", At: time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC),
		Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d("22.4"), Unit: "%"}, {Analyte: "Au", Value: d("4.1"), Unit: "g/t"}}}
	if _, err := s.SubmitAssays(ctx, sub); err != nil {
		t.Fatal(err)
	}
	v, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	d := v.CurrentDiffers
	if v.Final != nil || d == nil || d.LotValue != nil || d.FinalBalance != nil || !strings.Contains(d.Reason, "no longer settle") {
		t.Fatalf("current differs = %+v (final %v)", d, v.Final != nil)
	}
	b, _ := json.Marshal(d)
	if !strings.Contains(string(b), `"lot_value":null`) || !strings.Contains(string(b), `"final_balance":null`) {
		t.Errorf("current_differs JSON %s, want null figures", b)
	}
}

// Item 6b: a percentage that must be below 100 says so.
func TestBelowHundredMessage(t *testing.T) {
	base := mustFile(t, "demo/cu-2025.json")
	for _, c := range []struct{ field, from, to string }{
		{"/quantity/tolerance_pct", `"tolerance_pct": 10`, `"tolerance_pct": 100`},
		{"/moisture/franchise_pct", `"franchise_pct": 10`, `"franchise_pct": "100"`},
	} {
		body := strings.Replace(base, c.from, c.to, 1)
		_, err := commercial.ParseTermSheet([]byte(body))
		var reason string
		for _, f := range critmin.ErrorFields(err) {
			if f.Pointer == c.field {
				reason = f.Reason
			}
		}
		if !strings.Contains(reason, "below 100") || strings.Contains(reason, "outside 0–100") {
			t.Errorf("%s: %q, want \"below 100\"", c.field, reason)
		}
	}
}

// Item 6c: a negative TC (the smelter pays 10 USD/dmt) reads
// "= +10 USD/dmt", a credit, never "−-10".
func TestNegativeTCFormula(t *testing.T) {
	s := MustDemo(t)
	ts := termsFrom(t, s, "demo/cu-2025.json", "T-NEGTC-2025", func(m map[string]any) {
		m["tc"] = map[string]any{"base": -10}
	})
	v, _, err := s.ValueUnder(context.Background(), ts, commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range v.Provisional.Lines {
		if l.Code == "tc" {
			if strings.Contains(l.Formula, "−-") || !strings.HasSuffix(l.Formula, "= +10 USD/dmt") || !l.PerDMT.Equal(d("10")) {
				t.Errorf("tc line %q per dmt %s", l.Formula, l.PerDMT)
			}
			return
		}
	}
	t.Error("no tc line")
}

// Item 6f: a copper lot under the REE contract is a commodity mismatch
// (EINVALID naming the lot), not "invoiced under one contract".
func TestIssueCommodityMismatchFirst(t *testing.T) {
	s := MustDemo(t)
	_, err := s.Issue(context.Background(), "FWO-USSM-REE-2025", commercial.DemoCopperLot, commercial.Provisional)
	if !hasField(err, "/lot") || !strings.Contains(critmin.ErrorMessage(err), "copper_concentrate") {
		t.Errorf("err = %v, want EINVALID lot naming copper_concentrate", err)
	}
}

// Item 7: the REE lot REE-2025-001 (contract without an assay exchange).
// Event 021 is a buyer-lab sample across REE-2025-001 and -002 (TREO
// 44.6 %): a composite, no lot's assay, not read. Event 005 assays Nd2O3
// 5.3 % and Pr6O11 1.95 % but not TREO; the commissioning assay (event
// 001) reports all three: TREO 45, Nd2O3 5.2, Pr6O11 1.9. A basket share
// divides grades of one sample, so the final reads 001's three grades:
// Nd2O3 share 5.2 ÷ 45 = 0.115556, not 5.3 ÷ 44.6. A later sample of the
// lot reporting all three (TREO 46, Nd2O3 5.5, Pr6O11 2.0) is then used.
func TestBasketOneSample(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:demo:lot:REE-2025-001"
	grades := func() map[string]commercial.Fact {
		v, _, err := s.Value(ctx, "FWO-USSM-REE-2025", lot)
		if err != nil {
			t.Fatal(err)
		}
		if v.Final == nil {
			t.Fatalf("no final: %s", v.Missing)
		}
		out := map[string]commercial.Fact{}
		for _, f := range v.Final.Facts {
			out[f.Name] = f
		}
		for _, e := range v.Facts.Latest["TREO"].Events {
			if e == "urn:critmin:demo:event:021" {
				t.Errorf("the composite sample 021 is read as the lot's TREO")
			}
		}
		return out
	}
	g := grades()
	for a, want := range map[string]string{"TREO": "45", "Nd2O3": "5.2", "Pr6O11": "1.9"} {
		eq(t, a, g[a].Value, want)
		if strings.Join(g[a].Events, " ") != "urn:critmin:demo:event:001" {
			t.Errorf("%s from %v, want event 001", a, g[a].Events)
		}
	}
	// The NSR comparison of the lot reads the same sample: the basket
	// line's Nd2O3 share 5.2 ÷ 45 = 0.1155555… → 0.115556.
	cmp, err := s.NSRFor(ctx, "FWO-USSM-REE-2025", lot, "", time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil {
		t.Fatal(err)
	}
	if c := cmp.Cases[0]; c.Error != "" || len(c.Lines) == 0 || !strings.Contains(c.Lines[0].Formula, "Nd2O3 0.115556 ×") {
		t.Errorf("NSR of the lot: error %q, lines %+v", c.Error, c.Lines)
	}
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventTime": "2025-10-12T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
		"quantityList": []any{map[string]any{"epcClass": lot}}, "sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-10-12T10:00:00Z"}, "sensorReport": []any{
			map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "TREO", "value": 46.0, "uom": "P1", "cm:basis": "dry"},
			map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "Nd2O3", "value": 5.5, "uom": "P1", "cm:basis": "dry"},
			map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "Pr6O11", "value": 2.0, "uom": "P1", "cm:basis": "dry"}}}}})
	g = grades()
	for a, want := range map[string]string{"TREO": "46", "Nd2O3": "5.5", "Pr6O11": "2"} {
		eq(t, a+" after a full sample", g[a].Value, want)
	}
}
