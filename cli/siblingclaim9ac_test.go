package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSiblingReassayClaimCLI (issue 9, fix9ac): `critmin lot origin`
// and `lot show` state a claim as its share of what the lot holds now,
// as the lot page and the API do, and the statement keeps the credit it
// retired.
//
//	R (Oct 20): PK 10 t (Pakistan, Nd 4 % + Pr 1 %: 0.5 t Nd+Pr) → O1,
//	  O2, 0.5 t each at Nd 40 % + Pr 10 % = 0.25 t; O2 claims Pakistan
//	  0.8: 0.2 t (credit 10 × 5 % × 0.9 = 0.45 t; October closes 0.25 t).
//	RA1 (Oct 22): O1 at Nd 80 % + Pr 20 %: O2 counts Nd 0.2 × 0.4/0.6 +
//	  Pr 0.05 × 0.1/0.15 = 0.166667 t; its claim attributes 0.8 ×
//	  0.166667 = 0.133333 t Pakistan (80.00 %); 0.2 t stays retired and
//	  the statement's claims line stays 0.2 t.
func TestSiblingReassayClaimCLI(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "m.db")}
	head, _, _ := strings.Cut(mbDocCLI, `"eventList": [`)
	facts := func(k int, lot, extra string) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:R-facts-%d", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
		 "quantityList": [{"epcClass": "urn:t:lot:%s"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 10, "cm:unit": "%%", "cm:basis": "dry"}]%s}}`, k, lot, extra)
	}
	feed := `{"type": "ObjectEvent", "eventID": "urn:t:ev:PK", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "quantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 10, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`
	runEv := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 10, "uom": "TNE"}],
	 "outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 0.5, "uom": "TNE"}, {"epcClass": "urn:t:lot:O2", "quantity": 0.5, "uom": "TNE"}],
	 "bizLocation": {"id": "urn:t:site:mb"}}`
	reassay := `{"type": "ObjectEvent", "eventID": "urn:t:ev:RA1", "eventTime": "2025-10-22T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:O1"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "sensorElementList": [{"sensorReport": [
	  {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 80, "uom": "P1", "cm:basis": "dry"},
	  {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 20, "uom": "P1", "cm:basis": "dry"}]}]}`
	master, decl, runDoc, assay := filepath.Join(dir, "master.jsonld"), filepath.Join(dir, "decl.json"), filepath.Join(dir, "run.jsonld"), filepath.Join(dir, "ra1.jsonld")
	for f, body := range map[string]string{
		master: head + `"eventList": [` + feed + `]}}`,
		decl: `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}]}`,
		runDoc: head + `"eventList": [` + runEv + "," + facts(0, "O1", "") + "," + facts(1, "O2", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.8}]`) + `]}}`,
		assay:  head + `"eventList": [` + reassay + `]}}`,
	} {
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
	if out, _, err := runAt(t, env, func() time.Time { return time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC) }, "capture", runDoc); err != nil {
		t.Fatalf("capture the run: %v %s", err, out)
	}
	if out, _, err := runAt(t, env, func() time.Time { return time.Date(2025, 10, 23, 0, 0, 0, 0, time.UTC) }, "capture", assay); err != nil {
		t.Fatalf("capture the reassay: %v %s", err, out)
	}
	origin, _, err := run(t, env, "lot", "origin", "urn:t:lot:O2")
	if err != nil {
		t.Fatal(err)
	}
	claimed := origin[strings.Index(origin, "claimed origin"):]
	for _, want := range []string{"Pakistan                       0.133333 t   80.00 %", "0.200000 t  (retired when claimed; stays retired)",
		"the lot holds 0.166667 t Nd+Pr now", "attributes 0.133333 t Nd+Pr to Pakistan", "the 0.066667 t Nd+Pr beyond stays retired"} {
		if !strings.Contains(claimed, want) {
			t.Errorf("lot origin's claim lacks %q:\n%s", want, claimed)
		}
	}
	if strings.Contains(claimed, "0.200000 t   80.00 %") {
		t.Errorf("lot origin attributes the 0.2 t retired to Pakistan:\n%s", claimed)
	}
	show, _, err := run(t, env, "lot", "show", "urn:t:lot:O2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(show, "mass balance, not physical (accepted): Pakistan 80.0 %") {
		t.Errorf("lot show's claimed origin:\n%s", show)
	}
	st, _, err := run(t, env, "massbalance", "statement", "--site", site, "--period", "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	// Credits 0.45, claims 0.2 (retired, unchanged), closing 0.25.
	for _, want := range []string{"      0.45 ", "       0.2 ", "      0.25"} {
		if !strings.Contains(st, want) {
			t.Errorf("statement lacks %q:\n%s", want, st)
		}
	}
}
