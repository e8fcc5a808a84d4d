package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// fix9q: the deficit a booked claim's error names is the statement's
// closing deficit of that origin; rolling-average and cross-category
// refusals of a mixed claim name every failing origin.

// TestDeficitClauseIsClosingDeficit (fix9q item 1): two claims booked
// in full and both short; each one's error states the Pakistan balance's
// closing deficit as the statement does, split into its own shortfall
// and the other claims'. At site mb (REE → NdPr oxide on Nd+Pr, factor
// 0.9):
//
//	PK, PK2 (Pakistan) 50 t each at Nd 4 % + Pr 1 % = 2.5 t Nd+Pr;
//	CN 10 t, CN2 40 t (China) = 0.5 t and 2 t Nd+Pr.
//	a (Oct 5 00:00, run tA): PK 50 → OA 2 t × 80 % = 1.6 t, claim PAK.
//	c (Oct 5 12:00, run tC): PK2 50 → OC 0.5 t × 80 % = 0.4 t, claim
//	  PAK. Both accepted at capture.
//	a2 (Oct 6, run tA): + CN 10: tA's bound 1.6 shared by input Nd+Pr,
//	  PAK 1.6 × 2.5/3 = 1.333333 t.
//	c2 (Oct 6 12:00, run tC): + CN2 40: tC's bound 0.4 shared, PAK
//	  0.4 × 2.5/4.5 = 0.222222 t.
//	Replay: 1.333333 − OA 1.6 = −0.266667; + 0.222222 = −0.044444;
//	  − OC 0.4 = −0.444444: closing deficit 0.444444 t
//	  (= 1.333333 + 0.222222 − 2). Shared from the last claim back: OC
//	  0.4 t, OA 0.444444 − 0.4 = 0.044444 t. No later credit: the
//	  deficit carries to December (the last period); each claim's error
//	  names its own period, October, closing at 0.444444 t, and the
//	  deficit still 0.4 + 0.044444 = 0.444444 t at December's close.
func TestDeficitClauseIsClosingDeficit(t *testing.T) {
	db := mbfxStore(t, false, mbfxREE("PK", "PAK", 50), mbfxREE("PK2", "PAK", 50), mbfxREE("CN", "CHN", 10), mbfxREE("CN2", "CHN", 40))
	svc := mbfxService(db)
	for _, s := range []struct{ now, ev string }{
		{"2025-10-05T01:00:00Z", run9p("a", "tA", "2025-10-05T00:00:00Z", []string{"PK:50"}, "OA", 2, claimPAK)},
		{"2025-10-05T13:00:00Z", run9p("c", "tC", "2025-10-05T12:00:00Z", []string{"PK2:50"}, "OC", 0.5, claimPAK)},
		{"2025-10-06T01:00:00Z", run9p("a2", "tA", "2025-10-06T00:00:00Z", []string{"CN:10"}, "", 0, "")},
		{"2025-10-06T13:00:00Z", run9p("c2", "tC", "2025-10-06T12:00:00Z", []string{"CN2:40"}, "", 0, "")},
	} {
		mbfxCapture(t, svc, s.now, "", s.ev)
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Closing+0.4/0.9) > 1e-9 {
		t.Fatalf("October PAK closing %v, want −0.444444", l.Closing)
	}
	// No credit after October: the deficit carries to December, the
	// last period declared, whose close the claims' errors state.
	dec := mbfxStatement(t, db, "2025-12", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if l := line(t, dec, "ree", "PAK"); math.Abs(l.Closing+0.4/0.9) > 1e-9 {
		t.Fatalf("December PAK closing %v, want −0.444444", l.Closing)
	}
	for lot, want := range map[string][]string{
		// The claims are October's: the clause names that period and
		// where the deficit still stands (fix9ah).
		"OC": {"the Pakistan balance closes the claim's period 2025-10 in deficit by 0.444444 t (that period's statement closing); the deficit carries forward, and the Pakistan balance is still in deficit by 0.444444 t at the close of period 2025-12: this claim's own shortfall 0.4 t and 0.044444 t of the claim(s) on lot urn:t:lot:OA"},
		"OA": {"the Pakistan balance closes the claim's period 2025-10 in deficit by 0.444444 t (that period's statement closing); the deficit carries forward, and the Pakistan balance is still in deficit by 0.444444 t at the close of period 2025-12: this claim's own shortfall 0.044444 t and 0.4 t of the claim(s) on lot urn:t:lot:OC"},
	} {
		cl := mbfxClaim(t, db, lot)
		for _, w := range want {
			if !strings.Contains(cl.Error, w) {
				t.Errorf("%s's error lacks %q:\n%s", lot, w, cl.Error)
			}
		}
		if strings.Contains(cl.Error, "balance is in deficit by 0.044444 t") || strings.Contains(cl.Error, "balance is in deficit by 0.4 t") {
			t.Errorf("%s's error names a deficit other than the closing 0.444444 t: %s", lot, cl.Error)
		}
	}
}

// TestRollingAverageNamesEveryShortOrigin (fix9q item 2): at a
// rolling-average site the window's qualifying input is PAK 100 t, CHN
// 100 t and MMR 200 t, all at 5 % Nd+Pr: PAK 25 %, CHN 25 %, MMR 50 %.
// J (2 t at 80 % = 1.6 t Nd+Pr) claims PAK 50 % and CHN 40 %:
//
//	PAK: 1.6 × (0.5 − 0.25) = 0.4 t short;
//	CHN: 1.6 × (0.4 − 0.25) = 0.24 t short;
//	total 0.4 + 0.24 = 0.64 t.
func TestRollingAverageNamesEveryShortOrigin(t *testing.T) {
	db := store(t, doc(map[string]string{"ra": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 100, "Nd:4", "Pr:1"),
		feed("M", "ree_concentrate", "MMR", 200, "Nd:4", "Pr:1"),
		runOf("R", "ra", "2025-10-05T00:00:00Z", []string{"A:100", "C:100", "M:200"},
			product{lot: "J", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}, {"cm:country": "CHN", "cm:share": 0.4}]`}),
	))
	ctx := context.Background()
	d := declaration("urn:t:site:ra")
	d.Method, d.CarryForward = critmin.MassBalanceRollingAverage, 0
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	j, err := custody.Origin(ctx, db, "urn:t:lot:J")
	if err != nil || j.Claimed == nil {
		t.Fatalf("J: %+v %v", j, err)
	}
	cl := j.Claimed
	if cl.Status != custody.ClaimRefused || !near(cl.Shortfall, 0.64) || !near(cl.ShortfallByCountry["PAK"], 0.4) || !near(cl.ShortfallByCountry["CHN"], 0.24) || len(cl.ShortfallByCountry) != 2 {
		t.Errorf("J: status %s shortfall %v by origin %v, want refused, 0.64 = PAK 0.4 + CHN 0.24", cl.Status, cl.Shortfall, cl.ShortfallByCountry)
	}
	for _, want := range []string{
		"40.0 % China claimed but only 25.0 % of the qualifying input over the rolling window is of that origin (shortfall 0.24 t Nd+Pr)",
		"50.0 % Pakistan claimed but only 25.0 % of the qualifying input over the rolling window is of that origin (shortfall 0.4 t Nd+Pr)",
		"shortfall 0.64 t in all (0.24 + 0.4)",
	} {
		if !strings.Contains(cl.Error, want) {
			t.Errorf("J's error lacks %q:\n%s", want, cl.Error)
		}
	}
	if err := custody.CheckClaimShares("J", cl); err != nil {
		t.Error(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:ra", "2025-10", nil, time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:J" {
			got[r.Country] = r.Shortfall
		}
	}
	if len(got) != 2 || !near(got["PAK"], 0.4) || !near(got["CHN"], 0.24) {
		t.Errorf("statement's refused rows for J %v, want PAK 0.4 and CHN 0.24", got)
	}
}

// TestCrossCategoryNamesEveryOrigin (fix9q item 2): site mb's antimony
// category holds Pakistani and Chinese credit, its REE category only
// Burmese; an NdPr oxide claiming Pakistan and China crosses categories
// in both origins.
//
//	RS (Oct 5): SP 10 t Sb 50 % (PAK, 5 t Sb) + SC 10 t Sb 40 % (CHN,
//	  4 t Sb) → K 10 t Sb2O3 at Sb 80 % (8 t Sb ≥ 7.2): sb credits PAK
//	  5 × 0.8 = 4 t, CHN 4 × 0.8 = 3.2 t.
//	RM (Oct 6): M 100 t (MMR) → O 2 t × 80 % = 1.6 t Nd+Pr, claiming
//	  PAK 75 % (1.2 t) and CHN 25 % (0.4 t); ree holds MMR only.
//	Shortfalls: PAK 1.2 − 0 = 1.2 t, CHN 0.4 − 0 = 0.4 t; total 1.6 t.
func TestCrossCategoryNamesEveryOrigin(t *testing.T) {
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("SP", "antimony_ore", "PAK", 10, "Sb:50"),
		feed("SC", "antimony_ore", "CHN", 10, "Sb:40"),
		feed("M", "ree_concentrate", "MMR", 100, "Nd:4", "Pr:1"),
		runOf("RS", "mb", "2025-10-05T00:00:00Z", []string{"SP:10", "SC:10"},
			product{lot: "K", commodity: "antimony_trioxide", t: 10, assays: []string{"Sb:80"}}),
		runOf("RM", "mb", "2025-10-06T00:00:00Z", []string{"M:100"},
			product{lot: "O", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.75}, {"cm:country": "CHN", "cm:share": 0.25}]`}),
	))
	ctx := context.Background()
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	o, err := custody.Origin(ctx, db, "urn:t:lot:O")
	if err != nil || o.Claimed == nil {
		t.Fatalf("O: %+v %v", o, err)
	}
	cl := o.Claimed
	if cl.Status != custody.ClaimRefused || !near(cl.Shortfall, 1.6) || !near(cl.ShortfallByCountry["PAK"], 1.2) || !near(cl.ShortfallByCountry["CHN"], 0.4) || len(cl.ShortfallByCountry) != 2 {
		t.Errorf("O: status %s shortfall %v by origin %v, want refused, 1.6 = PAK 1.2 + CHN 0.4", cl.Status, cl.Shortfall, cl.ShortfallByCountry)
	}
	for _, want := range []string{
		"claim against another material category refused: site urn:t:site:mb, category ree (ree_concentrate → ndpr_oxide on Nd+Pr), period 2025-10: lot urn:t:lot:O claims 0.4 t Nd+Pr of China origin but category ree's China balance is 0 t (shortfall 0.4 t)",
		"; it claims 1.2 t Nd+Pr of Pakistan origin but category ree's Pakistan balance is 0 t (shortfall 1.2 t)",
		"China balance (3.2 t Sb",
		"Pakistan balance (4 t Sb",
		"shortfall 1.6 t in all (0.4 + 1.2)",
		"ISO 22095-2 keeps material categories apart",
	} {
		if !strings.Contains(cl.Error, want) {
			t.Errorf("O's error lacks %q:\n%s", want, cl.Error)
		}
	}
	if err := custody.CheckClaimShares("O", cl); err != nil {
		t.Error(err)
	}
}
