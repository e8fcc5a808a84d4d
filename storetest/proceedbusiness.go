package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testProceedBusinessRules (issue 11, fix11d items 1–2): a business rule
// refusal (custody.CaptureClaimCheck) is per event, like a schema error.
// The document, captured at 2025-11-01T08:00Z (svc.Now):
//
//	0  commissioning of lot P0, 2025-10-01            valid
//	1  receipt of lot UNK under bill of lading B       refused: B's recorded shipment does not carry UNK
//	2  commissioning of lot P2 dated 2031-01-01        refused: future eventTime
//	3  receipt of lot P2 under bill of lading B        refused: B's shipment does not carry P2
//
// (Bill of lading B ships lot Q, captured before. A receipt of a lot no
// event recorded, under no bill of lading a recorded shipment carries, is
// the lot's first sighting and accepted — custody.checkReceipts — so the
// receipts name B, whose shipment contradicts them.)
//
//	4  commissioning of lot P4 with action "NOPE"      refused by the schema
//	5  commissioning of lot P5, 2025-10-02             valid
//
// Under proceed events 0 and 5 are stored (2 of 6) and the job lists 1, 2,
// 3 and 4, each with the JSON pointer of its event; under rollback the 400
// lists the same four events' errors together — schema and business rule —
// and nothing is stored.
func testProceedBusinessRules(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	MustCapture(t, svc, docOf(
		commissionEv("urn:t:ev:q0", "2025-09-01T00:00:00Z", "urn:t:lot:Q", "1000", "ree_concentrate", "PAK"),
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:q1", "eventTime": "2025-09-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 1000, "uom": "KGM"}],
		 "bizLocation": {"id": "urn:critmin:site:mine-b"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B"}]}`))
	recv := func(id, lot string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "` + lot + `", "quantity": 1000, "uom": "KGM"}],
		 "bizLocation": {"id": "urn:t:site:port"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B"}]}`
	}
	bad := strings.Replace(commissionEv("urn:t:ev:p4", "2025-10-01T00:00:00Z", "urn:t:lot:P4", "1000", "ree_concentrate", "PAK"), `"ADD"`, `"NOPE"`, 1)
	body := docOf(
		commissionEv("urn:t:ev:p0", "2025-10-01T00:00:00Z", "urn:t:lot:P0", "1000", "ree_concentrate", "PAK"),
		recv("urn:t:ev:p1", "urn:t:lot:UNK"),
		commissionEv("urn:t:ev:p2", "2031-01-01T00:00:00Z", "urn:t:lot:P2", "1000", "ree_concentrate", "PAK"),
		recv("urn:t:ev:p3", "urn:t:lot:P2"),
		bad,
		commissionEv("urn:t:ev:p5", "2025-10-02T00:00:00Z", "urn:t:lot:P5", "1000", "ree_concentrate", "PAK"),
	)
	// The events each error names, by the index in its JSON pointer.
	refusedEvents := func(fields []critmin.FieldError) map[string]bool {
		t.Helper()
		got := map[string]bool{}
		for _, f := range fields {
			rest, ok := strings.CutPrefix(f.Pointer, "/epcisBody/eventList/")
			if !ok {
				t.Errorf("error %q: %s is not a JSON pointer to an event", f.Reason, f.Pointer)
				continue
			}
			got[strings.SplitN(rest, "/", 2)[0]] = true
		}
		return got
	}
	want := map[string]bool{"1": true, "2": true, "3": true, "4": true}
	eq := func(a, b map[string]bool) bool {
		if len(a) != len(b) {
			return false
		}
		for k := range a {
			if !b[k] {
				return false
			}
		}
		return true
	}

	// rollback: every error at once, nothing stored.
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(body), Behaviour: critmin.BehaviourRollback})
	var e *critmin.Error
	if !errors.As(err, &e) || e.Code != critmin.EINVALID {
		t.Fatalf("rollback: %v, want a 400 listing every error", err)
	}
	if got := refusedEvents(e.Fields); !eq(got, want) {
		t.Errorf("rollback refused events %v, want 1, 2, 3, 4 (schema and business rules together): %v", got, e.Fields)
	}
	for _, p := range []string{"/epcisBody/eventList/2/eventTime"} {
		found := false
		for _, f := range e.Fields {
			found = found || f.Pointer == p
		}
		if !found {
			t.Errorf("rollback: no error at %s (the future eventTime): %v", p, e.Fields)
		}
	}
	for _, lot := range []string{"urn:t:lot:P0", "urn:t:lot:P5"} {
		if l, err := s.FindLot(ctx, lot); err == nil && l != nil {
			t.Errorf("rollback stored lot %s", lot)
		}
	}

	// proceed: the valid events are stored, the refused ones listed.
	job, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(body), Behaviour: critmin.BehaviourProceed})
	if err != nil {
		t.Fatalf("proceed: %v, want events 0 and 5 stored", err)
	}
	var fields []critmin.FieldError
	for _, ce := range job.Errors {
		fields = append(fields, critmin.FieldError{Pointer: ce.Pointer, Reason: ce.Detail})
	}
	if got := refusedEvents(fields); !eq(got, want) {
		t.Errorf("proceed job errors name events %v, want 1, 2, 3, 4: %v", got, job.Errors)
	}
	if job.Stored != 2 || job.Success {
		t.Errorf("proceed stored %d events (success %v), want 2 of 6 (events 0 and 5), not a success", job.Stored, job.Success)
	}
	for _, lot := range []string{"urn:t:lot:P0", "urn:t:lot:P5"} {
		if l, err := s.FindLot(ctx, lot); err != nil || l == nil {
			t.Errorf("proceed: lot %s not stored: %v", lot, err)
		}
	}
	if l, err := s.FindLot(ctx, "urn:t:lot:P2"); err == nil && l != nil {
		t.Errorf("proceed stored lot P2, whose commissioning was refused")
	}
}
