package http_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/storetest"
)

// TestCaptureDeclarationOfContainerShipmentRefused (issue 8 §2, new-user
// finding nu36a-5), over the API: lot YD packed into a container, the
// container shipped under BOL YD and received at Karachi, both events
// naming only the container's SSCC. Declaring the shipment in error
// alone would leave the receipt receiving under BOL YD what no shipment
// carried: POST /epcis/capture answers 409 whose error points at the
// declaration (/epcisBody/eventList/0) and names the receipt; it was
// taken (202) before, the lot left at Karachi with no standing shipment.
// Nothing is stored: the lot stays at Karachi.
func TestCaptureDeclarationOfContainerShipmentRefused(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(storetest.ContainerMoveDocuments[0]), nil)
	if resp.StatusCode != 202 {
		t.Fatalf("record: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(storetest.ContainerMoveDocuments[1]), map[string]string{"GS1-Capture-Error-Behaviour": "rollback"})
	p := mustProblem(t, resp, b, 409)
	found := false
	for _, e := range p.Errors {
		found = found || e.Pointer == "/epcisBody/eventList/0" && strings.Contains(e.Reason, "receipt urn:t:ev:yd-recv") && strings.Contains(e.Reason, "urn:t:lot:YD")
	}
	if !found || !strings.Contains(p.Detail, "urn:t:ev:yd-recv") {
		t.Errorf("declaring the container-only shipment alone: %s; want 409 at /epcisBody/eventList/0 naming the receipt urn:t:ev:yd-recv of lot urn:t:lot:YD", b)
	}
	l, err := ts.Store.FindLot(t.Context(), "urn:t:lot:YD")
	if err != nil || l.Status != "in_stock" || l.Location != "urn:t:site:khi" {
		t.Errorf("YD after the refusal: %+v %v; want in_stock at Karachi", l, err)
	}
}
