package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestLotShowAssayBasisAsLotPage (issue 9, new-user check 7): critmin lot
// show words an assay's basis as the lot page does. Lot X, 10 t at 10 %
// moisture: Nd 4.5 % as received → dry grade 4.5 ÷ (1 − 0.10) = 5 %; Pr
// 1 % without cm:basis → "basis not stated, read as dry" (not "(dry)").
// Capture refuses an assay without cm:basis since issue 9 (naming its
// cm:basis, nothing stored): lot X is one stored before, in an older
// store.
func TestLotShowAssayBasisAsLotPage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:X0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:X", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:m"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.1, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4.5, "cm:unit": "%", "cm:basis": "as_received"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%"}]}}]}}`
	f := filepath.Join(dir, "x.json")
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": db}
	if _, _, err := run(t, env, "capture", f); err == nil || !strings.Contains(err.Error(), "/ilmd/cm:assay/1/cm:basis: missing (required): state dry or as-received") {
		t.Errorf("capture of an assay without cm:basis: %v, want refused naming /ilmd/cm:assay/1/cm:basis", err)
	}
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustStoreUnchecked(t, store, doc)
	store.Close()
	out, _, err := run(t, env, "lot", "show", "urn:t:lot:X")
	if err != nil {
		t.Fatal(err)
	}
	flat := regexp.MustCompile(`[ \t]+`).ReplaceAllString(out, " ")
	for _, want := range []string{"Assay Nd 4.5 % (as_received, dry grade 5 %)", "Assay Pr 1 % (basis not stated, read as dry)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("lot show lacks %q:\n%s", want, out)
		}
	}
}
