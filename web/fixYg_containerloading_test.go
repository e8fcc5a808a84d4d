package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// lotRowCells are the visible cells of the shipment page's row of lot
// (its tail after "lot:", e.g. "REE-2025-010"), label → text.
func lotRowCells(t *testing.T, page, lot string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr><td data-label="Lot">[^<]*<a href="/lots/[^"]*` + regexp.QuoteMeta(lot) + `"(.*?)</tr>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no row of %s", lot)
	}
	out := map[string]string{}
	for _, c := range regexp.MustCompile(`(?s)<td[^>]*data-label="([^"]*)">(.*?)</td>`).FindAllStringSubmatch(m[0], -1) {
		out[c[1]] = visibleText(c[2])
	}
	return out
}

// TestContainerPageLossFromLoading (new-user finding nu37b-1): a
// container page computes a voyage's loss from what the shipping event
// carried — the weight at loading — not from the weight at packing, so
// it agrees with the bill of lading's page for the same voyage.
//
// The lot is packed at 20 t at the mine, trucked to Karachi and received
// there at 19.95 t (a first leg: 0.05 t, 0.25 % lost), shipped on
// KHI-HOU-2025-1120 at 19.95 t and received at Houston at 19.9 t.
// This voyage: 19.9 − 19.95 = −0.05 t, −0.05 / 19.95 = −0.2506 % →
// "−0.25 % loss" on both pages. The container page read 20 t "packed",
// −0.1 t, −0.50 % (the two legs together, at the flag threshold).
func TestContainerPageLossFromLoading(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	n := 0
	form := func(kind string, v url.Values) {
		t.Helper()
		n++
		v.Set("step", "capture")
		v.Set("eventID", fmt.Sprintf("urn:uuid:5e0a1d2c-0000-4000-8000-0000000f%04d", n))
		resp, b := do(t, "POST", ts.URL+"/record/"+kind, operatorSecret, []byte(v.Encode()), formHeader)
		if resp.StatusCode != http.StatusOK || strings.Contains(string(b), "field-error") || strings.Contains(string(b), `name="step" value="capture"`) {
			t.Fatalf("%s: %d\n%s", kind, resp.StatusCode, excerpt(string(b), "field-error"))
		}
	}
	const lot, box = "urn:critmin:demo:lot:REE-2025-010", "urn:critmin:demo:container:TEST1234567"
	form("commission", url.Values{"lot": {lot}, "commodity": {"ree_concentrate"}, "mass": {"20000"}, "uom": {"KGM"}, "moisture": {"8"}, "assays": {"TREO 12 %"},
		"country": {"PAK"}, "mine": {"urn:critmin:demo:site:loe-shilman"}, "owner": {"urn:critmin:demo:party:fwo"}, "time": {"2025-11-10T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}})
	form("pack", url.Values{"container": {box}, "lots": {lot + " 20000 KGM"}, "time": {"2025-11-12T09:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}})
	form("ship", url.Values{"containers": {box}, "lots": {lot}, "bol": {"urn:critmin:demo:bol:LS-KHI-2025-1113"}, "destination": {"urn:critmin:demo:site:karachi"},
		"carrier": {"urn:critmin:demo:party:trucker"}, "time": {"2025-11-13T07:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}})
	form("receive", url.Values{"containers": {box}, "lots": {lot + " 19950 KGM"}, "bol": {"urn:critmin:demo:bol:LS-KHI-2025-1113"}, "owner": {"urn:critmin:demo:party:fwo"},
		"time": {"2025-11-15T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}})
	form("ship", url.Values{"containers": {box}, "lots": {lot + " 19950 KGM"}, "bol": {"urn:critmin:demo:bol:KHI-HOU-2025-1120"}, "destination": {"urn:critmin:demo:site:houston"},
		"carrier": {"urn:critmin:demo:party:carrier"}, "eta": {"2025-12-20T08:00"}, "eta_tz": {"-06:00"}, "time": {"2025-11-20T07:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}})
	form("receive", url.Values{"containers": {box}, "lots": {lot + " 19900 KGM"}, "bol": {"urn:critmin:demo:bol:KHI-HOU-2025-1120"}, "owner": {"urn:critmin:demo:party:ussm"},
		"time": {"2025-12-19T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}})
	get := func(id string) string {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(id), operatorSecret, nil, map[string]string{"Accept": "text/html"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", id, resp.StatusCode)
		}
		return string(b)
	}
	check := func(bol, container, lot, shipped, diff, pct string) {
		t.Helper()
		b, c := lotRowCells(t, get(bol), lot), lotRowCells(t, get(container), lot)
		if !strings.HasPrefix(b["Shipped"], shipped) || b["Difference"] != diff || b["Loss or gain"] != pct {
			t.Errorf("B/L %s, %s: %v; want shipped %q, %q, %q", bol, lot, b, shipped, diff, pct)
		}
		if !strings.HasPrefix(c["Shipped"], shipped) || c["Difference"] != diff || c["Loss or gain"] != pct {
			t.Errorf("container %s, %s: %v; want shipped %q, %q, %q as the B/L page", container, lot, c, shipped, diff, pct)
		}
	}
	check("urn:critmin:demo:bol:KHI-HOU-2025-1120", box, "REE-2025-010", "19.95 t", "−0.05 t", "−0.25 % loss")
	// The earlier leg is labelled as such beside the loaded weight.
	if c := lotRowCells(t, get(box), "REE-2025-010"); !strings.Contains(c["Shipped"], "20 t (20,000 kg) packed") || !strings.Contains(c["Shipped"], "earlier leg") {
		t.Errorf("container page shipped cell %q; want the 20 t packed named as an earlier leg", c["Shipped"])
	}
	// The demo: MSKU1234565 carried REE-2025-001 on KHI-HOU-2025-0901,
	// packed at 25 t, received at Karachi and loaded at 24.95 t, weighed
	// at Houston 24.95 t: 0 t, 0 % on both pages (the container page read
	// 25 → 24.95, −0.20 %).
	check("urn:critmin:demo:bol:KHI-HOU-2025-0901", "urn:critmin:demo:container:MSKU1234565", "REE-2025-001", "24.95 t", "0 t", "0.00 %")
}
