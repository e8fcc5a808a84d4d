// Package units converts the quantities a mineral ledger carries: UN/CEFACT
// Recommendation 20 unit codes for mass, wet and dry tonnes, assay grades
// (%, g/t, ppm) and oxide↔element factors. All arithmetic is float64; the
// tolerances callers compare with are named where they are used.
package units

import (
	"fmt"
	"strings"
)

// massKg gives kilograms per unit for the UN/CEFACT Rec 20 mass codes the
// corridor meets. LBR is the avoirdupois pound (0.45359237 kg exactly);
// STN and LTN the short and long ton.
var massKg = map[string]float64{
	"KGM": 1,
	"GRM": 0.001,
	"TNE": 1000,
	"DTN": 100, // decitonne (quintal)
	"LBR": 0.45359237,
	"STN": 907.18474,
	"LTN": 1016.0469088,
	"MGM": 1e-6,
}

// IsMass reports whether a Rec 20 code is a unit of mass this package knows.
func IsMass(uom string) bool { _, ok := massKg[uom]; return ok }

// lookalikes are spellings of mass units that are not their UN/ECE Rec 20
// codes, with the code meant: "MT" is not Rec 20 (the metric tonne is TNE).
var lookalikes = map[string]string{
	"MT": "TNE", "MTS": "TNE",
	"KG": "KGM", "KGS": "KGM", "GR": "GRM",
	"LB": "LBR", "LBS": "LBR", "MG": "MGM",
}

// MassUnitError is "" when uom is a Rec 20 mass code ToTonnes converts,
// else why not, with the code to write when uom is a common misspelling
// ("MT" → TNE). Quantities of a lot held in mass must use such a code.
func MassUnitError(uom string) string {
	if IsMass(uom) {
		return ""
	}
	if code, ok := lookalikes[strings.ToUpper(strings.TrimSpace(uom))]; ok {
		return fmt.Sprintf("%q is not a UN/ECE Rec 20 mass unit: write %s", uom, code)
	}
	return fmt.Sprintf("%q is not a UN/ECE Rec 20 mass unit critmin converts (KGM, GRM, MGM, TNE, DTN, LBR, STN, LTN)", uom)
}

// IsLookalike reports whether uom is a common misspelling of a mass unit
// (MassUnitError names the code to write).
func IsLookalike(uom string) bool { _, ok := lookalikes[uom]; return ok }

// ToTonnes converts a mass in a Rec 20 unit to metric tonnes.
func ToTonnes(q float64, uom string) (float64, error) {
	f, ok := massKg[uom]
	if !ok {
		return 0, fmt.Errorf("units: %q is not a mass unit (known: KGM, GRM, MGM, TNE, DTN, LBR, STN, LTN)", uom)
	}
	return q * f / 1000, nil
}

// FromTonnes converts metric tonnes to a Rec 20 mass unit.
func FromTonnes(t float64, uom string) (float64, error) {
	f, ok := massKg[uom]
	if !ok {
		return 0, fmt.Errorf("units: %q is not a mass unit", uom)
	}
	return t * 1000 / f, nil
}

// MaxMoisture is the largest moisture a lot may state: at least one part
// per million of its wet mass is dry. A larger fraction below 1
// (0.9999999999999999) leaves a dry mass that every figure critmin shows
// rounds to 0 while the moisture shows as 1, so capture refuses it.
const MaxMoisture = 0.999999

// DryTonnes returns dry metric tonnes from wet tonnes and a moisture
// fraction: dmt = wmt × (1 − moisture). Moisture must be in [0, 1).
func DryTonnes(wmt, moisture float64) (float64, error) {
	if moisture < 0 || moisture >= 1 {
		return 0, fmt.Errorf("units: moisture %v is not a fraction in [0, 1)", moisture)
	}
	return wmt * (1 - moisture), nil
}

// WetTonnes is the inverse of DryTonnes: wmt = dmt / (1 − moisture).
func WetTonnes(dmt, moisture float64) (float64, error) {
	if moisture < 0 || moisture >= 1 {
		return 0, fmt.Errorf("units: moisture %v is not a fraction in [0, 1)", moisture)
	}
	return dmt / (1 - moisture), nil
}

// Grade units. "g/t" and "ppm" are equal for mass fractions (1 g per
// 1,000,000 g); 1 % is 10,000 ppm. Rec 20 codes are accepted too: P1
// (percent), 59 (ppm) and NA (milligram per kilogram, = g/t).
const (
	Percent      = "%"
	GramsPerTon  = "g/t"
	PartsPerMill = "ppm"
)

var gradePPM = map[string]float64{
	Percent: 10000, "P1": 10000,
	GramsPerTon: 1, "NA": 1,
	PartsPerMill: 1, "59": 1,
}

// NormalizeGradeUnit returns the canonical spelling of a grade unit.
func NormalizeGradeUnit(u string) (string, error) {
	switch strings.TrimSpace(u) {
	case "%", "P1", "pct", "percent":
		return Percent, nil
	case "g/t", "NA", "gpt":
		return GramsPerTon, nil
	case "ppm", "59":
		return PartsPerMill, nil
	}
	return "", fmt.Errorf("units: %q is not a grade unit (%%, g/t, ppm, or Rec 20 P1, NA, 59)", u)
}

// ConvertGrade converts a grade between %, g/t and ppm.
func ConvertGrade(v float64, from, to string) (float64, error) {
	f, ok := gradePPM[from]
	if !ok {
		return 0, fmt.Errorf("units: %q is not a grade unit", from)
	}
	t, ok := gradePPM[to]
	if !ok {
		return 0, fmt.Errorf("units: %q is not a grade unit", to)
	}
	return v * f / t, nil
}

// Contained returns the tonnes of an analyte in dry tonnes of material at a
// grade: contained = dmt × grade.
func Contained(dmt, grade float64, unit string) (float64, error) {
	frac, err := ConvertGrade(grade, unit, Percent)
	if err != nil {
		return 0, err
	}
	return dmt * frac / 100, nil
}

// Oxide describes an oxide (or mineral) and the element it carries.
type Oxide struct {
	Formula string
	Element string
	// ToElement is the mass fraction of the element in the compound:
	// n·A(M) / (n·A(M) + m·A(O)), from shared/data/facts.md (computed from
	// IUPAC atomic weights).
	ToElement float64
}

// oxides are the factors of shared/data/facts.md §4, four decimals as
// published there.
var oxides = map[string]Oxide{
	"Nd2O3":  {"Nd2O3", "Nd", 0.8574},
	"Pr6O11": {"Pr6O11", "Pr", 0.8277},
	"La2O3":  {"La2O3", "La", 0.8527},
	"CeO2":   {"CeO2", "Ce", 0.8141},
	"Sm2O3":  {"Sm2O3", "Sm", 0.8624},
	"Tb4O7":  {"Tb4O7", "Tb", 0.8502},
	"Dy2O3":  {"Dy2O3", "Dy", 0.8713},
	"Y2O3":   {"Y2O3", "Y", 0.7874},
	"Sb2O3":  {"Sb2O3", "Sb", 0.8354},
	"Sb2S3":  {"Sb2S3", "Sb", 0.7169},
	"CuFeS2": {"CuFeS2", "Cu", 0.3463},
	// The oxides of the other elements a polymetallic refinery tracks
	// (issue 12: Th, U, Fe, Cu, As, Ag, S, Sb and the heavier rare
	// earths), n·A(M) / (n·A(M) + m·A(O)) from the IUPAC standard atomic
	// weights (CIAAW 2021 abridged/conventional: O 15.999, S 32.06,
	// Fe 55.845, Cu 63.546, As 74.922, Ag 107.87, Sb 121.76, Eu 151.96,
	// Gd 157.25, Ho 164.93, Er 167.26, Tm 168.93, Yb 173.05, Lu 174.97,
	// Th 232.04, U 238.03), four decimals:
	"ThO2":  {"ThO2", "Th", 0.8788},  // 232.04 / (232.04 + 31.998) = 232.04 / 264.038
	"U3O8":  {"U3O8", "U", 0.8480},   // 714.09 / (714.09 + 127.992) = 714.09 / 842.082
	"UO2":   {"UO2", "U", 0.8815},    // 238.03 / (238.03 + 31.998) = 238.03 / 270.028
	"UO3":   {"UO3", "U", 0.8322},    // 238.03 / (238.03 + 47.997) = 238.03 / 286.027
	"Fe2O3": {"Fe2O3", "Fe", 0.6994}, // 111.69 / (111.69 + 47.997) = 111.69 / 159.687
	"Fe3O4": {"Fe3O4", "Fe", 0.7236}, // 167.535 / (167.535 + 63.996) = 167.535 / 231.531
	"FeO":   {"FeO", "Fe", 0.7773},   // 55.845 / (55.845 + 15.999) = 55.845 / 71.844
	"CuO":   {"CuO", "Cu", 0.7989},   // 63.546 / (63.546 + 15.999) = 63.546 / 79.545
	"Cu2O":  {"Cu2O", "Cu", 0.8882},  // 127.092 / (127.092 + 15.999) = 127.092 / 143.091
	"As2O3": {"As2O3", "As", 0.7574}, // 149.844 / (149.844 + 47.997) = 149.844 / 197.841
	"As2O5": {"As2O5", "As", 0.6520}, // 149.844 / (149.844 + 79.995) = 149.844 / 229.839
	"Ag2O":  {"Ag2O", "Ag", 0.9310},  // 215.74 / (215.74 + 15.999) = 215.74 / 231.739
	"SO3":   {"SO3", "S", 0.4005},    // 32.06 / (32.06 + 47.997) = 32.06 / 80.057
	"Sb2O5": {"Sb2O5", "Sb", 0.7527}, // 243.52 / (243.52 + 79.995) = 243.52 / 323.515
	"Eu2O3": {"Eu2O3", "Eu", 0.8636}, // 303.92 / (303.92 + 47.997) = 303.92 / 351.917
	"Gd2O3": {"Gd2O3", "Gd", 0.8676}, // 314.5 / (314.5 + 47.997) = 314.5 / 362.497
	"Ho2O3": {"Ho2O3", "Ho", 0.8730}, // 329.86 / (329.86 + 47.997) = 329.86 / 377.857
	"Er2O3": {"Er2O3", "Er", 0.8745}, // 334.52 / (334.52 + 47.997) = 334.52 / 382.517
	"Tm2O3": {"Tm2O3", "Tm", 0.8756}, // 337.86 / (337.86 + 47.997) = 337.86 / 385.857
	"Yb2O3": {"Yb2O3", "Yb", 0.8782}, // 346.1 / (346.1 + 47.997) = 346.1 / 394.097
	"Lu2O3": {"Lu2O3", "Lu", 0.8794}, // 349.94 / (349.94 + 47.997) = 349.94 / 397.937
}

// LookupOxide returns the factors of a compound by formula.
func LookupOxide(formula string) (Oxide, bool) {
	o, ok := oxides[formula]
	return o, ok
}

// OxideToElement converts a mass of the compound to the mass of its element.
func OxideToElement(mass float64, formula string) (float64, error) {
	o, ok := oxides[formula]
	if !ok {
		return 0, fmt.Errorf("units: no factor for %q", formula)
	}
	return mass * o.ToElement, nil
}

// ElementToOxide converts a mass of element to the mass of the compound.
func ElementToOxide(mass float64, formula string) (float64, error) {
	o, ok := oxides[formula]
	if !ok {
		return 0, fmt.Errorf("units: no factor for %q", formula)
	}
	return mass / o.ToElement, nil
}

// ElementOf returns the element an analyte stands for: the element of a
// known compound, or the analyte itself ("Nd", "Cu").
func ElementOf(analyte string) string {
	if o, ok := oxides[analyte]; ok {
		return o.Element
	}
	return analyte
}

// elementSymbols are the 118 element symbols of the IUPAC periodic table
// (IUPAC Periodic Table of the Elements, 2022 edition).
var elementSymbols = strings.Fields(`H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn
Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb
Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds
Rg Cn Nh Fl Mc Lv Ts Og`)

var elementSet = func() map[string]bool {
	m := make(map[string]bool, len(elementSymbols))
	for _, s := range elementSymbols {
		m[s] = true
	}
	return m
}()

// IsElement reports whether s is the symbol of a chemical element (IUPAC),
// case-sensitive: "Nd" is, "ND", "Xx" and "Nd2O3" are not.
func IsElement(s string) bool { return elementSet[s] }

// Elements returns the element symbols in atomic-number order.
func Elements() []string { return append([]string(nil), elementSymbols...) }

// massSymbols are the symbols a page prints for the Rec 20 mass codes:
// "30,000 kg", not "30,000 KGM".
var massSymbols = map[string]string{
	"KGM": "kg", "GRM": "g", "TNE": "t", "DTN": "dt", "LBR": "lb",
	"STN": "short ton", "LTN": "long ton", "MGM": "mg",
}

// Symbol is the unit a reader knows for a Rec 20 mass code ("kg" for
// KGM); any other code is returned as given.
func Symbol(code string) string {
	if s, ok := massSymbols[code]; ok {
		return s
	}
	return code
}
