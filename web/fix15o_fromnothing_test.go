package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestShipFormRefusesWhatTheSiteDoesNotHold (issue 15, fix15o): FW-19,
// 19 t at Karachi (fw19Doc): 5,000 kg to Houston under FW-19-A,
// received for USSM; 3,000 kg under FW-19-B, received for the smelter.
// At Houston USSM holds 5 t and the smelter 3 t; the 11 t body stays at
// Karachi.
//   - Ship "FW-19 6000" from Houston, From owner USSM: USSM holds 5 t,
//     6 > 5 × 1.005 = 5.025: refused at preview and capture (409) naming
//     USSM's 5 t and the owners there (it shipped 5 t of USSM's and 1 t
//     of the smelter's under USSM's name); nothing stored.
//   - From owner nobody (not in master data): one error on the field,
//     not also "holds nothing of lot FW-19".
//   - a Ship form at Houston with no mass ships both parts, 8 t; a
//     second one, a day later, with no mass: nothing of FW-19 stands at
//     Houston: refused at preview and capture (409) naming Houston (it
//     was previewed as valid, taken, and moved the 11 t body at Karachi
//     in transit Houston → Karachi); nothing stored, the body stays in
//     stock at Karachi.
func TestShipFormRefusesWhatTheSiteDoesNotHold(t *testing.T) {
	const ussm, smelter = "urn:critmin:demo:party:ussm", "urn:critmin:demo:party:smelter"
	ts := fw19Split(t,
		fw19Ship("urn:t:fw19o:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000), fw19Ship("urn:t:fw19o:sb", "2025-11-03T10:00:00+05:00", "FW-19-B", 3000),
		fw19ReceiveFor("urn:t:fw19o:ra", "2025-11-20T10:00:00-06:00", "FW-19-A", 5000, ussm), fw19ReceiveFor("urn:t:fw19o:rb", "2025-11-21T10:00:00-06:00", "FW-19-B", 3000, smelter))
	const lot, houston, karachi = "urn:critmin:demo:lot:FW-19", "urn:critmin:demo:site:houston", "urn:critmin:demo:site:karachi"
	form := func(lots, owner, day, bol, step string) url.Values {
		return url.Values{"lots": {lots}, "bol": {"urn:critmin:demo:bol:" + bol}, "destination": {karachi}, "site": {houston}, "time": {"2025-11-" + day + "T10:00"}, "tz": {"-06:00"},
			"from_owner": {owner}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000015" + day}, "step": {step}}
	}
	type lotView struct {
		Status   string `json:"status"`
		Location string `json:"location"`
		Parts    []json.RawMessage
	}
	read := func() lotView {
		_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+lot, operatorSecret, nil, nil)
		var l lotView
		if json.Unmarshal(b, &l) != nil {
			t.Fatalf("lot API: %s", b)
		}
		return l
	}
	for _, step := range []string{"preview", "capture"} {
		resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form(lot+" 6000", ussm, "25", "FW-19-O", step).Encode()), formHeader)
		page := visibleText(withIDs(string(b)))
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, ussm+" held only 5 t there then") || !strings.Contains(page, smelter) {
			t.Errorf("%s of 6,000 kg from USSM's 5 t: %d; want 409 naming USSM's 5 t and the owners there:\n%s", step, resp.StatusCode, excerpt(string(b), "field-error"))
		}
	}
	if n := len(read().Parts); n != 2 {
		t.Errorf("after the refused 6 t: %d parts; want the 2 received (nothing stored)", n)
	}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form(lot, "urn:critmin:demo:party:nobody", "25", "FW-19-O", "preview").Encode()), formHeader)
	if errs := regexp.MustCompile(`<span class="field-error">(.*?)</span>`).FindAllStringSubmatch(fieldBlock(string(b), "from_owner"), -1); resp.StatusCode != http.StatusBadRequest || len(errs) != 1 || !strings.Contains(errs[0][1], "not in master data") {
		t.Errorf("unknown from owner: %d, errors %q; want 400 and one error, not in master data", resp.StatusCode, errs)
	}
	if resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form(lot, "", "25", "FW-19-O", "capture").Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Fatalf("no-mass shipment of both parts: %d %s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	for _, step := range []string{"preview", "capture"} {
		resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(form(lot, "", "26", "FW-19-P", step).Encode()), formHeader)
		page := visibleText(withIDs(string(b)))
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "nothing of it stands at "+houston) {
			t.Errorf("%s of a no-mass shipment from emptied Houston: %d; want 409, nothing of it stands at Houston:\n%s", step, resp.StatusCode, excerpt(string(b), "field-error"))
		}
	}
	if l := read(); len(l.Parts) != 3 || l.Status == "in_transit" || l.Location != karachi {
		t.Errorf("after the refused shipment: lot %s at %s, %d parts; want in stock at Karachi, 3 parts", l.Status, l.Location, len(l.Parts))
	}
}
