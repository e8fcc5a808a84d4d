package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestDemoVesselShipmentShowsETA (b15d item 3): the demo's second voyage
// (bill of lading BQM-HOU-2025-1112, Port Qasim 12 Nov 2025 to Houston)
// stated no cm:eta, so its shipment page said "ETA: not stated". The
// demo's shipping events now carry one: 13 Dec 2025 08:00 at Houston in
// winter (-06:00) = 14:00 UTC, with the destination Houston.
func TestDemoVesselShipmentShowsETA(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:critmin:demo:bol:BQM-HOU-2025-1112"), viewerSecret, nil, nil)
	page := html.UnescapeString(string(b))
	if strings.Contains(page, "not stated in the shipping event") || !strings.Contains(page, `id="shipment-eta">2025-12-13 08:00 -06:00 <span class="n-sub">(2025-12-13 14:00 UTC)`) {
		t.Errorf("the demo vessel's shipment page gives no ETA of 2025-12-13 08:00 -06:00:\n%s", page)
	}
	if !strings.Contains(page, "houston") && !strings.Contains(page, "Houston") {
		t.Errorf("the demo vessel's shipment page names no destination")
	}
}
