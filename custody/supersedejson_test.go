package custody_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestSupersessionTimes (issue 9): a supersession caused by a changed
// claim verdict (no declaration of the certificate's own events: Detail
// only) prints no declaration times, never 0001-01-01; one caused by a
// declaration keeps both times, and decodes back to the same value.
func TestSupersessionTimes(t *testing.T) {
	b, err := json.Marshal(custody.CertStatus{Superseded: true, Reasons: []custody.Supersession{{EventID: "urn:t:ev:K", Detail: "the claimed origin was accepted and is now refused"}}})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "0001-01-01") || strings.Contains(s, "declarationTime") || strings.Contains(s, "recordTime") || !strings.Contains(s, `"detail":"the claimed origin was accepted and is now refused"`) {
		t.Errorf("verdict-change supersession: %s", s)
	}
	at, rec := time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 26, 8, 0, 0, 0, time.UTC)
	in := custody.Supersession{EventID: "urn:t:ev:E1", DeclarationTime: at, DeclaredAt: rec, Reason: "incorrect_data"}
	b, err = json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"declarationTime":"2025-11-25T00:00:00Z"`) || !strings.Contains(s, `"recordTime":"2025-11-26T08:00:00Z"`) {
		t.Errorf("declaration supersession: %s", s)
	}
	var back custody.Supersession
	if err := json.Unmarshal(b, &back); err != nil || !back.DeclarationTime.Equal(at) || !back.DeclaredAt.Equal(rec) || back.EventID != in.EventID || back.Reason != in.Reason {
		t.Errorf("round trip: %+v %v", back, err)
	}
}
