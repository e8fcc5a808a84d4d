package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

// blendNetwork has one line that may refine covered (CHN) and
// non-covered (PAK) feed, a DFARS buyer D and a stockpile S that both
// exclude covered origins, and an open buyer O.
//
// Two weeks. At the refinery R: lot a, 20 t of PAK concentrate at 10 % E,
// and lot c, 10 t of CHN concentrate at 20 % E, both at week 0. Line L
// takes 20 t of feed a week, recovery 1, into oxide (100 % E), at no
// cost. D pays 1000/t (excludes CHN, RUS, PRK, IRN), O pays 600/t; S
// must hold 1 t of oxide in week 1 or pay 1500/t, and excludes the same
// origins.
//
// By hand: the line runs one origin class a week. The PAK campaign makes
// 2 t of oxide (20 t × 0.1), the CHN campaign 2 t (10 t × 0.2). CHN oxide
// can go only to O: 1200. PAK oxide: 1 t to S (saves 1500) and 1 t to D
// (1000) — sending both to D earns 2000 but pays the 1500 penalty. Margin
// 1000 + 1200 = 2200. Blending both lots in one week would make 4 t of
// an oxide that is one-third CHN by NdPr content, which neither D nor S
// may take.
func blendNetwork() *Network {
	covered := []string{"CHN", "RUS", "PRK", "IRN"}
	return &Network{
		ID: "blend", Title: "blending", Periods: Periods{Unit: "week", Count: 2, Start: "2026-01-05"},
		Commodities: []Commodity{{ID: "conc"}, {ID: "oxide", Content: map[string]float64{"E": 1}}},
		Sites: []Site{{ID: "R", Kind: "refinery", Country: "USA"}, {ID: "D", Kind: "buyer", Country: "USA"},
			{ID: "O", Kind: "buyer", Country: "USA"}, {ID: "S", Kind: "stockpile", Country: "USA"}},
		Supplies: []Supply{
			{ID: "a", Site: "R", Commodity: "conc", OriginCountry: "PAK", Grade: map[string]float64{"E": 0.1}, Tonnes: 20, Owned: true},
			{ID: "c", Site: "R", Commodity: "conc", OriginCountry: "CHN", Grade: map[string]float64{"E": 0.2}, Tonnes: 10, Owned: true}},
		Lanes: []Lane{{ID: "RD", From: "R", To: "D", Mode: "truck"}, {ID: "RO", From: "R", To: "O", Mode: "truck"}, {ID: "RS", From: "R", To: "S", Mode: "truck"}},
		Lines: []Line{{ID: "L", Site: "R", Feed: "conc", CapacityT: 20, Outputs: []Output{{Product: "oxide", Element: "E", Recovery: 1}}}},
		Contracts: []Contract{{ID: "d", Buyer: "D", Site: "D", Commodity: "oxide", MaxT: 100, PricePerT: 1000, ExcludedOrigins: covered},
			{ID: "o", Buyer: "O", Site: "O", Commodity: "oxide", MaxT: 100, PricePerT: 600}},
		Stockpiles: []Stockpile{{ID: "s", Site: "S", Commodity: "oxide", TargetT: 1, By: 1, Penalty: 1500, ExcludedOrigins: covered}},
	}
}

func TestBlendingKeepsCoveredContentFromExcludingBuyers(t *testing.T) {
	n := blendNetwork()
	p := run(t, n, Baseline, Options{})
	if !near(p.Objective, 2200) || !near(p.KPIs.Margin, 2200) {
		t.Fatalf("objective %v margin %v, want 2200", p.Objective, p.KPIs.Margin)
	}
	class := map[int]string{}
	for _, pr := range p.Processing {
		if c, ok := class[pr.Period]; ok && c != pr.Class {
			t.Fatalf("week %d blends classes %s and %s", pr.Period, c, pr.Class)
		}
		class[pr.Period] = pr.Class
	}
	if len(class) != 2 {
		t.Fatalf("campaigns %v, want one PAK and one CHN week", class)
	}
	for _, s := range p.Sales {
		if s.Contract == "d" && (!near(s.Origins["PAK"], s.Tonnes) || len(s.Origins) != 1) {
			t.Fatalf("D's sale has origins %v", s.Origins)
		}
	}
	if !near(p.KPIs.ContractTonnes["d"], 1) || !near(p.KPIs.ContractTonnes["o"], 2) {
		t.Fatalf("contract tonnes %v, want d 1, o 2", p.KPIs.ContractTonnes)
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
		t.Fatalf("stockpile holds %v, want 1 t PAK", held)
	}
	if !near(p.KPIs.OriginShares["oxide"]["CHN"], 2.0/3) {
		t.Fatalf("origin shares %v, want CHN 2/3 of 3 t sold", p.KPIs.OriginShares)
	}
}

// Check finds covered content delivered to D or to S from the published
// records alone, however the records are labelled.
func TestCheckCatchesCoveredContentInTamperedPlans(t *testing.T) {
	n := blendNetwork()
	p := run(t, n, Baseline, Options{})
	chnWeek := -1
	for _, pr := range p.Processing {
		if pr.Class != Unrestricted {
			chnWeek = pr.Period
		}
	}
	checkRefusesTampers(t, n, p, chnWeek, "CHN", [3]string{"contract d period", "stockpile s receives", "holds CHN content"})
}

func clonePlan(t *testing.T, p *Plan) *Plan {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Plan
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	return &q
}

// A stockpile kept at the refinery that makes its product (no lane
// delivers to it) is in the origin table. handNetwork with stockpile sp
// at R: 3 t of oxide from week 0, penalty 5000/t, excluding PAK. One
// week, one campaign: the unrestricted (AUS) campaign runs B's 100 t into
// 20 t of oxide; PAK feed would make a class sp excludes. Y takes 5 t
// (10 000), sp holds 3 t (saves 15 000 of penalty), X 12 t (12 000);
// B's feed costs 100 × (20 + 30) = 5 000. Margin 17 000. The table
// shows sp holding 3 t, all AUS.
func TestOriginSummaryShowsAStockpileAtAProductionSite(t *testing.T) {
	n := handNetwork()
	n.Stockpiles = []Stockpile{{ID: "sp", Site: "R", Commodity: "oxide", TargetT: 3, By: 0, Penalty: 5000, ExcludedOrigins: []string{"PAK"}}}
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 17000) {
		t.Fatalf("margin %v, want 17000", p.KPIs.Margin)
	}
	var row *OriginRow
	for _, r := range OriginSummary(n, p) {
		if r.Kind == "stockpile" && r.Ref == "sp" {
			row = &r
		}
	}
	if row == nil {
		t.Fatal("stockpile sp is missing from the origin table")
	}
	if !near(row.Tonnes, 3) || len(row.Origins) != 1 || !near(row.Origins["AUS"], 3) {
		t.Errorf("sp row %+v; want 3 t, all AUS", *row)
	}
}

// checkRefusesTampers checks that Check refuses plan p of network n
// tampered three ways in week, whose campaign runs the class what: 1 t
// of its oxide re-routed to buyer D labelled PAK, 1 t re-routed to
// stockpile S, and the campaign relabelled unrestricted; wants are the
// words each refusal must contain.
func checkRefusesTampers(t *testing.T, n *Network, p *Plan, week int, what string, wants [3]string) {
	t.Helper()
	cases := []struct {
		name   string
		tamper func(q *Plan)
		want   string
	}{
		{"1 t of " + what + " oxide re-routed to D, labelled PAK", func(q *Plan) {
			for i := range q.Flows {
				if f := &q.Flows[i]; f.Lane == "RO" && f.Period == week {
					f.Tonnes--
					g := *f
					g.Lane, g.To, g.Tonnes, g.Origins = "RD", "D", 1, Mix{"PAK": 1}
					q.Flows = append(q.Flows, g)
					break
				}
			}
			for i := range q.Sales {
				if s := &q.Sales[i]; s.Contract == "o" && s.Period == week {
					s.Tonnes--
					g := *s
					g.Contract, g.Site, g.Tonnes, g.Origins = "d", "D", 1, Mix{"PAK": 1}
					q.Sales = append(q.Sales, g)
					break
				}
			}
		}, wants[0]},
		{"1 t of " + what + " oxide re-routed to the stockpile", func(q *Plan) {
			for i := range q.Flows {
				if f := &q.Flows[i]; f.Lane == "RO" && f.Period == week {
					f.Tonnes--
					g := *f
					g.Lane, g.To, g.Tonnes = "RS", "S", 1
					q.Flows = append(q.Flows, g)
					q.Inventory = append(q.Inventory, InvT{Site: "S", Period: week, Stream: g.Stream, Commodity: "oxide", Tonnes: 1})
					if week == 0 {
						q.Inventory = append(q.Inventory, InvT{Site: "S", Period: 1, Stream: g.Stream, Commodity: "oxide", Tonnes: 1})
					}
					break
				}
			}
			for i := range q.Sales {
				if s := &q.Sales[i]; s.Contract == "o" && s.Period == week {
					s.Tonnes--
					break
				}
			}
		}, wants[1]},
		{"the " + what + " campaign relabelled as unrestricted", func(q *Plan) {
			for i := range q.Processing {
				if pr := &q.Processing[i]; pr.Period == week {
					pr.Class = Unrestricted
					pr.Pool = map[string]string{"oxide": "oxide:" + Unrestricted}
				}
			}
		}, wants[2]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := clonePlan(t, p)
			c.tamper(q)
			err := Check(n, q)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Check: %v; want an error containing %q", err, c.want)
			}
		})
	}
}
