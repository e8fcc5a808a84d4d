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

// TestMoistureLeavingNoDryMassRefused: a moisture below 1 that leaves no
// dry mass at the precision figures are shown (0.9999999999999999 was
// shown as moisture 1 with dryTonnes 0) is refused, naming the field;
// the largest moisture accepted, 0.999999, keeps one part per million
// dry: 10 t wet × (1 − 0.999999) = 10 × 0.000001 = 0.00001 t dry.
func TestMoistureLeavingNoDryMassRefused(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	doc := func(lot, moisture string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00",
    "epcList": [], "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.` + lot + `", "quantity": 10, "uom": "TNE"}],
    "action": "ADD", "bizStep": "commissioning",
    "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": ` + moisture + `}}]}}`
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc("WET", "0.9999999999999999")), Behaviour: critmin.BehaviourRollback})
	var e *critmin.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Pointer != "/epcisBody/eventList/0/ilmd/cm:moisture" || !strings.Contains(e.Fields[0].Reason, "no dry mass") {
		t.Fatalf("moisture 0.9999999999999999: %v, want a refusal at cm:moisture", err)
	}
	if n, err := store.CountEvents(ctx); err != nil || n != 0 {
		t.Fatalf("%d events stored (%v)", n, err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc("DAMP", "0.999999")), Behaviour: critmin.BehaviourRollback}); err != nil {
		t.Fatalf("moisture 0.999999: %v", err)
	}
	l, err := store.FindLot(ctx, "urn:epc:class:lgtin:4012345.011111.DAMP")
	if err != nil {
		t.Fatal(err)
	}
	if l.Moisture == nil || *l.Moisture != 0.999999 || math.Abs(l.DryTonnes-0.00001) > 1e-12 {
		t.Errorf("lot moisture %v, dry %v t; want 0.999999 and 0.00001 t", l.Moisture, l.DryTonnes)
	}
}

// TestWrongTypeNamesTheType (issue 9, check nu9i): a moisture or a claim
// share of the wrong JSON type is refused saying it must be a number and
// what was given, not as a value out of range or "<nil> is not a number".
func TestWrongTypeNamesTheType(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	doc := func(ilmd string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+05:00",
    "epcList": [], "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.T1", "quantity": 10, "uom": "TNE"}],
    "action": "ADD", "bizStep": "commissioning",
    "ilmd": {"cm:commodity": "ree_concentrate", ` + ilmd + `}}]}}`
	}
	for _, c := range []struct{ ilmd, pointer, want string }{
		{`"cm:moisture": "0.1"`, "/epcisBody/eventList/0/ilmd/cm:moisture", `must be a number, a fraction in [0, 1) (0.08 for 8 %), not a JSON string ("0.1")`},
		{`"cm:moisture": null`, "/epcisBody/eventList/0/ilmd/cm:moisture", "not null"},
		{`"cm:moisture": 1.5`, "/epcisBody/eventList/0/ilmd/cm:moisture", "must be a fraction in [0, 1)"},
		{`"cm:originClaim": [{"cm:country": "PAK", "cm:share": null}]`, "/epcisBody/eventList/0/ilmd/cm:originClaim/0/cm:share", "must be a number in (0, 1], not null"},
		{`"cm:originClaim": [{"cm:country": "PAK", "cm:share": true}]`, "/epcisBody/eventList/0/ilmd/cm:originClaim/0/cm:share", "not a boolean"},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(c.ilmd)), Behaviour: critmin.BehaviourRollback})
		var e *critmin.Error
		if !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Pointer != c.pointer || !strings.Contains(e.Fields[0].Reason, c.want) || strings.Contains(e.Fields[0].Reason, "<nil>") {
			t.Errorf("%s: %v, want a refusal at %s containing %q", c.ilmd, err, c.pointer, c.want)
		}
	}
}
