package http_test

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLaterProductFactsAndCreditAPI (fix9j item 4, docs/origin.md "One
// basis for the credit bound"): through the API, a later assay of a credit
// run's product changes the run's credit (back-dated to the run: in the
// run's period), a later moisture report or weighing of it does not.
// Site mb at factor 1:
//
//	PK, Pakistan, 10 t at Nd 4 % + Pr 1 %: 0.5 t Nd+Pr in.
//	R9J (Oct 5): PK → P9J, 0.6275 t at moisture 0, Nd 64 % + Pr 16 %:
//	  holds 0.502 t; credit min(0.5 × 1, 0.502) = 0.5 t PAK (October).
//	Later fact dated Oct 20, recorded Oct 21 (October still open: an ended
//	period is final, and a capture changing it is refused):
//	  assay Nd 40 %: P9J holds Nd 0.6275 × 40 % = 0.251 t and Pr
//	    0.6275 × 16 % = 0.1004 t, Pr capped at the 0.1 t PK held (fix9aa:
//	    each element at most the inputs') → October credit 0.251 + 0.1 =
//	    0.351 t (before fix9aa 0.3514 t), November none;
//	  moisture H2O 10 % (were it read: 0.6275 × 0.9 × 0.8 = 0.4518 t) and
//	  weighing 0.5 t (were it read: 0.4 t) → October credit stays 0.5 t.
func TestLaterProductFactsAndCreditAPI(t *testing.T) {
	const head = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-21T00:00:00Z", "epcisBody": {"eventList": [`
	run := head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:PK9J", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:PK9J", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R9J", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:PK9J", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:P9J", "quantity": 0.6275, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 64, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 16, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	obs := func(id, body string) string {
		return head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting", "bizLocation": {"id": "urn:t:site:mb"}, ` + body + `}]}}`
	}
	report := func(analyte, v string) string {
		return `"quantityList": [{"epcClass": "urn:t:lot:P9J"}], "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/` + analyte + `", "value": ` + v + `, "uom": "P1", "cm:basis": "dry"}]}]`
	}
	for _, c := range []struct {
		name, ev string
		want     float64
	}{
		{"assay", obs("AS9J", report("Nd", "40")), 0.6275*0.4 + 0.1},
		{"moisture", obs("M9J", report("H2O", "10")), 0.5},
		{"weighing", obs("W9J", `"quantityList": [{"epcClass": "urn:t:lot:P9J", "quantity": 0.5, "uom": "TNE"}], "cm:massChangeReason": "reweighed"`), 0.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := MustServe(t, true, nil)
			ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
			if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
				t.Fatal(err)
			}
			base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
			if resp, b := do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "1", 1)), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
				t.Fatalf("declare: %d %s", resp.StatusCode, b)
			}
			if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(run), nil); resp.StatusCode != 202 {
				t.Fatalf("run: %d %s", resp.StatusCode, b)
			}
			ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC) }
			if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(c.ev), nil); resp.StatusCode != 202 {
				t.Fatalf("later %s: %d %s", c.name, resp.StatusCode, b)
			}
			credit := func(period string) float64 {
				_, b := do(t, "GET", base+"/statement?period="+period, "", nil, nil)
				var st custody.Statement
				if err := json.Unmarshal(b, &st); err != nil {
					t.Fatalf("statement %s: %v %s", period, err, b)
				}
				var sum float64
				for _, cs := range st.Categories {
					for _, e := range cs.Entries {
						if e.Kind == "credit" && e.Country == "PAK" {
							sum += e.Tonnes
							if e.Event != "urn:t:ev:R9J" || !e.Time.Equal(time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC)) {
								t.Errorf("%s credit entry %+v, want run R9J's, dated 2025-10-05", period, e)
							}
						}
					}
				}
				return sum
			}
			if got := credit("2025-10"); math.Abs(got-c.want) > 1e-6 {
				t.Errorf("October PAK credit %v after a later %s of P9J, want %v t", got, c.name, c.want)
			}
			if got := credit("2025-11"); got != 0 {
				t.Errorf("November PAK credit %v after a later %s of P9J, want 0 (the run's credit is October's)", got, c.name)
			}
		})
	}
}
