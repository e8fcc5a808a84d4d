package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// testDeclarationContent: a declaration repeats the event it declares in
// error (EPCIS 2.0 §7.4.1.2), and the CBV 2.0 §8.9 hash leaves
// errorDeclaration out, so a declaration is held to its event's content.
// Lot R (10 t) is commissioned at mine-a and shipped from pkkhi (ev:R2).
//   - A declaration of ev:R2 that says bizLocation refinery (not pkkhi) is
//     refused ECONFLICT naming ev:R2: R stays in transit (status
//     in_transit), nothing stored.
//   - A declaration of a ghost ev:G1 (inspecting R) is stored; then an
//     "original" ev:G1 shipping lot R from mine-a — other content — is
//     refused ECONFLICT: R is not retracted into anything by it.
//   - The right declaration of ev:R2 is stored once; sent again identical,
//     it is a duplicate (1 duplicate, 0 stored, event count unchanged).
//     R is then back at pkkhi, in stock (its shipment retracted).
func testDeclarationContent(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:R", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	ship := func(loc, decl string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:R2", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:R", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:` + loc + `"}` + decl + `}`
	}
	const decl = `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}`
	MustCapture(t, svc, retractDoc(commission, ship("pkkhi", "")))
	count := func() int64 {
		n, err := s.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	n0 := count()
	refused := func(what, id string, err error) {
		t.Helper()
		var c *critmin.EventContentConflict
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !errors.As(err, &c) || c.EventID != id || !strings.Contains(err.Error(), "other content") {
			t.Errorf("%s: %v; want ECONFLICT naming %s and its other content", what, err, id)
		}
		if n := count(); n != n0 {
			t.Errorf("%s: %d events stored, want %d", what, n, n0)
		}
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(ship("refinery", decl)))})
	refused("a declaration of ev:R2 at another bizLocation", "urn:t:ev:R2", err)
	if l := mustLot(t, s, "urn:t:lot:R"); l.Status != critmin.LotInTransit {
		t.Errorf("R after the refused declaration: status %s, want in_transit", l.Status)
	}

	ghost := `{"type": "ObjectEvent", "eventID": "urn:t:ev:G1", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
  "quantityList": [{"epcClass": "urn:t:lot:R", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}` + decl + `}`
	MustCapture(t, svc, retractDoc(ghost))
	n0 = count()
	other := strings.Replace(strings.Replace(ship("pkkhi", ""), "urn:t:ev:R2", "urn:t:ev:G1", 1), "2025-10-05", "2025-10-03", 1)
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(other))})
	refused("an event of other content under a declared eventID", "urn:t:ev:G1", err)

	MustCapture(t, svc, retractDoc(ship("pkkhi", decl)))
	n1 := count()
	if n1 != n0+1 {
		t.Fatalf("the right declaration: %d events, want %d", n1, n0+1)
	}
	job := MustCapture(t, svc, retractDoc(ship("pkkhi", decl)))
	if len(job.Duplicates) != 1 || job.Stored != 0 || count() != n1 {
		t.Errorf("the same declaration again: duplicates %v, %d stored, %d events; want 1 duplicate, 0 stored, %d events", job.Duplicates, job.Stored, count(), n1)
	}
	if l := mustLot(t, s, "urn:t:lot:R"); l.Status == critmin.LotInTransit || l.Location != "urn:t:site:pkkhi" {
		t.Errorf("R after its shipment is declared in error: status %s at %s; want not in transit, at pkkhi", l.Status, l.Location)
	}
}
