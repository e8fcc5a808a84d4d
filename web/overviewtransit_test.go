package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestOverviewListsShipmentsInTransit (issue 15: "Flows between sites"
// left out the demo's shipment at sea with no note): each shipment in
// transit is a row of the flows, marked in transit and linked to its
// shipment page, and the rows in transit add up to the "wet tonnes in
// transit" card.
func TestOverviewListsShipmentsInTransit(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("overview: %d", resp.StatusCode)
	}
	page := string(b)
	flows := page[strings.Index(page, `id="flows"`):]
	flows = flows[:strings.Index(flows, "</table>")]
	if !strings.Contains(flows, `class="in-transit"`) || !strings.Contains(flows, ">in transit</a>") {
		t.Fatalf("no shipment in transit among the flows:\n%s", visibleText(flows))
	}
	card := visibleText(page[strings.Index(page, `id="stat-transit"`):])
	card = strings.TrimPrefix(card, `id="stat-transit">`)
	var sum []string
	for _, row := range strings.Split(flows, `<tr class="in-transit">`)[1:] {
		cells := strings.Split(row, `<td class="num">`)
		sum = append(sum, visibleText(cells[len(cells)-1]))
	}
	// The demo: 30 t (REE-2025-003 under BQM-HOU-2025-1112) + 59.9 t at
	// sea = 89.9 t, the card's figure.
	total := 0.0
	for _, f := range sum {
		v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(f), ",", ""), 64)
		if err != nil {
			t.Fatalf("row tonnes %q: %v", f, err)
		}
		total += v
	}
	if want := strings.Fields(strings.ReplaceAll(card, "wet", " wet"))[0]; strconv.FormatFloat(total, 'f', -1, 64) != want {
		t.Errorf("the rows in transit add up to %g t; the card says %s", total, want)
	}
}
