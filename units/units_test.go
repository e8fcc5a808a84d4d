package units_test

import (
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
	// facts.md: Nd2O3 → Nd 0.8574; Pr6O11 → Pr 0.8277.
	nd, err := units.OxideToElement(100, "Nd2O3")
	if err != nil || !near(nd, 85.74) {
		t.Errorf("Nd2O3 → Nd = %v, %v; want 85.74", nd, err)
	}
	pr, err := units.ElementToOxide(82.77, "Pr6O11")
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
