package custody_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/storetest/unchecked"
)

// TestCertificateVerdictChangedByMasterData (fix9b item 2, with the
// site-country rule of ledger checkSiteFixed): the demo's NdPr oxide lot
// is made at the Missouri refinery (master data country USA) from
// Pakistani concentrate: dfars-covered-countries passes and the
// certificate issued then stands. Master data re-sent for the refinery
// with country CHN is refused at capture (409: a site does not move, an
// event is recorded there) and the certificate still stands. A store
// from before that rule holds such a change (stored unchecked): the
// verdict turns to fail ("processed at … in China") and the certificate
// issued before no longer stands — superseded, naming the rule, both
// verdicts and why — never "current" on a verdict that changed. Sent
// back to USA, the site has still been recorded in China once, so the
// verdict stays fail (docs/origin.md, "A site does not move"): one
// master-data write never clears the covered-country rule. (The master
// data is re-sent whole, its certification kept: a site re-sent without
// it would turn site-certification too, and say so.)
func TestCertificateVerdictChangedByMasterData(t *testing.T) {
	db := demoStore(t)
	ctx := context.Background()
	key, _ := custody.LoadPrivateKey(func() string {
		p := filepath.Join(t.TempDir(), "k")
		custody.GenerateKey(p)
		return p
	}())
	cert, err := custody.Issue(ctx, db, ndpr, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "Test issuer"}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	st, err := custody.Standing(ctx, db, cert)
	if err != nil || !st.Stands {
		t.Fatalf("fresh certificate: %+v %v", st, err)
	}
	at := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	resend := func(country string, checked bool) {
		t.Helper()
		doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:critmin:demo:site:refinery-mo", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "USSM processing plant, Missouri (illustrative)"},
   {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "refinery"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "` + country + `"},
   {"id": "urn:epcglobal:cbv:mda#latitude", "attribute": 37.56}, {"id": "urn:epcglobal:cbv:mda#longitude", "attribute": -90.29},
   {"id": "https://ns.critmin.org/mineral/v1/certification", "attribute": "Illustrative responsible-minerals refinery audit (RMAP-type)"},
   {"id": "https://ns.critmin.org/mineral/v1/certificationValidFrom", "attribute": "2025-09-01"}, {"id": "https://ns.critmin.org/mineral/v1/certificationValidUntil", "attribute": "2026-08-31"},
   {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "controlled_blending"}]}]}]}},
 "epcisBody": {"eventList": []}}`
		if checked {
			_, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
			if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "refinery-mo") || !strings.Contains(critmin.ErrorMessage(err), "from USA to CHN") {
				t.Fatalf("master data %s re-sent: %v; want refused 409 naming the site and the change", country, err)
			}
			return
		}
		at = at.Add(time.Hour) // one capture job per store
		unchecked.MustStore(t, db, doc, at)
	}
	resend("CHN", true)
	if st, err = custody.Standing(ctx, db, cert); err != nil || !st.Stands {
		t.Fatalf("after the refused re-send: %+v %v; want the certificate to stand", st, err)
	}
	resend("CHN", false)
	st, err = custody.Standing(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	if st.Stands || !st.Superseded || len(st.Reasons) != 1 {
		t.Fatalf("after the refinery's country became CHN: %+v", st)
	}
	msg := st.Reasons[0].Text()
	if !strings.Contains(msg, "rule dfars-covered-countries") || !strings.Contains(msg, "was pass when the certificate was issued and is now fail") || !strings.Contains(msg, "refinery-mo in China") {
		t.Errorf("reason %q", msg)
	}
	resend("USA", false)
	if st, err = custody.Standing(ctx, db, cert); err != nil || st.Stands || !st.Superseded {
		t.Errorf("country re-sent as USA after CHN: %+v %v; want still superseded (recorded in China once)", st, err)
	}
}
