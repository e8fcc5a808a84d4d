package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// testLotNotContainer (issue 15, fix15zm): a lot is a class, a container
// an instance (EPCIS 2.0 §7.3.3). With lot L commissioned, capture refuses
// (409, nothing stored) and the preview refuses too: an AggregationEvent
// whose parentID is L; a shipment listing L in its epcList among its
// containers; a document that commissions lot N and packs into N; and,
// the other way round, a lot commissioned under the identifier of
// container C once C has been a parentID. Each error names the field,
// says why and names the event that used the identifier the other way.
// Packing L into C passes.
func testLotNotContainer(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	const (
		lotL = "urn:critmin:demo:lot:ZM-L"
		lotM = "urn:critmin:demo:lot:ZM-M"
		lotN = "urn:critmin:demo:lot:ZM-N"
		cont = "urn:critmin:demo:container:ZMCU0000001"
	)
	MustCapture(t, svc, docOf(
		commissionEv("urn:uuid:00000000-0000-4000-8000-0000000f1501", "2025-11-01T08:00:00Z", lotL, "20000", "ree_concentrate", "PAK"),
		commissionEv("urn:uuid:00000000-0000-4000-8000-0000000f1502", "2025-11-01T08:00:00Z", lotM, "5000", "ree_concentrate", "PAK")))
	pack := func(id, parent, child string) string {
		return `{"type": "AggregationEvent", "eventID": "` + id + `", "eventTime": "2025-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		 "action": "ADD", "bizStep": "packing", "parentID": "` + parent + `", "childQuantityList": [{"epcClass": "` + child + `", "quantity": 1000, "uom": "KGM"}]}`
	}
	ship := `{"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000000f1504", "eventTime": "2025-11-03T08:00:00Z", "eventTimeZoneOffset": "+00:00",
	 "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "epcList": ["urn:critmin:demo:container:ZMCU0000009", "` + lotL + `"]}`
	refused := func(what, doc, field string, wants ...string) {
		t.Helper()
		before, err := s.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || len(fs) != 1 || !strings.HasSuffix(fs[0].Pointer, field) {
			t.Errorf("%s: %v %+v; want one conflict at %s", what, err, fs, field)
		} else {
			for _, w := range wants {
				if !strings.Contains(fs[0].Reason, w) {
					t.Errorf("%s: %q does not say %q", what, fs[0].Reason, w)
				}
			}
		}
		if after, err := s.CountEvents(ctx); err != nil || after != before {
			t.Errorf("%s: %d events stored before, %d after (%v): the refused capture left events", what, before, after, err)
		}
		// The preview (the forms, the import) refuses as capture does.
		perEvent, err := svc.Validate(ctx, []byte(doc))
		found := false
		for _, f := range critmin.ErrorFields(err) {
			found = found || strings.HasSuffix(f.Pointer, field) && strings.Contains(f.Reason, wants[0])
		}
		for _, fe := range perEvent {
			for _, f := range fe {
				found = found || strings.HasSuffix(f.Pointer, field) && strings.Contains(f.Reason, wants[0])
			}
		}
		if !found {
			t.Errorf("%s: preview %+v, %v; want the refusal at %s", what, perEvent, err, field)
		}
	}
	refused("lot L as a parentID", docOf(pack("urn:uuid:00000000-0000-4000-8000-0000000f1503", lotL, lotM)), "/parentID",
		"parentID "+lotL+" is a lot", "not a container", "urn:uuid:00000000-0000-4000-8000-0000000f1501")
	refused("lot L shipped as a container", docOf(ship), "/epcList/1",
		"epcList "+lotL+" is a lot", "quantityList")
	refused("lot N commissioned and used as a parent in one document", docOf(
		commissionEv("urn:uuid:00000000-0000-4000-8000-0000000f1505", "2025-11-01T09:00:00Z", lotN, "3000", "ree_concentrate", "PAK"),
		pack("urn:uuid:00000000-0000-4000-8000-0000000f1506", lotN, lotM)), "/parentID", "parentID "+lotN+" is a lot")
	// Packing into a container passes; the container is then no lot.
	MustCapture(t, svc, docOf(pack("urn:uuid:00000000-0000-4000-8000-0000000f1507", cont, lotL)))
	refused("container C commissioned as a lot", docOf(
		commissionEv("urn:uuid:00000000-0000-4000-8000-0000000f1508", "2025-11-04T08:00:00Z", cont, "1000", "ree_concentrate", "PAK")),
		"/quantityList/0/epcClass", "quantityList epcClass "+cont+" is a container", "urn:uuid:00000000-0000-4000-8000-0000000f1507")
}
