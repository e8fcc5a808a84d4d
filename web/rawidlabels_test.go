package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestLinksAndHeadingsReadHumanLabels (issue 15, fix15r item 4): the
// demo's REE-2025-001 went into run MO-REE-001, whose products include
// NDPR-2025-001 (NdPr oxide). The lot page's "Went into" list names it
// by batch and product, the URN kept in the title and after the link in
// small monospace (still findable); the lot's timeline links read what
// the event is, not its ID. The shipment page of container MSKU1234565
// (demo event 014, vessel "Illustrative Trader (IMO 9700005)") is headed
// by its vessel; the event page of event 014 by its type, step and date.
func TestLinksAndHeadingsReadHumanLabels(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return html.UnescapeString(string(b))
	}
	linkText := regexp.MustCompile(`<a [^>]*>([^<]*)</a>`)
	page := get("/lots/" + url.PathEscape("urn:critmin:demo:lot:REE-2025-001"))
	i := strings.Index(page, `id="children"`)
	if i < 0 {
		t.Fatal("no children list")
	}
	children := page[i : i+strings.Index(page[i:], "</ul>")]
	for _, m := range linkText.FindAllStringSubmatch(children, -1) {
		if strings.HasPrefix(strings.TrimSpace(m[1]), "urn:") {
			t.Errorf("Went into links read a raw ID: %q", m[1])
		}
	}
	if !strings.Contains(children, "NDPR-2025-001") || !strings.Contains(children, "NdPr oxide") || !strings.Contains(children, "urn:critmin:demo:lot:NDPR-2025-001") {
		t.Errorf("Went into does not name NDPR-2025-001 by batch and product with its ID kept:\n%s", children)
	}
	if i := strings.Index(page, `id="timeline"`); i >= 0 {
		tl := page[i : i+strings.Index(page[i:], "</ul>")]
		for _, m := range linkText.FindAllStringSubmatch(tl, -1) {
			if strings.HasPrefix(strings.TrimSpace(m[1]), "urn:") {
				t.Errorf("timeline link reads a raw ID: %q", m[1])
			}
		}
	}
	ship := get("/shipments/" + url.PathEscape("urn:critmin:demo:container:MSKU1234565"))
	if h1 := ship[strings.Index(ship, "<h1>"):strings.Index(ship, "</h1>")]; !strings.Contains(h1, "Illustrative Trader") {
		t.Errorf("shipment heading does not name the vessel: %s", h1)
	}
	// fix15v item 1: the shipment's Contents links and the /shipments
	// bill-of-lading links read the lot's batch and the B/L's number, the
	// full ID kept in the title (and after the lot link).
	for _, tbl := range []struct{ page, id string }{{ship, `id="shipment-lots"`}, {get("/shipments"), `id="shipments"`}} {
		i := strings.Index(tbl.page, tbl.id)
		if i < 0 {
			t.Fatalf("no table %s", tbl.id)
		}
		rows := tbl.page[i : i+strings.Index(tbl.page[i:], "</table>")]
		links := linkText.FindAllStringSubmatch(rows, -1)
		if len(links) == 0 {
			t.Errorf("table %s has no links", tbl.id)
		}
		for _, m := range links {
			if s := strings.TrimSpace(m[1]); strings.HasPrefix(s, "urn:") || strings.HasPrefix(s, "…") {
				t.Errorf("table %s link reads a raw or cut ID: %q", tbl.id, m[1])
			}
		}
		if !strings.Contains(rows, `title="urn:critmin:demo:`) {
			t.Errorf("table %s does not keep the full ID in a title:\n%s", tbl.id, rows)
		}
	}
	ev := get("/events/" + url.PathEscape("urn:critmin:demo:event:014"))
	if h1 := ev[strings.Index(ev, "<h1>"):strings.Index(ev, "</h1>")]; !strings.Contains(h1, "Shipping") || !strings.Contains(h1, "2025") {
		t.Errorf("event heading lacks its step and date: %s", h1)
	}
}
