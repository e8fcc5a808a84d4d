// Package units converts the quantities a mineral ledger carries: UN/CEFACT
// Recommendation 20 unit codes for mass, wet and dry tonnes, assay grades
// (%, g/t, ppm) and oxide↔element factors. All arithmetic is float64; the
// tolerances callers compare with are named where they are used.
package units

import (
	"fmt"
	"math"
	"strings"
)

// massKg gives kilograms per unit for the UN/CEFACT Rec 20 mass codes the
// corridor meets. LBR is the avoirdupois pound (0.45359237 kg exactly);
// STN and LTN the short and long ton; KTN the kilotonne (10⁶ kg); ONZ
// the avoirdupois ounce (1/16 lb = 0.028349523125 kg) and APZ the troy
// ounce (480 grains of 64.79891 mg = 0.0311034768 kg), in which precious
// and minor metals are quoted. Every Rec 20 mass code a partner may send
// is here: a mass code missing from this table would be read as a count,
// its lot 0 t (nu34: 1,000 KTN read as 0 t and past the mass limit).
var massKg = map[string]float64{
	"KGM": 1,
	"GRM": 0.001,
	"TNE": 1000,
	"KTN": 1e6,
	"DTN": 100, // decitonne (quintal)
	"LBR": 0.45359237,
	"STN": 907.18474,
	"LTN": 1016.0469088,
	"MGM": 1e-6,
	"ONZ": 0.028349523125,
	"APZ": 0.0311034768,
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

// spellings are the common ways a person writes a mass unit, lower case,
// with the Rec 20 code each means (FormMassCode). "mt" and "ton(s)" are
// not among them: a metric ton or a megatonne, a short, long or metric
// ton, so MassUnitError's hint asks for the code.
var spellings = map[string]string{
	"kg": "KGM", "kgs": "KGM", "kilo": "KGM", "kilos": "KGM", "kilogram": "KGM", "kilograms": "KGM", "kilogramme": "KGM", "kilogrammes": "KGM",
	"t": "TNE", "tonne": "TNE", "tonnes": "TNE",
	"g": "GRM", "gram": "GRM", "grams": "GRM", "gramme": "GRM", "grammes": "GRM",
	"mg": "MGM", "milligram": "MGM", "milligrams": "MGM",
	"lb": "LBR", "lbs": "LBR", "pound": "LBR", "pounds": "LBR",
}

// FormMassCode is the Rec 20 mass code a person's unit means on an
// operator form: a code in any case (kgm → KGM) or a common spelling in
// any case (kg → KGM, Tonnes → TNE); uom itself when it is neither, for
// MassUnitError to refuse ("mt", "ton").
func FormMassCode(uom string) string {
	t := strings.TrimSpace(uom)
	if up := strings.ToUpper(t); IsMass(up) {
		return up
	}
	if code, ok := spellings[strings.ToLower(t)]; ok {
		return code
	}
	return uom
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
	return fmt.Sprintf("%q is not a UN/ECE Rec 20 mass unit critmin converts (KGM, GRM, MGM, TNE, KTN, DTN, LBR, STN, LTN, ONZ, APZ)", uom)
}

// IsLookalike reports whether uom is a common misspelling of a mass unit
// (MassUnitError names the code to write).
func IsLookalike(uom string) bool { _, ok := lookalikes[uom]; return ok }

// ToTonnes converts a mass in a Rec 20 unit to metric tonnes.
func ToTonnes(q float64, uom string) (float64, error) {
	f, ok := massKg[uom]
	if !ok {
		return 0, fmt.Errorf("units: %q is not a mass unit (known: KGM, GRM, MGM, TNE, KTN, DTN, LBR, STN, LTN, ONZ, APZ)", uom)
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
	// n·A(M) / (n·A(M) + m·A(O)), from the IUPAC 2021 standard atomic
	// weights at full precision (atomicWeights).
	ToElement float64
}

// atomicWeights are IUPAC standard atomic weights (CIAAW, "Standard
// atomic weights of the elements 2021", Pure Appl. Chem. 94 (2022) 573,
// https://doi.org/10.1515/pac-2019-0603): the single values, or for the
// elements given as an interval (O, S) the conventional value of the
// abridged table (O 15.999, S 32.06).
var atomicWeights = map[string]float64{
	"O": 15.999, "S": 32.06, "Fe": 55.845, "Cu": 63.546, "As": 74.921595,
	"Y": 88.905838, "Ag": 107.8682, "Sb": 121.760, "La": 138.90547, "Ce": 140.116,
	"Pr": 140.90766, "Nd": 144.242, "Sm": 150.36, "Eu": 151.964, "Gd": 157.249,
	"Tb": 158.925354, "Dy": 162.500, "Ho": 164.930329, "Er": 167.259, "Tm": 168.934219,
	"Yb": 173.045, "Lu": 174.9668, "Th": 232.0377, "U": 238.02891,
}

// formulas are the compounds critmin converts, element by element with
// the number of atoms; the first is the element the compound carries.
var formulas = []struct {
	formula string
	atoms   [][2]any // {symbol, count}
}{
	{"Nd2O3", [][2]any{{"Nd", 2}, {"O", 3}}},
	{"Pr6O11", [][2]any{{"Pr", 6}, {"O", 11}}},
	{"La2O3", [][2]any{{"La", 2}, {"O", 3}}},
	{"CeO2", [][2]any{{"Ce", 1}, {"O", 2}}},
	{"Sm2O3", [][2]any{{"Sm", 2}, {"O", 3}}},
	{"Tb4O7", [][2]any{{"Tb", 4}, {"O", 7}}},
	{"Dy2O3", [][2]any{{"Dy", 2}, {"O", 3}}},
	{"Y2O3", [][2]any{{"Y", 2}, {"O", 3}}},
	{"Sb2O3", [][2]any{{"Sb", 2}, {"O", 3}}},
	{"Sb2S3", [][2]any{{"Sb", 2}, {"S", 3}}},
	{"CuFeS2", [][2]any{{"Cu", 1}, {"Fe", 1}, {"S", 2}}},
	// The oxides of the other elements a polymetallic refinery tracks
	// (issue 12: Th, U, Fe, Cu, As, Ag, S, Sb and the heavier rare earths).
	{"ThO2", [][2]any{{"Th", 1}, {"O", 2}}},
	{"U3O8", [][2]any{{"U", 3}, {"O", 8}}},
	{"UO2", [][2]any{{"U", 1}, {"O", 2}}},
	{"UO3", [][2]any{{"U", 1}, {"O", 3}}},
	{"Fe2O3", [][2]any{{"Fe", 2}, {"O", 3}}},
	{"Fe3O4", [][2]any{{"Fe", 3}, {"O", 4}}},
	{"FeO", [][2]any{{"Fe", 1}, {"O", 1}}},
	{"CuO", [][2]any{{"Cu", 1}, {"O", 1}}},
	{"Cu2O", [][2]any{{"Cu", 2}, {"O", 1}}},
	{"As2O3", [][2]any{{"As", 2}, {"O", 3}}},
	{"As2O5", [][2]any{{"As", 2}, {"O", 5}}},
	{"Ag2O", [][2]any{{"Ag", 2}, {"O", 1}}},
	{"SO3", [][2]any{{"S", 1}, {"O", 3}}},
	{"Sb2O5", [][2]any{{"Sb", 2}, {"O", 5}}},
	{"Eu2O3", [][2]any{{"Eu", 2}, {"O", 3}}},
	{"Gd2O3", [][2]any{{"Gd", 2}, {"O", 3}}},
	{"Ho2O3", [][2]any{{"Ho", 2}, {"O", 3}}},
	{"Er2O3", [][2]any{{"Er", 2}, {"O", 3}}},
	{"Tm2O3", [][2]any{{"Tm", 2}, {"O", 3}}},
	{"Yb2O3", [][2]any{{"Yb", 2}, {"O", 3}}},
	{"Lu2O3", [][2]any{{"Lu", 2}, {"O", 3}}},
}

// oxides are the factors of the compounds in formulas, computed at full
// float64 precision from the IUPAC 2021 standard atomic weights: the
// carried element's n·A(M) over the formula mass Σ n·A. Nd2O3:
// 2 × 144.242 / (2 × 144.242 + 3 × 15.999) = 288.484 / 336.481 =
// 0.857356...; Pr6O11: 6 × 140.90766 / (845.44596 + 175.989) = 0.827699...
// (data/facts.md prints them at four decimals).
var oxides = func() map[string]Oxide {
	out := map[string]Oxide{}
	for _, f := range formulas {
		var total float64
		for _, a := range f.atoms {
			w, ok := atomicWeights[a[0].(string)]
			if !ok {
				panic("units: no atomic weight for " + a[0].(string))
			}
			total += w * float64(a[1].(int))
		}
		el := f.atoms[0][0].(string)
		out[f.formula] = Oxide{Formula: f.formula, Element: el, ToElement: atomicWeights[el] * float64(f.atoms[0][1].(int)) / total}
	}
	return out
}()

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

// ElementFraction is the element an analyte reports and the element's
// mass fraction of it: a known compound's element and stoichiometric
// factor (Nd2O3 → Nd, 0.857356), an element symbol itself and 1 ("Nd",
// "Cu"), and false for an analyte that reports no one element (TREO,
// Moisture). Origin (custody.GradesOf) and the planner's ledger supplies
// read every assay through it, so an element reads the same however it
// is spelled.
func ElementFraction(analyte string) (string, float64, bool) {
	if o, ok := oxides[analyte]; ok {
		return o.Element, o.ToElement, true
	}
	if IsElement(analyte) {
		return analyte, 1, true
	}
	return analyte, 0, false
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
	"KTN": "kt", "ONZ": "oz", "APZ": "troy oz",
}

// concentrationSymbols are the symbols of the Rec 20 codes of a
// concentration: P1 per cent, 59 part per million.
var concentrationSymbols = map[string]string{"P1": "%", "59": "ppm"}

// Symbol is the unit a reader knows for a Rec 20 code ("kg" for KGM, "%"
// for P1); any other code is returned as given.
func Symbol(code string) string {
	if s, ok := massSymbols[code]; ok {
		return s
	}
	if s, ok := concentrationSymbols[code]; ok {
		return s
	}
	return code
}

// Rec20Codes are the Rec 20 codes Symbol knows, for finding them in text.
func Rec20Codes() []string {
	var out []string
	for c := range massSymbols {
		out = append(out, c)
	}
	for c := range concentrationSymbols {
		out = append(out, c)
	}
	return out
}

// MaxMassKg bounds every mass an event states, after conversion to
// kilograms (10^12 kg, a thousand million tonnes: more than a year's
// mined output of most minerals). The bound is one mass whatever the unit
// it is written in: 1e12 TNE (10^15 kg) is over it as 5e12 KGM is (issue
// 15, W5: the bound was counted in the element's own unit, so 1e12 TNE
// passed where 1.1e12 KGM, a thousand times less, was refused).
const MaxMassKg = 1e12

// MinMovedKg is the resolution of a movement: the smallest mass a
// shipment, dispatch or receipt may carry (one gram). A quantity below
// it moves nothing at the precision lots are kept and shown (a lot's
// figures are shown to the kilogram or finer), and is refused as a
// quantity of 0 is (issue 15, W7: 1e-300 kg was shipped and shown as
// "Part shipped 0 wmt").
const MinMovedKg = 0.001

// ToKg converts a mass in a Rec 20 unit to kilograms; ok is false for a
// unit that is not a mass.
func ToKg(q float64, uom string) (kg float64, ok bool) {
	f, ok := massKg[uom]
	return q * f, ok
}

// MassOverLimit says why q in the mass unit uom is over MaxMassKg, naming
// the figure in kilograms with digits grouped, or "" when it is within
// the bound or uom is not a mass unit. NaN and negative figures are for
// the caller to refuse.
func MassOverLimit(q float64, uom string) string {
	kg, ok := ToKg(q, uom)
	if !ok || !(kg > MaxMassKg) {
		return ""
	}
	limit := Int(int64(MaxMassKg)) + " kg (" + Int(int64(MaxMassKg/1000)) + " t)"
	if math.IsInf(kg, 0) || kg >= 1e18 {
		return "is over the mass limit of " + limit
	}
	return "is " + Int(int64(math.Round(kg))) + " kg, over the mass limit of " + limit
}
