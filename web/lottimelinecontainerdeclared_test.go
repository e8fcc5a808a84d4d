package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// ltdDoc is an EPCIS document of events.
func ltdDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// ltdLot commissions lot id, 10 t at the Pakistani mine, on Oct 1.
func ltdLot(id string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-PAK"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// ltdPack is an AggregationEvent id of action on container c at day
// (2025-10-dd) at site, with childQuantityList lines "lot:kg" (none: a
// DELETE naming no child empties c).
func ltdPack(id, action, c, day, site string, lines ...string) string {
	var qs []string
	for _, l := range lines {
		lot, kg, _ := strings.Cut(l, ":")
		qs = append(qs, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+kg+`, "uom": "KGM"}`)
	}
	kids := ""
	if len(qs) > 0 {
		kids = `, "childQuantityList": [` + strings.Join(qs, ",") + `]`
	}
	return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "` + action + `", "bizStep": "` + map[bool]string{true: "unpacking", false: "packing"}[action == "DELETE"] + `",
	  "parentID": "` + c + `"` + kids + `, "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}}`
}

// ltdMove is an ObjectEvent id of step on day from site naming container
// c alone (a shipping goes to the port) under bill bol, with lot lines
// "lot:kg".
func ltdMove(id, step, c, day, site, bol string, lines ...string) string {
	disp, dest := "in_progress", ""
	if step == "shipping" {
		disp, dest = "in_transit", `"destinationList": [{"type": "location", "destination": "urn:t:site:port"}], `
	}
	var qs []string
	for _, l := range lines {
		lot, kg, _ := strings.Cut(l, ":")
		qs = append(qs, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+kg+`, "uom": "KGM"}`)
	}
	ql := ""
	if len(qs) > 0 {
		ql = `"quantityList": [` + strings.Join(qs, ",") + `], `
	}
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", "disposition": "` + disp + `",
	  "epcList": ["` + c + `"], ` + ql + `"readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}, ` + dest + `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]}`
}

// ltdDeclared is ev declared in error, with corrective events.
func ltdDeclared(ev string, corrective ...string) string {
	c := ""
	if len(corrective) > 0 {
		c = `, "correctiveEventIDs": ["` + strings.Join(corrective, `", "`) + `"]`
	}
	return strings.TrimSuffix(strings.TrimSpace(ev), "}") + `, "errorDeclaration": {"declarationTime": "2025-10-05T00:00:00Z", "reason": "incorrect_data"` + c + `}}`
}

// ltdEvent is one entry of GET /api/v1/lots/{id}/events.
type ltdEvent struct {
	EventID              string `json:"eventID"`
	ViaContainer         string `json:"viaContainer"`
	ViaContainerQuantity *struct {
		Quantity *float64 `json:"quantity"`
		UOM      string   `json:"uom"`
	} `json:"viaContainerQuantity"`
	DeclaredInError *struct{} `json:"declaredInError"`
	Declaration     bool      `json:"errorDeclaration"`
}

// ltdEvents reads lot's timeline from the API, by eventID.
func ltdEvents(t *testing.T, ts *testServer, lot string) map[string]ltdEvent {
	t.Helper()
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:"+lot)+"/events", viewerSecret, nil, nil)
	var got struct {
		Events []ltdEvent `json:"events"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &got) != nil {
		t.Fatalf("events of %s: %d %s", lot, resp.StatusCode, b)
	}
	// The event itself, not its declaration's record (listed under the
	// same eventID).
	out := map[string]ltdEvent{}
	for _, e := range got.Events {
		if !e.Declaration {
			out[e.EventID] = e
		}
	}
	return out
}

// ltdVia wants event id on the timeline moving the lot in container c,
// kg of it then (or not listed when kg < 0).
func ltdVia(t *testing.T, evs map[string]ltdEvent, what, id, c string, kg float64) {
	t.Helper()
	e, ok := evs["urn:t:ev:"+id]
	if kg < 0 {
		if ok {
			t.Errorf("%s: %s listed (%+v); want not listed", what, id, e)
		}
		return
	}
	if !ok {
		t.Errorf("%s: %s not listed; want it via %s with %v kg (%v)", what, id, c, kg, evs)
		return
	}
	if e.ViaContainer != c || e.ViaContainerQuantity == nil || e.ViaContainerQuantity.Quantity == nil || *e.ViaContainerQuantity.Quantity != kg || e.ViaContainerQuantity.UOM != "KGM" {
		t.Errorf("%s: %s via %q %+v; want via %s with %v KGM", what, id, e.ViaContainer, e.ViaContainerQuantity, c, kg)
	}
}

// TestLotTimelineDeclaredPacking (new-user finding nu38a-c): a lot's
// timeline lists the moves of a container the lot stands packed in even
// when one packing of it is declared in error, and not when no standing
// packing puts it there.
//   - DA: P1 packs 3,000 kg into C1 on Oct 2, C1 shipped alone on Oct 3
//     (S); P1 declared in error with corrective P2 (4,000 kg into C1, Oct
//     2) and, as a packing dated before a recorded movement asks, S with
//     corrective S2 (the same shipment again): S2 is DA's, via C1 with
//     4,000 kg; P1 and S are listed declared in error.
//   - DB: 2,000 kg (P3) and 1,000 kg (P4) packed into C2, C2 shipped; P3
//     declared in error, no corrective: P4 stands, the shipment is DB's
//     with 1,000 kg.
//   - DC: P5 packs 3,000 kg into C3, C3 shipped; P5 declared in error,
//     no corrective, nothing else puts DC in C3: the shipment is not DC's.
func TestLotTimelineDeclaredPacking(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c1, c2, c3 = "urn:epc:id:sscc:0614141.5000000035", "urn:epc:id:sscc:0614141.5000000042", "urn:epc:id:sscc:0614141.5000000059"
	const mine = "urn:t:site:mine-PAK"
	p1 := ltdPack("da-p1", "ADD", c1, "02", mine, "DA:3000")
	p3 := ltdPack("db-p3", "ADD", c2, "02", mine, "DB:2000")
	p5 := ltdPack("dc-p5", "ADD", c3, "02", mine, "DC:3000")
	for _, d := range []string{
		ltdDoc(ltdLot("DA"), p1, ltdMove("da-s", "shipping", c1, "03", mine, "DA-1")),
		ltdDoc(ltdDeclared(p1, "urn:t:ev:da-p2"), ltdDeclared(ltdMove("da-s", "shipping", c1, "03", mine, "DA-1"), "urn:t:ev:da-s2"),
			ltdPack("da-p2", "ADD", c1, "02", mine, "DA:4000"), ltdMove("da-s2", "shipping", c1, "03", mine, "DA-1")),
		ltdDoc(ltdLot("DB"), p3, ltdPack("db-p4", "ADD", c2, "02", mine, "DB:1000"), ltdMove("db-s", "shipping", c2, "03", mine, "DB-1")),
		ltdDoc(ltdDeclared(p3)),
		ltdDoc(ltdLot("DC"), p5, ltdMove("dc-s", "shipping", c3, "03", mine, "DC-1")),
		ltdDoc(ltdDeclared(p5)),
	} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	da := ltdEvents(t, ts, "DA")
	if e, ok := da["urn:t:ev:da-p1"]; !ok || e.DeclaredInError == nil {
		t.Errorf("DA: declared packing P1 %+v (listed %v); want listed, declared in error", e, ok)
	}
	ltdVia(t, da, "DA, P1 declared with corrective P2", "da-s2", c1, 4000)
	if e, ok := da["urn:t:ev:da-s"]; !ok || e.DeclaredInError == nil || e.ViaContainer != c1 {
		t.Errorf("DA: declared shipment %+v (listed %v); want listed via C1, declared in error", e, ok)
	}
	ltdVia(t, ltdEvents(t, ts, "DB"), "DB, P3 declared while P4 stands", "db-s", c2, 1000)
	dc := ltdEvents(t, ts, "DC")
	if e, ok := dc["urn:t:ev:dc-p5"]; !ok || e.DeclaredInError == nil {
		t.Errorf("DC: declared packing P5 %+v (listed %v); want listed, declared in error", e, ok)
	}
	ltdVia(t, dc, "DC, its only packing into C3 declared", "dc-s", c3, -1)

	// The page lists the same: DA's shipment via C1 with 4 t.
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:DA"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	page := html.UnescapeString(string(b))
	tl := regexp.MustCompile(`(?s)<ul class="timeline" id="timeline">.*?</ul>`).FindString(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(visibleText(tl), "via container") || !strings.Contains(visibleText(tl), "4 t (4,000 kg)") {
		t.Errorf("DA's page: %d; timeline %q does not list the shipment via C1 with 4 t", resp.StatusCode, visibleText(tl))
	}
}

// TestLotTimelineUnpackedWhole (new-user finding nu38a-d; CBV 2.0 /
// EPCIS 2.0 §7.3.5: an AggregationEvent DELETE naming no child takes
// every child out): lot UA, 10 t, 6,000 kg packed into C on Oct 2; C
// shipped on Oct 3 beside a line "UA 5,000 kg" (C carried 5 t), received
// at the port by C alone on Oct 5 (5,000 kg), and unpacked there on Oct
// 6 by a DELETE naming only C. The unpacking is on UA's timeline, via C,
// releasing 6 − (6 − 5) = 5 t = 5,000 kg (nu38a-b: what C holds after its
// trip); an unpacking of C before anything of UA was in it is not.
func TestLotTimelineUnpackedWhole(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c = "urn:epc:id:sscc:0614141.5000000066"
	const mine, port = "urn:t:site:mine-PAK", "urn:t:site:port"
	for _, d := range []string{
		ltdDoc(ltdLot("UA"), ltdPack("ua-u0", "DELETE", c, "01", mine), ltdPack("ua-p", "ADD", c, "02", mine, "UA:6000"),
			ltdMove("ua-s", "shipping", c, "03", mine, "UA-1", "UA:5000")),
		ltdDoc(ltdMove("ua-r", "receiving", c, "05", port, "UA-1")),
		ltdDoc(ltdPack("ua-u", "DELETE", c, "06", port)),
	} {
		svc := ts.Svc
		if strings.Contains(d, "ua-s") {
			// The 5 t line beside C's 6 t is refused now (custody
			// heldBeside, nuq9): stored unchecked, as recorded before.
			svc = ledger.NewService(ts.Store)
		}
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	evs := ltdEvents(t, ts, "UA")
	ltdVia(t, evs, "UA, C received at the port", "ua-r", c, 5000)
	ltdVia(t, evs, "UA, C unpacked whole at the port", "ua-u", c, 5000)
	ltdVia(t, evs, "UA, C unpacked before UA was packed", "ua-u0", c, -1)

	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:UA"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	page := html.UnescapeString(string(b))
	tl := regexp.MustCompile(`(?s)<ul class="timeline" id="timeline">.*?</ul>`).FindString(page)
	var entry string
	for _, it := range regexp.MustCompile(`(?s)<li.*?</li>`).FindAllString(tl, -1) {
		if strings.Contains(it, url.PathEscape("urn:t:ev:ua-u")+`"`) {
			entry = visibleText(it)
		}
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(entry, "5 t (5,000 kg) out of container") {
		t.Errorf("UA's page: %d; the unpacking's entry %q does not give the 5 t it released out of C (timeline %q)", resp.StatusCode, entry, visibleText(tl))
	}
}
