package custody_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// observedAt is a document whose master data places site cn, a mine, in China and
// site us in the United States (site b, controlled blending, has no
// country). W, 10 t dry at Nd 1 %, is commissioned at cn without a stated
// country or mine; run R at b turns it into WO, 0.1 t at Nd 60 %; WO is
// then inspected (OBSERVE) at us, weighed at 1.5 t.
func observedAt() string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:cn", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "CN"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]},
	   {"id": "urn:t:site:us", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}]},
	   {"id": "urn:t:site:b", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "controlled_blending"}]}]}]}},
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:cn"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
	 {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:WO", "quantity": 0.1, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:b"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:look", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:WO"}], "readPoint": {"id": "urn:t:site:us"}, "bizLocation": {"id": "urn:t:site:us"},
	  "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 1.5, "uom": "TNE"}]}]}]}}`
}

// TestObservedSiteGivesNoOrigin (issue 9, fix9l W4: a wrong PASS). WO's
// only live event, once run R is declared in error, is an inspection at a
// US site. Where a lot was inspected, received or seen says nothing of
// where it was mined or made: only the site of its commissioning (an
// ObjectEvent ADD) gives a country. WO, no live run producing it and no
// commissioning, is 100 % unknown with no_origin — in the lot page
// (OriginOf, with and without evidence) and the lot list (Origins) — and
// the covered-country rule fails on unknown rather than passing it as
// "United States 100 %". Before the declaration WO is China 100 % by its
// run (0.1 t × 60 % = 0.06 t Nd ≤ W's 10 × 1 % = 0.1 t: no cap).
func TestObservedSiteGivesNoOrigin(t *testing.T) {
	ctx := context.Background()
	db := store(t, observedAt())
	check := func(stage, want string) {
		t.Helper()
		l, err := db.FindLot(ctx, "urn:t:lot:WO")
		if err != nil {
			t.Fatal(err)
		}
		list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
		if err != nil {
			t.Fatal(err)
		}
		for _, evidence := range []bool{true, false} {
			o, err := custody.OriginOf(ctx, db, l.ID, evidence)
			if err != nil {
				t.Fatal(err)
			}
			for name, c := range map[string]*custody.Composition{"lot page": o, "lot list": list[l.ID]} {
				if share(c.Mass.ByCountry, want).Share != 1 {
					t.Errorf("%s, %s (evidence %v): by dry mass %+v, want %s 100 %%", stage, name, evidence, c.Mass.ByCountry, want)
				}
				noOrigin := false
				for _, a := range c.Anomalies {
					noOrigin = noOrigin || a.Kind == "no_origin"
				}
				if noOrigin != (want == custody.Unknown) {
					t.Errorf("%s, %s (evidence %v): no_origin %v, want %v (%+v)", stage, name, evidence, noOrigin, want == custody.Unknown, c.Anomalies)
				}
			}
		}
		vs, err := custody.Evaluate(ctx, db, l.ID, custody.DefaultPack())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Rule == "dfars-covered-countries" && v.Status != custody.Fail {
				t.Errorf("%s: DFARS %+v, want fail (China, or unknown: exclusion not shown)", stage, v)
			}
		}
	}
	check("by run R", "CHN")
	evs, err := db.FindEventsByID(ctx, "urn:t:ev:R")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[0].Raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "recordTime")
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-25T00:00:00Z", "reason": "incorrect_data"}
	b, _ := json.Marshal(m)
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(string(b))}); err != nil {
		t.Fatalf("declaring R in error: %v", err)
	}
	check("R declared in error", custody.Unknown)
}

// TestReceivingAddGivesNoOrigin (issue 9, recheck after fix9l: a wrong
// PASS). A lot first recorded by an ObjectEvent ADD whose bizStep is
// receiving (or inspecting) at a US site, with no stated country or
// mine, read "United States 100 %" and passed dfars-covered-countries:
// the earliest ADD, whatever its step, counted as its commissioning.
// Only an ADD stating commissioning, or no step, is a commissioning
// (EPCIS 2.0 §7.4.2: ADD creates what it names); a receipt site says
// nothing of where the material was mined, so R1 has unknown origin,
// no_origin, and the covered-country rule fails. C1, added with no step
// at the same site (a mine by master data), still takes its country
// (United States 100 %).
func TestReceivingAddGivesNoOrigin(t *testing.T) {
	ctx := context.Background()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:us", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}]}]}},
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "receiving",
	  "quantityList": [{"epcClass": "urn:t:lot:R1", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:us"}, "bizLocation": {"id": "urn:t:site:us"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:C1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	  "quantityList": [{"epcClass": "urn:t:lot:C1", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:us"}, "bizLocation": {"id": "urn:t:site:us"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}]}}`
	db := store(t, doc)
	for lot, want := range map[string]string{"urn:t:lot:R1": custody.Unknown, "urn:t:lot:C1": "USA"} {
		o, err := custody.OriginOf(ctx, db, lot, true)
		if err != nil {
			t.Fatal(err)
		}
		if share(o.Mass.ByCountry, want).Share != 1 {
			t.Errorf("%s: by dry mass %+v, want %s 100 %%", lot, o.Mass.ByCountry, want)
		}
		if lot != "urn:t:lot:R1" {
			continue
		}
		vs, err := custody.Evaluate(ctx, db, lot, custody.DefaultPack())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Rule == "dfars-covered-countries" && v.Status != custody.Fail {
				t.Errorf("%s: DFARS %+v, want fail (origin unknown)", lot, v)
			}
		}
	}
}
