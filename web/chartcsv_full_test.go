package web_test

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

var (
	chartBoxRE  = regexp.MustCompile(`(?s)<figure class="chart-box" id="([^"]+)-box">.*?</figure>`)
	chartSpecRE = regexp.MustCompile(`data-chart="([^"]*)"`)
	chartCSVRE  = regexp.MustCompile(`<a class="csv" href="([^"]*)"`)
)

// drawnSpec is the part of a chart's spec this test reads.
type drawnSpec struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Series []struct {
		Name string          `json:"name"`
		Data json.RawMessage `json:"data"`
	} `json:"series"`
	Bands []struct {
		Low   [][]any `json:"low"`
		Width [][]any `json:"width"`
	} `json:"bands"`
	Nodes []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"nodes"`
	Links []struct {
		From  string  `json:"from"`
		To    string  `json:"to"`
		Value float64 `json:"value"`
	} `json:"links"`
	Regions []struct {
		Value float64 `json:"value"`
	} `json:"regions"`
}

// drawn is every number a chart draws: its lines' and bars' values, its
// bands' edges, its bands of flow, its regions' values.
func (c drawnSpec) drawn() []float64 {
	var out []float64
	for _, s := range c.Series {
		var pts [][]any
		if json.Unmarshal(s.Data, &pts) == nil {
			for _, p := range pts {
				if v, ok := p[len(p)-1].(float64); ok {
					out = append(out, v)
				}
			}
			continue
		}
		var vs []float64
		if json.Unmarshal(s.Data, &vs) == nil {
			out = append(out, vs...)
		}
	}
	for _, b := range c.Bands {
		for i := range b.Low {
			lo, _ := b.Low[i][1].(float64)
			w, _ := b.Width[i][1].(float64)
			out = append(out, lo, lo+w)
		}
	}
	for _, l := range c.Links {
		if l.Value != 0 {
			out = append(out, l.Value)
		}
	}
	for _, r := range c.Regions {
		out = append(out, r.Value)
	}
	return out
}

// TestEveryChartCSVHoldsWhatItDraws: on every page with charts — the
// overview's corridor map, the plan's Sankey and sales and feed panels,
// the risk page's map, bars and lines (with the stockpile's band), the
// refinery's deportment Sankeys, a lot's origin bars and genealogy — each
// chart's CSV (its own, or the API's it links to) holds every number the
// chart draws and names every node it draws. The corridor map's CSV
// listed its sites only, none of the flows drawn between them.
func TestEveryChartCSVHoldsWhatItDraws(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a plan finished", func() bool { return ts.LatestPlanJob() != nil })
	_, refDemo := do(t, "GET", ts.URL+"/api/v1/refinery/demo", "", nil, nil)
	if resp, b := do(t, "POST", ts.URL+"/api/v1/refinery/close", operatorSecret, refDemo, nil); resp.StatusCode != 201 {
		t.Fatalf("closing the demo refinery month: %d %s", resp.StatusCode, b)
	}
	kinds := map[string]int{}
	for _, path := range []string{"/", "/plans/latest", "/plans/latest?period=20", "/risk", "/risk?commodity=antimony&tonnes=1000&us_imports=4000",
		"/refinery?site=urn:critmin:demo:site:pk-refinery&period=2025-10", "/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")} {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		boxes := chartBoxRE.FindAllStringSubmatch(string(b), -1)
		if len(boxes) == 0 {
			t.Errorf("%s: no chart", path)
		}
		for _, box := range boxes {
			m, h := chartSpecRE.FindStringSubmatch(box[0]), chartCSVRE.FindStringSubmatch(box[0])
			if m == nil || h == nil {
				t.Errorf("%s %s: spec or CSV link missing", path, box[1])
				continue
			}
			var c drawnSpec
			if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
				t.Fatalf("%s %s: %v", path, box[1], err)
			}
			kinds[c.Kind]++
			href := html.UnescapeString(h[1])
			var text string
			if rest, ok := strings.CutPrefix(href, "data:text/csv;charset=utf-8,"); ok {
				var err error
				if text, err = url.PathUnescape(rest); err != nil {
					t.Fatal(err)
				}
			} else {
				resp, b := do(t, "GET", ts.URL+href, viewerSecret, nil, nil)
				if resp.StatusCode != 200 {
					t.Errorf("%s %s: CSV %s: %d", path, c.ID, href, resp.StatusCode)
					continue
				}
				text = string(b)
			}
			rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
			if err != nil {
				t.Errorf("%s %s: CSV: %v", path, c.ID, err)
				continue
			}
			var nums []float64
			for _, r := range rows[1:] {
				for _, cell := range r {
					if v, err := strconv.ParseFloat(strings.ReplaceAll(cell, ",", ""), 64); err == nil {
						nums = append(nums, v)
					}
				}
			}
			// A figure is in the CSV as the table rounds it (one or two
			// decimals); a share as a fraction where the chart draws it in
			// per cent or × 10,000 (the HHI chart's top-1 share), or the
			// other way round.
			has := func(v float64) bool {
				for _, x := range nums {
					for _, f := range []float64{1, 100, 10000} {
						if math.Abs(x*f-v) <= math.Max(0.051, 1e-3*math.Abs(v)) || math.Abs(x-f*v) <= 0.051 {
							return true
						}
					}
				}
				return false
			}
			var missing []string
			for _, v := range c.drawn() {
				if !has(v) {
					missing = append(missing, strconv.FormatFloat(v, 'f', -1, 64))
				}
			}
			if len(missing) > 0 {
				t.Errorf("%s %s (%s): the CSV lacks %d drawn figures: %s\n%s", path, c.ID, c.Kind, len(missing), strings.Join(missing[:min(len(missing), 10)], ", "), text[:min(len(text), 1500)])
			}
			for _, n := range c.Nodes {
				if !strings.Contains(text, n.Name) && !strings.Contains(text, n.ID) {
					t.Errorf("%s %s: the CSV does not name node %q (%s)", path, c.ID, n.Name, n.ID)
				}
			}
			// A flow chart's CSV has a row for each band it draws.
			if c.Kind == "sankey" || c.Kind == "geo" {
				if len(rows)-1 < len(c.Links) {
					t.Errorf("%s %s: %d CSV rows for %d bands", path, c.ID, len(rows)-1, len(c.Links))
				}
			}
		}
	}
	for _, k := range []string{"line", "bar", "sankey", "map", "geo", "graph"} {
		if kinds[k] == 0 {
			t.Errorf("no %s chart checked (%v)", k, kinds)
		}
	}
}
