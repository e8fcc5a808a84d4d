package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqlite"
)

// TestShipmentWithoutContainersArrives (new-user check 14f items 1–2): the
// demo's voyage BQM-HOU-2025-1112 (event 027, 12 Nov 2025) ships lot
// REE-2025-003 loose — a quantity, no container. Its receipt is looked up
// by lot with no role named, which built "role IN ()": SQLite read it as
// false (the voyage stayed "in transit" after a receipt), PostgreSQL
// refused it as a syntax error (/shipments answered 500). With a
// receiving event of the lot at Houston on 1 Dec 2025 the index reads
// "arrived 2025-12-01" and the shipment's page names the receipt, on both
// backends.
func TestShipmentWithoutContainersArrives(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			var store critmin.Store
			var err error
			if backend == "sqlite" {
				store, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
			} else {
				store, err = postgres.Open(ctx, pgtest.MustCreateDatabase(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			ts := MustServeStore(t, store, true, nil)
			if _, err := demo.Load(ctx, ts.Svc); err != nil {
				t.Fatal(err)
			}
			const bol = "urn:critmin:demo:bol:BQM-HOU-2025-1112"
			row := func() string {
				resp, b := do(t, "GET", ts.URL+"/shipments", "", nil, nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("/shipments: %d %s", resp.StatusCode, b)
				}
				return regexp.MustCompile(`(?s)<tr><td><a href="/shipments/` + regexp.QuoteMeta(url.PathEscape(bol)) + `"[^>]*>.*?</tr>`).FindString(html.UnescapeString(string(b)))
			}
			if r := row(); !regexp.MustCompile(`in transit`).MatchString(r) {
				t.Errorf("before its receipt the voyage's row should read in transit:\n%s", r)
			}
			receipt := `{"type": "ObjectEvent", "eventID": "urn:t:ev:recv-1112", "eventTime": "2025-12-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
			 "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
			 "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-003", "quantity": 30000, "uom": "KGM"}],
			 "readPoint": {"id": "urn:critmin:demo:site:houston"}, "bizLocation": {"id": "urn:critmin:demo:site:houston"}}`
			if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(receipt)}); err != nil {
				t.Fatal(err)
			}
			if r := row(); !regexp.MustCompile(`arrived 2025-12-01`).MatchString(r) {
				t.Errorf("the voyage's row should read arrived 2025-12-01:\n%s", r)
			}
			resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(bol), "", nil, nil)
			if page := html.UnescapeString(string(b)); resp.StatusCode != http.StatusOK || !regexp.MustCompile(`urn:t:ev:recv-1112`).MatchString(page) {
				t.Errorf("shipment page: %d; want 200 naming the receipt urn:t:ev:recv-1112\n%s", resp.StatusCode, page)
			}
		})
	}
}
