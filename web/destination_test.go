package web_test

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestLotsAndShipmentsByDestination: the lot list (API, CSV and page)
// and the shipments page filter by destination. In the demo two lots are
// in transit: REE-2025-003, shipped by event 027 from Port Qasim to
// Houston under B/L BQM-HOU-2025-1112, and copper lot CU2025001, sent
// on by event 022 from Houston to the Arizona smelter (no bill of
// lading). So destination=houston lists REE-2025-003 alone (total 1),
// smelter-az CU2025001 alone, a place nothing is bound for none; a
// status other than in_transit contradicts a destination. The CSV
// carries each lot's transit and destination (empty for a lot in
// stock), as the API's transit object states them.
func TestLotsAndShipmentsByDestination(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	const (
		houston = "urn:critmin:demo:site:houston"
		az      = "urn:critmin:demo:site:smelter-az"
		ree3    = "urn:critmin:demo:lot:REE-2025-003"
		cu      = "https://id.gs1.org/01/09520123456788/10/CU2025001"
	)
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/api/v1/lots?destination=" + url.QueryEscape(houston), []string{ree3}},
		{"/api/v1/lots?destination=" + url.QueryEscape(az), []string{cu}},
		{"/api/v1/transit?destination=" + url.QueryEscape(houston), []string{ree3}},
		{"/api/v1/lots?status=in_transit&destination=" + url.QueryEscape(az), []string{cu}},
		{"/api/v1/lots?destination=urn:critmin:demo:site:nowhere", nil},
		// offset past the one match: none listed, total still 1.
		{"/api/v1/lots?offset=1&destination=" + url.QueryEscape(houston), nil},
	} {
		resp, b := do(t, "GET", ts.URL+c.path, "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", c.path, resp.StatusCode, b)
		}
		var res struct {
			Total int
			Lots  []struct {
				ID      string
				Transit *struct{ To string }
			}
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range res.Lots {
			got = append(got, l.ID)
			if l.Transit == nil || !strings.Contains(c.path, url.QueryEscape(l.Transit.To)) {
				t.Errorf("%s: lot %s bound for %+v", c.path, l.ID, l.Transit)
			}
		}
		wantTotal := len(c.want)
		if strings.Contains(c.path, "offset=1") {
			wantTotal = 1
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") || res.Total != wantTotal {
			t.Errorf("%s: lots %v (total %d); want %v (total %d)", c.path, got, res.Total, c.want, wantTotal)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots?status=consumed&destination="+url.QueryEscape(houston), "", nil, nil)
	var p struct {
		Errors []struct{ Pointer, Reason string }
	}
	if err := json.Unmarshal(b, &p); resp.StatusCode != 400 || err != nil || len(p.Errors) == 0 || p.Errors[0].Pointer != "status" || !strings.Contains(p.Errors[0].Reason, "destination") {
		t.Errorf("status=consumed with a destination: %s", b)
	}

	// The CSV: a transit and a destination column.
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("CSV: %d %v", resp.StatusCode, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if _, ok := col["transit"]; !ok {
		t.Fatalf("CSV header %v has no transit column", rows[0])
	}
	want := map[string][2]string{
		ree3:                                 {"in transit from urn:critmin:demo:site:port-qasim to " + houston + " (B/L urn:critmin:demo:bol:BQM-HOU-2025-1112)", houston},
		cu:                                   {"in transit from " + houston + " to " + az, az},
		"urn:critmin:demo:lot:NDPR-2025-001": {"", ""},
	}
	seen := 0
	for _, r := range rows[1:] {
		if w, ok := want[r[col["id"]]]; ok {
			seen++
			if r[col["transit"]] != w[0] || r[col["destination"]] != w[1] {
				t.Errorf("CSV %s: transit %q, destination %q; want %q, %q", r[0], r[col["transit"]], r[col["destination"]], w[0], w[1])
			}
		}
	}
	if seen != len(want) {
		t.Errorf("CSV: %d of the %d lots checked", seen, len(want))
	}

	// The lot page: its filter form offers the destinations and keeps
	// the choice; "any" (every field empty, as the form sends it) lists
	// every lot.
	resp, b = do(t, "GET", ts.URL+"/lots?commodity=&status=&destination="+url.QueryEscape(houston), "", nil, nil)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/lots/`+url.PathEscape(ree3)+`"`) || strings.Contains(page, `href="/lots/`+url.PathEscape(cu)+`"`) ||
		!strings.Contains(page, `<option value="`+houston+`" selected>`) || !strings.Contains(page, "1 lot · ") {
		t.Errorf("/lots bound for Houston: %d\n%s", resp.StatusCode, page)
	}
	resp, b = do(t, "GET", ts.URL+"/lots?commodity=&status=&destination=", "", nil, nil)
	if page := string(b); resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/lots/`+url.PathEscape(cu)+`"`) || !strings.Contains(page, `href="/lots/`+url.PathEscape(ree3)+`"`) {
		t.Errorf("/lots with every filter any: %d", resp.StatusCode)
	}

	// The shipments page: bound for the Arizona smelter, only event 022
	// (Houston → Arizona, no bill of lading); bound for Houston, the
	// three voyages from Pakistan and not that one.
	shipRows := func(dest string) []string {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+"/shipments?destination="+url.QueryEscape(dest), "", nil, nil)
		page := html.UnescapeString(string(b))
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<option value="`+dest+`" selected>`) {
			t.Fatalf("/shipments bound for %s: %d\n%s", dest, resp.StatusCode, page)
		}
		table := regexp.MustCompile(`(?s)<table id="shipments">.*?</table>`).FindString(page)
		return regexp.MustCompile(`(?s)<tr><td>.*?</tr>`).FindAllString(table, -1)
	}
	if rows := shipRows(az); len(rows) != 1 || !strings.Contains(rows[0], "none") || !strings.Contains(rows[0], "Port of Houston") {
		t.Errorf("shipments bound for Arizona: %q", rows)
	}
	rows2 := shipRows(houston)
	for _, bol := range []string{"KHI-HOU-2025-0901", "BQM-HOU-2025-0902", "BQM-HOU-2025-1112"} {
		if !strings.Contains(strings.Join(rows2, ""), bol) {
			t.Errorf("shipments bound for Houston lack %s: %q", bol, rows2)
		}
	}
	for _, r := range rows2 {
		if strings.Contains(r, `<span class="muted">none</span>`) {
			t.Errorf("shipments bound for Houston list the Arizona leg: %s", r)
		}
	}
}
