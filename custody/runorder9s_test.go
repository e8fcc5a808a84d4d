package custody_test

import (
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestRunCreditLotBroughtAgain (fix9s, issue 9): a later input-only event
// bringing in more of a lot the run already used counts no output line
// twice, whatever the order of capture. Site mb, REE → NdPr oxide on
// Nd + Pr, factor 0.9:
//
//	PK (Pakistan) 150 t at Nd 4 % + Pr 1 %; CN (China) 20 t, same grade.
//	run tA: a (Oct 5) PK 100 t → OA 2 t; a3 (Oct 6) output OB 2 t only;
//	  a4 (Oct 7) input CN 20 t only; a5 (Oct 8) input PK 50 t only.
//	Contained in: PK 150 × 5 % = 7.5 t, CN 20 × 5 % = 1 t; × 0.9 =
//	  7.65 t. Products: OA + OB = (2 + 2) × 80 % = 3.2 t. Credit
//	  min(7.65, 3.2) = 3.2 t, shared by input Nd+Pr 7.5 : 1:
//	  PAK 3.2 × 7.5/8.5 = 2.823529 t, CHN 3.2 × 1/8.5 = 0.376471 t.
//	Captured a, a3, a4, a5, a5's edge PK → OB (carrying OB's 2 t again,
//	  from PK, a lot OB's replay edge also comes from) counted OB twice:
//	  (2 + 2 + 2) × 0.8 = 4.8 t, PAK 4.235294, CHN 0.564706.
//
// Every order of capture of the four events reads the same.
func TestRunCreditLotBroughtAgain(t *testing.T) {
	events := map[string]string{
		"a":  run9p("a", "tA", "2025-10-05T00:00:00Z", []string{"PK:100"}, "OA", 2, ""),
		"a3": run9p("a3", "tA", "2025-10-06T00:00:00Z", nil, "OB", 2, ""),
		"a4": run9p("a4", "tA", "2025-10-07T00:00:00Z", []string{"CN:20"}, "", 0, ""),
		"a5": run9p("a5", "tA", "2025-10-08T00:00:00Z", []string{"PK:50"}, "", 0, ""),
	}
	var orders [][]string
	var perm func(done, left []string)
	perm = func(done, left []string) {
		if len(left) == 0 {
			orders = append(orders, done)
			return
		}
		for i := range left {
			rest := append(append([]string(nil), left[:i]...), left[i+1:]...)
			perm(append(append([]string(nil), done...), left[i]), rest)
		}
	}
	perm(nil, []string{"a", "a3", "a4", "a5"})
	for _, order := range orders {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			st := mbfxRunOrder(t, "2025-10-09T01:00:00Z", events, order, mbfxREE("PK", "PAK", 150), mbfxREE("CN", "CHN", 20))
			pak, chn := line(t, st, "ree", "PAK"), line(t, st, "ree", "CHN")
			if math.Abs(pak.Credits-3.2*7.5/8.5) > 1e-9 || math.Abs(chn.Credits-3.2/8.5) > 1e-9 {
				t.Errorf("credits PAK %v CHN %v, want 2.823529 and 0.376471 (3.2 t of oxide Nd+Pr shared 7.5:1)", pak.Credits, chn.Credits)
			}
			if err := custody.CheckStatement(st); err != nil {
				t.Error(err)
			}
		})
	}
}
