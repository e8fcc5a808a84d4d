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

// arReport is a MassConcentration sensor report of an as-received assay.
func arReport(analyte string, pct float64) map[string]any {
	return map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + analyte, "value": pct, "uom": "P1", "cm:basis": "as_received"}
}

// TestAsReceivedAssayValuedDry (issue 9 / issue 13, fix9f): the NSR, the
// exposure and the planner read a lot's grades by the ledger's rule — the
// newest assay of each analyte whatever its basis, an as-received one put
// on the dry basis with the moisture measured with it — and pay dry grade
// × dry tonnes. Before, commercial took the newest assay by event and
// ignored its basis: an as-received grade was paid as if dry.
//
// Demo REE lot 2: commissioned with dry TREO 44 %, Nd2O3 5.1 %, Pr6O11
// 1.8 %, La2O3 14.7 %, CeO2 21.6 % (event 002); loaded 17.98 wmt at 7 %
// moisture = 16.721 dmt. An inspection on 10 Oct 2025 reports, as
// received with H2O 8 %: TREO 41.4, Nd2O3 4.6, Pr6O11 1.656, La2O3
// 13.524, CeO2 19.872. On the dry basis: 41.4 ÷ 0.92 = 45 % TREO,
// 4.6 ÷ 0.92 = 5 % Nd2O3, 1.656 ÷ 0.92 = 1.8 % Pr6O11.
//
// NSR at the spot of 1 Dec 2025 (Nd2O3 74.97, Pr6O11 76.97 USD/kg):
// shares 5 / 45 = 0.111111 and 1.8 / 45 = 0.04; basket 0.111111 × 74.97
// + 0.04 × 76.97 = 8.329992 + 3.0788 = 11.4088 USD/kg TREO; 45 % × 30 %
// payable = 135 kg/dmt × 11.4088 = 1540.188 USD/dmt (read as if dry:
// 41.4 % × 30 % = 124.2 kg × 11.4088 = 1416.97).
//
// Exposure on 1 Dec 2025: payable TREO 135 000 g/dmt × 16.721 dmt =
// 2257.335 kg (as if dry: 124 200 × 16.721 = 2076.748); Nd2O3 2257.335 ×
// 5/45 = 250.815 kg; Pr6O11 2257.335 × 0.04 = 90.293 kg.
func TestAsReceivedAssayValuedDry(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := commercial.DemoREELot2
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventTime": "2025-10-10T10:00:00Z", "eventTimeZoneOffset": "+00:00",
		"eventID": "urn:uuid:7c2f0e4e-2f4b-4d8a-9a51-1f3e5e9b0a10", "action": "OBSERVE", "bizStep": "inspecting",
		"quantityList": []any{map[string]any{"epcClass": lot}},
		"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-10-10T10:00:00Z"}, "sensorReport": []any{
			arReport("TREO", 41.4), arReport("Nd2O3", 4.6), arReport("Pr6O11", 1.656), arReport("La2O3", 13.524), arReport("CeO2", 19.872),
			map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "H2O", "value": 8, "uom": "P1"}}}}})
	at := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	_, g, err := s.LotGrades(ctx, lot, nil)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "TREO dry", g["TREO"].Value, "45")
	eq(t, "Nd2O3 dry", g["Nd2O3"].Value, "5")
	if f := g["TREO"].Formula; !strings.Contains(f, "41.4 % ÷ (1 − 0.08 moisture, measured with it) = 45 %") {
		t.Errorf("TREO formula %q does not write out the conversion", f)
	}
	cmp, err := s.NSRFor(ctx, "FWO-USSM-REE-2025", lot, "", at, 10)
	if err != nil {
		t.Fatal(err)
	}
	if c := cmp.Cases[0]; c.Error != "" {
		t.Fatalf("NSR: %s", c.Error)
	}
	eq(t, "NSR per dmt", cmp.Cases[0].NSRPerDMT, "1540.188")
	ex, err := s.Exposure(ctx, at, "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range ex.Lots {
		if l.Lot != lot {
			continue
		}
		found = true
		eq(t, "exposure dmt", l.DMT, "16.721")
		eq(t, "exposure TREO kg", l.BasisKg["TREO"], "2257.335")
		eq(t, "exposure Nd2O3 kg", l.Payable["Nd2O3"], "250.815")
		eq(t, "exposure Pr6O11 kg", l.Payable["Pr6O11"], "90.293")
	}
	if !found {
		t.Fatalf("lot %s not in the exposure", lot)
	}
}

// TestAsReceivedWithoutMoistureRefused (fix9f): a lot with no moisture
// known anywhere whose newest assay is as received (stored before capture
// required the moisture with it) has no dry grade: its NSR is refused
// with the reason naming the assay's event, and its older dry assay does
// not stand in. Lot T1: commissioned 10 t with dry TREO 44 %, Nd2O3 5.1 %,
// Pr6O11 1.8 % and no moisture; on 10 Oct an as-received TREO 41.4 %,
// Nd2O3 4.6 %, Pr6O11 1.656 % with no moisture: 41.4 ÷ (1 − ?) is unknown.
func TestAsReceivedWithoutMoistureRefused(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:T1"
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventTime": "2025-08-20T10:00:00Z", "eventTimeZoneOffset": "+00:00",
		"eventID": "urn:uuid:0b7d7f7e-51c6-4f0e-8d8e-2a4a0c6f1b01", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
		"quantityList": qty(lot, 10000),
		"ilmd": map[string]any{"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:assay": []any{
			map[string]any{"cm:analyte": "TREO", "cm:value": 44.0, "cm:unit": "%", "cm:basis": "dry"},
			map[string]any{"cm:analyte": "Nd2O3", "cm:value": 5.1, "cm:unit": "%", "cm:basis": "dry"},
			map[string]any{"cm:analyte": "Pr6O11", "cm:value": 1.8, "cm:unit": "%", "cm:basis": "dry"}}}})
	// The as-received assay without a moisture, as a store written before
	// capture required one holds it: stored directly, past validation.
	body, _ := json.Marshal(map[string]any{
		"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
		"type":     "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
		"epcisBody": map[string]any{"eventList": []any{map[string]any{"type": "ObjectEvent", "eventTime": "2025-10-10T10:00:00Z", "eventTimeZoneOffset": "+00:00",
			"eventID": "urn:uuid:0b7d7f7e-51c6-4f0e-8d8e-2a4a0c6f1b02", "action": "OBSERVE", "bizStep": "inspecting",
			"quantityList": []any{map[string]any{"epcClass": lot}},
			"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-10-10T10:00:00Z"}, "sensorReport": []any{
				arReport("TREO", 41.4), arReport("Nd2O3", 4.6), arReport("Pr6O11", 1.656)}}}}}},
	})
	doc, err := epcis.ParseDocument(body, false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	ev, verr := doc.Decode(0, now)
	if verr != nil {
		t.Fatal(verr)
	}
	if _, errs := ledger.DecodeMineral(ev, ""); len(errs) == 0 {
		t.Fatal("capture would take an as-received assay without moisture: the legacy case is not legacy")
	}
	ev.Mineral, _ = ledger.DecodeMineral(ev, "")
	if _, err := s.Store.CaptureEvents(ctx, &critmin.CaptureJob{CaptureID: "cap-legacy", CreatedAt: now, Errors: []critmin.CaptureError{}}, []*critmin.Event{ev}, nil); err != nil {
		t.Fatal(err)
	}
	lf, g, err := s.LotGrades(ctx, lot, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := g["TREO"]; ok {
		t.Errorf("TREO grade %s %s (%s) without any moisture, want unknown", v.Value, v.Unit, v.Formula)
	}
	if !strings.Contains(lf.Unknown["TREO"], "no moisture is known") {
		t.Errorf("unknown TREO: %q", lf.Unknown["TREO"])
	}
	cmp, err := s.NSRFor(ctx, "FWO-USSM-REE-2025", lot, "", now, 10)
	if err != nil {
		t.Fatal(err)
	}
	c := cmp.Cases[0]
	if c.Error == "" || !strings.Contains(c.Error, "no moisture is known") || !strings.Contains(c.Error, "0b7d7f7e-51c6-4f0e-8d8e-2a4a0c6f1b02") {
		t.Fatalf("NSR %s, error %q: want a refusal naming the as-received assay's event", c.NSRPerDMT, c.Error)
	}
}

// TestProvisionalReadsAsReceivedDry (fix9f): the provisional settlement
// (and so the provisional invoice) reads the loading assays by the same
// rule. Lot AR-1, commissioned 100 000 kg with moisture 8 % and, as
// received, Cu 22.08 % and Au 3.68 g/t: dry Cu 22.08 ÷ (1 − 0.08) = 24 %,
// Au 3.68 ÷ 0.92 = 4 g/t; loaded on the B/L of 2 Sep 2025: 100 wmt × 0.92
// = 92 dmt. Before, the provisional paid 22.08 % and 3.68 g/t as if dry.
func TestProvisionalReadsAsReceivedDry(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-AR-2025", func(m map[string]any) { delete(m, "assay_exchange") })
	lot := "urn:critmin:test:lot:AR-1"
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:3a1e9f0c-6d2b-4e7a-9c1d-5b8e2f4a7c01", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
		"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
			map[string]any{"cm:analyte": "Cu", "cm:value": 22.08, "cm:unit": "%", "cm:basis": "as_received"},
			map[string]any{"cm:analyte": "Au", "cm:value": 3.68, "cm:unit": "g/t", "cm:basis": "as_received"}}}},
		map[string]any{"type": "ObjectEvent", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:AR-1"}}})
	v, _, err := s.Value(ctx, "T-AR-2025", lot)
	if err != nil {
		t.Fatal(err)
	}
	p := v.Provisional
	if p == nil {
		t.Fatal("no provisional settlement")
	}
	eq(t, "provisional dmt", p.DMT, "92")
	eq(t, "provisional Cu", p.Grades["Cu"].Value, "24")
	eq(t, "provisional Au", p.Grades["Au"].Value, "4")
}

// TestExchangeResultAsReceivedDry (fix9f): an assay-exchange result
// reported as received is exchanged on the dry basis, put on it with the
// moisture measured with it: the seller's Cu 20.286 % as received at
// H2O 8 % is 20.286 ÷ 0.92 = 22.05 % dry, not 20.286.
func TestExchangeResultAsReceivedDry(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:AR-X"
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:3a1e9f0c-6d2b-4e7a-9c1d-5b8e2f4a7c11", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
		"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
			map[string]any{"cm:analyte": "Cu", "cm:value": 22, "cm:unit": "%", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:3a1e9f0c-6d2b-4e7a-9c1d-5b8e2f4a7c12", "eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "OBSERVE", "bizStep": "inspecting", "quantityList": []any{map[string]any{"epcClass": lot}},
			"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-10-01T08:00:00Z", "deviceID": "urn:t:lab:1"}, "sensorReport": []any{
				map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "Cu", "value": 20.286, "uom": "P1", "cm:basis": "as_received",
					"cm:assayParty": "seller", "cm:lab": "urn:t:lab:1"},
				map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "H2O", "value": 8, "uom": "P1"}}}}})
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, lot)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Results) != 1 {
		t.Fatalf("results %+v, want the seller's", lf.Results)
	}
	eq(t, "seller Cu dry", lf.Results[0].Value, "22.05")
}
