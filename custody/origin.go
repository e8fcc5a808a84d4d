package custody

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/units"
)

// ISO 22095 chain-of-custody models a site can run.
const (
	IdentityPreserved  = "identity_preserved"
	Segregated         = "segregated"
	ControlledBlending = "controlled_blending"
	MassBalance        = "mass_balance"
)

// ValidModel reports whether m names a chain-of-custody model.
func ValidModel(m string) bool {
	return m == IdentityPreserved || m == Segregated || m == ControlledBlending || m == MassBalance
}

// Unknown is the key of material whose origin no event states.
const Unknown = "unknown"

// dimensions of origin.
const (
	dimCountry = iota
	dimMine
	dimSupplier
)

// Share is one origin's part of a lot, with the tonnage behind it.
type Share struct {
	Key    string  `json:"key"`
	Name   string  `json:"name"`
	Tonnes float64 `json:"tonnes"`
	Share  float64 `json:"share"`
}

// Breakdown splits a quantity by origin country, mine and supplier.
type Breakdown struct {
	Tonnes     float64 `json:"tonnes"`
	ByCountry  []Share `json:"byCountry"`
	ByMine     []Share `json:"byMine"`
	BySupplier []Share `json:"bySupplier"`
}

// ModelUse records a custody model applied at a site in one step.
type ModelUse struct {
	Site   string   `json:"site"`
	Model  string   `json:"model"`
	Output string   `json:"output"`
	Events []string `json:"events"`
}

// Composition is where a lot's material came from.
type Composition struct {
	Lot       string               `json:"lot"`
	Commodity string               `json:"commodity"`
	DryTonnes float64              `json:"dryTonnes"`
	Mass      Breakdown            `json:"mass"`
	Elements  map[string]Breakdown `json:"elements"`
	Models    []ModelUse           `json:"models"`
	// Events lists every event the numbers rest on: the commissioning and
	// assay events of the origin lots and the transformations between.
	Events    []string  `json:"events"`
	Anomalies []Anomaly `json:"anomalies"`
	// OriginLots are the lots the material was first recorded as.
	OriginLots []string `json:"originLots"`
}

type mix map[string]float64

// comp is a lot's composition per dry tonne.
type comp struct {
	mass   [3]mix
	grades map[string]float64 // element tonnes per dry tonne
	elem   map[string][3]mix
	events map[string]bool
	origin map[string]bool
}

type originCalc struct {
	ctx       context.Context
	s         Store
	lots      map[string]*critmin.Lot
	up        map[string][]critmin.LotEdge
	sites     map[string]*critmin.Site
	memo      map[string]*comp
	onPath    map[string]bool
	loaded    map[string]bool
	anomalies []Anomaly
	models    []ModelUse
}

// Origin computes a lot's origin composition by walking its genealogy
// backward to the lots first recorded with an origin, and combining them
// through each transformation after the custody model of the site where
// it ran: pro rata by dry mass and, for each element, by contained
// element (controlled blending, the default); the same, refusing mixed
// origins (segregated) or more than one input (identity preserved), which
// are flagged; and at mass-balance sites a producer's origin claim, which
// must not exceed the origin credits that entered the site that month.
func Origin(ctx context.Context, s Store, id string) (*Composition, error) {
	return OriginOf(ctx, s, id, true)
}

// OriginOf computes a lot's composition. Without evidence it reads the
// mix capture keeps for produced lots — one lookup however deep the
// genealogy — and leaves out the list of events and origin lots; with
// evidence (or when no fresh mix is kept) it walks the genealogy.
func OriginOf(ctx context.Context, s Store, id string, evidence bool) (*Composition, error) {
	target, err := s.FindLot(ctx, id)
	if err != nil {
		return nil, err
	}
	id = target.ID // the canonical identifier, whatever spelling was asked (docs/identity.md)
	if !evidence {
		if raw, ok, err := s.LotMix(ctx, id); err != nil {
			return nil, err
		} else if ok {
			m, err := DecodeMix(raw)
			if err != nil {
				return nil, err
			}
			sites, err := s.SiteDetails(ctx)
			if err != nil {
				return nil, err
			}
			sm := map[string]*critmin.Site{}
			for _, st := range sites {
				sm[st.ID] = st
			}
			return fromMix(target, m, sm), nil
		}
	}
	oc := &originCalc{ctx: ctx, s: s, lots: map[string]*critmin.Lot{id: target}, up: map[string][]critmin.LotEdge{}, memo: map[string]*comp{}, onPath: map[string]bool{}, loaded: map[string]bool{}}
	if err := oc.load(id); err != nil {
		return nil, err
	}
	sites, err := s.SiteDetails(ctx)
	if err != nil {
		return nil, err
	}
	oc.sites = map[string]*critmin.Site{}
	for _, st := range sites {
		oc.sites[st.ID] = st
	}
	c, err := oc.compute(id)
	if err != nil {
		return nil, err
	}
	out := &Composition{Lot: id, Commodity: target.Commodity, DryTonnes: target.DryTonnes, Elements: map[string]Breakdown{}, Models: oc.models, Anomalies: oc.anomalies}
	if out.Anomalies == nil {
		out.Anomalies = []Anomaly{}
	}
	out.Mass = breakdown(target.DryTonnes, c.mass, oc)
	for e, g := range c.grades {
		out.Elements[e] = breakdown(target.DryTonnes*g, c.elem[e], oc)
	}
	out.Anomalies = dedupeAnomalies(out.Anomalies)
	if out.Anomalies == nil {
		out.Anomalies = []Anomaly{}
	}
	for e := range c.events {
		out.Events = append(out.Events, e)
	}
	sort.Strings(out.Events)
	for l := range c.origin {
		out.OriginLots = append(out.OriginLots, l)
	}
	sort.Strings(out.OriginLots)
	return out, nil
}

// load reads the whole upstream closure of id — its transformation edges
// in one recursive query, then every lot in it in batches.
func (oc *originCalc) load(id string) error {
	if oc.loaded[id] {
		return nil
	}
	edges, err := oc.s.UpstreamEdges(oc.ctx, id, MaxDepth)
	if err != nil {
		return err
	}
	seen := map[string]bool{id: true}
	var ids []string
	if _, ok := oc.lots[id]; !ok {
		ids = append(ids, id)
	}
	for _, e := range edges {
		if oc.loaded[e.Child] {
			continue
		}
		oc.up[e.Child] = append(oc.up[e.Child], e)
		for _, n := range []string{e.Parent, e.Child} {
			if !seen[n] {
				seen[n] = true
				if _, ok := oc.lots[n]; !ok {
					ids = append(ids, n)
				}
			}
		}
	}
	for n := range seen {
		oc.loaded[n] = true
	}
	if len(seen) > MaxNodes {
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "truncated", Detail: fmt.Sprintf("genealogy larger than %d lots", MaxNodes)})
	}
	lots, err := oc.s.FindLotsByID(oc.ctx, ids)
	if err != nil {
		return err
	}
	for _, l := range lots {
		oc.lots[l.ID] = l
	}
	return nil
}

// gradesOf reads a lot's dry-basis assays as element tonnes per dry
// tonne, converting oxides with the factors of shared/data/facts.md.
func gradesOf(l *critmin.Lot) map[string]float64 {
	g := map[string]float64{}
	for _, a := range l.Assays {
		if a.Basis != "dry" {
			continue
		}
		frac, err := units.ConvertGrade(a.Value, a.Unit, units.Percent)
		if err != nil {
			continue
		}
		frac /= 100
		el := units.ElementOf(a.Analyte)
		if o, ok := units.LookupOxide(a.Analyte); ok {
			frac *= o.ToElement
		}
		if _, dup := g[el]; !dup {
			g[el] = frac
		}
	}
	return g
}

func single(key string) mix { return mix{key: 1} }

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}

func (oc *originCalc) compute(id string) (*comp, error) {
	if c, ok := oc.memo[id]; ok {
		return c, nil
	}
	l := oc.lots[id]
	if l == nil {
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "unknown_lot", Detail: fmt.Sprintf("input %s has no record in the ledger; its share is unknown", id)})
		l = &critmin.Lot{ID: id}
	}
	if oc.onPath[id] {
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "cycle", Detail: fmt.Sprintf("lot %s is among its own inputs; that loop counts as unknown origin", id)})
		return &comp{mass: [3]mix{single(Unknown), single(Unknown), single(Unknown)}, grades: map[string]float64{}, elem: map[string][3]mix{}, events: map[string]bool{}, origin: map[string]bool{}}, nil
	}
	oc.onPath[id] = true
	defer delete(oc.onPath, id)
	edges := oc.up[id]
	var c *comp
	if len(edges) == 0 {
		c = oc.originLot(l)
	} else {
		var err error
		if c, err = oc.blend(l, edges); err != nil {
			return nil, err
		}
	}
	oc.memo[id] = c
	return c, nil
}

func (oc *originCalc) originLot(l *critmin.Lot) *comp {
	if l.OriginCountry == "" {
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "no_origin", Detail: fmt.Sprintf("lot %s has no recorded origin (no cm:originCountry at commissioning); its material counts as unknown", l.ID)})
	}
	m := [3]mix{single(orUnknown(l.OriginCountry)), single(orUnknown(l.OriginMine)), single(orUnknown(l.Supplier))}
	c := &comp{mass: m, grades: gradesOf(l), elem: map[string][3]mix{}, events: map[string]bool{}, origin: map[string]bool{l.ID: true}}
	for e := range c.grades {
		c.elem[e] = m
	}
	for _, a := range l.Assays {
		if a.EventID != "" {
			c.events[a.EventID] = true
		}
	}
	return c
}

// inputMass is the dry tonnes of an input a transformation consumed.
func inputMass(e critmin.LotEdge, in *critmin.Lot) float64 {
	if e.ParentQty != nil {
		if t, err := units.ToTonnes(*e.ParentQty, e.ParentUOM); err == nil {
			if in != nil && in.Moisture != nil {
				t *= 1 - *in.Moisture
			}
			return t
		}
	}
	if in != nil {
		return in.DryTonnes
	}
	return 0
}

func (oc *originCalc) modelAt(site string) string {
	if oc.sites == nil {
		return ControlledBlending
	}
	if s, ok := oc.sites[site]; ok && ValidModel(s.CustodyModel) {
		return s.CustodyModel
	}
	return ControlledBlending
}

func (oc *originCalc) blend(out *critmin.Lot, edges []critmin.LotEdge) (*comp, error) {
	type input struct {
		c    *comp
		mass float64
	}
	var ins []input
	events := map[string]bool{}
	origin := map[string]bool{}
	site := edges[0].BizLocation
	seen := map[string]bool{}
	for _, e := range edges {
		events[e.EventID] = true
		if seen[e.Parent] {
			continue
		}
		seen[e.Parent] = true
		c, err := oc.compute(e.Parent)
		if err != nil {
			return nil, err
		}
		ins = append(ins, input{c, inputMass(e, oc.lots[e.Parent])})
		for ev := range c.events {
			events[ev] = true
		}
		for o := range c.origin {
			origin[o] = true
		}
	}
	var evList []string
	for e := range events {
		evList = append(evList, e)
	}
	sort.Strings(evList)
	model := oc.modelAt(site)
	oc.models = append(oc.models, ModelUse{Site: site, Model: model, Output: out.ID, Events: evList})
	res := &comp{grades: map[string]float64{}, elem: map[string][3]mix{}, events: events, origin: origin}
	var total float64
	for _, in := range ins {
		total += in.mass
	}
	for d := 0; d < 3; d++ {
		res.mass[d] = mix{}
		for _, in := range ins {
			w := 1 / float64(len(ins))
			if total > 0 {
				w = in.mass / total
			}
			for k, f := range in.c.mass[d] {
				res.mass[d][k] += w * f
			}
		}
	}
	// Each element splits by the element the inputs brought: contained
	// tonnes = dry mass × grade (controlled blending, pro rata).
	contained := map[string]float64{}
	for _, in := range ins {
		for e, g := range in.c.grades {
			contained[e] += in.mass * g
		}
	}
	for e, ct := range contained {
		var m [3]mix
		for d := 0; d < 3; d++ {
			m[d] = mix{}
			for _, in := range ins {
				g, ok := in.c.grades[e]
				if !ok || ct == 0 {
					continue
				}
				for k, f := range in.c.elem[e][d] {
					m[d][k] += in.mass * g / ct * f
				}
			}
		}
		res.elem[e] = m
		if total > 0 {
			res.grades[e] = ct / total
		}
	}
	// The output's own assays, where it has them, give its grades and the
	// elements it holds; without assays the inputs' mix stands.
	if own := gradesOf(out); len(own) > 0 {
		res.grades = own
		for e := range own {
			if _, ok := res.elem[e]; !ok {
				res.elem[e] = res.mass
			}
		}
	}
	switch model {
	case IdentityPreserved:
		if len(ins) > 1 {
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "custody_model", Detail: fmt.Sprintf("site %s runs identity preserved but %s was made from %d lots", site, out.ID, len(ins)), Events: evList})
		}
	case Segregated:
		if len(res.mass[dimCountry]) > 1 {
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "custody_model", Detail: fmt.Sprintf("site %s runs segregated but %s mixes origins %s", site, out.ID, keys(res.mass[dimCountry])), Events: evList})
		}
	case MassBalance:
		if out.OriginClaim != nil {
			if err := oc.checkClaim(out, edges[0], site); err != nil {
				return nil, err
			}
			claim := mix{}
			for k, v := range out.OriginClaim {
				claim[k] = v
			}
			var sum float64
			for _, v := range claim {
				sum += v
			}
			if sum < 1-1e-9 {
				claim[Unknown] += 1 - sum
			}
			res.mass[dimCountry] = claim
			for e, m := range res.elem {
				m[dimCountry] = claim
				res.elem[e] = m
			}
		}
	}
	return res, nil
}

func keys(m mix) string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return fmt.Sprint(k)
}

// checkClaim enforces mass-balance credit accounting for one site and
// calendar month: the dry tonnes claimed per origin country by the
// outputs made there, in event order up to and including this one, may
// not exceed the dry tonnes of that origin that entered the site's
// transformations that month.
func (oc *originCalc) checkClaim(out *critmin.Lot, e critmin.LotEdge, site string) error {
	t := e.EventTime.UTC()
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	edges, err := oc.s.EdgesAt(oc.ctx, site, from, to)
	if err != nil {
		return err
	}
	var ids []string
	for _, x := range edges {
		ids = append(ids, x.Parent, x.Child)
	}
	lots, err := oc.s.FindLotsByID(oc.ctx, ids)
	if err != nil {
		return err
	}
	for _, l := range lots {
		if _, ok := oc.lots[l.ID]; !ok {
			oc.lots[l.ID] = l
		}
	}
	credits := map[string]float64{}
	claims := map[string]float64{}
	counted := map[string]bool{}
	claimed := map[string]bool{}
	for _, x := range edges {
		if x.EventTime.After(e.EventTime) {
			continue
		}
		if !counted[x.Parent+"\x00"+x.EventID] {
			counted[x.Parent+"\x00"+x.EventID] = true
			c, err := oc.upstreamOf(x.Parent)
			if err != nil {
				return err
			}
			m := inputMass(x, oc.lots[x.Parent])
			for k, f := range c.mass[dimCountry] {
				credits[k] += m * f
			}
		}
		if o := oc.lots[x.Child]; o != nil && o.OriginClaim != nil && !claimed[o.ID] {
			claimed[o.ID] = true
			for k, f := range o.OriginClaim {
				claims[k] += o.DryTonnes * f
			}
		}
	}
	for k, v := range claims {
		if v > credits[k]*(1+massTolerance)+massTolerance {
			return critmin.Errorf(critmin.EINVALID, "over-claim refused: by %s the mass-balance site %s has claimed %.3f t of %s origin in %s, but only %.3f t of it entered (lot %s)",
				e.EventTime.UTC().Format(time.RFC3339), site, v, country.Name(k), from.Format("2006-01"), credits[k], out.ID)
		}
	}
	return nil
}

// upstreamOf computes a lot's composition, loading its genealogy first
// if it is outside the closure already read.
func (oc *originCalc) upstreamOf(id string) (*comp, error) {
	if err := oc.load(id); err != nil {
		return nil, err
	}
	return oc.compute(id)
}

func breakdown(tonnes float64, m [3]mix, oc *originCalc) Breakdown {
	b := Breakdown{Tonnes: tonnes}
	list := func(x mix, name func(string) string) []Share {
		var out []Share
		for k, f := range x {
			out = append(out, Share{Key: k, Name: name(k), Tonnes: tonnes * f, Share: f})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Share != out[j].Share {
				return out[i].Share > out[j].Share
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	b.ByCountry = list(m[dimCountry], func(k string) string { return country.Name(k) })
	b.ByMine = list(m[dimMine], func(k string) string {
		if s, ok := oc.sites[k]; ok && s.Name != "" {
			return s.Name
		}
		return k
	})
	b.BySupplier = list(m[dimSupplier], func(k string) string { return k })
	return b
}
