package commercial_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user re-check (reports/nu13g.md): one test per finding,
// each failing before its fix.

// outturnLot captures lot: loaded 100 000 kg at 8 % (commissioning), B/L
// of 2 Sep 2025, then the later events given.
func outturnLot(t *testing.T, s *commercial.Service, lot, tag string, later ...map[string]any) {
	t.Helper()
	capture(t, s, append([]map[string]any{
		{"type": "ObjectEvent", "eventID": "urn:uuid:" + tag + "0000-4000-8000-000000000001", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
		{"type": "ObjectEvent", "eventID": "urn:uuid:" + tag + "0000-4000-8000-000000000002", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:" + tag}}},
	}, later...)...)
}

// weighing is an event of lot weighing kg (with H2O h % when h > 0).
func weighing(lot, id, step, when string, kg, h float64) map[string]any {
	ev := map[string]any{"type": "ObjectEvent", "eventID": id, "eventTime": when, "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": step, "quantityList": qty(lot, kg)}
	if h > 0 {
		ev["sensorElementList"] = h2o(h)
	}
	return ev
}

func factEvents(st *commercial.Settlement, name string) []string {
	for _, f := range st.Facts {
		if f.Name == name {
			return f.Events
		}
	}
	return nil
}

// Findings 1 and 2: the moisture is the determination made with the
// weighing used, and a lot received in parts settles on the sum of its
// parts, each with its own moisture. Demo copper terms (final at
// discharge, 0.5 % franchise: loading 100 wmt → floor 99.5 wmt, so every
// outturn below is settled on the outturn weight):
//
//   - one-receipt: received 98 000 kg with H2O 9 % on the receipt, shipped
//     on at 97 000 kg with H2O 6 %: 98 × (1 − 9 %) = 89.18 dmt, the
//     moisture citing the receipt (before: 98 × (1 − 6 %) = 92.12 dmt,
//     the onward shipment's moisture).
//   - two-parts: 50 000 kg at 9 % and 48 000 kg at 9 %: 50 × 0.91 +
//     48 × 0.91 = 45.5 + 43.68 = 89.18 dmt on 98 wmt (before: the first
//     part alone, 50 × 0.91 = 45.5 dmt).
//   - parts-differ: 50 000 kg at 9 % and 48 000 kg at 10 %: 45.5 +
//     48 × 0.90 = 45.5 + 43.2 = 88.7 dmt; the effective moisture
//     100 × (1 − 88.7 ÷ 98) = 9.4898 % (4 places).
//   - part-dry-unknown: the second part has no moisture of its own: no
//     final settlement, naming the receipt.
//
// Take-or-pay reads the same figure: min 300 dmt over 2025-2026 at 25
// USD: the two-parts lot's final invoice delivers 89.18 dmt, shortfall
// 300 − 89.18 = 210.82 dmt × 25 = 5 270.50 USD.
func TestOutturnMoistureAndParts(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-PARTS", func(m map[string]any) { delete(m, "assay_exchange") })
	for _, c := range []struct {
		name, tag      string
		h1, h2         float64 // the receipts' H2O %; h2 < 0: one receipt
		dmt, wmt, mois string
		wantErr        bool
	}{
		{"one-receipt", "d13ha001", 9, -1, "89.18", "98", "9", false},
		{"two-parts", "d13ha002", 9, 9, "89.18", "98", "9", false},
		{"parts-differ", "d13ha003", 9, 10, "88.7", "98", "9.4898", false},
		{"part-dry-unknown", "d13ha004", 9, 0, "", "", "", true},
	} {
		lot := "urn:critmin:test:lot:" + c.tag
		r1 := "urn:uuid:" + c.tag + "0000-4000-8000-000000000003"
		r2 := "urn:uuid:" + c.tag + "0000-4000-8000-000000000004"
		var later []map[string]any
		if c.h2 < 0 {
			later = []map[string]any{weighing(lot, r1, "receiving", "2025-10-04T10:00:00Z", 98000, c.h1),
				weighing(lot, r2, "shipping", "2025-10-20T10:00:00Z", 97000, 6)}
		} else {
			later = []map[string]any{weighing(lot, r1, "receiving", "2025-10-04T10:00:00Z", 50000, c.h1),
				weighing(lot, r2, "receiving", "2025-10-06T10:00:00Z", 48000, c.h2)}
		}
		outturnLot(t, s, lot, c.tag, later...)
		v, _, err := s.Value(ctx, "T-PARTS", lot)
		if err != nil {
			t.Fatal(err)
		}
		if c.wantErr {
			if v.Final != nil || !strings.Contains(v.Missing, r2) || !strings.Contains(v.Missing, "no moisture determination") {
				t.Errorf("%s: final %v, missing %q; want refused naming %s", c.name, v.Final, v.Missing, r2)
			}
			continue
		}
		if v.Final == nil {
			t.Fatalf("%s: no final settlement: %s", c.name, v.Missing)
		}
		eq(t, c.name+" wmt", v.Final.WMT, c.wmt)
		eq(t, c.name+" dmt", v.Final.DMT, c.dmt)
		eq(t, c.name+" moisture", v.Final.Moisture, c.mois)
		ev := factEvents(v.Final, "moisture")
		if c.h2 < 0 && (len(ev) != 1 || ev[0] != r1) {
			t.Errorf("%s: moisture cites %v, want the receipt %s", c.name, ev, r1)
		}
		if c.h2 >= 0 && (len(ev) != 2 || ev[0] != r1 || ev[1] != r2) {
			t.Errorf("%s: moisture cites %v, want both receipts", c.name, ev)
		}
	}
	if _, err := s.IssueAt(ctx, "T-PARTS", "urn:critmin:test:lot:d13ha002", commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAt(ctx, "T-PARTS", "urn:critmin:test:lot:d13ha002", commercial.Final, time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	p, err := s.Position(ctx, "T-PARTS")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "delivered", p.DeliveredDMT, "89.18")
	eq(t, "shortfall", *p.ShortfallDMT, "210.82")
	eq(t, "take-or-pay amount", *p.ShortfallAmount, "5270.5")
}

// Findings 3 and 4: money is never finer than the currency's ISO 4217
// minor unit (JPY 0, USD 2). A JPY contract with rounding.decimals 2
// invoiced 27,226,818.17 JPY — 0.17 yen no one can pay, and lines printed
// to the yen adding to 27,226,819 under a total of 27,226,818; USD with 3
// decimals likewise. Both refused naming /rounding/decimals; decimals at
// or below the minor unit (JPY 0, USD 2, USD 0) are accepted. An
// agreement's headline 1000.5 JPY or a tranche's committed 100.25 JPY is
// refused naming the field; 1000 JPY and 100.25 USD are accepted.
func TestMoneyNotFinerThanMinorUnit(t *testing.T) {
	for _, c := range []struct {
		currency string
		decimals int
		ok       bool
	}{{"JPY", 2, false}, {"JPY", 1, false}, {"USD", 3, false}, {"JPY", 0, true}, {"USD", 2, true}, {"USD", 0, true}} {
		body := strings.Replace(jpyContract, `"currency": "JPY"`, fmt.Sprintf(`"currency": %q, "rounding": {"mode": "half_up", "decimals": %d}`, c.currency, c.decimals), 1)
		body = strings.Replace(body, `"JPY/t"`, fmt.Sprintf("%q", c.currency+"/t"), 1)
		_, err := commercial.ParseTermSheet([]byte(body))
		if c.ok && err != nil {
			t.Errorf("%s decimals %d: %v", c.currency, c.decimals, err)
		}
		if !c.ok && (!hasField(err, "/rounding/decimals") || !strings.Contains(err.Error(), "minor unit")) {
			t.Errorf("%s decimals %d: %v, want EINVALID naming /rounding/decimals and the minor unit", c.currency, c.decimals, err)
		}
	}
	agreement := func(currency, headline, committed string) []byte {
		var m map[string]any
		if err := json.Unmarshal([]byte(mustFile(t, "demo/agreement.json")), &m); err != nil {
			t.Fatal(err)
		}
		m["headline"] = map[string]any{"amount": json.Number(headline), "currency": currency}
		m["tranches"] = []any{map[string]any{"id": "T1", "commodity": "copper", "committed": json.Number(committed), "from": "2025-01-01", "to": "2025-12-31", "contracts": []string{}}}
		b, _ := json.Marshal(m)
		return b
	}
	for _, c := range []struct{ currency, headline, committed, field string }{
		{"JPY", "1000.5", "100", "/headline/amount"},
		{"JPY", "1000", "100.25", "/tranches/0/committed"},
		{"USD", "1000.505", "100", "/headline/amount"},
		{"JPY", "1000", "100", ""},
		{"USD", "1000.5", "100.25", ""},
	} {
		_, err := commercial.ParseAgreement(agreement(c.currency, c.headline, c.committed))
		if c.field == "" && err != nil {
			t.Errorf("%s %s/%s: %v", c.currency, c.headline, c.committed, err)
		}
		if c.field != "" && !hasField(err, c.field) {
			t.Errorf("%s %s/%s: %v, want EINVALID naming %s", c.currency, c.headline, c.committed, err, c.field)
		}
	}
}

// Finding 5: a tranche's from/to bound what counts in it. The demo
// copper tranche T1-CU is filled by FWO-USSM-CU-2025, whose one lot
// (CU2025001) has its B/L dated 2 Sep 2025: value 129,330.80 USD,
// invoiced 113,938.96 (provisional) + 15,391.84 (final) = 129,330.80,
// paid 113,938.96. A period starting on the B/L day counts it (both ends
// inclusive); one starting a day later, or the re-check's 2026-01-01 …
// 2026-12-31, counts nothing: 0 shipped, invoiced and paid (before:
// 129,330.80 shipped whatever the period).
func TestTranchePeriodCounts(t *testing.T) {
	s := MustDemo(t)
	s.Now = func() time.Time { return commercial.DemoNow } // the report is as of DemoNow, never after today
	ctx := context.Background()
	for i, c := range []struct{ from, to, shipped, invoiced, paid string }{
		{"2025-09-02", "2026-08-31", "129330.8", "129330.8", "113938.96"},
		{"2025-09-03", "2026-08-31", "0", "0", "0"},
		{"2026-01-01", "2026-12-31", "0", "0", "0"},
		{"2025-01-01", "2025-09-02", "129330.8", "129330.8", "113938.96"},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(mustFile(t, "demo/agreement.json")), &m); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("NU-TRANCHE-%d", i)
		m["id"] = id
		for _, tr := range m["tranches"].([]any) {
			if tr := tr.(map[string]any); tr["id"] == "T1-CU" {
				tr["from"], tr["to"] = c.from, c.to
			}
		}
		b, _ := json.Marshal(m)
		if _, err := s.SaveAgreement(ctx, b); err != nil {
			t.Fatal(err)
		}
		p, err := s.Progress(ctx, id, commercial.DemoNow)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, cp := range p.Commodities {
			if cp.Commodity == "copper" {
				found = true
				what := c.from + "…" + c.to
				eq(t, what+" shipped", cp.Shipped, c.shipped)
				eq(t, what+" invoiced", cp.Invoiced, c.invoiced)
				eq(t, what+" paid", cp.Paid, c.paid)
			}
		}
		if !found {
			t.Errorf("%s: no copper progress", id)
		}
	}
}
