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

// TestCloseNeedsKnownSite: a close is filed under its site exactly as
// written, so refinery.Close refuses a site the ledger does not know —
// no master data and no event there — naming it, and records nothing:
// urn:t:site:SAME has an event, urn:t:site:same (another site by
// RFC 8141, the NSS being case-sensitive) has none; urn:t:site:declared
// has only master data. The demo refinery's site needs neither (critmin
// ships its flowsheet).
func TestCloseNeedsKnownSite(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	store.TrustPeriodKeys(pub)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [{"id": "urn:t:site:declared", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "Declared refinery"}]}]}]}},
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "epcList": ["urn:t:epc:1"], "bizLocation": {"id": "urn:t:site:SAME"}}]}}`
	if _, err := ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	month := func(site string) *refinery.Problem {
		p := decode(t, negDoc)
		p.Site, p.Period = site, "2025-12"
		return p
	}
	accept := "hand-made test month"
	_, _, err = refinery.Close(ctx, store, month("urn:t:site:same"), op, accept, key, now)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(critmin.ErrorMessage(err), "urn:t:site:same has no master data and no events") {
		t.Fatalf("unknown site: %v", err)
	}
	if recs, err := store.PeriodRecords(ctx, "", ""); err != nil || len(recs) != 0 {
		t.Fatalf("a refused close left %d records (%v)", len(recs), err)
	}
	for _, site := range []string{"urn:t:site:SAME", "urn:t:site:declared"} {
		if _, _, err := refinery.Close(ctx, store, month(site), op, accept, key, now); err != nil {
			t.Errorf("%s: %v", site, err)
		}
	}
	demo, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := refinery.Close(ctx, store, demo, op, "", key, now); err != nil {
		t.Errorf("demo site: %v", err)
	}
	// A viewer is refused before the site is looked up.
	if _, _, err := refinery.Close(ctx, store, month("urn:t:site:other"), refinery.Actor{Name: "v", Role: critmin.RoleViewer}, accept, key, now); critmin.ErrorCode(err) != critmin.EFORBIDDEN {
		t.Errorf("viewer: %v", err)
	}
}
