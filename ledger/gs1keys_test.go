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

// TestEveryGS1KeyAndHeaderErrorAtOnce: one document with a bad
// creationDate, a master-data element whose GLN has a wrong check digit,
// and GS1 keys with wrong check digits (or malformed EPC URNs) in every
// identifier field of three events is refused with every one of those
// errors at once, each at its JSON pointer; the valid identifiers beside
// them are not reported, and nothing is stored.
//
// The check digits (GS1 General Specifications §7.9.1: weights 3, 1, 3, …
// from the rightmost digit; the check digit makes the sum a multiple of 10):
//   - GLN 401234500008: 8·3+0+0+0+0+5·1+4·3+3·1+2·3+1·1+0+4·1 = 55 → 5, so
//     4012345000085 is right and …0084 wrong (also the GDTI document type
//     and the GRAI asset type 401234500008|5 below);
//   - GTIN 0950600013435: 5·3+3+4·3+3+1·3+0+0+0+6·3+0+5·3+9+0 = 78 → 2, so
//     09506000134352 is right and 09506000134350 wrong;
//   - SSCC 10614141000012345: 5·3+4+3·3+2+1·3+0+0+0+0+1·3+4+1·3+4+1·3+6+0+1·3
//     = 81 → 9, so 106141410000123459 is right and …450 wrong;
//   - GSRN 40123451234567890: 0+9+8·3+7+6·3+5+4·3+3+2·3+1+5·3+4+3·3+2+1·3+0+4·3
//     = 130 → 0, so 401234512345678900 is right and …901 wrong;
//   - urn:epc:id:sgtin:0614141.10734.1 has 7 + 5 = 12 digits of company
//     prefix and indicator/item reference, a GTIN needs 13; the SGLN
//     4012345.0008 has 7 + 4 = 11, a GLN needs 12.
func TestEveryGS1KeyAndHeaderErrorAtOnce(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-13-45T00:00:00Z",
  "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation",
    "vocabularyElementList": [{"id": "https://id.gs1.org/414/4012345000084"}, {"id": "https://id.gs1.org/414/4012345000085"}]}]}},
  "epcisBody": {"eventList": [
   {"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
    "epcList": ["https://id.gs1.org/01/09506000134350/21/1", "urn:epc:id:sgtin:0614141.107346.2017"],
    "quantityList": [{"epcClass": "https://id.gs1.org/01/09506000134350/10/L1", "quantity": 1, "uom": "TNE"}],
    "readPoint": {"id": "https://id.gs1.org/414/4012345000085"},
    "sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/4012345000084"}],
    "destinationList": [{"type": "location", "destination": "urn:epc:id:sgln:4012345.0008.0"}],
    "bizTransactionList": [{"type": "po", "bizTransaction": "https://id.gs1.org/253/4012345000084PO1"}]},
   {"type": "AggregationEvent", "eventTime": "2025-03-01T11:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
    "parentID": "https://id.gs1.org/00/106141410000123450",
    "childEPCs": ["urn:epc:id:sgtin:0614141.10734.1", "https://id.gs1.org/8003/04012345000084X", "https://id.gs1.org/01/09506000134352/21/7"]},
   {"type": "TransformationEvent", "eventTime": "2025-03-01T12:00:00Z", "eventTimeZoneOffset": "+00:00",
    "transformationID": "https://id.gs1.org/253/4012345000084T1",
    "inputEPCList": ["https://id.gs1.org/01/09506000134350/21/2"], "outputEPCList": ["https://id.gs1.org/8018/401234512345678901"]}]}}`
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc), Behaviour: critmin.BehaviourRollback})
	var e *critmin.Error
	if !errors.As(err, &e) || e.Code != critmin.EINVALID {
		t.Fatalf("capture: %v, want EINVALID", err)
	}
	got := map[string]string{}
	for _, f := range e.Fields {
		got[f.Pointer] = f.Reason
	}
	const ev = "/epcisBody/eventList/"
	want := map[string]string{
		"/creationDate": "",
		"/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/id": "needs 5",
		ev + "0/epcList/0":                           "needs 2",
		ev + "0/quantityList/0/epcClass":             "needs 2",
		ev + "0/sourceList/0/source":                 "needs 5",
		ev + "0/destinationList/0/destination":       "Tag Data Standard",
		ev + "0/bizTransactionList/0/bizTransaction": "needs 5",
		ev + "1/parentID":                            "needs 9",
		ev + "1/childEPCs/0":                         "Tag Data Standard",
		ev + "1/childEPCs/1":                         "needs 5",
		ev + "2/transformationID":                    "needs 5",
		ev + "2/inputEPCList/0":                      "needs 2",
		ev + "2/outputEPCList/0":                     "needs 0",
	}
	for p, sub := range want {
		r, ok := got[p]
		if !ok {
			t.Errorf("no error at %s: %v", p, e.Fields)
		} else if !strings.Contains(r, sub) {
			t.Errorf("%s: %q, want it to say %q", p, r, sub)
		}
	}
	for _, p := range []string{"/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/1/id", ev + "0/epcList/1", ev + "0/readPoint/id", ev + "1/childEPCs/2"} {
		if r, ok := got[p]; ok {
			t.Errorf("valid identifier refused at %s: %s", p, r)
		}
	}
	if n, err := store.CountEvents(ctx); err != nil || n != 0 {
		t.Errorf("%d events stored (%v)", n, err)
	}
	// The preview (Service.Validate) reports the same errors at once.
	_, verr := svc.Validate(ctx, []byte(doc))
	vf := map[string]bool{}
	for _, f := range critmin.ErrorFields(verr) {
		vf[f.Pointer] = true
	}
	for p := range want {
		if !vf[p] {
			t.Errorf("Validate: no error at %s", p)
		}
	}

	// The same faults in an XML capture are reported at the element
	// (the identifier of a <source> is its text).
	xdoc := `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-13-45T00:00:00Z">
<EPCISBody><EventList><ObjectEvent><eventTime>2025-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
<epcList><epc>https://id.gs1.org/01/09506000134350/21/1</epc></epcList><action>OBSERVE</action>
<sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">https://id.gs1.org/417/4012345000084</source></sourceList>
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(xdoc), XML: true})
	xf := map[string]string{}
	for _, f := range critmin.ErrorFields(err) {
		xf[f.Pointer] = f.Reason
	}
	const xev = "/EPCISDocument/EPCISBody/EventList/ObjectEvent"
	for p, sub := range map[string]string{"/EPCISDocument/@creationDate": "creationDate", xev + "/epcList/epc": "needs 2", xev + "/sourceList/source": "needs 5"} {
		if !strings.Contains(xf[p], sub) {
			t.Errorf("XML capture: %s: %q, want it to say %q (all: %v)", p, xf[p], sub, xf)
		}
	}
}
