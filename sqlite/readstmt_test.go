package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestReadStatementsReused (issue 11 §7): a query text seen before runs
// as the statement kept prepared on the read pool, with the new request's
// arguments. Two sites hold 2 and 3 events; querying each site, each twice,
// answers 2, 3, 2, 3 — a kept statement must not return the previous
// arguments' rows — and the second round prepares nothing new.
func TestReadStatementsReused(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ev := func(i int, site string) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%d", "eventTime": "2025-10-10T00:00:0%dZ", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"], "bizLocation": {"id": "urn:t:site:%s"}}`, i, i, i, site)
	}
	body := fmt.Sprintf(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-10T00:00:00Z",
	 "epcisBody": {"eventList": [%s, %s, %s, %s, %s]}}`, ev(1, "a"), ev(2, "a"), ev(3, "b"), ev(4, "b"), ev(5, "b"))
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"a": 2, "b": 3}
	var kept int
	for round := range 2 {
		for _, site := range []string{"a", "b"} {
			page, err := db.FindEvents(ctx, critmin.EventFilter{BizLocations: []string{"urn:t:site:" + site}, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Events) != want[site] {
				t.Errorf("round %d, site %s: %d events, want %d", round, site, len(page.Events), want[site])
			}
			for _, e := range page.Events {
				if e.BizLocation != "urn:t:site:"+site {
					t.Errorf("round %d, site %s: event %s at %s", round, site, e.EventID, e.BizLocation)
				}
			}
		}
		if round == 0 {
			kept = db.PreparedReads()
			if kept == 0 {
				t.Fatal("no read statement kept prepared")
			}
		} else if n := db.PreparedReads(); n != kept {
			t.Errorf("the same queries again prepared %d more statements", n-kept)
		}
	}
}
