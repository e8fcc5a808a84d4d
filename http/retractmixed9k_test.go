package http_test

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRetractionMixedClaimAPI (fix9k): the lot's origin API and the
// statement API state one shortfall, origin by origin, for a claim of two
// origins that retractions left short in one.
//
//	F, Pakistan, 10 t at Nd 4 % + Pr 1 %: RF (Oct 4) → OF 0.6 t at 80 %:
//	  credit PAK min(10 × 5 % × 0.9 = 0.45, 0.48) = 0.45 t.
//	G, China, 10 t: RG (Oct 6) → OG 0.5 t at 80 % = 0.4 t: credit CHN
//	  min(0.45, 0.4) = 0.4 t. wOG (Oct 6 06:00): OG weighed 0.75 t (a
//	  stated mass change) → 0.6 t.
//	C (Oct 7): OG claims PAK 50 % (0.3 ≤ 0.45) and CHN 50 % (0.3 ≤
//	  0.4): accepted.
//	RF and wOG declared in error (Oct 20, 21): PAK credits 0; OG as
//	  claimed is 0.5 t, 0.4 t: PAK 0.2 t, CHN 0.2 t. PAK closes −0.2 t,
//	  OG's Pakistan share 0.2 t short; CHN 0.4 − 0.2 = 0.2 t, covered.
//	  Before fix9k the statement API answered 500 (its claim entry
//	  0.2 t short, its refused row restated 0.3 t) and the origin API
//	  said shortfall 0.3 t beside shortfallByCountry PAK 0.2 t.
func TestRetractionMixedClaimAPI(t *testing.T) {
	ts := MustServe(t, true, nil)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [`
	feed := func(id, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, when, in, out, t string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + t + `, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	rf := run("RF", "2025-10-04T00:00:00Z", "F", "OF", "0.6")
	wog := `{"type": "ObjectEvent", "eventID": "urn:t:ev:wOG", "eventTime": "2025-10-06T06:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "quantityList": [{"epcClass": "urn:t:lot:OG"}], "cm:massChangeReason": "reclaimed", "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 0.75, "uom": "TNE"}]}]}`
	capture := func(now string, events ...string) {
		t.Helper()
		at, _ := time.Parse(time.RFC3339, now)
		ts.Svc.Now = func() time.Time { return at }
		if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + strings.Join(events, ",") + `]}}`)}); err != nil {
			t.Fatalf("capture at %s: %v", now, err)
		}
	}
	retracted := func(ev, when string) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(ev), &m); err != nil {
			t.Fatal(err)
		}
		m["errorDeclaration"] = map[string]any{"declarationTime": when, "reason": "incorrect_data"}
		b, _ := json.Marshal(m)
		return string(b)
	}
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	capture("2025-10-06T12:00:00Z", feed("F", "PAK"), feed("G", "CHN"), rf, run("RG", "2025-10-06T00:00:00Z", "G", "OG", "0.5"), wog)
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	capture("2025-10-07T12:00:00Z", `{"type": "ObjectEvent", "eventID": "urn:t:ev:C", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
   "quantityList": [{"epcClass": "urn:t:lot:OG"}], "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}, {"cm:country": "CHN", "cm:share": 0.5}]}}`)
	capture("2025-10-20T00:00:00Z", retracted(rf, "2025-10-20T00:00:00Z"))
	capture("2025-10-21T00:00:00Z", retracted(wog, "2025-10-21T00:00:00Z"))

	var o struct {
		Claimed struct {
			Status    string             `json:"status"`
			Shortfall float64            `json:"shortfall"`
			ByCountry map[string]float64 `json:"shortfallByCountry"`
			Refused   []struct {
				Key       string  `json:"key"`
				Claimed   float64 `json:"claimedTonnes"`
				Status    string  `json:"status"`
				Shortfall float64 `json:"shortfall"`
			} `json:"claimedRefused"`
		} `json:"claimed"`
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:OG")+"/origin", "", nil, nil)
	if err := json.Unmarshal(b, &o); err != nil || resp.StatusCode != 200 {
		t.Fatalf("origin %d: %v %s", resp.StatusCode, err, b)
	}
	c := o.Claimed
	if c.Status != custody.ClaimNotCovered || math.Abs(c.Shortfall-0.2) > 1e-9 || len(c.ByCountry) != 1 || math.Abs(c.ByCountry["PAK"]-0.2) > 1e-9 {
		t.Errorf("OG's claim %+v, want not covered, shortfall 0.2 t = PAK 0.2 t", c)
	}
	want := map[string][3]any{"PAK": {0.2, custody.ClaimNotCovered, 0.2}, "CHN": {0.2, custody.OriginCovered, 0.0}}
	for _, r := range c.Refused {
		w := want[r.Key]
		if math.Abs(r.Claimed-w[0].(float64)) > 1e-9 || r.Status != w[1] || math.Abs(r.Shortfall-w[2].(float64)) > 1e-9 {
			t.Errorf("OG's %s figure %+v, want claimed %v, %v, shortfall %v", r.Key, r, w[0], w[1], w[2])
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance/statement?period=2025-10", "", nil, nil)
	var st custody.Statement
	if err := json.Unmarshal(b, &st); err != nil || resp.StatusCode != 200 || len(st.Categories) == 0 {
		t.Fatalf("statement %d: %v %s", resp.StatusCode, err, b)
	}
	for _, e := range st.Categories[0].Entries {
		if e.Kind == "claim" && e.Lot == "urn:t:lot:OG" && ((e.Country == "PAK") != (e.Status == custody.ClaimNotCovered) || math.Abs(e.Shortfall-map[string]float64{"PAK": 0.2}[e.Country]) > 1e-9) {
			t.Errorf("OG's %s entry %+v, want PAK not covered 0.2 t, CHN covered", e.Country, e)
		}
	}
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:OG" && (r.Country != "PAK" || math.Abs(r.Shortfall-0.2) > 1e-9 || !strings.Contains(r.Error, "retraction of")) {
			t.Errorf("OG's refused row %+v, want PAK, shortfall 0.2 t, naming the retraction", r)
		}
	}
}
