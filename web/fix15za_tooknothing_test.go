package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestGenealogyRunTakingNothing (issue 15, fix15za item 1): lot FC-A's
// corridor (feedChainDoc), its run RUN1 at R naming Z — who holds
// nothing of FC-A there, where U's 5.9 t part received by RAIL1 stands —
// as its source owning_party. Capture refuses such a run (409); stored
// before (MustServeUnchecked: the state a store written before fix15t
// holds) it takes nothing of FC-A (ledger.NamedAbsent). The oxide's page
// drew FC-A → T1 → C → SEA1 → RAIL1 → run as the run's feed and FC-A →
// run labelled 5.9 t, as if fed. Now: no leg is drawn into the run, the
// line FC-A → run is of kind took-nothing (dashed) labelled "took 0 t",
// the table and CSV step read "transformation, took nothing" with the
// stated 5.9 t and the reason, "Came from" says FC-A gave nothing, FC-A's
// "Went into" says the run took 0 t of it, and the trace JSON carries
// tookNothing on the edge.
func TestGenealogyRunTakingNothing(t *testing.T) {
	ts := MustServeUnchecked(t, false, nil)
	doc := strings.Replace(feedChainDoc(), `"transformationID": "urn:t:fc:run:RUN1", "bizLocation"`,
		`"transformationID": "urn:t:fc:run:RUN1", "sourceList": [{"type": "owning_party", "source": "urn:t:fc:party:Z"}], "bizLocation"`, 1)
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	const (
		lot = "urn:t:fc:lot:FC-A"
		ox  = "urn:t:fc:lot:FC-OX"
		run = "run urn:t:fc:run:RUN1"
		why = "it named urn:t:fc:party:Z as its source party, who held nothing of the lot at urn:t:fc:site:R then"
	)
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(ox), viewerSecret, nil, nil)
	links, labels := graphLinks(t, string(b))
	for _, l := range links {
		if strings.HasSuffix(l, "(delivery)") && strings.Contains(l, run) {
			t.Errorf("%s: drawn into a run that took nothing of FC-A", l)
		}
		if l == lot+" → "+run+" (transformation)" {
			t.Errorf("%s: drawn as fed; the run took nothing of FC-A", l)
		}
	}
	if l := labels[lot+" → "+run+" (took-nothing)"]; l != "took 0 t" {
		t.Errorf("FC-A → run (took-nothing) reads %q, want \"took 0 t\"; links:\n%s", l, strings.Join(links, "\n"))
	}
	page := html.UnescapeString(string(b))
	if !strings.Contains(page, "transformation, took nothing") || !strings.Contains(page, "took 0 t (stated 5.9 t): ") {
		t.Errorf("the genealogy table does not say the run took 0 t of the stated 5.9 t")
	}
	if !strings.Contains(page, "gave nothing: the run took 0 t of it") {
		t.Errorf("the oxide's \"Came from\" does not say FC-A gave nothing")
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), viewerSecret, nil, nil)
	if !strings.Contains(html.UnescapeString(string(b)), "took 0 t of this lot") {
		t.Errorf("FC-A's \"Went into\" does not say the run took 0 t of it")
	}
	_, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape(ox)+"/trace", viewerSecret, nil, nil)
	var tr struct {
		Edges []struct{ From, To, Kind, TookNothing string }
	}
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	found := false
	for _, e := range tr.Edges {
		if e.From == lot && e.Kind == "transformation" {
			found = true
			if e.TookNothing != why {
				t.Errorf("trace edge FC-A → %s: tookNothing %q; want %q", e.To, e.TookNothing, why)
			}
		}
	}
	if !found {
		t.Errorf("the trace lost the edge FC-A → FC-OX: %s", b)
	}
}

// TestDeclarationPreviewListsRunTakingNothing (issue 15, fix15za item
// 1): lot NU-B1 of TestNamedShipmentFromARetractedReceiptInEveryView
// with, instead of the NUB-3 shipment, a refinery run at Karachi taking
// 6,000 kg naming USSM as its source owning_party, of USSM's 12 t part
// there (12 − 6 = 6 t left). Declaring USSM's receipt r1 in error
// leaves USSM nothing at Karachi while the smelter's 5 t stand there:
// the run then takes nothing (ledger.NamedAbsent). The preview said
// "No recorded shipment, receipt or weighing … depends on this event";
// it now names the run, its 6 t, and that it takes nothing and why.
// Declared, the product's page draws NU-B1 → run as taking 0 t.
func TestDeclarationPreviewListsRunTakingNothing(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const lot = "urn:t:lot:NU-B1"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-22T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join([]string{`{"type": "ObjectEvent", "eventID": "urn:t:nub:c", "eventTime": "2025-11-01T08:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:loe-shilman"}, "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}],
	 "destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		fix15qEvent("s1", "shipping", "2025-11-02T08:00:00+05:00", "loe-shilman", "karachi", "NUB-1", "12000", "", ""),
		fix15qEvent("r1", "receiving", "2025-11-04T08:00:00+05:00", "karachi", "", "NUB-1", "12000", "", "ussm"),
		fix15qEvent("s2", "shipping", "2025-11-05T08:00:00+05:00", "loe-shilman", "karachi", "NUB-2", "5000", "", ""),
		fix15qEvent("r2", "receiving", "2025-11-07T08:00:00+05:00", "karachi", "", "NUB-2", "5000", "", "smelter"),
		`{"type": "TransformationEvent", "eventID": "urn:t:nub:run", "eventTime": "2025-11-08T08:00:00+05:00", "eventTimeZoneOffset": "+05:00", "bizStep": "commissioning", "disposition": "active",
	 "transformationID": "urn:t:run:NUR", "bizLocation": {"id": "urn:t:site:karachi"}, "sourceList": [{"type": "owning_party", "source": "urn:t:party:ussm"}],
	 "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": 6000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:NU-SB", "quantity": 1000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0}}`}, ",") + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"reason": {"incorrect_data"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:nub:r1")+"/declare", operatorSecret, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("declaration preview: %d %s", resp.StatusCode, b)
	}
	deps := visibleText(regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(string(b)))
	for _, want := range []string{"The refinery run (event", "stating 6 t of lot", "it takes nothing of the lot", "as its source party, who held nothing of the lot at"} {
		if !strings.Contains(deps, want) {
			t.Errorf("declaration preview's dependents: %q; want %q", deps, want)
		}
	}
	hidden := regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(string(b), -1)
	confirm := url.Values{"step": {"capture"}}
	for _, h := range hidden {
		confirm.Set(h[1], html.UnescapeString(h[2]))
	}
	if resp, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:nub:r1")+"/declare", operatorSecret, []byte(confirm.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("declaring the receipt in error: %d %s", resp.StatusCode, b)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:NU-SB"), viewerSecret, nil, nil)
	if _, labels := graphLinks(t, string(b)); labels[lot+" → run urn:t:run:NUR (took-nothing)"] != "took 0 t" {
		t.Errorf("after the declaration the product's graph does not draw NU-B1 → run as taking 0 t: %v", labels)
	}
}

// TestGenealogyRunTakingNothingDrawsNoVoyage (issue 15, fix15za item
// 1): lot G-A, 10 t at mine M owned and held by A; 4,000 kg shipped to
// S under GA and received there for B; the body shipped on to S under
// GB stating no quantity and received there, 6,000 kg. Run GR at S takes
// 3,000 kg naming X, who holds nothing at S (A's 6 t body and B's 4 t
// stand there), and makes 500 kg of G-OX: it takes nothing of G-A
// (NamedAbsent). The oxide's graph drew voyage GB — the body's leg —
// into the run ("delivered to the run"); now no voyage is, and G-A's
// line to the run reads "took 0 t".
func TestGenealogyRunTakingNothingDrawsNoVoyage(t *testing.T) {
	ts := MustServeUnchecked(t, false, nil)
	const lot = "urn:t:ga:lot:G-A"
	party := func(kind, p string) string {
		return `{"type": "owning_party", "` + kind + `": "urn:t:ga:party:` + p + `"}, {"type": "possessing_party", "` + kind + `": "urn:t:ga:party:` + p + `"}`
	}
	ev := func(id string, day int, step, disp, site, qty, bol, extra string) string {
		q := `{"epcClass": "` + lot + `"}`
		if qty != "" {
			q = `{"epcClass": "` + lot + `", "quantity": ` + qty + `, "uom": "KGM"}`
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:ga:ev:` + id + `", "eventTime": "2026-11-0` + strconv.Itoa(day) + `T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", "disposition": "` + disp + `",
		 "bizLocation": {"id": "urn:t:ga:site:` + site + `"}, "quantityList": [` + q + `], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:ga:bol:` + bol + `"}]` + extra + `}`
	}
	toS := `, "destinationList": [{"type": "location", "destination": "urn:t:ga:site:S"}]`
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2026-11-20T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join([]string{
		`{"type": "ObjectEvent", "eventID": "urn:t:ga:ev:c", "eventTime": "2026-11-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
		 "quantityList": [{"epcClass": "` + lot + `", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:ga:site:M"}, "destinationList": [` + party("destination", "A") + `],
		 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}`,
		ev("sa", 2, "shipping", "in_transit", "M", "4000", "GA", toS),
		ev("ra", 3, "receiving", "in_progress", "S", "4000", "GA", `, "destinationList": [`+party("destination", "B")+`]`),
		ev("sb", 4, "shipping", "in_transit", "M", "", "GB", toS),
		ev("rb", 5, "receiving", "in_progress", "S", "6000", "GB", ""),
		`{"type": "TransformationEvent", "eventID": "urn:t:ga:ev:run", "eventTime": "2026-11-07T10:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "disposition": "active",
		 "transformationID": "urn:t:ga:run:GR", "bizLocation": {"id": "urn:t:ga:site:S"}, "sourceList": [{"type": "owning_party", "source": "urn:t:ga:party:X"}],
		 "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": 3000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:ga:lot:G-OX", "quantity": 500, "uom": "KGM"}],
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}}`}, ",\n") + `]}}`
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:ga:lot:G-OX"), viewerSecret, nil, nil)
	links, labels := graphLinks(t, string(b))
	const run = "run urn:t:ga:run:GR"
	for _, l := range links {
		if strings.Contains(l, " → "+run+" ") && !strings.HasPrefix(l, lot+" → ") {
			t.Errorf("%s: drawn into a run that took nothing of G-A", l)
		}
	}
	if l := labels[lot+" → "+run+" (took-nothing)"]; l != "took 0 t" {
		t.Errorf("G-A → run (took-nothing) reads %q, want \"took 0 t\"; links:\n%s", l, strings.Join(links, "\n"))
	}
}
