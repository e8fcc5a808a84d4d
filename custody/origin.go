package custody

import (
	"context"
	"fmt"
	"math"
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
	// GradeNotMeasured marks an element the lot's own assay measures
	// (Tonnes) whose origin shares are unknown because a feed's grade of
	// it was never measured (Composition.SharesNotMeasured): its row
	// says "grade not measured" and states no share on every view; the
	// unknown share stays in ByCountry for the rules, which read it as
	// unknown.
	GradeNotMeasured bool `json:"gradeNotMeasured,omitempty"`
	// NoneContained marks an element of which the lot contains 0 t (an
	// assay of 0 %): there is nothing to share, so it has no origin share
	// — ByCountry, ByMine and BySupplier are empty — and every view says
	// "none contained", never 100 % of a country (fix9y).
	NoneContained bool `json:"noneContained,omitempty"`
	// UnknownOrigin is the tonnes of the element that came from no
	// recorded input: a run that made the lot, or one further up, put
	// out more of it than its inputs held (element_gain), so the excess
	// — an unrecorded feed — is of unknown origin. It is part of Tonnes
	// and of the Unknown share in ByCountry, ByMine and BySupplier; the
	// overall origin states it apart (Overall.OriginUnknown), and no
	// covered-country rule passes on it (nu37a).
	UnknownOrigin float64 `json:"unknownOrigin,omitempty"`
	// recorded is what the lot holds of the element as its recorded
	// inputs can supply (comp.grade: capped where a run that made it
	// gains): the figure a claim counts as held (Composition.held).
	recorded float64
}

// ModelUse records a custody model applied at a site in one step.
type ModelUse struct {
	Site   string   `json:"site"`
	Model  string   `json:"model"`
	Output string   `json:"output"`
	Events []string `json:"events"`
}

// Composition is where a lot's material came from. Two origins are kept
// apart and never mixed (ISO 22095 §5, §11):
//
//   - physical origin — what the genealogy proves, under each site's
//     custody model: Mass (the dry-mass view), Elements (each element's
//     contained tonnes by origin) and Overall (by contained payable
//     element, value-weighted where prices exist);
//   - claimed origin — Claimed, a mass-balance attribution made at a
//     mass-balance site against credits, shown beside the physical origin
//     and read only by rules that declare they read it.
type Composition struct {
	Lot       string  `json:"lot"`
	Commodity string  `json:"commodity"`
	DryTonnes float64 `json:"dryTonnes"`
	// Mass is the dry-mass view: shares of the lot's dry tonnes, pro rata
	// by the dry mass of the feeds. It follows feed mass, not what the lot
	// contains; Elements and Overall do.
	Mass Breakdown `json:"mass"`
	// Elements are the physical origin of each measured element, in
	// tonnes of contained element.
	Elements map[string]Breakdown `json:"elements"`
	// Aggregates are measured analytes that are not elements — TREO, the
	// total rare-earth oxides — in tonnes of the analyte, by origin. They
	// overlap the elements they total, so they are kept out of Elements
	// and out of Overall.
	Aggregates map[string]Breakdown `json:"aggregates,omitempty"`
	// Overall is the physical origin by contained payable element.
	Overall Overall `json:"overall"`
	// GradeMeasured says every element the lot carries has a measured
	// grade. A produced lot without its own assay has none: its grades are
	// not inherited from its feed, and the elements its feed carried are
	// listed in NotMeasured with unknown shares.
	GradeMeasured bool     `json:"gradeMeasured"`
	NotMeasured   []string `json:"notMeasured"`
	// SharesNotMeasured are elements the lot's own assay measures whose
	// origin shares are unknown because a feed's grade of them is not
	// measured: Overall states no share and no value for them (fix9p).
	SharesNotMeasured []string `json:"sharesNotMeasured,omitempty"`
	// BasisNotStated names each assay the figures read as dry because it
	// states no cm:basis ("basis not stated, read as dry"): shown on the
	// lot page and carried by the certificate (cm:originComposition).
	BasisNotStated []string `json:"basisNotStated,omitempty"`
	// Claimed is the mass-balance claim made for the lot, if any, with
	// its verdict against the site's credits; never a physical origin.
	Claimed *Claim     `json:"claimed,omitempty"`
	Models  []ModelUse `json:"models"`
	// Runs are the element balances of the transformations in the lot's
	// genealogy (with evidence only).
	Runs []RunBalance `json:"runs,omitempty"`
	// Events lists every event the numbers rest on: the commissioning and
	// assay events of the origin lots and the transformations between.
	Events    []string  `json:"events"`
	Anomalies []Anomaly `json:"anomalies"`
	// OriginLots are the lots the material was first recorded as.
	OriginLots []string `json:"originLots"`
	// CommissionedIn are the countries (alpha-3) of the sites other than
	// mines where an origin lot stating another origin was first
	// recorded (commissioning_country_differs): its physical origin is
	// read as stated, nothing being mined there, but it is not shown to
	// lie outside them — a covered-country rule listing one fails, every
	// view flags the lot (Headline.Flags) and the planner classes its
	// supplies by a covered one (issue 9 §5, fixBb).
	CommissionedIn []string `json:"commissionedIn,omitempty"`
}

type mix map[string]float64

// comp is a lot's composition per dry tonne.
type comp struct {
	mass   [3]mix
	grades map[string]float64 // measured element tonnes per dry tonne
	// elem holds the origin mix of every element the lot carries; an
	// element without a grade (not measured) has the unknown mix.
	elem   map[string][3]mix
	events map[string]bool
	origin map[string]bool
	// contentT is the dry tonnes of a container's packed contents, when
	// every one is known (contents); 0 otherwise.
	contentT float64
	// caps are the most of each element the lot can hold by the runs
	// that made it, where a run's balance gains (capsFor): its contained
	// figure counts no more.
	caps map[string]elementCap
	// sharesUnmeasured are the elements the lot's own assay measures but
	// whose origin shares are unknown because a feed's grade of them is
	// not measured: no share and no contained value is stated for them
	// (Composition.SharesNotMeasured, overall).
	sharesUnmeasured map[string]bool
	// unrec is, per element, the part of the lot's recorded figure
	// (grade × dry) that came from no recorded input further up: an
	// input's metal gained in a run (element_gain) carried into this
	// lot's blend (comp.whole).
	unrec map[string]float64
	// sup is, per element, the tonnes the lot is supported by where a
	// run that made it gained within its tolerance (supportFor): what a
	// run fed the lot judges its outputs against (comp.supported).
	sup map[string]float64
	// parts are a container's contents as the lots packed in it (a
	// container linked inside it opened too), each with the dry tonnes of
	// it inside: the material a run fed the container consumes
	// (mass-balance credits).
	parts []part
}

// part is one lot inside a container: the dry tonnes of it packed there
// (less what was unpacked) and its composition.
type part struct {
	id   string
	c    *comp
	mass float64
}

// contentKey is a container's contents at one time (zero: now).
type contentKey struct {
	id string
	at int64
}

type originCalc struct {
	// xids are known transformationIDs by event (kept mixes, at capture).
	xids map[string]string
	// commissionedIn are the countries of commissioning_country_differs
	// (Composition.CommissionedIn).
	commissionedIn []string
	// conflicted are the origin lots whose stated origin master data
	// about their commissioning site contradicts (commissionCountry): their
	// origin country and mine count as unknown (originLot).
	conflicted map[string]bool
	ctx        context.Context
	s          Store
	lots       map[string]*critmin.Lot
	up         map[string][]critmin.LotEdge
	sites      map[string]*critmin.Site
	memo       map[string]*comp
	// cmemo holds containers' compositions by the time they are read at:
	// what a container holds depends on when (contents).
	cmemo     map[contentKey]*comp
	onPath    map[string]bool
	loaded    map[string]bool
	anomalies []Anomaly
	// basisNotes are the assays read as dry because they state no basis.
	basisNotes []string
	models     []ModelUse
	// runs caches every edge of a transformation event, for element
	// balances; checked marks events already balanced.
	runs    map[string][]critmin.LotEdge
	checked map[string]bool
	pending []string
	balance []RunBalance
	// takes are, per input lot, the part of each run's consumption that
	// the lot held (overConsumption): run key → fraction of its stated
	// consumption counted, for runs that took more than was left.
	takes map[string]map[string]float64
	// overNotes are the over_consumed details by input lot and run key,
	// for the mass-balance entries the capped runs earn.
	overNotes map[[2]string]string
	// overAnoms are the over_consumed anomalies by the same key, listed
	// only on the lot and the capped run's products; overOrder their keys
	// in the order found.
	overAnoms map[[2]string]Anomaly
	overOrder [][2]string
	// putBack are genealogy edges of runs declared in error, by child, that
	// explainRetractions' replay puts back upstream of the lots it reads
	// (load): without them a lot an upstream retracted run made stays of
	// unknown origin in the replay, and the retraction goes unnamed.
	putBack map[string][]critmin.LotEdge
	// packBack are AggregationEvents declared in error (their
	// declarations stripped) that explainRetractions' replay puts back:
	// contents reads containers as holding what they held with them.
	packBack []*critmin.Event
	// withdrawnBoxes are, once read (fedWithdrawn), the containers
	// (canonical) an unpacking declared in error names; fedChecked the
	// run events already looked at.
	withdrawnBoxes map[string]bool
	fedChecked     map[string]bool
	// retractedOf memoises retractedNaming by lot.
	retractedOf map[string][]retractedFact
	// retractedBy memoises retractedMaker by lot.
	retractedBy map[string]*critmin.Event
	// runFigures asks each run's lines for their outputs' figures at the
	// run and now (figuresAtRun): with evidence only, where the runs are
	// shown (lot page, origin JSON, certificate).
	runFigures bool
}

// Origin computes a lot's origin composition by walking its genealogy
// backward to the lots first recorded with an origin, and combining them
// through each transformation after the custody model of the site where
// it ran: pro rata by dry mass and, for each element, by contained
// element (controlled blending, the default); the same, refusing mixed
// origins (segregated) or more than one input (identity preserved), which
// are flagged. At a mass-balance site the physical origin is computed the
// same way; a producer's claim is checked against the site's mass-balance
// statement and reported apart, as the claimed origin.
//
// Origin is the one origin function: the lot page, lot list, lots CSV,
// identity card, certificate, risk ledger sourcing and planner supplies all
// read it (or OriginOf without evidence, which reads the same mix kept by
// capture).
func Origin(ctx context.Context, s Store, id string) (*Composition, error) {
	return OriginOf(ctx, s, id, true)
}

// OriginOf computes a lot's composition. Without evidence it reads the
// mix capture keeps for produced lots — one lookup however deep the
// genealogy — and leaves out the list of events, origin lots and run
// balances; with evidence (or when no fresh mix is kept) it walks the
// genealogy. Both give the same shares.
func OriginOf(ctx context.Context, s Store, id string, evidence bool) (*Composition, error) {
	target, err := s.FindLot(ctx, id)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		// A container or instance with no lot row (loadLots): its origin is
		// what the genealogy links into it.
		if edges, e2 := s.LotEdges(ctx, []string{id}, true); e2 == nil && len(edges) > 0 {
			target, err = &critmin.Lot{ID: edges[0].Child}, nil
		}
	}
	if err != nil {
		return nil, err
	}
	sites, err := s.SiteDetails(ctx)
	if err != nil {
		return nil, err
	}
	sm := siteMap(sites)
	pm, err := partyNames(ctx, s)
	if err != nil {
		return nil, err
	}
	return originWith(ctx, s, target, sm, pm, evidence)
}

// partyNames are the parties' master-data names by canonical ID
// (epcis.Canonical), for naming suppliers (nameSuppliers).
func partyNames(ctx context.Context, s Store) (map[string]string, error) {
	parties, err := s.FindParties(ctx)
	if err != nil {
		return nil, err
	}
	pm := make(map[string]string, len(parties))
	for _, p := range parties {
		if p.Name != "" {
			pm[epcis.Canonical(p.ID)] = p.Name
		}
	}
	return pm, nil
}

// nameSuppliers names every supplier share of c (the dry-mass view's,
// each element's and each aggregate's BySupplier) as master data names
// the party (pm, partyNames), as a country's share carries its name and
// a mine's its site's: the origin JSON, CSV and `critmin lot origin`
// read "Frontier Works Organization", not the party's URI twice (issue
// 15, fix15s). A party master data does not name keeps its identifier.
func nameSuppliers(c *Composition, pm map[string]string) {
	name := func(b *Breakdown) {
		for i, sh := range b.BySupplier {
			if n, ok := pm[epcis.Canonical(sh.Key)]; ok {
				b.BySupplier[i].Name = n
			}
		}
	}
	name(&c.Mass)
	for _, m := range []map[string]Breakdown{c.Elements, c.Aggregates} {
		for k, b := range m {
			name(&b)
			m[k] = b
		}
	}
}

// originWith is OriginOf for a lot already read, with the sites' and the
// parties' master data already read (Origins reads them once for a whole
// list).
func originWith(ctx context.Context, s Store, target *critmin.Lot, sm map[string]*critmin.Site, pm map[string]string, evidence bool) (*Composition, error) {
	id := target.ID // the canonical identifier, whatever spelling was asked (docs/identity.md)
	var out *Composition
	if !evidence {
		if raw, ok, err := s.LotMix(ctx, id); err != nil {
			return nil, err
		} else if ok {
			m, err := DecodeMix(raw)
			if err != nil {
				// A kept mix critmin cannot read was edited in the
				// database: the evidence fails verification (409 naming
				// the row, as sqldb names an unreadable derived value).
				return nil, critmin.Errorf(critmin.ECONFLICT, "the evidence fails verification: table lot_origin, row lot=%q, column mix: stored value cannot be read (%v): it was edited outside critmin; `critmin verify` names every difference from the ledger", id, err)
			}
			contradicted, err := statedContradicted(ctx, s, m, sm)
			if err != nil {
				return nil, err
			}
			if !mineConflict(m, sm) && !contradicted {
				out = fromMix(target, m, sm)
			}
		}
	}
	if out == nil {
		oc := newCalc(ctx, s, sm)
		oc.lots[id] = target
		oc.runFigures = evidence
		if err := oc.load(id); err != nil {
			return nil, err
		}
		c, err := oc.compute(id)
		if err != nil {
			return nil, err
		}
		if err := oc.balanceAll(); err != nil {
			return nil, err
		}
		c = oc.limited(id, c)
		out = composition(target, c, oc)
	}
	nameSuppliers(out, pm)
	if a, ok := zeroMass(target); ok {
		out.Anomalies = append(out.Anomalies, a)
	}
	if target.TakenTonnes > target.WetTonnes+massTolerance || target.DryTonnes <= 0 && target.WetTonnes <= 0 && target.UOM == "" {
		// Runs took more of the lot than it holds now, or took it from
		// a run declared in error: listed on the lot itself too
		// (overConsumption).
		oc := newCalc(ctx, s, sm)
		oc.lots[id] = target
		if err := oc.overConsumption(id); err != nil {
			return nil, err
		}
		out.Anomalies = dedupeAnomalies(append(out.Anomalies, oc.overConsumedOn(id)...))
	}
	if an, err := transitShortfalls(ctx, s, target); err != nil {
		return nil, err
	} else {
		out.Anomalies = append(out.Anomalies, an...)
	}
	if evidence {
		// The lot page and the rules (with evidence): a lot in a
		// container a stored packing nests holding material.
		an, err := nestedAnomalies(ctx, s, target)
		if err != nil {
			return nil, err
		}
		out.Anomalies = append(out.Anomalies, an...)
	}
	if target.OriginClaim != nil {
		cl, err := claimOf(ctx, s, target, sm, out)
		if err != nil {
			return nil, err
		}
		out.Claimed = cl
	}
	return out, nil
}

// zeroMass flags a lot in stock whose stated mass is 0 (a Mass report of
// 0 KGM, say): a lot on hand weighs something, so the figure is a missing
// or mistyped weighing, and every contained tonne derived from it (0 t of
// each element) is not a measurement. The lot is kept as recorded; the
// anomaly zero_mass says so on the lot page, in the origin JSON and in
// the certificate.
func zeroMass(l *critmin.Lot) (Anomaly, bool) {
	if l.Status != critmin.LotInStock || !units.IsMass(l.UOM) || l.WetTonnes != 0 {
		return Anomaly{}, false
	}
	return Anomaly{Kind: "zero_mass", Detail: fmt.Sprintf("lot %s is in stock with a stated mass of 0 t: a lot on hand weighs something, so its mass and the contained tonnes derived from it (0 t of each element) are not measured figures; record the lot's weighing", l.ID)}, true
}

// ReceiptShortfallLimit is the transit loss beyond which a receipt's
// weight is flagged on the lot's origin (and so on its page, in the
// origin JSON and in its certificate): 5 % of the weight shipped under
// the bill of lading. ledger.Outturns lists every outturn and marks a
// difference above ledger.OutturnTolerance (0.5 %, two weighbridges'
// error) on the lot page; a loss ten times that is not moisture or
// weighing — a receipt of 30 KGM for 30 TNE, or material lost — and is
// not taken silently: the receipt is kept as recorded (the weight found
// is what is there now) and the anomaly transit_loss says so.
const ReceiptShortfallLimit = 0.05

// ReceiptGainLimit is the gain beyond which a receipt's weight is flagged
// transit_gain on the lot's origin, as a loss beyond ReceiptShortfallLimit
// is transit_loss: 0.5 % of the weight shipped (ledger.OutturnTolerance,
// the gain capture refuses and WeighingGainLimit) — dry material does not
// grow at sea.
const ReceiptGainLimit = ledger.OutturnTolerance

// transitShortfalls are lot l's receipts whose weight is short of the
// weight shipped under the same bill of lading by more than
// ReceiptShortfallLimit (ledger.Outturns, events declared in error
// skipped), each as an anomaly transit_loss naming both weights, the loss
// and both events. None when the store cannot list events.
func transitShortfalls(ctx context.Context, s Store, l *critmin.Lot) ([]Anomaly, error) {
	q, ok := s.(eventQuerier)
	if !ok || l == nil || l.ID == "" {
		return nil, nil
	}
	// Every event of the lot, not its shipments and receipts alone: a
	// shipment stating no quantity shipped what then stood where it left,
	// which its events before it tell (ledger.ShippedStanding; issue 15,
	// fix15n N2).
	page, err := q.FindEvents(ctx, critmin.EventFilter{OrderBy: "eventTime", OrderAscending: true, ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{l.ID}, Exact: true}}, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var evs []*critmin.Event
	for _, e := range page.Events {
		if ledger.Live(e) {
			evs = append(evs, decodeStored(e))
		}
	}
	var out []Anomaly
	outturns := ledger.Outturns(l.ID, evs)
	covered := map[string]bool{}
	for _, o := range outturns {
		if o.ShippedTonnes > 0 {
			covered[o.ReceiptEventID] = true
		}
	}
	// A container share of a trip shipped with no line for the lot
	// (ledger.receivedShare: a part with no dispatch of its own) received
	// with a weighed line: its shipment names only containers, so it is
	// not among the lot's events by class and Outturns finds no shipped
	// weight for the receipt. The share shipped is the part's tonnes,
	// its dispatch the trip's under the bill (n8c s9, fixPf: C1's 6 t
	// received at 5.4 t, 10 % short, raised no transit_loss).
	shares, err := shareOutturns(ctx, q, l, covered)
	if err != nil {
		return nil, err
	}
	for i, o := range append(outturns, shares...) {
		if i < len(outturns) {
			o = tripOutturn(l, o)
		}
		// More than the limit short, compared in tonnes: exactly 5 %
		// short is within (ledger.BeyondShare; issue 15, fix15x item 4).
		if o.ShippedTonnes > 0 && o.DifferenceTonnes > 0 && ledger.BeyondShare(o.DifferenceTonnes, o.ShippedTonnes, ReceiptGainLimit) {
			// Heavier than shipped beyond what two weighbridges can
			// differ by: capture refuses such a receipt against its
			// shipment; one that passed (stored before the check, or
			// matched to its leg by weight with no bill of lading) is
			// flagged here, as a loss is (issue 15, fix15zd, nu15g item
			// 3: 14,950 kg received of 5 t shipped, +199 %, origin
			// anomalies []).
			out = append(out, Anomaly{Kind: "transit_gain", Detail: fmt.Sprintf("lot %s was received with %s t of the %s t shipped %s (+%s %%; event %s, shipped by event %s): material does not grow in transit beyond the %s %% two weighbridges can differ by — check the receipt's weight and unit, and which shipment it receives; the lot's mass and every figure from it (origin, credits) count the weight received",
				l.ID, Tonnes(o.ReceivedTonnes), Tonnes(o.ShippedTonnes), ledger.UnderBillOfLading(o.BillOfLading), units.Fixed(ledger.OutturnPercent(o.ShippedTonnes, o.ReceivedTonnes), 1), o.ReceiptEventID, o.ShipEventID, units.Fixed(ReceiptGainLimit*100, 1)), Events: []string{o.ShipEventID, o.ReceiptEventID}})
			continue
		}
		if o.ShippedTonnes <= 0 || o.DifferenceTonnes >= 0 || !ledger.BeyondShare(o.DifferenceTonnes, o.ShippedTonnes, ReceiptShortfallLimit) {
			continue
		}
		out = append(out, Anomaly{Kind: "transit_loss", Detail: fmt.Sprintf("lot %s was received with %s t of the %s t shipped %s (%s %% short; event %s, shipped by event %s): a loss above %.0f %% is not moisture or weighing — check the receipt's weight and unit (30 KGM for 30 TNE?); if the material was lost, the lot's mass is what was received",
			l.ID, Tonnes(o.ReceivedTonnes), Tonnes(o.ShippedTonnes), ledger.UnderBillOfLading(o.BillOfLading), units.Fixed(-ledger.OutturnPercent(o.ShippedTonnes, o.ReceivedTonnes), 1), o.ReceiptEventID, o.ShipEventID, ReceiptShortfallLimit*100), Events: []string{o.ShipEventID, o.ReceiptEventID}})
	}
	if a, ok := aboveCommissioned(l, evs); ok {
		out = append(out, a)
	}
	return out, nil
}

// shareOutturns is the outturn of each received container share of lot
// l's trips (a part with no dispatch of its own, ledger.receivedShare)
// whose receipt weighed it (ReceivedTonnes) and is not covered (an
// outturn read from the lot's events already): shipped the part's
// tonnes, received its received tonnes, the dispatch the trip's first
// live shipping under the part's bill of lading (TripDispatch).
func shareOutturns(ctx context.Context, q eventQuerier, l *critmin.Lot, covered map[string]bool) ([]ledger.Outturn, error) {
	var out []ledger.Outturn
	for _, p := range l.Parts {
		if p.ShipEventID != "" || p.FromRetracted || p.ReceiptEventID == "" || covered[p.ReceiptEventID] || p.ReceivedTonnes <= 0 || p.Tonnes <= 0 ||
			(p.Status != critmin.PartReceived && p.Status != critmin.PartRejoined) {
			continue
		}
		ship, err := TripDispatch(ctx, q, p.BillOfLading)
		if err != nil {
			return nil, err
		}
		covered[p.ReceiptEventID] = true
		out = append(out, ledger.Outturn{BillOfLading: p.BillOfLading, ShipEventID: ship, ReceiptEventID: p.ReceiptEventID,
			ShippedTonnes: p.Tonnes, ReceivedTonnes: p.ReceivedTonnes, DifferenceTonnes: p.ReceivedTonnes - p.Tonnes})
	}
	return out, nil
}

// TripDispatch is the event ID of the first live shipping under bill of
// lading bol: the dispatch a container share of the trip (a part with no
// dispatch of its own) left by. "" when none (no bill, none stored).
func TripDispatch(ctx context.Context, q eventQuerier, bol string) (string, error) {
	if bol == "" {
		return "", nil
	}
	page, err := q.FindEvents(ctx, critmin.EventFilter{BizSteps: []string{"shipping"}, BizTxns: map[string][]string{"bol": {bol}}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000})
	if err != nil {
		return "", err
	}
	for _, st := range page.Events {
		if ledger.Live(st) {
			return st.EventID, nil
		}
	}
	return "", nil
}

// tripOutturn is outturn o read over the whole trip of its bill of
// lading when lot l's parts show the trip split over several events —
// its containers received one receipt each, or its dispatches spread
// over several events (ledger.receivedShare, receivedPartShare,
// joinsTrip): a part under the bill with no dispatch of its own, one
// with joined dispatches, or several parts under it. Shipped is then
// the larger of o's and the parts' shipped tonnes under the bill (what
// the trip carried), received o's plus what the bill's other receipts
// received of the parts (their received mass): [C1] 6 t and the rest
// 4 t received of 10 t shipped is 10 of 10 t, not 4 of 10 t (a 60 %
// loss); 10 t received of 9 t in containers and 1 t by a line shipped
// under one bill is 10 of 10 t, not +900 % (issue 8, n8b s5, s3). o
// unchanged otherwise.
func tripOutturn(l *critmin.Lot, o ledger.Outturn) ledger.Outturn {
	if o.BillOfLading == "" || o.ShippedTonnes <= 0 {
		return o
	}
	var shipped, others float64
	n, split := 0, false
	for _, p := range l.Parts {
		if p.BillOfLading != o.BillOfLading || p.FromRetracted {
			continue
		}
		n++
		split = split || p.ShipEventID == "" || len(p.Joins) > 0
		shipped += p.Tonnes
		if (p.Status == critmin.PartReceived || p.Status == critmin.PartRejoined) && p.ReceiptEventID != "" && p.ReceiptEventID != o.ReceiptEventID {
			others += p.ReceivedMass()
		}
	}
	if !split && n < 2 {
		return o
	}
	o.ShippedTonnes = max(o.ShippedTonnes, shipped)
	o.ReceivedTonnes += others
	o.DifferenceTonnes = ledger.OutturnDifference(o.ShippedTonnes, o.ReceivedTonnes)
	return o
}

// aboveCommissioned flags lot l whose dry mass now is above the dry mass
// ever commissioned into it — its commissioning lines (action ADD) and
// the run outputs that made it, each dried at the moisture stated with
// it (else the lot's) — by more than ReceiptGainLimit: material does not
// grow, so a receipt or weighing that made it heavier than all that came
// into it is not a measurement the lot's origin and credits may count
// silently (issue 15, fix15zd, nu15g item 3: 20 t at 8 % moisture is
// 18.4 dmt commissioned; 14,950 kg received of a 5 t part read the lot
// 29.95 t, 27.554 dmt). None when a line that made the lot states no
// mass.
func aboveCommissioned(l *critmin.Lot, evs []*critmin.Event) (Anomaly, bool) {
	in, made := 0.0, []string{}
	for _, e := range evs {
		for _, q := range e.Quantities {
			if epcis.Canonical(q.EPCClass) != epcis.Canonical(l.ID) || !(q.Role == critmin.RoleOutput || q.Role == critmin.RoleEPC && e.Action == "ADD") {
				continue
			}
			if q.Quantity == nil || !units.IsMass(q.UOM) {
				return Anomaly{}, false
			}
			t, err := units.ToTonnes(*q.Quantity, q.UOM)
			if err != nil {
				return Anomaly{}, false
			}
			m := l.Moisture
			if e.Mineral != nil && e.Mineral.Moisture != nil {
				m = e.Mineral.Moisture
			}
			if m != nil {
				t *= 1 - *m
			}
			in += t
			made = append(made, e.EventID)
		}
	}
	if len(made) == 0 || l.DryTonnes <= in || !ledger.BeyondShare(l.DryTonnes-in, in, ReceiptGainLimit) {
		return Anomaly{}, false
	}
	return Anomaly{Kind: "mass_above_commissioned", Detail: fmt.Sprintf("lot %s holds %s t dry, more than the %s t dry ever commissioned into it (events %s) by more than %s %%: material does not grow — a receipt or weighing above what was shipped or held made it heavier, and its origin and credits count that weight; check the lot's receipts and weighings",
		l.ID, Tonnes(l.DryTonnes), Tonnes(in), strings.Join(made, ", "), units.Fixed(ReceiptGainLimit*100, 1)), Events: made}, true
}

func newCalc(ctx context.Context, s Store, sites map[string]*critmin.Site) *originCalc {
	return &originCalc{ctx: ctx, s: s, lots: map[string]*critmin.Lot{}, up: map[string][]critmin.LotEdge{}, sites: sites, memo: map[string]*comp{}, cmemo: map[contentKey]*comp{},
		onPath: map[string]bool{}, loaded: map[string]bool{}, runs: map[string][]critmin.LotEdge{}, checked: map[string]bool{}}
}

// composition turns a computed comp into the published Composition.
func composition(target *critmin.Lot, c *comp, oc *originCalc) *Composition {
	out := &Composition{Lot: target.ID, Commodity: target.Commodity, DryTonnes: target.DryTonnes, Elements: map[string]Breakdown{}, Models: oc.models, Runs: oc.balance}
	if out.Models == nil {
		out.Models = []ModelUse{}
	}
	out.Anomalies = dedupeAnomalies(oc.anomalies)
	fillElements(out, target, c, oc)
	if out.Anomalies == nil {
		out.Anomalies = []Anomaly{}
	}
	sort.Strings(oc.basisNotes)
	out.BasisNotStated = dedupe(oc.basisNotes)
	for e := range c.events {
		out.Events = append(out.Events, e)
	}
	sort.Strings(out.Events)
	for l := range c.origin {
		out.OriginLots = append(out.OriginLots, l)
	}
	sort.Strings(out.OriginLots)
	if len(oc.commissionedIn) > 0 {
		out.CommissionedIn = slices.Sorted(slices.Values(dedupe(oc.commissionedIn)))
	}
	return out
}

// fillElements writes the mass view, each measured element, the elements
// not measured and the overall origin.
func fillElements(out *Composition, target *critmin.Lot, c *comp, oc *originCalc) {
	out.Mass = breakdown(target.DryTonnes, c.mass, oc)
	out.NotMeasured = []string{}
	// In element order: the element_capped anomalies are listed in it,
	// and a certificate's evidence digest covers them (two elements
	// capped read in map order gave a different digest each time, so a
	// certificate issued on unchanged evidence was not found again;
	// fix9ac).
	for _, e := range sortedKeys(c.grades) {
		g := c.grades[e]
		t, unrec, m := c.whole(e, target.DryTonnes)
		if !units.IsElement(e) {
			if out.Aggregates == nil {
				out.Aggregates = map[string]Breakdown{}
			}
			out.Aggregates[e] = containedBreakdown(t, m, oc)
			continue
		}
		recorded := t
		// The cap is comp.grade's, the rule every figure of what its
		// recorded inputs supply reads (runs, credits, blends, and
		// through this figure the claimed view: coveredNow); the rest of
		// what its assay shows is of unknown origin (comp.whole).
		if cg, _ := c.grade(e, target.DryTonnes); cg < g {
			cp := c.caps[e]
			out.Anomalies = append(out.Anomalies, Anomaly{Kind: "element_capped", Detail: fmt.Sprintf("lot %s: %s t dry × its %s grade holds %s t %s, more than run %s put in (element_gain): %s t %s is its share of what the run's inputs held (every output scaled by input ÷ what all the run's outputs hold now), the only part counted for credits and claims; the other %s t %s came from no recorded input, so its origin is unknown",
				target.ID, Figure(target.DryTonnes), e, Figure(t), e, strings.Join(cp.Runs, ", "), Figure(cp.Tonnes), e, Figure(t-cp.Tonnes), e), Events: cp.Events, Runs: cp.XIDs})
			recorded = cp.Tonnes
		}
		b := containedBreakdown(t, m, oc)
		if unrec > unrecordedFloor && t > 0 {
			b.UnknownOrigin = unrec
		}
		b.recorded = recorded
		out.Elements[e] = b
	}
	for e := range c.elem {
		if _, ok := c.grades[e]; !ok && units.IsElement(e) {
			out.NotMeasured = append(out.NotMeasured, e)
		}
	}
	sort.Strings(out.NotMeasured)
	out.GradeMeasured = len(out.Elements) > 0 && len(out.NotMeasured) == 0
	// An element whose origin shares rest on a feed grade never measured
	// has no share and no contained value by origin: Overall weighs the
	// others only, and says "grade not measured" if none is left. Metal
	// that came from no recorded input (UnknownOrigin) is left out of the
	// shares the same way and stated apart.
	stated := map[string]Breakdown{}
	unmeasured, unrecorded := map[string]Breakdown{}, map[string]Breakdown{}
	for e, b := range out.Elements {
		if c.sharesUnmeasured[e] {
			unmeasured[e] = b
			out.SharesNotMeasured = append(out.SharesNotMeasured, e)
			if b.Tonnes > 0 || len(b.ByCountry) > 0 {
				b.GradeNotMeasured = true
				out.Elements[e] = b
			}
			continue
		}
		if b.UnknownOrigin > 0 {
			unrecorded[e] = Breakdown{Tonnes: b.UnknownOrigin}
			b = b.knownPart()
		}
		stated[e] = b
	}
	sort.Strings(out.SharesNotMeasured)
	out.Overall = overall(stated)
	// The measured metal left out for want of a feed's assay, and that
	// of no recorded input, are stated as parts of the lot's contained
	// value, never silently dropped (fixKk, nu37a).
	out.Overall.withUnknownParts(stated, unmeasured, unrecorded)
	if out.Overall.Basis == "none" && (len(out.NotMeasured) > 0 || len(out.SharesNotMeasured) > 0) {
		// Not "no element": elements its feed carried, unmeasured here.
		out.Overall.Basis = "grade_not_measured"
	}
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
	var back []string
	for n := range seen {
		if !oc.loaded[n] {
			for _, e := range oc.putBack[n] {
				oc.up[n] = append(oc.up[n], e)
				back = append(back, e.Parent)
			}
		}
		oc.loaded[n] = true
	}
	if len(seen) > MaxNodes {
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "truncated", Detail: "genealogy larger than " + units.Int(MaxNodes) + " lots"})
	}
	if err := oc.loadLots(ids); err != nil {
		return err
	}
	for _, p := range back {
		if err := oc.load(p); err != nil {
			return err
		}
	}
	return nil
}

func (oc *originCalc) loadLots(ids []string) error {
	var missing []string
	for _, id := range ids {
		if _, ok := oc.lots[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	lots, err := oc.s.FindLotsByID(oc.ctx, missing)
	if err != nil {
		return err
	}
	for _, l := range lots {
		oc.lots[l.ID] = l
	}
	// A node of the genealogy with no lot row — a container (SSCC) or an
	// instance EPC that no event gave mineral facts (docs/identity.md) —
	// stands in as an empty lot: no commodity and no origin of its own,
	// so what it holds is read through its packings (edgeComp) and an
	// instance of nothing known is of unknown origin.
	for _, id := range missing {
		if _, ok := oc.lots[id]; !ok {
			oc.lots[id] = &critmin.Lot{ID: id}
		}
	}
	return nil
}

// GradesOf reads a lot's assays as element tonnes per dry tonne,
// converting oxides with the factors of shared/data/facts.md. Of each
// analyte the newest assay counts, whatever its basis
// (ledger.LatestAssays): an as-received assay newer than a dry one
// supersedes it and is converted to dry with the moisture measured with
// it, else the lot's — dry grade = as-received grade / (1 − moisture).
// Where no moisture is known the analyte's grade is unknown (absent), and
// GradeNotes says so: the older dry assay does not stand in for it.
func GradesOf(l *critmin.Lot) map[string]float64 {
	g, _ := gradesAndAnomalies(l)
	return g
}

// GradeNotes are the reasons an analyte assayed on a lot has no dry
// grade in GradesOf (ledger.UnconvertedNote), for anomalies and warnings.
func GradeNotes(l *critmin.Lot) []string {
	var n []string
	_, an := gradesAndAnomalies(l)
	for _, a := range an {
		if a.Kind == "grade_basis_unknown" {
			n = append(n, a.Detail)
		}
	}
	return n
}

// partTakenComp is c, the composition of edge e's input lot l, with the
// grades of what the edge's run event took of it where the lot's parts
// were received, when a part it took of is read at grades of its own
// (ledger.PartHasOwnGrades): an assay is of what stood where it was
// taken (docs/origin.md; issue 15, fix15a). A run at Karachi taking 5 t
// of a part assayed there at Nd 4 % reads 4 %, never the 5 % of the
// body left at the mine. Several parts taken are mass-weighted by the
// dry tonnes taken of each (Σ dᵢ·gᵢ / Σ dᵢ); an element a part taken has
// no grade of is not measured. c itself where the run took of no such
// part (the body, or parts at the lot's grades).
func partTakenComp(l *critmin.Lot, e critmin.LotEdge, c *comp) *comp {
	if l == nil || c == nil || e.EventID == "" {
		return c
	}
	// What the run took of each part (ledger.RunInputScopes: the rule
	// the refinery ledger reads too): its assays, the moisture it was
	// taken at and the dry tonnes taken.
	scopes, _ := ledger.RunInputScopes(l, e.EventID)
	own, n := false, 0
	var w float64
	sum, count := map[string]float64{}, map[string]int{}
	for _, sc := range scopes {
		if p, ok := ledger.ShippedPart(l, sc.ShipEventID); ok {
			own = own || ledger.PartHasOwnGrades(l, p)
		}
		n++
		w += sc.DryTonnes
		for el, g := range GradesOf(&critmin.Lot{ID: l.ID, Assays: sc.Assays, Moisture: sc.Moisture}) {
			sum[el] += sc.DryTonnes * g
			count[el]++
		}
	}
	if !own || w <= 0 {
		// The body, or parts read at the lot's grades: at the lot's own
		// grades, not the part-weighted grade of the whole lot
		// (gradesAndAnomalies) when other parts hold grades of their own.
		if len(ledger.AssayScopes(l)) > 1 {
			cc := *c
			cc.grades, _ = scopeGradesAndAnomalies(l.ID, l.Assays, l.Moisture)
			return &cc
		}
		return c
	}
	g := map[string]float64{}
	for el, s := range sum {
		if count[el] == n {
			g[el] = s / w
		}
	}
	cc := *c
	cc.grades = g
	return &cc
}

// BasisNotStatedNote says that the assay a lot's grade of an analyte is
// read from came without cm:basis and is read as dry.
func BasisNotStatedNote(lot string, a critmin.Assay) string {
	return fmt.Sprintf("lot %s: the %s assay (event %s, %s) states no cm:basis: basis not stated, read as dry", epcis.Canonical(lot), a.Analyte, a.EventID, a.At.UTC().Format("2006-01-02"))
}

// gradesAndAnomalies is GradesOf with the anomalies of the reading: an
// analyte whose newest assay cannot be converted to dry
// (grade_basis_unknown), and a grade read from an assay without cm:basis
// (basis_not_stated, read as dry).
//
// A lot whose parts hold grades of their own (ledger.AssayScopes: a part
// assayed where it was received) is read part by part (issue 15, fix15e;
// docs/origin.md "An assay is of what stood where it was taken"): its
// grade of an element is Σ scope dry × scope grade ÷ Σ scope dry, so
// that DryTonnes × grade is ledger.Contained — 13.8 t at TREO 20 % and a
// 4.6 t part at 25 % read 3.91 ÷ 18.4 = 21.25 %. An element a scope
// holding tonnes has no dry grade of is not graded (as Contained).
func gradesAndAnomalies(l *critmin.Lot) (map[string]float64, []Anomaly) {
	scopes := ledger.AssayScopes(l)
	if len(scopes) < 2 {
		return scopeGradesAndAnomalies(l.ID, l.Assays, l.Moisture)
	}
	var notes []Anomaly
	sum, have := map[string]float64{}, map[string]int{}
	var w float64
	n := 0
	for _, sc := range scopes {
		g, an := scopeGradesAndAnomalies(l.ID, sc.Assays, sc.Moisture)
		notes = append(notes, an...)
		if sc.DryTonnes <= massTolerance {
			continue
		}
		n++
		w += sc.DryTonnes
		for el, v := range g {
			sum[el] += sc.DryTonnes * v
			have[el]++
		}
	}
	if n == 0 {
		return scopeGradesAndAnomalies(l.ID, l.Assays, l.Moisture)
	}
	g := map[string]float64{}
	for el, s := range sum {
		if have[el] == n {
			g[el] = s / w
		}
	}
	return g, notes
}

// scopeGradesAndAnomalies is gradesAndAnomalies over one set of assays
// read at one moisture (a lot's own, or a part's).
func scopeGradesAndAnomalies(id string, assays []critmin.Assay, moisture *float64) (map[string]float64, []Anomaly) {
	l := &critmin.Lot{ID: id, Assays: assays, Moisture: moisture}
	g := map[string]float64{}
	var notes []Anomaly
	for _, a := range ledger.LatestAssays(l.Assays) {
		v, ok := ledger.DryValue(a, l.Moisture)
		if !ok {
			if a.Basis == "as_received" {
				notes = append(notes, Anomaly{Kind: "grade_basis_unknown", Detail: ledger.UnconvertedNote(l.ID, a, true)})
			}
			continue
		}
		if a.BasisNotStated {
			notes = append(notes, Anomaly{Kind: "basis_not_stated", Detail: BasisNotStatedNote(l.ID, a)})
		}
		frac, err := units.ConvertGrade(v, a.Unit, units.Percent)
		if err != nil {
			continue
		}
		frac /= 100
		el := units.ElementOf(a.Analyte)
		if e, f, ok := units.ElementFraction(a.Analyte); ok {
			el, frac = e, frac*f
		}
		if _, dup := g[el]; !dup {
			g[el] = frac
		}
	}
	return g, notes
}

// note records the anomalies of reading a lot's grades: an assay read as
// dry because it states no basis goes to BasisNotStated (a reading, not
// a fault of the record), the rest to the anomalies.
func (oc *originCalc) note(an []Anomaly) {
	for _, a := range an {
		if a.Kind == "basis_not_stated" {
			oc.basisNotes = append(oc.basisNotes, a.Detail)
			continue
		}
		oc.anomalies = append(oc.anomalies, a)
	}
}

func single(key string) mix { return mix{key: 1} }

func unknownMix() [3]mix { return [3]mix{single(Unknown), single(Unknown), single(Unknown)} }

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}

// compute is a lot's composition now (a container: what it holds now).
func (oc *originCalc) compute(id string) (*comp, error) { return oc.computeAt(id, time.Time{}) }

// computeAt is a lot's composition as read by an event at time at: a
// container without an origin of its own is what it held at that time
// (contents), whatever was packed into it or taken out later; any other
// lot is the same at every time. Zero at is now.
func (oc *originCalc) computeAt(id string, at time.Time) (*comp, error) {
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
		return &comp{mass: unknownMix(), grades: map[string]float64{}, elem: map[string][3]mix{}, events: map[string]bool{}, origin: map[string]bool{}}, nil
	}
	oc.onPath[id] = true
	defer delete(oc.onPath, id)
	edges := oc.up[id]
	var c *comp
	if len(edges) == 0 {
		if l.OriginCountry == "" && oc.s != nil {
			k := contentKey{id, atMicros(at)}
			if cc, ok := oc.cmemo[k]; ok {
				return cc, nil
			}
			cc, ok, err := oc.contents(l, at)
			if err != nil {
				return nil, err
			}
			if !ok {
				if l, err = oc.commissionCountry(l); err != nil {
					return nil, err
				}
				cc = oc.originLot(l)
			}
			if oc.cmemo == nil {
				oc.cmemo = map[contentKey]*comp{}
			}
			oc.cmemo[k] = cc
			return cc, nil
		}
		var err error
		if l, err = oc.commissionCountry(l); err != nil {
			return nil, err
		}
		c = oc.originLot(l)
	} else {
		// What each input held for the runs that made it, before the
		// blend reads it (overConsumption).
		for _, e := range edges {
			oc.fedWithdrawn(e)
			if err := oc.overConsumption(e.Parent); err != nil {
				return nil, err
			}
		}
		c = oc.blend(l, edges)
		// The runs that made it are balanced before it is read as an
		// input: a later run, a blend or a credit takes its capped
		// figure (comp.grade), never the one that breaks its run's
		// balance.
		if err := oc.balanceAll(); err != nil {
			return nil, err
		}
		c = oc.limited(id, c)
	}
	oc.memo[id] = c
	return c, nil
}

// limited is lot id's composition c with the caps (capsFor) and the
// supported figures (supportFor) of the runs that made it, once they are
// balanced.
func (oc *originCalc) limited(id string, c *comp) *comp {
	caps, sup := oc.capsFor(id), oc.supportFor(id)
	if caps == nil && sup == nil {
		return c
	}
	cc := *c
	if caps != nil {
		cc.caps = caps
	}
	if sup != nil {
		cc.sup = sup
	}
	return &cc
}

// grade is the lot's effective grade of element el — tonnes per dry tonne
// of lot dry tonnes dry — the one figure of what it contains that the
// origin (fillElements), its runs' balances as an input (runBalance), the
// blends it feeds (blend) and mass-balance credits (mbCalc.credits) all
// read: its own assay, except where a run that made it gains the element
// (capsFor), then the cap spread over its dry tonnes (cap ÷ dry), so that
// it never holds more than its run's inputs held. ok is false where the
// grade is not measured.
func (c *comp) grade(el string, dry float64) (float64, bool) {
	g, ok := c.grades[el]
	if !ok {
		return 0, false
	}
	if cp, capped := c.caps[el]; capped && dry > 0 && dry*g > cp.Tonnes+massTolerance {
		g = cp.Tonnes / dry
	}
	return g, true
}

// supported is the grade of element el the lot is supported by: its
// effective grade (comp.grade), less where a run that made it gained
// within its tolerance (comp.sup) — what a run fed the lot judges its
// outputs against (runBalance), so that gains within the tolerance do
// not add up along a chain of runs unflagged (issue 9, nu38b item 2).
func (c *comp) supported(el string, dry float64) (float64, bool) {
	g, ok := c.grade(el, dry)
	if s, has := c.sup[el]; ok && has && dry > 0 && s/dry < g {
		g = s / dry
	}
	return g, ok
}

// whole is what the lot holds of element el by its own assay — dry ×
// its grade, never capped — with the origin mix of all of it and the
// tonnes of it that came from no recorded input (unrec). The mix carried
// from the lot's inputs (blend) spreads the whole content they held by
// their own assays, their parts of no recorded input included (c.unrec
// is that part's share of it); where a run that made the lot gains el
// beyond even that (capsFor, elementCap.Whole), the carried mix covers
// the inputs' whole content and the excess is new metal of unknown
// origin. It is never the carried mix re-scaled to the lot's recorded
// figure (comp.grade): that counted an input's unknown part twice
// (nu38b item 4: BO read Pakistan 1.94 %, unknown 96.3 % for 10.1 %,
// 80.8 %). Metal with no recorded source is unknown, never dropped
// (nu37a: an oxide assayed 0.1 t Pr from a feed assayed 0 % Pr read
// "none contained"). A lot whose grade is capped still counts its
// recorded figure for runs, credits and claims (comp.grade); whole is
// what its origin shows and what the lots made from it carry (blend,
// contents).
func (c *comp) whole(el string, dry float64) (t, unrec float64, m [3]mix) {
	t = dry * c.grades[el]
	m = c.elem[el]
	sup := t
	if cp, capped := c.caps[el]; capped && dry > 0 {
		w := cp.Tonnes
		if cp.Whole != nil {
			w = *cp.Whole
		}
		if t > w+massTolerance {
			sup = max(w, 0)
		}
	}
	unrec = sup * c.unrec[el]
	if x := t - sup; x > 0 && t > 0 {
		var out [3]mix
		for d := 0; d < 3; d++ {
			out[d] = mix{}
			for k, f := range m[d] {
				out[d][k] += sup / t * f
			}
			out[d][Unknown] += x / t
		}
		m, unrec = out, unrec+x
	}
	return t, unrec, m
}

// unrecordedFloor is the tonnes of metal of no recorded input below which
// a figure is float residue of the blends, not a part to state.
const unrecordedFloor = 1e-9

// wholeShares is comp.whole per tonne of the element: the origin mix of
// all the lot holds of el and the part of it of no recorded input — what
// a blend or a container carries of each tonne of el it takes of the lot.
func (c *comp) wholeShares(el string, dry float64) (m [3]mix, unrecShare float64) {
	t, unrec, m := c.whole(el, dry)
	if t > 0 {
		unrecShare = unrec / t
	}
	return m, unrecShare
}

// dryOfLot is the dry tonnes of lot id as the walk knows it (0 unknown).
func (oc *originCalc) dryOfLot(id string) float64 {
	if l := oc.lots[id]; l != nil {
		return l.DryTonnes
	}
	return 0
}

// commissionCountry checks a lot's origin against where it was
// commissioned — the readPoint or bizLocation of its commissioning event
// (commissioningEvent: an ObjectEvent ADD, never an observation,
// inspection or receipt) — by master data (DFARS 252.225-7052 reads where
// material was mined and processed; issue 9 §2, physical origin).
//
// A lot that states neither cm:originCountry nor cm:originMine takes the
// country master data gives that site when it is a mine: material first
// recorded at a mine in China is Chinese material for the covered-country
// rules. Where neither site has a country, or the two name different
// countries, the lot is returned as it is, its origin unknown: never
// guessed from where it went later.
//
// A lot that states its origin — cm:originCountry, or cm:originMine and
// that mine's country by master data — is never taken at its word where
// master data about its commissioning place contradicts it (fix9av):
// commissioned at a mine (cm:siteKind mine) in another country, the
// stated origin and the mine it was first recorded at cannot both be
// right, so its origin country and mine count as unknown (origin_conflict,
// naming the lot, the origin stated, the site, its country and the event)
// and every covered-country rule fails on it; commissioned at another
// kind of site (a warehouse, a port, a refinery) in another country, the
// origin stays the one stated — nothing is mined there — flagged
// commissioning_country_differs, and a covered-country rule listing that
// site's country fails (excludedCountries). A store that cannot give a
// lot's events leaves it as it is.
func (oc *originCalc) commissionCountry(l *critmin.Lot) (*critmin.Lot, error) {
	if oc.sites == nil {
		return l, nil
	}
	f, ok := oc.s.(LiveEventsFinder)
	if !ok {
		return l, nil
	}
	stated := l.OriginCountry != "" || l.OriginMine != ""
	statedCountry, statedWords := l.OriginCountry, "cm:originCountry "+l.OriginCountry
	if l.OriginCountry == "" && l.OriginMine != "" {
		mine, ok := siteAt(oc.sites, l.OriginMine)
		if ok && mine.CountryConflict != "" {
			// The mine's own master data names two countries: where the
			// lot was mined is in conflict, not the friendlier one
			// (critmin.SiteCountry; fixBb).
			oc.conflict(l, fmt.Sprintf("lot %s states cm:originMine %s, whose master data names two countries (%s): where it was mined is in conflict, so its origin country counts as unknown and no covered-country rule can pass on it; correct the mine's master data",
				l.ID, l.OriginMine, mine.CountryConflict), nil)
			return l, nil
		}
		if !ok || mine.Country == "" {
			return l, nil // no country to compare: originLot says so (no_origin)
		}
		statedCountry, statedWords = mine.Country, fmt.Sprintf("mine %s (%s by master data)", l.OriginMine, mine.Country)
	}
	evs, err := f.LiveEventsOfLots(oc.ctx, []string{l.ID})
	if err != nil {
		return nil, fmt.Errorf("custody: events of %s: %w", l.ID, err)
	}
	if early, mk := recordBeforeCommissioning(evs, l.ID); early != nil {
		// Stored before capture refused it (checkBeforeMaker, fixVv):
		// the lot was held somewhere before the event said to make it,
		// so neither place proves where it was mined.
		oc.conflict(l, fmt.Sprintf("lot %s is recorded by the %s %s at %s on %s, before its commissioning, event %s, at %s on %s: a lot is made once and exists from the event that makes it, so where it was mined is in conflict — its origin country counts as unknown and no covered-country rule can pass on it; declare the earlier event or the commissioning in error",
			l.ID, ledger.EventKind(early), early.EventID, eventSite(early), early.EventTime.UTC().Format(time.RFC3339), mk.EventID, eventSite(mk), mk.EventTime.UTC().Format(time.RFC3339)), []string{early.EventID, mk.EventID})
		return l, nil
	}
	if stated {
		if first := firstRecordEvent(evs, l.ID); first != nil {
			return oc.statedAgainstSite(l, first, statedCountry, statedWords), nil
		}
		return l, nil
	}
	first := commissioningEvent(evs, l.ID)
	if first == nil {
		return l, nil
	}
	var iso, from string
	var notMine []string
	for _, site := range []string{first.ReadPoint, first.BizLocation} {
		s, ok := siteAt(oc.sites, site)
		if site != "" && ok && s.CountryConflict != "" {
			oc.anomalies = append(oc.anomalies, siteConflict(l, "states no origin country or mine", site, s, first))
			return l, nil
		}
		if site == "" || !ok || s.Country == "" {
			continue
		}
		// Only a mine gives the country where the material was mined
		// (cm:siteKind mine; DFARS 252.225-7052 reads where it was
		// mined and processed): nothing is mined at a warehouse, a port
		// or a refinery, nor at a site master data does not type.
		// A site relabelled after events were recorded there (a store
		// from before capture refused that) gives an origin only if it
		// was a mine in every version (critmin.Site.AlwaysKind): a site
		// that was a warehouse when the lot was recorded there proves
		// no mining.
		if kind := strings.ToLower(strings.TrimSpace(s.Kind)); !s.AlwaysKind(critmin.SiteMine) {
			if kind == "" {
				kind = "site of no stated kind"
			}
			if len(s.KindVersions) > 0 {
				kind = "site master data recorded as " + strings.Join(kindWords(s.KindVersions), ", then ")
			}
			notMine = append(notMine, fmt.Sprintf("%s (%s, %s)", site, kind, s.Country))
			continue
		}
		if iso != "" && s.Country != iso {
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "origin_conflict", Detail: fmt.Sprintf("lot %s states no origin country or mine, and the sites of its commissioning event %s are in two countries by master data (readPoint %s: %s; bizLocation %s: %s): its origin country counts as unknown",
				l.ID, first.EventID, from, iso, site, s.Country), Events: []string{first.EventID}})
			return l, nil
		}
		iso, from = s.Country, site
	}
	if iso == "" {
		if len(notMine) > 0 {
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "commissioned_not_at_mine", Detail: fmt.Sprintf("lot %s states no origin country or mine and was commissioned (event %s) at %s — not a mine by master data (cm:siteKind): where it was mined is unknown, not the site's country; state cm:originMine or cm:originCountry, or type the site as a mine if it is one",
				l.ID, first.EventID, strings.Join(dedupe(notMine), ", ")), Events: []string{first.EventID}})
		}
		return l, nil
	}
	cp := *l
	cp.OriginCountry = iso
	return &cp, nil
}

// statedAgainstSite compares the origin lot l states — statedCountry,
// worded statedWords — with the country master data gives each site of
// its commissioning event first (commissionCountry). A mine there in
// another country makes the lot's origin unknown (oc.conflicted,
// origin_conflict); any other site in another country is flagged
// (commissioning_country_differs) and the stated origin kept.
func (oc *originCalc) statedAgainstSite(l *critmin.Lot, first *critmin.Event, statedCountry, statedWords string) *critmin.Lot {
	var differs *Anomaly
	for _, site := range []string{first.ReadPoint, first.BizLocation} {
		s, ok := siteAt(oc.sites, site)
		if site != "" && ok && s.CountryConflict != "" {
			// Master data of the place the lot was first recorded names
			// two countries: the stated origin cannot be checked against
			// it, and is never taken as the friendlier of the two
			// (critmin.SiteCountry; fixBb).
			a := siteConflict(l, "states "+statedWords, site, s, first)
			oc.conflict(l, a.Detail, a.Events)
			return l
		}
		if site == "" || !ok || s.Country == "" || s.Country == statedCountry {
			continue
		}
		kind := strings.ToLower(strings.TrimSpace(s.Kind))
		// A mine relabelled after the lot was recorded there is read as
		// the mine it was (critmin.Site.WasKind): a site does not
		// change kind.
		if s.WasKind(critmin.SiteMine) {
			if oc.conflicted == nil {
				oc.conflicted = map[string]bool{}
			}
			oc.conflicted[l.ID] = true
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "origin_conflict", Detail: fmt.Sprintf("lot %s states %s but was commissioned at %s, a mine in %s by master data, by event %s: where it was mined is contradicted, so its origin country counts as unknown and no covered-country rule can pass on it (DFARS 252.225-7052 reads where material was mined); correct the origin stated or the site's master data",
				l.ID, statedWords, site, s.Country, first.EventID), Events: []string{first.EventID}})
			return l
		}
		oc.commissionedIn = append(oc.commissionedIn, s.Country)
		if differs == nil {
			if kind == "" {
				kind = "site of no stated kind"
			}
			differs = &Anomaly{Kind: "commissioning_country_differs", Detail: fmt.Sprintf("lot %s states %s but was commissioned at %s (%s, %s by master data) by event %s: its origin is read as stated, nothing being mined at a %s, and %s counts as a country the lot passed through, so a covered-country rule fails on it only where %s is covered; check the origin stated and where the lot was first recorded",
				l.ID, statedWords, site, kind, s.Country, first.EventID, kind, s.Country, s.Country), Events: []string{first.EventID}}
		}
	}
	if differs != nil {
		oc.anomalies = append(oc.anomalies, *differs)
	}
	return l
}

// conflict marks lot l's origin as in conflict (originLot: its country
// and mine count as unknown) with an origin_conflict anomaly.
func (oc *originCalc) conflict(l *critmin.Lot, detail string, events []string) {
	if oc.conflicted == nil {
		oc.conflicted = map[string]bool{}
	}
	oc.conflicted[l.ID] = true
	oc.anomalies = append(oc.anomalies, Anomaly{Kind: "origin_conflict", Detail: detail, Events: events})
}

// siteConflict is the origin_conflict of lot l, first recorded by event
// first at site, whose master data names two countries
// (critmin.Site.CountryConflict); what is what the lot states.
func siteConflict(l *critmin.Lot, what, site string, s *critmin.Site, first *critmin.Event) Anomaly {
	return Anomaly{Kind: "origin_conflict", Detail: fmt.Sprintf("lot %s %s and was first recorded at %s by event %s, whose master data names two countries (%s): the country of the site is in conflict, so the lot's origin country counts as unknown and no covered-country rule can pass on it; correct the site's master data",
		l.ID, what, site, first.EventID, s.CountryConflict), Events: []string{first.EventID}}
}

// inputlessRun words why lot, made by a live run that has no live input,
// has no origin: "lot L has no origin: run X (event E, date), which made
// it, has no live input — its input events F (…), G (…) were declared in
// error …" naming the run's events declared in error that stated inputs
// (EPCIS 2.0 §7.4.1.2), or "… names no input" when none was. "" when no
// live TransformationEvent lists lot among its outputs, or its run has a
// live input. A store that cannot query events gives "".
func (oc *originCalc) inputlessRun(lot string) (string, error) {
	f, ok := oc.s.(eventQuerier)
	if !ok {
		return "", nil
	}
	page, err := f.FindEvents(oc.ctx, critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleOutput}, Patterns: []string{lot}, Exact: true}}, Limit: 100})
	if err != nil {
		return "", err
	}
	var maker *critmin.Event
	for _, ev := range page.Events {
		if ev.ErrorDeclaration != nil || ev.DeclaredInError != nil {
			continue
		}
		if hasRunInput(ev) {
			return "", nil
		}
		if maker == nil || ev.EventTime.Before(maker.EventTime) {
			maker = ev
		}
	}
	if maker == nil {
		return "", nil
	}
	run := runWords(maker.TransformationID, maker.EventID, maker.EventTime.UTC().Format(time.DateOnly))
	if maker.TransformationID == "" {
		return fmt.Sprintf("lot %s has no origin: %s, which made it, names no input, so nothing is known of what it was made from; its material counts as unknown", lot, run), nil
	}
	xid := maker.TransformationID
	all, err := f.FindEvents(oc.ctx, critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, TransformationIDs: []string{xid}, Limit: 1000})
	if err != nil {
		return "", err
	}
	for _, ev := range all.Events {
		if ev.ErrorDeclaration == nil && ev.DeclaredInError == nil && hasRunInput(ev) {
			return "", nil // the run has a live input: its genealogy gives the origin
		}
	}
	var declared []retractedFact
	if err := eachDeclared(oc.ctx, f, critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, TransformationIDs: []string{xid}, ErrorDeclarationExists: true, Limit: 1000}, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
		if hasRunInput(body) {
			declared = append(declared, retractedFact{ev: body, decl: decl})
		}
	}); err != nil {
		return "", err
	}
	if len(declared) == 0 {
		return fmt.Sprintf("lot %s has no origin: %s, which made it, names no input in any event of its run, so nothing is known of what it was made from; its material counts as unknown", lot, run), nil
	}
	sort.SliceStable(declared, func(i, j int) bool {
		a, b := declared[i].ev, declared[j].ev
		if !a.EventTime.Equal(b.EventTime) {
			return a.EventTime.Before(b.EventTime)
		}
		return a.EventID < b.EventID
	})
	var parts []string
	for _, d := range declared {
		parts = append(parts, fmt.Sprintf("%s (%s) %s", d.ev.EventID, d.ev.EventTime.UTC().Format(time.DateOnly), declaredWords(d.decl)))
	}
	return fmt.Sprintf("lot %s has no origin: %s, which made it, has no live input — the run's input %s %s; its material counts as unknown until the run's inputs are recorded again (a corrective event)",
		lot, run, plural(len(parts), "event", "events"), strings.Join(parts, ", ")), nil
}

// commissioningEvent is the live event that commissioned lot id: an
// ObjectEvent ADD naming it whose bizStep is CBV commissioning or not
// stated (an ADD creates the objects it names, EPCIS 2.0 §7.4.2), a
// commissioning one first, else the earliest such ADD. An event that
// only observed, inspected, received, shipped or packed the lot is never
// its commissioning — nor is an ADD stating such a step (a lot first
// recorded by a receipt at a US port, bizStep receiving, says nothing of
// where it was mined or made: it took that port's country and passed
// dfars-covered-countries, issue 9 recheck), so a lot with no such event
// has no site country to take (docs/origin.md). Nor is an ADD that only
// attaches facts to a lot that already exists (fix9aj): one dated at or
// after a run that made the lot (a TransformationEvent listing it among
// its outputs: the run made it, EPCIS 2.0 §7.4.6), or one stating no
// quantity of the lot after an earlier ADD created it — a claim
// (cm:originClaim) or an assay added with an ADD, bizStep commissioning
// or none, commissions nothing: before, a claim attached at a refinery
// read as the lot's commissioning there (commissioned_not_at_mine).
// nil when there is none.
func commissioningEvent(evs []*critmin.Event, id string) *critmin.Event {
	var first *critmin.Event
	firstCommissioning := false
	for _, ev := range evs {
		if ev.Type != critmin.ObjectEvent || ev.Action != "ADD" || ev.BizStep != "" && !bizStepIs(ev.BizStep, "commissioning") {
			continue
		}
		named, qty := false, false
		for _, q := range ev.LotLines() {
			if q.EPCClass == id && q.Role != critmin.RoleInput {
				named, qty = true, qty || q.Quantity != nil
			}
		}
		if !named || attachesOnly(evs, ev, id, qty) {
			continue
		}
		comm := bizStepIs(ev.BizStep, "commissioning")
		switch {
		case first == nil, comm && !firstCommissioning:
		case comm != firstCommissioning:
			continue
		case ev.EventTime.Before(first.EventTime), ev.EventTime.Equal(first.EventTime) && ev.PK < first.PK:
		default:
			continue
		}
		first, firstCommissioning = ev, comm
	}
	return first
}

// firstRecordEvent is the event against whose sites a lot's stated
// origin is checked (statedAgainstSite, rules' commissionedIn): its
// commissioning (commissioningEvent), else the earliest live ObjectEvent
// ADD that created it with a quantity whatever its bizStep — a lot first
// recorded by an ADD stating receiving or inspecting at a site in China
// is not shown to come from elsewhere by what it states (nu30a: such a
// lot stated PAK passed dfars-covered-countries). Unlike a lot stating
// nothing, whose origin such an event never gives (commissioningEvent),
// the stated country is only checked against it. An ADD with a quantity
// dated before the commissioning is the first record (a record stored
// before checkBeforeMaker refused it, fixVv): the lot was held there
// before it was said to be made, and the commissioning first would pass
// a lot received at a Chinese mine as dug in Pakistan. nil when none.
func firstRecordEvent(evs []*critmin.Event, id string) *critmin.Event {
	comm := commissioningEvent(evs, id)
	first := comm
	for _, ev := range evs {
		if ev.Type != critmin.ObjectEvent || ev.Action != "ADD" || ev.ErrorDeclaration != nil || ev.DeclaredInError != nil {
			continue
		}
		named := false
		for _, q := range ev.LotLines() {
			if q.EPCClass == id && q.Role != critmin.RoleInput && q.Quantity != nil {
				named = true
			}
		}
		if named && (first == nil || ev.EventTime.Before(first.EventTime) || first != comm && ev.EventTime.Equal(first.EventTime) && ev.PK < first.PK) {
			first = ev
		}
	}
	return first
}

// recordBeforeCommissioning is the earliest of evs recording lot id
// (any line, any kind) dated before the lot's commissioning
// (commissioningEvent), and that commissioning; nil, nil when none.
func recordBeforeCommissioning(evs []*critmin.Event, id string) (early, mk *critmin.Event) {
	mk = commissioningEvent(evs, id)
	if mk == nil {
		return nil, nil
	}
	for _, ev := range evs {
		if ev.ErrorDeclaration != nil || ev.DeclaredInError != nil || !ev.EventTime.Before(mk.EventTime) || !namesLot(ev, id) {
			continue
		}
		if early == nil || ev.EventTime.Before(early.EventTime) {
			early = ev
		}
	}
	if early == nil {
		return nil, nil
	}
	return early, mk
}

// attachesOnly reports whether ev, an ObjectEvent ADD naming lot id
// (stating a quantity of it when qty), only attaches facts to a lot that
// already exists by another of evs: a TransformationEvent dated at or
// before ev with id among its outputs, or, when ev states no quantity,
// an earlier ObjectEvent ADD naming it (commissioningEvent).
func attachesOnly(evs []*critmin.Event, ev *critmin.Event, id string, qty bool) bool {
	for _, o := range evs {
		if o == ev || o.EventTime.After(ev.EventTime) {
			continue
		}
		for _, q := range o.LotLines() {
			if q.EPCClass != id {
				continue
			}
			switch {
			case o.Type == critmin.TransformationEvent && q.Role == critmin.RoleOutput:
				return true
			case !qty && o.Type == critmin.ObjectEvent && o.Action == "ADD" && q.Role != critmin.RoleInput &&
				(o.EventTime.Before(ev.EventTime) || o.PK < ev.PK):
				return true
			}
		}
	}
	return false
}

// bizStepIs reports whether bizStep is the CBV step step, in its bare or
// URI form (urn:epcglobal:cbv:bizstep:commissioning,
// https://ref.gs1.org/cbv/BizStep-commissioning).
func bizStepIs(bizStep, step string) bool {
	b := strings.ToLower(bizStep)
	return b == step || strings.HasSuffix(b, ":"+step) || strings.HasSuffix(b, "-"+step) || strings.HasSuffix(b, "/"+step)
}

func (oc *originCalc) originLot(l *critmin.Lot) *comp {
	if l.OriginCountry == "" && l.OriginMine != "" && oc.sites != nil {
		// No cm:originCountry stated: the mine's country by master data
		// is where the material was mined (capture refuses a stated
		// country that contradicts it), docs/origin.md.
		if s, ok := siteAt(oc.sites, l.OriginMine); ok && s.Country != "" {
			cp := *l
			cp.OriginCountry = s.Country
			l = &cp
		}
	}
	if l.OriginCountry == "" {
		a := Anomaly{Kind: "no_origin", Detail: fmt.Sprintf("lot %s has no recorded origin (no cm:originCountry at commissioning, and neither its cm:originMine nor a mine it was commissioned at has a country in master data); its material counts as unknown", l.ID)}
		if l.OriginMine == "" && l.DryTonnes <= 0 && l.WetTonnes <= 0 && oc.s != nil {
			// A lot whose making run was declared in error: that, not
			// master data, is why it has no origin.
			if ev, err := oc.retractedMaker(l.ID); err == nil && ev != nil {
				a = Anomaly{Kind: "no_origin", Detail: fmt.Sprintf("lot %s has no origin: the run that made it, event %s, was declared in error on %s (reason %s), so the lot was never made and what runs consumed of it counts as unknown (over_consumed); reconcile the runs that consumed it",
					l.ID, ev.EventID, ev.ErrorDeclaration.DeclarationTime.UTC().Format(time.RFC3339), ev.ErrorDeclaration.Reason), Events: []string{ev.EventID}}
			}
		}
		if !strings.Contains(a.Detail, "declared in error") && oc.s != nil {
			// The origin was recorded, then declared in error (EPCIS 2.0
			// §7.4.1.2): say so, naming the event, rather than as if it
			// never existed (fix9v).
			if fs, err := oc.retractedOrigin(l.ID); err == nil && len(fs) > 0 {
				// Named in words only: an anomaly's events are what the
				// origin rests on (a certificate's evidence), and the
				// origin no longer rests on a declared event.
				note, _ := retractionNote(fs, "origin record", l.ID)
				a = Anomaly{Kind: "no_origin", Detail: fmt.Sprintf("lot %s has no origin: the origin recorded for it is withdrawn — %s; its material counts as unknown until the origin is recorded again (a corrective event)", l.ID, note)}
			}
		}
		if !strings.Contains(a.Detail, "declared in error") && oc.s != nil {
			// A lot a live run made with no live input is no commissioned
			// lot: it has no origin because its run names no input —
			// its input events declared in error, named — not for want
			// of a cm:originCountry at commissioning (fix9aj).
			if d, err := oc.inputlessRun(l.ID); err == nil && d != "" {
				a = Anomaly{Kind: "no_origin", Detail: d}
			}
		}
		if !strings.Contains(a.Detail, "declared in error") && oc.s != nil {
			// A container that holds nothing because the packing that
			// filled it was declared in error says so, naming it
			// (fix9x): not as if nothing had ever been packed.
			if fs, err := oc.retractedPackingsInto(l.ID); err == nil && len(fs) > 0 {
				var parts []string
				for _, f := range fs {
					parts = append(parts, fmt.Sprintf("event %s (%s, %s) was declared in error on %s (reason %s)",
						f.ev.EventID, packingWords(f.ev), f.ev.EventTime.UTC().Format(time.DateOnly), declaredWhen(f.decl), declaredReason(f.decl)))
				}
				a = Anomaly{Kind: "no_origin", Detail: fmt.Sprintf("lot %s has no origin: it holds nothing packed, and what was packed into it is withdrawn — %s; what runs consumed of it counts as unknown until the packing is recorded again (a corrective event)", l.ID, strings.Join(parts, "; "))}
			}
		}
		oc.anomalies = append(oc.anomalies, a)
	}
	m := [3]mix{single(orUnknown(l.OriginCountry)), single(orUnknown(l.OriginMine)), single(orUnknown(l.Supplier))}
	if oc.conflicted[l.ID] {
		// Master data about where the lot was commissioned contradicts
		// the origin it states (commissionCountry): neither is proven.
		m[dimCountry], m[dimMine] = single(Unknown), single(Unknown)
	}
	// The stated origin country must be the country master data gives
	// the stated mine: a lot "from PAK" out of a mine in CHN proves
	// neither, so its country is unknown for every share and verdict.
	if l.OriginCountry != "" && l.OriginMine != "" && oc.sites != nil {
		if s, ok := siteAt(oc.sites, l.OriginMine); ok && s.Country != "" && s.Country != l.OriginCountry {
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "origin_conflict", Detail: fmt.Sprintf("lot %s states cm:originCountry %s but its cm:originMine %s is in %s by master data (country): the lot's origin country counts as unknown until the record is corrected",
				l.ID, l.OriginCountry, l.OriginMine, s.Country)})
			m[dimCountry] = single(Unknown)
		}
	}
	grades, notes := gradesAndAnomalies(l)
	oc.note(notes)
	c := &comp{mass: m, grades: grades, elem: map[string][3]mix{}, events: map[string]bool{}, origin: map[string]bool{l.ID: true}}
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

// assayedAfterRun flags an input whose assay the product's shares rest on
// is dated after the run consumed it (the event of edge e). A lot keeps
// its latest assay per analyte, so a re-assay of a feed after the run —
// a final or umpire assay replacing a provisional one, ISO 12743 — moves
// the element shares of every product made from it, retroactively. The
// shares follow the better figure (physical origin is what the material
// held), and the product says so, naming the input, the element, the
// assay's event and both dates: anomaly assay_after_run, on the lot page,
// in the origin JSON, the kept mix (lists, risk ledger) and the
// certificate. A late laboratory result and a moisture change of the
// input are flagged by inputChangedAfterRun.
func (oc *originCalc) assayedAfterRun(out *critmin.Lot, e critmin.LotEdge, c *comp) {
	in := oc.lots[e.Parent]
	if in == nil || e.EventTime.IsZero() {
		return
	}
	var parts, evs []string
	seen := map[string]bool{}
	for _, a := range in.Assays {
		el := units.ElementOf(a.Analyte)
		if _, used := c.grades[el]; !used || !a.At.After(e.EventTime) {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (event %s, %s)", a.Analyte, a.EventID, a.At.UTC().Format(time.RFC3339)))
		if a.EventID != "" && !seen[a.EventID] {
			seen[a.EventID] = true
			evs = append(evs, a.EventID)
		}
	}
	if len(parts) == 0 {
		return
	}
	run := e.EventID
	if e.Run != "" {
		run = e.Run + " (event " + e.EventID + ")"
	}
	oc.anomalies = append(oc.anomalies, Anomaly{Kind: "assay_after_run", Detail: fmt.Sprintf("the element shares of lot %s rest on input %s's assay of %s, dated after run %s consumed it on %s: a later assay of the input changed this product's shares retroactively; they are not the shares known at the run",
		out.ID, in.ID, strings.Join(parts, ", "), run, e.EventTime.UTC().Format(time.RFC3339)), Events: append(evs, e.EventID)})
}

// inputChangedAfterRun flags what assayedAfterRun cannot see from the
// lot's assay dates alone: the input's figures the product's shares rest
// on that reached the ledger after the run was recorded, or that describe
// the input after the run.
//
//   - a late laboratory result: an assay of a used element dated before
//     the run but recorded after it (its event's recordTime after the
//     run's), and now the input's assay in effect — the shares at the run
//     did not rest on it;
//   - a moisture change: the input's moisture now differs from the one
//     recorded when the run was (a cm:moisture or H2O report dated or
//     recorded after the run), which changes the dry tonnes the input
//     brought and so every share.
//
// Both carry the anomaly assay_after_run, as a later-dated assay does.
// The input's events are read from the store (the projection keeps no
// record time per figure); a store that cannot query events is not
// checked.
func (oc *originCalc) inputChangedAfterRun(out *critmin.Lot, e critmin.LotEdge, c *comp) {
	in := oc.lots[e.Parent]
	q, ok := oc.s.(eventQuerier)
	f, ok2 := oc.s.(eventFinder)
	if in == nil || e.EventTime.IsZero() || !ok || !ok2 {
		return
	}
	runs, err := f.FindEventsByID(oc.ctx, e.EventID)
	if err != nil || len(runs) == 0 {
		return
	}
	runRec := runs[0].RecordTime
	page, err := q.FindEvents(oc.ctx, critmin.EventFilter{
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleOutput}, Patterns: []string{in.ID}, Exact: true}},
		OrderBy:      "eventTime", OrderAscending: true, Limit: 1000,
	})
	if err != nil {
		return
	}
	later := false // any event of the input dated or recorded after the run
	for _, ev := range page.Events {
		later = later || ev.EventID != e.EventID && (ev.RecordTime.After(runRec) || ev.EventTime.After(e.EventTime))
	}
	if !later {
		return // the common case: nothing reached the input after the run
	}
	inEffect := map[string]bool{} // events whose assay the input uses now
	for _, a := range in.Assays {
		if _, used := c.grades[units.ElementOf(a.Analyte)]; used && a.EventID != "" {
			inEffect[a.EventID] = true
		}
	}
	var late, lateEvs, moist []string
	var atRun *float64
	var atRunRec time.Time
	for _, ev := range page.Events {
		if !ledger.Live(ev) || ev.EventID == e.EventID {
			continue
		}
		full, err := ledger.DecodeStored(ev.Raw, ev.Context)
		if err != nil || full.Mineral == nil {
			continue
		}
		m := full.Mineral
		recAfter := ev.RecordTime.After(runRec)
		if recAfter && !ev.EventTime.After(e.EventTime) && inEffect[ev.EventID] && len(m.Assays) > 0 {
			late = append(late, fmt.Sprintf("event %s dated %s, recorded %s", ev.EventID, ev.EventTime.UTC().Format(time.RFC3339), ev.RecordTime.UTC().Format(time.RFC3339)))
			lateEvs = append(lateEvs, ev.EventID)
		}
		if m.Moisture == nil {
			continue
		}
		if !recAfter && !ev.EventTime.After(e.EventTime) {
			if atRun == nil || !ev.RecordTime.Before(atRunRec) {
				v := *m.Moisture
				atRun, atRunRec = &v, ev.RecordTime
			}
			continue
		}
		moist = append(moist, ev.EventID)
	}
	run := e.EventID
	if e.Run != "" {
		run = e.Run + " (event " + e.EventID + ")"
	}
	if len(late) > 0 {
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "assay_after_run", Detail: fmt.Sprintf("the element shares of lot %s rest on input %s's assay recorded after run %s (recorded %s) consumed it: %s — a laboratory result that arrived late; the shares known at the run did not rest on it",
			out.ID, in.ID, run, runRec.UTC().Format(time.RFC3339), strings.Join(late, "; ")), Events: append(lateEvs, e.EventID)})
	}
	changed := len(moist) > 0 && (atRun == nil) != (in.Moisture == nil)
	if len(moist) > 0 && atRun != nil && in.Moisture != nil && *atRun != *in.Moisture {
		changed = true
	}
	if changed {
		was := "not stated"
		if atRun != nil {
			was = Percent(*atRun)
		}
		now := "not stated"
		if in.Moisture != nil {
			now = Percent(*in.Moisture)
		}
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "assay_after_run", Detail: fmt.Sprintf("the element shares of lot %s rest on input %s's moisture %s, changed after run %s consumed it on %s (it was %s; events %s): the dry tonnes the input brought, and so the shares, changed retroactively",
			out.ID, in.ID, now, run, e.EventTime.UTC().Format(time.RFC3339), was, strings.Join(moist, ", ")), Events: append(moist, e.EventID)})
	}
}

// cappedInput flags a product whose figures rest on an input's capped
// element (comp.grade reads the cap where the input's own mass × grade
// holds more than the run that made it put in): element_capped, naming
// the input, the run that gained and both figures, so that the product,
// and every lot made from it (the anomaly travels with the walk and the
// kept mix), says its figure rests on a capped one — not only the lot
// whose own figure was capped (fillElements).
func (oc *originCalc) cappedInput(out *critmin.Lot, id string, c *comp) {
	dry := oc.dryOfLot(id)
	for _, e := range sortedKeys(c.caps) {
		cp := c.caps[e]
		g, ok := c.grades[e]
		if !ok || dry <= 0 || dry*g <= cp.Tonnes+massTolerance {
			continue
		}
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "element_capped", Detail: fmt.Sprintf("lot %s rests on a capped figure: its input %s counts %s t %s, what run %s put in (element_gain), not the %s t its %s t dry × %s grade would hold — every lot made from it rests on the capped figure too",
			out.ID, id, Figure(cp.Tonnes), e, strings.Join(cp.Runs, ", "), Figure(dry*g), Figure(dry), e), Events: cp.Events, Runs: cp.XIDs})
	}
}

// inputMass is the dry tonnes of an input a transformation consumed: a
// stated quantity × (1 − the moisture of what the run took) — a run
// where parts of the lot were received takes of those parts, first in
// first out by the order they were shipped, each tonne at the moisture
// of the part it came from (ledger.RunInputMoisture, the mass-weighted
// mean of its takes: 15 t of a 10 t part at 8 % and a 5 t part at 4 % is
// 9.2 + 4.8 = 14.0 t dry, issue 15, fix15y; ledger's applyPart) — or the
// lot's dry mass when the line states none. A lot projected before the
// takes were kept reads the first part's moisture there (MoistureAt).
// The element balance (runConsumption) and the origin mix read this one
// figure.
func inputMass(e critmin.LotEdge, in *critmin.Lot) float64 {
	if in != nil && e.ParentQty != nil {
		if t, err := units.ToTonnes(*e.ParentQty, e.ParentUOM); err == nil {
			if m, ok := ledger.RunInputMoisture(in, e.EventID); ok {
				if m != nil {
					t *= 1 - *m
				}
				return t
			}
			if partAt(in, e.BizLocation) {
				if m := MoistureAt(in, e.BizLocation); m != nil {
					t *= 1 - *m
				}
				return t
			}
		}
	}
	return dryOf(e.ParentQty, e.ParentUOM, in)
}

// edgeMass is inputMass, for a container fed whole (no quantity on its
// line) what it held when the run read it: c, its composition at the
// edge's time (contents), nil if not known.
func edgeMass(e critmin.LotEdge, in *critmin.Lot, c *comp) float64 {
	m := inputMass(e, in)
	if m <= 0 && e.ParentQty == nil && c != nil && c.contentT > 0 {
		m = c.contentT
	}
	return m
}

// edgeComp is the composition of an edge's input as the edge's event read
// it, if computed already: the lot's, or a container's at that time.
func (oc *originCalc) edgeComp(e critmin.LotEdge) *comp {
	if c, ok := oc.memo[e.Parent]; ok {
		return c
	}
	return oc.cmemo[contentKey{e.Parent, atMicros(e.EventTime)}]
}

// atMicros keys a time in cmemo; zero (now) is 0.
func atMicros(at time.Time) int64 {
	if at.IsZero() {
		return 0
	}
	return at.UnixMicro()
}

// outputMass is the dry tonnes of an output a transformation produced.
func outputMass(e critmin.LotEdge, out *critmin.Lot) float64 {
	return dryOf(e.ChildQty, e.ChildUOM, out)
}

// producedMass is the dry tonnes the run whose edges are given produced
// of output child: the sum of what each of its events states it produced
// (ledger.RunProduced, the one definition), at the lot's moisture — run
// R8 making O8 0.5 t in one event and 10 t in a later output-only event
// produced 10.5 t, not the first event's 0.5 t. Where no line states a
// mass, the lot's dry tonnes (as outputMass reads a line without one).
func producedMass(edges []critmin.LotEdge, child string, out *critmin.Lot) float64 {
	var own []critmin.LotEdge
	for _, e := range edges {
		if e.Child == child {
			own = append(own, e)
		}
	}
	t, unknown := ledger.RunProduced(own)
	if v, ok := t[child]; ok && !unknown[child] {
		return dryOf(&v, "TNE", out)
	}
	if len(own) > 0 {
		return outputMass(own[0], out)
	}
	return dryOf(nil, "", out)
}

func dryOf(q *float64, uom string, l *critmin.Lot) float64 {
	if q != nil {
		if t, err := units.ToTonnes(*q, uom); err == nil {
			if l != nil && l.Moisture != nil {
				t *= 1 - *l.Moisture
			}
			return t
		}
	}
	if l != nil {
		return l.DryTonnes
	}
	return 0
}

// modelAt is the custody model of site in force when the run of edges
// was recorded (critmin.Site.ModelAt, as the element tolerance is read):
// ISO 22095 lets a site change its model, and the change applies from
// then on — a run recorded segregated keeps being judged segregated
// after the site becomes controlled blending, and the reverse.
func (oc *originCalc) modelAt(site string, edges []critmin.LotEdge) string {
	if oc.sites == nil {
		return ControlledBlending
	}
	s, ok := siteAt(oc.sites, site)
	if !ok {
		return ControlledBlending
	}
	m := s.CustodyModel
	if len(s.ModelVersions) > 0 {
		m = s.ModelAt(oc.runRecordTime(edges))
	}
	if ValidModel(m) {
		return m
	}
	return ControlledBlending
}

// blend combines a transformation's inputs into one output's physical
// composition. Mass shares follow the inputs' dry mass; each element's
// shares follow the element the inputs brought (contained = dry mass ×
// grade). The output's grades are its own assays only: an output without
// them is "grade not measured" and the elements its inputs carried have
// unknown shares, never the feed's grade. An element whose contribution
// from some input is not measured has unknown shares too.
func (oc *originCalc) blend(out *critmin.Lot, edges []critmin.LotEdge) *comp {
	type input struct {
		id   string
		c    *comp
		mass float64
		// held is the dry tonnes of it the lot held for this run: mass,
		// or less where the run took more than was left of the lot
		// (overConsumption): what its element is counted on.
		held float64
	}
	var ins []input
	events := map[string]bool{}
	origin := map[string]bool{}
	site := edges[0].BizLocation
	seen := map[string]bool{}
	var massUnknown []string
	for _, e := range edges {
		events[e.EventID] = true
		if seen[e.Parent] {
			continue
		}
		seen[e.Parent] = true
		c, _ := oc.computeAt(e.Parent, e.EventTime)
		c = partTakenComp(oc.lots[e.Parent], e, c)
		m := edgeMass(e, oc.lots[e.Parent], c)
		if m <= 0 {
			massUnknown = append(massUnknown, fmt.Sprintf("%s (%s)", e.Parent, keys(c.mass[dimCountry])))
		}
		f := oc.heldFraction(e.Parent, e.RunKey())
		ins = append(ins, input{e.Parent, c, m, m * f})
		if f < 1 {
			// This run was capped: its products carry the anomaly (a
			// sibling made by a run that was not capped does not).
			oc.anomalies = append(oc.anomalies, oc.overAnoms[[2]string{e.Parent, e.RunKey()}])
		}
		oc.cappedInput(out, e.Parent, c)
		oc.assayedAfterRun(out, e, c)
		oc.inputChangedAfterRun(out, e, c)
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
	model := oc.modelAt(site, edges)
	oc.models = append(oc.models, ModelUse{Site: site, Model: model, Output: out.ID, Events: evList})
	res := &comp{grades: map[string]float64{}, elem: map[string][3]mix{}, events: events, origin: origin}
	// The dry-mass view counts what each input held for the run (held:
	// a capped run counts what was left of its lot), as the element
	// view does: one story in both views.
	var total float64
	for _, in := range ins {
		total += in.held
	}
	for d := 0; d < 3; d++ {
		res.mass[d] = mix{}
		for _, in := range ins {
			w := 1 / float64(len(ins))
			if total > 0 {
				w = in.held / total
			}
			for k, f := range in.c.mass[d] {
				res.mass[d][k] += w * f
			}
		}
	}
	contained := map[string]float64{}
	unmeasured := map[string]bool{}
	blank := false // an input without any assay brings unknown amounts of every element
	if len(massUnknown) > 0 {
		// An input of unknown mass brings an unknown share, never none:
		// every share of the output is unknown (the headline reads
		// "unknown", and covered-country rules cannot pass on it).
		res.mass = unknownMix()
		blank = true
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "input_mass_unknown", Detail: fmt.Sprintf("the origin shares of lot %s are unknown: its input %s %s no known mass (no quantity on the run's input line and none recorded for the lot), so what it brought is unknown, not none",
			out.ID, strings.Join(massUnknown, ", "), map[bool]string{true: "has", false: "have"}[len(massUnknown) == 1]), Events: evList})
	}
	// whole is what the inputs put in by their own assays (comp.whole):
	// the recorded part and the part of no recorded input, which the
	// product's shares carry as unknown (nu37a).
	whole := map[string]float64{}
	for _, in := range ins {
		if len(in.c.elem) == 0 && len(in.c.grades) == 0 {
			blank = true
		}
		for e := range in.c.elem {
			if g, ok := in.c.grade(e, oc.dryOfLot(in.id)); ok {
				contained[e] += in.held * g
				whole[e] += in.held * in.c.grades[e]
			} else {
				unmeasured[e] = true
			}
		}
	}
	// An input not assayed for an element holds an unknown amount of it,
	// not none: the element's origin share in the output is then unknown
	// (its run balance is not checked for it either, runBalance).
	for e := range contained {
		for _, in := range ins {
			if _, ok := in.c.grades[e]; !ok && in.mass > 0 {
				unmeasured[e] = true
			}
		}
	}
	carried := map[string][3]mix{}
	unrec := map[string]float64{}
	for e := range contained {
		ct := whole[e]
		if unmeasured[e] || blank || ct == 0 {
			continue
		}
		var m [3]mix
		for d := 0; d < 3; d++ {
			m[d] = mix{}
		}
		for _, in := range ins {
			g, ok := in.c.grades[e]
			if !ok {
				continue
			}
			// All the input held of e by its own assay, with the origin
			// mix of all of it and its part of no recorded input
			// (comp.whole: the one reading of a lot's content by origin).
			w := in.held * g
			wm, wu := in.c.wholeShares(e, oc.dryOfLot(in.id))
			for d := 0; d < 3; d++ {
				for k, f := range wm[d] {
					m[d][k] += w / ct * f
				}
			}
			unrec[e] += w * wu
		}
		carried[e] = m
		unrec[e] /= ct
	}
	own, notes := gradesAndAnomalies(out)
	oc.note(notes)
	for e := range contained {
		res.elem[e] = unknownMix()
	}
	for e := range unmeasured {
		res.elem[e] = unknownMix()
	}
	for _, e := range sortedKeys(own) {
		res.grades[e] = own[e]
		if m, ok := carried[e]; ok {
			res.elem[e] = m
			if u := unrec[e]; u > 0 {
				if res.unrec == nil {
					res.unrec = map[string]float64{}
				}
				res.unrec[e] = u
			}
			// An input whose shares of e rest on a feed grade never
			// measured passes that on (fix9q): the product's shares of
			// e rest on it too, so no share and no value is stated for
			// it, however many runs further down (as element_capped).
			for _, in := range ins {
				if in.c.sharesUnmeasured[e] && in.held > 0 {
					if res.sharesUnmeasured == nil {
						res.sharesUnmeasured = map[string]bool{}
					}
					res.sharesUnmeasured[e] = true
				}
			}
			continue
		}
		res.elem[e] = unknownMix()
		// Say why the measured element's shares are unknown: which feeds
		// hold an unknown amount of it (no assay of it, or none at all).
		var why, withdrawn []string
		evs := evList
		for _, in := range ins {
			if _, ok := in.c.grades[e]; !ok && in.mass > 0 {
				why = append(why, fmt.Sprintf("%s (%s dmt)", in.id, Tonnes(in.mass)))
				// An assay recorded, then declared in error, is named
				// (fix9v): the feed's grade is withdrawn, not absent.
				if oc.s != nil {
					if fs, err := oc.retractedAssay(in.id, e); err == nil && len(fs) > 0 {
						note, _ := retractionNote(fs, "assay of "+e, in.id)
						withdrawn = append(withdrawn, note)
					}
				}
			}
		}
		// A feed's grade of e not measured — no assay at all (blank),
		// or assays of other elements only — leaves the product's
		// shares of e resting on it: no share and no value is stated
		// for e (sharesNotMeasured), however the grade came to be
		// missing (NU check of issue 9: feeds assayed for Nd only gave
		// Pr an "unknown 100 %" share by contained value instead).
		if unmeasured[e] || blank || len(why) > 0 {
			if res.sharesUnmeasured == nil {
				res.sharesUnmeasured = map[string]bool{}
			}
			res.sharesUnmeasured[e] = true
		}
		if len(why) > 0 {
			detail := fmt.Sprintf("the shares of %s in lot %s are unknown: its feed %s %s no assay of %s, so the %s it brought is unknown (not taken as none)",
				e, out.ID, strings.Join(why, ", "), map[bool]string{true: "has", false: "have"}[len(why) == 1], e, e)
			if len(withdrawn) > 0 {
				detail += "; the assay is withdrawn: " + strings.Join(withdrawn, "; ")
			}
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "element_not_assayed", Detail: detail, Events: evs})
		}
	}
	if len(own) == 0 && len(res.elem) > 0 {
		detail := fmt.Sprintf("lot %s has no assay of its own: grade not measured, so the shares of %s in it are unknown (not inherited from its feed)", out.ID, elementList(res.elem))
		evs := evList
		if oc.s != nil {
			// Its assay recorded, then declared in error (fix9v).
			var fs []retractedFact
			seen := map[string]bool{}
			for _, el := range sortedKeys(res.elem) {
				got, err := oc.retractedAssay(out.ID, el)
				if err != nil {
					break
				}
				for _, f := range got {
					if !seen[f.ev.EventID] {
						seen[f.ev.EventID] = true
						fs = append(fs, f)
					}
				}
			}
			if note, _ := retractionNote(fs, "assay", out.ID); note != "" {
				detail += "; its assay is withdrawn: " + note
			}
		}
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "grade_not_measured", Detail: detail, Events: evs})
	}
	switch model {
	case IdentityPreserved:
		if len(ins) > 1 {
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "custody_model", Detail: fmt.Sprintf("site %s runs identity preserved but %s was made from %d lots", epcis.Canonical(site), out.ID, len(ins)), Events: evList})
		}
	case Segregated:
		if len(res.mass[dimCountry]) > 1 {
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "custody_model", Detail: fmt.Sprintf("site %s runs segregated but %s mixes origins %s", epcis.Canonical(site), out.ID, keys(res.mass[dimCountry])), Events: evList})
		}
	}
	for _, e := range edges {
		oc.queueRun(e.RunKey())
	}
	return res
}

func elementList(m map[string][3]mix) string {
	var k []string
	for e := range m {
		k = append(k, e)
	}
	sort.Strings(k)
	return strings.Join(k, ", ")
}

func keys(m mix) string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return fmt.Sprint(k)
}

// upstreamOf computes a lot's composition, loading its genealogy first
// if it is outside the closure already read.
func (oc *originCalc) upstreamOf(id string) (*comp, error) {
	return oc.upstreamAt(id, time.Time{})
}

// upstreamAt is upstreamOf as an event at time at reads the lot
// (computeAt).
func (oc *originCalc) upstreamAt(id string, at time.Time) (*comp, error) {
	if err := oc.load(id); err != nil {
		return nil, err
	}
	return oc.computeAt(id, at)
}

// containedBreakdown is an element's (or aggregate's) contained tonnes by
// origin: breakdown, except that 0 t contained has no share of nothing —
// a share would read 100 % of a country — and is NoneContained (fix9y).
// The dry-mass view keeps breakdown's shares of a lot's mass.
func containedBreakdown(tonnes float64, m [3]mix, oc *originCalc) Breakdown {
	if tonnes <= 0 {
		return Breakdown{ByCountry: []Share{}, ByMine: []Share{}, BySupplier: []Share{}, NoneContained: true}
	}
	return breakdown(tonnes, m, oc)
}

// Recorded is what the lot holds of the element as its recorded inputs
// supply it: Tonnes, less the excess a run that made it gained
// (element_capped) — the figure runs, credits and claims count.
func (b Breakdown) Recorded() float64 { return b.recorded }

// knownPart is the breakdown without its metal of no recorded input
// (UnknownOrigin): that many tonnes less, taken from the Unknown share,
// the shares of what is left — what Overall weighs.
func (b Breakdown) knownPart() Breakdown {
	k := Breakdown{Tonnes: math.Max(0, b.Tonnes-b.UnknownOrigin), ByCountry: []Share{}, recorded: b.recorded}
	for _, sh := range b.ByCountry {
		if sh.Key == Unknown {
			sh.Tonnes -= b.UnknownOrigin
		}
		if sh.Tonnes <= unrecordedFloor {
			continue
		}
		if k.Tonnes > 0 {
			sh.Share = sh.Tonnes / k.Tonnes
		}
		k.ByCountry = append(k.ByCountry, sh)
	}
	return k
}

func breakdown(tonnes float64, m [3]mix, oc *originCalc) Breakdown {
	b := Breakdown{Tonnes: tonnes}
	list := func(x mix, name func(string) string) []Share {
		out := []Share{}
		for k, f := range x {
			if len(x) == 1 {
				// A mix of one key is all of it (an unknown share is a
				// key of its own): exactly 1, not the hair below it that
				// summing weighted fractions leaves ("> 99.9 %", issue 15).
				f = 1
			}
			out = append(out, Share{Key: k, Name: name(k), Tonnes: tonnes * f, Share: f})
		}
		sortShares(out)
		return out
	}
	b.ByCountry = list(m[dimCountry], func(k string) string { return country.Name(k) })
	b.ByMine = list(m[dimMine], func(k string) string {
		if s, ok := siteAt(oc.sites, k); ok && s.Name != "" {
			return s.Name
		}
		return k
	})
	b.BySupplier = list(m[dimSupplier], func(k string) string { return k })
	return b
}

func sortShares(out []Share) {
	sort.Slice(out, func(i, j int) bool {
		if out[i].Share != out[j].Share {
			return out[i].Share > out[j].Share
		}
		return out[i].Key < out[j].Key
	})
}

// packingHistory is a store that gives the live AggregationEvents naming
// children (sqldb.DB.PackingEvents).
type packingHistory interface {
	PackingEvents(ctx context.Context, children []string) ([]*critmin.Event, error)
}

// packedIn is Store.PackedIn, with the packings and unpackings declared
// in error that explainRetractions' replay puts back (packBack) applied
// among the live ones in event-time order (ledger.Containment).
func (oc *originCalc) packedIn(kids []string, at time.Time) ([]critmin.Packing, error) {
	h, ok := oc.s.(packingHistory)
	if len(oc.packBack) == 0 || !ok {
		return oc.s.PackedIn(oc.ctx, kids, at)
	}
	evs, err := h.PackingEvents(oc.ctx, kids)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, k := range kids {
		ids[epcis.Canonical(k)] = true
	}
	parents := map[string]bool{}
	for _, ev := range evs {
		parents[epcis.Canonical(ev.ParentID)] = true
	}
	for _, ev := range oc.packBack {
		names := parents[epcis.Canonical(ev.ParentID)] && len(ledger.Children(ev)) == 0
		for _, k := range ledger.Children(ev) {
			names = names || ids[k.Child]
		}
		if names {
			evs = append(evs, ev)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].EventTime.Before(evs[j].EventTime) })
	c := ledger.NewContainment(nil)
	for id := range ids {
		c.Load(id, nil)
	}
	for _, ev := range evs {
		if !at.IsZero() && ev.EventTime.After(at) {
			break
		}
		c.Apply(ev)
	}
	// A lot packed by a childQuantityList line is read by the
	// unpacking check's rule (containedAt; issue 15, fix15k): its live
	// events with the packings put back, so that movements of the lot
	// beyond its loose rest draw on its containers, as Store.PackedIn
	// reads them.
	lots := map[string]bool{}
	for _, ev := range evs {
		for _, k := range ledger.Children(ev) {
			if k.Class && ids[k.Child] {
				lots[k.Child] = true
			}
		}
	}
	byLot := map[string][]*critmin.Event{}
	if f, ok := oc.s.(liveEventsFinder); ok && len(lots) > 0 {
		live, err := f.LiveEventsOfLots(oc.ctx, sortedKeys(lots))
		if err != nil {
			return nil, err
		}
		// The lots' live events as stored (with their sites: a
		// drawdown is at the packing's site), the packings put back,
		// and the DELETEs emptying a container (they name no child).
		full := append(append([]*critmin.Event(nil), live...), oc.packBack...)
		for _, ev := range full {
			if !ledger.Live(ev) && !packedBack(oc.packBack, ev) {
				continue
			}
			for _, id := range ev.LotIDs() {
				if c := epcis.Canonical(id); lots[c] {
					byLot[c] = append(byLot[c], ev)
				}
			}
		}
		for _, ev := range evs {
			if emptying(ev) {
				for id := range lots {
					byLot[id] = append(byLot[id], ev)
				}
			}
		}
	} else {
		lots = nil
	}
	// The containers each stored run was fed whole, from its stored
	// contents (its inputEPCList leaves them out; storedRunsFed).
	var fed map[string]map[string][]critmin.QuantityElement
	if cs, ok := oc.s.(containerContentsStore); ok {
		var runIDs []string
		seen := map[string]bool{}
		for _, evs := range byLot {
			for _, ev := range evs {
				if ev.Type == critmin.TransformationEvent && !seen[ev.EventID] {
					seen[ev.EventID] = true
					runIDs = append(runIDs, ev.EventID)
				}
			}
		}
		if len(runIDs) > 0 {
			if fed, err = cs.EventContentsByContainer(oc.ctx, runIDs); err != nil {
				return nil, err
			}
		}
	}
	var out []critmin.Packing
	for _, id := range sortedKeys(ids) {
		if lots[id] {
			seq := byLot[id]
			sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
			for _, p := range containedAtVia(id, seq, at, storedRunsFed(seq, fed)) {
				if ids[p.Child] {
					out = append(out, p)
				}
			}
			continue
		}
		for _, p := range c.Of(id) {
			if ids[p.Child] {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// packedBack says whether ev is one of the packings put back.
func packedBack(back []*critmin.Event, ev *critmin.Event) bool {
	for _, b := range back {
		if b == ev {
			return true
		}
	}
	return false
}

// contents is the composition of a container (an SSCC, a bag's parent)
// that has no origin of its own: what it held at time at (now when at is
// zero) — the lots and instances AggregationEvents dated at or before at
// packed into it and no DELETE up to then took out (ledger.Containment,
// Store.PackedIn) — combined by the dry tonnes packed (a line without a
// quantity packs the whole lot; a DELETE naming part of a lot leaves the
// rest inside). A run that fed the container reads it at the run's event
// time, so packing or unpacking after the run changes nothing of what the
// run made. ok is false when nothing is packed in it at that time. A
// child of unknown mass makes every share unknown, with anomaly
// input_mass_unknown.
func (oc *originCalc) contents(l *critmin.Lot, at time.Time) (*comp, bool, error) {
	if oc.s == nil {
		return nil, false, nil
	}
	id := epcis.Canonical(l.ID)
	into, err := oc.s.LotEdges(oc.ctx, []string{l.ID}, true)
	if err != nil {
		return nil, false, err
	}
	var kids []string
	for _, e := range into {
		if e.Kind == ledger.LinkAggregation {
			kids = append(kids, e.Parent)
		}
	}
	for _, ev := range oc.packBack {
		if epcis.Canonical(ev.ParentID) == id && ev.Action != "DELETE" {
			for _, k := range ledger.Children(ev) {
				kids = append(kids, k.Child)
			}
		}
	}
	if len(kids) == 0 {
		return nil, false, nil
	}
	packed, err := oc.packedIn(kids, at)
	if err != nil {
		return nil, false, err
	}
	// An unpacking of the container declared in error never happened:
	// what it took out is still inside (packedIn reads live events only),
	// and the origin says so, naming it (fix9y).
	oc.noteWithdrawnUnpackings(l.ID, at)
	var parts []part
	res := &comp{grades: map[string]float64{}, elem: map[string][3]mix{}, events: map[string]bool{}, origin: map[string]bool{}}
	var unknownMass []string
	for _, p := range packed {
		if epcis.Canonical(p.Container) != id {
			continue
		}
		if err := oc.load(p.Child); err != nil {
			return nil, false, err
		}
		c, err := oc.computeAt(p.Child, at)
		if err != nil {
			return nil, false, err
		}
		child := oc.lots[p.Child]
		var m float64
		lotWet := 0.0
		if child != nil && units.IsMass(child.UOM) {
			lotWet = child.WetTonnes
		}
		wet, known := ledger.PackedWet(p, lotWet)
		switch {
		case known:
			m = wet
			if child != nil && child.Moisture != nil {
				m *= 1 - *child.Moisture
			}
			if m <= 0 {
				continue // every tonne of it unpacked again
			}
		case c.contentT > 0:
			m = c.contentT // a container packed whole: what it holds
		default:
			unknownMass = append(unknownMass, fmt.Sprintf("%s (%s)", p.Child, keys(c.mass[dimCountry])))
		}
		parts = append(parts, part{p.Child, c, m})
		if p.EventID != "" {
			res.events[p.EventID] = true
		}
		for e := range c.events {
			res.events[e] = true
		}
		for o := range c.origin {
			res.origin[o] = true
		}
	}
	if len(parts) == 0 {
		return nil, false, nil
	}
	if len(unknownMass) > 0 {
		res.mass = unknownMix()
		oc.anomalies = append(oc.anomalies, Anomaly{Kind: "input_mass_unknown", Detail: fmt.Sprintf("the origin shares of container %s are unknown: its content %s %s no known mass, so what it holds is unknown, not none",
			l.ID, strings.Join(unknownMass, ", "), map[bool]string{true: "has", false: "have"}[len(unknownMass) == 1])})
		for _, pt := range parts {
			for e := range pt.c.elem {
				res.elem[e] = unknownMix()
			}
		}
		return res, true, nil
	}
	// The lots inside, nested containers opened, for credits.
	for _, pt := range parts {
		if len(pt.c.parts) == 0 || pt.c.contentT <= 0 {
			res.parts = append(res.parts, pt)
			continue
		}
		for _, in := range pt.c.parts {
			res.parts = append(res.parts, part{in.id, in.c, in.mass * pt.mass / pt.c.contentT})
		}
	}
	var total float64
	for _, pt := range parts {
		total += pt.mass
	}
	res.contentT = total
	for d := 0; d < 3; d++ {
		res.mass[d] = mix{}
		for _, pt := range parts {
			for k, f := range pt.c.mass[d] {
				res.mass[d][k] += pt.mass / total * f
			}
		}
	}
	// Packing changes no grade: an element measured in every part has
	// the contained-weighted grade and origin of its parts; one some part
	// was not assayed for has unknown shares.
	elems := map[string]bool{}
	for _, pt := range parts {
		for e := range pt.c.elem {
			elems[e] = true
		}
	}
	for e := range elems {
		var ct float64
		all := true
		for _, pt := range parts {
			g, ok := pt.c.grades[e]
			if !ok {
				all = false
				break
			}
			ct += pt.mass * g
		}
		if !all || ct == 0 {
			res.elem[e] = unknownMix()
			continue
		}
		res.grades[e] = ct / total
		// Each part's whole content with its origin mix and its part of
		// no recorded input (comp.whole), as a blend carries it: packing
		// a lot whose run gained keeps its unknown part.
		var m [3]mix
		var u float64
		for d := 0; d < 3; d++ {
			m[d] = mix{}
		}
		for _, pt := range parts {
			w := pt.mass * pt.c.grades[e]
			pm, pu := pt.c.wholeShares(e, oc.dryOfLot(pt.id))
			for d := 0; d < 3; d++ {
				for k, f := range pm[d] {
					m[d][k] += w / ct * f
				}
			}
			u += w * pu
		}
		res.elem[e] = m
		if u/ct > unrecordedFloor {
			if res.unrec == nil {
				res.unrec = map[string]float64{}
			}
			res.unrec[e] = u / ct
		}
	}
	return res, true, nil
}

// mineConflict reports whether a kept mix names a mine that master data
// (read now) places in a country the mix does not hold: master data that
// arrived after the mix was kept may contradict an origin lot's stated
// country (origin_conflict), so the lot is computed on demand instead.
func mineConflict(m *Mix, sm map[string]*critmin.Site) bool {
	for k := range m.Mass[dimMine] {
		if k == Unknown {
			continue
		}
		if s, ok := sm[siteKey(k)]; ok && (s.CountryConflict != "" || s.Country != "" && m.Mass[dimCountry][s.Country] == 0) {
			return true
		}
	}
	return false
}

// kindWords are site kinds as anomalies name them ("" is no kind).
func kindWords(kinds []string) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k
		if k == "" {
			out[i] = "no kind"
		}
	}
	return out
}
