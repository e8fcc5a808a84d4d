package cli_test

import (
	"strings"
	"testing"
)

// TestMassBalanceStatementOfAnEmptyPeriod: `massbalance statement` prints
// a period with nothing in it as figures. The site-mb ledger credits
// October 100 t × 5 % × 0.9 = 4.5 t Nd+Pr and claims 1.6 t: PAK closes
// October at 2.9. Carry forward 1: November has no credit and no claim and
// October's credit expires at its end: 2.9 + 0 − 0 − 2.9 = 0. The antimony
// category has nothing: total 0 + 0 − 0 − 0 = 0. Before, the sb category
// printed its header and no line at all.
func TestMassBalanceStatementOfAnEmptyPeriod(t *testing.T) {
	env := mbStoreCLI(t, mbDocCLIEvents(), `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9},
		 {"id": "sb", "inputs": ["antimony_ore"], "product": "antimony_trioxide", "elements": ["Sb"], "conversionFactor": 0.8}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}]}`,
		mbCaptureCLI{"capture", 20, mbDocCLI})
	out, _, err := run(t, env, "massbalance", "statement", "--site", "urn:t:site:mb", "--period", "2025-11")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Pakistan 2.9 0 0 2.9 0", "category ree", "all origins 2.9 0 0 2.9 0",
		"category sb", "all origins 0 0 0 0 0 no credits, claims or expiries in period 2025-11: closing = opening carried forward"} {
		if !strings.Contains(flat, want) {
			t.Errorf("statement lacks %q:\n%s", want, out)
		}
	}
}
