package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// testRepacking: a child is in one container at a time (EPCIS 2.0
// §7.3.5; CBV packing and unpacking). Lot r-1 (20,000 kg) is packed
// whole into C1, C1 is emptied (a DELETE naming no children) and r-1 is
// packed into C2, all in one capture: accepted. Packing 1 kg of it into
// C3 is then refused, by capture and by the preview (Validate), naming
// the lot, C2 and the packing event; PackedIn reports C2. Once the C2
// packing is declared in error, r-1 is in no container and packs into
// C3. An instance (childEPCs) in C4 is refused into C5, but ADDed to C4
// again is not.
func testRepacking(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	const lot = "urn:critmin:lot:r-1"
	agg := func(id, action, parent, children string) string {
		return `{"type": "AggregationEvent", "eventID": "` + id + `", "eventTime": "2025-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		 "action": "` + action + `", "bizStep": "packing", "parentID": "` + parent + `"` + children + `}`
	}
	qty := func(kg string) string {
		return `, "childQuantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}]`
	}
	const c1, c2, c3 = "urn:epc:id:sscc:0614141.1000000001", "urn:epc:id:sscc:0614141.1000000002", "urn:epc:id:sscc:0614141.1000000003"
	MustCapture(t, svc, docOf(commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000f0", "2025-11-01T08:00:00Z", lot, "20000", "ree_concentrate", "PAK"),
		agg("urn:uuid:00000000-0000-4000-8000-0000000000f1", "ADD", c1, qty("20000")),
		agg("urn:uuid:00000000-0000-4000-8000-0000000000f2", "DELETE", c1, ""),
		agg("urn:uuid:00000000-0000-4000-8000-0000000000f3", "ADD", c2, qty("20000"))))
	in, err := s.PackedIn(ctx, []string{lot}, time.Time{})
	if err != nil || len(in) != 1 || in[0].Container != c2 || in[0].EventID != "urn:uuid:00000000-0000-4000-8000-0000000000f3" {
		t.Fatalf("PackedIn(%s) = %+v, %v; want C2 by …f3", lot, in, err)
	}
	again := docOf(agg("urn:uuid:00000000-0000-4000-8000-0000000000f4", "ADD", c3, qty("1")))
	want := "lot " + lot + " is already packed whole in container " + c2 + " (event urn:uuid:00000000-0000-4000-8000-0000000000f3)"
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(again)})
	if fs := critmin.ErrorFields(err); err == nil || len(fs) != 1 || !strings.Contains(fs[0].Reason, want) || !strings.HasSuffix(fs[0].Pointer, "childQuantityList/0/epcClass") {
		t.Errorf("packing a lot packed whole elsewhere: %v %+v; want %q", err, fs, want)
	}
	if _, err := s.FindEventsByID(ctx, "urn:uuid:00000000-0000-4000-8000-0000000000f4"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused packing was stored: %v", err)
	}
	perEvent, err := svc.Validate(ctx, []byte(again))
	if err != nil || len(perEvent) != 1 || len(perEvent[0]) != 1 || !strings.Contains(perEvent[0][0].Reason, want) ||
		perEvent[0][0].Pointer != "/epcisBody/eventList/0/childQuantityList/0/epcClass" {
		t.Errorf("preview: %+v, %v; want %q", perEvent, err, want)
	}
	// The packing into C2 declared in error: r-1 is in no container.
	MustCapture(t, svc, docOf(`{"type": "AggregationEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000000000f3", "eventTime": "2025-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
	 "action": "ADD", "bizStep": "packing", "parentID": "`+c2+`"`+qty("20000")+`, "errorDeclaration": {"declarationTime": "2025-11-03T08:00:00Z", "reason": "incorrect_data"}}`))
	if in, err := s.PackedIn(ctx, []string{lot}, time.Time{}); err != nil || len(in) != 0 {
		t.Errorf("PackedIn after the declaration: %+v, %v; want none", in, err)
	}
	MustCapture(t, svc, again)

	// Instances: a bag in C4 cannot go into C5; ADD to C4 again is no move.
	const bag, c4, c5 = "urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sscc:0614141.1000000004", "urn:epc:id:sscc:0614141.1000000005"
	MustCapture(t, svc, docOf(agg("urn:uuid:00000000-0000-4000-8000-0000000000f5", "ADD", c4, `, "childEPCs": ["`+bag+`"]`)))
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(docOf(agg("urn:uuid:00000000-0000-4000-8000-0000000000f6", "ADD", c5, `, "childEPCs": ["`+bag+`"]`)))})
	if fs := critmin.ErrorFields(err); err == nil || len(fs) != 1 || !strings.Contains(fs[0].Reason, bag+" is already packed in container "+c4) {
		t.Errorf("a bag in C4 packed into C5: %v %+v", err, fs)
	}
	MustCapture(t, svc, docOf(agg("urn:uuid:00000000-0000-4000-8000-0000000000f7", "ADD", c4, `, "childEPCs": ["`+bag+`"]`)))
}
