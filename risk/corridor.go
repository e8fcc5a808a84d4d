package risk

import (
	"fmt"
	"github.com/critmin/critmin/units"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
)

// CorridorInput is a what-if that adds supply from one country.
type CorridorInput struct {
	Commodity string `json:"commodity"`
	Stage     string `json:"stage" default:"the mine stage"`
	// BaseYear's production table is held fixed; the addition comes on top.
	BaseYear int    `json:"base_year"`
	Country  string `json:"country" default:"PAK"`
	// FirstYear is the year of Tonnes[0]; one value per year (a ramp).
	FirstYear int       `json:"first_year" default:"the year after base_year"`
	Tonnes    []float64 `json:"tonnes_per_year"`
	// USImports (t/y of the commodity, optional) lets the addition be
	// counted as US imports from Country, for US import-source HHI.
	USImports float64 `json:"us_imports_per_year,omitempty"`
	// StockpileTarget (t, optional) reports what share of it the corridor's
	// cumulative tonnage could fill.
	StockpileTarget float64 `json:"stockpile_target,omitempty"`
}

// CorridorYear is the what-if in one year.
type CorridorYear struct {
	Year          int     `json:"year"`
	Added         float64 `json:"added"`
	HHIBefore     float64 `json:"hhi_before"`
	HHIAfter      float64 `json:"hhi_after"`
	Top1Before    float64 `json:"top1_share_before"`
	Top1After     float64 `json:"top1_share_after"`
	Top1ISO3After string  `json:"top1_iso3_after"`
	CountryBefore float64 `json:"country_share_before"`
	CountryAfter  float64 `json:"country_share_after"`
	// US import-source HHI before and after, when USImports is given.
	USHHIBefore *float64 `json:"us_import_hhi_before,omitempty"`
	USHHIAfter  *float64 `json:"us_import_hhi_after,omitempty"`
	// StockpileFill is the cumulative addition over the target.
	StockpileFill *float64 `json:"stockpile_fill,omitempty"`
}

// CorridorResult is the what-if's answer with the base it rests on.
type CorridorResult struct {
	Input   CorridorInput  `json:"input"`
	Edition string         `json:"edition"`
	Unit    string         `json:"unit"`
	Years   []CorridorYear `json:"years"`
}

// Corridor runs the what-if: each year's addition joins the base year's
// table (other countries held at base-year output) and the indicators are
// recomputed; with US import volumes, the addition also joins US imports
// as a new source.
func (s *Service) Corridor(in CorridorInput) (*CorridorResult, error) {
	if in.Stage == "" {
		in.Stage = StageMine
	}
	if in.Country == "" {
		in.Country = "PAK"
	}
	if !country.Valid(in.Country) {
		return nil, critmin.FieldErrorf("country", "%q is not an ISO 3166-1 alpha-3 code", in.Country)
	}
	if len(in.Tonnes) == 0 || len(in.Tonnes) > 50 {
		return nil, critmin.FieldErrorf("tonnes_per_year", "give 1 to 50 yearly values")
	}
	// Bounds written so that NaN, which compares false, fails too.
	for i, t := range in.Tonnes {
		if !(t >= 0 && t <= MaxTonnes) {
			return nil, critmin.FieldErrorf(fmt.Sprintf("tonnes_per_year/%d", i), "%s is not 0 to %s t", critmin.PlainNumber(t), units.Int(int64(MaxTonnes)))
		}
	}
	if !(in.USImports >= 0 && in.USImports <= MaxTonnes) {
		return nil, critmin.FieldErrorf("us_imports_per_year", "%s is not 0 to %s t", critmin.PlainNumber(in.USImports), units.Int(int64(MaxTonnes)))
	}
	if !(in.StockpileTarget >= 0 && in.StockpileTarget <= MaxTonnes) {
		return nil, critmin.FieldErrorf("stockpile_target", "%s is not 0 to %s t", critmin.PlainNumber(in.StockpileTarget), units.Int(int64(MaxTonnes)))
	}
	if in.BaseYear != 0 && (in.BaseYear < MinYear || in.BaseYear > MaxYear) {
		return nil, critmin.FieldErrorf("base_year", "%d is not a year from %d to %d", in.BaseYear, MinYear, MaxYear)
	}
	if in.BaseYear == 0 {
		return nil, critmin.FieldErrorf("base_year", "required: the year whose production table is held fixed")
	}
	if in.FirstYear != 0 && (in.FirstYear < MinYear || in.FirstYear > MaxYear) {
		return nil, critmin.FieldErrorf("first_year", "%d is not a year from %d to %d", in.FirstYear, MinYear, MaxYear)
	}
	base, err := s.Concentration(in.Commodity, in.Stage, in.BaseYear, "")
	if err != nil {
		return nil, err
	}
	if in.FirstYear == 0 {
		in.FirstYear = in.BaseYear + 1
	}
	res := &CorridorResult{Input: in, Edition: base.Edition, Unit: base.Unit}
	// US import shares; "other" is not a country: it stays in the
	// denominator (the import volume) and out of HHI.
	var usShares map[string]float64
	if in.USImports > 0 {
		if exp, err := s.ExposureOf(in.Commodity, false); err == nil {
			for _, g := range exp.ImportSources {
				if g.Category == usCategory[in.Commodity] {
					usShares = map[string]float64{}
					for _, sh := range g.Shares {
						usShares[sh.ISO3] = sh.Share
					}
				}
			}
		}
		if usShares == nil {
			return nil, critmin.FieldErrorf("us_imports_per_year", "no US import-source shares for %q", in.Commodity)
		}
	}
	cum := 0.0
	for i, add := range in.Tonnes {
		y := CorridorYear{Year: in.FirstYear + i, Added: add, HHIBefore: base.HHI, Top1Before: base.Top1Share}
		total := base.ComputedTotal + add
		var after []float64
		found := false
		top, topISO := 0.0, ""
		for _, sh := range base.Shares {
			q := sh.Quantity
			if sh.ISO3 == in.Country {
				y.CountryBefore = sh.Share
				q += add
				found = true
			}
			after = append(after, q/total)
			if q/total > top {
				top, topISO = q/total, sh.ISO3
			}
		}
		if !found {
			after = append(after, add/total)
			if add/total > top {
				top, topISO = add/total, in.Country
			}
		}
		y.CountryAfter = (add + y.CountryBefore*base.ComputedTotal) / total
		y.HHIAfter, y.Top1After, y.Top1ISO3After = HHI(after), top, topISO
		if usShares != nil {
			var before, afterUS []float64
			vol := in.USImports + add
			seen := false
			for iso, sh := range usShares {
				before = append(before, sh)
				v := sh * in.USImports
				if iso == in.Country {
					v += add
					seen = true
				}
				afterUS = append(afterUS, v/vol)
			}
			if !seen {
				afterUS = append(afterUS, add/vol)
			}
			hb, ha := HHI(before), HHI(afterUS)
			y.USHHIBefore, y.USHHIAfter = &hb, &ha
		}
		cum += add
		if in.StockpileTarget > 0 {
			f := cum / in.StockpileTarget
			y.StockpileFill = &f
		}
		res.Years = append(res.Years, y)
	}
	return res, nil
}
