package custody_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// TestMessagesNameLotCanonically (issue 9, new-user check): lot L is
// commissioned under its EPC class URN (10 t); a run names it by the same
// URN and takes 15 t, 5 t more than the 10 t it holds. The refusal names
// the lot in the one spelling the platform displays (its canonical GS1
// Digital Link, epcis.Canonical), never the URN the event used: a user
// sees one identifier for one lot across messages.
func TestMessagesNameLotCanonically(t *testing.T) {
	const urn = "urn:epc:class:lgtin:4012345.012345.L1"
	dl := epcis.Canonical(urn)
	if dl == urn {
		t.Fatalf("fixture: %s has no Digital Link form", urn)
	}
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		strings.ReplaceAll(feed("L", "ree_concentrate", "PAK", 10, "Nd:2"), "urn:t:lot:L", urn)))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc(map[string]string{"cb": "controlled_blending"},
		strings.ReplaceAll(runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"L:15"}, product{lot: "Y", commodity: "ree_carbonate", t: 5, assays: []string{"Nd:5"}}), "urn:t:lot:L", urn)))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("over-consumption not refused: %v", err)
	}
	msg := err.Error()
	var ce *critmin.Error
	if errors.As(err, &ce) {
		for _, fe := range ce.Fields {
			msg += " " + fe.Reason
		}
	}
	if !strings.Contains(msg, dl) || strings.Contains(msg, urn) {
		t.Errorf("message %q, want the lot named %s only", msg, dl)
	}
}

// TestGainNamesSiteCanonically: run R at a site its event names by EPC
// URN (urn:epc:id:sgln:4012345.00008.0) takes 10 t of F at 2 % Nd (0.2 t
// Nd) and makes Y, 5 t at 10 % Nd (0.5 t > 0.2 t × 1.005): element_gain,
// whose detail names the site by its canonical Digital Link only.
func TestGainNamesSiteCanonically(t *testing.T) {
	const urn = "urn:epc:id:sgln:4012345.00008.0"
	dl := epcis.Canonical(urn)
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("F", "ree_concentrate", "PAK", 10, "Nd:2"),
		strings.ReplaceAll(runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"F:10"}, product{lot: "Y", commodity: "ree_carbonate", t: 5, assays: []string{"Nd:10"}}), "urn:t:site:cb", urn)))
	c, err := custody.Origin(context.Background(), db, "urn:t:lot:Y")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range c.Anomalies {
		if a.Kind == "element_gain" {
			found = true
			if !strings.Contains(a.Detail, dl) || strings.Contains(a.Detail, urn) {
				t.Errorf("detail %q, want the site named %s only", a.Detail, dl)
			}
		}
	}
	if !found {
		t.Errorf("no element_gain: %+v", c.Anomalies)
	}
}
