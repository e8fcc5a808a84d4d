package custody_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestClaimRepaidByLaterPeriodNamesThatPeriod (fix9am; new-user check
// nu9h 1): a claim its own period closes not covered and a later
// period's credit repays reads one answer in every view. Set-up
// fix9aiStore at carry-forward 1 with R4:
//
//	October: R1 credits PAK 0.45 t; O2 and O3 claim 0.2 t each (0.4 ≤
//	  0.45, accepted). R1 declared in error on Dec 20: PAK credits 0,
//	  October closes 0 − 0.4 = −0.4 t, O2 and O3 0.2 t short each.
//	November: opens and closes −0.4 t (a deficit never expires).
//	December: R4 credits 0.45 t; 0.4 repays the carried deficit (first
//	  in, first covered: O2 then O3), closing 0.05 t.
//
// O2 is covered by December's credit, not October's: the rule verdict
// names period 2025-12 (carried deficit repaid by urn:t:ev:R4), the lot
// JSON lists coveredInPeriods [2025-12], and October's statement keeps
// O2 not covered at its close (0.2 t short: the −0.4 t closing that
// opened November) with repaidLaterBy [urn:t:ev:R4] in 2025-12 and a
// note saying so. Before, the verdict read "covered by the credits of …
// period 2025-10" while October's statement read plain not covered.
func TestClaimRepaidByLaterPeriodNamesThatPeriod(t *testing.T) {
	db, svc, ev := fix9aiStore(t, 1, true)
	retractEvent(t, svc, ev["R1"], "2025-12-20T00:00:00Z")
	for _, lot := range []string{"O2", "O3"} {
		cl := mbfxClaim(t, db, lot)
		if cl.Status != custody.ClaimAccepted || strings.Join(cl.CoveredIn, " ") != "2025-12" || !strings.Contains(cl.CoverageNote, "urn:t:ev:R4 of period 2025-12 (carried deficit repaid)") {
			t.Errorf("%s: status %s coveredIn %v note %q, want accepted, covered in 2025-12 by urn:t:ev:R4", lot, cl.Status, cl.CoveredIn, cl.CoverageNote)
		}
		v := claimVerdict9d(t, db, "urn:t:lot:"+lot)[0]
		if v.Status != custody.Pass || strings.Contains(v.Detail, "category ree, period 2025-10") ||
			!strings.Contains(v.Detail, "category ree, period 2025-12 (carried deficit repaid by credit(s) urn:t:ev:R4; its own period 2025-10 closed with it not covered") {
			t.Errorf("%s rule: %s %q, want pass naming period 2025-12's credit", lot, v.Status, v.Detail)
		}
	}
	oct := fix9aiStatements(t, db, "R1 declared in error")[0]
	sameLine(t, "Oct", fix9aiPAK(oct), 0, 0, 0.4, 0, -0.4)
	n := 0
	for _, c := range oct.Categories {
		for _, e := range c.Entries {
			if e.Kind != "claim" {
				continue
			}
			n++
			if e.Status != custody.ClaimNotCovered || !near(e.Shortfall, 0.2) || strings.Join(e.RepaidLaterBy, " ") != "urn:t:ev:R4" || strings.Join(e.RepaidLaterIn, " ") != "2025-12" ||
				!strings.Contains(e.Note, "repaid later: the deficit carried forward and credit(s) urn:t:ev:R4 of period 2025-12 repaid it") {
				t.Errorf("Oct entry %s: %+v, want not covered 0.2 t at the close, repaid later by urn:t:ev:R4 in 2025-12", e.Lot, e)
			}
		}
	}
	if n != 2 {
		t.Errorf("Oct: %d claim entries, want 2", n)
	}
	for _, r := range oct.Refused {
		if !strings.Contains(r.Error, "repaid later") {
			t.Errorf("Oct row %s: %q, want it to say repaid later", r.Lot, r.Error)
		}
	}
	var cert struct {
		Subject struct {
			Coverage struct {
				In []string `json:"coveredInPeriods"`
			} `json:"cm:claimCoverage"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(mbfxCert(t, svc, "urn:t:lot:O2", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)), &cert); err != nil || strings.Join(cert.Subject.Coverage.In, " ") != "2025-12" {
		t.Errorf("certificate coverage %+v %v, want coveredInPeriods [2025-12]", cert.Subject.Coverage, err)
	}
}
