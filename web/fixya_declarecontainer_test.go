package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/storetest"
)

// TestDeclarePreviewNamesContainerReceipt (issue 8 §2, new-user finding
// nu36a-5): lot YD packed into a container, the container shipped under
// BOL YD and received at Karachi, both naming only the container's SSCC.
// The Declare page's preview of the shipment lists lot YD (the container
// carried it) and names the receipt urn:t:ev:yd-recv as standing on the
// shipment, and answers 409 as the capture does; it listed no lot and no
// dependent, and the capture took the declaration.
func TestDeclarePreviewNamesContainerReceipt(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(storetest.ContainerMoveDocuments[0])}); err != nil {
		t.Fatal(err)
	}
	status, page, deps := fix15zkPreview(t, ts, "urn:t:ev:yd-ship")
	list := regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page)
	if !strings.Contains(list, "urn:t:ev:yd-recv") || !strings.Contains(deps, "stands on this event") {
		t.Errorf("dependents %q; want the receipt urn:t:ev:yd-recv named as standing on the shipment", deps)
	}
	if !strings.Contains(page, "urn:t:lot:YD") {
		t.Errorf("the preview does not list lot urn:t:lot:YD, which the container carried")
	}
	if status != http.StatusConflict {
		t.Errorf("preview status %d; want 409", status)
	}
}
