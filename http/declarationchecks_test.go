package http_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/storetest"
)

// TestCaptureDeclarationChecks (issue 8 §2, fixNn items 3 and 4), over
// the API: a declaration dated 2099 is refused 400 naming
// /epcisBody/eventList/0/errorDeclaration/declarationTime; once lot U is
// not in the record (storetest.UnmadeLotDocuments), a document holding
// a shipment of U, a commissioning of lot K and the stored run U2 (a
// duplicate), sent with
// GS1-Capture-Error-Behaviour: proceed, stores K and lists the shipment
// with status 409; sent with rollback it is refused 409.
func TestCaptureDeclarationChecks(t *testing.T) {
	ts := MustServe(t, true, nil)
	capture := func(doc string, headers map[string]string) (int, string) {
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), headers)
		return resp.StatusCode, string(b)
	}
	if code, b := capture(storetest.UnmadeLotDocuments[0], nil); code != 202 {
		t.Fatalf("capture: %d %s", code, b)
	}
	future := strings.Replace(storetest.UnmadeLotDocuments[1], `"declarationTime": "2025-10-20T00:00:00Z"`, `"declarationTime": "2099-01-01T00:00:00Z"`, 1)
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(future), nil)
	p := mustProblem(t, resp, b, 400)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/epcisBody/eventList/0/errorDeclaration/declarationTime" || !strings.Contains(p.Errors[0].Reason, "2099-01-01T00:00:00Z is after this capture records it") {
		t.Fatalf("a declaration dated 2099: %s; want a 400 at …/errorDeclaration/declarationTime", b)
	}
	if code, b := capture(storetest.UnmadeLotDocuments[1], nil); code != 202 {
		t.Fatalf("declaration: %d %s", code, b)
	}
	doc := strings.Replace(storetest.UnmadeLotDocuments[0], `"eventID": "urn:t:ev:U1"`, `"eventID": "urn:t:ev:K1"`, 1)
	doc = strings.Replace(doc, `"urn:t:lot:U", "quantity": 10`, `"urn:t:lot:K", "quantity": 10`, 1)
	ship := `{"type": "ObjectEvent", "eventID": "urn:t:ev:US", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
   "quantityList": [{"epcClass": "urn:t:lot:U", "quantity": 5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"}},`
	i := strings.Index(doc, `"eventList": [`) + len(`"eventList": [`)
	doc = doc[:i] + ship + doc[i:]
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), map[string]string{"GS1-Capture-Error-Behaviour": "rollback"})
	if p := mustProblem(t, resp, b, 409); !strings.Contains(p.Detail, "lot urn:t:lot:U is not in the record") {
		t.Errorf("rollback: %s; want a 409 naming lot U", b)
	}
	code, body := capture(doc, map[string]string{"GS1-Capture-Error-Behaviour": "proceed"})
	if code != 202 || !strings.Contains(body, `"status": 409`) || !strings.Contains(body, "/epcisBody/eventList/0/quantityList/0/epcClass") || !strings.Contains(body, `"stored": 1`) {
		t.Errorf("proceed: %d %s; want K's commissioning stored (the run U2 a duplicate), the shipment of U listed with status 409", code, body)
	}
}
