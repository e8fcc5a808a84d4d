package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// testCertificateLotSpellings: a certificate's custody chain and the
// trace's voyages name each lot by its canonical identifier, whichever
// spelling each event used (docs/identity.md). Lot X is commissioned as
// the LGTIN URN urn:epc:class:lgtin:4012345.011111.CX-1 and shipped
// (B/L urn:t:bol:CX) and received as its Digital Link; lot Y the other
// way round (Digital Link at commissioning, URN afterwards). For each:
// the chain has 3 steps (commissioning, shipping, receiving), every one
// with lot = the canonical Digital Link (GTIN 04012345111118: check digit
// 0·3+4+0·3+1+2·3+3+4·3+5+1·3+1+1·3+1+1·3 = 42 → 8), never "" (before,
// the steps spelled otherwise than the lot's key showed lot ""); and the
// backward trace has the voyage of the B/L with an edge from the
// canonical lot.
func testCertificateLotSpellings(t *testing.T, open Opener) {
	ctx := context.Background()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, commissionAs, laterAs, canonical string
	}{
		{"URN then Digital Link", "urn:epc:class:lgtin:4012345.011111.CX-1", "https://id.gs1.org/01/04012345111118/10/CX-1", "https://id.gs1.org/01/04012345111118/10/CX-1"},
		{"Digital Link then URN", "https://id.gs1.org/01/04012345111118/10/CY-1", "urn:epc:class:lgtin:4012345.011111.CY-1", "https://id.gs1.org/01/04012345111118/10/CY-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			ev := func(n, at, step, disp, class, loc, extra string) string {
				return `{"type": "ObjectEvent", "eventID": "urn:uuid:c5000000-0000-4000-8000-00000000000` + n + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00",
  "action": "` + map[bool]string{true: "ADD", false: "OBSERVE"}[step == "commissioning"] + `", "bizStep": "` + step + `", "disposition": "` + disp + `",
  "quantityList": [{"epcClass": "` + class + `", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "` + loc + `"}` + extra + `}`
			}
			MustCapture(t, service(s), retractDoc(
				ev("1", "2025-10-01T00:00:00Z", "commissioning", "active", c.commissionAs, "urn:t:site:mine-a", `, "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`),
				ev("2", "2025-10-05T00:00:00Z", "shipping", "in_transit", c.laterAs, "urn:t:site:pkkhi", `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:CX"}], "destinationList": [{"type": "possessing_party", "destination": "urn:t:party:carrier"}]`),
				ev("3", "2025-11-05T00:00:00Z", "receiving", "in_progress", c.laterAs, "urn:t:site:ushou", `, "destinationList": [{"type": "possessing_party", "destination": "urn:t:party:buyer"}]`)))
			cert, err := custody.Issue(ctx, s.(custody.CertStore), c.laterAs, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key)}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			subj, _ := cert["credentialSubject"].(map[string]any)
			if subj["id"] != c.canonical {
				t.Errorf("subject %v, want %s", subj["id"], c.canonical)
			}
			chain, _ := subj["cm:custodyChain"].([]any)
			if len(chain) != 3 {
				t.Fatalf("custody chain %v; want 3 steps", chain)
			}
			for i, step := range chain {
				m, _ := step.(map[string]any)
				if m["lot"] != c.canonical {
					t.Errorf("chain step %d (%v): lot %q, want %s", i, m["bizStep"], m["lot"], c.canonical)
				}
			}
			tr, err := custody.TraceLot(ctx, s, c.laterAs, custody.Backward, 3)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range tr.Edges {
				found = found || e.Child == "urn:t:bol:CX" && e.Parent == c.canonical
			}
			if !found {
				t.Errorf("trace edges %+v; want the voyage urn:t:bol:CX shipped from %s", tr.Edges, c.canonical)
			}
			if l, err := s.FindLot(ctx, c.commissionAs); err != nil || l.ID != c.canonical || l.EventCount != 3 {
				t.Errorf("lot %s: %v %+v; want one lot %s with 3 events", c.commissionAs, err, l, c.canonical)
			}
		})
	}
}
