package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

func demoAgreementWith(t *testing.T, change func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(mustFile(t, "demo/agreement.json")), &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, _ := json.Marshal(m)
	return b
}

// Tranches cannot commit more than the headline: 300 + 250 = 550 > 500
// (USD) is refused at /tranches; 300 + 200 = 500 is accepted (equal).
func TestTranchesNotOverHeadline(t *testing.T) {
	tranches := func(a, b int) func(m map[string]any) {
		return func(m map[string]any) {
			m["headline"] = map[string]any{"amount": 500, "currency": "USD"}
			m["tranches"] = []any{
				map[string]any{"id": "T1", "commodity": "copper", "committed": a, "from": "2025-01-01", "to": "2025-12-31", "contracts": []string{}},
				map[string]any{"id": "T2", "commodity": "antimony", "committed": b, "from": "2025-01-01", "to": "2025-12-31", "contracts": []string{}}}
		}
	}
	_, err := commercial.ParseAgreement(demoAgreementWith(t, tranches(300, 250)))
	if !hasField(err, "/tranches") || !strings.Contains(fieldReasons(err), "550") {
		t.Errorf("550 over 500: err = %v, want /tranches naming 550", err)
	}
	if _, err := commercial.ParseAgreement(demoAgreementWith(t, tranches(300, 200))); err != nil {
		t.Errorf("500 of 500: %v", err)
	}
}

// A milestone achieved after today (the service's clock, 1 Dec 2025 in
// MustDemo) is refused at /milestones/0/achieved; achieved today is
// accepted.
func TestMilestoneAchievedNotInFuture(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	achieved := func(day string) []byte {
		return demoAgreementWith(t, func(m map[string]any) {
			ms := m["milestones"].([]any)
			ms[0].(map[string]any)["achieved"] = day
			m["id"] = "AGR-" + day
		})
	}
	if _, err := s.SaveAgreement(ctx, achieved("2025-12-02")); !hasField(err, "/milestones/0/achieved") {
		t.Errorf("achieved tomorrow: err = %v, want /milestones/0/achieved", err)
	}
	if _, err := s.SaveAgreement(ctx, achieved("2025-12-01")); err != nil {
		t.Errorf("achieved today: %v", err)
	}
}
