package units_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/critmin/critmin/units"
)

// tol is the tolerance for comparing hand-worked figures.
const tol = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestToTonnes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		q    float64
		uom  string
		want float64
	}{
		{"kilograms", 25000, "KGM", 25},
		{"tonnes", 21.5, "TNE", 21.5},
		{"pounds", 2204.62262, "LBR", 0.999999997}, // 2204.62262 × 0.45359237 kg
		{"short ton", 1, "STN", 0.90718474},
		{"long ton", 1, "LTN", 1.0160469088},
		{"grams", 1e6, "GRM", 1},
		{"kilotonnes", 2, "KTN", 2000},                   // 2 × 10⁶ kg = 2,000 t
		{"avoirdupois ounces", 32000, "ONZ", 0.90718474}, // 32,000 oz = 2,000 lb × 0.45359237 kg = 907.18474 kg
		{"troy ounces", 32150.7466, "APZ", 1.000000001},  // 32,150.7466 × 0.0311034768 kg = 1,000.000001 kg
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := units.ToTonnes(c.q, c.uom)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-c.want) > 1e-8 {
				t.Errorf("ToTonnes(%v, %s) = %v, want %v", c.q, c.uom, got, c.want)
			}
			back, err := units.FromTonnes(got, c.uom)
			if err != nil || !near(back, c.q) {
				t.Errorf("FromTonnes round trip = %v, %v; want %v", back, err, c.q)
			}
		})
	}
	if _, err := units.ToTonnes(1, "MTR"); err == nil {
		t.Error("metres accepted as a mass unit")
	}
}

func TestWetDry(t *testing.T) {
	t.Parallel()
	// 120 wmt at 8 % moisture: 120 × 0.92 = 110.4 dmt.
	d, err := units.DryTonnes(120, 0.08)
	if err != nil || !near(d, 110.4) {
		t.Fatalf("DryTonnes = %v, %v; want 110.4", d, err)
	}
	w, err := units.WetTonnes(110.4, 0.08)
	if err != nil || !near(w, 120) {
		t.Fatalf("WetTonnes = %v, %v; want 120", w, err)
	}
	for _, m := range []float64{-0.01, 1, 1.5} {
		if _, err := units.DryTonnes(10, m); err == nil {
			t.Errorf("moisture %v accepted", m)
		}
	}
}

func TestGrades(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v        float64
		from, to string
		want     float64
	}{
		{1.5, "%", "ppm", 15000},
		{0.26, "g/t", "ppm", 0.26},
		{15000, "ppm", "%", 1.5},
		{2, "P1", "g/t", 20000},
		{7, "59", "NA", 7},
	}
	for _, c := range cases {
		got, err := units.ConvertGrade(c.v, c.from, c.to)
		if err != nil || !near(got, c.want) {
			t.Errorf("ConvertGrade(%v, %s, %s) = %v, %v; want %v", c.v, c.from, c.to, got, err, c.want)
		}
	}
	// Saindak concentrate: 110,000 dmt at 22.5 % Cu holds 24,750 t Cu.
	cu, err := units.Contained(110000, 22.5, "%")
	if err != nil || !near(cu, 24750) {
		t.Errorf("Contained = %v, %v; want 24750", cu, err)
	}
	if _, err := units.NormalizeGradeUnit("kg"); err == nil {
		t.Error("kg accepted as a grade unit")
	}
}

func TestOxideFactors(t *testing.T) {
	t.Parallel()
	// From the IUPAC 2021 standard atomic weights at full precision, not
	// the four decimals of data/facts.md (0.8574, 0.8277):
	// Nd2O3 → Nd: 2 × 144.242 / (2 × 144.242 + 3 × 15.999)
	//   = 288.484 / 336.481 = 0.857355987...
	// Pr6O11 → Pr: 6 × 140.90766 / (6 × 140.90766 + 11 × 15.999)
	//   = 845.44596 / 1021.43496 = 0.827704154...
	// CuFeS2 → Cu: 63.546 / (63.546 + 55.845 + 2 × 32.06) = 63.546 / 183.511
	//   = 0.346278969...
	for _, c := range []struct {
		formula string
		want    float64
		six     string
	}{
		{"Nd2O3", 2 * 144.242 / (2*144.242 + 3*15.999), "0.857356"},
		{"Pr6O11", 6 * 140.90766 / (6*140.90766 + 11*15.999), "0.827704"},
		{"CuFeS2", 63.546 / (63.546 + 55.845 + 2*32.06), "0.346279"},
	} {
		o, ok := units.LookupOxide(c.formula)
		if !ok || math.Abs(o.ToElement-c.want) > 1e-15 || fmt.Sprintf("%.6f", o.ToElement) != c.six {
			t.Errorf("%s factor %v, want %v (%s)", c.formula, o.ToElement, c.want, c.six)
		}
	}
	nd, err := units.OxideToElement(100, "Nd2O3")
	if err != nil || math.Abs(nd-85.7355987410879) > 1e-9 {
		t.Errorf("Nd2O3 → Nd = %v, %v; want 85.7355987", nd, err)
	}
	pr, err := units.ElementToOxide(82.77041545552739, "Pr6O11")
	if err != nil || !near(pr, 100) {
		t.Errorf("Pr → Pr6O11 = %v, %v; want 100", pr, err)
	}
	if units.ElementOf("Sb2O3") != "Sb" || units.ElementOf("Cu") != "Cu" {
		t.Error("ElementOf mapping wrong")
	}
	if _, err := units.OxideToElement(1, "XyZ"); err == nil {
		t.Error("unknown compound accepted")
	}
}

// TestIsElement: the periodic table holds 118 symbols; case and compounds
// are not symbols.
func TestIsElement(t *testing.T) {
	if len(units.Elements()) != 118 {
		t.Errorf("%d element symbols, want 118", len(units.Elements()))
	}
	for _, s := range []string{"H", "Nd", "Pr", "Sb", "La", "Ce", "Og"} {
		if !units.IsElement(s) {
			t.Errorf("%s is an element", s)
		}
	}
	for _, s := range []string{"Xx", "ND", "nd", "Nd2O3", "", "TREO"} {
		if units.IsElement(s) {
			t.Errorf("%q is not an element", s)
		}
	}
}

// TestOxideFactorsPolymetallic (fix12h 4): each added factor is
// n·A(M) / (n·A(M) + m·A(O)) from the IUPAC standard atomic weights,
// recomputed here independently of the table (four decimals), e.g.
// U3O8: 3 × 238.03 = 714.09; 714.09 / (714.09 + 8 × 15.999) = 0.8480.
func TestOxideFactorsPolymetallic(t *testing.T) {
	t.Parallel()
	const O = 15.999
	for _, c := range []struct {
		formula, el string
		a           float64
		n, m        float64
	}{
		{"ThO2", "Th", 232.04, 1, 2}, {"U3O8", "U", 238.03, 3, 8}, {"UO2", "U", 238.03, 1, 2}, {"UO3", "U", 238.03, 1, 3},
		{"Fe2O3", "Fe", 55.845, 2, 3}, {"Fe3O4", "Fe", 55.845, 3, 4}, {"FeO", "Fe", 55.845, 1, 1},
		{"CuO", "Cu", 63.546, 1, 1}, {"Cu2O", "Cu", 63.546, 2, 1}, {"As2O3", "As", 74.922, 2, 3}, {"As2O5", "As", 74.922, 2, 5},
		{"Ag2O", "Ag", 107.87, 2, 1}, {"SO3", "S", 32.06, 1, 3}, {"Sb2O5", "Sb", 121.76, 2, 5},
		{"Eu2O3", "Eu", 151.96, 2, 3}, {"Gd2O3", "Gd", 157.25, 2, 3}, {"Ho2O3", "Ho", 164.93, 2, 3}, {"Er2O3", "Er", 167.26, 2, 3},
		{"Tm2O3", "Tm", 168.93, 2, 3}, {"Yb2O3", "Yb", 173.05, 2, 3}, {"Lu2O3", "Lu", 174.97, 2, 3},
	} {
		o, ok := units.LookupOxide(c.formula)
		if !ok || o.Element != c.el || units.ElementOf(c.formula) != c.el {
			t.Errorf("%s: %+v %v, want element %s", c.formula, o, ok, c.el)
			continue
		}
		want := c.n * c.a / (c.n*c.a + c.m*O)
		if math.Abs(o.ToElement-want) > 0.00005 {
			t.Errorf("%s → %s factor %v, want %.5f", c.formula, c.el, o.ToElement, want)
		}
	}
	if _, ok := units.LookupOxide("TREO"); ok {
		t.Error("TREO, an aggregate, has an element factor")
	}
}
