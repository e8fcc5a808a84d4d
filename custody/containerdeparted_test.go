package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// sscc is container CA, an SSCC; ssccDL is the same container in its
// GS1 Digital Link spelling (epcis.Canonical).
const sscc = "urn:epc:id:sscc:0614141.1234567890"

// packInto packs kg of lot into container c at site mb on when.
func packInto(id, when, lot, c, kg string) string {
	return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizStep": "packing", "disposition": "in_progress", "bizLocation": {"id": "urn:t:site:mb"}, "parentID": "` + c + `",
	 "childQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}]}`
}

// shipFrom ships container c, holding kg of lot, from site mb on when
// under bill of lading bol.
func shipFrom(id, when, lot, c, kg, bol string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "shipping", "disposition": "in_transit", "epcList": ["` + c + `"], "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}],
	 "readPoint": {"id": "urn:t:site:mb"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}],
	 "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]}`
}

// commissionAt commissions 10,000 kg of lot at site mb on 2025-10-01.
func commissionAt(id, lot string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`
}

// TestPackedAtSeaJudgesEachContainerOnItsOwn: the capture-time check
// reads the stored movements of all the containers a document packs at
// once (one query, split by container), and each container is still
// judged on its own movements only, whatever spelling names it. Lots LA
// and LB (10,000 kg each at mb, 2025-10-01); 5,000 kg of LA packed into
// container CA (an SSCC, spelled as an EPC URN) and 5,000 kg of LB into
// CB on 2025-10-02; CA shipped on 2025-10-03 (B/L 031), CB not.
//
//   - One document packing the other 5,000 kg of LA into CA — spelled as
//     a GS1 Digital Link — and of LB into CB, both on 2025-10-05: only
//     the packing into CA is refused (CA left on 2025-10-03, shipping
//     event SA); the packing into CB is not named. Nothing is stored.
//   - The packing into CB alone is then accepted.
//   - A shipping of CB dated 2025-10-04, entered after it, is refused:
//     it would leave the recorded packing PB2 of 2025-10-05 packing a
//     container at sea.
func TestPackedAtSeaJudgesEachContainerOnItsOwn(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	ssccDL := epcis.Canonical(sscc)
	if ssccDL == sscc {
		t.Fatalf("epcis.Canonical(%s) = itself; want its Digital Link spelling", sscc)
	}
	if err := capture(svc, commissionAt("LA0", "LA"), commissionAt("LB0", "LB"),
		packInto("PA1", "2025-10-02T00:00:00Z", "LA", sscc, "5000"),
		packInto("PB1", "2025-10-02T00:00:00Z", "LB", "urn:t:container:CB", "5000"),
		shipFrom("SA", "2025-10-03T00:00:00Z", "LA", sscc, "5000", "031")); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, packInto("PA2", "2025-10-05T00:00:00Z", "LA", ssccDL, "5000"),
		packInto("PB2", "2025-10-05T00:00:00Z", "LB", "urn:t:container:CB", "5000"))
	t.Log(err)
	e, ok := err.(*critmin.Error)
	if !ok || e.Code != critmin.ECONFLICT || len(e.Fields) != 1 {
		t.Fatalf("PA2 into CA at sea and PB2 into CB at mb: %v; want refused with one field, PA2's", err)
	}
	if f := e.Fields[0]; !strings.Contains(f.Pointer, "eventList/0") || !strings.Contains(f.Reason, "urn:t:ev:SA") || !strings.Contains(f.Reason, "urn:t:bol:031") {
		t.Errorf("the refusal %q: %q; want event 0 (PA2) refused naming shipping event SA and B/L 031", f.Pointer, f.Reason)
	}
	for _, id := range []string{"urn:t:ev:PA2", "urn:t:ev:PB2"} {
		if _, err := db.FindEventsByID(ctx, id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s of the refused document was stored: %v", id, err)
		}
	}
	if err := capture(svc, packInto("PB2", "2025-10-05T00:00:00Z", "LB", "urn:t:container:CB", "5000")); err != nil {
		t.Fatalf("PB2 into CB alone: %v; want accepted", err)
	}
	err = capture(svc, shipFrom("SB", "2025-10-04T00:00:00Z", "LB", "urn:t:container:CB", "5000", "032"))
	t.Log(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:ev:PB2") || !strings.Contains(err.Error(), "at sea") {
		t.Errorf("CB shipped on 2025-10-04, before its recorded packing PB2 of 2025-10-05: %v; want refused naming PB2", err)
	}
}

// TestPackingIntoALoadedContainerIsRefused: a loading sends a container
// away as a shipping does (ledger.Departs: CBV 2.0 §7.2, the books put
// what it holds in transit). Lot LL 10,000 kg at mb on 2025-10-01,
// 5,000 kg packed into CL on 2025-10-02, CL loaded (bizStep loading,
// disposition in_transit, B/L 041) on 2025-10-03: packing the other
// 5,000 kg into CL on 2025-10-05 is refused naming the loading event,
// nothing stored (it counted only shipping and departing: the packing
// was taken while the books showed CL at sea with 5 t).
func TestPackingIntoALoadedContainerIsRefused(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	load := strings.Replace(shipFrom("LL-load", "2025-10-03T00:00:00Z", "LL", "urn:t:container:CL", "5000", "041"), `"bizStep": "shipping"`, `"bizStep": "loading"`, 1)
	if err := capture(svc, commissionAt("LL0", "LL"), packInto("PL1", "2025-10-02T00:00:00Z", "LL", "urn:t:container:CL", "5000"), load); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, packInto("PL2", "2025-10-05T00:00:00Z", "LL", "urn:t:container:CL", "5000"))
	if err == nil || !strings.Contains(err.Error(), "urn:t:ev:LL-load") || !strings.Contains(err.Error(), "container urn:t:container:CL cannot be packed") {
		t.Fatalf("PL2 into CL after its loading: %v; want refused naming loading event LL-load", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:PL2"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("PL2 was stored: %v", err)
	}
}
