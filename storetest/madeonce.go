package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testMadeOnceNamesMaker (issue 8 §2, fixNn item 1): a lot is made once
// (custody checkMadeOnce), and the event that made it is one that makes
// it — a commissioning, a run's output, a receipt as first sighting —
// never a run that only took it as input. Lot L (10 t, c) is fed whole
// to run x0 into 8 t of E1; run r1 takes those 8 t of E1 into 6 t of F.
// x0 is declared in error: E1 is no longer made by any standing event
// (r1 only consumed it). A corrective run x0c (10 t of L into 8 t of
// E1, dated before r1) is taken — alone after the declaration, or with
// it in one document — not refused as "E1 already exists (made by run
// r1)". While x0 stands, the same output is refused naming x0, the real
// maker; E1's commissioning likewise names the commissioning, not r1.
func testMadeOnceNamesMaker(t *testing.T, open Opener) {
	ctx := context.Background()
	c := strandedCommission("c", "L", "10")
	x0 := declaredLotRun("x0", "2025-10-02", "L", "10", "E1", "8")
	r1 := declaredLotRun("r1", "2025-10-03", "E1", "8", "F", "6")
	x0c := declaredLotRun("x0c", "2025-10-02", "L", "10", "E1", "8")
	svcOf := func(t *testing.T) (critmin.Store, *ledger.Service) {
		s := open(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		return s, svc
	}
	t.Run("corrective run after the declaration", func(t *testing.T) {
		_, svc := svcOf(t)
		MustCapture(t, svc, retractDoc(c, x0, r1))
		MustCapture(t, svc, retractDoc(strandedDeclared(t, x0)))
		MustCapture(t, svc, retractDoc(x0c))
	})
	t.Run("corrective run with the declaration", func(t *testing.T) {
		_, svc := svcOf(t)
		MustCapture(t, svc, retractDoc(c, x0, r1))
		MustCapture(t, svc, retractDoc(strandedDeclared(t, x0), x0c))
	})
	t.Run("maker standing", func(t *testing.T) {
		_, svc := svcOf(t)
		MustCapture(t, svc, retractDoc(c, strandedCommission("c2", "M", "10"), x0, r1))
		// Another run of M naming E1 as output: E1 was made by x0
		// (2025-10-02), whatever r1 (2025-10-03) did with it.
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(declaredLotRun("y", "2025-10-04", "M", "10", "E1", "8")))})
		msg := critmin.ErrorMessage(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "lot urn:t:lot:E1 already exists (made by run urn:t:ii:xform:x0 (event urn:t:ii:x0) on 2025-10-02") {
			t.Fatalf("a second run naming E1 as output: %v; want a conflict naming x0, the run that made E1", err)
		}
		if strings.Contains(msg, "urn:t:ii:r1") {
			t.Errorf("the refusal names r1, which only took E1 as input:\n%s", msg)
		}
	})
	t.Run("commissioned lot consumed", func(t *testing.T) {
		_, svc := svcOf(t)
		// E1 commissioned (ce, 8 t), taken whole by r1; a run of L
		// naming E1 as output is refused naming the commissioning.
		MustCapture(t, svc, retractDoc(c, strandedCommission("ce", "E1", "8"), r1))
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(declaredLotRun("y", "2025-10-04", "L", "10", "E1", "8")))})
		if msg := critmin.ErrorMessage(err); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "lot urn:t:lot:E1 already exists (commissioned by event urn:t:zk:ce on 2025-10-01") {
			t.Fatalf("a run naming the commissioned E1 as output: %v; want a conflict naming the commissioning ce", err)
		}
	})
	t.Run("consumed earlier in the document", func(t *testing.T) {
		_, svc := svcOf(t)
		MustCapture(t, svc, retractDoc(c, x0))
		// r1 takes E1 and y names E1 as output in one document: the
		// maker is x0 (stored), not r1 (earlier in the document).
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(r1, declaredLotRun("y", "2025-10-04", "F", "6", "E1", "5")))})
		if msg := critmin.ErrorMessage(err); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "(made by run urn:t:ii:xform:x0 (event urn:t:ii:x0)") {
			t.Fatalf("r1 then y naming E1 as output in one document: %v; want a conflict naming x0", err)
		}
	})
}
