package ledger_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// captureOne captures one event (JSON members of the event, after type)
// and returns the error.
func captureOne(t *testing.T, event string) (critmin.Store, error) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := ledger.NewService(store)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [` + event + `]}}`
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc), Behaviour: critmin.BehaviourRollback})
	return store, err
}

// TestRepeatedLotRefused (fix15d item 1): a list naming one lot or one
// instance twice is refused at the second line, naming both pointers, and
// nothing is stored — the projections key a lot's part by lot and would
// keep one line's figure (10 t of 10 t + 9.9 t), never the sum. The URN
// urn:epc:class:lgtin:4012345.011111.LOT-C and the Digital Link
// https://id.gs1.org/01/04012345111118/10/LOT-C are one lot: GTIN digits
// 0401234511111 weighted 3,1,3,… from the right: 3·1+1+3·1+1+3·1+5+3·4+3
// +3·2+1+3·0+4+3·0 = 42, check digit 50 − 42 = 8 (04012345111118); the
// test also asserts that epcis.Canonical gives both one form. The
// JSON schema already refuses two equal strings in an EPC list
// (uniqueItems); two spellings of one instance are refused here.
func TestRepeatedLotRefused(t *testing.T) {
	urn, dl := "urn:epc:class:lgtin:4012345.011111.LOT-C", "https://id.gs1.org/01/04012345111118/10/LOT-C"
	if epcis.Canonical(urn) != epcis.Canonical(dl) {
		t.Fatalf("Canonical(%s) = %s, Canonical(%s) = %s: not one lot", urn, epcis.Canonical(urn), dl, epcis.Canonical(dl))
	}
	const obs = `"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", `
	for _, c := range []struct {
		name, event, ptr string
		want             []string
	}{
		{"one URN twice in a quantityList", `{` + obs + `"quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-010", "quantity": 10000, "uom": "KGM"}, {"epcClass": "urn:critmin:demo:lot:REE-2025-010", "quantity": 9900, "uom": "KGM"}]}`,
			"/epcisBody/eventList/0/quantityList/1/epcClass", []string{"/epcisBody/eventList/0/quantityList/0/epcClass", "/epcisBody/eventList/0/quantityList/1/epcClass", "state one line per lot"}},
		{"URN and Digital Link of one lot", `{` + obs + `"quantityList": [{"epcClass": "` + urn + `", "quantity": 500, "uom": "KGM"}, {"epcClass": "` + dl + `", "quantity": 500, "uom": "KGM"}]}`,
			"/epcisBody/eventList/0/quantityList/1/epcClass", []string{"state one line per lot", epcis.Canonical(urn)}},
		{"one instance twice in an epcList", `{` + obs + `"epcList": ["urn:epc:id:sgtin:4012345.011111.1", "https://id.gs1.org/01/04012345111118/21/1"]}`,
			"/epcisBody/eventList/0/epcList/1", []string{"first at /epcisBody/eventList/0/epcList/0", "state each instance once"}},
		{"one instance twice in childEPCs", `{"type": "AggregationEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "packing", "parentID": "urn:critmin:demo:container:C1",
			"childEPCs": ["https://id.gs1.org/01/04012345111118/21/7", "urn:epc:id:sgtin:4012345.011111.7"]}`,
			"/epcisBody/eventList/0/childEPCs/1", []string{"state each instance once"}},
	} {
		store, err := captureOne(t, c.event)
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: %v, want EINVALID", c.name, err)
			continue
		}
		var reason string
		for _, f := range critmin.ErrorFields(err) {
			if f.Pointer == c.ptr {
				reason = f.Reason
			}
		}
		for _, w := range c.want {
			if !strings.Contains(reason, w) {
				t.Errorf("%s: reason at %s is %q, want it to contain %q (fields %+v)", c.name, c.ptr, reason, w, critmin.ErrorFields(err))
			}
		}
		if n, err := store.CountEvents(context.Background()); err != nil || n != 0 {
			t.Errorf("%s: %d events stored (%v)", c.name, n, err)
		}
	}
	// Two different lots, and one lot once in each of two lists, are taken.
	for _, ok := range []string{
		`{` + obs + `"quantityList": [{"epcClass": "urn:critmin:demo:lot:A", "quantity": 1, "uom": "TNE"}, {"epcClass": "urn:critmin:demo:lot:B", "quantity": 1, "uom": "TNE"}]}`,
		`{` + obs + `"epcList": ["urn:critmin:demo:container:C1"], "quantityList": [{"epcClass": "urn:critmin:demo:container:C1", "quantity": 1, "uom": "TNE"}]}`,
	} {
		if _, err := captureOne(t, ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestIdentifierNotAURIRefused (fix15d item 2): an identifier holding a
// character RFC 3986 allows nowhere in a URI (a space, ", <, >, \, ^, `,
// {, |, }, a control character) is refused naming its field, in every
// identifier field; nothing is stored.
func TestIdentifierNotAURIRefused(t *testing.T) {
	const head = `"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping"`
	const lot = `"quantityList": [{"epcClass": "urn:critmin:demo:lot:A", "quantity": 1, "uom": "TNE"}]`
	for _, c := range []struct{ event, ptr, want string }{
		{`{` + head + `, "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE 2025 011", "quantity": 1, "uom": "TNE"}]}`, "/quantityList/0/epcClass", "a space"},
		{`{` + head + `, "quantityList": [{"epcClass": "urn:critmin:demo:lot:A B\"<x>", "quantity": 1, "uom": "TNE"}]}`, "/quantityList/0/epcClass", "a space"},
		{`{` + head + `, "quantityList": [{"epcClass": "urn:critmin:demo:lot:A\"<x>", "quantity": 1, "uom": "TNE"}]}`, "/quantityList/0/epcClass", `"\""`},
		{`{` + head + `, "epcList": ["urn:critmin:demo:container:C|1"]}`, "/epcList/0", `"|"`},
		{`{` + head + `, ` + lot + `, "readPoint": {"id": "urn:critmin:demo:site:kara chi"}}`, "/readPoint/id", "a space"},
		{`{` + head + `, ` + lot + `, "bizLocation": {"id": "urn:critmin:demo:site:{k}"}}`, "/bizLocation/id", `"{"`},
		{`{` + head + `, ` + lot + `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:A^B"}]}`, "/bizTransactionList/0/bizTransaction", `"^"`},
		{`{` + head + `, ` + lot + `, "sourceList": [{"type": "location", "source": "urn:critmin:demo:site:a\\b"}]}`, "/sourceList/0/source", `"\\"`},
		{`{` + head + `, ` + lot + `, "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:a\tb"}]}`, "/destinationList/0/destination", "control character U+0009"},
		{`{"type": "AggregationEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00", "action": "ADD", "parentID": "urn:critmin:demo:container:<C1>", "childEPCs": ["urn:critmin:demo:bag:1"]}`, "/parentID", `"<"`},
	} {
		store, err := captureOne(t, c.event)
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: %v, want EINVALID", c.event, err)
			continue
		}
		var reason string
		for _, f := range critmin.ErrorFields(err) {
			if f.Pointer == "/epcisBody/eventList/0"+c.ptr {
				reason = f.Reason
			}
		}
		if !strings.Contains(reason, "RFC 3986") || !strings.Contains(reason, c.want) {
			t.Errorf("%s: reason at %s %q, want RFC 3986 and %s (fields %+v)", c.event, c.ptr, reason, c.want, critmin.ErrorFields(err))
		}
		if n, _ := store.CountEvents(context.Background()); n != 0 {
			t.Errorf("%s: %d events stored", c.event, n)
		}
	}
}

// TestOriginMineTypedNotAMine (fix15d item 3): a commissioning whose
// cm:originMine is a site the document's master data types as a refinery
// (cm:siteKind refinery) is refused at /ilmd/cm:originMine naming the
// type; the same event naming a site typed mine is taken.
func TestOriginMineTypedNotAMine(t *testing.T) {
	doc := func(kind string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
    {"id": "urn:critmin:t:site:S1", "attributes": [{"id": "cm:siteKind", "attribute": "` + kind + `"}, {"id": "cm:country", "attribute": "PAK"}]}]}]}},
  "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
    "quantityList": [{"epcClass": "urn:critmin:t:lot:L1", "quantity": 10, "uom": "TNE"}],
    "ilmd": {"cm:commodity": "ree_concentrate", "cm:originMine": "urn:critmin:t:site:S1", "cm:originCountry": "PAK"}}]}}`
	}
	for _, kind := range []string{"refinery", "mine"} {
		ctx := context.Background()
		store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		_, err = ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(kind)), Behaviour: critmin.BehaviourRollback})
		if kind == "mine" {
			if err != nil {
				t.Errorf("a site typed mine: %v", err)
			}
			continue
		}
		f := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 1 || f[0].Pointer != "/epcisBody/eventList/0/ilmd/cm:originMine" ||
			!strings.Contains(f[0].Reason, "is a refinery in master data (cm:siteKind refinery), not a mine") {
			t.Errorf("a site typed refinery: %v %+v", err, f)
		}
		if n, _ := store.CountEvents(ctx); n != 0 {
			t.Errorf("%d events stored", n)
		}
	}
}
