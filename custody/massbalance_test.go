package custody_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

const claimPAK = `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`

// declaration of site mb: REE concentrate → NdPr oxide on Nd + Pr at a
// conversion factor of 0.9; antimony ore → Sb2O3 on Sb at 0.8; monthly
// periods October to December 2025; credits carry forward one period.
func declaration(site string) *critmin.MassBalanceDeclaration {
	return &critmin.MassBalanceDeclaration{Site: site, CarryForward: 1,
		Categories: []critmin.MaterialCategory{
			{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9},
			{ID: "sb", Inputs: []string{"antimony_ore"}, Product: "antimony_trioxide", Elements: []string{"Sb"}, ConversionFactor: 0.8},
		},
		Periods: []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}, {ID: "2025-12", From: "2025-12-01", To: "2026-01-01"}},
	}
}

// mbStore is the mass-balance case, (b) and (c). At site mb (all feeds
// dry; contained Nd + Pr of each REE feed = t × (4 % + 1 %)):
//
//	Oct 5  E1: A (Pakistan, 100 t) in: credit PAK 5 × 0.9 = 4.5 t Nd+Pr.
//	           O1, 2 t at 60 % Nd + 20 % Pr = 1.6 t, claims Pakistan:
//	           1.6 ≤ 4.5, accepted; PAK balance 2.9.
//	Oct 7  E3: C (China, 100 t) in: credit CHN 4.5. O2, 5 t = 4.0 t Nd+Pr,
//	           claims Pakistan: 4.0 > 2.9, refused, shortfall 1.1 t.
//	Oct 8  E4: SbC (China antimony ore, 10 t at 10 % Sb) in: credit CHN
//	           1 × 0.8 = 0.8 t Sb. SB2, 0.5 t at 80 % Sb = 0.4 t, claims
//	           Pakistan: the antimony category holds no Pakistani credit
//	           (the 2.9 t are in the REE category), refused, shortfall 0.4.
//	Nov 10 E5: A2 (Pakistan, 20 t) in: credit PAK 1 × 0.9 = 0.9. O3, 1 t =
//	           0.8 t, claims Pakistan: accepted, taken from October's
//	           credit first (2.9 → 2.1).
//	Nov 12 E6: C2 (China, 10 t of its 40 t) in: credit CHN 0.5 × 0.9 = 0.45. K, 0.5 t =
//	           0.4 t, claims Pakistan: accepted (October's 2.1 → 1.7).
//	           K is physically Chinese only: case (c).
//
// Each run also makes an unclaimed oxide lot (…R) so that its products hold
// at least its credits, element by element (fix9c, fix9ad: a run never
// credits more of an element than its products contain), each element
// within what the run's input held:
//
//	E1: O1 1.6 + O1R 4 t at Nd 60 % + Pr 14 % = 2.96 → 4.56 ≥ 4.5
//	    (Nd 1.2 + 2.4 = 3.6 ≥ 3.6 credit, ≤ 4 in; Pr 0.4 + 0.56 = 0.96
//	    ≥ 0.9, ≤ 1)
//	E3: O2 4.0 + O2R 1 t at Nd 60 %, Pr 0 % = 0.6 → 4.6 ≥ 4.5
//	    (Nd 3 + 0.6 = 3.6 ≥ 3.6, ≤ 4; Pr 1 ≥ 0.9)
//	E4: SB2 0.4 + SB2R 0.6 t at Sb 80 % = 0.48 → 0.88 ≥ 0.8 (Sb ≤ 1)
//	E5: O3 0.8 + O3R 0.25 t at Nd 60 % = 0.15 → 0.95 ≥ 0.9
//	    (Nd 0.75 ≥ 0.72, ≤ 0.8; Pr 0.2 ≥ 0.18)
//	E6: K 0.4 + KR 0.1 t at Nd 60 % = 0.06 → 0.46 ≥ 0.45
//	    (Nd 0.36 ≥ 0.36, ≤ 0.4; Pr 0.1 ≥ 0.09)
//	E9 (mb2): N9 0.5 t at Nd 62 % + Pr 18 % = 0.4 t (Nd 0.31, Pr 0.09):
//	    credit Nd min(10 × 4 % × 0.9 = 0.36, 0.31) + Pr min(0.09, 0.09)
//	    = 0.4 t
//
// Statement October (REE): PAK 0 + 4.5 − 1.6 − 0 = 2.9; CHN 0 + 4.5 = 4.5.
// November: October's credits expire at its end (carry forward 1):
// PAK 2.9 + 0.9 − 1.2 − 1.7 = 0.9; CHN 4.5 + 0.45 − 0 − 4.5 = 0.45;
// Sb CHN 0.8 − 0.8 expired = 0.
// December: November's credits expire: PAK 0.9 − 0.9 = 0; CHN 0.45 − 0.45 = 0.
func mbStore(t *testing.T) critmin.Store {
	db := store(t, doc(map[string]string{"mb": "mass_balance", "mb2": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 100, "Nd:4", "Pr:1"),
		feed("SbC", "antimony_ore", "CHN", 10, "Sb:10"),
		feed("A2", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		feed("C2", "ree_concentrate", "CHN", 40, "Nd:4", "Pr:1"),
		feed("A9", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("CBIG", "ree_concentrate", "CHN", 1000, "Nd:4", "Pr:1"),
		runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"A:100"}, product{lot: "O1", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK},
			product{lot: "O1R", commodity: "ndpr_oxide", t: 4, assays: []string{"Nd:60", "Pr:14"}}),
		runOf("E3", "mb", "2025-10-07T00:00:00Z", []string{"C:100"}, product{lot: "O2", commodity: "ndpr_oxide", t: 5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK},
			product{lot: "O2R", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:0"}}),
		runOf("E4", "mb", "2025-10-08T00:00:00Z", []string{"SbC:10"}, product{lot: "SB2", commodity: "antimony_trioxide", t: 0.5, assays: []string{"Sb:80"}, extra: claimPAK},
			product{lot: "SB2R", commodity: "antimony_trioxide", t: 0.6, assays: []string{"Sb:80"}}),
		runOf("E5", "mb", "2025-11-10T00:00:00Z", []string{"A2:20"}, product{lot: "O3", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK},
			product{lot: "O3R", commodity: "ndpr_oxide", t: 0.25, assays: []string{"Nd:60", "Pr:0"}}),
		runOf("E6", "mb", "2025-11-12T00:00:00Z", []string{"C2:10"}, product{lot: "K", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK},
			product{lot: "KR", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60", "Pr:0"}}),
		runOf("E9", "mb2", "2025-10-05T00:00:00Z", []string{"A9:10"}, product{lot: "N9", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:62", "Pr:18"}, extra: claimPAK}),
	))
	if err := custody.DeclareMassBalance(context.Background(), db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return db
}

func line(t *testing.T, st *custody.Statement, cat, iso string) custody.BalanceLine {
	t.Helper()
	for _, c := range st.Categories {
		if c.Category.ID != cat {
			continue
		}
		for _, l := range c.Lines {
			if l.Country == iso {
				return l
			}
		}
	}
	return custody.BalanceLine{}
}

func sameLine(t *testing.T, period string, got custody.BalanceLine, open, credits, claims, expired, closing float64) {
	t.Helper()
	if !near(got.Opening, open) || !near(got.Credits, credits) || !near(got.Claims, claims) || !near(got.Expired, expired) || !near(got.Closing, closing) {
		t.Errorf("%s %s: %+v, want opening %v credits %v claims %v expired %v closing %v", period, got.Country, got, open, credits, claims, expired, closing)
	}
}

func TestMassBalanceStatement(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	st := func(p string) *custody.Statement {
		s, err := custody.StatementOf(ctx, db, "urn:t:site:mb", p, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	oct, nov, dec := st("2025-10"), st("2025-11"), st("2025-12")
	sameLine(t, "Oct", line(t, oct, "ree", "PAK"), 0, 4.5, 1.6, 0, 2.9)
	sameLine(t, "Oct", line(t, oct, "ree", "CHN"), 0, 4.5, 0, 0, 4.5)
	sameLine(t, "Oct", line(t, oct, "sb", "CHN"), 0, 0.8, 0, 0, 0.8)
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), 2.9, 0.9, 1.2, 1.7, 0.9)
	sameLine(t, "Nov", line(t, nov, "ree", "CHN"), 4.5, 0.45, 0, 4.5, 0.45)
	sameLine(t, "Nov", line(t, nov, "sb", "CHN"), 0.8, 0, 0, 0.8, 0)
	sameLine(t, "Dec", line(t, dec, "ree", "PAK"), 0.9, 0, 0, 0.9, 0)
	sameLine(t, "Dec", line(t, dec, "ree", "CHN"), 0.45, 0, 0, 0.45, 0)
	if err := custody.CheckStatement(nov); err != nil {
		t.Error(err)
	}
	// The events behind each line: a claim names the event that made it
	// (runOf carries each output's facts, the claim included, in its own
	// ObjectEvent at the run's time).
	var claimLots []string
	for _, c := range nov.Categories {
		for _, e := range c.Entries {
			if e.Kind == "claim" {
				claimLots = append(claimLots, e.Lot+"@"+e.Event)
			}
		}
	}
	if strings.Join(claimLots, ",") != "urn:t:lot:O3@urn:t:ev:E5-facts-0,urn:t:lot:K@urn:t:ev:E6-facts-0" {
		t.Errorf("November's claims %v", claimLots)
	}
	// Refused in October: the over-claim and the claim against the other category.
	if len(oct.Refused) != 2 {
		t.Fatalf("refused %+v", oct.Refused)
	}
	over, cross := oct.Refused[0], oct.Refused[1]
	if over.Lot != "urn:t:lot:O2" || over.Category != "ree" || !near(over.Shortfall, 1.1) || !near(over.Claimed, 4) || !near(over.Available, 2.9) {
		t.Errorf("over-claim %+v", over)
	}
	for _, want := range []string{"site urn:t:site:mb", "category ree", "period 2025-10", "shortfall 1.1 t"} {
		if !strings.Contains(over.Error, want) {
			t.Errorf("over-claim error %q lacks %q", over.Error, want)
		}
	}
	if cross.Lot != "urn:t:lot:SB2" || cross.Category != "sb" || !near(cross.Shortfall, 0.4) {
		t.Errorf("claim against another category %+v", cross)
	}
	// The message says which categories differ and why ISO 22095-2
	// refuses it: October's Pakistani 2.9 t are REE credits.
	for _, want := range []string{"claim against another material category refused", "category sb (antimony_ore → antimony_trioxide on Sb)", "shortfall 0.4 t",
		"Pakistan balance (2.9 t Nd+Pr: opening + credits in − claims − expired, at the claim's time) is in category ree (ree_concentrate → ndpr_oxide on Nd+Pr)",
		"category sb's Pakistan balance is 0 t", "ISO 22095-2 keeps material categories apart"} {
		if !strings.Contains(cross.Error, want) {
			t.Errorf("cross-category error %q lacks %q", cross.Error, want)
		}
	}
	// The figure is the balance, in the statement's terms (fix9j 3): a
	// message calling 2.9 t "credits" would contradict the statement,
	// whose October credits in are 4.5 t (100 t × 5 % × 0.9).
	if strings.Contains(cross.Error, "credits (") || strings.Contains(cross.Error, " holds ") {
		t.Errorf("cross-category error %q words the balance as credits", cross.Error)
	}
	// The lots: claimed origin beside an untouched physical origin.
	o2, err := custody.Origin(ctx, db, "urn:t:lot:O2")
	if err != nil || o2.Claimed == nil || o2.Claimed.Status != custody.ClaimRefused || !near(o2.Claimed.Shortfall, 1.1) || share(o2.Mass.ByCountry, "CHN").Share != 1 {
		t.Errorf("O2 %+v %v", o2, err)
	}
	if err := custody.CheckClaim(ctx, db, "urn:t:lot:O2"); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 1.1 t") {
		t.Errorf("CheckClaim O2: %v", err)
	}
	o1, err := custody.Origin(ctx, db, "urn:t:lot:O1")
	if err != nil || o1.Claimed == nil || o1.Claimed.Status != custody.ClaimAccepted || !near(o1.Claimed.Tonnes, 1.6) || o1.Claimed.Category != "ree" || o1.Claimed.Period != "2025-10" {
		t.Errorf("O1 %+v %v", o1.Claimed, err)
	}
	// A claim at a mass-balance site that declares no material category.
	n9, err := custody.Origin(ctx, db, "urn:t:lot:N9")
	if err != nil || n9.Claimed == nil || n9.Claimed.Status != custody.ClaimRefused || !strings.Contains(n9.Claimed.Error, "declares no material category") {
		t.Errorf("N9 %+v %v", n9.Claimed, err)
	}
	if _, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2026-01", nil, now); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("unknown period: %v", err)
	}
}

// TestCoveredCountryReadsPhysicalOrigin is case (c): K is made only from
// Chinese feed and carries an accepted claim of Pakistani origin. The
// covered-country rule reads physical origin and fails; the claim rule
// passes; the certificate shows both, labelled.
func TestCoveredCountryReadsPhysicalOrigin(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	vs, err := custody.Evaluate(ctx, db.(custody.RuleStore), "urn:t:lot:K", custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]custody.Verdict{}
	for _, v := range vs {
		got[v.Rule] = v
	}
	if v := got["dfars-covered-countries"]; v.Status != custody.Fail || v.Reads != custody.ReadsPhysical || !strings.Contains(v.Detail, "China") {
		t.Errorf("covered-country rule %+v", v)
	}
	if v := got["mass-balance-claim"]; v.Status != custody.Pass || v.Reads != custody.ReadsClaimed || !strings.Contains(v.Detail, "0.4 t Nd+Pr of Pakistan origin") {
		t.Errorf("claim rule %+v", v)
	}
	cert := string(issue(t, db.(custody.CertStore), "urn:t:lot:K"))
	for _, want := range []string{`"cm:claimedOrigin":{`, `"cm:physicalOrigin":{`, `"cm:originBasis":"claimed_origin"`, `"name":"total dry mass (physical origin, dry-mass view)","originCountry":"CHN"`,
		`(claimed origin, mass balance at urn:t:site:mb, 2025-11 — not physical; claim accepted)","originCountry":"PAK"`} {
		if !strings.Contains(cert, want) {
			t.Errorf("certificate lacks %s", want)
		}
	}
	// A pack may not make a covered-country rule read the claim.
	if _, err := custody.ParsePack([]byte(`{"id": "p", "rules": [{"id": "x", "kind": "excluded_countries", "reads": "claimed_origin", "countries": ["CHN"]}]}`)); critmin.ErrorCode(err) != critmin.EINVALID ||
		critmin.ErrorFields(err)[0].Pointer != "/rules/0/reads" {
		t.Errorf("claimed covered-country rule accepted: %v", err)
	}
}

// TestRollingAverage: at a rolling-average site a Pakistani and a Chinese
// feed bring 5 × 0.9 = 4.5 t Nd+Pr each: 50 % Pakistani. An output may
// claim up to 50 % Pakistan; 60 % is refused with the shortfall
// 1.6 t × (0.6 − 0.5) = 0.16 t.
func TestRollingAverage(t *testing.T) {
	db := store(t, doc(map[string]string{"ra": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 100, "Nd:4", "Pr:1"),
		runOf("R", "ra", "2025-10-05T00:00:00Z", []string{"A:100", "C:100"},
			product{lot: "H", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}]`},
			product{lot: "J", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.6}]`}),
	))
	ctx := context.Background()
	d := declaration("urn:t:site:ra")
	d.Method, d.CarryForward = critmin.MassBalanceRollingAverage, 0
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	h, err := custody.Origin(ctx, db, "urn:t:lot:H")
	if err != nil || h.Claimed.Status != custody.ClaimAccepted || !near(h.Claimed.ByCountry[0].Tonnes, 0.8) {
		t.Errorf("H %+v %v", h.Claimed, err)
	}
	j, err := custody.Origin(ctx, db, "urn:t:lot:J")
	if err != nil || j.Claimed.Status != custody.ClaimRefused || !near(j.Claimed.Shortfall, 0.16) || !strings.Contains(j.Claimed.Error, "50.0 %") {
		t.Errorf("J %+v %v", j.Claimed, err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:ra", "2025-10", nil, time.Now())
	if err != nil || !near(line(t, st, "ree", "PAK").Percent, 0.5) {
		t.Errorf("statement %+v %v", st, err)
	}
}

// TestDeclarationRefused: bad declarations name the field and store
// nothing.
func TestDeclarationRefused(t *testing.T) {
	db := store(t, doc(map[string]string{"bad": "mass_balance", "cb": "controlled_blending", "seg": "segregated"}))
	ctx := context.Background()
	for _, tc := range []struct {
		name, field, reason string
		edit                func(d *critmin.MassBalanceDeclaration)
	}{
		{"factor missing", "/categories/0/conversionFactor", "missing (required)", func(d *critmin.MassBalanceDeclaration) { d.Categories[0].ConversionFactor = 0 }},
		{"factor above one", "/categories/1/conversionFactor", "1.2 is outside (0, 1]", func(d *critmin.MassBalanceDeclaration) { d.Categories[1].ConversionFactor = 1.2 }},
		{"factor negative", "/categories/1/conversionFactor", "-0.5 is outside (0, 1]", func(d *critmin.MassBalanceDeclaration) { d.Categories[1].ConversionFactor = -0.5 }},
		{"overlapping periods", "/periods/1", "overlaps", func(d *critmin.MassBalanceDeclaration) { d.Periods[1].From = "2025-10-20" }},
		{"no category", "/categories", "missing (required)", func(d *critmin.MassBalanceDeclaration) { d.Categories = nil }},
		{"one product in two categories", "/categories/1/product", "product of another category", func(d *critmin.MassBalanceDeclaration) { d.Categories[1].Product = "ndpr_oxide" }},
		{"unknown method", "/method", "not credit or rolling_average", func(d *critmin.MassBalanceDeclaration) { d.Method = "fifo" }},
		{"bad date", "/periods/2/to", "not a date", func(d *critmin.MassBalanceDeclaration) { d.Periods[2].To = "2026-13-01" }},
		{"unknown element", "/categories/0/elements/1", `"Xx" is not a chemical element symbol`, func(d *critmin.MassBalanceDeclaration) { d.Categories[0].Elements[1] = "Xx" }},
		{"oxide for element", "/categories/0/elements/0", `"Nd2O3" is not a chemical element symbol`, func(d *critmin.MassBalanceDeclaration) { d.Categories[0].Elements[0] = "Nd2O3" }},
		{"element twice", "/categories/0/elements/1", "listed twice", func(d *critmin.MassBalanceDeclaration) { d.Categories[0].Elements[1] = "Nd" }},
		{"elements missing", "/categories/1/elements", "missing (required)", func(d *critmin.MassBalanceDeclaration) { d.Categories[1].Elements = nil }},
		{"unknown input material", "/categories/0/inputs/0", `"ree_concentrat" is not a known material`, func(d *critmin.MassBalanceDeclaration) { d.Categories[0].Inputs[0] = "ree_concentrat" }},
		{"not a URI", "/categories/1/product", `"x:" is not a known material`, func(d *critmin.MassBalanceDeclaration) { d.Categories[1].Product = "x:" }},
		{"product missing", "/categories/1/product", "missing (required)", func(d *critmin.MassBalanceDeclaration) { d.Categories[1].Product = "" }},
		{"input is product", "/categories/0/inputs/0", "is the category's product", func(d *critmin.MassBalanceDeclaration) { d.Categories[0].Inputs[0] = "ndpr_oxide" }},
		// A code and its IRI are one commodity (ledger.CanonicalCommodity).
		{"code and its IRI", "/categories/0/inputs/1", `"ree_concentrate" is listed twice in this category`, func(d *critmin.MassBalanceDeclaration) {
			d.Categories[0].Inputs = append(d.Categories[0].Inputs, "https://ns.critmin.org/mineral/v1/commodity/ree_concentrate")
		}},
		// An input may feed several categories only when their elements
		// are disjoint: sb qualifying Nd too would count ree's Nd twice.
		{"IRI input of another category on a shared element", "/categories/1/inputs/1", `"ree_concentrate" is an input of category "ree" too, and both categories "ree" and "sb" qualify element Nd`, func(d *critmin.MassBalanceDeclaration) {
			d.Categories[1].Inputs = append(d.Categories[1].Inputs, "https://ns.critmin.org/mineral/v1/commodity/ree_concentrate")
			d.Categories[1].Elements = []string{"Sb", "Nd"}
		}},
		{"category id missing", "/categories/0/id", "missing (required)", func(d *critmin.MassBalanceDeclaration) { d.Categories[0].ID = "" }},
		{"period from missing", "/periods/0/from", "missing (required)", func(d *critmin.MassBalanceDeclaration) { d.Periods[0].From = "" }},
		{"first version effective later", "/effectiveFrom", "takes effect from its first period", func(d *critmin.MassBalanceDeclaration) { d.EffectiveFrom = "2025-11-01" }},
	} {
		d := declaration("urn:t:site:bad")
		tc.edit(d)
		err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC))
		if critmin.ErrorCode(err) != critmin.EINVALID || critmin.ErrorFields(err)[0].Pointer != tc.field || !strings.Contains(critmin.ErrorFields(err)[0].Reason, tc.reason) {
			t.Errorf("%s: %v (%+v), want field %s saying %q", tc.name, err, critmin.ErrorFields(err), tc.field, tc.reason)
		}
		if _, err := db.FindMassBalance(ctx, "urn:t:site:bad"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: stored: %v", tc.name, err)
		}
	}
	// Only a mass-balance site keeps an account: a declaration at a site
	// whose master data declares another custody model, or none, is
	// refused at /site, and claims there are never counted.
	for site, want := range map[string]string{"urn:t:site:cb": "runs controlled_blending", "urn:t:site:seg": "runs segregated"} {
		err := custody.DeclareMassBalance(ctx, db, declaration(site), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC))
		if f := critmin.ErrorFields(err); critmin.ErrorCode(err) != critmin.EINVALID || len(f) == 0 || f[0].Pointer != "/site" || !strings.Contains(f[0].Reason, want) {
			t.Errorf("declaration at %s: %v, want /site saying %q", site, err, want)
		}
		if _, err := db.FindMassBalance(ctx, site); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: stored: %v", site, err)
		}
	}
}

// TestClaimRefusedAtCapture: with the capture check on, a document whose
// run claims more than the account holds is refused and nothing is
// stored. In November, after E5 and E6, the Pakistani balance is 1.7 t
// (October's, carried forward) + 0.9 t (November's) = 2.6 t Nd+Pr; P7,
// 5 t at 60 % Nd + 20 % Pr = 4.0 t claimed Pakistani: shortfall 1.4 t.
// P8, 1 t = 0.8 t, fits. Both are made from 100 t of CBIG (5 t Nd+Pr in):
// fix9p, from 1 t of C2 (0.05 t in) the runs gained and each claim counted
// the capped 0.05 t. A claim at mb2, which declares no material
// category, is refused too.
func TestClaimRefusedAtCapture(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-25T00:00:00Z") // November is open
	run := func(id, site, out string, t float64) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-20T00:00:00Z",
		 "epcisBody": {"eventList": [{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		 "inputQuantityList": [{"epcClass": "urn:t:lot:CBIG", "quantity": 100, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + fmt.Sprint(t) + `, "uom": "TNE"}],
		 "bizLocation": {"id": "urn:t:site:` + site + `"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}],
		          "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}]}}`
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(run("E7", "mb", "P7", 5))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 1.4 t") || !strings.Contains(err.Error(), "period 2025-11") ||
		critmin.ErrorFields(err)[0].Pointer != "/epcisBody/eventList/0/ilmd/cm:originClaim" {
		t.Errorf("over-claim at capture: %v", err)
	}
	if _, err := db.FindLot(ctx, "urn:t:lot:P7"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused capture stored P7: %v", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(run("E8", "mb", "P8", 1))}); err != nil {
		t.Errorf("covered claim refused: %v", err)
	}
	p8, err := custody.Origin(ctx, db, "urn:t:lot:P8")
	if err != nil || p8.Claimed == nil || p8.Claimed.Status != custody.ClaimAccepted || !near(p8.Claimed.Tonnes, 0.8) {
		t.Errorf("P8 %+v %v", p8, err)
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(run("E10", "mb2", "P10", 1))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "declares no material category") {
		t.Errorf("claim without a category: %v", err)
	}
}
