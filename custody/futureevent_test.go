package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestFutureEventRefused (issue 15, fix15b 5): the capture clock is
// 2025-11-25T00:00:00Z (mbSvc). Every event, not only a claim, may lie
// after it by at most MaxClaimClockSkew (5 min):
//   - a commissioning dated 2031-01-01 is refused under its eventTime,
//     nothing stored;
//   - a sample 2025-11-25T00:06:00Z (6 min ahead) is refused;
//   - one at 00:04:00Z (4 min ahead, inside the skew) is accepted.
func TestFutureEventRefused(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:f0", "eventTime": "2031-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:FUT", "quantity": 5, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	err := capture(svc, commission)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/epcisBody/eventList/0/eventTime: the event time 2031-01-01T00:00:00Z is after this capture records it (2025-11-25T00:00:00Z) by more than the allowed clock skew of 5 minutes") {
		t.Fatalf("a commissioning in 2031: %v", err)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:FUT"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused lot was stored: %v", err)
	}
	if err := capture(svc, objectEv("f1", "2025-11-25T00:06:00Z", "urn:t:lot:C2", "OBSERVE", massReport("40000"))); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "allowed clock skew") {
		t.Errorf("an event 6 min ahead: %v", err)
	}
	// C2 is 40 t, 10 t of it consumed by E6: 30 t stand, what a ticket
	// weighs (issue 15, fix15t: a weighing weighs what stands).
	if err := capture(svc, objectEv("f2", "2025-11-25T00:04:00Z", "urn:t:lot:C2", "OBSERVE", massReport("30000"))); err != nil {
		t.Errorf("an event 4 min ahead, within the skew: %v", err)
	}
}
