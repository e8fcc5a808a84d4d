package risk

import (
	"fmt"
	"github.com/critmin/critmin/units"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/scenario"
)

// usCategory is the USGS import category whose source shares stand for a
// commodity's US imports: the processed forms the US mostly imports.
var usCategory = map[string]string{
	"rare earths": "rare-earth compounds and metals",
	"antimony":    "total metal and oxide",
	"copper":      "refined copper",
}

// ShortfallYear is a disruption's effect in one calendar year.
type ShortfallYear struct {
	Year int `json:"year"`
	// DataYear is the production year used (the latest available when the
	// scenario runs past the data).
	DataYear int `json:"data_year"`
	// WorldShortfall is the tonnage withheld from every destination, and
	// WorldShare that as a fraction of world supply. They count only
	// measures that give the controlling country's exported share
	// (WorldComputed false: no measure in force did, and both are 0 —
	// an export control binds exports, which the data do not give).
	WorldShortfall float64 `json:"world_shortfall"`
	WorldShare     float64 `json:"world_share"`
	WorldComputed  bool    `json:"world_computed"`
	// USShare is the fraction of US imports (USGS import-source shares)
	// withheld; USTonnes that times the US import volume when given.
	USShare  float64  `json:"us_share_of_imports"`
	USTonnes *float64 `json:"us_shortfall,omitempty"`
}

// DisruptionResult is a scenario run for one commodity.
type DisruptionResult struct {
	ScenarioID string          `json:"scenario"`
	Title      string          `json:"title"`
	Commodity  string          `json:"commodity"`
	Unit       string          `json:"unit"`
	Edition    string          `json:"edition"`
	USCategory string          `json:"us_import_category"`
	Years      []ShortfallYear `json:"years"`
	// Elements, for rare earths, says which of the magnet elements the
	// scenario's export measures control (NdPr, Dy, Tb). critmin's data
	// give rare-earth tonnages only as total oxide (REO), so shortfalls
	// are by REO; by element the result can say only what is touched.
	Elements []ElementCoverage `json:"elements,omitempty"`
	Notes    []string          `json:"notes"`
}

// ElementCoverage is whether a scenario controls one rare-earth element
// (or element group: NdPr is Nd or Pr).
type ElementCoverage struct {
	Element    string `json:"element"`
	Controlled bool   `json:"controlled"`
}

// magnetElements are the rare-earth groups reported by element, with the
// element symbols that belong to each.
var magnetElements = []struct {
	group   string
	members []string
}{{"NdPr", []string{"Nd", "Pr", "NdPr"}}, {"Dy", []string{"Dy"}}, {"Tb", []string{"Tb"}}}

// elementCoverage: a measure without an element list covers every
// element of the commodity; one with a list covers those.
func elementCoverage(sc *scenario.Scenario, commodity string) []ElementCoverage {
	var out []ElementCoverage
	for _, g := range magnetElements {
		c := ElementCoverage{Element: g.group}
		for _, m := range sc.Measures {
			if m.Kind != scenario.ExportRestriction || !contains(m.Commodities, commodity) {
				continue
			}
			if len(m.Elements) == 0 {
				c.Controlled = true
			}
			for _, e := range g.members {
				if contains(m.Elements, e) {
					c.Controlled = true
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// RunDisruption evaluates a scenario's export restrictions on one
// commodity for the years from–to.
//
// Measures i on a country c compose multiplicatively: with fᵢ the share
// of c's exports measure i withholds and aᵢ the part of the year it is in
// force, the fraction of c's exports withheld is 1 − Πᵢ(1 − fᵢ·aᵢ) — a
// licence regime that stops half and a ban that stops all withhold all,
// not 150 % — so the result never exceeds what c supplies.
//
//   - US share of imports withheld = Σ_c m_c·[1 − Π_{i on c, to all or
//     to the USA}(1 − fᵢ·aᵢ)], m_c = c's share of US imports (USGS import
//     sources for the commodity's US category); usImports (t/y, optional)
//     turns it into tonnes.
//   - World shortfall = Σ_c q_c·e_c·[1 − Π_{i on c, to all}(1 − fᵢ·aᵢ)],
//     q_c = c's mine output, e_c = the share of it c exports (the
//     measure's exported_share; an export control does not touch the
//     country's own use). Without e_c the world figure is not computed.
func (s *Service) RunDisruption(sc *scenario.Scenario, commodity string, from, to int, usImports float64) (*DisruptionResult, error) {
	if from < MinYear || from > MaxYear {
		return nil, critmin.FieldErrorf("from", "%d is not a year from %d to %d", from, MinYear, MaxYear)
	}
	if to < MinYear || to > MaxYear {
		return nil, critmin.FieldErrorf("to", "%d is not a year from %d to %d", to, MinYear, MaxYear)
	}
	if !(usImports >= 0 && usImports <= MaxTonnes) {
		return nil, critmin.FieldErrorf("us_imports", "%s is not 0 to %s t", critmin.PlainNumber(usImports), units.Int(int64(MaxTonnes)))
	}
	if to < from {
		return nil, critmin.FieldErrorf("to", "%d is before from %d", to, from)
	}
	if to-from > 50 {
		return nil, critmin.FieldErrorf("to", "at most 50 years")
	}
	years := s.Years(commodity, StageMine)
	if len(years) == 0 {
		return nil, critmin.FieldErrorf("commodity", "no production data for %q", commodity)
	}
	if err := sc.CheckCommodities(scenario.KnownCommodity, "the USGS List of Critical Minerals, lower case, with \"rare earths\" for the group"); err != nil {
		return nil, err
	}
	res := &DisruptionResult{ScenarioID: sc.ID, Title: sc.Title, Commodity: commodity, USCategory: usCategory[commodity]}
	applies := false
	for _, m := range sc.Measures {
		if m.Kind == scenario.ExportRestriction && contains(m.Commodities, commodity) {
			applies = true
		}
	}
	if !applies {
		res.Notes = append(res.Notes, fmt.Sprintf("no export restriction in %s covers %s", sc.ID, commodity))
	}
	if commodity == "rare earths" {
		res.Elements = elementCoverage(sc, commodity)
		for _, e := range res.Elements {
			if !e.Controlled {
				res.Notes = append(res.Notes, fmt.Sprintf("%s is not among the elements %s controls; the REO shortfall overstates the effect on %s", e.Element, sc.ID, e.Element))
			}
		}
	}
	imports := map[string]float64{}
	if exp, err := s.ExposureOf(commodity, false); err == nil {
		for _, g := range exp.ImportSources {
			if g.Category == res.USCategory {
				for _, sh := range g.Shares {
					imports[sh.ISO3] = sh.Share
				}
			}
		}
	}
	editions := map[string]bool{}
	for y := from; y <= to; y++ {
		dy := dataYear(years, y)
		conc, err := s.Concentration(commodity, StageMine, dy, "")
		if err != nil {
			return nil, err
		}
		editions[conc.Edition] = true
		res.Unit = conc.Unit
		out := ShortfallYear{Year: y, DataYear: dy}
		// Per country: Π(1 − fᵢaᵢ) over measures reaching the US, over
		// measures reaching every destination, and the exported share.
		keepUS, keepWorld, exported := map[string]float64{}, map[string]float64{}, map[string]float64{}
		var countries []string
		for _, m := range sc.Measures {
			if m.Kind != scenario.ExportRestriction || !contains(m.Commodities, commodity) {
				continue
			}
			f := m.ActiveFraction(y)
			if f == 0 {
				continue
			}
			c := m.Country
			if _, ok := keepUS[c]; !ok {
				keepUS[c], keepWorld[c] = 1, 1
				countries = append(countries, c)
			}
			if m.Destination == "" || m.Destination == "USA" {
				keepUS[c] *= 1 - f*m.Share
			}
			if m.Destination == "" {
				keepWorld[c] *= 1 - f*m.Share
				if m.ExportedShare != nil {
					exported[c] = *m.ExportedShare
				}
			}
		}
		sort.Strings(countries)
		for _, c := range countries {
			out.USShare += imports[c] * (1 - keepUS[c])
			e, ok := exported[c]
			if !ok {
				if keepWorld[c] < 1 {
					res.Notes = append(res.Notes, fmt.Sprintf("%d: no exported share given for %s, so no world tonnage is computed for it", y, c))
				}
				continue
			}
			q := 0.0
			for _, sh := range conc.Shares {
				if sh.ISO3 == c {
					q = sh.Quantity
				}
			}
			out.WorldShortfall += q * e * (1 - keepWorld[c])
			out.WorldComputed = true
		}
		out.WorldShare = out.WorldShortfall / conc.ComputedTotal
		if usImports > 0 {
			t := out.USShare * usImports
			out.USTonnes = &t
		}
		if dy != y {
			res.Notes = append(res.Notes, fmt.Sprintf("%d uses %d production (the latest in the data)", y, dy))
		}
		res.Years = append(res.Years, out)
	}
	var eds []string
	for e := range editions {
		eds = append(eds, e)
	}
	sort.Strings(eds)
	res.Edition = fmt.Sprint(eds)
	if len(eds) == 1 {
		res.Edition = eds[0]
	}
	return res, nil
}

// dataYear picks the production year for a calendar year: the year itself
// when there is data, else the nearest year with data.
func dataYear(years []int, y int) int {
	best := years[0]
	for _, d := range years {
		if d == y {
			return d
		}
		if abs(d-y) < abs(best-y) {
			best = d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
