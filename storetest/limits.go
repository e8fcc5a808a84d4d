package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// randomURI returns an absolute URI of exactly n bytes whose tail is
// pseudo-random letters and digits, so that PostgreSQL cannot compress it
// under its B-tree row limit.
func randomURI(prefix string, n int, seed uint64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	r := rand.New(rand.NewPCG(seed, seed))
	b := []byte(prefix)
	for len(b) < n {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return string(b)
}

// limitsDoc is a document whose identifiers and names have the lengths
// given: a commissioning ObjectEvent and a TransformationEvent from its
// lot into another, which writes a lot_links row keyed by two lot
// identifiers and an eventID.
func limitsDoc(idLen, nameLen int) (doc string, ids map[string]string) {
	ids = map[string]string{
		"in": randomURI("urn:critmin:lot:in:", idLen, 1), "out": randomURI("urn:critmin:lot:out:", idLen, 2),
		"epc": randomURI("urn:critmin:bag:", idLen, 3), "site": randomURI("urn:critmin:site:", idLen, 4),
		"party": randomURI("urn:critmin:party:", idLen, 5), "bt": randomURI("urn:critmin:bol:", idLen, 6),
		"xform": randomURI("urn:critmin:run:", idLen, 7), "ilmd": randomURI("urn:critmin:note:", idLen, 8),
		"event": randomURI("urn:critmin:event:", nameLen, 9), "btType": randomURI("urn:critmin:bt-type:", nameLen, 10),
		"master": randomURI("urn:critmin:site:", idLen, 11),
	}
	doc = fmt.Sprintf(`{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/ns/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation",
    "vocabularyElementList": [{"id": %q, "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "Long"}]}]}]}},
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
     "epcList": [%q], "quantityList": [{"epcClass": %q, "quantity": 1000000000000, "uom": "KGM"}],
     "readPoint": {"id": %q}, "bizLocation": {"id": %q},
     "sourceList": [{"type": "owning_party", "source": %q}], "bizTransactionList": [{"type": %q, "bizTransaction": %q}],
     "ilmd": {"ex:note": %q}},
    {"type": "TransformationEvent", "eventID": %q, "eventTime": "2025-03-02T10:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": %q,
     "inputQuantityList": [{"epcClass": %q, "quantity": 10, "uom": "KGM"}], "outputQuantityList": [{"epcClass": %q, "quantity": 8, "uom": "KGM"}],
     "bizLocation": {"id": %q}}
  ]}
}`, ids["master"], ids["epc"], ids["in"], ids["site"], ids["site"], ids["party"], ids["btType"], ids["bt"], ids["ilmd"],
		ids["event"], ids["xform"], ids["in"], ids["out"], ids["site"])
	return doc, ids
}

// testLengthLimits: identifiers of exactly the documented limits are
// stored, indexed and found on both backends (PostgreSQL's B-tree rows
// included); one byte more is refused with the field named, and nothing
// is stored.
func testLengthLimits(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	doc, ids := limitsDoc(epcis.MaxIdentifierBytes, epcis.MaxNameBytes)
	MustCapture(t, svc, doc)
	for _, q := range []url.Values{
		{"MATCH_epc": {ids["epc"]}}, {"MATCH_anyEPCClass": {ids["out"]}}, {"EQ_bizLocation": {ids["site"]}}, {"EQ_readPoint": {ids["site"]}},
		{"EQ_source_owning_party": {ids["party"]}}, {"EQ_bizTransaction_" + ids["btType"]: {ids["bt"]}}, {"EQ_transformationID": {ids["xform"]}},
		{"EQ_eventID": {ids["event"]}}, {"EQ_ILMD_https://example.org/ns/note": {ids["ilmd"]}},
	} {
		f, err := epcis.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		page, err := s.FindEvents(ctx, f)
		if err != nil || len(page.Events) == 0 {
			t.Errorf("query %.60s…: %v, %d events", q.Encode(), err, len(page.Events))
		}
	}
	l, err := s.FindLot(ctx, ids["out"])
	if err != nil || len(l.Parents) != 1 || l.Parents[0] != ids["in"] {
		t.Errorf("lot with the longest identifier: %v %+v", err, l)
	}
	for name, over := range map[string][2]int{"identifier": {epcis.MaxIdentifierBytes + 1, epcis.MaxNameBytes}, "name": {epcis.MaxIdentifierBytes, epcis.MaxNameBytes + 1}} {
		s := open(t)
		doc, _ := limitsDoc(over[0], over[1])
		_, err := service(s).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Fatalf("%s one byte over the limit: %v, want EINVALID", name, err)
		}
		fields := critmin.ErrorFields(err)
		if len(fields) == 0 || !strings.Contains(fields[0].Reason, "limit") {
			t.Errorf("%s over the limit: fields %+v", name, fields)
		}
		if n, _ := s.CountEvents(ctx); n != 0 {
			t.Errorf("%s over the limit: %d events stored", name, n)
		}
	}
}

// numberDoc is one commissioning event with a quantity, moisture and
// assay value as given (JSON text).
func numberDoc(quantity, moisture, assay string) string {
	return `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
     "quantityList": [{"epcClass": "urn:critmin:lot:n-1", "quantity": ` + quantity + `, "uom": "TNE"}],
     "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": ` + moisture + `,
              "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": ` + assay + `, "cm:unit": "ppm", "cm:basis": "dry"}]}}
  ]}
}`
}

// testNumbersCannotPoison: every quantity, moisture and assay value is
// finite and in its documented range, or the capture is refused naming
// the field, and nothing is stored; the values at the limits are kept
// exactly.
func testNumbersCannotPoison(t *testing.T, open Opener) {
	ctx := context.Background()
	for _, c := range []struct {
		name, quantity, moisture, assay, pointer string
	}{
		{"quantity that overflows", "1e400", "0.08", "100", "/epcisBody/eventList/0/quantityList/0/quantity"},
		{"quantity of 1.7e308", "1.7e308", "0.08", "100", "/epcisBody/eventList/0/quantityList/0/quantity"},
		{"negative quantity", "-1", "0.08", "100", "/epcisBody/eventList/0/quantityList/0/quantity"},
		{"moisture of 1", "10", "1", "100", "/epcisBody/eventList/0/ilmd/cm:moisture"},
		{"negative moisture", "10", "-0.01", "100", "/epcisBody/eventList/0/ilmd/cm:moisture"},
		{"moisture that overflows", "10", "1e400", "100", "/epcisBody/eventList/0/ilmd/cm:moisture"},
		{"assay over 100 %", "10", "0.08", "1000001", "/epcisBody/eventList/0/ilmd/cm:assay/0/cm:value"},
		{"assay that overflows", "10", "0.08", "1e400", "/epcisBody/eventList/0/ilmd/cm:assay/0/cm:value"},
		{"negative assay", "10", "0.08", "-5", "/epcisBody/eventList/0/ilmd/cm:assay/0/cm:value"},
		// 1e9 t is 1e12 kg, the mass limit (units.MaxMassKg); one tonne
		// more is over it whatever the unit.
		{"quantity over the mass limit", "1000000001", "0.08", "100", "/epcisBody/eventList/0/quantityList/0/quantity"},
	} {
		s := open(t)
		_, err := service(s).Capture(ctx, ledger.CaptureRequest{Body: []byte(numberDoc(c.quantity, c.moisture, c.assay))})
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: %v, want EINVALID", c.name, err)
			continue
		}
		if f := critmin.ErrorFields(err); len(f) == 0 || f[0].Pointer != c.pointer {
			t.Errorf("%s: fields %+v, want %s", c.name, f, c.pointer)
		}
		if n, _ := s.CountEvents(ctx); n != 0 {
			t.Errorf("%s: %d events stored", c.name, n)
		}
	}
	// At the limits: 1e9 t (= 1e12 kg, units.MaxMassKg), moisture
	// 0.999999, 1,000,000 ppm.
	s := open(t)
	MustCapture(t, service(s), numberDoc("1e9", "0.999999", "1000000"))
	l, err := s.FindLot(ctx, "urn:critmin:lot:n-1")
	if err != nil {
		t.Fatal(err)
	}
	if l.Quantity != 1e9 || l.Moisture == nil || *l.Moisture != 0.999999 || len(l.Assays) != 1 || l.Assays[0].Value != 1e6 {
		t.Errorf("lot at the limits: %+v", l)
	}
}

// testTextCannotCollide: invalid UTF-8, lone UTF-16 surrogates and NUL
// characters are refused, so that two different identifiers can never be
// stored as one.
func testTextCannotCollide(t *testing.T, open Opener) {
	ctx := context.Background()
	doc := func(epc string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
  "creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z",
  "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["` + epc + `"]}]}}`
	}
	for name, epc := range map[string]string{
		"invalid UTF-8 (0xFF)":  "urn:critmin:bag:A\xffB",
		"invalid UTF-8 (0xFE)":  "urn:critmin:bag:A\xfeB",
		"lone high surrogate":   `urn:critmin:bag:A\ud800B`,
		"lone low surrogate":    `urn:critmin:bag:A\udc00B`,
		"NUL character":         `urn:critmin:bag:A\u0000B`,
		"NUL byte in a literal": "urn:critmin:bag:A\x00B",
	} {
		s := open(t)
		_, err := service(s).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(epc))})
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
		if n, _ := s.CountEvents(ctx); n != 0 {
			t.Errorf("%s: %d events stored", name, n)
		}
	}
	// A surrogate pair, a percent-encoded backslash before "u" (a raw
	// backslash is not allowed in a URI, RFC 3986 §2) and non-ASCII
	// letters are text like any other.
	s := open(t)
	for _, epc := range []string{`urn:critmin:bag:\ud83d\ude00`, `urn:critmin:bag:A%5Cud800`, "urn:critmin:bag:Bālochistān"} {
		MustCapture(t, service(s), doc(epc))
	}
	if n, _ := s.CountEvents(ctx); n != 3 {
		t.Errorf("%d events stored, want 3", n)
	}
}
