package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestCertificateNoClaimNoConformanceForNotApplicable (fix9ah items e
// and f): lot F, 10 t of Chinese REE concentrate at no mass-balance
// site, carries no claim. Its certificate
//
//   - has no "cm:claimedOrigin" key at all (it was written as null);
//   - states no "conformance" on the rules that do not apply to it (the
//     mass-balance claim rule: no claim; the shipment documents rule: no
//     export shipment), which read false before: a rule that does not
//     apply neither passes nor fails. The rules that apply keep it:
//     dfars-covered-countries passes (true), site-certified fails (the
//     mine has no certification on record: false).
//
// A certificate issued in the old form (null claimedOrigin, conformance
// false on not_applicable) still reads as stating today's record.
func TestCertificateNoClaimNoConformanceForNotApplicable(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, feed("F", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1")))
	b := issue(t, db, "urn:t:lot:F")
	var cert map[string]any
	if err := json.Unmarshal(b, &cert); err != nil {
		t.Fatal(err)
	}
	subj := cert["credentialSubject"].(map[string]any)
	if v, ok := subj["cm:claimedOrigin"]; ok {
		t.Errorf("a lot without a claim has cm:claimedOrigin %v; want the key left out", v)
	}
	if strings.Contains(string(b), `"cm:claimedOrigin":null`) {
		t.Error("certificate writes cm:claimedOrigin null")
	}
	claims := subj["conformityClaim"].([]any)
	seen := map[string]bool{}
	for _, c := range claims {
		m := c.(map[string]any)
		status, _ := m["status"].(string)
		seen[status] = true
		conf, has := m["conformance"]
		switch status {
		case custody.NotApplicable:
			if has {
				t.Errorf("rule %v is not_applicable but states conformance %v; want none", m["id"], conf)
			}
		case custody.Pass, custody.Fail:
			if !has || conf != (status == custody.Pass) {
				t.Errorf("rule %v is %s but states conformance %v (present %v)", m["id"], status, conf, has)
			}
		}
	}
	if !seen[custody.NotApplicable] || !seen[custody.Pass] || !seen[custody.Fail] {
		t.Fatalf("want a pass, a fail and a not_applicable rule to check; statuses %v", seen)
	}
	// The old form is the same statement.
	subj["cm:claimedOrigin"] = nil
	for _, c := range claims {
		if m := c.(map[string]any); m["status"] == custody.NotApplicable {
			m["conformance"] = false
		}
	}
	if msg, err := custody.RestatedChanged(ctx, db, custody.Certificate(cert)); err != nil || msg != "" {
		t.Errorf("an old-form certificate reads as restated: %q %v", msg, err)
	}
}
