package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestDeclarePreviewNamesSharedDispatch (issue 15, fix15zg; new-user
// check nu15h): lot P9, 12,000 kg at LS; 6,000 kg shipped to R (B/L a)
// and received there for USSM (r1); 4,000 kg (B/L b) received for the
// smelter (r2); s3 ships 5,000 kg from R naming no party: pro rata
// 5 / 10 of each holding, 3 t of USSM's part and 2 t of the smelter's.
// Without r1 the 5 t overdraw the smelter's 4 t and s3 takes nothing,
// the smelter's 2 t going back to it. Previewing r1's declaration read
// "valid"; it now answers 409 and names s3 as taking nothing.
func TestDeclarePreviewNamesSharedDispatch(t *testing.T) {
	ts := MustServe(t, false, nil)
	ev := func(name, day, step, extra string) string {
		action := "OBSERVE"
		if step == "commissioning" {
			action = "ADD"
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:p9:` + name + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "` + action + `", "bizStep": "` + step + `", ` + extra + `}`
	}
	q := func(kg string) string {
		return `"quantityList": [{"epcClass": "urn:t:lot:P9", "quantity": ` + kg + `, "uom": "KGM"}]`
	}
	ship := func(name, day, kg, bol, from, to string) string {
		return ev(name, day, "shipping", `"disposition": "in_transit", "bizLocation": {"id": "urn:t:site:`+from+`"}, `+q(kg)+`,
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}], "destinationList": [{"type": "location", "destination": "urn:t:site:`+to+`"}]`)
	}
	recv := func(name, day, kg, bol, owner string) string {
		return ev(name, day, "receiving", `"disposition": "in_progress", "bizLocation": {"id": "urn:t:site:R"}, `+q(kg)+`,
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}]`)
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-22T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join([]string{
		ev("c", "1", "commissioning", `"bizLocation": {"id": "urn:t:site:LS"}, `+q("12000")+`, "ilmd": {"cm:commodity": "antimony_ore"}`),
		ship("s1", "2", "6000", "a", "LS", "R"), recv("r1", "3", "6000", "a", "ussm"), ship("s2", "4", "4000", "b", "LS", "R"), recv("r2", "5", "4000", "b", "smelter"),
		ship("s3", "6", "5000", "c", "R", "H")}, ",") + `]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	form := url.Values{"reason": {"incorrect_data"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:p9:r1")+"/declare", operatorSecret, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	page := string(b)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("preview of r1's declaration: %d; want 409 (the shipment s3 depends on it)\n%s", resp.StatusCode, visibleText(page))
	}
	deps := visibleText(regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page))
	if !strings.Contains(deps, "The shipment (event s3)") || !strings.Contains(deps, "5 t") || !strings.Contains(deps, "it would take nothing") {
		t.Errorf("dependents %q; want the shipment urn:t:p9:s3, 5 t, taking nothing", deps)
	}
}
