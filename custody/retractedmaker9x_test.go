package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestCaptureClaimNamesRetractedMaker (fix9x item 2): a claim captured on
// a lot whose making run was declared in error is refused at capture with
// the words the read path gives (TestClaimOnRetractedRunOutputNamed): no
// transformation produced it that stands, the run that made it, event E1,
// was declared in error, with when and why — not as if no run ever had.
// E1 (Oct 5, site mb): A9 10 t → O, 0.5 t oxide (0.4 t Nd+Pr), no claim;
// E1 declared in error Oct 20; an ObjectEvent ADD on Oct 21 claims O
// Pakistani.
func TestCaptureClaimNamesRetractedMaker(t *testing.T) {
	ctx := context.Background()
	r := runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"A9:10"}, product{lot: "O", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}})
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("A9", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"), r))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	retractEvent(t, svc, r[:strings.Index(r, `,{"type": "ObjectEvent"`)], "2025-10-20T00:00:00Z")
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-22T00:00:00Z")
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:L1", "eventTime": "2025-10-21T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:O"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`)})
	want := "claim on lot urn:t:lot:O refused: a claim is made by the mass-balance site that produced the lot, and no transformation produced it that stands: the run that made it, the run of event urn:t:ev:E1 (no transformationID, 2025-10-05), was declared in error on 2025-10-20T00:00:00Z (reason incorrect_data)"
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "urn:t:ev:E1") || !strings.Contains(err.Error(), "declared in error on 2025-10-20T00:00:00Z (reason incorrect_data)") {
		t.Fatalf("claim on the retracted run's output: %v,\nwant EINVALID naming run event E1 declared in error, as the read path: %s", err, want)
	}
	found := false
	for _, f := range critmin.ErrorFields(err) {
		found = found || f.Reason == want
	}
	if !found {
		t.Errorf("capture refusal fields %+v,\nwant the reason %q", critmin.ErrorFields(err), want)
	}
}
