package http_test

import (
	"strings"
	"testing"
)

// TestOverClaimEveryShortOriginAPI (fix9o item 1): the 400 problem of a
// claim short in two origins names both, each with its own shortfall,
// and the total.
//
//	mbDoc: A (PAK) 100 t × (4 + 1) % × 0.9 = 4.5 t of credit (within what
//	  E1's outputs hold, 2 × 80 % + 4 × 77 % = 4.68 t); O1 claims 2 × 80 %
//	  = 1.6 t PAK: 4.5 − 1.6 = 2.9 t PAK left.
//	E9O: C (CHN) 10 t → P9 8 t at Nd 60 % + Pr 20 % = 6.4 t, claiming
//	  PAK 50 % = 3.2 t (shortfall 3.2 − 2.9 = 0.3 t) and CHN 50 % = 3.2 t
//	  against E9O's own credit min(10 × 5 % × 0.9 = 0.45, 6.4) = 0.45 t
//	  (shortfall 3.2 − 0.45 = 2.75 t). In all 2.75 + 0.3 = 3.05 t.
func TestOverClaimEveryShortOriginAPI(t *testing.T) {
	ts, _ := mbfxServe(t, mbDoc)
	doc := mbfxDoc(mbfxFeed("C", "CHN", 10),
		mbfxOxideRun("E9O", "2025-10-20T00:00:00Z", "C", 10, "P9", 8, `,
    "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}, {"cm:country": "CHN", "cm:share": 0.5}]`))
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil)
	p := mustProblem(t, resp, b, 400)
	var reasons []string
	for _, e := range p.Errors {
		reasons = append(reasons, e.Pointer+": "+e.Reason)
	}
	got := strings.Join(reasons, "\n")
	for _, want := range []string{
		"/ilmd/cm:originClaim: over-claim refused: site urn:t:site:mb, category ree, period 2025-10: lot urn:t:lot:P9 claims 3.2 t Nd+Pr of China origin but the balance holds 0.45 t (shortfall 2.75 t)",
		"; it claims 3.2 t Nd+Pr of Pakistan origin but the balance holds 2.9 t (shortfall 0.3 t)",
		"; shortfall 3.05 t in all (2.75 + 0.3)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problem errors\n%s\nlack %q", got, want)
		}
	}
}
