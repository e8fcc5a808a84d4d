package web_test

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// fw19ReceiveFor is fw19Receive naming owner as the receipt's
// destination owning_party and possessing_party.
func fw19ReceiveFor(id, when, bol string, kgs int, owner string) string {
	return strings.TrimSuffix(fw19Receive(id, when, bol, kgs), "}") +
		`, "destinationList": [{"type": "owning_party", "destination": "` + owner + `"}, {"type": "possessing_party", "destination": "` + owner + `"}]}`
}

// TestShipFormShipsTheNamedOwnersHolding (issue 15, fix15l item 1):
// FW-19, 19 t at Karachi (fw19Doc): 5,000 kg go to Houston under B/L
// FW-19-A, received for USSM; 3,000 kg under B/L FW-19-B, received for
// the smelter. At Houston USSM holds 5 t and the smelter 3 t (the body,
// 19 − 8 = 11 t, stays at Karachi). The Ship form at Houston, lot line
// FW-19 with no mass, From owner USSM: the preview names the owners
// there (USSM, smelter) and the event's source owning_party USSM; once
// captured the shipment took USSM's 5 t (USSM's part shipped on 5 t,
// the smelter's 0 t) and the shipped part is USSM's alone (no quantity
// and no owner named, it shipped both parts, 8 t). From owner FWO, who
// holds nothing at Houston, is refused with 409 naming the field and the
// owners there; an owner master data does not know, with 400 naming the
// field; nothing is stored by either.
func TestShipFormShipsTheNamedOwnersHolding(t *testing.T) {
	const ussm, smelter, fwo = "urn:critmin:demo:party:ussm", "urn:critmin:demo:party:smelter", "urn:critmin:demo:party:fwo"
	ts := fw19Split(t,
		fw19Ship("urn:t:fw19l:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000), fw19Ship("urn:t:fw19l:sb", "2025-11-03T10:00:00+05:00", "FW-19-B", 3000),
		fw19ReceiveFor("urn:t:fw19l:ra", "2025-11-20T10:00:00-06:00", "FW-19-A", 5000, ussm), fw19ReceiveFor("urn:t:fw19l:rb", "2025-11-21T10:00:00-06:00", "FW-19-B", 3000, smelter))
	const lot, houston, rotterdam = "urn:critmin:demo:lot:FW-19", "urn:critmin:demo:site:houston", "urn:critmin:demo:site:karachi"
	const bol = "urn:critmin:demo:bol:FW-19-L"
	form := func(owner, step string) url.Values {
		return url.Values{"lots": {lot}, "bol": {bol}, "destination": {rotterdam}, "site": {houston}, "time": {"2025-11-25T10:00"}, "tz": {"-06:00"},
			"from_owner": {owner}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-00000000015l"}, "step": {step}}
	}
	stored := func() int {
		_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+lot, operatorSecret, nil, nil)
		var l struct {
			Parts []json.RawMessage `json:"parts"`
		}
		if json.Unmarshal(b, &l) != nil {
			t.Fatalf("lot API: %s", b)
		}
		return len(l.Parts)
	}
	for _, c := range []struct {
		owner  string
		status int
		want   string
	}{{fwo, http.StatusConflict, "holds nothing of lot"}, {"urn:critmin:demo:party:nobody", http.StatusBadRequest, "party"}} {
		resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form(c.owner, "capture").Encode()), formHeader)
		errs := regexp.MustCompile(`<span class="field-error">(.*?)</span>`).FindAllStringSubmatch(fieldBlock(string(b), "from_owner"), -1)
		if resp.StatusCode != c.status || len(errs) == 0 || !strings.Contains(visibleText(errs[0][1]), c.want) {
			t.Errorf("from owner %s: %d, want %d with the From owner field's error %q:\n%s", c.owner, resp.StatusCode, c.status, c.want, excerpt(string(b), "field-error"))
		}
		if c.owner == fwo && len(errs) > 0 && !strings.Contains(errs[0][1], "the parties that may ship it from there") {
			t.Errorf("refusal %q does not name the owners at Houston", errs[0][1])
		}
		if n := stored(); n != 2 {
			t.Errorf("from owner %s: lot has %d parts, want the 2 received (nothing stored)", c.owner, n)
		}
	}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form(ussm, "preview").Encode()), formHeader)
	page := visibleText(withIDs(string(b)))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "owners with holdings at the loading site: "+ussm+", "+smelter) || !strings.Contains(page, "from owner "+ussm) {
		t.Fatalf("preview %d lacks the owners at Houston and whose ships:\n%s", resp.StatusCode, excerpt(string(b), "preview-note"))
	}
	if !strings.Contains(string(b), `owning_party`) {
		t.Errorf("preview's event names no source owning_party:\n%s", excerpt(string(b), "sourceList"))
	}
	if resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form(ussm, "capture").Encode()), formHeader); resp.StatusCode != http.StatusOK {
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
	if l.Parts[0].ShippedOnTonnes != 5 || l.Parts[1].ShippedOnTonnes != 0 {
		t.Errorf("shipped on USSM's %v t, the smelter's %v t; want 5 and 0", l.Parts[0].ShippedOnTonnes, l.Parts[1].ShippedOnTonnes)
	}
	if p := l.Parts[2]; math.Abs(p.Tonnes-5) > 1e-9 || p.Owner != ussm || len(p.Owners) != 0 {
		t.Errorf("shipped part %+v; want 5 t of USSM alone", p)
	}
}
