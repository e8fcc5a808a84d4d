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

// An event with an EPCIS problem (a disposition outside CBV 2.0 that is not
// a URI) and a mineral-profile problem (moisture 8 given as a percent) is
// refused with both, each at its pointer, and nothing is stored.
func TestCaptureReportsEPCISAndMineralProblemsTogether(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00",
    "epcList": [], "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.LOT-C", "quantity": 10, "uom": "TNE"}],
    "action": "ADD", "bizStep": "commissioning", "disposition": "made_up_value",
    "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 8}}]}}`
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc), Behaviour: critmin.BehaviourRollback})
	var e *critmin.Error
	if !errors.As(err, &e) {
		t.Fatalf("capture: %v", err)
	}
	got := map[string]string{}
	for _, f := range e.Fields {
		got[f.Pointer] = f.Reason
	}
	for _, p := range []string{"/epcisBody/eventList/0/disposition", "/epcisBody/eventList/0/ilmd/cm:moisture"} {
		if _, ok := got[p]; !ok {
			t.Errorf("no error at %s: %v", p, e.Fields)
		}
	}
	if !strings.Contains(got["/epcisBody/eventList/0/disposition"], "made_up_value") {
		t.Errorf("disposition reason %q", got["/epcisBody/eventList/0/disposition"])
	}
	if n, err := store.CountEvents(ctx); err != nil || n != 0 {
		t.Errorf("%d events stored (%v)", n, err)
	}
}

// TestTopLevelClaimRefused: a cm:originClaim at the top level of an event
// (here an OBSERVE) is read by nothing; capture refuses it naming the
// field and where a claim goes, and stores nothing.
func TestTopLevelClaimRefused(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	_, err = svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:c", "eventTime": "2025-12-12T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	  "quantityList": [{"epcClass": "urn:t:lot:EO5"}], "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}]}]}}`)})
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("top-level claim: %v, want EINVALID", err)
	}
	f := critmin.ErrorFields(err)
	if len(f) == 0 || f[0].Pointer != "/epcisBody/eventList/0/cm:originClaim" || !strings.Contains(f[0].Reason, "ilmd/cm:originClaim") {
		t.Errorf("fields %+v", f)
	}
}

// TestMasterDataValidated: the mineral extension's master-data attributes
// are checked: a tolerance of 5 (500 %), -0.1 or "abc" and the custody
// model typo "massbalance" are each refused naming element and
// attribute; nothing is stored. 0.1 and mass_balance are taken.
func TestMasterDataValidated(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	doc := func(attr, val string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
		 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [{"id": "urn:t:site:S", "attributes": [
		  {"id": "https://ns.critmin.org/mineral/v1/` + attr + `", "attribute": ` + val + `}]}]}]}}, "epcisBody": {"eventList": []}}`)
	}
	for _, c := range []struct{ attr, val, want string }{
		// Issue 9, fix9y item 3: a run's element balance is bounded to
		// [0, 0.10]: 0.99 let an output hold 1.99 × its input and pass.
		{"elementTolerance", `5`, "outside [0, 0.1]"},
		{"elementTolerance", `-0.1`, "outside [0, 0.1]"},
		{"elementTolerance", `0.99`, "outside [0, 0.1]"},
		{"elementTolerance", `0.1000001`, "outside [0, 0.1]"},
		{"elementTolerance", `"abc"`, "is not a number"},
		{"custodyModel", `"massbalance"`, `"massbalance" is not a custody model`},
		{"country", `"XX"`, "not an ISO 3166-1 country code"},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(c.attr, c.val)})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "urn:t:site:S") {
			t.Errorf("%s %s: %v, want EINVALID with %q", c.attr, c.val, err, c.want)
		}
	}
	if sites, err := store.SiteDetails(ctx); err != nil || len(sites) != 0 {
		t.Errorf("refused master data stored: %v %v", sites, err)
	}
	for _, ok := range [][2]string{{"elementTolerance", "0.1"}, {"elementTolerance", "0"}, {"custodyModel", `"mass_balance"`}} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(ok[0], ok[1])}); err != nil {
			t.Errorf("%s %s: %v", ok[0], ok[1], err)
		}
	}
}

// TestClaimSharesSumPrinted: shares 0.6 + 0.7 sum to 1.3 in the message,
// not the float noise 1.2999999999999998.
func TestClaimSharesSumPrinted(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, err = ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-12-12T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	  "quantityList": [{"epcClass": "urn:t:lot:X", "quantity": 1, "uom": "TNE"}], "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.6}, {"cm:country": "CHN", "cm:share": 0.7}]}}]}}`)})
	if err == nil || !strings.Contains(err.Error(), "shares add up to 1.3, over 1") {
		t.Errorf("%v, want \"shares add up to 1.3, over 1\"", err)
	}
}

// TestClaimDuplicateCountryRefused (issue 9, new-user check 5): a claim
// listing PAK twice (0.5 + 0.5) is malformed — which share is meant? —
// and refused at the second entry's country, not summed to 1.0; nothing
// is stored.
func TestClaimDuplicateCountryRefused(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, err = ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-12-12T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	  "quantityList": [{"epcClass": "urn:t:lot:X", "quantity": 1, "uom": "TNE"}], "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}, {"cm:country": "PAK", "cm:share": 0.5}]}}]}}`)})
	f := critmin.ErrorFields(err)
	if critmin.ErrorCode(err) != critmin.EINVALID || len(f) == 0 || f[0].Pointer != "/epcisBody/eventList/0/ilmd/cm:originClaim/1/cm:country" || !strings.Contains(f[0].Reason, `"PAK" is listed twice (first at /ilmd/cm:originClaim/0)`) {
		t.Errorf("%v: fields %+v, want PAK listed twice at .../cm:originClaim/1/cm:country", err, f)
	}
	if _, err := store.FindLot(ctx, "urn:t:lot:X"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused claim stored: %v", err)
	}
}

// TestSensorReportPointers: errors in sensor reports carry RFC 6901
// pointers down to the report's field: the second report of the second
// sensor element, an assay without a value, is
// /epcisBody/eventList/0/sensorElementList/1/sensorReport/1/value.
func TestSensorReportPointers(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, err = ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-12-12T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "quantityList": [{"epcClass": "urn:t:lot:X"}],
	  "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 10, "uom": "TNE"}]},
	   {"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 5, "uom": "P1", "cm:basis": "dry"},
	                     {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "uom": "P1", "cm:basis": "dry"}]}]}]}}`)})
	f := critmin.ErrorFields(err)
	if len(f) == 0 || f[0].Pointer != "/epcisBody/eventList/0/sensorElementList/1/sensorReport/1/value" {
		t.Errorf("%v: fields %+v", err, f)
	}
}

// TestTopLevelTermRefusedWhateverItsSpelling: the check that skips
// decoding an event's members when none can name a mineral term
// (mayNameTerm) must not let a spelling through. Each document places a
// lot fact or claim at the top level under another spelling — an escaped
// member name, another prefix for the namespace, a prefix for part of the
// IRI, the full IRI — and each is refused at that member.
func TestTopLevelTermRefusedWhateverItsSpelling(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	for _, c := range []struct{ ctx, member, pointer string }{
		{`{"cm": "https://ns.critmin.org/mineral/v1/"}`, `"cm:origin\u0043laim": [{"cm:country": "PAK", "cm:share": 0.5}]`, "/cm:originClaim"},
		{`{"min": "https://ns.critmin.org/mineral/v1/"}`, `"min:commodity": "cobalt"`, "/min:commodity"},
		{`{"crit": "https://ns.critmin.org/"}`, `"crit:mineral/v1/originCountry": "COD"`, "/crit:mineral/v1/originCountry"},
		{`{"cm": "https://ns.critmin.org/mineral/v1/"}`, `"https://ns.critmin.org/mineral/v1/moisture": 0.1`, "/https://ns.critmin.org/mineral/v1/moisture"},
	} {
		_, err = svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", ` + c.ctx + `], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:c", "eventTime": "2025-12-12T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	  "quantityList": [{"epcClass": "urn:t:lot:EO5"}], ` + c.member + `}]}}`)})
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: %v, want EINVALID", c.member, err)
			continue
		}
		f := critmin.ErrorFields(err)
		// A member whose local name is no XML name ("mineral/v1/…") is
		// refused for that first, at its RFC 6901 pointer (/ as ~1).
		notXML := len(f) > 0 && strings.Contains(f[0].Reason, "not a valid XML local name") &&
			f[0].Pointer == "/epcisBody/eventList/0/"+strings.ReplaceAll(c.pointer[1:], "/", "~1")
		if !notXML && (len(f) == 0 || f[0].Pointer != "/epcisBody/eventList/0"+c.pointer || !strings.Contains(f[0].Reason, "is not read")) {
			t.Errorf("%s: fields %+v", c.member, f)
		}
	}
	if n, err := store.CountEvents(context.Background()); err != nil || n != 0 {
		t.Errorf("%d events stored (%v)", n, err)
	}
}
