package ledger_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestWaterByOtherIdentifiers: moisture sent as a MassConcentration of
// water named by InChIKey, CAS or ChEBI is read as moisture with the
// checks of …/analyte/H2O (nu8f item 4): 100 % is refused at the value as
// H2O's is, and 8 % sets the lot's moisture — 10 t wet × (1 − 0.08) =
// 9.2 t dry. A MassConcentration of a substance critmin does not read, on
// an event describing a lot, is refused naming its chemicalSubstance,
// never dropped; on an event naming no lot it is a reading of something
// else and is kept.
func TestWaterByOtherIdentifiers(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	doc := func(target, substance, value string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00",
    ` + target + `, "action": "OBSERVE", "bizStep": "inspecting",
    "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "` + substance + `", "value": ` + value + `, "uom": "P1", "cm:basis": "dry"}]}]}]}}`
	}
	const lot = "urn:critmin:test:lot:W1"
	onLot := `"quantityList": [{"epcClass": "` + lot + `", "quantity": 10, "uom": "TNE"}]`
	refused := func(body, field, reason string) {
		t.Helper()
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(body), Behaviour: critmin.BehaviourRollback})
		var e *critmin.Error
		if !errors.As(err, &e) || len(e.Fields) == 0 || !strings.HasSuffix(e.Fields[0].Pointer, field) || !strings.Contains(e.Fields[0].Reason, reason) {
			t.Errorf("want a refusal at …%s (%s); got %v", field, reason, err)
		}
	}
	for _, water := range []string{
		"https://identifiers.org/inchikey:XLYOFNOQVPJJNP-UHFFFAOYSA-N",
		"https://identifiers.org/cas:7732-18-5",
		"http://purl.obolibrary.org/obo/CHEBI_15377",
		"https://ns.critmin.org/mineral/v1/analyte/H2O",
	} {
		refused(doc(onLot, water, "100"), "/value", "moisture must be a fraction")
		// fix9d item 4: a wrong unit is named at uom, not at the value.
		for _, u := range []string{"KGM", "E40"} {
			refused(strings.Replace(doc(onLot, water, "8"), `"uom": "P1"`, `"uom": "`+u+`"`, 1), "/uom", `"`+u+`" is not a unit of moisture`)
		}
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(onLot, water, "8")), Behaviour: critmin.BehaviourRollback}); err != nil {
			t.Fatalf("%s 8 %%: %v", water, err)
		}
		l, err := store.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		if l.Moisture == nil || math.Abs(*l.Moisture-0.08) > 1e-12 || math.Abs(l.DryTonnes-9.2) > 1e-9 {
			t.Errorf("%s: moisture %v, dry %v t; want 0.08 and 9.2 t", water, l.Moisture, l.DryTonnes)
		}
	}
	refused(doc(onLot, "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N", "3"), "/chemicalSubstance", "is not an analyte critmin reads")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(`"epcList": ["urn:epc:id:sgtin:4012345.011111.1"]`, "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N", "3"))}); err != nil {
		t.Errorf("a reading of another substance on no lot: %v", err)
	}
}
