package custody_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestDeclaredObserveKeepsClaimBooked (issue 9, new-user check nu9k M2,
// fix9aw): a claim accepted at capture is never un-booked by later
// declarations in error, whatever the kind of event declared. Site mb,
// December 2025, REE factor 0.9 (t Nd+Pr):
//
//	RA (Dec 4 01:00): A, Pakistan 10 t at Nd 4 % + Pr 1 % → PA 0.6 t at
//	  Nd 60 % + Pr 15 %: credit min(10 × 5 % × 0.9 = 0.45, 0.6 × 75 % =
//	  0.45) = 0.45. RB (01:01) the same from B: 0.45. PAK credits 0.9.
//	RX (02:00): CN 10 t → X 0.5 t at 80 %, claims Pakistan 0.4 ≤ 0.9,
//	  accepted; RY (02:01): CN 10 t → Y 0.375 t at 80 %, claims 0.3 ≤ 0.5,
//	  accepted. PAK: 0 + 0.9 − 0.7 = 0.2.
//	OB (03:00): OBSERVE of PA, declared in error (Dec 5 02:00); RB
//	  declared in error (02:01), RA declared in error (02:02): PAK credits
//	  0; X and Y stay booked, not covered: 0 + 0 − 0.7 = −0.7.
//	RC (Dec 6): C, Pakistan 10 t, as RA: credit 0.45 → closing −0.25.
//	RZ (Dec 6 01:00): CN2 → Z 0.0625 t at 80 % = 0.05 t claimed
//	  Pakistan: 0.05 > −0.25, refused, shortfall 0.05 + 0.25 = 0.3 t.
//
// Before the fix Y read refused, the claims fell to 0.4 (closing −0.4,
// then 0.05 after RC) and Z was accepted. Without OB, Y stayed booked.
func TestDeclaredObserveKeepsClaimBooked(t *testing.T) {
	ox := func(id, when, in, lot string, tonnes float64) string {
		return run9aw(id, when, in, 10, lot, tonnes, 15, "")
	}
	db := mbfxStore(t, false, mbfxREE("A", "PAK", 10), mbfxREE("B", "PAK", 10), mbfxREE("C", "PAK", 10), mbfxREE("CN", "CHN", 20), mbfxREE("CN2", "CHN", 10))
	svc := mbfxService(db)
	ra := ox("RA", "2025-12-04T01:00:00Z", "A", "PA", 0.6)
	rb := ox("RB", "2025-12-04T01:01:00Z", "B", "PB", 0.6)
	mbfxCapture(t, svc, "2025-12-04T01:30:00Z", "RA", ra)
	mbfxCapture(t, svc, "2025-12-04T01:31:00Z", "RB", rb)
	mbfxCapture(t, svc, "2025-12-04T02:30:00Z", "X's claim of 0.4 t on 0.9 t", run9aw("RX", "2025-12-04T02:00:00Z", "CN", 10, "X", 0.5, 20, claimPAK))
	mbfxCapture(t, svc, "2025-12-04T02:31:00Z", "Y's claim of 0.3 t on 0.5 t", run9aw("RY", "2025-12-04T02:01:00Z", "CN", 5, "Y", 0.375, 20, claimPAK))
	at := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	sameLine(t, "Dec before", line(t, mbfxStatement(t, db, "2025-12", at), "ree", "PAK"), 0, 0.9, 0.7, 0, 0.2)
	ob := objectEv("OB", "2025-12-04T03:00:00Z", "urn:t:lot:PA", "OBSERVE", `, "bizStep": "inspecting"`)
	mbfxCapture(t, svc, "2025-12-04T03:30:00Z", "OB", ob)
	retractEvent(t, svc, ob, "2025-12-05T02:00:00Z")
	retractEvent(t, svc, rb, "2025-12-05T02:00:01Z")
	retractEvent(t, svc, ra, "2025-12-05T02:00:02Z")
	sameLine(t, "Dec after", line(t, mbfxStatement(t, db, "2025-12", at), "ree", "PAK"), 0, 0, 0.7, 0, -0.7)
	for _, lot := range []string{"X", "Y"} {
		if cl := mbfxClaim(t, db, lot); cl.Status != custody.ClaimNotCovered {
			t.Errorf("%s's claim: %s (%s), want not covered (accepted at capture, booked)", lot, cl.Status, cl.Error)
		}
	}
	mbfxCapture(t, svc, "2025-12-06T00:30:00Z", "RC", ox("RC", "2025-12-06T00:00:00Z", "C", "PC", 0.6))
	sameLine(t, "Dec with RC", line(t, mbfxStatement(t, db, "2025-12", at), "ree", "PAK"), 0, 0.45, 0.7, 0, -0.25)
	err := mbfxTry(svc, "2025-12-06T01:30:00Z", run9aw("RZ", "2025-12-06T01:00:00Z", "CN", 1, "Z", 0.0625, 20, claimPAK))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.3 t") {
		t.Errorf("Z's claim of 0.05 t on −0.25 t: %v, want refused, shortfall 0.3 t", err)
	}
}

// firstEvent9aw is the first event of a comma-joined list (runOf's
// TransformationEvent, without its outputs' fact events).
func firstEvent9aw(t *testing.T, events string) string {
	t.Helper()
	var m json.RawMessage
	if err := json.NewDecoder(strings.NewReader(events)).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return string(m)
}

// run9aw is run id at mb (transformationID urn:t:run:id) on when taking
// in tonnes of lot in and making out at Nd 60 % + Pr pr %, its facts and
// extra ILMD (a claim, or "") in the run's own ILMD.
func run9aw(id, when, in string, inT float64, out string, outT float64, pr int, extra string) string {
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "%s", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:%s",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": %d, "cm:unit": "%%", "cm:basis": "dry"}]%s}}`, id, when, id, in, inT, out, outT, pr, extra)
}
