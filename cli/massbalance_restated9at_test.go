package cli_test

import (
	"strings"
	"testing"
)

// TestMassBalanceStatementRestatedTotal (issue 9, fix9at item 2, 3):
// the restated section prints each changed category's total over all
// origins, and the statement CSV carries the restatement (status
// as_at_close) and the not-covered row's reasons.
//
// The site-mb ledger credits October PAK 100 t × (4 + 1) % × 0.9 = 4.5 t
// (E1) and claims O1's 1.6 t; C (China, 10 t at Nd 4 % + Pr 1 %) run by
// E2 into O2, 0.6 t at Nd 60 % + Pr 15 % (Nd 0.36, Pr 0.09 t), credits
// CHN min(0.36, 0.36) + min(0.09, 0.09) = 0.45 t. At close: PAK 0 + 4.5
// − 1.6 − 0 = 2.9, CHN 0.45, all origins 0 + 4.95 − 1.6 − 0 = 3.35.
// A's commissioning declared in error on November 9: PAK credits 0,
// closing −1.6; all origins credits 0.45, closing −1.6 + 0.45 = −1.15.
// Before, the section printed the Pakistan line alone and the CSV
// neither the restatement nor the reasons.
func TestMassBalanceStatementRestatedTotal(t *testing.T) {
	a := mbDocCLI[strings.Index(mbDocCLI, `{"type": "ObjectEvent", "eventID": "urn:t:ev:A"`):]
	a = a[:strings.Index(a, `,
  {"type": "TransformationEvent"`)]
	decl := strings.TrimSuffix(strings.TrimSpace(a), "}") + `, "errorDeclaration": {"declarationTime": "2025-11-09T00:00:00Z", "reason": "incorrect_data"}}`
	c := `{"type": "ObjectEvent", "eventID": "urn:t:ev:C", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`
	e2 := `{"type": "TransformationEvent", "eventID": "urn:t:ev:E2", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:E2",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O2", "quantity": 0.6, "uom": "TNE"}],
	 "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 15, "cm:unit": "%", "cm:basis": "dry"}]}}`
	const d = `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}]}`
	env := mbStoreCLI(t, mbDocCLIEvents(), d, mbCaptureCLI{"capture", 20, mbDocCLI}, mbCaptureCLI{"C and E2", 21, mbDocCLIEvents(c, e2)},
		mbCaptureCLI{"declaration of A (Nov 9)", 40, mbDocCLIEvents(decl)})
	out, _, err := run(t, env, "massbalance", "statement", "--site", "urn:t:site:mb", "--period", "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, w := range []string{
		"all origins 0 0.45 1.6 0 -1.15",
		"category ree, Pakistan: credits 4.5 → 0 t, closing 2.9 → -1.6 t (as at close: 0 + 4.5 − 1.6 − 0 = 2.9)",
		"category ree, all origins: credits 4.95 → 0.45 t, closing 3.35 → -1.15 t (as at close: 0 + 4.95 − 1.6 − 0 = 3.35)",
	} {
		if !strings.Contains(flat, w) {
			t.Errorf("statement lacks %q:\n%s", w, out)
		}
	}
	out, _, err = run(t, env, "massbalance", "statement", "--site", "urn:t:site:mb", "--period", "2025-10", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"reason,reasons,restated_by\n",
		`urn:t:site:mb,2025-10,ree,Nd+Pr,0.9,PAK,0,4.5,1.6,0,,2.9,,as_at_close,,,,,"restated after the close of 2025-11-01: credits 4.5 → 0 t, closing 2.9 → -1.6 t",,urn:t:ev:A` + "\n",
		`urn:t:site:mb,2025-10,ree,Nd+Pr,0.9,all,0,4.95,1.6,0,,3.35,,as_at_close,,,,,"restated after the close of 2025-11-01: credits 4.95 → 0.45 t, closing 3.35 → -1.15 t",,urn:t:ev:A` + "\n",
		// O1's claim, booked, rests on E1, whose input A is no longer on
		// record: short of the balance and of its category's system.
		`,short of the balance by 1.6 t; out of its category's mass-balance system,` + "\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("CSV lacks %q:\n%s", w, out)
		}
	}
}
