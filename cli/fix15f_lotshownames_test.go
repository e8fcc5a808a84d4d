package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis/epcistest"
)

// TestLotShowNamesSitesAndHoldings (issue 15, fix15f item 2): `critmin
// lot show` names sites and parties as the lot page does — by their
// master-data name (cbv:mda#name), the identifier beside it — and splits
// what stands at a site by party (ledger.SiteStanding.Holdings), as the
// page's Remaining line does; it printed the URNs alone and no holdings.
//
// Lot L1, 30 t at MINE (Mine M) owned and held by FWO; 10 t ship under
// B/L A to HOU (Port of Houston), the rest, 30 − 10 = 20 t, under B/L B.
// A is received at 9,900 kg for Buyer One, B at 18,900 kg for Buyer Two
// (owning_party only: FWO keeps custody). HOU holds 18.9 + 9.9 = 28.8 t:
// 18.9 t owned by Buyer Two, 9.9 t owned by Buyer One, both held by FWO.
// A site with no name in master data (urn:t15f:site:NONAME, nowhere here)
// would read as its identifier alone.
func TestLotShowNamesSitesAndHoldings(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	f := filepath.Join(dir, "l1.jsonld")
	const lot, mine, hou = "urn:t15f:lot:L1", "urn:t15f:site:MINE", "urn:t15f:site:HOU"
	const fwo, buy1, buy2 = "urn:t15f:party:FWO", "urn:t15f:party:BUY1", "urn:t15f:party:BUY2"
	ev := func(id, at, step, body string) string { return epcistest.Object("urn:t15f:ev:"+id, at, step, body) }
	bol := func(b string) string { return epcistest.BOL("urn:t15f:bol:" + b) }
	doc := epcistest.Document([]string{epcistest.Named(mine, "Mine M"), epcistest.Named(hou, "Port of Houston")},
		[]string{epcistest.Named(fwo, "Frontier Works"), epcistest.Named(buy1, "Buyer One"), epcistest.Named(buy2, "Buyer Two")}, `{"type": "ObjectEvent", "eventID": "urn:t15f:ev:c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "`+lot+`", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"},
  "destinationList": [{"type": "owning_party", "destination": "`+fwo+`"}, {"type": "possessing_party", "destination": "`+fwo+`"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`,
		ev("sa", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+hou+`"}], `+bol("A")),
		ev("sb", "2025-10-03T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+hou+`"}], `+bol("B")),
		ev("ra", "2025-10-20T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 9900, "uom": "KGM"}], "bizLocation": {"id": "`+hou+`"}, "destinationList": [{"type": "owning_party", "destination": "`+buy1+`"}], `+bol("A")),
		ev("rb", "2025-10-21T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 18900, "uom": "KGM"}], "bizLocation": {"id": "`+hou+`"}, "destinationList": [{"type": "owning_party", "destination": "`+buy2+`"}], `+bol("B")))
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
	for _, want := range []string{
		"Remaining 28.800 wmt, 28.800 dmt at Port of Houston (" + hou + ") (the lot's body and a received part): 18.900 wmt owned by Buyer Two (" + buy2 + "), held by Frontier Works (" + fwo + "); 9.900 wmt owned by Buyer One (" + buy1 + "), held by Frontier Works (" + fwo + ")",
		"Part received: 10.000 wmt shipped from Mine M (" + mine + ") to Port of Houston (" + hou + ")",
		"owner Buyer One (" + buy1 + "), custodian Frontier Works (" + fwo + ")",
		"Location Port of Houston (" + hou + ")",
		"Owner at Port of Houston (" + hou + "): Buyer Two (" + buy2 + ") 18.900 wmt, Buyer One (" + buy1 + ") 9.900 wmt",
		"Custodian Frontier Works (" + fwo + ")",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}
