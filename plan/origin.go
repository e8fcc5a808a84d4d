package plan

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// Origin classes: the blending rule.
//
// A refinery line that processes several feeds in one period makes one
// blended product (a solvent-extraction circuit has no memory of which
// tonne of feed a tonne of oxide came from). The planner therefore does
// not keep a product stream per origin country. Instead origins are
// partitioned into classes by the exclusion lists of the network's
// buyers and stockpiles: two origins are in one class exactly when every
// exclusion list either names both or names neither. Each line runs one
// class per period (a campaign, chosen by binaries when its feeds come
// from more than one class), and its product goes into the pool of that
// class: commodity:class. Pools are kept apart in storage (segregation,
// ISO 22095:2020 §5.3) and within a pool every tonne has the same
// composition. A buyer or stockpile excludes a whole class or none of
// it, so covered-country content can never reach a buyer or stockpile
// that excludes it, whatever the blend. docs/planning.md gives the
// mathematics.

// Unrestricted is the class of origins no exclusion list names.
const Unrestricted = "unrestricted"

// effectiveExcluded is the exclusion list a buyer or stockpile is planned and
// checked under: its excluded_origins and, when that names any origin,
// UnknownOrigin too. Material of unknown origin cannot be shown not to
// come from an excluded country (DFARS 252.225-7052 asks where it was
// mined and processed; critmin's dfars-covered-countries rule fails a
// lot with a stage of unknown country for the same reason), so a sink
// that excludes any country never receives it. A sink with no
// exclusions takes everything, unknown origin included.
func effectiveExcluded(list []string) []string {
	if len(list) == 0 || slices.Contains(list, UnknownOrigin) {
		return list
	}
	return append(slices.Clip(list), UnknownOrigin)
}

// classes partitions origin countries by the exclusion lists.
type classes struct {
	lists []map[string]bool
	named []string // every origin named in some list, sorted
}

func (n *Network) originClasses() *classes {
	c := &classes{}
	seen := map[string]bool{}
	add := func(list []string) {
		if len(list) == 0 {
			return
		}
		m := map[string]bool{}
		for _, o := range effectiveExcluded(list) {
			m[o] = true
			if !seen[o] {
				seen[o] = true
				c.named = append(c.named, o)
			}
		}
		c.lists = append(c.lists, m)
	}
	for _, k := range n.Contracts {
		add(k.ExcludedOrigins)
	}
	for _, s := range n.Stockpiles {
		add(s.ExcludedOrigins)
	}
	sort.Strings(c.named)
	return c
}

// signature is which lists exclude an origin, as a string of 0 and 1.
func (c *classes) signature(origin string) string {
	b := make([]byte, len(c.lists))
	for i, l := range c.lists {
		b[i] = '0'
		if l[origin] {
			b[i] = '1'
		}
	}
	return string(b)
}

// label names an origin's class: "unrestricted", or the origins named in
// the lists that share its signature, joined by "+" (CHN+IRN+PRK+RUS).
// UnknownOrigin is a class of its own ("UNK") whenever a list bars it,
// even where the lists bar it with the covered countries: unknown
// origin is not a covered country, and the covered class keeps its name.
func (c *classes) label(origin string) string {
	sig := c.signature(origin)
	if !strings.Contains(sig, "1") {
		return Unrestricted
	}
	if origin == UnknownOrigin {
		return UnknownOrigin
	}
	var members []string
	for _, o := range c.named {
		if o != UnknownOrigin && c.signature(o) == sig {
			members = append(members, o)
		}
	}
	return strings.Join(members, "+")
}

// classOf is the class of material holding content of every origin in
// origins (at any share, zero included: a blend holds what went into
// it): Unrestricted when none of them is restricted; the class of the
// one restricted class among them; with several, the union of their
// members joined by "+" (a blend of covered and unknown content is
// "CHN+HKG+IRN+MAC+PRK+RUS+UNK"), which every list barring any of them
// bars. A blend with covered content is covered content: DFARS
// 252.225-7052 reads where any of its material was mined. The model
// classes its streams with it and Check classes the traced feed of
// every campaign with it, so the two cannot disagree.
func (c *classes) classOf(origins []string) string {
	set := map[string]bool{}
	for _, o := range origins {
		lb := c.label(o)
		if lb == Unrestricted {
			continue
		}
		for _, m := range strings.Split(lb, "+") {
			set[m] = true
		}
	}
	if len(set) == 0 {
		return Unrestricted
	}
	return strings.Join(slices.Sorted(maps.Keys(set)), "+")
}

// excludesClass reports whether an exclusion list bars a class (by
// label): whether its effectiveExcluded list names any member of the class.
func excludesClass(list []string, c *classes, class string) bool {
	if class == Unrestricted {
		return false
	}
	list = effectiveExcluded(list)
	for _, o := range strings.Split(class, "+") {
		if slices.Contains(list, o) {
			return true
		}
	}
	return false
}

// Mix is tonnes by origin country.
type Mix map[string]float64

// pool is material of one stream at one site in one period.
type poolKey struct {
	site, stream string
	t            int
}

// tracer computes the origin composition of every pool from a plan's
// published records alone: material entering a pool (opening stock,
// supply, arrivals, production) mixes in proportion to its tonnes, and
// everything leaving the pool (departures, feed, sales, closing stock)
// carries the pool's average composition. A line's product takes the
// composition of the feeds it was made from, weighted by the element
// each feed contributed to it.
type tracer struct {
	frac map[poolKey]map[string]float64
}

// traceInput is what a tracer needs: supplies entering pools with their
// origin, and the plan's records.
type traceInput struct {
	T      int
	supply map[poolKey]float64
	origin map[string]map[string]float64 // supply stream → share by origin country
	flows  []FlowT
	proc   []ProcT
	inv    []InvT
}

func traceOrigins(in traceInput) *tracer {
	tr := &tracer{frac: map[poolKey]map[string]float64{}}
	invAt := map[poolKey]float64{}
	for _, iv := range in.inv {
		invAt[poolKey{iv.Site, iv.Stream, iv.Period}] += iv.Tonnes
	}
	arrive := map[int][]FlowT{}
	for _, f := range in.flows {
		arrive[f.Arrive] = append(arrive[f.Arrive], f)
	}
	procAt := map[int][]ProcT{}
	for _, p := range in.proc {
		procAt[p.Period] = append(procAt[p.Period], p)
	}
	supplyAt := map[int][]poolKey{}
	for k := range in.supply {
		supplyAt[k.t] = append(supplyAt[k.t], k)
	}
	for t := 0; t < in.T; t++ {
		// Within a period, arrivals over zero-transit lanes and products
		// of feed processed in the same period depend on other pools of
		// the period: repeat until nothing changes (the network's lanes
		// and lines are acyclic in practice; 50 passes bound a cycle).
		for pass := 0; pass < 50; pass++ {
			mass := map[poolKey]Mix{}
			addMix := func(k poolKey, tonnes float64, f map[string]float64) {
				if tonnes <= 0 || f == nil {
					return
				}
				if mass[k] == nil {
					mass[k] = Mix{}
				}
				for o, v := range f {
					mass[k][o] += tonnes * v
				}
			}
			if t > 0 {
				for k, v := range invAt {
					if k.t == t-1 {
						addMix(poolKey{k.site, k.stream, t}, v, tr.frac[k])
					}
				}
			}
			for _, k := range supplyAt[t] {
				addMix(k, in.supply[k], in.origin[k.stream])
			}
			for _, f := range arrive[t] {
				addMix(poolKey{f.To, f.Stream, t}, f.Tonnes, tr.frac[poolKey{f.From, f.Stream, f.Period}])
			}
			for _, p := range procAt[t] {
				feed := tr.frac[poolKey{p.Site, p.Stream, t}]
				for prod, tonnes := range p.Products {
					addMix(poolKey{p.Site, p.Pool[prod], t}, tonnes, feed)
				}
			}
			changed := false
			for k, m := range mass {
				total := 0.0
				for _, v := range m {
					total += v
				}
				if total <= 0 {
					continue
				}
				f := map[string]float64{}
				for o, v := range m {
					f[o] = v / total
				}
				old := tr.frac[k]
				for o, v := range f {
					if math.Abs(old[o]-v) > 1e-12 {
						changed = true
					}
				}
				if len(old) != len(f) {
					changed = true
				}
				tr.frac[k] = f
			}
			if !changed {
				break
			}
		}
	}
	return tr
}

// mix returns the tonnes by origin of t tonnes drawn from a pool.
func (tr *tracer) mix(k poolKey, tonnes float64) Mix {
	out := Mix{}
	for o, v := range tr.frac[k] {
		if v*tonnes > 1e-9 {
			out[o] = v * tonnes
		}
	}
	return out
}
