package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// feedChainDoc is lot FC-A's corridor (issue 15, fix15r; the new-user
// check nu15e's NU-A1): 30 t at mine M; T1 ships 12 t to port K (day 2),
// received there for party U; T2 ships 5 t to K (day 3), received for S;
// 6 t of A are packed into container C at K naming U as source (day 6;
// 8 t before: SEA1 shipping C with 6 t of A is refused since fixQu);
// SEA1 ships C with 6 t of A from K to Houston H naming U (day 7),
// received at H; RAIL1 ships from H to refinery R stating no quantity
// (day 9), received at R (day 10); run RUN1 at R takes 5.9 t of A and
// makes 0.4 t of oxide FC-OX (day 11); SEA2 ships 5 t from K to H after
// the run (day 12).
func feedChainDoc() string {
	const (
		lot  = "urn:t:fc:lot:FC-A"
		mine = "urn:t:fc:site:M"
		port = "urn:t:fc:site:K"
		hou  = "urn:t:fc:site:H"
		ref  = "urn:t:fc:site:R"
	)
	ev := func(id string, day int, step, loc, body string) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:fc:ev:%s", "eventTime": "2026-11-%02dT10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "%s", "bizLocation": {"id": "%s"}, %s}`, id, day, step, loc, body)
	}
	qty := func(kgs int) string {
		if kgs == 0 {
			return `"quantityList": [{"epcClass": "` + lot + `"}]`
		}
		return fmt.Sprintf(`"quantityList": [{"epcClass": "%s", "quantity": %d, "uom": "KGM"}]`, lot, kgs)
	}
	bol := func(b string) string {
		return `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:fc:bol:` + b + `"}]`
	}
	ship := func(id string, day int, from, to, b string, kgs int, extra string) string {
		return ev(id, day, "shipping", from, `"disposition": "in_transit", `+qty(kgs)+`, `+bol(b)+`, "destinationList": [{"type": "location", "destination": "`+to+`"}]`+extra)
	}
	receive := func(id string, day int, at, b string, kgs int, owner string) string {
		parties := ""
		if owner != "" {
			parties = `, "destinationList": [{"type": "owning_party", "destination": "` + owner + `"}, {"type": "possessing_party", "destination": "` + owner + `"}]`
		}
		return ev(id, day, "receiving", at, `"disposition": "in_progress", `+qty(kgs)+`, `+bol(b)+parties)
	}
	u := `, "sourceList": [{"type": "owning_party", "source": "urn:t:fc:party:U"}]`
	events := []string{
		`{"type": "ObjectEvent", "eventID": "urn:t:fc:ev:c", "eventTime": "2026-11-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
  "destinationList": [{"type": "owning_party", "destination": "urn:t:fc:party:F"}, {"type": "possessing_party", "destination": "urn:t:fc:party:F"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 12, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		ship("t1", 2, mine, port, "T1", 12000, ""),
		ship("t2", 3, mine, port, "T2", 5000, ""),
		receive("r1", 4, port, "T1", 12000, "urn:t:fc:party:U"),
		receive("r2", 5, port, "T2", 5000, "urn:t:fc:party:S"),
		`{"type": "AggregationEvent", "eventID": "urn:t:fc:ev:pk", "eventTime": "2026-11-06T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing", "disposition": "active",
  "parentID": "urn:t:fc:container:C", "childQuantityList": [{"epcClass": "` + lot + `", "quantity": 6000, "uom": "KGM"}], "bizLocation": {"id": "` + port + `"}` + u + `}`,
		ship("sea1", 7, port, hou, "SEA1", 6000, `, "epcList": ["urn:t:fc:container:C"]`+u),
		receive("r3", 8, hou, "SEA1", 6000, ""),
		ship("rail1", 9, hou, ref, "RAIL1", 0, ""),
		receive("r4", 10, ref, "RAIL1", 5900, ""),
		`{"type": "TransformationEvent", "eventID": "urn:t:fc:ev:run", "eventTime": "2026-11-11T10:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "disposition": "active",
  "transformationID": "urn:t:fc:run:RUN1", "bizLocation": {"id": "` + ref + `"},
  "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": 5900, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:fc:lot:FC-OX", "quantity": 400, "uom": "KGM"}],
  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 75, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		ship("sea2", 12, port, hou, "SEA2", 5000, ""),
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2026-11-20T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",\n") + `]}}`
}

// graphLinks are the genealogy graph's links on a lot page (its chart
// spec), as "from → to (kind)" with the run's and nodes' identifiers,
// and their labels by that key.
func graphLinks(t *testing.T, page string) ([]string, map[string]string) {
	t.Helper()
	m := regexp.MustCompile(`id="genealogy-graph" data-chart="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no genealogy graph on the page")
	}
	var spec struct {
		Links []struct{ From, To, Kind, Label string }
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &spec); err != nil {
		t.Fatal(err)
	}
	var out []string
	labels := map[string]string{}
	for _, l := range spec.Links {
		k := l.From + " → " + l.To + " (" + l.Kind + ")"
		out = append(out, k)
		labels[k] = l.Label
	}
	return out, labels
}

// TestGenealogyDrawsTheRunsFeedChain (issue 15, fix15r; nu15e finding
// 1): the oxide FC-OX's page draws only the voyages that carried what
// run RUN1 took — the 5.9 t part that came by T1, was packed into C at
// K, shipped on by SEA1 and RAIL1 (ledger.RunInputScopes: RAIL1's part)
// — as one chain in order: lot → T1 → C → SEA1 → RAIL1 → run. T2
// carried S's 5 t, which stayed at K, and SEA2 sailed a day after the
// run: neither is drawn into the run (both were, with the hover text
// "…, carried by …, fed to RUN1"). The lot's own lines to SEA1, RAIL1
// and C are drawn from the leg before them instead (parallel lanes
// before), RAIL1's with the 6 t it shipped (stating no quantity: what
// stood of the lot at H, ledger.ShippedBy).
func TestGenealogyDrawsTheRunsFeedChain(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(feedChainDoc())}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:fc:lot:FC-OX"), viewerSecret, nil, nil)
	links, labels := graphLinks(t, string(b))
	const (
		lot = "urn:t:fc:lot:FC-A"
		run = "run urn:t:fc:run:RUN1"
	)
	bol := func(b string) string { return "urn:t:fc:bol:" + b }
	for _, want := range []string{
		lot + " → " + bol("T1") + " (shipping)",
		bol("T1") + " → urn:t:fc:container:C (delivery)",
		"urn:t:fc:container:C → " + bol("SEA1") + " (shipping)",
		bol("SEA1") + " → " + bol("RAIL1") + " (delivery)",
		bol("RAIL1") + " → " + run + " (delivery)",
		lot + " → " + run + " (transformation)",
	} {
		if !slices.Contains(links, want) {
			t.Errorf("the graph lacks %s; links:\n%s", want, strings.Join(links, "\n"))
		}
	}
	for _, l := range links {
		if strings.HasSuffix(l, "(delivery)") && strings.Contains(l, run) && !strings.HasPrefix(l, bol("RAIL1")) {
			t.Errorf("%s: only RAIL1, the last leg of what the run took, feeds it", l)
		}
		for _, parallel := range []string{lot + " → " + bol("SEA1"), lot + " → " + bol("RAIL1"), lot + " → urn:t:fc:container:C"} {
			if strings.HasPrefix(l, parallel+" ") {
				t.Errorf("%s: drawn from the leg before it, not from the lot", l)
			}
		}
	}
	if l := labels[bol("SEA1")+" → "+bol("RAIL1")+" (delivery)"]; l != "6 t" {
		t.Errorf("SEA1 → RAIL1 reads %q, want RAIL1's 6 t", l)
	}
	// The table names the chain too.
	if tbl := html.UnescapeString(string(b)); !strings.Contains(tbl, "delivered to the run") || !strings.Contains(tbl, "carried on") {
		t.Errorf("the genealogy table does not list the chain's links")
	}
}

// TestLotsListBodyAndPartsStanding (issue 15, fix15r; nu15e finding 2):
// the lots list's and the lots CSV's remainder column was the body's
// alone under the name "Remaining dry t" / remaining_dry_t. It is named
// for what it is, beside the received parts left where they were
// received. FC-A (feedChainDoc), 30 t at 8 % moisture: the body at the
// mine is 30 − 12 − 5 = 13 t, 13 × 0.92 = 11.96 t dry; at K stand U's
// part, 12 received − 6 (SEA1) − 5 (SEA2, first in first out) = 1 t, and
// S's 5 t: 6 t, 6 × 0.92 = 5.52 t dry; nothing stands at H (6 shipped
// on) or R (5.9 taken by RUN1); SEA2's 5 t are at sea.
func TestLotsListBodyAndPartsStanding(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(feedChainDoc())}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots", viewerSecret, nil, nil)
	page := string(b)
	if !strings.Contains(page, ">Body remaining dry t</th>") || !strings.Contains(page, ">Parts standing dry t</th>") {
		t.Errorf("the lots list's columns do not say body remaining and parts standing")
	}
	i := strings.Index(page, `href="/lots/`+url.PathEscape("urn:t:fc:lot:FC-A")+`"`)
	if i < 0 {
		t.Fatalf("FC-A is not listed")
	}
	row := page[i:]
	row = row[:strings.Index(row, "</tr>")]
	cell := func(class string) string {
		m := regexp.MustCompile(`class="num ` + class + `">([^<]*)<`).FindStringSubmatch(row)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if b, p := cell("body-remaining"), cell("parts-standing"); b != "11.96" || p != "5.52" {
		t.Errorf("FC-A body remaining %q, parts standing %q; want 11.96 and 5.52", b, p)
	}
	_, c := do(t, "GET", ts.URL+"/api/v1/lots?format=csv", viewerSecret, nil, nil)
	lines, err := csv.NewReader(strings.NewReader(string(c))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for k, h := range lines[0] {
		col[h] = k
	}
	for _, want := range []string{"body_remaining_wet_t", "body_remaining_dry_t", "parts_standing_wet_t", "parts_standing_dry_t"} {
		if _, ok := col[want]; !ok {
			t.Fatalf("the lots CSV has no %s column: %s", want, lines[0])
		}
	}
	for _, r := range lines[1:] {
		if r[0] != "urn:t:fc:lot:FC-A" {
			continue
		}
		if r[col["body_remaining_wet_t"]] != "13" || r[col["body_remaining_dry_t"]] != "11.96" || r[col["parts_standing_wet_t"]] != "6" || r[col["parts_standing_dry_t"]] != "5.52" {
			t.Errorf("FC-A CSV body %s wet %s dry, parts standing %s wet %s dry; want 13, 11.96, 6, 5.52",
				r[col["body_remaining_wet_t"]], r[col["body_remaining_dry_t"]], r[col["parts_standing_wet_t"]], r[col["parts_standing_dry_t"]])
		}
	}
}
