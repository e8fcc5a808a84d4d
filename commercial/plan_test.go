package commercial_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/scenario"
	"github.com/shopspring/decimal"
)

// A planning contract that names the worked copper term sheet is priced at
// the NSR of its reference grade (Cu 23.75 %, Au 4.05 g/t, Ag 49 g/t,
// As 0.34 %) at Cu 9800, Au 2000, Ag 25: 2338.9961 USD per dmt (see
// TestNetValuePerTonne), not at its flat price of 5000.
func TestApplyTerms(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	n := &plan.Network{Contracts: []plan.Contract{
		{ID: "flat", PricePerT: 5000},
		{ID: "termed", PricePerT: 5000, Terms: "TEST-CU-1", TermsGrade: map[string]float64{"Cu": 0.2375, "Au": 0.00000405, "Ag": 0.000049, "As": 0.0034}},
	}}
	spot := map[string]decimal.Decimal{"CU": d("9800"), "AU": d("2000"), "AG": d("25")}
	priced, err := commercial.ApplyTerms(n, map[string]*commercial.TermSheet{"TEST-CU-1": ts}, spot)
	if err != nil {
		t.Fatal(err)
	}
	if len(priced) != 1 || n.Contracts[0].PricePerT != 5000 || n.Contracts[1].PricePerT != 2338.9961 {
		t.Errorf("priced %v: flat %v, termed %v; want 5000 and 2338.9961", priced, n.Contracts[0].PricePerT, n.Contracts[1].PricePerT)
	}
	n.Contracts[1].TermsGrade = map[string]float64{"Cu": 0.2375}
	if _, err := commercial.ApplyTerms(n, map[string]*commercial.TermSheet{"TEST-CU-1": ts}, spot); !hasField(err, "/contracts[1].terms") {
		t.Errorf("missing grade: err = %v", err)
	}
}

// A concentrate lot the planner buys under a purchase contract is priced
// at the contract's terms — the settlement the trade job invoices with —
// on the lot's assays (Cu 24 %, As 0.35 %) at spot Cu 9 000 USD/t:
//
//	payable Cu  min(96.5 % × 24 = 23.16, 24 − 1 minimum deduction) = 23 %
//	            (the deduction binds) = 0.23 t × 9 000              = 2 070.0000
//	TC          flat                                                 −   80.0000
//	RC          230 000 g ÷ 453.59237 g/lb = 507.0632 lb × 8 ¢/lb     −   40.5651
//	penalty As  (0.35 − 0.20) ÷ 0.10 = 1.5 steps (pro rata) × 3 USD  −    4.5000
//	NSR                                                              1 944.9349 USD/dmt
//
// The plan: 100 t at the mine, one smelter buys up to 60 t at 2 500 per
// t, the lane costs 10 per t. Each tonne earns 2 500 − 1 944.9349 − 10 =
// 545.0651, so the plan buys 60 t: revenue 150 000, feed 60 × 1 944.9349
// = 116 696.094, transport 600, margin 32 703.906 — which plan.Check
// re-derives from the published records.
func TestSupplyAtPurchaseContractTerms(t *testing.T) {
	ts := MustTerms(t, `{"id": "BUY-CU", "commodity": "copper_concentrate", "seller": "urn:x:mine", "buyer": "urn:x:us", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 90},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "min_deduction": 1, "price": {"series": "CU", "unit": "USD/t"}}],
	  "tc": {"base": 80},
	  "rc": [{"element": "Cu", "rate": 8, "unit": "USc/lb"}],
	  "penalties": [{"analyte": "As", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 3, "pro_rata": true}]}`)
	// A sale contract of the same commodity (the party sells) is not a
	// purchase contract and prices nothing.
	sale := MustTerms(t, `{"id": "AAA-SELL-CU", "commodity": "copper_concentrate", "seller": "urn:x:us", "buyer": "urn:x:smelter", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 90},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 99, "price": {"series": "CU", "unit": "USD/t"}}]}`)
	n := &plan.Network{
		ID: "buy", Title: "bought feed", Party: "urn:x:us", Periods: plan.Periods{Unit: "week", Count: 1, Start: "2026-01-05"},
		Commodities: []plan.Commodity{{ID: "copper_concentrate"}},
		Sites:       []plan.Site{{ID: "M", Kind: "mine", Country: "PAK"}, {ID: "S", Kind: "buyer", Country: "USA"}},
		Supplies: []plan.Supply{{ID: "lot-1", Site: "M", Commodity: "copper_concentrate", OriginCountry: "PAK", Lot: "urn:lot:1",
			Grade: map[string]float64{"Cu": 0.24, "As": 0.0035}, Tonnes: 100}},
		// The default table would price it at 9 536 per t Cu contained
		// (2 288.64 per t); the contract takes precedence.
		FeedPrices: []plan.FeedPrice{{Commodity: "copper_concentrate", PricePerT: 9536, PriceBasis: "contained", Element: "Cu", Source: "test table"}},
		Lanes:      []plan.Lane{{ID: "MS", From: "M", To: "S", Mode: "truck", CostPerT: 10}},
		Contracts:  []plan.Contract{{ID: "smelter", Buyer: "S", Site: "S", Commodity: "copper_concentrate", MaxT: 60, PricePerT: 2500}},
	}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	lotAssays := func(lot string, _ *commercial.TermSheet) (map[string]commercial.Grade, error) {
		if lot != "urn:lot:1" {
			t.Fatalf("assays of %s asked for", lot)
		}
		return map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}, "As": {Value: d("0.35"), Unit: "%"}}, nil
	}
	priced := commercial.PriceSupplies(n, []*commercial.TermSheet{sale, ts}, map[string]decimal.Decimal{"CU": d("9000")}, "2026-01-02", lotAssays, nil, nil)
	if err := n.PriceFeeds(); err != nil {
		t.Fatal(err)
	}
	s := n.Supplies[0]
	if len(priced) != 1 || s.PricePerT != 1944.9349 || s.PriceFrom != plan.PriceFromContract || s.Terms != "BUY-CU" ||
		!strings.Contains(s.PriceSource, "NSR 1944.93 USD/dmt") || !strings.Contains(s.PriceSource, "penalty:As -4.50") {
		t.Fatalf("supply priced %v: %+v", priced, s)
	}
	p, err := plan.Run(t.Context(), n, plan.Baseline, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := p.KPIs
	if !near(k.Revenue, 150000) || !near(k.Costs["feed"], 116696.094) || !near(k.Costs["transport"], 600) || !near(k.Margin, 32703.906) {
		t.Errorf("revenue %v feed %v transport %v margin %v; want 150000, 116696.094, 600, 32703.906", k.Revenue, k.Costs["feed"], k.Costs["transport"], k.Margin)
	}
	if len(p.SupplyPrices) != 1 || p.SupplyPrices[0].Terms != "BUY-CU" || !near(p.SupplyPrices[0].BoughtT, 60) {
		t.Errorf("supply prices %+v", p.SupplyPrices)
	}
	if err := plan.Check(n, p); err != nil {
		t.Fatal(err)
	}
	// Feed bought at the table price instead of the contract's is caught.
	p.Purchases[0].Cost = 60 * 2288.64
	if err := plan.Check(n, p); err == nil {
		t.Error("Check accepted a purchase costed at another price")
	}
	// A lot the contract cannot value (no As assay) falls to the table,
	// saying why.
	n.Supplies[0].PricePerT, n.Supplies[0].PriceFrom, n.Supplies[0].PriceSource, n.Supplies[0].Terms = 0, "", "", ""
	commercial.PriceSupplies(n, []*commercial.TermSheet{ts}, map[string]decimal.Decimal{"CU": d("9000")}, "2026-01-02", func(string, *commercial.TermSheet) (map[string]commercial.Grade, error) {
		return map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}}, nil
	}, nil, nil)
	if err := n.PriceFeeds(); err != nil {
		t.Fatal(err)
	}
	if s := n.Supplies[0]; s.PriceFrom != plan.PriceFromTable || !strings.Contains(s.PriceSource, "not at BUY-CU terms") || !strings.Contains(s.PriceSource, "As") {
		t.Errorf("fallback %+v", s)
	}
	// A purchase contract in another currency does not price a USD plan,
	// and the table's price says why.
	eur := *ts
	eur.Currency = "EUR"
	n.Supplies[0].PricePerT, n.Supplies[0].PriceFrom, n.Supplies[0].PriceSource = 0, "", ""
	if priced := commercial.PriceSupplies(n, []*commercial.TermSheet{&eur}, map[string]decimal.Decimal{"CU": d("9000")}, "2026-01-02", lotAssays, nil, nil); len(priced) != 0 {
		t.Errorf("EUR contract priced %v", priced)
	}
	if err := n.PriceFeeds(); err != nil {
		t.Fatal(err)
	}
	if s := n.Supplies[0]; s.PriceFrom != plan.PriceFromTable || !strings.Contains(s.PriceSource, "in EUR, the plan in USD") {
		t.Errorf("currency mismatch %+v", s)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*(1+math.Abs(b)) }

// The NSR comparison of the hand-worked feed (Cu 24 %, As 0.35 %) at spot
// Cu 9 000: NSR 1 944.9349 USD/dmt (TestSupplyAtPurchaseContractTerms);
// the contained value is 24 % × 9 000 = 2 160.00 per dmt (every payable at
// 100 %, no charges), so the contract pays 1 944.9349 ÷ 2 160 = 90.04 %
// of it. The CSV has a row per line, the NSR and the references.
func TestNSRComparisonContainedValueAndCSV(t *testing.T) {
	ts := MustTerms(t, `{"id": "BUY-CU", "commodity": "copper_concentrate", "seller": "urn:x:mine", "buyer": "urn:x:us", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 90},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "min_deduction": 1, "price": {"series": "CU", "unit": "USD/t"}}],
	  "tc": {"base": 80},
	  "rc": [{"element": "Cu", "rate": 8, "unit": "USc/lb"}],
	  "penalties": [{"analyte": "As", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 3, "pro_rata": true}]}`)
	grades := map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}, "As": {Value: d("0.35"), Unit: "%"}}
	cmp := commercial.CompareNSR([]*commercial.TermSheet{ts}, grades, map[string]decimal.Decimal{"CU": d("9000")}, []decimal.Decimal{d("0.9"), d("1"), d("1.1")})
	c := cmp.Cases[0]
	if c.Error != "" || !c.NSRPerDMT.Equal(d("1944.9349")) || !c.ContainedValue.Equal(d("2160")) || !c.PaidPct.Equal(d("90.04")) {
		t.Fatalf("case %+v", c)
	}
	if got := strings.Join(cmp.Codes(), ","); got != "payable:Cu,tc,rc:Cu,penalty:As" {
		t.Errorf("codes %s", got)
	}
	// The side-by-side cells as the amounts beside them (nu13g finding
	// 8): the true minus sign, thousands grouped. Payable Cu: min(96.5 %
	// × 24, 24 − 1) = 23 % × 9000 USD/t = 2070 USD/dmt → "2,070.00"; TC
	// −80 → "−80.00" (before: "-80.00", "2070.00").
	if c.Cell("tc") != "−80.00" || c.Cell("payable:Cu") != "2,070.00" || c.Cell("moisture") != "—" {
		t.Errorf("cells %s %s %s", c.Cell("tc"), c.Cell("payable:Cu"), c.Cell("moisture"))
	}
	var b strings.Builder
	if err := cmp.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"contract,name,currency,row,code,label,formula,per_dmt", "BUY-CU,,USD,line,payable:Cu,Payable Cu,", "BUY-CU,,USD,total,nsr,Net smelter return,Σ lines,1944.9349", ",reference,contained_value,", ",reference,paid_pct,", "sensitivity,price_x0.9"} {
		if !strings.Contains(out, want) {
			t.Errorf("CSV lacks %q:\n%s", want, out)
		}
	}
}

// Two purchase contracts buy the same commodity for the plan's party:
// BUY-A (TC 80, NSR 1 944.9349 as worked in TestSupplyAtPurchaseContractTerms)
// and BUY-B (TC 100: 1 944.9349 − 20 = 1 924.9349). The lot's contract is
// the one it is invoiced under (BUY-B, though BUY-A sorts first); when
// the lot is invoiced under neither, no contract is picked and the price
// source names both; with no table price the plan is refused naming them.
func TestSupplyContractAmbiguity(t *testing.T) {
	terms := func(id, tc string) *commercial.TermSheet {
		return MustTerms(t, `{"id": "`+id+`", "commodity": "copper_concentrate", "seller": "urn:x:mine", "buyer": "urn:x:us", "currency": "USD",
	  "delivery": {"incoterm": "FOB", "place": "Karachi"}, "payment": {"provisional_pct": 90},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "min_deduction": 1, "price": {"series": "CU", "unit": "USD/t"}}],
	  "tc": {"base": `+tc+`},
	  "rc": [{"element": "Cu", "rate": 8, "unit": "USc/lb"}],
	  "penalties": [{"analyte": "As", "unit": "%", "threshold": 0.2, "step": 0.1, "rate": 3, "pro_rata": true}]}`)
	}
	sheets := []*commercial.TermSheet{terms("BUY-B", "100"), terms("BUY-A", "80")}
	net := func() *plan.Network {
		return &plan.Network{
			ID: "buy", Title: "bought feed", Party: "urn:x:us", Periods: plan.Periods{Unit: "week", Count: 1, Start: "2026-01-05"},
			Commodities: []plan.Commodity{{ID: "copper_concentrate"}},
			Sites:       []plan.Site{{ID: "M", Kind: "mine", Country: "PAK"}, {ID: "S", Kind: "buyer", Country: "USA"}},
			Supplies: []plan.Supply{{ID: "lot-1", Site: "M", Commodity: "copper_concentrate", OriginCountry: "PAK", Lot: "urn:lot:1",
				Grade: map[string]float64{"Cu": 0.24, "As": 0.0035}, Tonnes: 100}},
			Lanes:     []plan.Lane{{ID: "MS", From: "M", To: "S", Mode: "truck", CostPerT: 10}},
			Contracts: []plan.Contract{{ID: "smelter", Buyer: "S", Site: "S", Commodity: "copper_concentrate", MaxT: 60, PricePerT: 2500}},
		}
	}
	assays := func(string, *commercial.TermSheet) (map[string]commercial.Grade, error) {
		return map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}, "As": {Value: d("0.35"), Unit: "%"}}, nil
	}
	spot := map[string]decimal.Decimal{"CU": d("9000")}
	n := net()
	commercial.PriceSupplies(n, sheets, spot, "2026-01-02", assays, func(string) ([]string, error) { return []string{"OTHER", "BUY-B"}, nil }, nil)
	if s := n.Supplies[0]; s.Terms != "BUY-B" || s.PricePerT != 1924.9349 {
		t.Errorf("invoiced under BUY-B: priced at %s %v", s.Terms, s.PricePerT)
	}
	n = net()
	if priced := commercial.PriceSupplies(n, sheets, spot, "2026-01-02", assays, func(string) ([]string, error) { return nil, nil }, nil); len(priced) != 0 {
		t.Errorf("ambiguous lot priced: %v at %s", priced, n.Supplies[0].Terms)
	}
	if src := n.Supplies[0].PriceSource; !strings.Contains(src, "BUY-A, BUY-B") || !strings.Contains(src, "ambiguous") {
		t.Errorf("price source %q does not name the candidates", src)
	}
	if err := n.PriceFeeds(); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "BUY-A, BUY-B") {
		t.Errorf("PriceFeeds without a table price: %v", err)
	}
}

// The demo planning file's NdPr contract names the demo NdPr term sheet
// (magnet-ndpr → USSM-NDPR-FLOOR-2025). With the trade demo stored it is
// priced at its terms: 100 % payable of one tonne of 99.5 % NdPr oxide
// (Nd2O3 75 % + Pr6O11 24.5 %, above the 99 % minimum grade) at the
// agency price of 72.55 USD/kg (25 Dec 2025) floored at 110 USD/kg =
// 110 × 1000 = 110 000 USD per t, not the file's 72 000.
func TestPlanTermsDemoContract(t *testing.T) {
	s := MustDemo(t)
	n := plan.Demo().Clone()
	contracts, _, err := s.PlanTerms(context.Background(), n, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(contracts, "magnet-ndpr") {
		t.Fatalf("priced contracts %v, want magnet-ndpr", contracts)
	}
	for _, c := range n.Contracts {
		if c.ID == "magnet-ndpr" && (c.PricePerT != 110000 || c.PriceBasis != "product") {
			t.Errorf("magnet-ndpr priced %v %s, want 110000 product", c.PricePerT, c.PriceBasis)
		}
	}
	// The demo's ndpr-at-floor scenario is an absolute price, 110 USD/kg
	// = 110 000 USD per t: it means the same with the terms stored, so the
	// plan carries no warning, and in its window (from 2026-01-05, the
	// horizon's first week) the contract is priced 110 000, not the
	// 110 000 × 110/72 = 168 055.6 a ×1.5278 factor gave on the terms.
	if len(n.Warnings) != 0 {
		t.Errorf("warnings with the terms stored: %q, want none", n.Warnings)
	}
	eff, _, err := n.Apply("ndpr-at-floor")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range eff.Contracts {
		if strings.HasPrefix(c.ID, "magnet-ndpr") && c.PricePerT != 110000 {
			t.Errorf("ndpr-at-floor: %s priced %v, want the floor 110000", c.ID, c.PricePerT)
		}
	}
	// A price_factor shock on a contract priced at terms still scales the
	// terms' price, and the plan says so: ×0.5 of 110 000 is 55 000, not
	// the file's 72 000 × 0.5 = 36 000.
	m := plan.Demo().Clone()
	m.Scenarios = append(m.Scenarios, plan.Variant{ID: "half", Title: "half", Measures: []scenario.Measure{{Kind: scenario.PriceShock, Target: "magnet-ndpr", Factor: 0.5, From: "2026-01-05"}}})
	if _, _, err := s.PlanTerms(context.Background(), m, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	want := "scenario half: its price_shock ×0.5 on contract magnet-ndpr scales the price at USSM-NDPR-FLOOR-2025 terms (110000 USD per t), not the planning file's 72000"
	if len(m.Warnings) != 1 || m.Warnings[0] != want {
		t.Errorf("warnings of a factor shock: %q, want [%q]", m.Warnings, want)
	}
}

// A contract that names a term sheet the database does not hold keeps the
// planning file's price (72 000 USD per t) and the plan says so: no
// failure, one warning naming the contract, the sheet and the price, and
// every plan of the network carries it; plan.Check still passes.
func TestApplyTermsMissingSheet(t *testing.T) {
	n := plan.Demo().Clone()
	priced, err := commercial.ApplyTerms(n, map[string]*commercial.TermSheet{}, nil)
	if err != nil || len(priced) != 0 {
		t.Fatalf("ApplyTerms = %v, %v; want no contract priced and no error", priced, err)
	}
	want := "contract magnet-ndpr: term sheet USSM-NDPR-FLOOR-2025 not stored; priced at the planning file's price 72000 USD per t"
	if len(n.Warnings) != 1 || n.Warnings[0] != want {
		t.Fatalf("warnings %q, want [%q]", n.Warnings, want)
	}
	for _, c := range n.Contracts {
		if c.ID == "magnet-ndpr" && c.PricePerT != 72000 {
			t.Errorf("magnet-ndpr price %v, want the file's 72000", c.PricePerT)
		}
	}
	p, err := plan.Run(context.Background(), n, plan.Baseline, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || p.Warnings[0] != want {
		t.Errorf("plan warnings %q", p.Warnings)
	}
	if err := plan.Check(n, p); err != nil {
		t.Errorf("Check: %v", err)
	}
}
