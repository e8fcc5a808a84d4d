package cli_test

import (
	"strings"
	"testing"
)

// TestMassBalanceStatementNotCovered (issue 9, fix9h defect 7): `critmin
// massbalance statement` never calls a claim accepted at capture
// "refused", and its "all origins" total shows an origin's deficit. The
// site-mb ledger credits October A's 100 t × (4 + 1) % × 0.9 = 4.5 t
// Nd+Pr and claims O1's 1.6 t, accepted. A late assay of A at Nd 0.5 %
// (dated Oct 2, recorded Oct 25) lowers the credit to 100 × (0.5 + 1) %
// × 0.9 = 1.35 t: O1 stays booked, 1.6 − 1.35 = 0.25 t short, and PAK
// closes 1.35 − 1.6 = −0.25 t (no expiry: October is the first period,
// carried forward one period).
func TestMassBalanceStatementNotCovered(t *testing.T) {
	as := `{"type": "ObjectEvent", "eventID": "urn:t:ev:AS9h", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:A"}],
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 0.5, "uom": "P1", "cm:basis": "dry"}]}]}`
	env := mbStoreCLI(t, mbDocCLIEvents(), `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}]}`,
		mbCaptureCLI{"capture", 20, mbDocCLI}, mbCaptureCLI{"late assay", 25, mbDocCLIEvents(as)})
	out, _, err := run(t, env, "massbalance", "statement", "--site", "urn:t:site:mb", "--period", "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Pakistan 0 1.35 1.6 0 -0.25", "not covered: ", "shortfall 0.25 t", "deficit 0.25 t, not netted: PAK in deficit by 0.25 t"} {
		if !strings.Contains(flat, want) {
			t.Errorf("statement lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "refused") {
		t.Errorf("statement calls the claim accepted at capture refused:\n%s", out)
	}
}
