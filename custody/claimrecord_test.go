package custody_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestAcceptedClaimIsARecord (fix9b item 4): an accepted claim keeps the
// tonnes it took when it was made; a later moisture report on the
// claimed lot changes the lot's dry mass from then on, not the claim. In
// mbStore, O3 (1 t dry of oxide at 60 % Nd + 20 % Pr) claims Pakistan on
// November 10: 1 × 80 % = 0.8 t Nd+Pr, accepted. November's PAK line:
// opening 2.9 (October's closing), credits 20 × 5 % × 0.9 = 0.9, claims
// O3 0.8 + K (0.5 t × 80 % = 0.4) = 1.2, both taken from October's
// credit first; October's 2.9 − 1.2 = 1.7 expires at November's end
// (carry forward one period), closing 2.9 + 0.9 − 1.2 − 1.7 = 0.9. A moisture report of 20 % on O3 on November 21 makes
// it 1 × (1 − 0.2) = 0.8 t dry; read as the claim's figure, it would
// claim 0.64 t and the line would read claims 1.04, closing 0.9 still
// but 1.86 expired. It does not: O3's claim stays
// 0.8 t, and the lot itself now reads 0.8 t dry. The credit is bounded
// by what run E5's products hold (fix9c) as the run made them (fix9h F3,
// one basis): O3 as made is 1 t dry at 80 % = 0.8 t, with O3R's 0.15 t
// 0.95 t ≥ 20 × 5 % × 0.9 = 0.9, so November's credits stay 0.9 and its
// closing 2.9 + 0.9 − 1.2 − 1.7 = 0.9 — the report, a later fact, changes
// the lot from then on, not what the run made. (Before fix9h the bound
// read O3's reported moisture: 0.8 × 80 % + 0.15 = 0.79 t credits.)
func TestAcceptedClaimIsARecord(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	// November read once it has ended: its expiry is then expired, not
	// a projection (TestOpenPeriodExpiryIsProjection).
	ended := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	before, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, ended)
	if err != nil {
		t.Fatal(err)
	}
	pak := line(t, before, "ree", "PAK")
	sameLine(t, "2025-11 before", pak, 2.9, 0.9, 1.2, 1.7, 0.9)
	err = capture(svc, objectEv("M1", "2025-11-21T00:00:00Z", "urn:t:lot:O3", "OBSERVE",
		`, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 20, "uom": "P1"}]}]`))
	if err != nil {
		t.Fatalf("moisture report on O3: %v", err)
	}
	o3, err := db.FindLot(ctx, "urn:t:lot:O3")
	if err != nil || !near(o3.DryTonnes, 0.8) {
		t.Fatalf("O3 after the report: %+v %v, want 0.8 t dry", o3, err)
	}
	after, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, ended)
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "2025-11 after", line(t, after, "ree", "PAK"), 2.9, 0.9, 1.2, 1.7, 0.9)
	o, err := custody.Origin(ctx, db, "urn:t:lot:O3")
	if err != nil {
		t.Fatal(err)
	}
	if o.Claimed == nil || o.Claimed.Status != custody.ClaimAccepted || !near(o.Claimed.Tonnes, 0.8) {
		t.Errorf("O3's claim %+v, want accepted at 0.8 t", o.Claimed)
	}
}
