package http_test

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// TestRunOutputNamedAgainAPI (issue 9, fix9f): the new-user check through
// HTTP capture. Site mb (mbMaster, declared at factor 0.9): P8, Pakistan,
// 100 t at Nd 4 % + Pr 1 % (4 t Nd, 1 t Pr), commissioned at mb. Run R8:
// r8a (Nov 20) 100 t of P8 → O8 0.5 t oxide at Nd 60 % + Pr 20 %; r8b
// (Nov 21), captured by a second POST, output-only: O8 10 t. Each event
// records what it produced: the lot API reads O8 at 0.5 + 10 = 10.5 t
// (before: 10 t); its origin has element_gain on Nd (10.5 × 60 % = 6.3 t
// out, 4 t in) and Pr (2.1 t out, 1 t in), and reads Nd 4 t, Pr 1 t
// (before: 6 t Nd from 4 t, no anomaly). Another run naming O8 is refused
// 409 with a problem naming O8 and R8.
func TestRunOutputNamedAgainAPI(t *testing.T) {
	ts := MustServe(t, true, nil)
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL + "/api/v1/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	if resp, b := do(t, "PUT", base, operatorSecret, []byte(strings.Replace(mbDecl, "%s", "0.9", 1)), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	ts.Svc.Now = func() time.Time { return time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC) }
	head, _, _ := strings.Cut(mbDoc, `"eventList": [`)
	oxide := `"ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}`
	run := func(id, xid, day, in, outT string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:` + xid + `",
		 ` + in + `"outputQuantityList": [{"epcClass": "urn:t:lot:O8", "quantity": ` + outT + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}, ` + oxide + `}`
	}
	post := func(events string, want int) string {
		t.Helper()
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(head+`"eventList": [`+events+`]}}`), nil)
		if resp.StatusCode != want {
			t.Fatalf("capture: %d %s, want %d", resp.StatusCode, b, want)
		}
		return string(b)
	}
	post(`{"type": "ObjectEvent", "eventID": "urn:t:ev:P8", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:P8", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
	 `+run("r8a", "R8", "20", `"inputQuantityList": [{"epcClass": "urn:t:lot:P8", "quantity": 100, "uom": "TNE"}], `, "0.5"), 202)
	post(run("r8b", "R8", "21", "", "10"), 202)
	lot := ts.URL + "/api/v1/lots/" + url.PathEscape("urn:t:lot:O8")
	var l struct {
		WetTonnes float64 `json:"wetTonnes"`
		DryTonnes float64 `json:"dryTonnes"`
	}
	_, b := do(t, "GET", lot, "", nil, nil)
	if err := json.Unmarshal(b, &l); err != nil || math.Abs(l.WetTonnes-10.5) > 1e-9 || math.Abs(l.DryTonnes-10.5) > 1e-9 {
		t.Errorf("lot API O8: %s; want 0.5 + 10 = 10.5 t wet and dry", b)
	}
	var o struct {
		Elements map[string]struct {
			Tonnes        float64 `json:"tonnes"`
			UnknownOrigin float64 `json:"unknownOrigin"`
		} `json:"elements"`
		Anomalies []struct {
			Kind   string `json:"kind"`
			Detail string `json:"detail"`
		} `json:"anomalies"`
	}
	_, b = do(t, "GET", lot+"/origin", "", nil, nil)
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("origin: %v %s", err, b)
	}
	// By assay 6.3 t Nd, 2.1 t Pr; recorded 4 and 1 (what R8's input
	// held), the other 2.3 t Nd and 1.1 t Pr of unknown origin (nu37a).
	if nd, pr := o.Elements["Nd"], o.Elements["Pr"]; math.Abs(nd.Tonnes-nd.UnknownOrigin-4) > 1e-9 || math.Abs(pr.Tonnes-pr.UnknownOrigin-1) > 1e-9 || math.Abs(nd.UnknownOrigin-2.3) > 1e-9 || math.Abs(pr.UnknownOrigin-1.1) > 1e-9 {
		t.Errorf("origin API O8: Nd %+v, Pr %+v; want 4 and 1 t recorded (what R8's input held), 2.3 and 1.1 t of unknown origin", nd, pr)
	}
	var gains []string
	for _, a := range o.Anomalies {
		if a.Kind == "element_gain" {
			gains = append(gains, a.Detail)
		}
	}
	for _, want := range []string{"outputs hold 6.3 t Nd but its inputs only 4 t", "outputs hold 2.1 t Pr but its inputs only 1 t"} {
		if !strings.Contains(strings.Join(gains, "\n"), want) {
			t.Errorf("origin API anomalies %q lack %q", gains, want)
		}
	}
	body := post(run("t9", "T9", "22", "", "1"), 409)
	if !strings.Contains(body, "outputQuantityList/0") || !strings.Contains(body, "lot urn:t:lot:O8 already exists (made by run urn:t:run:R8") {
		t.Errorf("another run naming O8: %s; want a problem naming the output line, O8 and R8", body)
	}
}
