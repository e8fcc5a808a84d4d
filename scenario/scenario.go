// Package scenario is the one format in which critmin writes what-ifs:
// dated measures such as an export restriction from a country, a supply
// added by a corridor, a lane or port closed, a refinery delayed, a price
// shock or a new contract. The risk job runs disruption scenarios written
// in it, and the planner reads the same files, so a disruption can be
// planned against. The JSON Schema is scenario/scenario.schema.json.
package scenario

import (
	"embed"
	_ "embed"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
)

// Measure kinds. The risk job evaluates export restrictions and supply
// additions; the others are for the planner and are validated here.
const (
	ExportRestriction = "export_restriction"
	SupplyAddition    = "supply_addition"
	LaneClosure       = "lane_closure"
	RefineryDelay     = "refinery_delay"
	PriceShock        = "price_shock"
	NewContract       = "new_contract"
)

var kinds = map[string]bool{ExportRestriction: true, SupplyAddition: true, LaneClosure: true, RefineryDelay: true, PriceShock: true, NewContract: true}

// Scenario is a named set of measures with the sources behind them.
type Scenario struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Sources     []Source `json:"sources,omitempty"`
	// Commodities lists the commodities the measures touch; Parse fills
	// it (a file that gives it must give exactly those).
	Commodities []string  `json:"commodities,omitempty"`
	Measures    []Measure `json:"measures"`
}

// Source cites where a scenario's facts come from.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	// Ref points into shared/data/facts.md ("§2, 3 Dec 2024").
	Ref string `json:"ref,omitempty"`
}

// Measure is one dated change.
type Measure struct {
	Kind        string   `json:"kind"`
	Country     string   `json:"country,omitempty"`
	Commodities []string `json:"commodities,omitempty"`
	// Destination limits an export restriction to exports to one country
	// (ISO alpha-3); empty means every destination.
	Destination string `json:"destination,omitempty"`
	// Share is the fraction of the country's exports withheld (export
	// restriction) — a modelling assumption whose Basis says why.
	Share float64 `json:"share,omitempty"`
	// ExportedShare is the fraction of the country's output that it
	// exports, with its source in Basis: an export control binds exports,
	// not the country's own use, so the world shortfall needs it (without
	// it the risk job reports no world tonnage). Optional.
	ExportedShare *float64 `json:"exported_share,omitempty"`
	// Elements names the elements a rare-earth measure controls (Dy, Tb…)
	// where it does not cover them all, so that results by element say
	// which ones it touches. Optional.
	Elements []string `json:"elements,omitempty"`
	// Tonnes per year added (supply addition), one value per year from
	// From on: a ramp.
	Tonnes []float64 `json:"tonnes_per_year,omitempty"`
	From   string    `json:"from"`
	To     string    `json:"to,omitempty"`
	Basis  string    `json:"basis,omitempty"`
	// Planner measures: the lane, port or line affected, a delay in
	// periods, a price factor, a contract reference.
	Target string  `json:"target,omitempty"`
	Delay  int     `json:"delay_periods,omitempty"`
	Factor float64 `json:"price_factor,omitempty"`
	// PricePerT is a price_shock's absolute price, in the network's
	// currency per tonne on the basis of each contract or spot market it
	// hits (per t of product, or per t of contained element for a contract
	// priced on contained metal), instead of a factor: it means the same
	// whatever price the file or a term sheet gave the target. A measure
	// gives price_factor or price_per_t, never both.
	PricePerT float64 `json:"price_per_t,omitempty"`
	// Contract is the new contract of a new_contract measure, in the
	// planner's contract format (package plan); Target is its id.
	Contract json.RawMessage `json:"contract,omitempty"`
}

// Touched lists the commodities the scenario's measures touch, sorted,
// each once.
func (s *Scenario) Touched() []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range s.Measures {
		for _, c := range m.Commodities {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Touches reports whether a measure of the scenario names the commodity.
func (s *Scenario) Touches(commodity string) bool {
	for _, c := range s.Touched() {
		if c == commodity {
			return true
		}
	}
	return false
}

// Window returns the measure's dates; To is the zero time when open-ended.
func (m Measure) Window() (from, to time.Time, err error) {
	from, err = time.Parse(time.DateOnly, m.From)
	if err != nil {
		return from, to, fmt.Errorf("from %q is not a date (YYYY-MM-DD)", m.From)
	}
	if m.To != "" {
		if to, err = time.Parse(time.DateOnly, m.To); err != nil {
			return from, to, fmt.Errorf("to %q is not a date (YYYY-MM-DD)", m.To)
		}
		if !to.After(from) {
			return from, to, fmt.Errorf("to %s is not after from %s", m.To, m.From)
		}
	}
	return from, to, nil
}

// ActiveFraction is the part of a calendar year the measure is in force.
func (m Measure) ActiveFraction(year int) float64 {
	from, to, err := m.Window()
	if err != nil {
		return 0
	}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	if from.After(start) {
		start = from
	}
	if !to.IsZero() && to.Before(end) {
		end = to
	}
	if !end.After(start) {
		return 0
	}
	return end.Sub(start).Hours() / time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)).Hours()
}

// Parse reads and validates a scenario; every problem names its field.
func Parse(b []byte) (*Scenario, error) {
	if err := jsonstrict.Check(b, (*Scenario)(nil)); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, critmin.FieldErrorf("", "not a scenario: %v", err)
	}
	return &s, s.Check()
}

// Check validates a decoded scenario (Validate) and fills its commodities
// from its measures, refusing a list that disagrees with them.
func (s *Scenario) Check() error {
	if err := s.Validate(); err != nil {
		return err
	}
	touched := s.Touched()
	if len(s.Commodities) > 0 && strings.Join(s.Commodities, ",") != strings.Join(touched, ",") {
		return critmin.FieldErrorf("/commodities", "lists %v, but the measures touch %v", s.Commodities, touched)
	}
	s.Commodities = touched
	return nil
}

// Validate checks a scenario.
func (s *Scenario) Validate() error {
	var errs []critmin.FieldError
	fail := func(p, format string, args ...any) {
		errs = append(errs, critmin.FieldError{Pointer: p, Reason: fmt.Sprintf(format, args...)})
	}
	if s.ID == "" {
		fail("/id", "missing")
	}
	if len(s.Measures) == 0 {
		fail("/measures", "a scenario needs at least one measure")
	}
	for i, m := range s.Measures {
		p := fmt.Sprintf("/measures/%d", i)
		if !kinds[m.Kind] {
			fail(p+"/kind", "%q is not one of export_restriction, supply_addition, lane_closure, refinery_delay, price_shock, new_contract", m.Kind)
		}
		if _, _, err := m.Window(); err != nil {
			fail(p, "%v", err)
		}
		if m.Country != "" && !country.Valid(m.Country) {
			fail(p+"/country", "%q is not an ISO 3166-1 alpha-3 code", m.Country)
		}
		if m.Destination != "" && !country.Valid(m.Destination) {
			fail(p+"/destination", "%q is not an ISO 3166-1 alpha-3 code", m.Destination)
		}
		switch m.Kind {
		case ExportRestriction:
			if m.Country == "" || len(m.Commodities) == 0 {
				fail(p, "an export restriction needs a country and commodities")
			}
			if m.Share <= 0 || m.Share > 1 {
				fail(p+"/share", "%v is not a fraction in (0, 1]", m.Share)
			}
			if e := m.ExportedShare; e != nil && (*e < 0 || *e > 1) {
				fail(p+"/exported_share", "%v is not a fraction in [0, 1]", *e)
			}
		case SupplyAddition:
			if m.Country == "" || len(m.Commodities) != 1 || len(m.Tonnes) == 0 {
				fail(p, "a supply addition needs a country, one commodity and tonnes_per_year")
			}
			for j, t := range m.Tonnes {
				if t < 0 {
					fail(fmt.Sprintf("%s/tonnes_per_year/%d", p, j), "%v is negative", t)
				}
			}
		case PriceShock:
			switch {
			case m.Factor != 0 && m.PricePerT != 0:
				fail(p+"/price_per_t", "give price_factor or price_per_t, not both")
			case m.PricePerT < 0:
				fail(p+"/price_per_t", "%v is not a price: must be above zero", m.PricePerT)
			case m.PricePerT == 0 && m.Factor <= 0:
				fail(p+"/price_factor", "must be above zero (or give price_per_t, an absolute price)")
			}
		case LaneClosure, RefineryDelay, NewContract:
			if m.Target == "" {
				fail(p+"/target", "name the lane, port, line or contract")
			}
			if m.Kind == NewContract && len(m.Contract) == 0 {
				fail(p+"/contract", "a new contract needs its terms")
			}
			if m.Kind == RefineryDelay && m.Delay <= 0 {
				fail(p+"/delay_periods", "must be at least 1")
			}
		}
	}
	if len(errs) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("scenario %q: %s: %s", s.ID, errs[0].Pointer, errs[0].Reason), Fields: errs}
	}
	return nil
}

//go:embed library/*.json
var library embed.FS

// Library returns the built-in disruption scenarios, by id.
func Library() ([]*Scenario, error) {
	names, err := fs.Glob(library, "library/*.json")
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	for _, n := range names {
		b, err := library.ReadFile(n)
		if err != nil {
			return nil, err
		}
		s, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("scenario: library %s: %w", n, err)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Measures[0].From < out[j].Measures[0].From })
	return out, nil
}

// Find returns a library scenario by id.
func Find(id string) (*Scenario, error) {
	lib, err := Library()
	if err != nil {
		return nil, err
	}
	for _, s := range lib {
		if s.ID == id {
			return s, nil
		}
	}
	return nil, critmin.Errorf(critmin.ENOTFOUND, "no scenario %q in the library", id)
}
