package web_test

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"

	critminhttp "github.com/critmin/critmin/http"
)

// TestRefineryFeedChartsOneCommodityPerAxis (fix15j item 2): the plan
// page's refinery feed is drawn as one panel per processing line, each a
// single series on its own y axis in tonnes of the commodity that line
// is fed, named in the panel's title — the demo's ree-sx (tonnes of REE concentrate) and sb-roaster
// (tonnes of antimony ore) are not one quantity and never share an axis,
// as the sales panels already do (fix15h). Every chart of the page has a
// unit on its value axis.
func TestRefineryFeedChartsOneCommodityPerAxis(t *testing.T) {
	ts := MustServe(t, false, nil)
	j, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}})
	if err != nil {
		t.Fatal(err)
	}
	waitPlan(t, ts, j.ID)
	_, b := do(t, "GET", ts.URL+"/plans/"+j.ID, viewerSecret, nil, nil)
	page := string(b)
	i := strings.Index(page, `id="feed-charts"`)
	if i < 0 {
		t.Fatalf("no #feed-charts panels on the plan page")
	}
	block := page[i : i+strings.Index(page[i:], `id="sales-charts"`)]
	type spec struct {
		ID     string
		Title  string
		Y      struct{ Name, Unit string }
		Series []struct{ Name, Colour string }
	}
	specOf := func(attr string) spec {
		var c spec
		if err := json.Unmarshal([]byte(html.UnescapeString(attr)), &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	feeds := map[string]spec{}
	for _, m := range regexp.MustCompile(`data-chart="([^"]*)"`).FindAllStringSubmatch(block, -1) {
		c := specOf(m[1])
		feeds[c.ID] = c
	}
	// plan/demo.json: two lines, ree-sx fed ree_concentrate and
	// sb-roaster fed antimony_ore.
	for id, commodity := range map[string]string{"feed-chart-ree-sx": "Rare-earth concentrate", "feed-chart-sb-roaster": "Antimony ore"} {
		c, ok := feeds[id]
		if !ok {
			t.Errorf("no panel %s among %v", id, feeds)
			continue
		}
		if len(c.Series) != 1 {
			t.Errorf("%s: %d series; want the line's one", id, len(c.Series))
		}
		if c.Y.Unit != "t" || !strings.Contains(c.Title, commodity) {
			t.Errorf("%s: %q, y axis %q (%q); want tonnes of %s", id, c.Title, c.Y.Name, c.Y.Unit, commodity)
		}
	}
	if len(feeds) != 2 {
		t.Errorf("%d feed panels; want 2 (one per line)", len(feeds))
	}
	for _, m := range regexp.MustCompile(`data-chart="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if c := specOf(m[1]); c.Y.Unit == "" && len(c.Series) > 0 {
			t.Errorf("chart %s: value axis %q has no unit", c.ID, c.Y.Name)
		}
	}
}
