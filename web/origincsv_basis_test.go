package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestOriginCSVBasisAndOverall (issue 9, new-user check 5): the origin
// CSV carries the overall origin by contained value and says of every
// row whether it is physical or claimed, with the figures of the JSON.
//
//	P1: Pakistan, 10 t at Nd 10 %; run R1 at mb → RES1, 1 t NdPr oxide at
//	Nd 80 % (only a run making the product earns, fix9r) → credit 10 × 0.10 × 0.9
//	= 0.9 t Nd (PAK).
//	R3: C (China, 10 t at Nd 10 %) → OX, 1 t at Nd 80 % = 0.8 t Nd,
//	claims PAK 100 %: 0.8 ≤ 0.9, accepted.
//
// OX physically: Nd 0.8 t, China 100 %; overall by contained value
// (Nd priced): China 0.8 t, share 1 — "physical". The claim: Pakistan
// 0.8 t, share 1 — "claimed".
func TestOriginCSVBasisAndOverall(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	feed := func(lot, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, day, in, out, commodity, nd, extra string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "` + commodity + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]` + extra + `}}`
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(feed("P1", "PAK"), feed("C", "CHN"))}); err != nil {
		t.Fatal(err)
	}
	decl := `{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd"], "conversionFactor": 0.9}],
 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`
	if resp, b := do(t, "PUT", ts.URL+"/api/v1/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance", operatorSecret, []byte(decl), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 200 {
		t.Fatalf("declare: %d %s", resp.StatusCode, b)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(run("R1", "05", "P1", "RES1", "ndpr_oxide", "80", ""))}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(run("R3", "07", "C", "OX", "ndpr_oxide", "80", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`))}); err != nil {
		t.Fatal(err)
	}
	ox := "/api/v1/lots/" + url.PathEscape("urn:t:lot:OX") + "/origin"
	_, jb := do(t, "GET", ts.URL+ox, "", nil, nil)
	var c custody.Composition
	if err := json.Unmarshal(jb, &c); err != nil || len(c.Overall.ByCountry) != 1 {
		t.Fatalf("origin JSON: %v %s", err, jb)
	}
	resp, b := do(t, "GET", ts.URL+ox+"?format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(rows) < 2 {
		t.Fatalf("origin CSV: %d %v %s", resp.StatusCode, err, b)
	}
	if got := strings.Join(rows[0], ","); got != "lot,quantity,dimension,key,name,tonnes,share,basis" {
		t.Errorf("header %s", got)
	}
	want := map[string]bool{
		"urn:t:lot:OX,overall (" + c.Overall.Basis + "),country,CHN,China,0.8,1,physical": false,
		"urn:t:lot:OX,Nd,country,CHN,China,0.8,1,physical":                                false,
		"urn:t:lot:OX,claimed accepted Nd,country,PAK,Pakistan,0.8,1,claimed":             false,
	}
	for _, r := range rows[1:] {
		line := strings.Join(r, ",")
		if _, ok := want[line]; ok {
			want[line] = true
		}
		if basis := r[len(r)-1]; basis != "physical" && basis != "claimed" || strings.HasPrefix(r[1], "claimed") != (basis == "claimed") {
			t.Errorf("row %s: basis %q", line, basis)
		}
	}
	for line, seen := range want {
		if !seen {
			t.Errorf("CSV lacks %q:\n%s", line, b)
		}
	}
	// The overall row carries the JSON's figures.
	if o := c.Overall.ByCountry[0]; o.Key != "CHN" || custody.Figure(o.Tonnes) != "0.8" || o.Share != 1 || c.Overall.Basis != "contained_value" {
		t.Errorf("JSON overall %+v basis %s", o, c.Overall.Basis)
	}
}
