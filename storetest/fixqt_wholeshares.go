package storetest

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/risk"
)

// testOriginSharesOfWhole (outside tester nuq7, fixqt; ISO 22095 chain of
// custody: a share is of the whole material, its part of unknown origin
// stated): product QO, whose contained Nd is 12.5 % of no recorded input,
// read from the store as every reader reads it — the kept mix (lot list,
// lots CSV, identity card, planner), the origin computed from the
// evidence (lot page, lot API, certificate), the headline, the risk
// view's ledger sourcing and the covered-country rule.
//
//	QA, Pakistan,  10 t at Nd 5 % → 0.5 t Nd
//	QB, Australia,  4 t at Nd 5 % → 0.2 t Nd
//	QR at r: QA 10 t + QB 4 t → QO 16 t at Nd 5 % = 0.8 t Nd from
//	  0.7 t in: 0.1 t Nd from no recorded input (element_gain)
//	QO's Nd, shares of the whole 0.8 t: Pakistan 0.5 / 0.8 = 0.625,
//	  Australia 0.2 / 0.8 = 0.25, origin unknown 0.1 / 0.8 = 0.125;
//	  0.625 + 0.25 + 0.125 = 1.
//
// Before: overall.byCountry and the headline's byCountry read Pakistan
// 0.5 / 0.7 = 0.714 and Australia 0.286 beside originUnknown 0.125, and
// the risk view's QO row Pakistan 71.4 % beside "+0.1 t of unknown
// origin": "71 % Pakistani Nd", a wrong pass of a claim.
func testOriginSharesOfWhole(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	MustCapture(t, service(s), goDoc(
		goFeed("QA", "ree_concentrate", "PAK", 10, "Nd:5"),
		goFeed("QB", "ree_concentrate", "AUS", 4, "Nd:5"),
		goRun("QR", 2, []string{"QA:10", "QB:4"}, "QO", 16, "Nd:5")))
	const qo = "urn:t:lot:QO"
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6 }
	want := map[string]float64{"PAK": 0.625, "AUS": 0.25}
	check := func(what string, list []custody.OverallShare, unknown *custody.NotMeasuredPart) {
		t.Helper()
		sum := 0.0
		for _, sh := range list {
			if w, ok := want[sh.Key]; !ok || !near(sh.Share, w) {
				t.Fatalf("%s %+v: want Pakistan 0.625, Australia 0.25 — shares of the whole 0.8 t Nd, not of the known 0.7 t (0.714, 0.286)", what, list)
			}
			sum += sh.Share
		}
		if unknown == nil || !near(unknown.Share, 0.125) || !near(unknown.Tonnes, 0.1) {
			t.Fatalf("%s: origin unknown %+v, want 0.1 t, 0.125", what, unknown)
		}
		if !near(sum+unknown.Share, 1) {
			t.Fatalf("%s: shares %v + origin unknown %v, want 1", what, sum, unknown.Share)
		}
	}
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(ctx, s.(custody.Store), qo, evidence)
		if err != nil {
			t.Fatal(err)
		}
		nd := o.Elements["Nd"]
		byKey := map[string]float64{}
		for _, sh := range nd.ByCountry {
			byKey[sh.Key] = sh.Share
		}
		if !near(nd.Tonnes, 0.8) || !near(nd.UnknownOrigin, 0.1) || !near(byKey["PAK"], 0.625) || !near(byKey["AUS"], 0.25) || !near(byKey[custody.Unknown], 0.125) {
			t.Fatalf("QO (evidence %v) Nd %+v: want Pakistan 0.625, Australia 0.25, unknown 0.125", evidence, nd)
		}
		check("QO overall.byCountry", o.Overall.ByCountry, o.Overall.OriginUnknown)
		h := o.Headline()
		check("QO headline byCountry", h.ByCountry, h.OriginUnknown)
		if lead := "origin unknown 12.5 %, Pakistan 62.5 %, Australia 25.0 %"; !strings.HasPrefix(h.Text, lead) {
			t.Fatalf("QO headline %q, want it to open %q", h.Text, lead)
		}
	}
	// The lot list and the lots CSV read custody.Origins (kept mixes).
	lots, _, err := s.FindLots(ctx, critmin.LotFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	origins, err := custody.Origins(ctx, s.(custody.Store), lots)
	if err != nil {
		t.Fatal(err)
	}
	if c := origins[qo]; c == nil {
		t.Fatal("QO: no origin in the lot list")
	} else {
		h := c.Headline()
		check("QO lot list headline", h.ByCountry, h.OriginUnknown)
	}
	// The risk view's ledger sourcing: QO's oxide row (its own Nd,
	// 0.8 t: 0.5 PAK, 0.2 AUS, 0.1 unknown) gives shares of the whole.
	ll, err := risk.LedgerLotsOf(ctx, s.(custody.Store), lots)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range risk.LedgerSourcingOf(ll) {
		if r.Commodity != "ndpr_oxide" || r.Element != "Nd" {
			continue
		}
		found = true
		sum := r.UnknownShare
		for _, sh := range r.Shares {
			if w, ok := want[sh.ISO3]; !ok || !near(sh.Share, w) {
				t.Fatalf("ledger sourcing %+v: want Pakistan 0.625, Australia 0.25, unknown 0.125 (of the whole 0.8 t)", r)
			}
			sum += sh.Share
		}
		if !near(r.Unknown, 0.1) || !near(r.UnknownShare, 0.125) || !near(sum, 1) || r.Top1Share == nil || !near(*r.Top1Share, 0.625) {
			t.Fatalf("ledger sourcing %+v: want unknown 0.1 t, 0.125, top share 0.625, summing to 1", r)
		}
	}
	if !found {
		t.Fatal("ledger sourcing: no ndpr_oxide Nd row")
	}
	// Unknown origin is never proven clean: the covered-country rule
	// does not pass on QO.
	vs, err := custody.Evaluate(ctx, s.(custody.RuleStore), qo, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == "dfars-covered-countries" && (v.Status == custody.Pass || !strings.Contains(v.Detail, "no recorded input")) {
			t.Fatalf("QO: dfars %s %q, want not pass: 12.5 %% of its Nd is of unknown origin", v.Status, v.Detail)
		}
	}
}
