package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// pageText is a page's text as a person reads it: tags, scripts and
// styles dropped, entities decoded, spaces collapsed.
func pageText(page string) string {
	page = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`).ReplaceAllString(page, " ")
	page = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}

// unreadableNumber is a figure no person reads: a run of five or more
// digits not grouped by thousands (and not a fraction's digits, nor part
// of an identifier), or Go's exponent form ("1e+299", "1e-07").
var unreadableNumber = regexp.MustCompile(`(^|[\s(])\d{5,}([\s).,]|$)|\d[eE][+-]\d`)

// TestShipmentOwnerAndTinyQuantity (issue 15, fix15zi): the vessel's
// shipment page (demo B/L BQM-HOU-2025-1112) showed "—" under Owners for
// a lot shipped whole whose lot names its owner, because the shipping
// event named no owning party; and a quantity of 1e-300 kg was echoed on
// the event page as "0." and three hundred zeros.
//
// Lot W, 20 t owned by FWO at MINE, ships whole (20,000 kg) under B/L W
// naming no party: its row names owner FWO. Lot Z, 1e-300 kg: the event
// page shows 1 × 10⁻³⁰⁰ kg.
func TestShipmentOwnerAndTinyQuantity(t *testing.T) {
	ts := MustServe(t, false, nil)
	const mine, hou = "urn:t:site:MINE", "urn:t:site:HOU"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:ev:cw", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
  "sourceList": [{"type": "owning_party", "source": "urn:t:party:FWO"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:FWO"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}},
 {"type": "ObjectEvent", "eventID": "urn:t:ev:sw", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
  "destinationList": [{"type": "location", "destination": "` + hou + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:W"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:ev:cv", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:V", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
  "destinationList": [{"type": "owning_party", "destination": "urn:t:party:FWO"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}},
 {"type": "ObjectEvent", "eventID": "urn:t:ev:sv", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:V", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
  "destinationList": [{"type": "location", "destination": "` + hou + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:V"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:ev:rv", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:t:lot:V", "quantity": 10000, "uom": "KGM"}], "readPoint": {"id": "` + hou + `"}, "bizLocation": {"id": "` + hou + `"},
  "sourceList": [{"type": "owning_party", "source": "urn:t:party:FWO"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:USSM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:V"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:ev:cz", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 1e-300, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}]}}`
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:W"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	cell := regexp.MustCompile(`(?s)class="shipment-parties">(.*?)</td>`).FindStringSubmatch(string(b))
	if cell == nil {
		t.Fatalf("shipment page lacks the parties cell:\n%s", b)
	}
	if c := pageText(cell[1]); !strings.HasPrefix(c, "owner ") || !strings.Contains(c, "FWO") {
		t.Errorf("shipment page parties %q; want owner FWO (the lot's owner: the shipping named none)", c)
	}
	if m := unreadableNumber.FindString(pageText(string(b))); m != "" {
		t.Errorf("shipment page shows %q", m)
	}
	// Lot V, owned by FWO from its commissioning, ships whole under B/L V
	// naming no party and is sold to USSM on its receipt at HOU: the
	// shipment's row names FWO, its owner as it left — not USSM, its
	// owner now (ownerAtShipping).
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:V"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	cell = regexp.MustCompile(`(?s)class="shipment-parties">(.*?)</td>`).FindStringSubmatch(string(b))
	if cell == nil {
		t.Fatalf("shipment page of B/L V lacks the parties cell:\n%s", b)
	}
	if c := pageText(cell[1]); !strings.Contains(c, "FWO") || strings.Contains(c, "USSM") {
		t.Errorf("shipment page of B/L V parties %q; want owner FWO (its owner as it left), not USSM (its owner since the receipt)", c)
	}
	_, b = do(t, "GET", ts.URL+"/events/"+url.PathEscape("urn:t:ev:cz"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	text := pageText(string(b))
	if strings.Contains(text, "0000000000") || !strings.Contains(text, "1 × 10⁻³⁰⁰ kg") {
		t.Errorf("event page of 1e-300 kg: want 1 × 10⁻³⁰⁰ kg, no run of zeros:\n%.3000s", text)
	}
	if m := unreadableNumber.FindString(text); m != "" {
		t.Errorf("event page shows %q", m)
	}
}
