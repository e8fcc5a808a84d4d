package custody

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/critmin/critmin"
)

// Mix is a lot's origin composition per dry tonne, in the compact form the
// store keeps for every produced lot: shares of mass by country, mine and
// supplier; element grades (tonnes per dry tonne) and each element's
// shares; the anomalies met on the way. Capture keeps it up to date, one
// transformation at a time, so that a lot's composition is read, not
// recomputed over its whole genealogy.
type Mix struct {
	Mass      [3]map[string]float64            `json:"m"`
	Grades    map[string]float64               `json:"g"`
	Elem      map[string][3]map[string]float64 `json:"e"`
	Anomalies []Anomaly                        `json:"a,omitempty"`
	// Caps are the element caps of a lot whose run's balance gains
	// (capsFor), in tonnes of element.
	Caps map[string]elementCap `json:"c,omitempty"`
	// Unmeasured are the elements whose origin shares rest on a feed
	// grade never measured (comp.sharesUnmeasured).
	Unmeasured map[string]bool `json:"u,omitempty"`
	// Unrec is, per element, the part of the recorded figure that came
	// from no recorded input further up (comp.unrec).
	Unrec map[string]float64 `json:"n,omitempty"`
	// Supported is, per element, the tonnes the lot is supported by
	// where a run that made it gained within its tolerance (comp.sup,
	// supportFor).
	Supported map[string]float64 `json:"s,omitempty"`
	// Stated are the origin lots the mix rests on that state their
	// origin, each with the country stated (cm:originCountry, else its
	// cm:originMine's by master data). A kept mix takes them as stated; a
	// reader checks each against the country master data gives the site
	// it was commissioned at (statedContradicted) and computes the lot on
	// demand where they differ (commissionCountry; fix9av).
	Stated map[string]string `json:"o,omitempty"`
}

func (c *comp) mix(anomalies []Anomaly) *Mix {
	m := &Mix{Grades: c.grades, Elem: map[string][3]map[string]float64{}, Anomalies: anomalies, Caps: c.caps, Unmeasured: c.sharesUnmeasured, Unrec: c.unrec, Supported: c.sup}
	for d := 0; d < 3; d++ {
		m.Mass[d] = c.mass[d]
	}
	for e, x := range c.elem {
		m.Elem[e] = [3]map[string]float64{x[0], x[1], x[2]}
	}
	return m
}

func (m *Mix) comp() *comp {
	c := &comp{grades: m.Grades, elem: map[string][3]mix{}, events: map[string]bool{}, origin: map[string]bool{}, caps: m.Caps, sharesUnmeasured: m.Unmeasured, unrec: m.Unrec, sup: m.Supported}
	if c.grades == nil {
		c.grades = map[string]float64{}
	}
	for d := 0; d < 3; d++ {
		c.mass[d] = m.Mass[d]
	}
	for e, x := range m.Elem {
		c.elem[e] = [3]mix{x[0], x[1], x[2]}
	}
	return c
}

// ProducedMix computes the physical mix of a lot made by transformations,
// from the edges into it and its inputs: produced inputs by their stored
// mixes, origin lots from their own records. runs holds every edge of the
// events that made it (all their outputs), for the element balance of each
// run. ok is false when it cannot be kept incrementally (an input's mix is
// unknown): the lot is then computed on demand. Mass-balance claims are
// not part of the mix: they are checked when the lot is read.
//
// xids maps the events of runs to their transformationIDs, so that
// anomalies name runs as the lot read on demand does.
//
// The mix keeps the origin lots it rests on that state their origin
// (Mix.Stated): where each was commissioned is checked when the mix is
// read (statedContradicted), never taken on trust (fix9av).
func ProducedMix(out *critmin.Lot, edges []critmin.LotEdge, runs map[string][]critmin.LotEdge, produced map[string]*Mix, isProduced map[string]bool, lots map[string]*critmin.Lot, sites map[string]*critmin.Site, xids map[string]string) (*Mix, bool) {
	oc := &originCalc{lots: lots, up: map[string][]critmin.LotEdge{out.ID: edges}, sites: sites, memo: map[string]*comp{}, onPath: map[string]bool{}, loaded: map[string]bool{},
		runs: runs, checked: map[string]bool{}, xids: xids}
	stated := map[string]string{}
	var inherited []Anomaly
	for _, e := range edges {
		if m, ok := produced[e.Parent]; ok {
			oc.memo[e.Parent] = m.comp()
			inherited = append(inherited, m.Anomalies...)
			for k, v := range m.Stated {
				stated[k] = v
			}
			continue
		}
		in := lots[e.Parent]
		if in == nil || isProduced[e.Parent] {
			return nil, false
		}
		if in.OriginCountry == "" && in.OriginMine == "" {
			// no stated country or mine: the country of the site it was
			// commissioned at is read from its events on demand
			// (originCalc.commissionCountry)
			return nil, false
		}
		if in.OriginCountry == "" && in.WetTonnes == 0 {
			// an instance or container fed by EPC (inputEPCList): what it
			// holds is read on demand (originCalc.contents)
			return nil, false
		}
		c := in.OriginCountry
		if c == "" {
			if s, ok := sites[siteKey(in.OriginMine)]; ok {
				c = s.Country
			}
		}
		stated[in.ID] = c
		oc.memo[e.Parent] = oc.originLot(in)
	}
	for _, e := range edges {
		if err := oc.overConsumption(e.Parent); err != nil {
			return nil, false
		}
	}
	c := oc.blend(out, edges)
	if err := oc.balanceAll(); err != nil {
		return nil, false
	}
	c = oc.limited(out.ID, c)
	m := c.mix(dedupeAnomalies(append(inherited, oc.anomalies...)))
	if len(stated) > 0 {
		m.Stated = stated
	}
	return m, true
}

// statedContradicted reports whether any origin lot a kept mix takes as
// stated (Mix.Stated) was commissioned, or first recorded
// (firstRecordEvent), at a site master data (sm) puts
// in another country than the one it states: the mix is then computed
// on demand, where commissionCountry reads the conflict (fix9av). A store
// that cannot give lots' events never serves such a mix.
func statedContradicted(ctx context.Context, s Store, m *Mix, sm map[string]*critmin.Site) (bool, error) {
	if len(m.Stated) == 0 {
		return false, nil
	}
	f, ok := s.(LiveEventsFinder)
	if !ok {
		return true, nil
	}
	ids := make([]string, 0, len(m.Stated))
	for id := range m.Stated {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	evs, err := f.LiveEventsOfLots(ctx, ids)
	if err != nil {
		return false, fmt.Errorf("custody: events of origin lots: %w", err)
	}
	for _, id := range ids {
		ev := firstRecordEvent(evs, id)
		if ev == nil {
			continue
		}
		for _, site := range []string{ev.ReadPoint, ev.BizLocation} {
			if st, ok := sm[siteKey(site)]; site != "" && ok && (st.CountryConflict != "" || st.Country != "" && st.Country != m.Stated[id]) {
				return true, nil
			}
		}
	}
	return false, nil
}

func dedupeAnomalies(a []Anomaly) []Anomaly {
	seen := map[string]bool{}
	var out []Anomaly
	for _, x := range a {
		k := x.Kind + "\x00" + x.Detail
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

// EncodeMix and DecodeMix are the stored form.
func EncodeMix(m *Mix) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// DecodeMix reads a stored mix.
func DecodeMix(s string) (*Mix, error) {
	var m Mix
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("custody: stored origin mix: %w", err)
	}
	return &m, nil
}

// fromMix builds a Composition from a stored mix: the shares and tonnes
// without the list of every event (ask for evidence to walk the genealogy).
func fromMix(l *critmin.Lot, m *Mix, sites map[string]*critmin.Site) *Composition {
	oc := &originCalc{sites: sites}
	c := m.comp()
	out := &Composition{Lot: l.ID, Commodity: l.Commodity, DryTonnes: l.DryTonnes, Elements: map[string]Breakdown{}, Anomalies: m.Anomalies, Models: []ModelUse{}}
	if out.Anomalies == nil {
		out.Anomalies = []Anomaly{}
	}
	fillElements(out, l, c, oc)
	return out
}
