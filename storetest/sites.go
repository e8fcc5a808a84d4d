package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
)

// sitesDoc declares two refineries in master data by SGLN URN, with their
// countries, and runs a lot through one of them named by the GS1 Digital
// Link of the same GLN. GLN 4012345 00008 has the GS1 check digit 5: from
// the right, weights 3,1,3,…: 8·3 + 0 + 0 + 0 + 0 + 5·1 + 4·3 + 3·1 + 2·3 +
// 1·1 + 0 + 4·1 = 55, and (10 − 55 mod 10) mod 10 = 5; the Digital Link is
// https://id.gs1.org/414/4012345000085. The run balances: 10 t at Cu
// 30 % = 3 t in, 3 t at 99 % = 2.97 t out (at 25 % = 2.5 t in, 0.47 t of
// the cathode's copper would come from no recorded input, of unknown
// origin, and no covered-country rule could pass on it).
func sitesDoc(refinery, lot string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:epc:id:sgln:4012345.00009.0", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "CN refinery"}, {"id": "cm:country", "attribute": "CHN"}, {"id": "cm:siteKind", "attribute": "refinery"}]},
  {"id": "urn:epc:id:sgln:4012345.00008.0", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "PK refinery"}, {"id": "cm:country", "attribute": "PAK"}, {"id": "cm:siteKind", "attribute": "refinery"}]},
  {"id": "urn:epc:id:sgln:4012345.00007.0", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "PK mine"}, {"id": "cm:country", "attribute": "PAK"}, {"id": "cm:siteKind", "attribute": "mine"}]}]}]}},
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventTime": "2025-05-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
   "quantityList": [{"epcClass": "urn:t:lot:` + lot + `-in", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:epc:id:sgln:4012345.00007.0"},
   "ilmd": {"cm:commodity": "copper_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:epc:id:sgln:4012345.00007.0", "cm:assay": [{"cm:analyte": "Cu", "cm:value": 30, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventTime": "2025-05-10T00:00:00Z", "eventTimeZoneOffset": "+00:00",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `-in", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 3, "uom": "TNE"}],
   "bizStep": "commissioning", "disposition": "active", "bizLocation": {"id": "` + refinery + `"},
   "ilmd": {"cm:commodity": "copper_cathode", "cm:assay": [{"cm:analyte": "Cu", "cm:value": 99, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
}

// testSiteSpellings: master data names sites by SGLN URN; events name the
// same GLNs by GS1 Digital Link or URN. The site view, the DFARS rule (which
// reads each stage's country from the site) and the site list treat every
// spelling as one site.
func testSiteSpellings(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const pkDL, cnDL = "https://id.gs1.org/414/4012345000085", "https://id.gs1.org/414/4012345000092"
	if epcis.Canonical("urn:epc:id:sgln:4012345.00008.0") != pkDL || epcis.Canonical("urn:epc:id:sgln:4012345.00009.0") != cnDL {
		t.Fatalf("test GLNs: %s %s", epcis.Canonical("urn:epc:id:sgln:4012345.00008.0"), epcis.Canonical("urn:epc:id:sgln:4012345.00009.0"))
	}
	MustCapture(t, svc, sitesDoc(pkDL, "PK-DL"))
	MustCapture(t, svc, sitesDoc("urn:epc:id:sgln:4012345.00008.0", "PK-URN"))
	MustCapture(t, svc, sitesDoc(cnDL, "CN-DL"))
	// DFARS 252.225-7052: refining in Pakistan passes, in China fails —
	// whichever spelling the event uses.
	for lot, want := range map[string]string{"urn:t:lot:PK-DL": custody.Pass, "urn:t:lot:PK-URN": custody.Pass, "urn:t:lot:CN-DL": custody.Fail} {
		if got := dfars(t, s, lot); got != want {
			t.Errorf("DFARS of %s: %s, want %s", lot, got, want)
		}
	}
	sites, err := s.FindSites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]*critmin.Site{}
	for _, st := range sites {
		k := epcis.Canonical(st.ID)
		if prev, dup := seen[k]; dup {
			t.Errorf("site %s listed twice: as %s and %s", k, prev.ID, st.ID)
		}
		seen[k] = st
	}
	// Listed once, under master data's spelling, with master data's facts;
	// the PK refinery holds the two cathode lots made there (3 t each).
	if pk := seen[pkDL]; pk == nil || pk.ID != "urn:epc:id:sgln:4012345.00008.0" || pk.Country != "PAK" || pk.Kind != "refinery" || pk.Lots != 2 {
		t.Errorf("PK refinery in the site list: %+v", pk)
	}
	if cn := seen[cnDL]; cn == nil || cn.Country != "CHN" || cn.Lots != 1 {
		t.Errorf("CN refinery in the site list: %+v", cn)
	}
	if n := strings.Count(strings.Join(keysOf(seen), " "), "4012345"); n != 3 {
		t.Errorf("%d GLN sites, want 3 (mine and two refineries): %v", n, keysOf(seen))
	}
	// A later capture describes the PK refinery again under its Digital
	// Link spelling: the later description wins, and it is still one site.
	MustCapture(t, svc, strings.Replace(strings.Replace(sitesDoc(pkDL, "PK-DL2"), `"id": "urn:epc:id:sgln:4012345.00008.0", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "PK refinery"}`,
		`"id": "`+pkDL+`", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "PK refinery (renamed)"}`, 1), "2025-05-", "2025-06-", -1))
	if sites, err = s.FindSites(ctx); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, st := range sites {
		if epcis.Canonical(st.ID) == pkDL {
			n++
			if st.Name != "PK refinery (renamed)" || st.Country != "PAK" || st.Lots != 3 {
				t.Errorf("PK refinery after the new description: %+v", st)
			}
		}
	}
	if n != 1 {
		t.Errorf("PK refinery listed %d times after a description under another spelling", n)
	}
	if got := dfars(t, s, "urn:t:lot:PK-DL2"); got != custody.Pass {
		t.Errorf("DFARS after the new description: %s", got)
	}
}

func keysOf(m map[string]*critmin.Site) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
