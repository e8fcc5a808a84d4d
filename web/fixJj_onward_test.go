package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestOnwardShipmentIsNotATransshipment (issue 15, fixJj item 5): the
// demo's copper concentrate CU-2025-001 is trucked from Saindak to Port
// Qasim, shipped to Houston under B/L BQM-HOU-2025-0902, received there
// (the receipt corrected by corr-001), then shipped on to Arizona by
// event 022, with no bill of lading. 022's page is an onward shipment
// from Houston: its route is Houston → Arizona, not Saindak → Port
// Qasim → Houston → Arizona (one trip through Houston, as a
// transshipment would read), its events begin with its own shipping,
// and it links the earlier voyage. That voyage's own page keeps its
// route from the mine (its trucking leg is its own).
func TestOnwardShipmentIsNotATransshipment(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	get := func(id string) string {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(id), "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", id, resp.StatusCode)
		}
		return html.UnescapeString(string(b))
	}
	items := func(page, id string) []string {
		var out []string
		for _, li := range regexp.MustCompile(`(?s)<li[^>]*>(.*?)</li>`).FindAllStringSubmatch(regexp.MustCompile(`(?s)<(?:ol|ul)[^>]*id="`+id+`">.*?</(?:ol|ul)>`).FindString(page), -1) {
			out = append(out, visibleText(li[1]))
		}
		return out
	}
	page := get("urn:critmin:demo:event:022")
	route := items(page, "shipment-route")
	if len(route) != 2 || !strings.HasPrefix(route[0], "Port of Houston") || !strings.Contains(route[1], "Arizona") {
		t.Errorf("route of the onward shipment 022: %q; want Port of Houston, then Arizona", route)
	}
	if evs := items(page, "shipment-timeline"); len(evs) != 1 || !strings.Contains(evs[0], "urn:critmin:demo:event:022") {
		t.Errorf("events of the onward shipment 022: %q; want its shipping alone", evs)
	}
	if note := regexp.MustCompile(`(?s)<p class="note" id="shipment-onward">.*?</p>`).FindString(page); !strings.Contains(note, `href="/shipments/urn:critmin:demo:bol:BQM-HOU-2025-0902"`) || !strings.Contains(visibleText(note), "not a transshipment") {
		t.Errorf("the onward shipment's note: %q; want it linking B/L BQM-HOU-2025-0902, not a transshipment", note)
	}
	earlier := get("urn:critmin:demo:bol:BQM-HOU-2025-0902")
	if r := items(earlier, "shipment-route"); len(r) < 3 || !strings.Contains(r[0], "Saindak") {
		t.Errorf("route of BQM-HOU-2025-0902: %q; want it from the Saindak mine", r)
	}
	if strings.Contains(earlier, `id="shipment-onward"`) {
		t.Error("BQM-HOU-2025-0902 reads as an onward shipment")
	}
}
