package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// fix15zkDoc is an EPCIS document of the events.
func fix15zkDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-22T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	  {"id": "urn:t:site:M", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]},
	  {"id": "urn:t:site:H", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "USA"}]}]}]}},
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// fix15zkPreview posts the declaration preview of event id and returns
// the status, the page and the visible text of its dependents list.
func fix15zkPreview(t *testing.T, ts *testServer, id string) (int, string, string) {
	t.Helper()
	form := url.Values{"reason": {"incorrect_data"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape(id)+"/declare", operatorSecret, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	page := string(b)
	return resp.StatusCode, page, visibleText(regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page))
}

// TestDeclarePreviewNamesStrandedShipment (issue 15, fix15zk; the W1
// new-user check): lot ZK-1, 20,000 kg commissioned at M (c), then
// 20,000 kg shipped from M to H (s). Declaring c in error would leave s
// shipping a lot no event made ("in transit" from nothing); the preview
// said "No recorded shipment, receipt, refinery run or weighing of
// these lots depends on this event" and the capture took it. The
// preview now names s, its kind and why, and answers 409; capturing
// the declaration is refused (409) and stores nothing.
func TestDeclarePreviewNamesStrandedShipment(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot = "urn:t:lot:ZK-1"
	doc := fix15zkDoc(`{"type": "ObjectEvent", "eventID": "urn:t:zk1:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}}`,
		`{"type": "ObjectEvent", "eventID": "urn:t:zk1:s", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
	  "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}],
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:ZK-1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]}`)
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	status, page, deps := fix15zkPreview(t, ts, "urn:t:zk1:c")
	list := regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page)
	if strings.Contains(deps, "No recorded shipment") || !strings.Contains(deps, "The shipment (event") || !strings.Contains(list, "urn:t:zk1:s") || !strings.Contains(deps, "stands on this event") {
		t.Errorf("dependents %q; want the shipment urn:t:zk1:s named as standing on the commissioning", deps)
	}
	if status != http.StatusConflict {
		t.Errorf("preview status %d; want 409", status)
	}
	form := url.Values{"reason": {"incorrect_data"}, "step": {"capture"}}
	resp, _ := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:zk1:c")+"/declare", operatorSecret, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("capture status %d; want 409", resp.StatusCode)
	}
	evs, err := ts.Store.FindEventsByID(context.Background(), "urn:t:zk1:c")
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.ErrorDeclaration != nil {
			t.Errorf("the refused declaration is stored")
		}
	}
}

// TestDeclarePreviewNamesEveryStrandedEvent (issue 8 §2, fixAa item 3):
// lot ZK-2, 20,000 kg commissioned at M (c), then inspected at M 13
// times (i01 … i13, one a day). Declaring c in error would leave all 13
// inspecting a lot no event records. The preview named only the first
// (i01); it now words the first custody.StrandedListed (10), i01 … i10,
// each as standing on this event, and counts the rest: 13 − 10 = 3,
// "And 3 more"; it answers 409.
func TestDeclarePreviewNamesEveryStrandedEvent(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot = "urn:t:lot:ZK-2"
	evs := []string{`{"type": "ObjectEvent", "eventID": "urn:t:zk2:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "` + lot + `", "quantity": 20000, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}}`}
	for i := 1; i <= 13; i++ {
		evs = append(evs, fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:zk2:i%02d", "eventTime": "2025-11-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "%s"}]}`, i, i+1, lot))
	}
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fix15zkDoc(evs...))}); err != nil {
		t.Fatal(err)
	}
	status, page, deps := fix15zkPreview(t, ts, "urn:t:zk2:c")
	list := regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page)
	for i := 1; i <= 13; i++ {
		id := fmt.Sprintf("urn:t:zk2:i%02d", i)
		if got := strings.Contains(list, id); got != (i <= 10) {
			t.Errorf("the dependents list names %s: %v; want %v", id, got, i <= 10)
		}
	}
	if n := strings.Count(deps, "stands on this event"); n != 10 {
		t.Errorf("%d inspections worded as standing on the event; want 10:\n%s", n, deps)
	}
	if !strings.Contains(deps, "And 3 more") {
		t.Errorf("the list does not count the 3 inspections not worded:\n%s", deps)
	}
	if status != http.StatusConflict {
		t.Errorf("preview status %d; want 409", status)
	}
}
