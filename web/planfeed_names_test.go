package web_test

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"

	critminhttp "github.com/critmin/critmin/http"
)

// TestPlanFeedPanelsNameLinesNotIDs (issue 15, fix15m): the plan page's
// "Refinery feed per week" panels were captioned and their legends
// labelled with the planning file's raw line ids (ree-sx, sb-roaster).
// Each panel is named by the line's name from the planning file (the
// demo's "REE solvent extraction" and "Antimony roaster") with its feed,
// the id only in the caption's title attribute; no legend of the page's
// charts is a line id; the KPI table's line utilisation rows name the
// line too ("line ree-sx" before).
func TestPlanFeedPanelsNameLinesNotIDs(t *testing.T) {
	ts := MustServe(t, false, nil)
	j, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}})
	if err != nil {
		t.Fatal(err)
	}
	waitPlan(t, ts, j.ID)
	_, b := do(t, "GET", ts.URL+"/plans/"+j.ID, viewerSecret, nil, nil)
	page := string(b)
	for id, want := range map[string]string{"ree-sx": "REE solvent extraction: Rare-earth concentrate", "sb-roaster": "Antimony roaster: Antimony ore"} {
		caption := `<figcaption title="processing line ` + id + `">` + want + `</figcaption>`
		if !strings.Contains(page, caption) {
			t.Errorf("no caption %s on the plan page", caption)
		}
	}
	for _, m := range regexp.MustCompile(`data-chart="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		var c struct {
			ID     string
			Series []struct{ Name string }
		}
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
			t.Fatal(err)
		}
		for _, s := range c.Series {
			if s.Name == "ree-sx" || s.Name == "sb-roaster" {
				t.Errorf("chart %s: legend entry %q is a line id", c.ID, s.Name)
			}
		}
	}
	// Visible text of the feed panels and of the KPI table's line
	// utilisation rows ("line ree-sx  utilisation 92.6 %"): without tags
	// (attributes hold ids).
	text := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(page, " ")
	i := strings.Index(page, `id="feed-charts"`)
	if i < 0 {
		t.Fatal("no #feed-charts on the plan page")
	}
	feed := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(page[i:i+strings.Index(page[i:], `id="sales-charts"`)], " ")
	for _, id := range []string{"ree-sx", "sb-roaster"} {
		if strings.Contains(feed, id) || strings.Contains(text, "line "+id) {
			t.Errorf("the page's text shows the line id %s in the feed panels or the KPI table", id)
		}
		if !strings.Contains(page, `<td title="processing line `+id+`">`) {
			t.Errorf("the KPI table has no row for line %s named, its id in the title", id)
		}
	}
}
