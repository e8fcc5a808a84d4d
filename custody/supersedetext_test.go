package custody_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestSupersessionText (issue 9, second new-user check, 5): cert-status
// and the API word a supersession alike. A claim turned refused by the
// retraction of another run's credits is a changed verdict resting on the
// claim's event c1 — never "declared in error: c1 (reason -, declared
// 0001-01-01…)", which names an event nobody declared; a declaration of
// the certificate's own event A names its reason, time and corrective
// event. The summary counts each kind: 1 declared, 1 changed.
func TestSupersessionText(t *testing.T) {
	changed := custody.Supersession{EventID: "urn:t:ev:c1", Detail: "claimed origin was accepted and is now refused (shortfall 0.2 t)"}
	declared := custody.Supersession{EventID: "urn:t:ev:A", Reason: "incorrect_data", DeclarationTime: time.Date(2025, 10, 2, 0, 0, 0, 0, time.UTC), CorrectiveEventIDs: []string{"urn:t:ev:A2"}}
	if got, want := changed.Text(), "changed: claimed origin was accepted and is now refused (shortfall 0.2 t) (event urn:t:ev:c1)"; got != want {
		t.Errorf("changed verdict: %q, want %q", got, want)
	}
	if got, want := declared.Text(), "declared in error: urn:t:ev:A (reason incorrect_data, declared 2025-10-02T00:00:00Z; corrective: urn:t:ev:A2)"; got != want {
		t.Errorf("declaration: %q, want %q", got, want)
	}
	st := custody.CertStatus{Superseded: true, Reasons: []custody.Supersession{declared, changed}}
	if got := st.Summary(); got != "1 evidence event(s) declared in error since the certificate was issued; 1 stated figure(s) or verdict(s) changed through other events" {
		t.Errorf("summary %q", got)
	}
	b, _ := json.Marshal(changed)
	if !strings.Contains(string(b), `"message":"changed: claimed origin was accepted`) || strings.Contains(string(b), "declarationTime") {
		t.Errorf("API supersession %s", b)
	}
}
