// Package risk is critmin's Assess job: supply concentration by country
// and stage, US exposure, the corridor what-if, disruption scenarios and
// stockpile sizing, computed from the cited reference data (refdata) and
// the ledger's own flows. Every result carries the rows and edition it
// rests on.
package risk

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/refdata"
)

// Stages of supply with country tables in the reference data.
const (
	StageMine     = "mine"
	StageRefining = "refining"
)

// refiningStage is the processing_production stage that has a complete
// country table (copper only); REE separation has quotas and company
// figures, not a world table.
const refiningStage = "refinery production (refined copper)"

// Share is one country's part of supply.
type Share struct {
	ISO3     string  `json:"iso3"`
	Country  string  `json:"country"`
	Quantity float64 `json:"quantity"`
	Share    float64 `json:"share"`
}

// SourceRow names a reference-data row an indicator used.
type SourceRow struct {
	Dataset  string  `json:"dataset"`
	Line     int     `json:"line"`
	Country  string  `json:"country"`
	Quantity float64 `json:"quantity"`
	Source   string  `json:"source"`
}

// Concentration is the concentration of one commodity's supply at one
// stage in one year. Shares are fractions of the sum of the reported rows,
// "Other countries" included, so they and OtherShare add up to 1; "Other
// countries" is left out of HHI, the ranking and the country count.
type Concentration struct {
	Commodity string  `json:"commodity"`
	Stage     string  `json:"stage"`
	Year      int     `json:"year"`
	Edition   string  `json:"edition"`
	Unit      string  `json:"unit"`
	HHI       float64 `json:"hhi"`
	Top1Share float64 `json:"top1_share"`
	Top3Share float64 `json:"top3_share"`
	Top1ISO3  string  `json:"top1_iso3"`
	// Countries counts countries with output above zero.
	Countries  int     `json:"producing_countries"`
	Shares     []Share `json:"shares"`
	OtherShare float64 `json:"other_share"`
	// ComputedTotal is the denominator; PublishedTotal the world total
	// row as USGS prints it (rounded), when there is one.
	ComputedTotal  float64     `json:"computed_total"`
	PublishedTotal *float64    `json:"published_world_total"`
	Rows           []SourceRow `json:"rows"`
}

// Series is HHI and top-1 share over the years of one commodity and stage.
type Series struct {
	Commodity string          `json:"commodity"`
	Stage     string          `json:"stage"`
	Points    []Concentration `json:"points"`
}

// Service computes risk indicators over a reference-data catalog.
type Service struct {
	Data *refdata.Catalog
}

// candidate is a row of a stage table with what selection needs.
type candidate struct {
	row     refdata.Row
	edition string
	rank    int
	partial bool
	extra   bool // from the supplement: used only when its edition is asked for
}

// stageRows returns every row of a commodity's stage table for a year.
func (s *Service) stageRows(commodity, stage string, year int) ([]candidate, error) {
	var sets []struct {
		dataset string
		extra   bool
	}
	switch stage {
	case StageMine:
		sets = append(sets, struct {
			dataset string
			extra   bool
		}{"usgs_mine_production", false}, struct {
			dataset string
			extra   bool
		}{"usgs_mine_production_supplement", true})
	case StageRefining:
		sets = append(sets, struct {
			dataset string
			extra   bool
		}{"processing_production", false})
	default:
		return nil, critmin.FieldErrorf("stage", "%q is not mine or refining", stage)
	}
	y := strconv.Itoa(year)
	var out []candidate
	for _, set := range sets {
		for _, e := range s.Data.Editions[set.dataset] {
			for _, r := range e.Rows {
				if r.Get("commodity") != commodity || r.Get("year") != y {
					continue
				}
				if stage == StageRefining && r.Get("stage") != refiningStage {
					continue
				}
				out = append(out, candidate{row: r, edition: r.Edition, rank: e.Rank, partial: strings.Contains(r.Get("basis"), "PARTIAL"), extra: set.extra && !e.Imported})
			}
		}
	}
	return out, nil
}

// editionOrder ranks editions: imported ones (by import order) above the
// embedded ones, which rank by name (MCS2026 above MCS2025).
func editionLess(a, b candidate) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.edition < b.edition
}

// Concentration computes the indicators of one commodity, stage and year
// from one edition: the one asked for, or the newest that has the year.
// Editions are never mixed; a partial table is refused.
//
// A year outside MinYear–MaxYear is EINVALID naming year (as base_year,
// from, to and start_year are); a year in that range without data is
// ENOTFOUND listing the years there are.
func (s *Service) Concentration(commodity, stage string, year int, edition string) (*Concentration, error) {
	if year < MinYear || year > MaxYear {
		return nil, critmin.FieldErrorf("year", "%d is not a year from %d to %d", year, MinYear, MaxYear)
	}
	cands, err := s.stageRows(commodity, stage, year)
	if err != nil {
		return nil, err
	}
	var pick *candidate
	for i := range cands {
		c := &cands[i]
		if edition != "" {
			if c.edition == edition && (pick == nil || editionLess(*pick, *c)) {
				pick = c
			}
			continue
		}
		if !c.extra && (pick == nil || editionLess(*pick, *c)) {
			pick = c
		}
	}
	if pick == nil {
		if edition != "" {
			return nil, critmin.Errorf(critmin.ENOTFOUND, "no %s %s data for %d in edition %s (see critmin data list)", stage, commodity, year, edition)
		}
		years := s.Years(commodity, stage)
		if len(years) == 0 {
			return nil, s.unknownCommodity(commodity, stage)
		}
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no %s %s data for %d (years: %s)", stage, commodity, year, joinInts(years))
	}
	var rows []candidate
	for _, c := range cands {
		if c.edition == pick.edition && c.rank == pick.rank && c.extra == pick.extra {
			rows = append(rows, c)
		}
	}
	for _, c := range rows {
		if c.partial {
			return nil, critmin.Errorf(critmin.EINVALID, "edition %s of %s %s %d is a partial table (%s line %d); shares from it would be wrong", pick.edition, stage, commodity, year, c.row.Dataset, c.row.Line)
		}
	}
	return compute(commodity, stage, year, pick.edition, rows)
}

func compute(commodity, stage string, year int, edition string, rows []candidate) (*Concentration, error) {
	out := &Concentration{Commodity: commodity, Stage: stage, Year: year, Edition: edition}
	var other float64
	for _, c := range rows {
		q, ok := c.row.Float("quantity")
		if !ok {
			return nil, fmt.Errorf("risk: %s line %d: quantity %q", c.row.Dataset, c.row.Line, c.row.Get("quantity"))
		}
		out.Unit = c.row.Get("unit")
		out.Rows = append(out.Rows, SourceRow{Dataset: c.row.Dataset, Line: c.row.Line, Country: c.row.Get("country"), Quantity: q, Source: c.row.Get("source")})
		name := strings.ToLower(c.row.Get("country"))
		switch {
		case strings.HasPrefix(name, "world"):
			v := q
			out.PublishedTotal = &v
			continue
		case strings.HasPrefix(name, "other"):
			other += q
		default:
			out.Shares = append(out.Shares, Share{ISO3: c.row.Get("iso3"), Country: country.Name(c.row.Get("iso3")), Quantity: q})
		}
		out.ComputedTotal += q
	}
	if out.ComputedTotal <= 0 {
		return nil, critmin.Errorf(critmin.EINVALID, "%s %s %d: the reported rows add up to zero", stage, commodity, year)
	}
	for i := range out.Shares {
		sh := &out.Shares[i]
		sh.Share = sh.Quantity / out.ComputedTotal
		pct := sh.Share * 100
		out.HHI += pct * pct
		if sh.Quantity > 0 {
			out.Countries++
		}
	}
	out.OtherShare = other / out.ComputedTotal
	sort.SliceStable(out.Shares, func(i, j int) bool {
		if out.Shares[i].Quantity != out.Shares[j].Quantity {
			return out.Shares[i].Quantity > out.Shares[j].Quantity
		}
		return out.Shares[i].ISO3 < out.Shares[j].ISO3
	})
	for i, sh := range out.Shares {
		if i == 0 {
			out.Top1Share, out.Top1ISO3 = sh.Share, sh.ISO3
		}
		if i < 3 {
			out.Top3Share += sh.Share
		}
	}
	return out, nil
}

// HHI returns Σ (share in %)² of fractional shares.
func HHI(shares []float64) float64 {
	var h float64
	for _, s := range shares {
		h += (s * 100) * (s * 100)
	}
	return h
}

// Years lists the years a commodity and stage have default data for.
func (s *Service) Years(commodity, stage string) []int {
	set := map[int]bool{}
	ds := "usgs_mine_production"
	if stage == StageRefining {
		ds = "processing_production"
	}
	for _, r := range s.Data.Rows(ds) {
		if r.Get("commodity") != commodity || (stage == StageRefining && r.Get("stage") != refiningStage) {
			continue
		}
		if y, err := strconv.Atoi(r.Get("year")); err == nil {
			set[y] = true
		}
	}
	var ys []int
	for y := range set {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

// unknownCommodity is the error for a commodity with no data at the
// stage: it names the --commodity given and the ones that have data.
func (s *Service) unknownCommodity(commodity, stage string) error {
	var have []string
	for _, c := range s.Commodities() {
		if len(s.Years(c, stage)) > 0 {
			have = append(have, c)
		}
	}
	reason := fmt.Sprintf("%q has no %s production data; the commodities with data are %s", commodity, stage, strings.Join(have, ", "))
	return &critmin.Error{Code: critmin.ENOTFOUND, Message: "commodity: " + reason, Fields: []critmin.FieldError{{Pointer: "commodity", Reason: reason}}}
}

// Commodities lists the commodities with mine production data.
func (s *Service) Commodities() []string {
	set := map[string]bool{}
	for _, r := range s.Data.Rows("usgs_mine_production") {
		set[r.Get("commodity")] = true
	}
	var out []string
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Stages lists the stages a commodity has country tables for.
func (s *Service) Stages(commodity string) []string {
	out := []string{StageMine}
	if len(s.Years(commodity, StageRefining)) > 0 {
		out = append(out, StageRefining)
	}
	return out
}

// SeriesOf returns the indicators of every year of a commodity and stage.
func (s *Service) SeriesOf(commodity, stage string) (*Series, error) {
	out := &Series{Commodity: commodity, Stage: stage}
	for _, y := range s.Years(commodity, stage) {
		c, err := s.Concentration(commodity, stage, y, "")
		if err != nil {
			return nil, err
		}
		out.Points = append(out.Points, *c)
	}
	if len(out.Points) == 0 {
		return nil, s.unknownCommodity(commodity, stage)
	}
	return out, nil
}

// All computes every commodity, stage and year.
func (s *Service) All() ([]*Concentration, error) {
	var out []*Concentration
	for _, c := range s.Commodities() {
		for _, st := range s.Stages(c) {
			for _, y := range s.Years(c, st) {
				r, err := s.Concentration(c, st, y, "")
				if err != nil {
					return nil, err
				}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
