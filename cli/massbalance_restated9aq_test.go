package cli_test

import (
	"strings"
	"testing"
)

// TestMassBalanceStatementRestated (issue 9, fix9aq): `critmin
// massbalance statement` of an ended period restated after its close
// prints the restated section. The site-mb ledger credits October A's
// 100 t × (4 + 1) % × 0.9 = 4.5 t Nd+Pr (run E1) and claims O1's 1.6 t,
// accepted: PAK closes October at 4.5 − 1.6 = 2.9 t. A's commissioning
// is declared in error on November 9, after October closed: E1's input
// has no origin, PAK credits 0, O1 stays booked and PAK closes 0 − 1.6
// = −1.6 t. The statement reads the current figures and "credits 4.5 →
// 0 t, closing 2.9 → -1.6 t" (as at close 0 + 4.5 − 1.6 − 0 = 2.9),
// naming A's declaration; a statement of the same period without the
// declaration prints no such section.
func TestMassBalanceStatementRestated(t *testing.T) {
	a := mbDocCLI[strings.Index(mbDocCLI, `{"type": "ObjectEvent", "eventID": "urn:t:ev:A"`):]
	a = a[:strings.Index(a, `,
  {"type": "TransformationEvent"`)]
	decl := strings.TrimSuffix(strings.TrimSpace(a), "}") + `, "errorDeclaration": {"declarationTime": "2025-11-09T00:00:00Z", "reason": "incorrect_data"}}`
	const d = `{"carryForward": 1, "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}],
		 "periods": [{"id": "2025-10", "from": "2025-10-01", "to": "2025-11-01"}, {"id": "2025-11", "from": "2025-11-01", "to": "2025-12-01"}]}`
	for _, c := range []struct {
		name     string
		captures []mbCaptureCLI
		want     []string
	}{
		{"declared after the close", []mbCaptureCLI{{"capture", 20, mbDocCLI}, {"declaration of A (Nov 9)", 40, mbDocCLIEvents(decl)}},
			[]string{"Pakistan 0 0 1.6 0 -1.6", "restated after the close: period 2025-10 closed on 2025-11-01T00:00:00Z",
				"category ree, Pakistan: credits 4.5 → 0 t, closing 2.9 → -1.6 t (as at close: 0 + 4.5 − 1.6 − 0 = 2.9)",
				"restated by the declaration in error of event urn:t:ev:A, recorded 2025-11-09T00:00:00Z: event urn:t:ev:A (commissioning of lot urn:t:lot:A"}},
		{"nothing declared", []mbCaptureCLI{{"capture", 20, mbDocCLI}}, []string{"Pakistan 0 4.5 1.6 0 2.9"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := mbStoreCLI(t, mbDocCLIEvents(), d, c.captures...)
			out, _, err := run(t, env, "massbalance", "statement", "--site", "urn:t:site:mb", "--period", "2025-10")
			if err != nil {
				t.Fatal(err)
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, w := range c.want {
				if !strings.Contains(flat, w) {
					t.Errorf("statement lacks %q:\n%s", w, out)
				}
			}
			if len(c.want) == 1 && strings.Contains(out, "restated") {
				t.Errorf("statement of a period not restated says restated:\n%s", out)
			}
		})
	}
}
