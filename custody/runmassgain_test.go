package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRunPuttingOutMoreThanFedRefused (issue 15, fix15s item 2): lot S
// holds 20 t. A run fed 100 kg of it with 5,000 kg of product puts out
// 5 t / 0.1 t = 50× its feed, beyond custody.MaxRunMassGain (2.2×):
// refused, naming both totals in tonnes, nothing stored. A run fed
// 100 kg putting out 200 kg (2×, reagent mass) is accepted.
func TestRunPuttingOutMoreThanFedRefused(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"cb": "controlled_blending"}
	db := store(t, doc(sites, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	run := func(id, out string) string {
		return cbEvent(id, "12", `"type": "TransformationEvent", "inputQuantityList": [{"epcClass": "urn:t:lot:S", "quantity": 100, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:P`+id+`", "quantity": `+out+`, "uom": "KGM"}]`)
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, run("1", "5000")))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "outputs weigh 5 t in total, 50× its inputs' 0.1 t") {
		t.Errorf("run of 100 kg into 5,000 kg: %v, want EINVALID naming 5 t and 0.1 t", err)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:P1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("product P1 after the refusal: %v, want not found", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, run("2", "200")))}); err != nil {
		t.Errorf("run of 100 kg into 200 kg (2×): %v, want accepted", err)
	}
}

// TestAncientEventRefused (issue 15, fix15s item 5): a commissioning
// dated 1800-01-01T10:00:00Z is before custody.EarliestEventTime
// (2000-01-01) and is refused naming eventTime; one dated 2000-01-01 is
// accepted.
func TestAncientEventRefused(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"cb": "controlled_blending"}
	db := store(t, doc(sites, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	old := strings.Replace(atCB(feed("OLD", "ree_concentrate", "PAK", 5, "Nd:2")), "2025-10-01T00:00:00Z", "1800-01-01T10:00:00Z", 1)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, old))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "eventTime") || !strings.Contains(err.Error(), "before 2000-01-01") {
		t.Errorf("commissioning dated 1800: %v, want EINVALID naming eventTime and 2000-01-01", err)
	}
	y2k := strings.Replace(atCB(feed("Y2K", "ree_concentrate", "PAK", 5, "Nd:2")), "2025-10-01T00:00:00Z", "2000-01-01T00:00:00Z", 1)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, y2k))}); err != nil {
		t.Errorf("commissioning dated 2000-01-01: %v, want accepted", err)
	}
}
