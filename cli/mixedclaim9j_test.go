package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMixedClaimPerOriginCLI (fix9j item 1): `critmin lot origin` and
// `critmin massbalance statement` state each origin of a claim left short
// in one origin by its own standing.
//
//	F, Pakistan, 10 t at Nd 4 % + Pr 1 %: RF (Oct 4) → OF 0.6 t at Nd
//	  60 % + Pr 20 %: credit PAK, element by element (fix9ad), Nd
//	  min(0.36, 0.36) + Pr min(0.09, min(0.12, 0.1)) = 0.45 t.
//	G, China, 10 t: RG (Oct 6) → OG 0.5 t at 80 % = 0.4 t claiming
//	  Pakistan 0.2 t and China 0.2 t (RG's own CHN credit Nd min(0.36,
//	  0.3) + Pr min(0.09, 0.1) = 0.39 t): accepted.
//	AS9J (dated Oct 4, recorded Oct 8): OF at Nd 5 % + Pr 20 % holds
//	  Nd 0.6 × 5 % = 0.03 t and Pr 0.6 × 20 % = 0.12 t, more Pr than F
//	  held (10 × 1 % = 0.1 t): element_gain, and a gain earns no credit
//	  (fix9m), so Pr counts min(0.12, 0.1) = 0.1 t: PAK credit Nd
//	  min(0.36, 0.03) + Pr min(0.09, 0.1) = 0.12 t, closing 0.12 − 0.2 =
//	  −0.08 t: OG's Pakistan share 0.08 t short, its China share covered.
func TestMixedClaimPerOriginCLI(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "m.db")}
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [`
	feed := func(id, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	xform := func(id, when, in, out, t, claim string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + t + `, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]` + claim + `}}`
	}
	docFile, decl, master, assay := filepath.Join(dir, "d.jsonld"), filepath.Join(dir, "decl.json"), filepath.Join(dir, "master.jsonld"), filepath.Join(dir, "as.jsonld")
	for f, body := range map[string]string{
		master: head + `]}}`,
		docFile: head + feed("F", "PAK") + "," + feed("G", "CHN") + "," + xform("RF", "2025-10-04T00:00:00Z", "F", "OF", "0.6", "") + "," +
			xform("RG", "2025-10-06T00:00:00Z", "G", "OG", "0.5", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}, {"cm:country": "CHN", "cm:share": 0.5}]`) + `]}}`,
		decl: `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`,
		assay: head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:AS9J", "eventTime": "2025-10-04T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
		 "quantityList": [{"epcClass": "urn:t:lot:OF"}],
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 5, "uom": "P1", "cm:basis": "dry"}]}]}]}}`} {
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const site = "urn:t:site:mb"
	if out, _, err := run(t, env, "capture", master); err != nil {
		t.Fatalf("capture master data: %v %s", err, out)
	}
	if _, _, err := runAt(t, env, declaredOct20, "massbalance", "declare", "--site", site, "--file", decl); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runAt(t, env, func() time.Time { return time.Date(2025, 10, 7, 0, 0, 0, 0, time.UTC) }, "capture", docFile); err != nil {
		t.Fatalf("capture: %v %s", err, out)
	}
	if out, _, err := runAt(t, env, func() time.Time { return time.Date(2025, 10, 8, 0, 0, 0, 0, time.UTC) }, "capture", assay); err != nil {
		t.Fatalf("capture the assay: %v %s", err, out)
	}
	origin, _, err := run(t, env, "lot", "origin", "urn:t:lot:OG")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(origin, "claimed 0.2 t, not covered (shortfall 0.08 t)") || !strings.Contains(origin, "claimed 0.2 t, covered by the China balance") {
		t.Errorf("lot origin lacks each origin's standing:\n%s", origin)
	}
	st, _, err := run(t, env, "massbalance", "statement", "--site", site, "--period", "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(st, "\n") {
		if !strings.Contains(l, "urn:t:lot:OG") || !strings.HasPrefix(strings.TrimSpace(l), "claim ") {
			continue
		}
		if pak := strings.Contains(l, " PAK "); pak != strings.Contains(l, "shortfall 0.08 t") || (!pak && !strings.Contains(l, "covered: accepted at capture")) {
			t.Errorf("statement claim entry %q, want PAK short 0.08 t, CHN covered", l)
		}
	}
	if !strings.Contains(st, "claim    CHN") {
		t.Errorf("statement has no CHN claim entry:\n%s", st)
	}
}
