package plan

import (
	"fmt"

	"github.com/critmin/critmin"
)

// MeasuredYield is a recovery measured at a refinery — the reconciled
// recovery of Element into Product over a closed metal-accounting period
// (package refinery) — with where it comes from.
type MeasuredYield struct {
	Element  string  `json:"element"`
	Product  string  `json:"product"`
	Recovery float64 `json:"recovery"` // fraction of the feed's element, 0–1
	Period   string  `json:"period"`
	Source   string  `json:"source"` // e.g. the close record's hash
}

// YieldChange records one line output whose recovery a measured yield
// replaced.
type YieldChange struct {
	Line     string        `json:"line"`
	Output   Output        `json:"output"`
	Was      float64       `json:"was"`
	Measured MeasuredYield `json:"measured"`
}

// WithMeasuredYields returns a copy of n in which each output of every
// line at site (a site id, or its ledger location) takes the measured
// recovery of the same element into the same product; outputs without a
// measured yield keep theirs. It lists what it replaced. Errors:
// EINVALID for a recovery outside [0, 1], two yields of one element
// into one product, or a site the network lacks.
func (n *Network) WithMeasuredYields(site string, ys []MeasuredYield) (*Network, []YieldChange, error) {
	ids := map[string]bool{}
	for _, s := range n.Sites {
		if s.ID == site || (s.Location != "" && s.Location == site) {
			ids[s.ID] = true
		}
	}
	if len(ids) == 0 {
		return nil, nil, critmin.FieldErrorf("site", "the planning network has no site %q", site)
	}
	byKey := map[[2]string]MeasuredYield{}
	for i, y := range ys {
		if !(y.Recovery >= 0 && y.Recovery <= 1) {
			return nil, nil, critmin.FieldErrorf(fmt.Sprintf("/%d/recovery", i), "a recovery is a fraction in [0, 1], got %s", critmin.PlainNumber(y.Recovery))
		}
		k := [2]string{y.Element, y.Product}
		if _, dup := byKey[k]; dup {
			// Never keep one and drop the other silently: the streams of
			// one product are summed before (refinery.ProductRecovery).
			return nil, nil, critmin.FieldErrorf(fmt.Sprintf("/%d", i), "two measured yields of %s into %s: the recovery into a product is one figure (sum the streams that carry it)", y.Element, y.Product)
		}
		byKey[k] = y
	}
	c := n.Clone()
	var changes []YieldChange
	for li := range c.Lines {
		l := &c.Lines[li]
		if !ids[l.Site] {
			continue
		}
		for oi := range l.Outputs {
			o := &l.Outputs[oi]
			if y, ok := byKey[[2]string{o.Element, o.Product}]; ok {
				changes = append(changes, YieldChange{Line: l.ID, Output: *o, Was: o.Recovery, Measured: y})
				o.Recovery = y.Recovery
			}
		}
	}
	return c, changes, nil
}
