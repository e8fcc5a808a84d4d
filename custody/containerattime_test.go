package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// packCX packs kg of lot CX into container c at site mb (ADD), or unpacks
// it (DELETE).
func packCX(id, when, action, c, kg string) string {
	return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "` + action + `",
	 "bizStep": "packing", "disposition": "in_progress", "bizLocation": {"id": "urn:t:site:mb"}, "parentID": "urn:t:container:` + c + `",
	 "childQuantityList": [{"epcClass": "urn:t:lot:CX", "quantity": ` + kg + `, "uom": "KGM"}]}`
}

// containedLot is lot CX, 10,000 kg at site mb from 2025-10-01, packed
// whole into container C1 on 2025-10-02 and unpacked from it on
// 2025-10-10.
func containedLot(t *testing.T) (critmin.Store, *ledger.Service, func(...string) error) {
	t.Helper()
	db, svc := mbSvc(t)
	c := func(evs ...string) error { return capture(svc, evs...) }
	if err := c(`{"type": "ObjectEvent", "eventID": "urn:t:ev:CX0", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:CX", "quantity": 10000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		packCX("CX1", "2025-10-02T00:00:00Z", "ADD", "C1", "10000"),
		packCX("CX2", "2025-10-10T00:00:00Z", "DELETE", "C1", "10000")); err != nil {
		t.Fatal(err)
	}
	return db, svc, c
}

// TestPackingJudgedAtItsEventTime (item 3): "a lot is in one container
// at a time" (EPCIS 2.0 §7.3.5) is judged at the packing's eventTime
// (EPCIS 2.0 §7.3: when it happened, not when it is recorded). Lot CX was
// in C1 from 2025-10-02 to 2025-10-10:
//
//   - packing it whole into C2 dated 2025-10-05, recorded after the
//     unpacking, is refused (on 2025-10-05 it was in C1), nothing stored;
//   - dated 2025-10-11 it is accepted;
//   - a packing of CX into C3 dated 2025-10-01T12:00 (before C1's) is
//     refused too: it would leave the recorded packing into C1 of
//     2025-10-02 packing a lot then in C3.
func TestPackingJudgedAtItsEventTime(t *testing.T) {
	ctx := context.Background()
	db, svc, c := containedLot(t)
	// The forms' preview (Service.Validate) judges it alike.
	if errs, err := svc.Validate(ctx, mbDoc(packCX("CX3", "2025-10-05T00:00:00Z", "ADD", "C2", "10000"))); err != nil || len(errs) != 1 || len(errs[0]) == 0 || !strings.Contains(errs[0][0].Reason, "urn:t:container:C1") {
		t.Fatalf("the preview of CX packed into C2 on 2025-10-05: %v, %v; want refused naming C1", errs, err)
	}
	err := c(packCX("CX3", "2025-10-05T00:00:00Z", "ADD", "C2", "10000"))
	t.Log(err)
	// A lot in another container conflicts with the record: ECONFLICT
	// (409; issue 15, fix15w).
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:container:C1") {
		t.Fatalf("CX packed into C2 on 2025-10-05, while in C1: %v; want refused naming C1", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:CX3"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("the refused packing was stored: %v", err)
	}
	err = c(packCX("CX4", "2025-10-01T12:00:00Z", "ADD", "C3", "10000"))
	t.Log(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:ev:CX1") {
		t.Fatalf("CX packed into C3 before its recorded packing into C1: %v; want refused naming urn:t:ev:CX1", err)
	}
	if err := c(packCX("CX5", "2025-10-11T00:00:00Z", "ADD", "C2", "10000")); err != nil {
		t.Fatalf("CX packed into C2 after its unpacking from C1: %v", err)
	}
}
