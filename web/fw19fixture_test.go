package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// Shared set-up of the tests of FW-19's parts (issue 15): the demo, FW-19
// commissioned at Karachi (fw19Doc, 19 t at 5 % moisture, Sb 20 % dry),
// then each test's own shipments and receipts. The set-up holds no figure
// of its own: each test states and checks its figures.

// fw19Split is a server (MustServe) holding the demo (demo.Load), fw19Doc
// and then events, captured in that order as one EPCIS 2.0 document.
func fw19Split(t *testing.T, events ...string) *testServer {
	t.Helper()
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	moves := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 ` + strings.Join(events, ",\n ") + `]}}`
	for _, doc := range []string{fw19Doc, moves} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

// fw19SplitUnchecked is fw19Split with events captured without the
// capture-time checks: a store holding a document from before them (a
// receipt gaining beyond its trip is refused at capture now, custody
// tripEndGain; the page still shows such a stored one flagged).
func fw19SplitUnchecked(t *testing.T, events ...string) *testServer {
	t.Helper()
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fw19Doc)}); err != nil {
		t.Fatal(err)
	}
	moves := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 ` + strings.Join(events, ",\n ") + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(moves)}); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("checked capture: %v; want refused 409", err)
	}
	check := ts.Svc.ClaimCheck
	ts.Svc.ClaimCheck = nil
	defer func() { ts.Svc.ClaimCheck = check }()
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(moves)}); err != nil {
		t.Fatal(err)
	}
	return ts
}

// fw19Quantity is FW-19's quantityList entry: kgs kilograms (KGM), none
// stated when kgs is 0.
func fw19Quantity(kgs int) string {
	if kgs == 0 {
		return `[{"epcClass": "urn:critmin:demo:lot:FW-19"}]`
	}
	return fmt.Sprintf(`[{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": %d, "uom": "KGM"}]`, kgs)
}

// fw19Ship is an ObjectEvent id shipping kgs kilograms of FW-19 (0: no
// quantity stated) from Karachi to Houston under the demo's B/L bol (e.g.
// "FW-19-A") at when (an RFC 3339 time; its offset is the event's).
func fw19Ship(id, when, bol string, kgs int) string {
	return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "` + when[len(when)-6:] + `", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": ` + fw19Quantity(kgs) + `, "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:houston"}]}`
}

// fw19Receive is an ObjectEvent id receiving kgs kilograms of FW-19 (0:
// no quantity stated) at Houston under the demo's B/L bol at when (its
// offset is the event's).
func fw19Receive(id, when, bol string, kgs int) string {
	return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "` + when[len(when)-6:] + `", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": ` + fw19Quantity(kgs) + `, "bizLocation": {"id": "urn:critmin:demo:site:houston"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + bol + `"}]}`
}
