package refinery_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqlite"
)

// TestSiteZoneFromMasterData (fix12c gap 3): site urn:t:site:pk declares
// its time zone Asia/Karachi (UTC+05:00, no daylight saving) in its
// master data (refinery.SiteTimeZoneAttr).
//
//	now 2025-12-31 19:30 UTC = 2026-01-01 00:30 PKT: December ended at the
//	  site 30 minutes ago (2025-12-31 19:00 UTC) → a flowsheet declaring
//	  Asia/Karachi closes it, although December has not ended in UTC−12
//	  (2026-01-01 12:00 UTC): the site's zone is known;
//	a flowsheet declaring "+14:00" (or none, UTC) disagrees with the
//	  site's zone → refused at /time_zone, nothing recorded.
func TestSiteZoneFromMasterData(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "z.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	store.TrustPeriodKeys(pub)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [{"id": "urn:t:site:pk", "attributes": [{"id": "urn:critmin:mda#timeZone", "attribute": "Asia/Karachi"}]}]}]}},
 "epcisBody": {"eventList": []}}`
	if _, err := ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	if z, err := refinery.SiteZone(ctx, store, "urn:t:site:pk"); err != nil || z != "Asia/Karachi" {
		t.Fatalf("SiteZone = %q, %v", z, err)
	}
	now := time.Date(2025, 12, 31, 19, 30, 0, 0, time.UTC)
	month := func(tz string) *refinery.Problem {
		p := decode(t, negDoc)
		p.Site, p.Period, p.TimeZone = "urn:t:site:pk", "2025-12", tz
		return p
	}
	for _, tz := range []string{"+14:00", ""} {
		_, _, err := refinery.Close(ctx, store, month(tz), op, "test month", key, now)
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/time_zone") || !strings.Contains(err.Error(), `"Asia/Karachi"`) {
			t.Errorf("flowsheet zone %q: %v, want EINVALID at /time_zone naming Asia/Karachi", tz, err)
		}
	}
	if recs, _ := store.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("refused closes left %d records", len(recs))
	}
	if _, _, err := refinery.Close(ctx, store, month("Asia/Karachi"), op, "test month", key, now); err != nil {
		t.Fatalf("December at a declared Asia/Karachi site, 30 min after it ended: %v", err)
	}
}
