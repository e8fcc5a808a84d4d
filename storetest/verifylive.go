package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
)

// testVerifyWhileWriting (issue 14, new-user check: verify on a live
// PostgreSQL store failed with "table tokens, row name=…, stored present,
// rebuilt from the log absent" and "chain_roots … last_seq: stored 10229,
// rebuilt from the log 10179" when a token was created or a capture
// committed while it ran): a writer commits a token and a capture between
// every two of verify's reads (sqldb.DB.VerifyStep, no sleeps); verify,
// reading one snapshot, still passes, and a second verify sees the
// writes.
func testVerifyWhileWriting(t *testing.T, open Opener) {
	s := open(t)
	verifyFixture(t, s)
	db := s.(*sqldb.DB)
	svc := service(s)
	steps := 0
	db.VerifyStep = func(step string) {
		steps++
		if err := s.CreateToken(context.Background(), &critmin.Token{Name: fmt.Sprintf("during%d", steps), Role: critmin.RoleViewer, Hash: fmt.Sprintf("hash-during-%d", steps), CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		MustCapture(t, svc, lotStateDoc(fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:uuid:30000000-0000-4000-8000-%012d", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
     "quantityList": [{"epcClass": "urn:critmin:lot:ree-1"}], "bizLocation": {"id": "urn:critmin:site:mine-a"}}`, steps)))
	}
	rep := verifyFull(t, s, nil, true)
	if steps < 3 {
		t.Fatalf("the writer ran at %d of verify's steps, want at least 3 (the seam is not reached)", steps)
	}
	if !rep.OK() {
		t.Fatalf("verify with writes committed between its reads: problem %v, difference %v, period %q, record %v", rep.Problem, rep.Difference, rep.PeriodProblem, rep.RecordProblem)
	}
	db.VerifyStep = nil
	after := verifyFull(t, s, nil, true)
	if !after.OK() {
		t.Fatalf("verify after the writes: problem %v, difference %v", after.Problem, after.Difference)
	}
	// Each step captured one event: the second verify reads them all.
	if after.Records != rep.Records+int64(steps) {
		t.Fatalf("second verify read %d records, want %d + %d written during the first", after.Records, rep.Records, steps)
	}
}
