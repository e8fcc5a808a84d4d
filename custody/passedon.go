package custody

import (
	"context"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// RowPass is one run's consumption within a row: the fraction (0 to 1)
// of each input lot's dry mass the run consumed, the run's outputs in the
// same row as those inputs, and its outputs in other rows (or not among
// the lots read), which took the rest of what the run consumed.
type RowPass struct {
	Inputs  map[string]float64
	Outputs []string
	Others  []string
	// Balance is the run's element balance as the lot page's run table
	// shows it (runBalance, the one reading): per element, In — what
	// the run's inputs in every row brought — Out, and what each output
	// holds by its own assay (AssayedOutputs). What passed on and what
	// the run lost are read from it.
	Balance RunBalance
	// Took is, per input lot of the run (in any row) and element, what
	// Balance counts that input brought: the dry tonnes the run consumed
	// of it (never more than the lot held, overConsumption) × the grade
	// of what it took — a part taken at that part's own assay
	// (ledger.RunInputScopes, partTakenComp), never the lot's average
	// grade. An element the run's reading of the input does not grade is
	// absent. Σ over inputs is Balance's In.
	Took map[string]map[string]float64
}

// PassedOnWithin lists, per run and row, what transformations passed from
// lots into outputs of the same row — row(lot) equal for input and output
// (for ledger sourcing: commodity and month). That part of an input's
// metal lives on in the outputs, which are counted in the row; counting
// the input too would count one tonne of metal twice (a 10 t feed blended
// into a 12 t blend of the same commodity and month). A run whose outputs
// all lie in other rows passes nothing within the row: each row counts
// what passed through its stage once. A run is all the events of its
// transformationID (EPCIS 2.0 §7.4.6): what it consumed, and the outputs
// among which that is shared (Outputs in the row, Others elsewhere), are
// the whole run's, whichever event names the input or the output. A lot
// consumed without a stated quantity (fed whole) passes on all of it. A
// row of the run's inputs with no output of the run in it is listed too
// (Outputs empty): it passes nothing on, and the run's loss of its inputs
// is read from Balance and Took (risk.LedgerLotsOf), the run's element
// balance as the lot page shows it (issue 9, fix9ag: what a run took of a
// part assayed where it was received is that part's metal, not the lot's
// average grade × the fraction of its mass consumed). Consumption is
// ledger.RunConsumption, the one definition of what a run consumed.
func PassedOnWithin(ctx context.Context, s Store, lots []*critmin.Lot, row func(*critmin.Lot) string) ([]RowPass, error) {
	byID := make(map[string]*critmin.Lot, len(lots))
	ids := make([]string, 0, len(lots))
	for _, l := range lots {
		byID[l.ID] = l
		ids = append(ids, l.ID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	edges, err := s.LotEdges(ctx, ids, false)
	if err != nil {
		return nil, err
	}
	sites, err := s.SiteDetails(ctx)
	if err != nil {
		return nil, err
	}
	oc := newCalc(ctx, s, siteMap(sites))
	for id, l := range byID {
		oc.lots[id] = l
	}
	runs := map[string][]critmin.LotEdge{}
	var keys []string
	for _, e := range edges {
		if e.Kind != ledger.LinkTransformation || byID[e.Parent] == nil {
			continue
		}
		if _, ok := runs[e.RunKey()]; !ok {
			keys = append(keys, e.RunKey())
		}
		runs[e.RunKey()] = append(runs[e.RunKey()], e)
	}
	sort.Strings(keys)
	var out []RowPass
	for _, k := range keys {
		es := runs[k]
		whole := map[string]bool{}
		consumed := ledger.RunConsumption(es, func(e critmin.LotEdge) float64 {
			if e.ParentQty == nil {
				whole[e.Parent] = true
				return 0
			}
			return inputMass(e, byID[e.Parent])
		})
		var children []string
		seen := map[string]bool{}
		for _, e := range es {
			if !seen[e.Child] {
				seen[e.Child] = true
				children = append(children, e.Child)
			}
		}
		sort.Strings(children)
		rb, err := oc.balanceOf(es)
		if err != nil {
			return nil, err
		}
		// The run's inputs by row, each row's pass with the run's outputs
		// in it.
		byRow := map[string]*RowPass{}
		var rows []string
		run := map[string]float64{}
		for _, id := range sortedKeys(consumed) {
			switch l := byID[id]; {
			case whole[id]:
				run[id] = 1
			case l.DryTonnes > 0:
				// What the lot held for this run (overConsumption, the
				// lot page's figure): a run that took more than was
				// left after a retraction counts the rest, later runs
				// nothing — never more than the lot held in all.
				if err := oc.overConsumption(id); err != nil {
					return nil, err
				}
				run[id] = min(consumed[id]*oc.heldFraction(id, k)/l.DryTonnes, 1)
			}
		}
		for _, id := range sortedKeys(consumed) {
			r := row(byID[id])
			p := byRow[r]
			if p == nil {
				p = &RowPass{Inputs: map[string]float64{}, Balance: rb, Took: rb.took}
				for _, c := range children {
					if l := byID[c]; l != nil && row(l) == r {
						p.Outputs = append(p.Outputs, c)
					} else {
						p.Others = append(p.Others, c)
					}
				}
				byRow[r] = p
				rows = append(rows, r)
			}
			if f, ok := run[id]; ok {
				p.Inputs[id] = f
			}
		}
		sort.Strings(rows)
		for _, r := range rows {
			// A row whose inputs the run consumed is listed even when
			// none of the run's outputs is in it: it passes nothing on,
			// but what the run lost of its inputs is reported there.
			if p := byRow[r]; len(p.Inputs) > 0 {
				out = append(out, *p)
			}
		}
	}
	return out, nil
}

// balanceOf is the element balance of the run whose edges are es, read
// as the lot page reads it (balanceAll): every lot the edges name loaded,
// each input's composition computed (a container as the run read it) so
// that its grade is the one its origin reads (comp.grade, capped where a
// run that made it gains), over-consumption counted, then runBalance.
func (oc *originCalc) balanceOf(es []critmin.LotEdge) (RunBalance, error) {
	if len(es) == 0 {
		return RunBalance{}, nil
	}
	var ids []string
	for _, e := range es {
		ids = append(ids, e.Parent, e.Child)
	}
	if err := oc.loadLots(ids); err != nil {
		return RunBalance{}, err
	}
	for _, e := range es {
		if oc.edgeComp(e) != nil {
			continue
		}
		var at time.Time
		if in := oc.lots[e.Parent]; in != nil && in.OriginCountry == "" && in.Commodity == "" {
			at = e.EventTime // a container as the run read it (computeAt)
		}
		if _, err := oc.upstreamAt(e.Parent, at); err != nil {
			return RunBalance{}, err
		}
	}
	for _, e := range es {
		if err := oc.overConsumption(e.Parent); err != nil {
			return RunBalance{}, err
		}
	}
	return oc.runBalance(es[0].EventID, es), nil
}
