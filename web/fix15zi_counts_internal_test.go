package web

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// ungroupedRun is a run of five or more digits in a page's text that is
// not the fraction of a decimal: a count or a figure printed without its
// thousands grouped ("1115", "12345").
var ungroupedRun = regexp.MustCompile(`(^|[^\d.,])\d{5,}`)

// TestOverviewCountsGrouped (issue 15, fix15zi): the overview printed
// "1115 EPCIS events" — the counts went to the page bare ({{.Events}}).
// 1115 events is 1,115; 12345 lots 12,345; 2500 lots of one commodity
// and status 2,500; a list page showing rows 1001 to 2000 of 12345 reads
// "showing 1,001–2,000 of 12,345".
func TestOverviewCountsGrouped(t *testing.T) {
	u, err := newUI()
	if err != nil {
		t.Fatal(err)
	}
	st := &critmin.LedgerStats{Events: 1115, Lots: 12345, LotsByCommodity: []critmin.CommodityStatus{{Commodity: "ree_concentrate", Status: "in_stock", Lots: 2500, Tonnes: 1}}}
	var buf bytes.Buffer
	data := map[string]any{"Stats": st, "Sites": map[string]*critmin.Site{}, "Map": template.HTML("")}
	if err := u.pages["overview"].ExecuteTemplate(&buf, "layout", pageData{Title: "Overview", Nav: "overview", Data: data}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`id="stat-events">1,115<`, `id="stat-lots">12,345<`, `<td class="num">2,500</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	buf.Reset()
	if err := u.pages["lots"].ExecuteTemplate(&buf, "pager", pager{From: 1001, To: 2000, Total: 12345, Next: "/lots?offset=2000"}); err != nil {
		t.Fatal(err)
	}
	if want := "showing 1,001–2,000 of 12,345"; !strings.Contains(buf.String(), want) {
		t.Errorf("pager %q lacks %q", buf.String(), want)
	}
	if m := ungroupedRun.FindString(textOf(page + buf.String())); m != "" {
		t.Errorf("ungrouped figure %q in the overview or pager text", m)
	}
}

// textOf is an HTML page's text: its tags, scripts and styles dropped.
func textOf(page string) string {
	page = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`).ReplaceAllString(page, " ")
	return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")
}
