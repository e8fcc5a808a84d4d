package custody

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// A rule pack is a JSON file of declarative rules (docs/rule-packs.md).
// Each rule names a kind the engine knows and configures it; users write
// their own packs without code.

// Rule kinds.
const (
	KindExcludedCountries = "excluded_countries"
	KindShipmentDocuments = "shipment_documents"
	KindSiteCertified     = "site_certified"
	KindCustodyContinuity = "custody_continuity"
	KindMassBalanceClaim  = "mass_balance_claim"
)

// What a rule reads (Rule.Reads). Physical origin is what the genealogy
// proves; claimed origin is a mass-balance attribution (ISO 22095 §11);
// events are the lot's traceability events themselves.
const (
	ReadsPhysical = "physical_origin"
	ReadsClaimed  = "claimed_origin"
	ReadsEvents   = "events"
)

// readsOf is what each kind reads. Covered-country rules read physical
// origin only: DFARS 252.225-7052 restricts where material was mined and
// processed, which no mass-balance claim changes.
var readsOf = map[string]string{
	KindExcludedCountries: ReadsPhysical,
	KindShipmentDocuments: ReadsEvents,
	KindSiteCertified:     ReadsEvents,
	KindCustodyContinuity: ReadsEvents,
	KindMassBalanceClaim:  ReadsClaimed,
}

// Rule is one rule of a pack.
type Rule struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	// Reads states which origin (or the events) the rule reads; each kind
	// reads one thing (readsOf), and a pack may state it: a pack that says
	// an excluded_countries rule reads claimed origin is refused.
	Reads string `json:"reads,omitempty"`
	// excluded_countries: ISO alpha-3 codes and the stages checked
	// (mining: origin countries; processing: transformation sites;
	// handling: every site the material passed).
	Countries []string `json:"countries,omitempty"`
	Stages    []string `json:"stages,omitempty"`
	// shipment_documents: the business steps that are shipments, the
	// bizTransaction types each must carry, the lot fields shipped lots
	// must have (originMine, originCountry, commodity), and whether only
	// shipments between countries count.
	BizSteps        []string `json:"bizSteps,omitempty"`
	CrossBorderOnly bool     `json:"cross_border_only,omitempty"`
	BizTransactions []string `json:"biz_transactions,omitempty"`
	LotFields       []string `json:"lot_fields,omitempty"`
	// site_certified: the site kinds checked.
	SiteKinds []string `json:"site_kinds,omitempty"`
	Source    string   `json:"source,omitempty"`
}

// Pack is a named set of rules.
type Pack struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Rules []Rule `json:"rules"`
}

//go:embed rulepacks/default.json
var defaultPack []byte

// DefaultPack returns the built-in rule pack.
func DefaultPack() *Pack {
	p, err := ParsePack(defaultPack)
	if err != nil {
		panic("custody: built-in rule pack: " + err.Error())
	}
	return p
}

var stages = map[string]bool{"mining": true, "processing": true, "handling": true}
var lotFields = map[string]bool{"originMine": true, "originCountry": true, "commodity": true}

// ParsePack reads and validates a rule pack; errors name the rule.
func ParsePack(b []byte) (*Pack, error) {
	if err := jsonstrict.Check(b, (*Pack)(nil)); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var p Pack
	if err := dec.Decode(&p); err != nil {
		return nil, critmin.FieldErrorf("", "not a rule pack: %v", err)
	}
	var errs []critmin.FieldError
	fail := func(ptr, f string, a ...any) {
		errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(f, a...)})
	}
	if p.ID == "" {
		fail("/id", "missing")
	}
	if len(p.Rules) == 0 {
		fail("/rules", "a pack needs at least one rule")
	}
	seen := map[string]bool{}
	for i, r := range p.Rules {
		ptr := fmt.Sprintf("/rules/%d", i)
		if r.ID == "" || seen[r.ID] {
			fail(ptr+"/id", "missing or repeated")
		}
		seen[r.ID] = true
		if want, ok := readsOf[r.Kind]; ok {
			if r.Reads != "" && r.Reads != want {
				why := "each rule kind reads one thing"
				switch r.Kind {
				case KindExcludedCountries:
					why = "covered-country rules read physical origin only: a claim cannot clear them"
				case KindMassBalanceClaim:
					why = "a mass-balance claim rule reads the claimed origin and its verdict against the site's credits"
				default:
					if want == ReadsEvents {
						why = "this rule reads the lot's events, not an origin"
					}
				}
				fail(ptr+"/reads", "a %s rule reads %s, not %q (%s)", r.Kind, want, r.Reads, why)
			}
			p.Rules[i].Reads = want
		}
		switch r.Kind {
		case KindExcludedCountries:
			if len(r.Countries) == 0 {
				fail(ptr+"/countries", "name the excluded countries")
			}
			for _, c := range r.Countries {
				if !country.Valid(c) {
					fail(ptr+"/countries", "%q is not an ISO 3166-1 alpha-3 code", c)
				}
			}
			for _, s := range r.Stages {
				if !stages[s] {
					fail(ptr+"/stages", "%q is not mining, processing or handling", s)
				}
			}
		case KindShipmentDocuments:
			if len(r.BizSteps) == 0 {
				fail(ptr+"/bizSteps", "name the business steps that are shipments")
			}
			for _, f := range r.LotFields {
				if !lotFields[f] {
					fail(ptr+"/lot_fields", "%q is not originMine, originCountry or commodity", f)
				}
			}
		case KindSiteCertified, KindCustodyContinuity, KindMassBalanceClaim:
		default:
			fail(ptr+"/kind", "%q is not excluded_countries, shipment_documents, site_certified, custody_continuity or mass_balance_claim", r.Kind)
		}
	}
	if len(errs) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("rule pack: %s: %s", errs[0].Pointer, errs[0].Reason), Fields: errs}
	}
	return &p, nil
}

// Verdict statuses.
const (
	Pass          = "pass"
	Fail          = "fail"
	NotApplicable = "not_applicable"
)

// Verdict is one rule's result on a lot, with the events it rests on.
type Verdict struct {
	Rule     string   `json:"rule"`
	Title    string   `json:"title"`
	Status   string   `json:"status"`
	Reads    string   `json:"reads"`
	Detail   string   `json:"detail"`
	Evidence []string `json:"evidence"`
	Source   string   `json:"source,omitempty"`
}

// RuleStore is what rule evaluation reads.
type RuleStore interface {
	Store
	FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error)
	FindParties(ctx context.Context) ([]*critmin.Party, error)
}

// context of one evaluation: the lot's backward genealogy and its events.
type ruleInput struct {
	lot    string
	trace  *Trace
	lots   map[string]*critmin.Lot
	events []*evFacts
	sites  map[string]*critmin.Site
	origin *Composition
	// commissioned is the commissioning event (commissioningEvent) of
	// each origin lot that states its origin, where the store gives
	// lots' events (commissionedIn).
	commissioned map[string]*critmin.Event
}

// evFacts is what rules read of an event.
type evFacts struct {
	ev       *critmin.Event
	lots     []string
	btts     map[string]bool
	srcLoc   string
	dstLoc   string
	srcPoss  string
	dstPoss  []string
	siteCode string
	// outputs are the lots a TransformationEvent made (any lot, in the
	// genealogy or not).
	outputs []string
}

// Evaluate runs a pack on a lot's backward genealogy.
func Evaluate(ctx context.Context, s RuleStore, lot string, p *Pack) ([]Verdict, error) {
	in, err := gather(ctx, s, lot)
	if err != nil {
		return nil, err
	}
	var out []Verdict
	for _, r := range p.Rules {
		v := Verdict{Rule: r.ID, Title: r.Title, Source: r.Source, Reads: readsOf[r.Kind], Evidence: []string{}}
		switch r.Kind {
		case KindExcludedCountries:
			excludedCountries(in, r, &v)
		case KindShipmentDocuments:
			shipmentDocuments(in, r, &v)
		case KindSiteCertified:
			siteCertified(in, r, &v)
		case KindCustodyContinuity:
			custodyContinuity(in, &v)
		case KindMassBalanceClaim:
			massBalanceClaim(in, &v)
		}
		sort.Strings(v.Evidence)
		v.Evidence = dedupe(v.Evidence)
		out = append(out, v)
	}
	return out, nil
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func gather(ctx context.Context, s RuleStore, lot string) (*ruleInput, error) {
	in, err := gatherEvents(ctx, s, lot)
	if err != nil {
		return nil, err
	}
	if in.origin, err = Origin(ctx, s, in.lot); err != nil {
		return nil, err
	}
	if f, ok := s.(LiveEventsFinder); ok {
		in.commissioned = map[string]*critmin.Event{}
		for _, id := range in.origin.OriginLots {
			if l := in.lots[id]; l == nil || l.OriginCountry == "" && l.OriginMine == "" {
				continue
			}
			evs, err := f.LiveEventsOfLots(ctx, []string{id})
			if err != nil {
				return nil, err
			}
			if ev := firstRecordEvent(evs, id); ev != nil {
				in.commissioned[id] = ev
			}
		}
	}
	return in, nil
}

// gatherEvents reads what gather reads but the lot's origin: its
// backward genealogy, the lots and sites, and the live events of the
// genealogy (the runs among them only those that made a lot of it).
func gatherEvents(ctx context.Context, s RuleStore, lot string) (*ruleInput, error) {
	tr, err := traceLot(ctx, s, lot, Backward, MaxDepth)
	if err != nil {
		return nil, err
	}
	lot = tr.Lot // canonical
	in := &ruleInput{lot: lot, trace: tr, lots: map[string]*critmin.Lot{}, sites: map[string]*critmin.Site{}}
	var lotIDs []string
	for _, n := range tr.Nodes {
		if n.Kind == "lot" {
			lotIDs = append(lotIDs, n.ID)
		}
	}
	lots, err := s.FindLotsByID(ctx, lotIDs)
	if err != nil {
		return nil, err
	}
	for _, l := range lots {
		in.lots[l.ID] = l
	}
	sites, err := s.FindSites(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range sites {
		in.sites[siteKey(st.ID)] = st
	}
	page, err := s.FindEvents(ctx, critmin.EventFilter{
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: lotIDs, Exact: true}},
		OrderBy:      "eventTime", OrderAscending: true, Limit: 100000,
	})
	if err != nil {
		return nil, err
	}
	// The events that moved a lot of the genealogy inside a container
	// they name by its own identifier only ([C1] shipped, received,
	// loaded: no line of the lot) are its events too: the store knows
	// which containers held which lots when (event_contents,
	// LiveCarriersOfLots), and gives each such event the lines of what
	// its containers held (critmin.Event.Carried). Without them a
	// cross-border shipment of a container was no shipment of the lot to
	// export-shipment-documents, a receipt at a covered-country site no
	// handling there, a hand-over of the container none of the lot
	// (new-user check nuq1 s14, fixQc).
	carried, err := storedCarriers(ctx, s, lotIDs)
	if err != nil {
		return nil, err
	}
	evs := append([]*critmin.Event(nil), page.Events...)
	named := map[string]bool{}
	for _, ev := range evs {
		named[ev.EventID] = true
	}
	carriedLots := map[string][]string{}
	for _, id := range lotIDs {
		for _, ev := range carried[id] {
			if !named[ev.EventID] {
				named[ev.EventID] = true
				evs = append(evs, ev)
			}
			if !slices.Contains(carriedLots[ev.EventID], id) {
				carriedLots[ev.EventID] = append(carriedLots[ev.EventID], id)
			}
		}
	}
	// In event time, equal times in the order recorded (custody
	// continuity follows the holder event by event).
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].EventTime.Equal(evs[j].EventTime) {
			return evs[i].EventTime.Before(evs[j].EventTime)
		}
		return evs[i].PK > 0 && evs[j].PK > 0 && evs[i].PK < evs[j].PK
	})
	for _, ev := range evs {
		if !ledger.Live(ev) {
			continue // declared in error, or a declaration
		}
		f, err := facts(ev, in.lots)
		if err != nil {
			return nil, err
		}
		for _, id := range carriedLots[ev.EventID] {
			if !slices.Contains(f.lots, id) {
				f.lots = append(f.lots, id)
			}
		}
		if ev.Type == critmin.TransformationEvent && !madeGenealogyLot(f, in.lots) {
			// A run that consumed an upstream lot to make other products
			// only (feed A split between this lot's run and a run
			// elsewhere): the lot's material never passed through it, so
			// it is no stage of the lot's processing (DFARS 252.225-7052
			// reads where the material was processed). Only the runs of
			// the genealogy count.
			continue
		}
		in.events = append(in.events, f)
	}
	return in, nil
}

// ProcessedIn is the processing stage of a lot's origin as the
// covered-country rule reads it (excluded_countries, stage
// "processing"): countries, sorted, are those master data gives the
// business location or read point of each run of the lot's genealogy (a
// transformation that made the lot or a lot upstream of it), and
// unknown says a run is at no site of a known country. Beside
// Composition.PhysicalCountries it is what the planner classes a ledger
// lot's supplies by (issue 9 §5, fixPj): Pakistani concentrate refined
// in China fails dfars-covered-countries, so it is never planned as
// unrestricted.
func ProcessedIn(ctx context.Context, s RuleStore, lot string) (countries []string, unknown bool, err error) {
	in, err := gatherEvents(ctx, s, lot)
	if err != nil {
		return nil, false, err
	}
	set := map[string]bool{}
	for _, f := range in.events {
		if f.ev.Type != critmin.TransformationEvent {
			continue
		}
		known := false
		for _, loc := range []string{f.ev.BizLocation, f.ev.ReadPoint} {
			if c := in.siteCountry(loc); loc != "" && c != "" {
				known, set[c] = true, true
			}
		}
		unknown = unknown || !known
	}
	return slices.Sorted(maps.Keys(set)), unknown, nil
}

// facts reads the parts of a stored event the rules need from its JSON.
func facts(ev *critmin.Event, lots map[string]*critmin.Lot) (*evFacts, error) {
	var raw struct {
		BizTransactionList []struct{ Type, BizTransaction string }
		SourceList         []struct{ Type, Source string }
		DestinationList    []struct{ Type, Destination string }
		QuantityList       []struct{ EpcClass string }
		ChildQuantityList  []struct{ EpcClass string }
		InputQuantityList  []struct{ EpcClass string }
		OutputQuantityList []struct{ EpcClass string }
		EPCList            []string
		ChildEPCs          []string
		InputEPCList       []string
		OutputEPCList      []string
		ParentID           string
	}
	if err := json.Unmarshal(ev.Raw, &raw); err != nil {
		return nil, fmt.Errorf("custody: event %s: %w", ev.EventID, err)
	}
	f := &evFacts{ev: ev, btts: map[string]bool{}}
	for _, b := range raw.BizTransactionList {
		f.btts[epcis.NormalizeBizTransactionType(b.Type)] = true
	}
	for _, s := range raw.SourceList {
		switch epcis.NormalizeSourceDestType(s.Type) {
		case "location":
			f.srcLoc = s.Source
		case "possessing_party":
			f.srcPoss = s.Source
		}
	}
	for _, d := range raw.DestinationList {
		switch epcis.NormalizeSourceDestType(d.Type) {
		case "location":
			f.dstLoc = d.Destination
		case "possessing_party":
			f.dstPoss = append(f.dstPoss, d.Destination)
		}
	}
	for _, q := range raw.OutputQuantityList {
		f.outputs = append(f.outputs, epcis.Canonical(q.EpcClass))
	}
	// Lots are keyed by their canonical identifier (docs/identity.md): an
	// event naming a lot in another spelling than the one it was
	// commissioned in (an LGTIN URN beside its Digital Link) names the
	// same lot, under its canonical ID. Class lists first, then the
	// instances that are lots of their own.
	seen := map[string]bool{}
	add := func(id string) {
		if c := epcis.Canonical(id); !seen[c] {
			if _, ok := lots[c]; ok {
				seen[c] = true
				f.lots = append(f.lots, c)
			}
		}
	}
	for _, l := range [][]struct{ EpcClass string }{raw.QuantityList, raw.ChildQuantityList, raw.InputQuantityList, raw.OutputQuantityList} {
		for _, q := range l {
			add(q.EpcClass)
		}
	}
	for _, l := range [][]string{raw.EPCList, raw.ChildEPCs, raw.InputEPCList, raw.OutputEPCList, {raw.ParentID}} {
		for _, id := range l {
			if id != "" {
				add(id)
			}
		}
	}
	return f, nil
}

// madeGenealogyLot says whether a transformation made a lot of the
// genealogy (the lot itself or one upstream of it).
func madeGenealogyLot(f *evFacts, lots map[string]*critmin.Lot) bool {
	for _, o := range f.outputs {
		if _, ok := lots[o]; ok {
			return true
		}
	}
	return false
}

func (in *ruleInput) siteCountry(id string) string {
	if s, ok := siteAt(in.sites, id); ok {
		return s.Country
	}
	return ""
}

func excludedCountries(in *ruleInput, r Rule, v *Verdict) {
	bad := map[string]bool{}
	for _, c := range r.Countries {
		bad[c] = true
	}
	st := r.Stages
	if len(st) == 0 {
		st = []string{"mining", "processing"}
	}
	var found, unknownWhy, unrecorded []string
	unknown := false
	for _, stage := range st {
		switch stage {
		case "mining":
			// Physical origin only — the dry-mass view and every element;
			// in.origin.Claimed is never read here.
			for _, sh := range in.origin.Mass.ByCountry {
				if bad[sh.Key] {
					found = append(found, fmt.Sprintf("mined in %s (%s of dry mass, physical origin)", country.Name(sh.Key), Percent(sh.Share)))
				}
			}
			// Whether some material is of no known country is the
			// physical origin the planner classes the lot's supplies by
			// (Composition.PhysicalCountries, issue 9 §5).
			if _, unk := in.origin.PhysicalCountries(); unk {
				unknown = true
			}
			analytes := in.origin.Analytes()
			for _, e := range sortedKeys(analytes) {
				// Metal of no recorded input (element_gain) did not come
				// from the feeds the dry-mass view names: where it was
				// mined is unknown, so exclusion cannot be shown (nu37a).
				if u := analytes[e].UnknownOrigin; u > 0 {
					unrecorded = append(unrecorded, fmt.Sprintf("%s t of its %s (%s)", Figure(u), e, Percent(u/analytes[e].Tonnes)))
				}
				for _, sh := range analytes[e].ByCountry {
					if bad[sh.Key] && sh.Share > 0 {
						found = append(found, fmt.Sprintf("%s of its %s mined in %s", Percent(sh.Share), e, country.Name(sh.Key)))
					}
					// An element's share is unknown when a grade on the way is
					// not measured; the material itself came only from the
					// feeds the dry-mass view names (every feed, by mass,
					// unknown countries included), so the element cannot hold
					// a country that view does not: the verdict says so.
					if sh.Key == Unknown && sh.Share > 0 {
						unknownWhy = append(unknownWhy, fmt.Sprintf("%s of its %s is of unknown share", Percent(sh.Share), e))
					}
				}
			}
			if nm := in.origin.GradeNotMeasured(); len(nm) > 0 {
				unknownWhy = append(unknownWhy, fmt.Sprintf("grade not measured for %s", strings.Join(nm, ", ")))
			}
			if bp := in.origin.UnassayedByProducts(); len(bp) > 0 {
				// Not "grade not measured": by-products its commodity is
				// not valued on, not assayed (fix9ah); their shares are
				// unknown all the same.
				unknownWhy = append(unknownWhy, fmt.Sprintf("%s not assayed (by-products %s is not valued on)", strings.Join(bp, ", "), ledger.CommodityName(in.origin.Commodity)))
			}
			v.Evidence = append(v.Evidence, in.origin.Events...)
			cf, cev := commissionedIn(in, bad)
			found = append(found, cf...)
			v.Evidence = append(v.Evidence, cev...)
		case "processing", "handling":
			for _, f := range in.events {
				isProc := f.ev.Type == critmin.TransformationEvent
				if stage == "processing" && !isProc {
					continue
				}
				// Both the event's business location and its read point
				// (where it was observed, EPCIS 2.0 §7.3.5) place the
				// step: a covered country at either fails. A read point
				// with no country of its own (a line inside a site) does
				// not make a step of a known site unknown.
				known, listed := false, false
				for _, loc := range []string{f.ev.BizLocation, f.ev.ReadPoint} {
					if loc == "" {
						continue
					}
					c := in.siteCountry(loc)
					known = known || c != ""
					if bad[c] && !listed {
						listed = true
						found = append(found, fmt.Sprintf("%s at %s in %s", map[bool]string{true: "processed", false: "handled"}[isProc], loc, country.Name(c)))
						v.Evidence = append(v.Evidence, f.ev.EventID)
					}
					// A site master data moved after events were
					// recorded there (a store from before capture
					// refused that) is read in every country it was
					// given: a site does not move.
					if s, ok := siteAt(in.sites, loc); ok && !listed {
						for _, was := range s.CountryVersions {
							if bad[was] {
								listed = true
								found = append(found, fmt.Sprintf("%s at %s in %s by master data recorded before (%s)", map[bool]string{true: "processed", false: "handled"}[isProc], loc, country.Name(was), s.CountryConflict))
								v.Evidence = append(v.Evidence, f.ev.EventID)
								break
							}
						}
					}
				}
				if !known && !listed && isProc {
					unknown = true
					v.Evidence = append(v.Evidence, f.ev.EventID)
				}
			}
		}
	}
	// A lot in a container a stored packing keeps, holding material,
	// inside another (nested_container, stored before capture refused
	// it) was moved, handled or fed with the outer container without
	// the ledger reading it: its processing and handling stages cannot
	// be shown, and a mining-only verdict says so.
	nested := nestedNotes(in.origin)
	handled := false
	for _, stage := range st {
		handled = handled || stage == "processing" || stage == "handling"
	}
	switch {
	case len(found) > 0:
		v.Status, v.Detail = Fail, strings.Join(found, "; ")
	case nested != "" && handled:
		v.Status, v.Detail = Fail, "where the lot was processed or handled cannot be shown, so exclusion cannot be"+nested
	case len(unrecorded) > 0:
		v.Status, v.Detail = Fail, fmt.Sprintf("%s came from no recorded input (a run's products held more than its inputs put in: element_gain), so where it was mined is unknown and exclusion cannot be shown", strings.Join(unrecorded, "; "))
	case unknown:
		v.Status, v.Detail = Fail, "a stage's country is unknown (an origin or a site country is not recorded), so exclusion cannot be shown"
		v.Detail += withdrawnFacts(in.origin, "no_origin")
		v.Detail += originConflicts(in.origin)
	default:
		v.Status, v.Detail = Pass, fmt.Sprintf("no %s stage in %s", strings.Join(st, " or "), strings.Join(r.Countries, ", "))
		if len(unknownWhy) > 0 {
			v.Detail += fmt.Sprintf(" (%s: the element shares are not known, but every feed's country is, by dry mass, and none is listed)", strings.Join(unknownWhy, "; "))
			v.Detail += withdrawnFacts(in.origin, "element_not_assayed", "grade_not_measured")
		}
		v.Detail += nested
	}
}

// commissionedIn lists each origin lot of the genealogy that states an
// origin (cm:originCountry, or cm:originMine and the mine's country by
// master data) other than the country master data gives a site of its
// commissioning event (commissioningEvent), where that country is among
// bad: "lot L states origin PAK but was commissioned at S (mine, China)
// by event E", with the events. Physical origin is never taken from a
// stated country the commissioning place contradicts (issue 9 §2,
// fix9av): material first recorded at a mine, a refinery or a warehouse
// in a covered country is not shown to lie outside it, whatever the
// record states (DFARS 252.225-7052 reads where material was mined and
// processed).
func commissionedIn(in *ruleInput, bad map[string]bool) (found, evidence []string) {
	if in.origin == nil || len(in.origin.OriginLots) == 0 {
		return nil, nil
	}
	for _, id := range in.origin.OriginLots {
		l := in.lots[id]
		if l == nil || l.OriginCountry == "" && l.OriginMine == "" {
			continue // no stated origin: the site's country is the lot's where it is a mine (commissionCountry)
		}
		stated, words := l.OriginCountry, "origin "+l.OriginCountry
		if stated == "" {
			stated = in.siteCountry(l.OriginMine)
			words = fmt.Sprintf("mine %s (%s)", l.OriginMine, orUnknown(stated))
		}
		ev := in.commissioned[id]
		if ev == nil {
			continue
		}
		for _, site := range []string{ev.ReadPoint, ev.BizLocation} {
			c := in.siteCountry(site)
			if site == "" || !bad[c] || c == stated {
				continue
			}
			kind := "site of no stated kind"
			if s, ok := siteAt(in.sites, site); ok && strings.TrimSpace(s.Kind) != "" {
				kind = strings.ToLower(strings.TrimSpace(s.Kind))
			}
			found = append(found, fmt.Sprintf("lot %s states %s but was commissioned at %s (%s in %s by master data) by event %s: its physical origin is not shown to lie outside %s",
				id, words, site, kind, country.Name(c), ev.EventID, country.Name(c)))
			evidence = append(evidence, ev.EventID)
			break
		}
	}
	return found, evidence
}

// originConflicts is "; " + each origin_conflict anomaly of c — a stated
// origin master data contradicts, naming the lot, the origin stated, the
// site, its country and the event — so that a verdict that cannot show
// exclusion says why; "" when there is none.
func originConflicts(c *Composition) string {
	if c == nil {
		return ""
	}
	var out []string
	for _, a := range c.Anomalies {
		if a.Kind == "origin_conflict" {
			out = append(out, a.Detail)
		}
	}
	if len(out) == 0 {
		return ""
	}
	sort.Strings(out)
	return "; " + strings.Join(dedupe(out), "; ")
}

// withdrawnFacts is what the origin's anomalies of kinds say of facts
// declared in error (EPCIS 2.0 §7.4.1.2) — an origin record or an assay
// withdrawn, named by event — as "; " + each; "" when no retraction is
// behind them. A verdict that cannot show its answer for want of data
// says when the data was there and was withdrawn (fix9v). The declared
// events are named in words, not added to the evidence: a verdict never
// rests on a declared event.
func withdrawnFacts(c *Composition, kinds ...string) string {
	if c == nil {
		return ""
	}
	var out []string
	for _, a := range c.Anomalies {
		if !slices.Contains(kinds, a.Kind) || !strings.Contains(a.Detail, "declared in error") {
			continue
		}
		out = append(out, a.Detail)
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(out, "; ")
}

func shipmentDocuments(in *ruleInput, r Rule, v *Verdict) {
	steps := map[string]bool{}
	for _, s := range r.BizSteps {
		steps[s] = true
	}
	var problems []string
	n := 0
	for _, f := range in.events {
		if !steps[f.ev.BizStep] {
			continue
		}
		from := f.srcLoc
		if from == "" {
			from = f.ev.ReadPoint
		}
		if r.CrossBorderOnly {
			a, b := in.siteCountry(from), in.siteCountry(f.dstLoc)
			if a == "" || b == "" || a == b {
				continue
			}
		}
		n++
		v.Evidence = append(v.Evidence, f.ev.EventID)
		for _, t := range r.BizTransactions {
			if !f.btts[epcis.NormalizeBizTransactionType(t)] {
				problems = append(problems, fmt.Sprintf("%s has no %s", f.ev.EventID, t))
			}
		}
		for _, l := range f.lots {
			lot := in.lots[l]
			for _, fld := range r.LotFields {
				val := map[string]string{"originMine": lot.OriginMine, "originCountry": lot.OriginCountry, "commodity": lot.Commodity}[fld]
				if val == "" {
					problems = append(problems, fmt.Sprintf("lot %s shipped in %s has no %s", l, f.ev.EventID, fld))
				}
			}
		}
	}
	switch {
	case n == 0:
		v.Status, v.Detail = NotApplicable, "no export shipment in the lot's genealogy"
	case len(problems) > 0:
		v.Status, v.Detail = Fail, strings.Join(problems, "; ")
	default:
		v.Status, v.Detail = Pass, fmt.Sprintf("%d export shipments carry their documents", n)
	}
}

// siteCertified checks master-data certifications: a site attribute
// cm:certification with cm:certificationValidFrom and
// cm:certificationValidUntil (dates) must cover each event there.
func siteCertified(in *ruleInput, r Rule, v *Verdict) {
	kinds := map[string]bool{}
	for _, k := range r.SiteKinds {
		kinds[k] = true
	}
	var problems []string
	n := 0
	for _, f := range in.events {
		// An event is at a site when its business location or its read
		// point (where it was observed, EPCIS 2.0 §7.3.5) is that site: a
		// shipping observed at a mine has no business location in
		// transit (CBV 2.0 §7.2) yet happens at the mine (new-user check
		// nuq2 s17). Each site is checked once per event.
		counted := false
		seen := map[string]bool{}
		for _, loc := range []string{f.ev.BizLocation, f.ev.ReadPoint} {
			site, ok := in.sites[siteKey(loc)]
			if loc == "" || !ok || seen[site.ID] || (len(kinds) > 0 && !ofKinds(site, kinds)) {
				continue
			}
			seen[site.ID] = true
			if !counted {
				counted = true
				n++
				v.Evidence = append(v.Evidence, f.ev.EventID)
			}
			if p := certificationGap(site, f.ev); p != "" {
				problems = append(problems, p)
			}
		}
	}
	switch {
	case n == 0:
		v.Status, v.Detail = NotApplicable, "no event at a site of the kinds checked"
	case len(problems) > 0:
		v.Status, v.Detail = Fail, strings.Join(problems, "; ")
	default:
		v.Status, v.Detail = Pass, fmt.Sprintf("%s at certified sites", units.Count(n, "event"))
	}
}

// ofKinds says whether master data ever gave site one of kinds: a
// refinery relabelled warehouse after events were recorded there (a
// store from before capture refused that) is still checked as the
// refinery it was (critmin.Site.WasKind).
func ofKinds(site *critmin.Site, kinds map[string]bool) bool {
	for k := range kinds {
		if site.Kind == k || site.WasKind(k) {
			return true
		}
	}
	return false
}

// certificationGap says why site's certification on record does not
// cover ev ("" when it does): none on record, no valid dates, or the
// event's date outside the inclusive validity dates.
//
// The certification read is the one on record when the event was
// recorded (critmin.Site.CertAt, the master-data version in force at its
// record time, as the element tolerance is read): a certification
// recorded later, even with validity dates reaching back over the event,
// does not make it read as certified at the time, and one withdrawn
// later does not undo the certification it was recorded under.
func certificationGap(site *critmin.Site, ev *critmin.Event) string {
	c := site.CertAt(ev.RecordTime)
	if c.Certification == "" {
		if site.Certification != "" {
			return fmt.Sprintf("%s had no certification on record when event %s was recorded (%s); %q was recorded after it", site.ID, ev.EventID, ev.RecordTime.UTC().Format(time.RFC3339), site.Certification)
		}
		return fmt.Sprintf("%s has no certification on record (event %s)", site.ID, ev.EventID)
	}
	from, err1 := time.Parse(time.DateOnly, c.ValidFrom)
	until, err2 := time.Parse(time.DateOnly, c.ValidUntil)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("%s: certification %q has no valid dates", site.ID, c.Certification)
	}
	at := ev.EventTime.UTC()
	if at.Before(from) || !at.Before(until.AddDate(0, 0, 1)) {
		return fmt.Sprintf("%s: %q (valid %s to %s) does not cover event %s on %s", site.ID, c.Certification, c.ValidFrom, c.ValidUntil, ev.EventID, at.Format(time.DateOnly))
	}
	return ""
}

// custodyContinuity follows each lot's possessing party from event to
// event: an event that names a source possessing party must name the one
// that held the lot.
func custodyContinuity(in *ruleInput, v *Verdict) {
	holder := map[string]string{}
	var problems []string
	for _, f := range in.events {
		for _, l := range f.lots {
			if f.srcPoss != "" && holder[l] != "" && f.srcPoss != holder[l] {
				problems = append(problems, fmt.Sprintf("lot %s: %s hands over from %s but %s held it", l, f.ev.EventID, f.srcPoss, holder[l]))
				v.Evidence = append(v.Evidence, f.ev.EventID)
			}
			if len(f.dstPoss) > 0 {
				holder[l] = f.dstPoss[0]
				v.Evidence = append(v.Evidence, f.ev.EventID)
			}
		}
	}
	if len(problems) > 0 {
		v.Status, v.Detail = Fail, strings.Join(problems, "; ")
		return
	}
	v.Status, v.Detail = Pass, "every hand-over starts from the custodian that held the lot"
}

// massBalanceClaim reads the claimed origin: a claim passes when the
// site's mass-balance account covers it (ISO 22095 §11), fails when it was
// refused, and does not apply to a lot without a claim.
func massBalanceClaim(in *ruleInput, v *Verdict) {
	c := in.origin.Claimed
	switch {
	case c == nil:
		v.Status, v.Detail = NotApplicable, "the lot carries no mass-balance claim"
	case c.Unbacked():
		v.Status, v.Detail = Fail, c.Error+withdrawnFacts(in.origin, "unpacking_withdrawn")
		if c.Event != "" {
			v.Evidence = append(v.Evidence, c.Event)
		}
		// The assays that left it not covered (fix9y).
		v.Evidence = append(v.Evidence, c.AssayedBy...)
		// The weighings that left it not covered (fix9d).
		v.Evidence = append(v.Evidence, c.WeighedBy...)
		// The run events that left it not covered (fix9p).
		v.Evidence = append(v.Evidence, c.RunChangedBy...)
	default:
		var parts []string
		for _, sh := range c.ByCountry {
			parts = append(parts, fmt.Sprintf("%s t %s of %s origin", Figure(sh.Tonnes), strings.Join(c.Elements, "+"), country.Name(sh.Key)))
		}
		v.Status, v.Detail = Pass, fmt.Sprintf("claimed origin (mass balance, not physical): %s, covered by the credits of site %s, category %s, period %s", strings.Join(parts, "; "), c.Site, c.Category, c.CoveringPeriods())
		// A container's unpacking declared in error put its contents back
		// for the run that fed it: named (fix9y).
		v.Detail += withdrawnFacts(in.origin, "unpacking_withdrawn")
		if c.NotCovered > 0 {
			// The claim debited less than the lot holds now (a later
			// weighing): the rest is claimed by no one.
			// "unclaimed", never "not covered", a claim's status (fix9ah).
			v.Detail += fmt.Sprintf("; %s: the lot holds %s t %s now, %s t of it (%s %%) %s, held beyond the claim", c.StatusText(), Figure(c.Contains), strings.Join(c.Elements, "+"), Figure(c.NotCoveredTonnes()), Figure(100*c.NotCovered), Unclaimed)
		}
		if c.CoverageNote != "" {
			// Covered again since events that had left it not covered
			// were declared in error: named (fix9d).
			v.Detail += "; " + c.CoverageNote
			v.Evidence = append(v.Evidence, c.CoveredAgainBy...)
			v.Evidence = append(v.Evidence, c.CoveredBy...)
		}
		if c.ReassayNote != "" {
			// A lower reassay of the claimed lot: the claim keeps what it
			// took at capture, naming the assay (fix9g).
			v.Detail += "; " + c.ReassayNote
			v.Evidence = append(v.Evidence, c.ReassayedBy...)
		}
		if c.RetiredNote != "" {
			// The lot holds less than the claim was made on: the claim
			// attributes its share of what it holds, and the credit it
			// retired beyond stays retired (fix9ac). Covered all the same:
			// it retired more than it attributes.
			v.Detail += "; " + c.RetiredNote
		}
		v.Evidence = append(v.Evidence, c.Event)
	}
}
