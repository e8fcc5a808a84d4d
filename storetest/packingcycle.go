package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// testPackingCycle: the containment hierarchy is a tree (EPCIS 2.0
// §7.3.5). With C2 packed in C1 by one capture, a later capture packing C1
// into C2 is refused as a cycle, by capture and by the preview, naming the
// chain, and stores nothing; so is packing C3 into C2 once C1 is in C3 (C3
// ⊃ C1 ⊃ C2: a loop through two stored packings), a container packed into
// itself, and a loop made by two events of one capture. Once C3 ⊃ C1 and
// C1 ⊃ C2 are unpacked, C1 packs into C2: no cycle is left.
func testPackingCycle(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	n := 0
	agg := func(action, parent, child string) string {
		n++
		return `{"type": "AggregationEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000000c0` + string(rune('a'+n/10)) + string(rune('0'+n%10)) + `",
		 "eventTime": "2025-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "` + action + `", "bizStep": "packing", "parentID": "` + parent + `", "childEPCs": ["` + child + `"]}`
	}
	const c1, c2, c3, c4, c5, c6 = "urn:epc:id:sscc:0614141.2000000001", "urn:epc:id:sscc:0614141.2000000002", "urn:epc:id:sscc:0614141.2000000003",
		"urn:epc:id:sscc:0614141.2000000004", "urn:epc:id:sscc:0614141.2000000005", "urn:epc:id:sscc:0614141.2000000006"
	refused := func(what, doc, pointer string, wants ...string) {
		t.Helper()
		before, err := s.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
		fs := critmin.ErrorFields(err)
		// Capture names the event by its eventID within the transaction
		// ("event urn:…/childEPCs/0"), the preview by its place.
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) != 1 || !strings.HasSuffix(fs[0].Pointer, pointer[strings.LastIndex(pointer, "/child"):]) {
			t.Errorf("%s: %v %+v; want one error at %s", what, err, fs, pointer)
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
		perEvent, err := svc.Validate(ctx, []byte(doc))
		found := false
		for _, fe := range perEvent {
			for _, f := range fe {
				found = found || f.Pointer == pointer && strings.Contains(f.Reason, "cycle")
			}
		}
		if err != nil || !found {
			t.Errorf("%s: preview %+v, %v; want the cycle at %s", what, perEvent, err, pointer)
		}
	}
	MustCapture(t, svc, docOf(agg("ADD", c1, c2))) // C1 ⊃ C2
	refused("C1 into C2 after C2 into C1", docOf(agg("ADD", c2, c1)), "/epcisBody/eventList/0/childEPCs/0",
		"would make a cycle", c1+" holds "+c2)
	MustCapture(t, svc, docOf(agg("ADD", c3, c1))) // C3 ⊃ C1 ⊃ C2
	refused("C3 into C2 with C3 ⊃ C1 ⊃ C2", docOf(agg("ADD", c2, c3)), "/epcisBody/eventList/0/childEPCs/0",
		c3+" holds "+c1, c1+" holds "+c2)
	refused("C4 into itself", docOf(agg("ADD", c4, c4)), "/epcisBody/eventList/0/childEPCs/0", "into itself makes a cycle")
	refused("C5 ⊃ C6 and C6 ⊃ C5 in one capture", docOf(agg("ADD", c5, c6), agg("ADD", c6, c5)), "/epcisBody/eventList/1/childEPCs/0",
		c5+" holds "+c6)
	// Unpacked, the loop is gone: C2 then holds C1.
	MustCapture(t, svc, docOf(agg("DELETE", c3, c1), agg("DELETE", c1, c2)))
	MustCapture(t, svc, docOf(agg("ADD", c2, c1)))
	in, err := s.PackedIn(ctx, []string{c1}, time.Time{})
	if err != nil || len(in) != 1 || in[0].Container != c2 {
		t.Errorf("PackedIn(C1) after unpacking and repacking: %+v, %v; want C2", in, err)
	}
}
