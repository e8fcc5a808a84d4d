package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRunPuttingOutMoreThanFedRefused (issue 15, fix15s item 2): a run
// fed 100 kg with 5,000 kg of product puts out 5 t / 0.1 t = 50× its
// feed, beyond custody.MaxRunMassGain (2.2×): refused, naming both
// totals in tonnes. A run fed 100 kg putting out 200 kg (2×, reagent
// mass) passes; so does one with an input of no stated mass. (The Refine
// form applies it: web.TestRecordFormsRefuseUnrecordedLotsGainsAndOldDates.)
func TestRunPuttingOutMoreThanFedRefused(t *testing.T) {
	kg := func(v float64) *float64 { return &v }
	run := func(in *float64, out float64) *critmin.Event {
		return &critmin.Event{Type: critmin.TransformationEvent, Quantities: []critmin.QuantityElement{
			{Role: critmin.RoleInput, EPCClass: "urn:t:lot:S", Quantity: in, UOM: "KGM"},
			{Role: critmin.RoleOutput, EPCClass: "urn:t:lot:P", Quantity: kg(out), UOM: "KGM"}}}
	}
	if msg := custody.RunMassGain(run(kg(100), 5000)); !strings.Contains(msg, "outputs weigh 5 t in total, 50× its inputs' 0.1 t") {
		t.Errorf("run of 100 kg into 5,000 kg: %q, want naming 5 t and 0.1 t", msg)
	}
	if msg := custody.RunMassGain(run(kg(100), 200)); msg != "" {
		t.Errorf("run of 100 kg into 200 kg (2×): %q, want accepted", msg)
	}
	if msg := custody.RunMassGain(run(nil, 5000)); msg != "" {
		t.Errorf("run of an input taken whole: %q, want not judged", msg)
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

// TestCaptureRefusesRunPuttingOutMoreThanFed: the API's capture check
// judges a run's mass as the Refine form does. S, 20 t at site cb, run
// G into 50 t of product: 50 ÷ 20 = 2.5× > 2.2 (MaxRunMassGain), refused
// naming both totals and storing nothing; run H into 40 t (40 ÷ 20 = 2×,
// within the reagent mass an oxalate binds) is accepted.
func TestCaptureRefusesRunPuttingOutMoreThanFed(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"cb": "controlled_blending"}
	db := store(t, doc(sites, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	before, err := db.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gain := runOf("G", "cb", "2025-10-05T00:00:00Z", []string{"S:20"}, product{lot: "PG", commodity: "ree_concentrate", t: 50, assays: []string{"Nd:0.8"}})
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, gain))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "outputs weigh 50 t in total, 2.5× its inputs' 20 t") {
		t.Errorf("run of 20 t into 50 t: %v, want EINVALID naming 50 t and 20 t", err)
	}
	if n, _ := db.CountEvents(ctx); n != before {
		t.Errorf("the refused run stored %d events", n-before)
	}
	ok := runOf("H", "cb", "2025-10-05T00:00:00Z", []string{"S:20"}, product{lot: "PH", commodity: "ree_concentrate", t: 40, assays: []string{"Nd:1"}})
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, ok))}); err != nil {
		t.Errorf("run of 20 t into 40 t (2×): %v, want accepted", err)
	}
}

// TestRunMassGainJudgesTheWholeRun (b15d item 2): the check was per
// event, so run X3 fed 1 t of S with 2 t of product (2×, accepted), then
// further events of X3 listing only outputs (2 t, then 50 t) were
// accepted: 1 t fed, 54 t out. The run is judged whole: its stored
// inputs and outputs with the document's. X3's second event makes
// 2 + 2 = 4 t out of 1 t in, 4× > 2.2: refused, naming 4 t and 1 t. An
// outputs-only event of a run with no input recorded yet (run Y, 2 t)
// is not judged (nothing fed to compare with) and is accepted.
func TestRunMassGainJudgesTheWholeRun(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"cb": "controlled_blending"}
	db := store(t, doc(sites, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	ofRun := func(xid, ev string) string {
		ev = strings.Replace(ev, `"inputQuantityList": [], `, "", 1)
		return strings.Replace(ev, `"bizStep": "commissioning",`, `"bizStep": "commissioning", "transformationID": "urn:t:run:`+xid+`",`, 1)
	}
	first := ofRun("X3", runOf("X3a", "cb", "2025-10-05T00:00:00Z", []string{"S:1"}, product{lot: "P1", commodity: "ree_concentrate", t: 2, assays: []string{"Nd:0.5"}}))
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, first))}); err != nil {
		t.Fatalf("run X3, 1 t into 2 t: %v", err)
	}
	more := ofRun("X3", runOf("X3b", "cb", "2025-10-06T00:00:00Z", nil, product{lot: "P2", commodity: "ree_concentrate", t: 2, assays: []string{"Nd:0.5"}}))
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, more))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "outputs weigh 4 t in total, 4× its inputs' 1 t") {
		t.Errorf("run X3's second product, 4 t out of 1 t fed: %v, want EINVALID naming 4 t and 1 t", err)
	}
	early := ofRun("Y", runOf("Ya", "cb", "2025-10-06T00:00:00Z", nil, product{lot: "PY", commodity: "ree_concentrate", t: 2, assays: []string{"Nd:0.5"}}))
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, early))}); err != nil {
		t.Errorf("run Y's outputs before any input: %v, want accepted", err)
	}
}
