package critmin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestTokenExpiryLimitSaidAsADate (fix14o item 6): a date too far ahead
// was refused with "at most 87600h0m0s (10 years)", a Go duration on a
// date field. MaxTokenLifetime is 10 × 365 days = 3,650 days; from
// 2026-12-01T00:00Z that is 2036-11-28 (the ten calendar years to
// 2036-12-01 hold three leap days, 2028-02-29, 2032-02-29 and
// 2036-02-29: 3,653 days, three more).
func TestTokenExpiryLimitSaidAsADate(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	errs := critmin.ValidateTokenRequest("ci", critmin.RoleViewer, far, now)
	if len(errs) != 1 || errs[0].Pointer != "expires_at" {
		t.Fatalf("errors %+v; want one for expires_at", errs)
	}
	r := errs[0].Reason
	if !strings.Contains(r, "on or before 2036-11-28") || strings.Contains(r, "h0m0s") {
		t.Errorf("reason %q; want the limit as a date, on or before 2036-11-28, and no Go duration", r)
	}
	// The limit itself is accepted, the next day refused.
	if errs := critmin.ValidateTokenRequest("ci", critmin.RoleViewer, time.Date(2036, 11, 28, 0, 0, 0, 0, time.UTC), now); len(errs) != 0 {
		t.Errorf("2036-11-28: %+v; want accepted", errs)
	}
	if errs := critmin.ValidateTokenRequest("ci", critmin.RoleViewer, time.Date(2036, 11, 29, 0, 0, 0, 0, time.UTC), now); len(errs) != 1 {
		t.Errorf("2036-11-29: %+v; want refused", errs)
	}
}
