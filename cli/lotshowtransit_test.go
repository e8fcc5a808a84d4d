package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis/epcistest"
)

// TestLotShowTransitIsTheBodys (issue 15, nu15b): `critmin lot show`
// reads a lot in transit where its body is going, as the lot page and
// the lot API do (ledger.BodyShipment), never a part's shipment.
//
// Lot T1, 20 t at MINE: 5 t ship under B/L A to PORT Q and are received
// there (a part); the rest, the body, 20 − 5 = 15 t, ships from MINE
// to PORT K with no quantity under B/L B; then 2 t of the part at Q ship
// on to MINE under B/L C, the latest shipping event. The lot is in
// transit from MINE to K under B, not from Q to MINE under C.
func TestLotShowTransitIsTheBodys(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	f := filepath.Join(dir, "t1.jsonld")
	const lot, mine, k, q = "urn:tnu15b:lot:T1", "urn:tnu15b:site:MINE", "urn:tnu15b:site:K", "urn:tnu15b:site:Q"
	ev := func(id, at, step, body string) string { return epcistest.Object("urn:tnu15b:ev:"+id, at, step, body) }
	move := func(kgs, from, to, bol string) string {
		qty := `"quantityList": [{"epcClass": "` + lot + `"}]`
		if kgs != "" {
			qty = `"quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kgs + `, "uom": "KGM"}]`
		}
		dest := ""
		if to != "" {
			dest = `"disposition": "in_transit", "destinationList": [{"type": "location", "destination": "` + to + `"}], `
		}
		return qty + `, "bizLocation": {"id": "` + from + `"}, ` + dest + epcistest.BOL("urn:tnu15b:bol:"+bol)
	}
	doc := epcistest.Document([]string{epcistest.Named(mine, "Mine M")}, nil,
		`{"type": "ObjectEvent", "eventID": "urn:tnu15b:ev:c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`,
		ev("sa", "2025-10-02T00:00:00Z", "shipping", move("5000", mine, q, "A")),
		ev("ra", "2025-10-03T00:00:00Z", "receiving", move("5000", q, "", "A")),
		ev("sb", "2025-10-04T00:00:00Z", "shipping", move("", mine, k, "B")),
		ev("sc", "2025-10-05T00:00:00Z", "shipping", move("2000", q, mine, "C")))
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "capture", "--db", db, f); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "lot", "show", "--db", db, lot)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	if want := "Location in transit from " + mine + " to " + k + " (B/L urn:tnu15b:bol:B)"; !strings.Contains(flat, want) {
		t.Errorf("lot show lacks %q (the body's shipment, not C, a part's):\n%s", want, out)
	}
}
