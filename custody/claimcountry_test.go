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
	"github.com/critmin/critmin/sqlite"
)

// TestClaimCountryAnyISOForm (fix9c item 6): a claim's cm:country is read
// as every country input is (docs/origin.md "Country codes"): any ISO
// 3166-1 form — alpha-3 PAK, alpha-2 PK, numeric 586, any case, spaces
// around ignored — is canonicalised to alpha-3 at capture, so the claim
// is the same claim whatever the spelling and matches the Pakistani
// credits of the site. The run of sharedInputStore: 10 t Pakistani
// concentrate at Nd 5 % + Pr 1.5 % credits category ndpr 10 × 6.5 % ×
// 0.9 = 0.585 t; X1, 0.5 t oxide at Nd 60 % + Pr 18 %, claims 0.5 × 78 %
// = 0.39 t Pakistani ≤ 0.585: accepted, the statement's PAK line claims
// 0.39 and closes 0.585 − 0.39 = 0.195 (X1R, 0.3 t at the same grade,
// 0.234 t, no claim, as in sharedInputStore: the run's oxide holds 0.624 ≥
// 0.585 t, fix9c). A code that is no ISO 3166-1 code
// (XX) is refused naming the claim's cm:country; PK and PAK in one claim
// are the same country listed twice, refused; nothing is stored.
func TestClaimCountryAnyISOForm(t *testing.T) {
	ctx := context.Background()
	docWith := func(countries ...string) string {
		var entries []string
		for _, c := range countries {
			entries = append(entries, `{"cm:country": "`+c+`", "cm:share": `+map[bool]string{true: "1", false: "0.5"}[len(countries) == 1]+`}`)
		}
		return doc(map[string]string{"mb": "mass_balance"},
			feed("Q", "ree_concentrate", "PAK", 10, "Nd:5", "Pr:1.5", "La:8", "Ce:12"),
			runOf("R1", "mb", "2025-10-05T00:00:00Z", []string{"Q:10"},
				product{lot: "X1", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:18"}, extra: `, "cm:originClaim": [` + strings.Join(entries, ",") + `]`},
				product{lot: "X1R", commodity: "ndpr_oxide", t: 0.3, assays: []string{"Nd:60", "Pr:18"}}))
	}
	declare := func(db critmin.Store) {
		t.Helper()
		if err := custody.DeclareMassBalance(ctx, db, reeTwoProducts("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []string{"PAK", "PK", "pak", "pk", "586", " Pak "} {
		t.Run(strings.TrimSpace(code), func(t *testing.T) {
			db := store(t, docWith(code))
			declare(db)
			l, err := db.FindLot(ctx, "urn:t:lot:X1")
			if err != nil {
				t.Fatal(err)
			}
			if len(l.OriginClaim) != 1 || l.OriginClaim["PAK"] != 1 {
				t.Fatalf("claim %q stored as %v, want PAK 1", code, l.OriginClaim)
			}
			o, err := custody.Origin(ctx, db, "urn:t:lot:X1")
			if err != nil {
				t.Fatal(err)
			}
			if c := o.Claimed; c == nil || c.Status != custody.ClaimAccepted || len(c.ByCountry) != 1 || c.ByCountry[0].Key != "PAK" || !near(c.ByCountry[0].Tonnes, 0.39) {
				t.Fatalf("claim %q: %+v, want accepted, PAK 0.39 t", code, o.Claimed)
			}
			st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			sameLine(t, "Oct ndpr "+code, line(t, st, "ndpr", "PAK"), 0, 0.585, 0.39, 0, 0.195)
		})
	}
	for _, c := range []struct {
		countries []string
		field     string
		reason    string
	}{
		{[]string{"XX"}, "/ilmd/cm:originClaim/0/cm:country", `"XX" is not an ISO 3166-1 country code`},
		{[]string{"PK", "PAK"}, "/ilmd/cm:originClaim/1/cm:country", `"PAK" is listed twice`},
	} {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(docWith(c.countries...))})
		found := false
		for _, f := range critmin.ErrorFields(err) {
			found = found || (strings.HasSuffix(f.Pointer, c.field) && strings.Contains(f.Reason, c.reason))
		}
		if critmin.ErrorCode(err) != critmin.EINVALID || !found {
			t.Errorf("claim %v: %v (fields %+v), want EINVALID at %s: %s", c.countries, err, critmin.ErrorFields(err), c.field, c.reason)
		}
		if _, err := db.FindLot(ctx, "urn:t:lot:X1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("claim %v refused but X1 stored: %v", c.countries, err)
		}
	}
}
