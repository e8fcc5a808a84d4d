package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/ledger"
)

// TestRefusedClaimNoFiguresInCSVAndLotList (issue 9, fix9r item 5): a
// refused claim carries no tonnes and no share as origin figures, in the
// origin CSV and in the lot list's claimedOrigin.
//
//	P1: Pakistan, 10 t at Nd 10 %; R1 at mb → RES1, 1 t oxide at Nd 80 %:
//	credit 10 × 0.10 × 0.9 = 0.9 t Nd (PAK).
//	R3: C (China, 10 t at Nd 10 %) → OX, 1 t at Nd 80 % = 0.8 t Nd,
//	claims PAK 100 %: 0.8 ≤ 0.9, accepted.
//	R1 declared in error: PAK credits 0, OX's claim refused (shortfall
//	0.8 t).
//
// The CSV row reads "Pakistan (claimed 0.8 t, refused)" with the tonnes
// and share columns empty (before: 0.8 and 1, as if it stood); the lot
// list's claimedOrigin has byCountry [] and tonnes 0, and claimedRefused
// states PAK claimed 0.8 t, refused.
func TestRefusedClaimNoFiguresInCSVAndLotList(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	feed := func(lot, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, day, in, out, extra string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 80, "cm:unit": "%", "cm:basis": "dry"}]` + extra + `}}`
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
	r1 := run("R1", "05", "P1", "RES1", "")
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(r1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(run("R3", "07", "C", "OX", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`))}); err != nil {
		t.Fatal(err)
	}
	retracted := strings.Replace(r1, `"bizStep": "commissioning",`, `"bizStep": "commissioning", "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"},`, 1)
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(retracted)}); err != nil {
		t.Fatalf("retraction of R1: %v", err)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:OX")+"/origin?format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("origin CSV: %d %v %s", resp.StatusCode, err, b)
	}
	// OX's claim was accepted at capture: not covered, never refused (fix9h).
	want := "urn:t:lot:OX,claimed not covered Nd,country,PAK,Pakistan (claimed 0.8 t, not covered),,,claimed"
	found := false
	for _, r := range rows[1:] {
		line := strings.Join(r, ",")
		if line == want {
			found = true
		} else if strings.HasPrefix(r[1], "claimed not covered") || strings.HasPrefix(r[1], "claimed refused") {
			t.Errorf("refused claim row %s carries figures", line)
		}
	}
	if !found {
		t.Errorf("CSV lacks %q:\n%s", want, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lot list: %d %s", resp.StatusCode, b)
	}
	var list struct {
		Lots []struct {
			ID      string `json:"id"`
			Claimed *struct {
				Status    string           `json:"status"`
				Tonnes    float64          `json:"tonnes"`
				ByCountry []map[string]any `json:"byCountry"`
				Refused   []struct {
					Key     string  `json:"key"`
					Claimed float64 `json:"claimedTonnes"`
				} `json:"claimedRefused"`
			} `json:"claimedOrigin"`
		} `json:"lots"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("lot list: %v %s", err, b)
	}
	seen := false
	for _, l := range list.Lots {
		if l.ID != "urn:t:lot:OX" {
			continue
		}
		seen = true
		c := l.Claimed
		if c == nil || c.Status != "not_covered" || c.Tonnes != 0 || len(c.ByCountry) != 0 || len(c.Refused) != 1 || c.Refused[0].Key != "PAK" || c.Refused[0].Claimed < 0.8-1e-9 || c.Refused[0].Claimed > 0.8+1e-9 {
			t.Errorf("lot list OX claimedOrigin %+v, want not_covered, no byCountry figures, PAK claimed 0.8 t not covered", c)
		}
	}
	if !seen {
		t.Errorf("lot list lacks OX: %s", b)
	}
}
