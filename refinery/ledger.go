package refinery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// LedgerReader is what FromLedger reads of the store.
type LedgerReader interface {
	EdgesAt(ctx context.Context, site string, from, to time.Time) ([]critmin.LotEdge, error)
	FindLotsByID(ctx context.Context, ids []string) ([]*critmin.Lot, error)
}

// Precision declares the relative standard deviations of a site's
// weighing and of its sampling-plus-assay method (P754: every measurement
// carries its precision). Zero fields take DefaultPrecision's.
type Precision struct {
	WeighingRel float64 `json:"weighing_rel"` // e.g. 0.005: weighbridge ±0.5 % (1 sd)
	AssayRel    float64 `json:"assay_rel"`    // e.g. 0.03: sampling and assay ±3 % relative (1 sd)
}

// DefaultPrecision is used for what a site does not declare:
// weighbridge 0.5 %, sampling and assay 3 % relative (1 sd).
var DefaultPrecision = Precision{WeighingRel: 0.005, AssayRel: 0.03}

// FromLedger fills a flowsheet's check-in and check-out for one site and
// month from the ledger: every transformation event at site in the period
// contributes its input lots to the feed stream (no from) whose commodity
// is the lot's, and its output lots to the product or residue stream (no
// to) of the output's commodity. Per stream, the dry tonnes are summed
// (wet quantity × (1 − moisture)) with sd WeighingRel·√Σtᵢ² (independent
// weighings), and each element's grade is the tonnage-weighted mean of the
// lots' assays (oxides converted to the element with units' factors) with
// sd AssayRel·√Σ(tᵢgᵢ)²/Σtᵢ. Each value lists the events and lots it comes
// from as its source. Streams the ledger does not reach keep the
// flowsheet's values. Errors (EINVALID): a bad period; no transformation
// at the site in the period; a lot whose commodity no stream carries.
func FromLedger(ctx context.Context, lr LedgerReader, flowsheet *Problem, site, period string, prec Precision) (*Problem, error) {
	from, err := time.Parse("2006-01", period)
	if err != nil {
		return nil, critmin.FieldErrorf("period", "a period is a month YYYY-MM, got %q", period)
	}
	if prec.WeighingRel <= 0 {
		prec.WeighingRel = DefaultPrecision.WeighingRel
	}
	if prec.AssayRel <= 0 {
		prec.AssayRel = DefaultPrecision.AssayRel
	}
	edges, err := lr.EdgesAt(ctx, site, from, from.AddDate(0, 1, 0))
	if err != nil {
		return nil, err
	}
	if len(edges) == 0 {
		return nil, critmin.FieldErrorf("period", "period %s has no measurements: no transformation event at %s", period, site)
	}
	type entry struct {
		lot, event string
		qty        float64
		uom        string
		in         bool
	}
	seen := map[string]bool{}
	var entries []entry
	ids := map[string]bool{}
	// Edges are lot pairs: a run with two inputs and two outputs gives four,
	// and events sharing a transformationID repeat the inputs. A lot's
	// stated quantity at one time is counted once.
	for _, e := range edges {
		at := e.EventTime.UTC().Format(time.RFC3339Nano)
		if e.ParentQty != nil {
			if k := fmt.Sprintf("in|%s|%s|%g", at, e.Parent, *e.ParentQty); seen[k] {
				e.ParentQty = nil
			} else {
				seen[k] = true
			}
		}
		if e.ChildQty != nil {
			if k := fmt.Sprintf("out|%s|%s|%g", at, e.Child, *e.ChildQty); seen[k] {
				e.ChildQty = nil
			} else {
				seen[k] = true
			}
		}
		if e.ParentQty != nil {
			entries = append(entries, entry{e.Parent, e.EventID, *e.ParentQty, e.ParentUOM, true})
			ids[e.Parent] = true
		}
		if e.ChildQty != nil {
			entries = append(entries, entry{e.Child, e.EventID, *e.ChildQty, e.ChildUOM, false})
			ids[e.Child] = true
		}
	}
	lots, err := lr.FindLotsByID(ctx, sortedKeys(ids))
	if err != nil {
		return nil, err
	}
	lotOf := map[string]*critmin.Lot{}
	for _, l := range lots {
		lotOf[l.ID] = l
	}
	// A deep copy of the flowsheet, so that the caller's stays as it was.
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(flowsheet); err != nil {
		return nil, err
	}
	p, err := DecodeProblemUnvalidated(&buf)
	if err != nil {
		return nil, err
	}
	p.Site, p.Period = site, period
	type acc struct {
		t, t2  float64
		el     map[string]float64 // Σ tᵢgᵢ
		el2    map[string]float64 // Σ (tᵢgᵢ)²
		source []string
	}
	accs := map[int]*acc{}
	for _, en := range entries {
		lot := lotOf[en.lot]
		if lot == nil {
			return nil, critmin.Errorf(critmin.EINVALID, "lot %s of event %s is not in the lot view", en.lot, en.event)
		}
		si := -1
		for i, s := range p.Streams {
			if s.Commodity == lot.Commodity && ((en.in && s.From == "") || (!en.in && s.To == "")) {
				si = i
				break
			}
		}
		if si < 0 {
			side := "feed stream (no from)"
			if !en.in {
				side = "product or residue stream (no to)"
			}
			return nil, critmin.Errorf(critmin.EINVALID, "lot %s (event %s) is %s, but no %s of the flowsheet has that commodity", en.lot, en.event, lot.Commodity, side)
		}
		wet, err := units.ToTonnes(en.qty, en.uom)
		if err != nil {
			return nil, critmin.Errorf(critmin.EINVALID, "lot %s (event %s): %v", en.lot, en.event, err)
		}
		t := wet
		if lot.Moisture != nil {
			t = wet * (1 - *lot.Moisture)
		}
		a := accs[si]
		if a == nil {
			a = &acc{el: map[string]float64{}, el2: map[string]float64{}}
			accs[si] = a
		}
		a.t += t
		a.t2 += t * t
		a.source = append(a.source, en.event, en.lot)
		for _, as := range lot.Assays {
			el := units.ElementOf(as.Analyte)
			g, err := units.ConvertGrade(as.Value, as.Unit, units.Percent)
			if err != nil {
				continue // an analyte in a unit that is not a grade
			}
			if o, ok := units.LookupOxide(as.Analyte); ok {
				g *= o.ToElement
			}
			a.el[el] += t * g
			a.el2[el] += (t * g) * (t * g)
		}
	}
	for si, a := range accs {
		s := &p.Streams[si]
		src := dedupe(a.source)
		s.Mass = &Quantity{Value: a.t, SD: prec.WeighingRel * math.Sqrt(a.t2), hasSD: true, Method: fmt.Sprintf("ledger quantities, weighing ±%.1f %% (1 sd)", 100*prec.WeighingRel), Source: src}
		if s.Grade == nil {
			s.Grade = map[string]*Quantity{}
		}
		for _, e := range p.Elements {
			tg, ok := a.el[e]
			if !ok || a.t == 0 {
				continue
			}
			g := tg / a.t
			sd := math.Max(prec.AssayRel*math.Sqrt(a.el2[e])/a.t, 1e-6)
			s.Grade[e] = &Quantity{Value: g, SD: sd, hasSD: true, Method: fmt.Sprintf("ledger assays, sampling and assay ±%.0f %% rel. (1 sd)", 100*prec.AssayRel), Source: src}
		}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// DecodeProblemUnvalidated reads a problem or flowsheet without checking
// it (a flowsheet has no measurements until the ledger fills them).
func DecodeProblemUnvalidated(r interface{ Read([]byte) (int, error) }) (*Problem, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var p Problem
	if err := dec.Decode(&p); err != nil {
		return nil, critmin.FieldErrorf("/", "not a refinery flowsheet: %v", err)
	}
	return &p, nil
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
