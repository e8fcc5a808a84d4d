package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// An agreement is between at least two distinct parties, signed on or
// before today, and its milestones are achieved under it (not before it
// was signed): each fault is refused naming its field, nothing stored.
func TestAgreementPartiesAndDates(t *testing.T) {
	s := MustDemo(t)
	s.Now = func() time.Time { return time.Date(2025, 12, 1, 12, 0, 0, 0, time.UTC) }
	ctx := context.Background()
	agr := func(parties, signed, achieved string) []byte {
		return []byte(`{"id":"A-T","name":"t","signed":"` + signed + `","binding":false,"parties":` + parties +
			`,"headline":{"amount":"1000","currency":"USD"},"commodities":[],"tranches":[],"milestones":[{"id":"m1","name":"first shipment","due":"2025-12-31","achieved":"` + achieved + `"}]}`)
	}
	two := `[{"id":"urn:p:a","name":"A"},{"id":"urn:p:b","name":"B"}]`
	cases := []struct{ name, body, field, says string }{
		{"no parties", string(agr(`[]`, "2025-09-08", "")), "/parties", "at least two distinct parties; 0 given"},
		{"one party", string(agr(`[{"id":"urn:p:a","name":"A"}]`, "2025-09-08", "")), "/parties", "1 given"},
		{"one party twice", string(agr(`[{"id":"urn:p:a","name":"A"},{"id":"urn:p:a","name":"A again"}]`, "2025-09-08", "")), "/parties/1/id", "repeats item 0"},
		{"party without id", string(agr(`[{"id":"urn:p:a","name":"A"},{"id":"","name":"B"}]`, "2025-09-08", "")), "/parties/1/id", "needs an id"},
		{"signed in the future", string(agr(two, "2026-01-15", "")), "/signed", "after today (2025-12-01)"},
		{"achieved before signing", string(agr(two, "2025-09-08", "2025-09-01")), "/milestones/0/achieved", "before the agreement was signed (2025-09-08)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.SaveAgreement(ctx, []byte(tc.body))
			if !fieldSays(err, tc.field, tc.says) {
				t.Fatalf("err = %v (fields %v), want %s saying %q", err, critmin.ErrorFields(err), tc.field, tc.says)
			}
		})
	}
	list, err := s.Agreements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.ID == "A-T" {
			t.Errorf("a refused agreement was stored")
		}
	}
	if _, err := s.SaveAgreement(ctx, agr(two, "2025-09-08", "2025-09-08")); err != nil {
		t.Errorf("a good agreement: %v", err)
	}
}
