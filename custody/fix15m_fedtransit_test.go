package custody_test

import (
	"context"
	"strings"
	"testing"
)

// TestRunFeedsReceivedLotNotInTransit (issue 15, fix15m item 1): a run's
// refusal says a lot is "in transit" only when it is at sea at the run's
// time. Lot R7 (10 t) is shipped from mb to port on 2025-11-21 (B7),
// received at port on 2025-11-22 (10,000 kg, 0 % change), and shipped on
// from port to other on 2025-11-24 (B8), so it is in transit now. A run at
// mb dated 2025-11-23 feeding 1 t of R7 is refused — the lot stood at port
// then (receipt rc7) — but not as "in transit to port": it names port as
// where the lot was. The same run dated 2025-11-24 12:00 (after the second
// shipping) is refused as in transit to other.
func TestRunFeedsReceivedLotNotInTransit(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	ship := func(id, when, from, to, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "shipping", "disposition": "in_transit", "readPoint": {"id": "urn:t:site:` + from + `"}, "quantityList": [{"epcClass": "urn:t:lot:R7", "quantity": 10000, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:` + to + `"}]}`
	}
	receipt := `{"type": "ObjectEvent", "eventID": "urn:t:ev:rc7", "eventTime": "2025-11-22T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "receiving", "bizLocation": {"id": "urn:t:site:port"}, "quantityList": [{"epcClass": "urn:t:lot:R7", "quantity": 10000, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B7"}]}`
	if err := capture(svc, commissionR("r7", "2025-11-20T00:00:00Z", "urn:t:lot:R7"), ship("s7", "2025-11-21T00:00:00Z", "mb", "port", "B7"), receipt, ship("s8", "2025-11-24T00:00:00Z", "port", "other", "B8")); err != nil {
		t.Fatal(err)
	}
	run := func(id, when string) string {
		return strings.Replace(oxideRun(id, when, "P"+id, 0.1, ""), "urn:t:lot:C2", "urn:t:lot:R7", 1)
	}
	err := capture(svc, run("x7", "2025-11-23T00:00:00Z"))
	if err == nil || strings.Contains(err.Error(), "in transit") || !strings.Contains(err.Error(), "urn:t:site:port") {
		t.Errorf("a run at mb feeding a lot then standing at port: %v; want a refusal naming port, not \"in transit\"", err)
	}
	err = capture(svc, run("y7", "2025-11-24T12:00:00Z"))
	if err == nil || !strings.Contains(err.Error(), "lot urn:t:lot:R7 cannot be fed at urn:t:site:mb: it is in transit to urn:t:site:other (shipping event urn:t:ev:s8 on 2025-11-24T00:00:00Z)") {
		t.Errorf("a run at mb feeding a lot at sea to other: %v", err)
	}
	if l, err := db.FindLot(ctx, "urn:t:lot:R7"); err != nil || l.TakenTonnes != 0 {
		t.Errorf("a refused run stored: %+v %v", l, err)
	}
}
