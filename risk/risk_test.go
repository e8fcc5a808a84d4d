package risk_test

import (
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refdata"
	"github.com/critmin/critmin/risk"
	"github.com/critmin/critmin/scenario"
	"github.com/critmin/critmin/sqlite"
)

// tol is the tolerance for comparing shares and HHI computed two ways.
const tol = 1e-9

func near(a, b, eps float64) bool { return math.Abs(a-b) <= eps }

func mustService(tb testing.TB) *risk.Service {
	tb.Helper()
	cat, err := refdata.Load(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &risk.Service{Data: cat}
}

// handConcentration recomputes shares and HHI straight from the CSV file
// the way an analyst would in a spreadsheet: total = every row but the
// world total; HHI = Σ over countries (not "Other countries") of
// (100 × quantity / total)².
func handConcentration(t *testing.T, file, commodity, year string) (total, hhi float64, shares map[string]float64) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "refdata", "files", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		iso string
		q   float64
	}
	var rows []row
	for _, r := range recs[1:] {
		if r[0] != commodity || r[3] != year || strings.HasPrefix(r[1], "World") {
			continue
		}
		q, _ := strconv.ParseFloat(r[4], 64)
		total += q
		rows = append(rows, row{r[2], q})
	}
	shares = map[string]float64{}
	for _, r := range rows {
		if r.iso == "" {
			continue
		}
		shares[r.iso] = r.q / total
		hhi += (100 * r.q / total) * (100 * r.q / total)
	}
	return total, hhi, shares
}

func TestConcentrationRareEarths2024(t *testing.T) {
	s := mustService(t)
	c, err := s.Concentration("rare earths", risk.StageMine, 2024, "")
	if err != nil {
		t.Fatal(err)
	}
	total, hhi, shares := handConcentration(t, "usgs_mine_production.csv", "rare earths", "2024")
	// By hand: the 17 reported rows add up to 384,000 t REO (USGS prints a
	// rounded world total of 380,000); China 270,000 / 384,000 = 0.703125;
	// top three China + US 45,500 + Australia 29,000 = 344,500 → 0.897135;
	// HHI 5,192.36; 12 countries produce.
	if total != 384000 || c.ComputedTotal != 384000 || c.PublishedTotal == nil || *c.PublishedTotal != 380000 {
		t.Errorf("totals: computed %v (hand %v), published %v", c.ComputedTotal, total, c.PublishedTotal)
	}
	if !near(c.HHI, hhi, tol) || !near(c.HHI, 5192.36, 0.005) {
		t.Errorf("HHI %v, hand %v, want 5192.36", c.HHI, hhi)
	}
	if c.Top1ISO3 != "CHN" || c.Top1Share != 0.703125 || !near(c.Top3Share, 344500.0/384000, tol) || c.Countries != 12 {
		t.Errorf("top1 %s %v top3 %v countries %d", c.Top1ISO3, c.Top1Share, c.Top3Share, c.Countries)
	}
	if c.Edition != "MCS2026" || c.Unit != "t REO" || len(c.Rows) != 18 || !near(c.OtherShare, 1000.0/384000, tol) {
		t.Errorf("edition %q unit %q rows %d other %v", c.Edition, c.Unit, len(c.Rows), c.OtherShare)
	}
	sum := c.OtherShare
	for _, sh := range c.Shares {
		sum += sh.Share
		if !near(sh.Share, shares[sh.ISO3], tol) {
			t.Errorf("%s share %v, hand %v", sh.ISO3, sh.Share, shares[sh.ISO3])
		}
	}
	if !near(sum, 1, tol) {
		t.Errorf("shares add up to %v", sum)
	}
}

func TestConcentrationAntimony2024(t *testing.T) {
	s := mustService(t)
	c, err := s.Concentration("antimony", risk.StageMine, 2024, "")
	if err != nil {
		t.Fatal(err)
	}
	total, hhi, _ := handConcentration(t, "usgs_mine_production.csv", "antimony", "2024")
	// By hand: 118,990 t Sb reported (world total printed 119,000); Russia
	// and China 40,000 each (0.336163), Tajikistan 22,000: top three
	// 102,000 / 118,990 = 0.857215; HHI 2,644.76; 15 producing countries.
	if total != 118990 || !near(c.HHI, hhi, tol) || !near(c.HHI, 2644.756, 0.001) {
		t.Errorf("total %v HHI %v (hand %v)", total, c.HHI, hhi)
	}
	if !near(c.Top1Share, 40000.0/118990, tol) || !near(c.Top3Share, 102000.0/118990, tol) || c.Countries != 15 {
		t.Errorf("top1 %v top3 %v countries %d", c.Top1Share, c.Top3Share, c.Countries)
	}
	for _, sh := range c.Shares {
		if sh.ISO3 == "PAK" && sh.Quantity != 260 {
			t.Errorf("Pakistan %v t, facts.md §3.7 says 260", sh.Quantity)
		}
	}
}

func TestEditionsAreNeverMixed(t *testing.T) {
	s := mustService(t)
	old, err := s.Concentration("rare earths", risk.StageMine, 2024, "MCS2025")
	if err != nil {
		t.Fatal(err)
	}
	total, hhi, _ := handConcentration(t, "usgs_mine_production_supplement.csv", "rare earths", "2024")
	if old.Edition != "MCS2025" || old.ComputedTotal != total || !near(old.HHI, hhi, tol) {
		t.Errorf("MCS2025 edition: %s total %v (hand %v) HHI %v (hand %v)", old.Edition, old.ComputedTotal, total, old.HHI, hhi)
	}
	for _, r := range old.Rows {
		if r.Dataset != "usgs_mine_production_supplement" {
			t.Errorf("MCS2025 result used %s line %d", r.Dataset, r.Line)
		}
	}
	if _, err := s.Concentration("copper", risk.StageMine, 2024, "MCS2026"); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "partial") {
		t.Errorf("partial copper table: %v", err)
	}
	if _, err := s.Concentration("rare earths", risk.StageMine, 1999, ""); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("missing year: %v", err)
	}
	if _, err := s.Concentration("rare earths", "smelting", 2024, ""); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("bad stage: %v", err)
	}
	ref, err := s.Concentration("copper", risk.StageRefining, 2024, "")
	if err != nil || ref.Edition != "MCS2026" || ref.Top1ISO3 != "CHN" {
		t.Errorf("copper refining 2024: %+v, %v", ref, err)
	}
}

func TestAllIndicators(t *testing.T) {
	all, err := mustService(t).All()
	if err != nil {
		t.Fatal(err)
	}
	// REE 2023–2025, antimony 2024–2025, copper mine 2023–2024 and
	// refining 2023–2025: ten tables.
	if len(all) != 10 {
		t.Errorf("%d indicator sets, want 10", len(all))
	}
	for _, c := range all {
		if c.HHI <= 0 || c.HHI > 10000 || c.Top1Share > c.Top3Share || c.Edition == "" {
			t.Errorf("%s %s %d: HHI %v top1 %v top3 %v edition %q", c.Commodity, c.Stage, c.Year, c.HHI, c.Top1Share, c.Top3Share, c.Edition)
		}
	}
}

func TestImportNewEdition(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	header := "commodity,country,iso3,year,quantity,unit,basis,source\n"
	good := header + "rare earths,China,CHN,2024,300000,t REO,MCS2027 (2024 revised),test\nrare earths,Pakistan,PAK,2024,100000,t REO,MCS2027,test\nrare earths,World total (rounded),,2024,400000,t REO,MCS2027,test\n"
	bad := []struct{ body, pointer string }{
		{header + "rare earths,Chinaland,CHX,2024,1,t REO,b,s\n", "line 2, column iso3"},
		{header + "rare earths,China,CHN,2024,-5,t REO,b,s\n", "line 2, column quantity"},
		{header + "rare earths,China,CHN,2024,5,t REO,b,s\nrare earths,China,CHN,2024,6,t REO,b,s\n", "line 3, column commodity+country+year"},
		{header + "rare earths,Narnia,,2024,5,t REO,b,s\n", "line 2, column iso3"},
		{"commodity,nation,year\nx,y,2024\n", "file"},
	}
	for _, b := range bad {
		_, _, err := refdata.Import(ctx, db, []byte(b.body), "MCS2027", time.Now())
		if critmin.ErrorCode(err) != critmin.EINVALID || len(critmin.ErrorFields(err)) == 0 || critmin.ErrorFields(err)[0].Pointer != b.pointer {
			t.Errorf("%q: %v; want an error at %s", b.body, err, b.pointer)
		}
	}
	if list, _ := db.ListDatasets(ctx); len(list) != 0 {
		t.Fatalf("rejected imports stored %d datasets", len(list))
	}
	spec, n, err := refdata.Import(ctx, db, []byte(good), "MCS2027", time.Now())
	if err != nil || spec.Name != "usgs_mine_production" || n != 3 {
		t.Fatalf("import: %v %v %d", spec.Name, err, n)
	}
	if _, _, err := refdata.Import(ctx, db, []byte(good), "MCS2027", time.Now()); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("re-import: %v", err)
	}
	cat, err := refdata.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	s := &risk.Service{Data: cat}
	c, err := s.Concentration("rare earths", risk.StageMine, 2024, "")
	// The imported edition is newer: China 300,000 of 400,000 = 0.75; HHI
	// 75² + 25² = 6,250. 2025 still comes from MCS2026.
	if err != nil || c.Edition != "MCS2027" || c.Top1Share != 0.75 || !near(c.HHI, 6250, tol) {
		t.Errorf("after import: %+v, %v", c, err)
	}
	if c25, _ := s.Concentration("rare earths", risk.StageMine, 2025, ""); c25.Edition != "MCS2026" {
		t.Errorf("2025 edition %q", c25.Edition)
	}
	if c26, _ := s.Concentration("rare earths", risk.StageMine, 2024, "MCS2026"); c26.ComputedTotal != 384000 {
		t.Errorf("MCS2026 still selectable: total %v", c26.ComputedTotal)
	}
}

func TestDisruptionHandWorked(t *testing.T) {
	s := mustService(t)
	ban, err := scenario.Find("cn-us-ban-ga-ge-sb-2024")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.RunDisruption(ban, "antimony", 2024, 2026, 10000)
	if err != nil {
		t.Fatal(err)
	}
	// In force 3 Dec 2024 – 9 Nov 2025. 2024 (366 days): 29 days → 0.079235;
	// 2025: 312 days of 365 → 0.854795. China supplies 55 % of US imports of
	// antimony metal and oxide (USGS import sources 2021–24), all withheld:
	// 2024: 0.55 × 29/366 = 0.043579; 2025: 0.55 × 312/365 = 0.470137;
	// 2026: 0. The ban names the US only: no world shortfall.
	want := []float64{0.55 * 29 / 366, 0.55 * 312 / 365, 0}
	for i, y := range r.Years {
		if !near(y.USShare, want[i], 1e-12) || y.WorldShortfall != 0 || y.USTonnes == nil || !near(*y.USTonnes, want[i]*10000, 1e-8) {
			t.Errorf("%d: US share %v (want %v), world %v", y.Year, y.USShare, want[i], y.WorldShortfall)
		}
	}
	if r.Years[2].DataYear != 2025 {
		t.Errorf("2026 should use 2025 production, used %d", r.Years[2].DataYear)
	}
	own, err := scenario.Parse([]byte(`{"id": "t", "title": "test", "measures": [{"kind": "export_restriction", "country": "CHN",
	 "commodities": ["antimony"], "share": 0.5, "exported_share": 0.4, "from": "2025-01-01", "to": "2025-07-02"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r, err = s.RunDisruption(own, "antimony", 2025, 2025, 0)
	if err != nil {
		t.Fatal(err)
	}
	c25, _ := s.Concentration("antimony", risk.StageMine, 2025, "")
	var cn float64
	for _, sh := range c25.Shares {
		if sh.ISO3 == "CHN" {
			cn = sh.Quantity
		}
	}
	// Half a year (182 of 365 days) of half of China's 2025 exports, which
	// are 40 % of its output: 0.4 × 0.5 × 182/365 × output.
	if w := r.Years[0].WorldShortfall; !near(w, 0.4*0.5*182.0/365*cn, 1e-9) || cn == 0 || !r.Years[0].WorldComputed {
		t.Errorf("world shortfall %v, want %v", w, 0.4*0.5*182.0/365*cn)
	}
	// Without an exported share no world tonnage is claimed.
	r, _ = s.RunDisruption(ban, "antimony", 2025, 2025, 0)
	if r.Years[0].WorldComputed || r.Years[0].WorldShortfall != 0 {
		t.Errorf("world figure without exports: %+v", r.Years[0])
	}
}

// Licensing that withholds half of China's antimony exports (all of 2025)
// and the US ban (312 of 365 days of 2025) compose, they do not add:
// withheld share of China's exports to the US = 1 − (1 − 0.5·1)(1 −
// 1·312/365) = 1 − 0.5 × 53/365 = 0.9273973; × China's 55 % of US imports
// = 0.5100685. Added up they would claim 0.55 × (0.5 + 0.8548) = 0.745,
// and with the ban all year 0.825 — more than China's 55 %.
func TestDisruptionMeasuresCompose(t *testing.T) {
	s := mustService(t)
	lic, err := scenario.Find("cn-antimony-licensing-2024")
	if err != nil {
		t.Fatal(err)
	}
	ban, err := scenario.Find("cn-us-ban-ga-ge-sb-2024")
	if err != nil {
		t.Fatal(err)
	}
	both := &scenario.Scenario{ID: "both", Title: "both", Measures: append(append([]scenario.Measure(nil), lic.Measures...), ban.Measures...)}
	r, err := s.RunDisruption(both, "antimony", 2025, 2025, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.55 * (1 - 0.5*53.0/365)
	if got := r.Years[0].USShare; !near(got, want, 1e-12) {
		t.Fatalf("US share %v, want %v", got, want)
	}
	// A full-year ban on top of licensing withholds exactly China's share.
	full, _ := scenario.Parse([]byte(`{"id": "f", "title": "f", "measures": [
	 {"kind": "export_restriction", "country": "CHN", "commodities": ["antimony"], "share": 0.5, "from": "2024-01-01"},
	 {"kind": "export_restriction", "country": "CHN", "commodities": ["antimony"], "destination": "USA", "share": 1, "from": "2024-01-01"}]}`))
	r, _ = s.RunDisruption(full, "antimony", 2025, 2025, 0)
	if got := r.Years[0].USShare; !near(got, 0.55, 1e-12) {
		t.Fatalf("licensing plus a full ban: US share %v, want China's 0.55", got)
	}
}

func TestCorridorHandWorked(t *testing.T) {
	s := mustService(t)
	base, _ := s.Concentration("rare earths", risk.StageMine, 2024, "")
	r, err := s.Corridor(risk.CorridorInput{Commodity: "rare earths", BaseYear: 2024, Country: "PAK", Tonnes: []float64{0, 3840, 7680}, StockpileTarget: 23040})
	if err != nil {
		t.Fatal(err)
	}
	// Adding a to a table of total T scales every share by T/(T+a) and adds
	// a new country of share a/(T+a), so
	// HHI' = HHI·(T/(T+a))² + (100·a/(T+a))².
	T := base.ComputedTotal
	for i, y := range r.Years {
		a := y.Added
		want := base.HHI*math.Pow(T/(T+a), 2) + math.Pow(100*a/(T+a), 2)
		if !near(y.HHIAfter, want, 1e-6) || !near(y.Top1After, 270000/(T+a), tol) || !near(y.CountryAfter, a/(T+a), tol) {
			t.Errorf("year %d: HHI %v want %v, top1 %v, PAK %v", y.Year, y.HHIAfter, want, y.Top1After, y.CountryAfter)
		}
		if y.Year != 2025+i {
			t.Errorf("year %d, want %d", y.Year, 2025+i)
		}
	}
	if f := r.Years[2].StockpileFill; f == nil || !near(*f, 0.5, tol) {
		t.Errorf("stockpile fill %v; want (0 + 3,840 + 7,680) / 23,040 = 0.5", f)
	}
	us, err := s.Corridor(risk.CorridorInput{Commodity: "antimony", BaseYear: 2024, Tonnes: []float64{1000}, USImports: 4000})
	if err != nil {
		t.Fatal(err)
	}
	// US antimony metal and oxide imports: China 55, Belgium 12, Thailand 8,
	// India 6 % (other 19). Before: 55² + 12² + 8² + 6² = 3,269. With 1,000 t
	// from Pakistan on 4,000 t of imports: shares × 4/5 plus Pakistan 20 %:
	// 44² + 9.6² + 6.4² + 4.8² + 20² = 2,492.16.
	y := us.Years[0]
	if !near(*y.USHHIBefore, 3269, 1e-9) || !near(*y.USHHIAfter, 2492.16, 1e-9) {
		t.Errorf("US import HHI %v → %v; want 3,269 → 2,492.16", *y.USHHIBefore, *y.USHHIAfter)
	}
	if _, err := s.Corridor(risk.CorridorInput{Commodity: "rare earths", BaseYear: 2024, Tonnes: []float64{-1}}); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("negative tonnes: %v", err)
	}
}

func f64(v float64) *float64 { return &v }

func TestStockpileHandWorked(t *testing.T) {
	in := risk.StockpileInput{Commodity: "antimony", StartYear: 2026, Years: 3, DisruptedYears: 2,
		Demand:   []risk.EndUse{{Name: "flame retardants", Tonnes: risk.Param{Value: 1000}, Growth: risk.Param{Value: 0.1}}},
		Domestic: risk.Param{Value: 100}, Recycling: risk.Param{Value: 0.1}, Substitution: risk.Param{Value: 0.1}, ImportLoss: risk.Param{Value: 0.5}, Draws: 10, Seed: 1}
	r, err := risk.Stockpile(in)
	if err != nil {
		t.Fatal(err)
	}
	// Demand 1,000, 1,100, 1,210. Imports fill 80 % of demand less 100 t of
	// domestic output: 700, 780, 868. Half is cut for two years: shortfalls
	// 350, 390, 0; stockpile 740 t; 740 / (1,000 / 365) = 270.1 days,
	// 270 at two significant figures. Without uncertainty every draw is
	// the deterministic case, so the headline median and band are 740 t
	// and 270 days, and the deterministic case sits inside the band.
	want := []float64{350, 390, 0}
	wantAvail := []float64{1000 - 350, 1100 - 390, 1210}
	for i, y := range r.Years {
		d := y.Deterministic
		if d.Shortfall != want[i] || y.Band.P5 != want[i] || y.Band.P50 != want[i] || y.Band.P95 != want[i] || d.Available != wantAvail[i] {
			t.Errorf("%d: deterministic %+v band %+v, want shortfall %v available %v (no uncertainty)", y.Year, d, y.Band, want[i], wantAvail[i])
		}
	}
	h, d := r.Headline, r.Deterministic
	if h.Median != 740 || h.Low != 740 || h.High != 740 || h.CoverageDaysMedian != 270 || h.CoverageDaysLow != 270 || h.CoverageDaysHigh != 270 {
		t.Errorf("headline %+v, want 740 t and 270 days", h)
	}
	if d.Label != "deterministic case" || d.RequiredT != 740 || d.CoverageDays != 270 || d.Position != "in_band" {
		t.Errorf("deterministic %+v, want 740 t, 270 days, in_band", d)
	}
	in.Demand[0].Tonnes = risk.Param{Value: 1000, Low: f64(800), High: f64(1400)}
	in.ImportLoss = risk.Param{Value: 0.5, Low: f64(0.2), High: f64(1)}
	in.Draws, in.Seed = 4000, 42
	a, err := risk.Stockpile(in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := risk.Stockpile(in)
	if a.Band != b.Band || a.Years[1].Band != b.Years[1].Band {
		t.Errorf("same seed, different bands: %+v vs %+v", a.Band, b.Band)
	}
	in.Seed = 43
	c, _ := risk.Stockpile(in)
	if c.Band == a.Band {
		t.Error("another seed gave identical bands")
	}
	if !(a.Band.P5 < a.Band.P50 && a.Band.P50 < a.Band.P95) || a.Band.P5 < 0 {
		t.Errorf("bands not ordered: %+v", a.Band)
	}
	in.Recycling = risk.Param{Value: 1.5}
	if _, err := risk.Stockpile(in); critmin.ErrorCode(err) != critmin.EINVALID || critmin.ErrorFields(err)[0].Pointer != "recycling_share" {
		t.Errorf("bad recycling share: %v", err)
	}
}

func TestLedgerSourcing(t *testing.T) {
	// Contained Nd by physical origin (from custody.Origin): a lot with
	// 3 t Pakistani and 1 t Burmese Nd, another with 0.5 t of unknown
	// origin; an antimony lot of 2 t Pakistani Sb; one REE lot whose grade
	// is not measured.
	lots := []risk.LedgerLot{
		{Commodity: "ree_concentrate", Period: "2025-08", Elements: map[string]map[string]float64{"Nd": {"PAK": 3, "MMR": 1}}},
		{Commodity: "ree_concentrate", Period: "2025-08", Elements: map[string]map[string]float64{"Nd": {"unknown": 0.5}}},
		{Commodity: "ree_concentrate", Period: "2025-08", NotMeasured: []string{"Nd"}},
		// Its own Nd grade measured (0 t known, its feed's unassayed: of
		// unknown origin, 0 here) but not its La: counted in La's row, not
		// in Nd's.
		{Commodity: "ree_concentrate", Period: "2025-08", NotMeasured: []string{"La"}},
		{Commodity: "antimony_ore", Period: "2025-09", Elements: map[string]map[string]float64{"Sb": {"PAK": 2}}},
	}
	got := risk.LedgerSourcingOf(lots)
	if len(got) != 3 {
		t.Fatalf("%d groups", len(got))
	}
	// La: nothing about origin known (contained 0, lots 0, one lot not
	// measured): HHI and top-1 null ("n/a — no measured metal"), never 0.
	if la := got[1]; la.Element != "La" || la.NotMeasured != 1 || la.Lots != 0 || la.HHI != nil || la.Top1Share != nil {
		t.Errorf("REE La row %+v", la)
	}
	ree := got[2]
	// 3 and 1 t of Nd and 0.5 t of unknown origin: shares of the whole
	// 4.5 t (fixqt): 3 / 4.5 = 0.6667, 1 / 4.5 = 0.2222, unknown
	// 0.5 / 4.5 = 0.1111, summing to 1; the top share 0.6667. HHI of the
	// known 4 t: 75² + 25² = 6,250.
	if ree.Commodity != "ree_concentrate" || ree.Element != "Nd" || ree.Period != "2025-08" || ree.HHI == nil || *ree.HHI != 6250 || ree.Top1Share == nil || math.Abs(*ree.Top1Share-3/4.5) > 1e-9 || ree.Unknown != 0.5 ||
		ree.ElementTonnes != 4 || ree.Lots != 2 || ree.NotMeasured != 1 || math.Abs(ree.UnknownShare-0.5/4.5) > 1e-9 ||
		len(ree.Shares) != 2 || math.Abs(ree.Shares[0].Share-3/4.5) > 1e-9 || math.Abs(ree.Shares[1].Share-1/4.5) > 1e-9 {
		t.Errorf("REE sourcing %+v: want shares of the whole 4.5 t (0.6667, 0.2222, unknown 0.1111)", ree)
	}
	if got[0].HHI == nil || *got[0].HHI != 10000 || got[0].Element != "Sb" {
		t.Errorf("antimony from one country: %+v", got[0])
	}
}

// TestUnknownOnlyRowHasNoHHI (issue 9, new-user check): a row where
// nothing about origin is measured — only metal of unknown origin (0.5 t
// Nd "unknown"), or only a lot without its own grade — has no
// concentration: HHI and top-1 share null, never 0 (0 would read as a
// perfectly spread supply). A row of 1 t PAK + 0.5 t unknown keeps its
// HHI: shares of the 1 t known, 100 % PAK → 100² = 10,000; its top
// share is of the whole 1.5 t, 1 / 1.5 = 0.6667, unknown 0.3333 (fixqt).
func TestUnknownOnlyRowHasNoHHI(t *testing.T) {
	got := risk.LedgerSourcingOf([]risk.LedgerLot{
		{Commodity: "a", Period: "2025-08", Elements: map[string]map[string]float64{"Nd": {"unknown": 0.5}}},
		{Commodity: "b", Period: "2025-08", NotMeasured: []string{"Nd"}},
		{Commodity: "c", Period: "2025-08", Elements: map[string]map[string]float64{"Nd": {"PAK": 1, "unknown": 0.5}}},
	})
	if len(got) != 3 {
		t.Fatalf("%d rows: %+v", len(got), got)
	}
	for _, r := range got[:2] {
		if r.HHI != nil || r.Top1Share != nil || r.ElementTonnes != 0 {
			t.Errorf("%s: HHI %v top-1 %v, want null", r.Commodity, r.HHI, r.Top1Share)
		}
	}
	if r := got[2]; r.HHI == nil || *r.HHI != 10000 || math.Abs(*r.Top1Share-1/1.5) > 1e-9 || math.Abs(r.UnknownShare-0.5/1.5) > 1e-9 {
		t.Errorf("c: %+v", r)
	}
	if h, top := risk.ConcentrationOf(0, nil); h != nil || top != nil {
		t.Errorf("ConcentrationOf(0): %v %v", h, top)
	}
}

// BenchmarkAllIndicators computes every commodity, stage and year.
func BenchmarkAllIndicators(b *testing.B) {
	s := mustService(b)
	for b.Loop() {
		if _, err := s.All(); err != nil {
			b.Fatal(err)
		}
	}
}

// The headline is the median of the draws with its band, rounded to two
// significant figures, commodity and unit named; the deterministic case
// is named and placed against the band. Rare earths' example: import loss
// 0.0355 (most likely) on a 0.0355–0.71 triangle, so almost every draw
// loses more than the deterministic case.
func TestStockpileHeadlineIsTheMedianInItsBand(t *testing.T) {
	for _, c := range []string{"rare earths", "antimony"} {
		in, err := risk.ExampleStockpile(c)
		if err != nil {
			t.Fatal(err)
		}
		r, err := risk.Stockpile(in)
		if err != nil {
			t.Fatal(err)
		}
		h := r.Headline
		if h.Median != risk.RoundSig(r.Band.P50, 2) || h.Low > h.Median || h.Median > h.High || h.Low != risk.RoundSig(r.Band.P5, 2) || h.High != risk.RoundSig(r.Band.P95, 2) {
			t.Errorf("%s: headline %+v, band %+v", c, h, r.Band)
		}
		if h.Commodity != c || h.Unit == "" || h.Unit == "t" || !strings.Contains(h.Text, c) || !strings.Contains(h.Text, "Monte Carlo median") {
			t.Errorf("%s: headline text %q unit %q", c, h.Text, h.Unit)
		}
		// Coverage days are the median of the draws too, inside their
		// own band; the deterministic case is not in the headline.
		if h.CoverageDaysMedian != risk.RoundSig(r.CoverageBand.P50, 2) || h.CoverageDaysLow > h.CoverageDaysMedian || h.CoverageDaysMedian > h.CoverageDaysHigh {
			t.Errorf("%s: coverage %+v, band %+v", c, h, r.CoverageBand)
		}
		d := r.Deterministic
		if strings.Contains(h.Text, "eterministic") || d.Label != "deterministic case" || !strings.HasPrefix(d.Text, "Deterministic case") {
			t.Errorf("%s: headline %q / deterministic %+v", c, h.Text, d)
		}
		pos := "in_band"
		if d.RequiredT < h.Low {
			pos = "below_band"
		} else if d.RequiredT > h.High {
			pos = "above_band"
		}
		if d.Position != pos || (pos != "in_band" && !strings.Contains(d.Text, "skewed")) {
			t.Errorf("%s: deterministic %+v vs headline band %v–%v", c, d, h.Low, h.High)
		}
		if c == "rare earths" && d.Position != "below_band" {
			t.Errorf("rare earths: deterministic import loss 0.0355 on a 0.0355–0.71 triangle should fall below the band: %+v", d)
		}
	}
	// 337.4 → 340, 1 234 → 1 200, 12.34 → 12, 0.5349 → 0.53.
	for v, want := range map[float64]float64{337.4: 340, 1234: 1200, 12.34: 12, 0.5349: 0.53} {
		if got := risk.RoundSig(v, 2); math.Abs(got-want) > 1e-12 {
			t.Errorf("RoundSig(%v) = %v, want %v", v, got, want)
		}
	}
}

// USGS net import reliance: production 1,000 t, imports 3,000, exports
// 500, government and industry stocks down 100 (released into use):
// apparent consumption 1,000 + 3,000 − 500 + 100 = 3,600; NIR = (3,000 −
// 500 + 100) / 3,600 = 2,600 / 3,600 = 0.72222. A stock build-up of 100
// instead: AC 3,400, NIR 2,400 / 3,400 = 0.70588. Exports above imports
// and stock change: negative (a net exporter).
func TestNetImportRelianceUSGSDefinition(t *testing.T) {
	nir, ac, err := risk.NetImportReliance(1000, 3000, 500, 100)
	if err != nil || !near(ac, 3600, 1e-12) || !near(nir, 2600.0/3600, 1e-12) {
		t.Fatalf("nir %v ac %v err %v", nir, ac, err)
	}
	if nir, _, _ = risk.NetImportReliance(1000, 3000, 500, -100); !near(nir, 2400.0/3400, 1e-12) {
		t.Fatalf("stock build-up: nir %v", nir)
	}
	if nir, _, _ = risk.NetImportReliance(5000, 1000, 2000, 0); nir >= 0 {
		t.Fatalf("net exporter: nir %v", nir)
	}
	if _, _, err = risk.NetImportReliance(0, 100, 200, 0); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("no consumption: %v", err)
	}
	exp, err := mustService(t).ExposureOf("rare earths", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range exp.Reliance {
		if r.Basis != risk.ReliancePublished {
			t.Fatalf("reliance %+v: the data hold only USGS's published figure and must say so", r)
		}
	}
}

// By element: the April 2025 controls list Sm, Gd, Tb, Dy, Lu, Sc and Y —
// Dy and Tb controlled, NdPr not (facts.md §2: "Nd and Pr were not on the
// list"); the October 2025 extraterritorial rule has no element list, so
// it covers all three.
func TestDisruptionByRareEarthElement(t *testing.T) {
	s := mustService(t)
	for id, want := range map[string]map[string]bool{
		"cn-ree-medium-heavy-2025": {"NdPr": false, "Dy": true, "Tb": true},
		"cn-ree-expansion-2025-10": {"NdPr": true, "Dy": true, "Tb": true},
	} {
		sc, err := scenario.Find(id)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.RunDisruption(sc, "rare earths", 2025, 2026, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Elements) != 3 {
			t.Fatalf("%s: elements %+v", id, r.Elements)
		}
		for _, e := range r.Elements {
			if e.Controlled != want[e.Element] {
				t.Errorf("%s: %s controlled %v, want %v", id, e.Element, e.Controlled, want[e.Element])
			}
		}
	}
	ban, _ := scenario.Find("cn-us-ban-ga-ge-sb-2024")
	if !ban.Touches("antimony") || ban.Touches("rare earths") || strings.Join(ban.Commodities, ",") != "antimony,gallium,germanium" {
		t.Errorf("ban touches %v", ban.Commodities)
	}
}

// TestStockpileStopsWhenCancelled: a cancelled context stops a run.
func TestStockpileStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := risk.StockpileInput{Commodity: "antimony", StartYear: 2026, Years: 5, Demand: []risk.EndUse{{Name: "x", Tonnes: risk.Param{Value: 100}}}, Draws: 50000}
	if _, err := risk.StockpileContext(ctx, in); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	in.Demand = make([]risk.EndUse, risk.MaxEndUses+1)
	if _, err := risk.Stockpile(in); err == nil || !strings.Contains(err.Error(), "demand") {
		t.Errorf("too many end uses: %v", err)
	}
}

// TestLedgerForCommodity: the rare-earths view keeps rare-earth elements
// only (Nd, Pr), antimony keeps Sb, a commodity without an element list
// keeps every row.
func TestLedgerForCommodity(t *testing.T) {
	rows := risk.LedgerSourcingOf([]risk.LedgerLot{
		{Commodity: "ndpr_oxide", Period: "2025-10", Elements: map[string]map[string]float64{"Nd": {"PAK": 0.6}, "Pr": {"PAK": 0.2}}},
		{Commodity: "antimony_trioxide", Period: "2025-10", Elements: map[string]map[string]float64{"Sb": {"CHN": 0.8}}},
	})
	els := func(rs []risk.LedgerSourcing) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Element)
		}
		return strings.Join(out, ",")
	}
	for commodity, want := range map[string]string{"rare earths": "Nd,Pr", "antimony": "Sb", "gallium": "Sb,Nd,Pr"} {
		if got := els(risk.LedgerFor(commodity, rows)); got != want {
			t.Errorf("%s: %s, want %s", commodity, got, want)
		}
	}
}

// USGS's symbols are words, a number keeps its unit: "E" is a net
// exporter, not "E %".
func TestRelianceShown(t *testing.T) {
	for text, want := range map[string]string{"E": "net exporter", "W": "withheld", ">95": ">95 %", "76": "76 %", "": "not available"} {
		if got := (risk.Reliance{Text: text}).Shown(); got != want {
			t.Errorf("%q shown as %q, want %q", text, got, want)
		}
	}
}
