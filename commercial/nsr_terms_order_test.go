package commercial_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// Issue 13, new-user check (fix13h, 6): /trade/nsr?terms=A,B showed its
// columns ranked by NSR, not in the order asked. T-CU-LOW pays 50 % Cu
// instead of the demo's 96.5 %, so its NSR is lower; asked first, it
// stays first.
func TestNSRComparisonKeepsRequestedTermsOrder(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	b, err := os.ReadFile("demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	low := strings.Replace(strings.Replace(string(b), `"FWO-USSM-CU-2025"`, `"T-CU-LOW"`, 1), `"payable_pct": 96.5`, `"payable_pct": 50`, 1)
	if _, err := s.SaveContract(ctx, []byte(low)); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)
	for _, terms := range []string{"T-CU-LOW,FWO-USSM-CU-2025", "FWO-USSM-CU-2025,T-CU-LOW"} {
		cmp, err := s.NSRFor(ctx, terms, "", "Cu:24%,Au:2g/t", at, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cmp.Cases {
			got = append(got, c.Contract)
		}
		if strings.Join(got, ",") != terms {
			t.Errorf("terms=%s: columns %v", terms, got)
		}
	}
}
