package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRollbackCountsInvalidAndConflictingApart (b15d item 4): a rollback
// capture of two events, one invalid (no eventTimeZoneOffset) and one
// conflicting with the record (run R feeds 30 t of S, which holds 20 t),
// said "2 of 2 events are invalid"; proceed's job says 1 invalid and 1
// conflicting, and so does the synchronous message now.
func TestRollbackCountsInvalidAndConflictingApart(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"cb": "controlled_blending"}
	db := store(t, doc(sites, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	over := runOf("R", "cb", "2025-10-05T00:00:00Z", []string{"S:30"}, product{lot: "PR", commodity: "ree_concentrate", t: 20, assays: []string{"Nd:2"}})
	bad := strings.Replace(atCB(feed("B", "ree_concentrate", "PAK", 5, "Nd:2")), `"eventTimeZoneOffset": "+00:00",`, "", 1)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, over+","+bad))})
	if err == nil || !strings.Contains(err.Error(), "1 invalid, 1 conflicts with the record") {
		t.Errorf("rollback of one invalid and one conflicting event: %v, want the two counted apart", err)
	}
}
