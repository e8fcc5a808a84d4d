package web_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestShipPreviewSaysWhatEachOwnerShips (issue 15, fix15s item 2): FW-19
// (fw19Split): 5,000 kg received at Houston for USSM (B/L FW-19-A),
// then 3,000 kg for the smelter (FW-19-B). A Ship form at Houston of
// 6,000 kg naming no From owner takes of the two owners' holdings pro
// rata to what each holds there (ledger shipOnward; issue 15, fix15zb:
// it took USSM's 5 t whole, then 1 t of the smelter's): 6 / 8 = 3/4 of
// each, 5 × 3/4 = 3.75 t of USSM's and 3 × 3/4 = 2.25 t of the
// smelter's. The preview said only "every part there"; it now says what
// it takes of each owner's holding, as capture then does. Once captured,
// the shipped part's single `owner` field in the lot API names no one
// owner of the two: it reads both, as standsAt's owner does ("USSM,
// smelter"), with owners listing each.
func TestShipPreviewSaysWhatEachOwnerShips(t *testing.T) {
	const ussm, smelter = "urn:critmin:demo:party:ussm", "urn:critmin:demo:party:smelter"
	ts := fw19Split(t,
		fw19Ship("urn:t:fw19s:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000), fw19Ship("urn:t:fw19s:sb", "2025-11-03T10:00:00+05:00", "FW-19-B", 3000),
		fw19ReceiveFor("urn:t:fw19s:ra", "2025-11-20T10:00:00-06:00", "FW-19-A", 5000, ussm), fw19ReceiveFor("urn:t:fw19s:rb", "2025-11-21T10:00:00-06:00", "FW-19-B", 3000, smelter))
	const lot = "urn:critmin:demo:lot:FW-19"
	form := func(step string) url.Values {
		return url.Values{"lots": {lot + " 6000"}, "bol": {"urn:critmin:demo:bol:FW-19-S"}, "destination": {"urn:critmin:demo:site:karachi"},
			"site": {"urn:critmin:demo:site:houston"}, "time": {"2025-11-25T10:00"}, "tz": {"-06:00"},
			"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-00000000015s"}, "step": {step}}
	}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form("preview").Encode()), formHeader)
	page := visibleText(withIDs(string(b)))
	want := "takes 3.75 t of " + ussm + "'s holding and 2.25 t of " + smelter + "'s"
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
		t.Errorf("preview %d lacks %q:\n%s", resp.StatusCode, want, excerpt(page, "owners with holdings"))
	}
	if resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form("capture").Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Fatalf("capture: %d %s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	_, b = do(t, "GET", ts.URL+"/api/v1/lots/"+lot, operatorSecret, nil, nil)
	var l struct {
		Parts []struct {
			Tonnes          float64  `json:"tonnes"`
			Owner           string   `json:"owner"`
			Owners          []string `json:"owners"`
			ShippedOnTonnes float64  `json:"shippedOnTonnes"`
		} `json:"parts"`
	}
	if json.Unmarshal(b, &l) != nil || len(l.Parts) != 3 {
		t.Fatalf("lot API: %s", b)
	}
	if math.Abs(l.Parts[0].ShippedOnTonnes-3.75) > 1e-9 || math.Abs(l.Parts[1].ShippedOnTonnes-2.25) > 1e-9 {
		t.Errorf("shipped on USSM's %v t, the smelter's %v t; want 3.75 and 2.25", l.Parts[0].ShippedOnTonnes, l.Parts[1].ShippedOnTonnes)
	}
	if p := l.Parts[2]; math.Abs(p.Tonnes-6) > 1e-9 || p.Owner != ussm+", "+smelter || strings.Join(p.Owners, " ") != ussm+" "+smelter {
		t.Errorf("shipped part %+v; want 6 t, owner %q, owners [%s %s]", p, ussm+", "+smelter, ussm, smelter)
	}
}
