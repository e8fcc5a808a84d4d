package cli_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestLotTraceRunTakingNothing (issue 15, fix15za item 1): lots Z-A and
// Z-B, 10 t each, commissioned at refinery R owned and held by A. Run ZR
// at R takes 2,000 kg of each naming X as its source owning_party, and
// makes 500 kg of oxide Z-OX. X holds nothing at R (A's bodies stand
// there): the run takes nothing of either (ledger.NamedAbsent; Z-A
// stays 10 t), yet `lot trace` printed Z-A → Z-OX "(2000 KGM)" (now "(2,000 KGM)", thousands grouped, fix15zi) as a
// feed. It now says the run took 0 t of it and why, as the lot page's
// graph does. Capture refuses such a run (409): the store is written by
// a ledger without the capture check, as one written before fix15t's
// refusal holds it.
func TestLotTraceRunTakingNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	env := map[string]string{"CRITMIN_DB": path}
	commission := func(id, lot string, kgs int) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:za:ev:` + id + `", "eventTime": "2026-11-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:t:za:lot:` + lot + `", "quantity": ` + strconv.Itoa(kgs) + `, "uom": "KGM"}], "bizLocation": {"id": "urn:t:za:site:R"},
  "destinationList": [{"type": "owning_party", "destination": "urn:t:za:party:A"}, {"type": "possessing_party", "destination": "urn:t:za:party:A"}],
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2026-11-20T00:00:00Z", "epcisBody": {"eventList": [` + commission("ca", "Z-A", 10000) + `, ` + commission("cb", "Z-B", 10000) + `,
 {"type": "TransformationEvent", "eventID": "urn:t:za:ev:run", "eventTime": "2026-11-02T10:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "disposition": "active",
  "transformationID": "urn:t:za:run:ZR", "sourceList": [{"type": "owning_party", "source": "urn:t:za:party:X"}], "bizLocation": {"id": "urn:t:za:site:R"},
  "inputQuantityList": [{"epcClass": "urn:t:za:lot:Z-A", "quantity": 2000, "uom": "KGM"}, {"epcClass": "urn:t:za:lot:Z-B", "quantity": 2000, "uom": "KGM"}],
  "outputQuantityList": [{"epcClass": "urn:t:za:lot:Z-OX", "quantity": 500, "uom": "KGM"}],
  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}}]}}`
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	out, _, err := run(t, env, "lot", "trace", "urn:t:za:lot:Z-OX")
	if err != nil {
		t.Fatal(err)
	}
	for _, lot := range []string{"Z-A", "Z-B"} {
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "urn:t:za:lot:"+lot+" → ") {
				line = l
			}
		}
		if !strings.Contains(line, "(2,000 KGM) took 0 t: it named urn:t:za:party:X as its source party, who held nothing of the lot at urn:t:za:site:R then") {
			t.Errorf("%s's line %q does not say the run took 0 t of it and why; trace:\n%s", lot, line, out)
		}
	}
}
