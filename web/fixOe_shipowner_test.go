package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

const (
	fixOeLot     = "urn:critmin:demo:lot:OE-21"
	fixOeC       = "urn:critmin:demo:container:OEC21"
	fixOeKarachi = "urn:critmin:demo:site:karachi"
	fixOeHouston = "urn:critmin:demo:site:houston"
	fixOeFWO     = "urn:critmin:demo:party:fwo"
	fixOeUSSM    = "urn:critmin:demo:party:ussm"
)

// fixOeDoc wraps events into an EPCIS document.
func fixOeDoc(evs ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(evs, ",\n") + `]}}`
}

// fixOeCommission commissions fixOeLot, 10,000 kg of FWO's (owner and
// possessor) at Karachi, and packs all of it into container fixOeC.
var fixOeCommission = []string{`{"type": "ObjectEvent", "eventID": "urn:t:oe21:c", "eventTime": "2025-10-01T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + fixOeLot + `", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + fixOeKarachi + `"}, "readPoint": {"id": "` + fixOeKarachi + `"},
  "destinationList": [{"type": "owning_party", "destination": "` + fixOeFWO + `"}, {"type": "possessing_party", "destination": "` + fixOeFWO + `"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 12, "cm:unit": "%", "cm:basis": "dry"}]}}`,
	`{"type": "AggregationEvent", "eventID": "urn:t:oe21:p", "eventTime": "2025-10-02T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "packing", "disposition": "in_progress",
  "parentID": "` + fixOeC + `", "childQuantityList": [{"epcClass": "` + fixOeLot + `", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + fixOeKarachi + `"}, "readPoint": {"id": "` + fixOeKarachi + `"}}`}

// fixOeVoyages are n15's s21 after the packing: 4,000 kg of the lot
// shipped to Houston (bill OE-21-1) and received there at 3,990 kg for
// USSM (destination owning_party); the 6 t left at Karachi weighed at
// 5,970 kg; then container C and the lot (no mass) shipped to Houston
// under bill OE-21-2.
var fixOeVoyages = []string{`{"type": "ObjectEvent", "eventID": "urn:t:oe21:s1", "eventTime": "2025-10-03T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + fixOeLot + `", "quantity": 4000, "uom": "KGM"}], "bizLocation": {"id": "` + fixOeKarachi + `"}, "readPoint": {"id": "` + fixOeKarachi + `"},
  "sourceList": [{"type": "location", "source": "` + fixOeKarachi + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-21-1"}], "destinationList": [{"type": "location", "destination": "` + fixOeHouston + `"}]}`,
	`{"type": "ObjectEvent", "eventID": "urn:t:oe21:r1", "eventTime": "2025-10-30T09:00:00-05:00", "eventTimeZoneOffset": "-05:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + fixOeLot + `", "quantity": 3990, "uom": "KGM"}], "bizLocation": {"id": "` + fixOeHouston + `"}, "readPoint": {"id": "` + fixOeHouston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-21-1"}], "destinationList": [{"type": "owning_party", "destination": "` + fixOeUSSM + `"}, {"type": "possessing_party", "destination": "` + fixOeUSSM + `"}]}`,
	`{"type": "ObjectEvent", "eventID": "urn:t:oe21:w", "eventTime": "2025-10-31T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "sensor_reporting", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + fixOeLot + `", "quantity": 5970, "uom": "KGM"}], "bizLocation": {"id": "` + fixOeKarachi + `"}, "readPoint": {"id": "` + fixOeKarachi + `"},
  "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 5970, "uom": "KGM"}]}]}`,
	`{"type": "ObjectEvent", "eventID": "urn:t:oe21:s2", "eventTime": "2025-11-01T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "epcList": ["` + fixOeC + `"], "quantityList": [{"epcClass": "` + fixOeLot + `"}], "bizLocation": {"id": "` + fixOeKarachi + `"}, "readPoint": {"id": "` + fixOeKarachi + `"},
  "sourceList": [{"type": "location", "source": "` + fixOeKarachi + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-21-2"}], "destinationList": [{"type": "location", "destination": "` + fixOeHouston + `"}]}`}

// fixOeRow is the visible text of the shipment page's row of the lot.
func fixOeRow(t *testing.T, ts *testServer, id string) string {
	t.Helper()
	_, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(id), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	table := regexp.MustCompile(`(?s)<table id="shipment-lots".*?</table>`).FindString(string(b))
	for _, tr := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(table, -1) {
		if strings.Contains(tr, "OE-21") {
			return html.UnescapeString(visibleText(tr))
		}
	}
	t.Fatalf("page %s: no row of lot OE-21 in %q", id, html.UnescapeString(visibleText(table)))
	return ""
}

// TestShipmentPagesNameThePartsOwner (issue 15, n15 findings 1, 2, 5;
// s21, s3/s25): lot OE-21, 10,000 kg commissioned at Karachi for FWO
// (owner and possessor) and packed whole into container OEC21.
//   - Before any shipment, the container page names FWO as owner and
//     custodian (finding 5: "owner and custodian not stated").
//   - 4 t ship to Houston and are received there at 3.99 t for USSM:
//     that part is USSM's; the 10 − 4 = 6 t left at Karachi stay FWO's.
//     The rest is weighed at 5.97 t and ships in the container under
//     bill OE-21-2. Both that bill's page and the container's page name
//     FWO, the owner of what shipped (the lot API's body owner), not
//     USSM, the owner the receipt of the other part named (finding 1).
//   - Both pages show the same weight for that voyage: 5.97 t as
//     weighed, re-weighing included, not the container's 10 − 4 = 6 t
//     (finding 2).
func TestShipmentPagesNameThePartsOwner(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fixOeDoc(fixOeCommission...))}); err != nil {
		t.Fatal(err)
	}
	row := fixOeRow(t, ts, fixOeC)
	if strings.Contains(row, "not stated") || !strings.Contains(row, "owner Frontier Works Organization") || !strings.Contains(row, "custodian Frontier Works Organization") {
		t.Errorf("container not yet shipped: row %q, want owner and custodian Frontier Works Organization (the commissioning's)", row)
	}
	for _, ev := range fixOeVoyages {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fixOeDoc(ev))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"urn:critmin:bol:OE-21-2", fixOeC} {
		row := fixOeRow(t, ts, id)
		if strings.Contains(row, "U.S. Strategic Metals") || !strings.Contains(row, "owner Frontier Works Organization") {
			t.Errorf("page %s: row %q, want owner Frontier Works Organization (the 6 t left at Karachi are FWO's), not USSM", id, row)
		}
		// 5,970 kg weighed at Karachi = 5.97 t shipped.
		if !strings.Contains(row, "5.97 t") {
			t.Errorf("page %s: row %q, want 5.97 t shipped (as weighed)", id, row)
		}
	}
	// Received at Houston at 5,940 kg: (5.94 − 5.97) / 5.97 = −0.50 %,
	// −0.03 t, on both pages alike.
	recv := `{"type": "ObjectEvent", "eventID": "urn:t:oe21:r2", "eventTime": "2025-11-25T09:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "epcList": ["` + fixOeC + `"], "quantityList": [{"epcClass": "` + fixOeLot + `", "quantity": 5940, "uom": "KGM"}], "bizLocation": {"id": "` + fixOeHouston + `"}, "readPoint": {"id": "` + fixOeHouston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-21-2"}]}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fixOeDoc(recv))}); err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, id := range []string{"urn:critmin:bol:OE-21-2", fixOeC} {
		rows[id] = fixOeRow(t, ts, id)
		for _, want := range []string{"5.97 t", "5.94 t", "−0.03 t", "−0.50 %"} {
			if !strings.Contains(rows[id], want) {
				t.Errorf("page %s after receipt: row %q, want %q", id, rows[id], want)
			}
		}
	}
	// The container page adds the mass packed (10 − 4 = 6 t) as a note
	// beside the shipped figure; the rest of the row is the bill's.
	const packed = "6 t (6,000 kg) packed; what changed since (an earlier leg, a re-weighing) is not this voyage's loss"
	if !strings.Contains(rows[fixOeC], packed) {
		t.Errorf("container page: row %q, want the note %q", rows[fixOeC], packed)
	}
	if a, b := rows["urn:critmin:bol:OE-21-2"], strings.Replace(rows[fixOeC], packed, "", 1); a != b {
		t.Errorf("the two pages differ for the same voyage:\n bill of lading: %q\n container:      %q", a, b)
	}
}
