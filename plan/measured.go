package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// WithRefineryYields returns a copy of n in which the outputs of every
// line at a site with a closed refinery period take the reconciled
// recoveries of that site's latest closed period (refinery.RecoveryFor,
// AMIRA P754 metal accounting): the recovery of the output's element — a
// lumped one such as "NdPr" is taken as the group Nd+Pr — into the
// product stream whose commodity is the output's product. The refinery
// site is the planning site's ledger location (Site.Location), else its
// id; the latest closed period is the greatest YYYY-MM whose last audit
// record is a close. Outputs that no closed period of the site accounts
// keep their recovery. When the latest period does not give an output's
// recovery — it does not account the element (refinery.ErrNotAccounted),
// the recovery cannot be determined (refinery.ErrUndetermined) or no
// product stream of the output's commodity carries it — the latest
// earlier closed period that gives it is used, else the planning file's
// recovery stands; either way the returned network carries a warning
// naming every period passed over and why (Network.Warnings, copied into every plan). It lists every
// replacement (YieldChange, naming the period and close record); n is
// unchanged. Errors: the store's, and EINVALID
// for a recovery outside [0, 1].
func (n *Network) WithRefineryYields(ctx context.Context, s critmin.RefineryStore) (*Network, []YieldChange, error) {
	out, all := n, []YieldChange{}
	for _, site := range n.Sites {
		hasLine := false
		for _, l := range n.Lines {
			hasLine = hasLine || l.Site == site.ID
		}
		if !hasLine {
			continue
		}
		loc := site.Location
		if loc == "" {
			loc = site.ID
		}
		periods, err := closedPeriods(ctx, s, loc)
		if errors.Is(err, refinery.ErrUnverified) {
			// No key to check who signed the closes: the planning file's
			// recoveries stand, and the plan says why.
			if out == n {
				out = n.Clone()
			}
			out.Warnings = append(slices.Clone(out.Warnings), fmt.Sprintf("measured yields of site %s not used: %s", site.ID, critmin.ErrorMessage(err)))
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if len(periods) == 0 {
			continue
		}
		var ys []MeasuredYield
		var warnings []string
		seen := map[[2]string]bool{}
		for _, l := range n.Lines {
			if l.Site != site.ID {
				continue
			}
			for _, o := range l.Outputs {
				k := [2]string{o.Element, o.Product}
				if seen[k] {
					continue
				}
				seen[k] = true
				group := strings.Join(elementSymbols(o.Element), "+")
				// The latest closed period whose recovery of the group is
				// determined; each period passed over is named in a
				// warning, so that no close is ignored silently.
				var skipped []string
				accounted := false // some closed period accounts the group
				for _, period := range periods {
					rs, err := refinery.RecoveryFor(ctx, s, loc, group, period)
					if errors.Is(err, refinery.ErrNotAccounted) {
						skipped = append(skipped, fmt.Sprintf("closed period %s does not account %s", period, group))
						continue
					} else if errors.Is(err, refinery.ErrUndetermined) {
						accounted = true
						skipped = append(skipped, critmin.ErrorMessage(err))
						continue
					} else if err != nil {
						return nil, nil, err
					}
					accounted = true
					if len(rs) > 0 && rs[0].Warning != "" {
						// A stale close's figure is used, and said to be stale.
						warnings = append(warnings, fmt.Sprintf("%s → %s at %s: %s", o.Element, o.Product, site.ID, rs[0].Warning))
					}
					// Every product stream of the commodity counts: two
					// streams carrying one product sum (refinery.ProductRecovery).
					r, found := refinery.ProductRecovery(rs, o.Product)
					if found {
						if r.Warning != "" && !slices.Contains(warnings, r.Warning) {
							warnings = append(warnings, r.Warning)
						}
						ys = append(ys, MeasuredYield{Element: o.Element, Product: o.Product, Recovery: r.Fraction, Period: period,
							Source: fmt.Sprintf("refinery %s period %s close record %d (%s), stream %s", loc, period, r.Seq, r.Hash, r.Stream)})
					}
					if !found {
						skipped = append(skipped, fmt.Sprintf("closed period %s has no product stream of commodity %s carrying %s", period, o.Product, group))
						continue
					}
					if len(skipped) > 0 {
						warnings = append(warnings, fmt.Sprintf("%s → %s at %s: %s; the measured yield comes from period %s instead", o.Element, o.Product, site.ID, strings.Join(skipped, "; "), period))
					}
					skipped = nil
					break
				}
				if !accounted {
					// No closed period of the site accounts the group:
					// the refinery does not measure it at all.
					skipped = nil
				}
				if len(skipped) > 0 {
					warnings = append(warnings, fmt.Sprintf("%s → %s at %s: %s; no earlier closed period gives it, so the planning file's recovery stands", o.Element, o.Product, site.ID, strings.Join(skipped, "; ")))
				}
			}
		}
		if len(warnings) > 0 {
			if out == n {
				out = n.Clone()
			}
			out.Warnings = append(slices.Clone(out.Warnings), warnings...)
		}
		if len(ys) == 0 {
			continue
		}
		nn, changes, err := out.WithMeasuredYields(site.ID, ys)
		if err != nil {
			return nil, nil, err
		}
		out, all = nn, append(all, changes...)
	}
	return out, all, nil
}

// closedPeriods returns the periods closed now at site, latest first,
// from the verified period chain (refinery.ClosedPeriods).
func closedPeriods(ctx context.Context, s critmin.RefineryStore, site string) ([]string, error) {
	return refinery.ClosedPeriods(ctx, s, site)
}

// elementSymbols splits a lumped element name ("NdPr", "LaCe") into its
// symbols (an upper-case letter and any lower-case ones).
func elementSymbols(s string) []string {
	var out []string
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			out = append(out, string(r))
		} else if len(out) > 0 {
			out[len(out)-1] += s[i : i+1]
		}
	}
	return out
}
