package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestDeclarePreviewDependentDeclaredTogether (new-user finding nu38a
// item 3): lot YK-1, 20,000 kg commissioned at M (c), then shipped from M
// to H (s), which stands on c. Previewing c's declaration with s listed
// in "also" (both in one document, which is valid) said of s "declaring
// this event in error is refused unless that event is declared in error
// in the same document too" though it is. The preview now says s is
// declared in this same document, the refusal wording is gone, and it
// answers 200; previewed alone it still words the refusal and answers
// 409.
func TestDeclarePreviewDependentDeclaredTogether(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot = "urn:t:lot:YK-1"
	doc := fix15zkDoc(`{"type": "ObjectEvent", "eventID": "urn:t:yk1:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}}`,
		`{"type": "ObjectEvent", "eventID": "urn:t:yk1:s", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
	  "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}],
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:YK-1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]}`)
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	const refusal = "refused unless that event is declared in error"
	status, _, deps := fix15zkPreview(t, ts, "urn:t:yk1:c")
	if !strings.Contains(deps, "The shipment (event s)") || !strings.Contains(deps, refusal) || status != http.StatusConflict {
		t.Errorf("preview of c alone: %d, dependents %q; want 409 and s worded as refusing it", status, deps)
	}
	form := url.Values{"reason": {"incorrect_data"}, "step": {"preview"}, "also": {"urn:t:yk1:s"}}
	resp, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:yk1:c")+"/declare", operatorSecret, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	deps = visibleText(regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(string(b)))
	if !strings.Contains(deps, "The shipment (event s)") || strings.Contains(deps, refusal) || !strings.Contains(deps, "declared in error in this same document too") {
		t.Errorf("preview of c with s also declared: dependents %q; want s named as declared in this same document, no refusal", deps)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("preview of c with s also declared: status %d; want 200", resp.StatusCode)
	}
}
