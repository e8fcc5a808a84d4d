package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// testErrorDeclarationOnce (issue 9, fix9h defect 6): an event is
// declared in error once. EPCIS 2.0 §7.4.1.2 has a declaration repeat
// the event's eventID with an errorDeclaration; once declared, the event
// is withdrawn, and a declaration cannot itself be declared in error (it
// carries the same eventID: a "declaration of the declaration" is only a
// second declaration of the event). Lot Q is commissioned and shipped
// (S); S is declared in error on 2025-10-06 (incorrect_data). Then
//   - the same declaration again is an idempotent duplicate (0 stored);
//   - another declaration of S (another time or reason) is refused 409
//     (ECONFLICT) naming the field errorDeclaration and S's eventID, S,
//     and the existing declaration (its time and reason); the new event
//     beside it in the document is not stored (the whole document is
//     refused);
//   - one document declaring a fresh event T twice, differently, is
//     refused 409 with its own message ("declared in error twice in this
//     document: events 1 and 2") and each declaration's JSON pointer
//     (/epcisBody/eventList/N/errorDeclaration), nothing stored (fix9i).
func testErrorDeclarationOnce(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const sID, tID = "urn:t:ev:once-S", "urn:t:ev:once-T"
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:once-C", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:Q1", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	ship := func(id, decl string) string {
		ev := `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:Q1", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}`
		if decl != "" {
			ev += `, "errorDeclaration": ` + decl
		}
		return ev + `}`
	}
	const d1 = `{"declarationTime": "2025-10-06T00:00:00Z", "reason": "incorrect_data"}`
	const d2 = `{"declarationTime": "2025-10-07T00:00:00Z", "reason": "did_not_occur"}`
	other := `{"type": "ObjectEvent", "eventID": "urn:t:ev:once-O", "eventTime": "2025-10-08T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
  "quantityList": [{"epcClass": "urn:t:lot:Q1", "quantity": 20, "uom": "TNE"}]}`
	MustCapture(t, svc, retractDoc(commission, ship(sID, ""), ship(sID, d1)))
	count := func() int {
		n, err := s.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	// 3 records: C, S and S's declaration.
	n0 := count()
	if job := MustCapture(t, svc, retractDoc(ship(sID, d1))); len(job.Duplicates) != 1 || job.Stored != 0 {
		t.Errorf("the same declaration again: duplicates %v, %d stored; want 1 duplicate, 0 stored", job.Duplicates, job.Stored)
	}
	refused := func(what string, err error, id string, want ...string) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("%s: %v; want ECONFLICT", what, err)
			return
		}
		for _, w := range append([]string{id, "already declared in error", "EPCIS 2.0 §7.4.1.2"}, want...) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v; want it to name %q", what, err, w)
			}
		}
		fields := critmin.ErrorFields(err)
		var ptrs []string
		for _, f := range fields {
			ptrs = append(ptrs, f.Pointer)
		}
		if !strings.Contains(strings.Join(ptrs, " "), "errorDeclaration") {
			t.Errorf("%s: fields %v; want the errorDeclaration named", what, fields)
		}
		if n := count(); n != n0 {
			t.Errorf("%s: %d events stored, want %d (nothing of the refused document)", what, n, n0)
		}
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(other, ship(sID, d2)))})
	refused("a second declaration of S", err, sID, "2025-10-06", "incorrect_data")
	// One document declaring T twice (events 1 and 2), differently: its
	// own message and each declaration's pointer, never "already
	// declared in error (declaration of 2025-10-06 …)" as if the first
	// were stored, nor a bare errorDeclaration pointer (fix9i).
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(ship(tID, ""), ship(tID, d1), ship(tID, d2)))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "event "+tID+" is declared in error twice in this document: events 1 and 2") ||
		!strings.Contains(err.Error(), "EPCIS 2.0 §7.4.1.2") || strings.Contains(err.Error(), "already declared in error") {
		t.Errorf("one document declaring T twice: %v; want ECONFLICT, declared in error twice in this document: events 1 and 2", err)
	}
	var ptrs []string
	for _, f := range critmin.ErrorFields(err) {
		ptrs = append(ptrs, f.Pointer)
	}
	if strings.Join(ptrs, " ") != "/epcisBody/eventList/1/errorDeclaration /epcisBody/eventList/2/errorDeclaration" {
		t.Errorf("one document declaring T twice: pointers %q; want /epcisBody/eventList/1/errorDeclaration and …/2/errorDeclaration", ptrs)
	}
	if n := count(); n != n0 {
		t.Errorf("one document declaring T twice: %d events stored, want %d", n, n0)
	}
	if l := mustLot(t, s, "urn:t:lot:Q1"); l.EventCount != 1 {
		t.Errorf("Q1 after the refusals: %d live events, want 1 (its commissioning; S withdrawn, nothing else stored)", l.EventCount)
	}
}
