package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// wholeDoc (outside tester nuq7, fixqt): product O whose contained Nd is
// 12.5 % of no recorded input.
//
//	A, Pakistan, 10 t at Nd 5 % → 0.5 t Nd
//	B, China,     4 t at Nd 5 % → 0.2 t Nd
//	R at r: A 10 t + B 4 t → O 16 t at Nd 5 % → 0.8 t Nd from 0.7 t in:
//	  0.1 t Nd came from no recorded input (element_gain).
//	O's Nd of the whole 0.8 t: Pakistan 0.5 / 0.8 = 0.625, China
//	0.2 / 0.8 = 0.25, origin unknown 0.1 / 0.8 = 0.125; sum 1.
//	Normalised over the known 0.7 t only (the wrong figure): Pakistan
//	0.5 / 0.7 = 0.714, China 0.2 / 0.7 = 0.286.
func wholeDoc() string {
	return doc(map[string]string{"r": "controlled_blending"},
		feed("A", "ree_concentrate", "PAK", 10, "Nd:5"),
		feed("B", "ree_concentrate", "CHN", 4, "Nd:5"),
		runOf("R", "r", "2025-10-02T00:00:00Z", []string{"A:10", "B:4"}, product{lot: "O", commodity: "ree_concentrate", t: 16, assays: []string{"Nd:5"}}),
	)
}

// TestOverallSharesOfWhole: every share of O's origin a reader gets —
// the element view, the overall origin (JSON overall.byCountry), the
// headline's byCountry (lot API, lot list, lots CSV) — is a share of the
// WHOLE contained Nd, the part of unknown origin stated beside them
// (originUnknown), so that the shares and the unknown part sum to 1; the
// covered-country rule does not pass. Failed before: overall.byCountry
// and the headline's byCountry read Pakistan 0.714, China 0.286 (shares of
// the known 0.7 t only) beside originUnknown 0.125 — 1.125 in all.
func TestOverallSharesOfWhole(t *testing.T) {
	ctx := context.Background()
	db := store(t, wholeDoc())
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:O", evidence)
		if err != nil {
			t.Fatal(err)
		}
		nd := o.Elements["Nd"]
		if !near(nd.Tonnes, 0.8) || !near(nd.UnknownOrigin, 0.1) || !near(share(nd.ByCountry, "PAK").Share, 0.625) ||
			!near(share(nd.ByCountry, "CHN").Share, 0.25) || !near(share(nd.ByCountry, custody.Unknown).Share, 0.125) {
			t.Fatalf("O (evidence %v) Nd %+v: want Pakistan 0.625, China 0.25, unknown 0.125 of 0.8 t", evidence, nd)
		}
		want := map[string]float64{"PAK": 0.625, "CHN": 0.25}
		check := func(what string, list []custody.OverallShare, unknown *custody.NotMeasuredPart) {
			t.Helper()
			sum := 0.0
			for _, sh := range list {
				w, ok := want[sh.Key]
				if !ok || !near(sh.Share, w) {
					t.Fatalf("O (evidence %v) %s %+v: want Pakistan 0.625, China 0.25 (shares of the whole 0.8 t Nd), not 0.714 / 0.286", evidence, what, list)
				}
				sum += sh.Share
			}
			if unknown == nil || !near(unknown.Share, 0.125) || !near(unknown.Tonnes, 0.1) {
				t.Fatalf("O (evidence %v) %s: unknown part %+v, want 0.1 t, 0.125", evidence, what, unknown)
			}
			if !near(sum+unknown.Share, 1) {
				t.Fatalf("O (evidence %v) %s: shares %v + unknown %v = %v, want 1", evidence, what, sum, unknown.Share, sum+unknown.Share)
			}
		}
		check("overall.byCountry", o.Overall.ByCountry, o.Overall.OriginUnknown)
		h := o.Headline()
		check("headline byCountry", h.ByCountry, h.OriginUnknown)
		// The one line: unknown first, then the countries of the whole.
		if lead := "origin unknown 12.5 %, Pakistan 62.5 %, China 25.0 %"; !strings.HasPrefix(h.Text, lead) {
			t.Fatalf("O headline %q, want it to open %q", h.Text, lead)
		}
		if w := o.Overall.OfWhole(); len(w) != 3 || w[0].Key != custody.KeyOriginUnknown || !near(w[0].Share, 0.125) || !near(w[1].Share, 0.625) || !near(w[2].Share, 0.25) {
			t.Fatalf("O of the whole %+v, want unknown 0.125, Pakistan 0.625, China 0.25", w)
		}
	}
	if v := dfarsOf(t, db, "urn:t:lot:O"); v.Status == custody.Pass {
		t.Fatalf("O: dfars %s %q: passes on Nd 12.5 %% of unknown origin (and China)", v.Status, v.Detail)
	}
}

// TestOverallOfWholeReadsStoredCertificate: a certificate issued before
// fixqt states overall.byCountry as shares of the known rest (no
// sharesOfWhole); read back (the printable page, certOverall), OfWhole
// scales them by the rest as before, so an old certificate still prints
// shares that sum to 1: unknown 0.125, Pakistan 0.714 × 0.875 = 0.625,
// China 0.286 × 0.875 = 0.25.
func TestOverallOfWholeReadsStoredCertificate(t *testing.T) {
	old := `{"basis": "contained_element", "byCountry": [{"key": "PAK", "name": "Pakistan", "tonnes": 0.5, "share": 0.7142857142857143}, {"key": "CHN", "name": "China", "tonnes": 0.2, "share": 0.2857142857142857}],
	 "originUnknown": {"elements": ["Nd"], "tonnes": 0.1, "share": 0.125}}`
	var o custody.Overall
	if err := json.Unmarshal([]byte(old), &o); err != nil {
		t.Fatal(err)
	}
	if w := o.OfWhole(); len(w) != 3 || !near(w[0].Share, 0.125) || !near(w[1].Share, 0.625) || !near(w[2].Share, 0.25) {
		t.Fatalf("old certificate's overall of the whole %+v, want unknown 0.125, Pakistan 0.625, China 0.25", w)
	}
}
