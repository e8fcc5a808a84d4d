package web

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/refinery"
)

// TestFlowsheetLegendMatchesDrawing (fix15 item 8): the legend said "blue
// units, amber inventory, green feeds, orange leaving" while every node
// and arrow was drawn in one grey-blue. Now every node and arrow of the
// corridor flowsheet carries the colour of its kind, and the legend lists
// exactly the colours drawn (no kind the drawing lacks), each with the
// kind it stands for: feed
// streams (no from-unit) in the feed colour, streams leaving (no to-unit)
// in the leaving colour, the rest in the internal one.
func TestFlowsheetLegendMatchesDrawing(t *testing.T) {
	p, err := refinery.CorridorFlowsheet()
	if err != nil {
		t.Fatal(err)
	}
	out := string(flowsheetSVG(p, nil))
	spec := regexp.MustCompile(`data-chart="([^"]+)"`).FindStringSubmatch(out)
	if spec == nil {
		t.Fatalf("no chart spec in\n%s", out)
	}
	var c struct {
		Nodes []struct{ ID, Kind, Colour string }
		Links []struct{ From, To, Colour string }
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(spec[1])), &c); err != nil {
		t.Fatal(err)
	}
	legend := map[string]string{} // colour → kind
	for _, m := range regexp.MustCompile(`<li data-kind="([a-z]+)" data-colour="(#[0-9a-f]{6})">`).FindAllStringSubmatch(out, -1) {
		legend[m[2]] = m[1]
	}
	used := map[string]bool{}
	for _, n := range c.Nodes {
		if legend[n.Colour] != n.Kind {
			t.Errorf("node %s (%s) is drawn %q, which the legend gives to %q", n.ID, n.Kind, n.Colour, legend[n.Colour])
		}
		used[n.Colour] = true
	}
	for _, l := range c.Links {
		want := "internal"
		switch {
		case strings.HasPrefix(l.From, "in:"):
			want = "feed"
		case strings.HasPrefix(l.To, "out:"):
			want = "leaving"
		}
		if legend[l.Colour] != want {
			t.Errorf("stream %s → %s is drawn %q (legend: %q), want the %s colour", l.From, l.To, l.Colour, legend[l.Colour], want)
		}
		used[l.Colour] = true
	}
	for colour, kind := range legend {
		if !used[colour] {
			t.Errorf("the legend shows %s (%s), which the drawing does not use", colour, kind)
		}
	}
	if len(c.Nodes) == 0 || len(c.Links) == 0 {
		t.Fatalf("empty flowsheet: %d nodes, %d links", len(c.Nodes), len(c.Links))
	}
}
