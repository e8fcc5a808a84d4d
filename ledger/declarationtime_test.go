package ledger_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestDeclarationTimeChecked (issue 8 §2, fixNn item 4): a declaration
// in error is made after the event it declares happened and is recorded
// after it is made (EPCIS 2.0 §7.4.1.2), within critmin.MaxClockSkew
// (5 minutes), as an eventTime is; and it cannot name itself as its own
// corrective event. Each fault is refused (400) at its own field, the
// declaration being event 3 of the document, and nothing is stored. The
// capture's clock is 2025-11-01T08:00Z; event e1 happened 2025-10-01.
func TestDeclarationTimeChecked(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
	ev := func(id, at, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + id[len(id)-2:] + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"}` + extra + `}`
	}
	doc := func(events ...string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
  "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	}
	stored := []string{ev("urn:t:ev:e1", "2025-10-01T00:00:00Z", ""), ev("urn:t:ev:e2", "2025-10-01T00:00:00Z", ""), ev("urn:t:ev:e3", "2025-10-01T00:00:00Z", ""), ev("urn:t:ev:e4", "2025-10-01T00:00:00Z", "")}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(stored...))}); err != nil {
		t.Fatal(err)
	}
	decl := func(at, correctives string) string {
		return `, "errorDeclaration": {"declarationTime": "` + at + `", "reason": "incorrect_data"` + correctives + `}`
	}
	ptr := "/epcisBody/eventList/3/errorDeclaration/"
	cases := []struct {
		name, decl, field, says string
	}{
		// 2099-01-01 is decades after the capture's clock, 2025-11-01T08:00Z.
		{"in the future", decl("2099-01-01T00:00:00Z", ""), "declarationTime", "after this capture records it (2025-11-01T08:00:00Z) by more than the allowed clock skew of 5 minutes"},
		// 08:06 is 6 minutes after the clock's 08:00: beyond the 5 allowed.
		{"6 minutes ahead", decl("2025-11-01T08:06:00Z", ""), "declarationTime", "after this capture records it"},
		// 2025-09-30 is a day before e1's eventTime, 2025-10-01.
		{"before the event", decl("2025-09-30T00:00:00Z", ""), "declarationTime", "before the event it declares in error happened (eventTime 2025-10-01T00:00:00Z)"},
		{"corrective is itself", decl("2025-10-20T00:00:00Z", `, "correctiveEventIDs": ["urn:t:ev:other", "urn:t:ev:e1"]`), "correctiveEventIDs/1", "an event cannot correct itself"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := doc(ev("urn:t:ev:n1", "2025-10-02T00:00:00Z", ""), ev("urn:t:ev:n2", "2025-10-02T00:00:00Z", ""), ev("urn:t:ev:n3", "2025-10-02T00:00:00Z", ""),
				ev("urn:t:ev:e1", "2025-10-01T00:00:00Z", c.decl))
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(body)})
			var e *critmin.Error
			if !errors.As(err, &e) || e.Code != critmin.EINVALID {
				t.Fatalf("declaration %s: %v; want a 400", c.name, err)
			}
			found := false
			for _, f := range e.Fields {
				found = found || f.Pointer == ptr+c.field && strings.Contains(f.Reason, c.says)
			}
			if !found {
				t.Errorf("declaration %s: no error at %s saying %q: %+v", c.name, ptr+c.field, c.says, e.Fields)
			}
			if evs, _ := store.FindEventsByID(ctx, "urn:t:ev:n1"); len(evs) > 0 {
				t.Errorf("declaration %s refused, yet event n1 of its document is stored", c.name)
			}
		})
	}
	// Within the allowance: 4 minutes ahead of the clock (08:04), and
	// 4 minutes before e2's eventTime (2025-09-30T23:56), are taken.
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(ev("urn:t:ev:e2", "2025-10-01T00:00:00Z", decl("2025-11-01T08:04:00Z", ""))))}); err != nil {
		t.Errorf("a declaration 4 minutes ahead of the clock: %v; want it taken", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(ev("urn:t:ev:e3", "2025-10-01T00:00:00Z", decl("2025-09-30T23:56:00Z", ""))))}); err != nil {
		t.Errorf("a declaration 4 minutes before its event: %v; want it taken", err)
	}
}

// TestSelfCorrectiveByHash (issue 8 §2, nu35-5; CBV 2.0 §8.9, EPCIS 2.0
// §7.4.1.2): an event captured without an eventID is named by its CBV
// hash ID H, and the hash leaves the errorDeclaration out, so a
// declaration of it written without an eventID is named H too. Listing
// H among its correctiveEventIDs names the declared event itself: a 400
// at …/errorDeclaration/correctiveEventIDs/0, in the hex case written
// or upper-cased, nothing stored. Another corrective is taken.
func TestSelfCorrectiveByHash(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
	body := `{"type": "ObjectEvent", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:H1", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"}`
	doc := func(ev string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
  "epcisBody": {"eventList": [` + ev + `]}}`)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(body + `}`)}); err != nil {
		t.Fatal(err)
	}
	page, err := store.FindEvents(ctx, critmin.EventFilter{Limit: 10})
	if err != nil || len(page.Events) != 1 || !strings.HasPrefix(page.Events[0].EventID, "ni:///sha-256;") {
		t.Fatalf("the event without an eventID: %v %+v; want one event named by its hash", err, page)
	}
	h := page.Events[0].EventID
	for _, self := range []string{h, strings.ToUpper(h[:len("ni:///sha-256;")+8]) + h[len("ni:///sha-256;")+8:]} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(body + `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["` + self + `"]}}`)})
		var e *critmin.Error
		if !errors.As(err, &e) || e.Code != critmin.EINVALID {
			t.Fatalf("a declaration listing its own hash %s as corrective: %v; want a 400", self, err)
		}
		found := false
		for _, f := range e.Fields {
			found = found || f.Pointer == "/epcisBody/eventList/0/errorDeclaration/correctiveEventIDs/0" && strings.Contains(f.Reason, "an event cannot correct itself")
		}
		if !found {
			t.Errorf("a declaration listing its own hash: no error at correctiveEventIDs/0: %+v", e.Fields)
		}
		if got, _ := store.FindEventsByID(ctx, h); len(got) != 1 || got[0].DeclaredInError != nil {
			t.Errorf("the refused declaration changed the stored event: %+v", got)
		}
	}
}
