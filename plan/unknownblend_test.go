package plan

import (
	"slices"
	"testing"
)

// Issue 9 §2/§5, new-user check nu31 (fixFf): unknown-origin content and
// blended lots against buyers and stockpiles that exclude covered
// countries.

// unknownNetwork is blendNetwork with lot c replaced by lot u: 10 t of
// concentrate at 20 % E whose origin is unknown ("UNK", a ledger lot with
// no country and no mine). D and S exclude CHN, RUS, PRK, IRN; O excludes
// nothing.
func unknownNetwork() *Network {
	n := blendNetwork()
	n.Supplies[1] = Supply{ID: "u", Site: "R", Commodity: "conc", OriginCountry: UnknownOrigin, Grade: map[string]float64{"E": 0.2}, Tonnes: 10, Owned: true}
	return n
}

// classOf is the one function that classes a stream (build) and a traced
// feed (Check). Lists of blendNetwork: d and s both exclude CHN, RUS,
// PRK, IRN, and so (effectiveExcluded) UNK.
func TestClassOfBlends(t *testing.T) {
	cl := blendNetwork().originClasses()
	covered := "CHN+IRN+PRK+RUS"
	for _, c := range []struct {
		name    string
		origins []string
		want    string
	}{
		{"Pakistan only", []string{"PAK"}, Unrestricted},
		{"China only", []string{"CHN"}, covered},
		{"unknown only: its own class", []string{UnknownOrigin}, UnknownOrigin},
		{"Pakistan and China: covered", []string{"PAK", "CHN"}, covered},
		{"China at a zero share still counts", []string{"CHN", "PAK"}, covered},
		{"Pakistan and unknown", []string{"PAK", UnknownOrigin}, UnknownOrigin},
		{"China and unknown: the union", []string{"CHN", UnknownOrigin, "PAK"}, covered + "+UNK"},
	} {
		if got := cl.classOf(c.origins); got != c.want {
			t.Errorf("%s: classOf(%v) = %q, want %q", c.name, c.origins, got, c.want)
		}
	}
	if !excludesClass([]string{"CHN"}, cl, UnknownOrigin) {
		t.Error("a list excluding CHN does not bar UNK")
	}
	if excludesClass(nil, cl, UnknownOrigin) {
		t.Error("an empty exclusion list bars UNK")
	}
	if !excludesClass([]string{"IRN"}, cl, covered+"+UNK") {
		t.Error("a list excluding IRN does not bar a CHN+…+UNK blend")
	}
}

// The unknown-origin lot never reaches D or S.
//
// By hand (after the fix): UNK is barred by D and S (both exclude covered
// countries, so both bar unknown origin) and is its own class, so the
// line runs the PAK lot (20 t × 10 % = 2 t of oxide) and the UNK lot
// (10 t × 20 % = 2 t) in separate weeks. UNK oxide can go only to O:
// 2 × 600 = 1200. PAK oxide: 1 t to S (saves the 1500 penalty) and 1 t
// to D (1000). Margin 1000 + 1200 = 2200; D's sales are 1 t, all PAK; O's
// 2 t, all UNK; S holds 1 t PAK in week 1.
//
// Before the fix UNK was "unrestricted" like PAK: D took 3 t (3000), one
// tonne or more of it UNK, S 1 t, margin 3000.
func TestUnknownOriginNeverReachesExcludingSinks(t *testing.T) {
	n := unknownNetwork()
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 2200) {
		t.Fatalf("margin %v, want 2200", p.KPIs.Margin)
	}
	sold := map[string]Mix{}
	for _, s := range p.Sales {
		if sold[s.Contract] == nil {
			sold[s.Contract] = Mix{}
		}
		for o, v := range s.Origins {
			sold[s.Contract][o] += v
		}
	}
	if len(sold["d"]) != 1 || !near(sold["d"]["PAK"], 1) {
		t.Errorf("D bought %v, want 1 t, all PAK", sold["d"])
	}
	if len(sold["o"]) != 1 || !near(sold["o"][UnknownOrigin], 2) {
		t.Errorf("O bought %v, want 2 t, all UNK", sold["o"])
	}
	held := Mix{}
	for _, iv := range p.Inventory {
		if iv.Site == "S" && iv.Period == 1 {
			for o, v := range iv.Origins {
				held[o] += v
			}
		}
	}
	if len(held) != 1 || !near(held["PAK"], 1) {
		t.Errorf("S holds %v in week 1, want 1 t PAK", held)
	}
	for _, st := range p.Streams {
		if st.ID == "supply:u" && st.Class != UnknownOrigin {
			t.Errorf("stream supply:u has class %q, want %q", st.Class, UnknownOrigin)
		}
	}
}

// A file may still send unknown origin to a sink: by excluding nothing.
// Without exclusions on D and S, UNK and PAK are one class and the plan
// earns 3000 (D takes 3 t, S 1 t: 4 t of oxide, 2 from each lot).
func TestUnknownOriginGoesWhereNothingIsExcluded(t *testing.T) {
	n := unknownNetwork()
	n.Contracts[0].ExcludedOrigins = nil
	n.Stockpiles[0].ExcludedOrigins = nil
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 3000) {
		t.Fatalf("margin %v, want 3000", p.KPIs.Margin)
	}
}

// A ledger lot blending Pakistani and Chinese concentrate (named CHN by
// lotOrigin, shares PAK 0.8, CHN 0.2) is covered content: build and Check
// class it alike (classOf), and the plan is published.
//
// By hand: lot b, 10 t at 20 % E, makes 2 t of oxide holding 2 × 0.8 =
// 1.6 t PAK and 2 × 0.2 = 0.4 t CHN content; as covered content it goes
// only to O: 1200. The PAK lot's 2 t: 1 t to S (saves 1500), 1 t to D
// (1000). Margin 2200. Before the fix Check classed the feed's PAK share
// on its own ("unrestricted") against the CHN campaign, and refused the
// plan: "line L period … runs class CHN+IRN+PRK+RUS but its feed
// supply:b holds PAK content (class unrestricted)".
func TestBlendedLedgerLotPlansAsCoveredContent(t *testing.T) {
	n := blendNetwork()
	n.Supplies[1] = Supply{ID: "b", Site: "R", Commodity: "conc", OriginCountry: "CHN", OriginShares: map[string]float64{"PAK": 0.8, "CHN": 0.2}, Grade: map[string]float64{"E": 0.2}, Tonnes: 10, Owned: true}
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 2200) {
		t.Fatalf("margin %v, want 2200", p.KPIs.Margin)
	}
	sold := map[string]Mix{}
	for _, s := range p.Sales {
		if sold[s.Contract] == nil {
			sold[s.Contract] = Mix{}
		}
		for o, v := range s.Origins {
			sold[s.Contract][o] += v
		}
	}
	if len(sold["d"]) != 1 || !near(sold["d"]["PAK"], 1) {
		t.Errorf("D bought %v, want 1 t, all PAK", sold["d"])
	}
	if !near(sold["o"]["PAK"], 1.6) || !near(sold["o"]["CHN"], 0.4) {
		t.Errorf("O bought %v, want PAK 1.6 t, CHN 0.4 t", sold["o"])
	}
	for _, pr := range p.Processing {
		if pr.Stream == "supply:b" && pr.Class != "CHN+IRN+PRK+RUS" {
			t.Errorf("week %d runs the blend in class %q, want CHN+IRN+PRK+RUS", pr.Period, pr.Class)
		}
	}
}

// Check refuses plans that send unknown-origin content to D or S, from
// the published records alone.
func TestCheckCatchesUnknownContentInTamperedPlans(t *testing.T) {
	n := unknownNetwork()
	p := run(t, n, Baseline, Options{})
	unkWeek := -1
	for _, pr := range p.Processing {
		if pr.Class == UnknownOrigin {
			unkWeek = pr.Period
		}
	}
	if unkWeek < 0 {
		t.Fatalf("no week runs class UNK: %+v", p.Processing)
	}
	checkRefusesTampers(t, n, p, unkWeek, "UNK", [3]string{"of UNK-origin content, which it excludes", "stockpile s receives 1.000 t of UNK-origin content", "holds UNK content (class UNK)"})
	// The plan as solved passes, and no excluding sink's list was
	// widened in the file: UNK is barred by the rule, not by an edit.
	if err := Check(n, p); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(n.Contracts[0].ExcludedOrigins, UnknownOrigin) {
		t.Fatal("the contract's excluded_origins was changed in place")
	}
}
