package web_test

import (
	"context"
	"encoding/json"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestStandsAtListsEachPartysHolding (issue 15, fix15c3 item 3): a
// receipt's owning_party concerns what it received (CBV 2.0 §7.5). Lot
// L1, 30 t at MINE owned and held by FWO; 10 t shipped under B/L A, the
// rest (20 t) with no quantity under B/L B. A received at HOU at 9,900 kg
// for BUY1, then B at 18,900 kg for BUY2: the body does not take in
// BUY1's part. The API's standsAt gives HOU 18.9 + 9.9 = 28.8 t, owners
// "BUY2, BUY1", with holdings BUY2 18.9 t and BUY1 9.9 t (it gave one
// 28.8 t entry owned by BUY2); the lot page's Remaining line names both
// holdings and the part line says received (not rejoined), owner BUY1.
func TestStandsAtListsEachPartysHolding(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const lot, mine, hou = "urn:t:lot:L1", "urn:t:site:MINE", "urn:t:site:HOU"
	const fwo, buy1, buy2 = "urn:t:party:FWO", "urn:t:party:BUY1", "urn:t:party:BUY2"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	bol := func(b string) string {
		return `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + b + `"}]`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:ev:c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
  "destinationList": [{"type": "owning_party", "destination": "` + fwo + `"}, {"type": "possessing_party", "destination": "` + fwo + `"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}},
 ` + ev("sa", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+hou+`"}], `+bol("A")) + `,
 ` + ev("sb", "2025-10-03T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+hou+`"}], `+bol("B")) + `,
 ` + ev("ra", "2025-10-20T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 9900, "uom": "KGM"}], "bizLocation": {"id": "`+hou+`"}, "destinationList": [{"type": "owning_party", "destination": "`+buy1+`"}], `+bol("A")) + `,
 ` + ev("rb", "2025-10-21T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 18900, "uom": "KGM"}], "bizLocation": {"id": "`+hou+`"}, "destinationList": [{"type": "owning_party", "destination": "`+buy2+`"}], `+bol("B")) + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+lot, operatorSecret, nil, nil)
	var l struct {
		Owner    string `json:"owner"`
		StandsAt []struct {
			Site      string  `json:"site"`
			WetTonnes float64 `json:"wetTonnes"`
			Owner     string  `json:"owner"`
			Holdings  []struct {
				Owner     string  `json:"owner"`
				Custodian string  `json:"custodian"`
				WetTonnes float64 `json:"wetTonnes"`
			} `json:"holdings"`
		} `json:"standsAt"`
		Parts []struct {
			Status string `json:"status"`
			Owner  string `json:"owner"`
		} `json:"parts"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &l) != nil {
		t.Fatalf("lot API: %d %s", resp.StatusCode, b)
	}
	if len(l.StandsAt) != 1 || l.StandsAt[0].Site != hou || math.Abs(l.StandsAt[0].WetTonnes-28.8) > 1e-9 || l.StandsAt[0].Owner != buy2+", "+buy1 {
		t.Fatalf("standsAt %+v; want HOU 28.8 t owned by BUY2, BUY1", l.StandsAt)
	}
	if h := l.StandsAt[0].Holdings; len(h) != 2 || h[0].Owner != buy2 || math.Abs(h[0].WetTonnes-18.9) > 1e-9 || h[1].Owner != buy1 || math.Abs(h[1].WetTonnes-9.9) > 1e-9 || h[1].Custodian != fwo {
		t.Errorf("holdings at HOU %+v; want BUY2 18.9 t, BUY1 9.9 t held by FWO", h)
	}
	if l.Owner != buy2 || len(l.Parts) != 1 || l.Parts[0].Status != "received" || l.Parts[0].Owner != buy1 {
		t.Errorf("lot owner %q, parts %+v; want BUY2 (the body's), the part received and BUY1's", l.Owner, l.Parts)
	}
	resp, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	page := string(b)
	rem := regexp.MustCompile(`(?s)<dd id="remaining">(.*?)</dd>`).FindStringSubmatch(page)
	part := regexp.MustCompile(`(?s)<dd class="part">(.*?)</dd>`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || rem == nil || part == nil {
		t.Fatalf("lot page: %d, remaining %q, part %q", resp.StatusCode, rem, part)
	}
	if r := html.UnescapeString(visibleText(rem[1])); !strings.Contains(r, "28.8 wmt at") || !strings.Contains(r, "18.9 wmt owned by "+buy2) || !strings.Contains(r, "9.9 wmt owned by "+buy1+", held by "+fwo) {
		t.Errorf("remaining %q; want 28.8 wmt at HOU: 18.9 wmt owned by BUY2 and 9.9 wmt owned by BUY1, held by FWO", r)
	}
	if p := html.UnescapeString(visibleText(part[1])); strings.Contains(p, "rejoined") || !strings.Contains(p, "owner "+buy1) {
		t.Errorf("part line %q; want received (not rejoined), owner BUY1", p)
	}
}
