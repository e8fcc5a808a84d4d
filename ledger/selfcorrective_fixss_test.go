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

// TestSelfCorrectiveAmongOthers (issue 8 §2, fixSs item 1; EPCIS 2.0
// §7.4.1.2): a declaration naming itself among its correctiveEventIDs is
// refused 400 at …/errorDeclaration/correctiveEventIDs/K whatever else
// the document holds — here beside another declaration in error, whose
// corrective may even be the self-naming one —, by its eventID or by its
// CBV hash ID in either hex case, with or without its "?ver=CBV2.0"
// (fixWw). Nothing of the document is stored.
func TestSelfCorrectiveAmongOthers(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := ledger.NewService(store)
	svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
	body := func(id, lot string) string {
		eid := ""
		if id != "" {
			eid = `"eventID": "` + id + `", `
		}
		return `{"type": "ObjectEvent", ` + eid + `"eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"}`
	}
	decl := func(correctives ...string) string {
		return `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["` + strings.Join(correctives, `", "`) + `"]}}`
	}
	doc := func(events ...string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
  "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(body("urn:t:ev:a", "A")+`}`, body("urn:t:ev:b", "B")+`}`, body("", "H")+`}`)}); err != nil {
		t.Fatal(err)
	}
	page, err := store.FindEvents(ctx, critmin.EventFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	h := ""
	for _, e := range page.Events {
		if strings.HasPrefix(e.EventID, "ni:///sha-256;") {
			h = e.EventID
		}
	}
	if h == "" {
		t.Fatalf("no event named by its hash: %+v", page.Events)
	}
	upper := strings.ToUpper(h[:len("ni:///sha-256;")+8]) + h[len("ni:///sha-256;")+8:]
	cases := []struct {
		name  string
		evs   []string
		field string
	}{
		{"by eventID, beside another declaration", []string{body("urn:t:ev:b", "B") + decl("urn:t:ev:x"), body("urn:t:ev:a", "A") + decl("urn:t:ev:a")}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"},
		{"by eventID, the other declaration naming it corrective", []string{body("urn:t:ev:b", "B") + decl("urn:t:ev:a"), body("urn:t:ev:a", "A") + decl("urn:t:ev:a")}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"},
		{"by eventID, first of two", []string{body("urn:t:ev:a", "A") + decl("urn:t:ev:a"), body("urn:t:ev:b", "B") + decl("urn:t:ev:a")}, "/epcisBody/eventList/0/errorDeclaration/correctiveEventIDs/0"},
		{"by hash, beside another declaration", []string{body("urn:t:ev:b", "B") + decl("urn:t:ev:x"), body("", "H") + decl(h)}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"},
		{"by upper-case hash, beside another declaration", []string{body("urn:t:ev:b", "B") + decl(upper), body("", "H") + decl(upper)}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"},
		{"by eventID, declared events not stored", []string{body("urn:t:ev:q", "Q") + decl("urn:t:ev:x"), body("urn:t:ev:r", "R") + decl("urn:t:ev:r")}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"},
		{"by eventID, one declared twice", []string{body("urn:t:ev:a", "A") + decl("urn:t:ev:x"), body("urn:t:ev:a", "A") + decl("urn:t:ev:a")}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"},
		{"by eventID, with its event in the document", []string{body("urn:t:ev:r", "R") + `}`, body("urn:t:ev:r", "R") + decl("urn:t:ev:r")}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"},
		{"by eventID, each the other's corrective", []string{body("urn:t:ev:a", "A") + decl("urn:t:ev:b"), body("urn:t:ev:b", "B") + decl("urn:t:ev:a", "urn:t:ev:b")}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/1"},
		// fixWw: the digest without "?ver=CBV2.0" names the same event
		// (it was stored as the declaration's own corrective).
		{"by hash without its ver parameter", []string{body("", "H") + decl(strings.TrimSuffix(h, "?ver=CBV2.0"))}, "/epcisBody/eventList/0/errorDeclaration/correctiveEventIDs/0"},
		{"by upper-case hash without its ver parameter", []string{body("", "H") + decl(strings.TrimSuffix(upper, "?ver=CBV2.0"))}, "/epcisBody/eventList/0/errorDeclaration/correctiveEventIDs/0"},
		{"by hash, with a new event", []string{body("urn:t:ev:n", "N") + `}`, body("", "H") + decl(h)}, "/epcisBody/eventList/1/errorDeclaration/correctiveEventIDs/0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: doc(c.evs...)})
			var e *critmin.Error
			if !errors.As(err, &e) || e.Code != critmin.EINVALID {
				t.Fatalf("%v; want a 400", err)
			}
			found := false
			for _, f := range e.Fields {
				found = found || f.Pointer == c.field && strings.Contains(f.Reason, "an event cannot correct itself")
			}
			if !found {
				t.Errorf("no error at %s: %+v", c.field, e.Fields)
			}
			for _, id := range []string{"urn:t:ev:a", "urn:t:ev:b", h} {
				if got, _ := store.FindEventsByID(ctx, id); len(got) != 1 || got[0].DeclaredInError != nil {
					t.Errorf("the refused document changed %s: %+v", id, got)
				}
			}
			if got, _ := store.FindEventsByID(ctx, "urn:t:ev:n"); len(got) != 0 {
				t.Errorf("the refused document stored urn:t:ev:n")
			}
		})
	}
}
