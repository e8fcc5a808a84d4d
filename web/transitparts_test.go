package web_test

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestPartInTransitInEveryView (fix9c item 2): the demo's NdPr oxide lot
// NDPR-2025-001 (2,530 kg) ships a part of 1,150 kg under B/L
// MO-FTW-2025-1027 (the trade demo); the rest, 2.53 − 1.15 = 1.38 t,
// stays in stock at the refinery. The part is in transit, so the lot is
// listed by GET /api/v1/transit, by /api/v1/lots?location=in_transit, by
// the transit CSV and the lots CSV (in_transit_t 1.15, parts_in_transit
// naming the B/L and the shipping event), by a destination filter on the
// part's destination and on the Lots page — each with its 1.15 t in
// transit (inTransit: one entry, part true, tonnes 1.15) — while
// status=in_transit (the lot as a whole) does not list it. The demo's
// lots in transit as a whole (REE-2025-003, CU2025001) are listed by
// both, their inTransit entry whole (part false).
func TestPartInTransitInEveryView(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(t.Context(), ts.Trade()); err != nil {
		t.Fatal(err)
	}
	const (
		ndpr = "urn:critmin:demo:lot:NDPR-2025-001"
		bol  = "urn:critmin:demo:bol:MO-FTW-2025-1027"
		ree3 = "urn:critmin:demo:lot:REE-2025-003"
	)
	type entry struct {
		From, To, BillOfLading, EventID string
		Tonnes                          float64
		Part                            bool
	}
	type lotJSON struct {
		ID        string
		Status    string
		InTransit []entry
	}
	list := func(path string) map[string]lotJSON {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+path, "", nil, map[string]string{"Accept": "application/json"})
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		var res struct {
			Total int
			Lots  []lotJSON
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if res.Total != len(res.Lots) {
			t.Errorf("%s: total %d, %d lots", path, res.Total, len(res.Lots))
		}
		out := map[string]lotJSON{}
		for _, l := range res.Lots {
			out[l.ID] = l
		}
		return out
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	var part entry
	for _, path := range []string{"/api/v1/transit", "/api/v1/lots?location=in_transit"} {
		got := list(path)
		l, ok := got[ndpr]
		if !ok {
			t.Fatalf("%s does not list %s, whose 1.15 t part is in transit (lots %v)", path, ndpr, got)
		}
		if l.Status != "in_stock" || len(l.InTransit) != 1 || !l.InTransit[0].Part || !near(l.InTransit[0].Tonnes, 1.15) ||
			l.InTransit[0].BillOfLading != bol || l.InTransit[0].EventID == "" || l.InTransit[0].To == "" {
			t.Errorf("%s: %s %+v; want in stock with one part of 1.15 t in transit under %s", path, ndpr, l, bol)
		}
		part = l.InTransit[0]
		w, ok := got[ree3]
		if !ok || w.Status != "in_transit" || len(w.InTransit) != 1 || w.InTransit[0].Part || w.InTransit[0].Tonnes <= 0 {
			t.Errorf("%s: the lot in transit as a whole %s: %+v", path, ree3, w)
		}
	}
	if _, ok := list("/api/v1/lots?status=in_transit")[ndpr]; ok {
		t.Errorf("status=in_transit lists %s, whose rest is in stock", ndpr)
	}
	if got := list("/api/v1/transit?destination=" + url.QueryEscape(part.To)); len(got) == 0 {
		t.Errorf("destination %s (the part's): none listed", part.To)
	} else if _, ok := got[ndpr]; !ok {
		t.Errorf("destination %s (the part's): %v lacks %s", part.To, got, ndpr)
	}
	for _, path := range []string{"/api/v1/lots?format=csv", "/api/v1/transit?format=csv"} {
		_, b := do(t, "GET", ts.URL+path, "", nil, nil)
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		found := false
		for _, r := range rows[1:] {
			if r[col["id"]] != ndpr {
				continue
			}
			found = true
			// 1.15 t part in transit; the lot's rest is in stock.
			if r[col["in_transit_t"]] != "1.15" || r[col["status"]] != "in_stock" ||
				!strings.Contains(r[col["parts_in_transit"]], "1.15 t in transit from ") || !strings.Contains(r[col["parts_in_transit"]], "(B/L "+bol+", event "+part.EventID+")") {
				t.Errorf("%s: %s row in_transit_t %q, parts_in_transit %q", path, ndpr, r[col["in_transit_t"]], r[col["parts_in_transit"]])
			}
		}
		if !found {
			t.Errorf("%s lacks %s", path, ndpr)
		}
	}
	// The lot's own view (item 3): its anomalies, none here, as a list.
	_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape(ndpr), "", nil, map[string]string{"Accept": "application/json"})
	var one struct {
		Anomalies *[]struct{ Kind string }
		InTransit []entry
	}
	if err := json.Unmarshal(b, &one); err != nil || one.Anomalies == nil || len(*one.Anomalies) != 0 || len(one.InTransit) != 1 || !near(one.InTransit[0].Tonnes, 1.15) {
		t.Errorf("GET /api/v1/lots/%s: anomalies %v, inTransit %+v (%v); want [] and the 1.15 t part", ndpr, one.Anomalies, one.InTransit, err)
	}
	_, b = do(t, "GET", ts.URL+"/lots?location=in_transit", "", nil, nil)
	text := regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html.UnescapeString(string(b)), " "), " ")
	if !strings.Contains(text, "part 1.15 wmt in transit") {
		t.Errorf("the Lots page, location=in_transit, does not show the part in transit")
	}
}
