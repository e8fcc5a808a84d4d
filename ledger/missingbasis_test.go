package ledger_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestAssayWithoutBasisRefused (issue 9, "Bad input": an assay whose basis
// is unknown): a new assay without cm:basis — in the ILMD of a
// commissioning or as a MassConcentration sensor report — is refused
// (EINVALID) at the assay's cm:basis, saying to state dry or as-received,
// and nothing is stored, under rollback and under proceed. A moisture
// report (H2O) needs no basis, and an assay stating one is captured. An
// event stored before the refusal still decodes (ledger.DecodeStored):
// its assay is read as dry and marked BasisNotStated.
func TestAssayWithoutBasisRefused(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": [`
	commission := func(lot, basis string) string {
		return head + `{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00",
    "quantityList": [{"epcClass": "` + lot + `", "quantity": 10, "uom": "TNE"}], "action": "ADD", "bizStep": "commissioning",
    "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%"` + basis + `}]}}]}}`
	}
	report := func(lot, basis string) string {
		return head + `{"type": "ObjectEvent", "eventTime": "2025-03-02T10:00:00Z", "eventTimeZoneOffset": "+05:00",
    "quantityList": [{"epcClass": "` + lot + `"}], "action": "OBSERVE", "bizStep": "inspecting",
    "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 8, "uom": "P1"},
      {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 1, "uom": "P1"` + basis + `}]}]}]}}`
	}
	const lot = "urn:critmin:test:lot:B1"
	for _, tc := range []struct{ name, body, field string }{
		{"ilmd assay", commission(lot, ""), "/epcisBody/eventList/0/ilmd/cm:assay/0/cm:basis"},
		{"sensor report", report(lot, ""), "/epcisBody/eventList/0/sensorElementList/0/sensorReport/1/cm:basis"},
	} {
		for _, behaviour := range []string{critmin.BehaviourRollback, critmin.BehaviourProceed} {
			job, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(tc.body), Behaviour: behaviour})
			var fields []critmin.FieldError
			var e *critmin.Error
			switch {
			case errors.As(err, &e):
				if e.Code != critmin.EINVALID {
					t.Errorf("%s, %s: code %s, want %s", tc.name, behaviour, e.Code, critmin.EINVALID)
				}
				fields = e.Fields
			case err == nil && job.Stored == 0:
				for _, ce := range job.Errors {
					fields = append(fields, critmin.FieldError{Pointer: ce.Pointer, Reason: ce.Detail})
				}
			default:
				t.Fatalf("%s, %s: stored (%v): want a refusal", tc.name, behaviour, err)
			}
			if len(fields) != 1 || fields[0].Pointer != tc.field || !strings.Contains(fields[0].Reason, "state dry or as-received") {
				t.Errorf("%s, %s: fields %+v, want one at %s saying to state dry or as-received", tc.name, behaviour, fields, tc.field)
			}
		}
	}
	if _, err := store.FindLot(ctx, lot); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("refused commissioning stored lot %s: %v", lot, err)
	}
	// Stated: captured, the moisture report (H2O) needing no basis.
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(commission(lot, `, "cm:basis": "dry"`)), Behaviour: critmin.BehaviourRollback}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(report(lot, `, "cm:basis": "as_received"`)), Behaviour: critmin.BehaviourRollback}); err != nil {
		t.Fatal(err)
	}
	// A stored event without a basis (a store written before the
	// refusal) still decodes, read as dry and marked.
	raw := `{"type": "ObjectEvent", "eventID": "urn:t:ev:old", "recordTime": "2025-03-01T10:00:01Z", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00",
    "quantityList": [{"epcClass": "urn:t:lot:old", "quantity": 10, "uom": "TNE"}], "action": "ADD", "bizStep": "commissioning",
    "ilmd": {"cm:commodity": "ree_concentrate", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%"}]}}`
	ev, err := ledger.DecodeStored([]byte(raw), []byte(`["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if as := ev.Mineral.Assays; len(as) != 1 || as[0].Basis != "dry" || !as[0].BasisNotStated {
		t.Errorf("stored assay without basis read as %+v, want dry, basis not stated", as)
	}
}
