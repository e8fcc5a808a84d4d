package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestDeclarePreviewNamesDependentRun (issue 15, fix15zc; nu15g items 1
// and 2): lot M2, 10,000 kg at the mine LS; 4,000 kg shipped to R (B/L
// a) and received there for USSM (r1); 3,000 kg shipped (B/L b) and
// received for the smelter (r2); a run at R naming no party takes
// 3,500 kg of the first received, USSM's part. Previewing r1's
// declaration answered 500 (without r1 the run would take 3.5 t of the
// smelter's 3 t: −0.5 t) and said nothing depended on r1. It now
// answers 409 and names the run among the dependents.
func TestDeclarePreviewNamesDependentRun(t *testing.T) {
	ts := MustServe(t, false, nil)
	ev := func(name, day, step, extra string) string {
		action := "OBSERVE"
		if step == "commissioning" {
			action = "ADD"
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:m2:` + name + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "` + action + `", "bizStep": "` + step + `", ` + extra + `}`
	}
	q := func(kg string) string {
		return `"quantityList": [{"epcClass": "urn:t:lot:M2", "quantity": ` + kg + `, "uom": "KGM"}]`
	}
	ship := func(name, day, kg, bol string) string {
		return ev(name, day, "shipping", `"disposition": "in_transit", "bizLocation": {"id": "urn:t:site:LS"}, `+q(kg)+`,
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}], "destinationList": [{"type": "location", "destination": "urn:t:site:R"}]`)
	}
	recv := func(name, day, kg, bol, owner string) string {
		return ev(name, day, "receiving", `"disposition": "in_progress", "bizLocation": {"id": "urn:t:site:R"}, `+q(kg)+`,
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}]`)
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-22T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join([]string{
		ev("c", "1", "commissioning", `"bizLocation": {"id": "urn:t:site:LS"}, `+q("10000")+`, "ilmd": {"cm:commodity": "antimony_ore"}`),
		ship("s1", "2", "4000", "a"), recv("r1", "3", "4000", "a", "ussm"), ship("s2", "4", "3000", "b"), recv("r2", "5", "3000", "b", "smelter"),
		`{"type": "TransformationEvent", "eventID": "urn:t:m2:x", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:R"},
		 "inputQuantityList": [{"epcClass": "urn:t:lot:M2", "quantity": 3500, "uom": "KGM"}],
		 "outputQuantityList": [{"epcClass": "urn:t:lot:M2-OX", "quantity": 1000, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}}`}, ",") + `]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	form := url.Values{"reason": {"incorrect_data"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:m2:r1")+"/declare", operatorSecret, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	page := string(b)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("preview of r1's declaration: %d; want 409 (the run depends on it)\n%s", resp.StatusCode, visibleText(page))
	}
	deps := regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page)
	if !strings.Contains(visibleText(deps), "The refinery run") || !strings.Contains(deps, "urn:t:m2:x") || !strings.Contains(visibleText(deps), "3.5 t") {
		t.Errorf("dependents %q; want the run urn:t:m2:x, 3.5 t, named", visibleText(deps))
	}
}
