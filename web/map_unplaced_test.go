package web_test

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestCorridorMapNamesSitesWithoutCoordinates: a site whose master data
// gives no coordinates cannot be drawn on the overview's map; it does not
// vanish silently: a note under the map names it with a link to the lots
// there, and the map's table keeps a row for it (coordinates blank), so
// the table lists every site.
func TestCorridorMapNamesSitesWithoutCoordinates(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	// mbDoc's master data names urn:t:site:mb with a custody model and no
	// latitude or longitude.
	mustCaptureDeclared(t, ts, mbDeclaration()) // its claim draws on the declaration
	resp, b := do(t, "GET", ts.URL+"/", "", nil, nil)
	page := string(b)
	note := regexp.MustCompile(`(?s)<p class="note" id="map-unplaced">.*?</p>`).FindString(page)
	href := `/lots?location=` + url.QueryEscape("urn:t:site:mb")
	if resp.StatusCode != 200 || note == "" || !strings.Contains(note, `href="`+href+`"`) || !strings.Contains(note, "no coordinates") {
		t.Errorf("overview: %d, note under the map %q; want urn:t:site:mb named with a link to %s", resp.StatusCode, note, href)
	}
	table := regexp.MustCompile(`(?s)<table class="chart-table" id="corridor-map-table">.*?</table>`).FindString(page)
	if !regexp.MustCompile(`<td><a href="` + regexp.QuoteMeta(href) + `">[^<]+</a></td><td class="num">[^<]*</td><td class="num"></td><td class="num"></td><td class="num"></td><td class="num"></td>`).MatchString(table) {
		t.Errorf("the map's table has no row for the site without coordinates: %s", table)
	}
	// The table has a row for every site, and the note names exactly
	// the rows without coordinates (every demo site has them,
	// TestEveryDemoSiteHasCoordinates).
	rows := regexp.MustCompile(`<tr><td><a href="([^"]+)">[^<]+</a></td><td class="num">[^<]*</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num"></td><td class="num"></td></tr>`).FindAllStringSubmatch(table, -1)
	sites := regexp.MustCompile(`<div class="n">(\d+)</div><div class="l">sites</div>`).FindStringSubmatch(page)
	if sites == nil || strconv.Itoa(len(rows)) != sites[1] {
		t.Fatalf("the map's table has %d rows for %v sites", len(rows), sites)
	}
	for _, r := range rows {
		unplaced := r[2] == "" || r[3] == ""
		if listed := strings.Contains(note, `href="`+r[1]+`"`); listed != unplaced {
			t.Errorf("site %s: coordinates %q %q, named under the map %v", r[1], r[2], r[3], listed)
		}
	}
	// The link opens the lot list filtered to the site.
	if resp, _ := do(t, "GET", ts.URL+href, "", nil, nil); resp.StatusCode != 200 {
		t.Errorf("%s: %d", href, resp.StatusCode)
	}
}
