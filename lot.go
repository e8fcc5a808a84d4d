package critmin

import (
	"context"
	"strings"
	"time"
)

// Lot statuses, derived from the lot's latest events.
const (
	LotInStock   = "in_stock"
	LotInTransit = "in_transit"
	LotConsumed  = "consumed"
	LotUnknown   = "unknown"
	// LotNotInRecord marks, in lot lists, a lot whose making event is
	// declared in error with no standing event making it before an event
	// acted on it (EPCIS 2.0 §7.4.1.2; custody.UnmadeLotOf): it is in no
	// stock, supply or balance, and GET /api/v1/lots/{id} answers 410.
	// No projection stores it; the list views set it.
	LotNotInRecord = "not_in_record"
)

// LotStatuses are every status a lot list prints, in the order the
// filters offer them: each is a filter the list takes (GET
// /api/v1/lots?status=, its CSV, the /lots page), and the OpenAPI enum
// lists the same (fixSs: not_in_record was printed but refused as a
// filter).
var LotStatuses = []string{LotInStock, LotInTransit, LotConsumed, LotUnknown, LotNotInRecord}

// Lot is the mineral view of one class-level identifier (an LGTIN, a
// Digital Link URI or any URI naming a lot): what it is, how much, what is
// in it, where it came from, where it is and who holds it. The ledger
// projects it from the lot's events.
type Lot struct {
	ID        string
	Commodity string
	// Quantity is the latest stated quantity in UOM; WetTonnes and
	// DryTonnes are derived from it and the moisture where the UOM is a mass.
	Quantity  float64
	UOM       string
	WetTonnes float64
	// DryTonnes is the lot's dry mass: the rest of the lot where it
	// stands (WetTonnes less PartsTonnes) by Moisture, plus each part by
	// its own moisture (PartsDryTonnes); WetTonnes × (1 − Moisture) when
	// the parts hold the lot's moisture or there are none.
	DryTonnes float64
	// Moisture is a fraction (0.08 = 8 %) of the lot's main body, where
	// it stands; nil when unknown. A part sent away holds its own
	// (LotPart.Moisture). Without parts it is the whole lot's.
	Moisture      *float64
	Assays        []Assay
	OriginCountry string
	OriginMine    string
	Supplier      string
	Location      string // latest bizLocation
	ReadPoint     string
	Status        string
	Disposition   string
	Owner         string
	Custodian     string
	FirstEventAt  time.Time
	LastEventAt   time.Time
	EventCount    int
	// Parents are lots consumed by a transformation that produced this lot;
	// Children are lots produced from it.
	Parents  []string
	Children []string
	// OriginClaim is the origin mix the producer claims for the lot (by
	// ISO alpha-3, fractions), checked against mass-balance credits.
	OriginClaim map[string]float64
	// TakenTonnes is the wet tonnes that runs have taken of the lot by
	// stating an input quantity (ledger.Project). A lot part-consumed
	// stays in stock with RemainingWetTonnes left.
	TakenTonnes float64
	// Parts are the parts of the lot that movements sent away from where
	// the rest of it stays: a shipping, departing, loading or transporting
	// event whose quantityList states less than what remains of the lot
	// (EPCIS 2.0 §7.3.x: an ObjectEvent's quantity is what that event
	// observed, not necessarily the whole lot). A part leaves Quantity, the
	// lot's total, alone (ledger.Project; docs/identity.md, "Parts moved").
	Parts []LotPart `json:",omitempty"`
	// Material is whether the identifier is a lot of its own: an event
	// named it by class (a quantity line) or stated mineral facts of it
	// (ledger.Project). An instance only ever named in an inputEPCList or
	// outputEPCList — an SSCC fed whole, which stands for its packed
	// contents, or an SGTIN of a lot — is not: the projection keeps no lot
	// for it (docs/identity.md, "Instances as lots"). Not stored: every
	// stored lot is material.
	Material bool `json:"-"`
}

// RemainingWetTonnes is what is left of a lot where it stands after the
// runs that took a stated part of it and the movements that sent parts
// away: its total mass less the sum taken and the parts (PartsTonnes), at
// least 0 (wet tonnes). A consumed lot has none left.
func (l *Lot) RemainingWetTonnes() float64 {
	if l.Status == LotConsumed {
		return 0
	}
	return max(0, l.WetTonnes-l.TakenTonnes-l.PartsTonnes())
}

// LotPart states of a part a movement sent away: in_transit until a
// receipt closes it, then received; rejoined when that receipt (or the
// body's arrival) was where the lot's body stands: the part is then the
// body's again — its mass and moisture are the body's, it counts in no
// Σ parts, and the part stays listed for its history (ledger.Project;
// docs/identity.md, "Parts moved").
const (
	PartInTransit = "in_transit"
	PartReceived  = "received"
	PartRejoined  = "rejoined"
)

// LotPart is one part of a lot that a movement sent away (Lot.Parts):
// Tonnes wet as the dispatching event stated them (the loading weight),
// from the lot's location From, until a receipt records ReceivedTonnes at
// To (the outturn weight), which then counts in the lot's total (Mass).
type LotPart struct {
	Tonnes       float64 `json:"tonnes"`
	Status       string  `json:"status"`
	From         string  `json:"from,omitempty"`
	To           string  `json:"to,omitempty"`
	BillOfLading string  `json:"billOfLading,omitempty"`
	ShipEventID  string  `json:"shipEventID"`
	// DispatchStep is the CBV step (departing, loading, …) of the
	// dispatch that sent the part (ShipEventID) when it was not a
	// shipping, "" once a shipping moved it. A shipping by a line
	// under the part's bill of lading from where the body stands, of
	// the part's weight, is a further step of a part a departing or a
	// loading sent, and another part of the trip of one a shipping sent
	// (ledger.joinsTrip; new-user check W4).
	DispatchStep string `json:"dispatchStep,omitempty"`
	// Containers are the containers (canonical identifiers) the part
	// left in when the dispatches that sent it named the lot only by its
	// containers (their carried lines, ledger.WithContents). A later
	// dispatch under the part's bill of lading from where the body
	// stands, naming none of them, joins the part's trip
	// (ledger.joinsTrip): one trip's containers dispatched one event
	// each.
	Containers []string `json:"containers,omitempty"`
	// Joins are the later dispatches under the part's bill of lading
	// that joined its trip (ledger.joinsTrip), with the wet tonnes each
	// added to Tonnes: the part's own dispatch (ShipEventID) sent
	// Tonnes − Σ Joins of what was sent in it.
	Joins []OnwardTake `json:"joins,omitempty"`
	// ReceivedTonnes and ReceiptEventID are set by the receipt: the
	// event that received the part where it went, kept when the part
	// later rejoins the body (RejoinEventID).
	ReceivedTonnes float64 `json:"receivedTonnes,omitempty"`
	ReceiptEventID string  `json:"receiptEventID,omitempty"`
	// RejoinEventID is the event that made a rejoined part (PartRejoined)
	// the body's again: its own receipt where the body stands, or the
	// body's receipt (or any event moving the body) at the site where the
	// part stood. Before issue 15's fix15y that event overwrote
	// ReceiptEventID, and the part's receipt read as the body's. "" for a
	// part that has not rejoined.
	RejoinEventID string `json:"rejoinEventID,omitempty"`
	// TakenTonnes is what runs where the part was received took of it
	// (wet tonnes; all of it for an input line without a quantity), and
	// RunTakes what each run's event took (ledger.RunInputMoisture dries
	// each at the part's own moisture).
	TakenTonnes float64   `json:"takenTonnes,omitempty"`
	RunTakes    []RunTake `json:"runTakes,omitempty"`
	// WeighedTonnes and WeighEventID are set by a later weighing of the
	// part where it was received (an event observing the lot there with
	// a quantity, or a Mass sensor report): the part's wet mass as last
	// weighed, which replaces its shipped weight in the lot's total
	// (Lot.PartsTonnes) and its received weight in what runs there take.
	WeighedTonnes *float64 `json:"weighedTonnes,omitempty"`
	WeighEventID  string   `json:"weighEventID,omitempty"`
	// WeighedThereTonnes and WeighedAt are what that weighing weighed of
	// the part where it stood (its share of the weighing, wet tonnes)
	// and the weighing's event time: WeighedTonnes less what had left
	// the site before it (ShippedOnTonnes, TakenTonnes as they stood
	// then). 10 t received, 4 t shipped on, then weighed 6.1 t: 6.1 t,
	// WeighedTonnes 10.1 t; a later shipment from there leaves both as
	// they were (issue 15, fix15zb: the part's "weighed there" read
	// 10.1 t, counting the 4 t gone before the weighing). nil for a part
	// not weighed where it was received (or projected before fix15zb:
	// migration 0113 replays them).
	WeighedThereTonnes *float64   `json:"weighedThereTonnes,omitempty"`
	WeighedAt          *time.Time `json:"weighedAt,omitempty"`
	// ShippedOnTonnes is what dispatches from where the part was received
	// sent on of it (wet tonnes as they stated them): onward parts under
	// new bills of lading, each a LotPart of its own whose OnwardOf names
	// this part (its ShipEventID). An onward part leaves From where this
	// part was received (ledger.Project, parts.go).
	ShippedOnTonnes float64 `json:"shippedOnTonnes,omitempty"`
	OnwardOf        string  `json:"onwardOf,omitempty"`
	// OnwardFrom lists every received part an onward part was carved
	// out of (OnwardOf names only the first), with the wet tonnes it
	// took of each: 20 t shipped on from two 15 t parts received at one
	// port takes 15 t of the first and 5 t of the second (issue 15,
	// fix15t). Empty for a part that is not onward.
	OnwardFrom []OnwardTake `json:"onwardFrom,omitempty"`
	// FromRetracted flags a dispatch from a place where nothing of the
	// holding it draws on stood when it is replayed — it shipped on from
	// a part whose receipt was then declared in error, named a source
	// owner whose holding there a declaration took away, or shipped more
	// than that holding held (the anomaly "ships from a receipt declared
	// in error"; issue 15, fix15q). Such a part takes from nothing: it is
	// not counted in the lot's parts, in transit, received or standing,
	// and its receipt receives nothing (ledger's shipFromNothing).
	FromRetracted bool `json:"fromRetracted,omitempty"`
	// LeftFrom is, for a part shipped from nothing (FromRetracted), the
	// source parties its dispatch named and what stood of the lot where
	// it left when it left: the holdings its flag is worded from
	// (ledger.FromNothingText; issue 15, fix15zh: lot NU-B1's 6 t
	// shipped from Karachi naming USSM read "nothing of the lot stood
	// there when it left" where the smelter's 5 t stood). nil for any
	// other part, and for a flagged part projected before fix15zh
	// (migration 0116 replays them).
	LeftFrom *LeftFrom `json:"leftFrom,omitempty"`
	// Moisture is the part's own moisture, a fraction of its wet mass
	// (0.08 = 8 %, as-received basis, as Lot.Moisture): the lot's where
	// it stood when the part was shipped (for an onward part, the
	// mass-weighted mean of what it took of each part it was shipped on
	// from, Σ tᵢ·mᵢ / Σ tᵢ, ledger's shipOnward), until a moisture
	// reading where the part was received — or on its dispatch or
	// receipt — measures it
	// (MoistureEventID names that event; "" for the moisture it left
	// with). nil: the part left before any moisture was known; it then
	// reads the lot's (PartMoisture). A reading on one part never sets
	// the rest of the lot's, nor the reverse (ledger.Project, parts.go;
	// docs/identity.md, "Parts moved").
	Moisture        *float64 `json:"moisture,omitempty"`
	MoistureEventID string   `json:"moistureEventID,omitempty"`
	// Owner and Custodian are the part's own parties (party IDs as the
	// events spell them): the lot's when the part was shipped (for an
	// onward part, the part it was shipped on from), until its receipt
	// names a destination of type owning_party or possessing_party —
	// ownership and custody pass at the receipt for what was received
	// (CBV 2.0 §7.5, source/destination types; issue 15, fix15o: a part
	// received at Houston by USSM read the lot's owner, FWO). A part
	// received where the body stands rejoins it, and a party its receipt
	// names becomes the body's (Lot.Owner, Lot.Custodian); otherwise the
	// body's stay (ledger.Project, parts.go; docs/identity.md, "Parts
	// moved"). "" for a part stored before fix15o: it reads the lot's
	// (Lot.PartOwner, Lot.PartCustodian).
	Owner     string `json:"owner,omitempty"`
	Custodian string `json:"custodian,omitempty"`
	// Owners and Custodians list every owner and custodian of a part
	// shipped of several parties' holdings at one site (an onward
	// shipment taking 6 t of BUY1's received part and 4 t of BUY2's
	// body: Owners BUY1, BUY2), Owner and Custodian being the first
	// (issue 15, fix15l item 2: the whole part read the first owner's).
	// nil for a part of one owner (custodian); a receipt naming a
	// destination party makes it that party's alone. The carrier is not
	// a custodian unless an event names it possessing_party. Read them
	// through Lot.PartOwners, Lot.PartCustodians.
	Owners     []string `json:"owners,omitempty"`
	Custodians []string `json:"custodians,omitempty"`
	// Assays are the part's own assays, the latest per analyte and basis
	// as the lot keeps them (Lot.Assays): the lot's where it stood when
	// the part was shipped (for an onward part, those of the part it was
	// shipped on from), until an assay where the part was received — or
	// on its dispatch or receipt — measures it. An assay is of what stood
	// where it was taken (docs/origin.md; issue 15, fix15a): an assay of
	// the part never sets the rest of the lot's grades, nor the reverse.
	// nil: the part left before any assay was known (or was stored
	// before fix15a); it then reads the lot's (Lot.PartAssays).
	Assays []Assay `json:"assays,omitempty"`
}

// PartAssays is part p's assays (LotPart.Assays), else the lot's: the
// list whose newest of each element (ledger.LatestAssays) is the part's
// grade.
func (l *Lot) PartAssays(p LotPart) []Assay {
	if p.Assays != nil {
		return p.Assays
	}
	return l.Assays
}

// PartOwner is part p's owner: its own (LotPart.Owner), else the lot's.
func (l *Lot) PartOwner(p LotPart) string {
	if p.Owner != "" {
		return p.Owner
	}
	return l.Owner
}

// PartCustodian is part p's custodian: its own (LotPart.Custodian), else
// the lot's.
func (l *Lot) PartCustodian(p LotPart) string {
	if p.Custodian != "" {
		return p.Custodian
	}
	return l.Custodian
}

// PartOwners is every owner of part p (LotPart.Owners), else its one
// owner (PartOwner; nil when none is known). A part shipped from a
// receipt declared in error (FromRetracted) names only the owner its
// dispatch named: nothing of the lot stood where it left, so the lot's
// parties are not its own (issue 15, fix15v; docs/identity.md,
// "Shipping from a receipt declared in error").
func (l *Lot) PartOwners(p LotPart) []string {
	if len(p.Owners) > 0 {
		return p.Owners
	}
	if p.FromRetracted {
		return nonEmpty(p.Owner)
	}
	if o := l.PartOwner(p); o != "" {
		return []string{o}
	}
	return nil
}

// PartCustodians is every custodian of part p (LotPart.Custodians), else
// its one custodian (PartCustodian; nil when none is known); for a part
// shipped from a receipt declared in error, the custodian its dispatch
// named, if any (as PartOwners: it read the lot's custodian at the site
// the lot had left, nu15f 7).
func (l *Lot) PartCustodians(p LotPart) []string {
	if len(p.Custodians) > 0 {
		return p.Custodians
	}
	if p.FromRetracted {
		return nonEmpty(p.Custodian)
	}
	if c := l.PartCustodian(p); c != "" {
		return []string{c}
	}
	return nil
}

// nonEmpty is []string{s}, nil for "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// LeftFrom is what a dispatch that took nothing (LotPart.FromRetracted)
// found where it left: SourceOwner and SourceCustodian are the source
// owning_party and possessing_party it named ("" for none: it drew on
// whatever stood there), Stood what stood of the lot there when it
// left, one entry per owner and custodian pair (the holdings there,
// ledger.SiteStanding.Holdings); empty when nothing of the lot stood
// there.
type LeftFrom struct {
	SourceOwner     string        `json:"sourceOwner,omitempty"`
	SourceCustodian string        `json:"sourceCustodian,omitempty"`
	Stood           []PartyTonnes `json:"stood,omitempty"`
}

// PartyTonnes is the wet tonnes of a lot one owner and custodian pair
// held at one place ("" for a party not known).
type PartyTonnes struct {
	Owner     string  `json:"owner,omitempty"`
	Custodian string  `json:"custodian,omitempty"`
	WetTonnes float64 `json:"wetTonnes"`
}

// OnwardTake is what an onward part took of one received part
// (LotPart.OnwardFrom): that part's ShipEventID and the wet tonnes taken.
type OnwardTake struct {
	ShipEventID string  `json:"shipEventID"`
	Tonnes      float64 `json:"tonnes"`
}

// RejoinedBy is the event that made a rejoined part the body's again:
// RejoinEventID, else — a lot projected before it was kept (issue 15,
// fix15y; migration 0102 replays them) — ReceiptEventID, which held it
// then. "" for a part that has not rejoined.
func (p LotPart) RejoinedBy() string {
	if p.Status != PartRejoined {
		return ""
	}
	if p.RejoinEventID != "" {
		return p.RejoinEventID
	}
	return p.ReceiptEventID
}

// RunTake is what one run's event took of a received part
// (LotPart.RunTakes): the event's EventID and the wet tonnes taken of
// that part, first in first out by the order the parts were shipped
// (issue 15, fix15y). Moisture is the part's moisture (a fraction) when
// the run took of it, which a later reading there does not change: what
// the run took was dried at that moisture (issue 15, fix15n N3); nil
// when unknown then, or on a take recorded before it was kept.
type RunTake struct {
	EventID  string   `json:"eventID"`
	Tonnes   float64  `json:"tonnes"`
	Moisture *float64 `json:"moisture,omitempty"`
}

// DryTonnes is dry tonnes of what the part counts for in the lot's
// total (Mass less ShippedOnTonnes, as PartsTonnes counts it): what runs
// took of it (RunTakes) each at the moisture it was taken at, and the
// rest by its own moisture, else lotMoisture (the lot's, Lot.Moisture),
// else none (taken as dry, as a lot without moisture is): wet × (1 −
// moisture). A later reading where the part stands dries only what is
// left of it (issue 15, fix15c3: 5.02 t received at 11 %, 2 t taken by
// a run, then 12 % read: 2 × 0.89 + 3.02 × 0.88 = 4.4376 t, not 5.02 ×
// 0.88 = 4.4176 t). A take of unknown moisture reads the part's. 0 for a
// part shipped from nothing (FromRetracted). A rejoined part
// (PartRejoined) reads what it was; Lot.PartsDryTonnes leaves it out.
func (p LotPart) DryTonnes(lotMoisture *float64) float64 {
	if p.FromRetracted {
		return 0
	}
	wet := p.Mass() - p.ShippedOnTonnes
	m := p.MoistureOr(lotMoisture)
	var dry float64
	for _, rt := range p.RunTakes {
		if rt.Moisture == nil || rt.Tonnes <= 0 || rt.Tonnes > wet+1e-9 {
			continue // read at the part's moisture below
		}
		wet -= rt.Tonnes
		dry += rt.Tonnes * (1 - *rt.Moisture)
	}
	if m != nil {
		return dry + wet*(1-*m)
	}
	return dry + wet
}

// takesDriedApart says whether a run's take of p was dried at a
// moisture other than m, the part's now (LotPart.DryTonnes).
func (p LotPart) takesDriedApart(m *float64) bool {
	for _, rt := range p.RunTakes {
		if rt.Moisture != nil && rt.Tonnes > 0 && (m == nil || *rt.Moisture != *m) {
			return true
		}
	}
	return false
}

// DriedAtLotMoisture says whether each tonne of part p is dry at
// lotMoisture (its own moisture, and every run's take of it, are the
// lot's, or unknown), so that the lot's dry mass need not count it
// apart (ledger's derive).
func (p LotPart) DriedAtLotMoisture(lotMoisture *float64) bool {
	m := p.MoistureOr(lotMoisture)
	if (m == nil) != (lotMoisture == nil) || (m != nil && *m != *lotMoisture) {
		return false
	}
	return !p.takesDriedApart(lotMoisture)
}

// MoistureOr is the part's moisture (a fraction), else lotMoisture.
func (p LotPart) MoistureOr(lotMoisture *float64) *float64 {
	if p.Moisture != nil {
		return p.Moisture
	}
	return lotMoisture
}

// PartMoisture is part p's moisture (a fraction), else the lot's; nil
// when neither is known.
func (l *Lot) PartMoisture(p LotPart) *float64 {
	return p.MoistureOr(l.Moisture)
}

// RestDryTonnes is the dry tonnes of the lot that are not in its parts
// (its main body where it stands, what runs took of it included):
// DryTonnes less PartsDryTonnes.
func (l *Lot) RestDryTonnes() float64 {
	return l.DryTonnes - l.PartsDryTonnes()
}

// PartsDryTonnes is the dry tonnes of the lot's parts, each by its own
// moisture (LotPart.DryTonnes): Σ parts' dry, which DryTonnes adds to
// the rest of the lot's (the body where the lot stands, by Moisture).
func (l *Lot) PartsDryTonnes() float64 {
	var t float64
	for _, p := range l.Parts {
		if p.Status != PartRejoined {
			t += p.DryTonnes(l.Moisture)
		}
	}
	return t
}

// Mass is the part's wet tonnes as the lot's total counts it: its last
// weighing where it was received, else its received (outturn) weight once
// a receipt stated one, else its shipped (loading) weight. A port or
// refinery books what arrived as it weighed it on arrival (the outturn
// weight, CBV 2.0 receiving: the receipt's quantity is what was
// received); the loading weight stays on the shipping event and the
// difference is the part's outturn (ledger.Outturns).
func (p LotPart) Mass() float64 {
	switch {
	case p.WeighedTonnes != nil:
		return *p.WeighedTonnes
	case (p.Status == PartReceived || p.Status == PartRejoined) && p.ReceivedTonnes > 0:
		// A rejoined part was received too: what it brought back to the
		// body is its received weight (issue 15, fix15r item 7).
		return p.ReceivedTonnes
	}
	return p.Tonnes
}

// ReceivedMass is the part's wet tonnes where it was received, which
// runs there take from: its last weighing there, else its received
// weight, else (a receipt that stated none) its shipped weight.
func (p LotPart) ReceivedMass() float64 {
	switch {
	case p.WeighedTonnes != nil:
		return *p.WeighedTonnes
	case p.ReceivedTonnes > 0:
		return p.ReceivedTonnes
	}
	return p.Tonnes
}

// LeftTonnes is what remains of a received part where it was received:
// its ReceivedMass less what runs there took of it and what was shipped
// on from there (ShippedOnTonnes), at least 0; 0 for a part in transit.
func (p LotPart) LeftTonnes() float64 {
	if p.Status != PartReceived {
		return 0
	}
	return max(0, p.ReceivedMass()-p.TakenTonnes-p.ShippedOnTonnes)
}

// PartRemainingWetTonnes is what remains of part p of lot l, as the
// lot's whereabouts count it (ledger.StandsAt, ledger.AtSea): a part in
// transit the tonnes it was shipped with (as InTransitTonnes), a
// received part what is left of it where it was received (LeftTonnes:
// what runs there took and what was shipped on from there are gone);
// nothing of a part shipped from nothing (FromRetracted), of one that
// rejoined the body (the body counts it), of a received part with no
// site, or of a received part of a consumed lot. LotPart.DryTonnes is
// instead what the part counts for in the lot's total, what runs took
// of it included (issue 15, fix15zh: a 5 t part at 8 %, 4.01 t of it
// taken by runs, read "dry 4.6 dmt" where 0.99 × 0.92 = 0.9108 dmt
// stood).
func (l *Lot) PartRemainingWetTonnes(p LotPart) float64 {
	switch {
	case p.FromRetracted || p.Status == PartRejoined:
		return 0
	case p.Status == PartInTransit:
		return p.Tonnes
	case l.Status == LotConsumed || p.To == "":
		return 0
	}
	return p.LeftTonnes()
}

// PartRemainingDryTonnes is PartRemainingWetTonnes dry by the part's
// moisture now (PartMoisture; none known: taken as dry): wet × (1 −
// moisture). What runs took went at the moisture it was taken at, and
// counts here no more.
func (l *Lot) PartRemainingDryTonnes(p LotPart) float64 {
	wet := l.PartRemainingWetTonnes(p)
	if m := l.PartMoisture(p); m != nil {
		return wet * (1 - *m)
	}
	return wet
}

// PartsTonnes is the wet tonnes of the lot that movements sent away as
// parts (Σ Parts' Mass: shipped tonnes, or the last weighing of a part
// where it was received), in transit or received elsewhere — not a part
// shipped from nothing (FromRetracted), nor one that rejoined the body
// (PartRejoined: it is the body's again). An onward
// part is carved out of the received part it was shipped on from, whose
// ShippedOnTonnes it takes off: 10 t received at Houston of which 6 t
// were shipped on count 10 − 6 + 6 = 10 t, not 16.
func (l *Lot) PartsTonnes() float64 {
	var t float64
	for _, p := range l.Parts {
		if !p.FromRetracted && p.Status != PartRejoined {
			t += p.Mass() - p.ShippedOnTonnes
		}
	}
	return t
}

// InTransitTonnes is the wet tonnes of the parts still in transit
// (shipped tonnes of the parts no receipt has closed), not those shipped
// from nothing (FromRetracted).
func (l *Lot) InTransitTonnes() float64 {
	var t float64
	for _, p := range l.Parts {
		if p.Status == PartInTransit && !p.FromRetracted {
			t += p.Tonnes
		}
	}
	return t
}

// RemainingDryTonnes is RemainingWetTonnes on the dry basis, by the
// moisture of the lot's main body (Moisture; its parts hold their own):
// remaining wet × (1 − moisture); a lot without moisture is taken as
// dry, as DryTonnes is.
func (l *Lot) RemainingDryTonnes() float64 {
	if l.WetTonnes <= 0 {
		return 0
	}
	if l.Moisture != nil {
		return l.RemainingWetTonnes() * (1 - *l.Moisture)
	}
	return l.RemainingWetTonnes()
}

// Assay is the content of one analyte (element or oxide) in a lot.
type Assay struct {
	Analyte string  `json:"analyte"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit"`  // "%", "g/t" or "ppm"
	Basis   string  `json:"basis"` // "dry" or "as_received"
	// BasisNotStated says the assay came without cm:basis and is read as
	// dry (docs/origin.md, "An assay's basis"): the lot page, the origin
	// (anomaly basis_not_stated) and the certificate say so. Capture
	// refuses such an assay since issue 9; only events stored before
	// carry the mark.
	BasisNotStated bool `json:"basisNotStated,omitempty"`
	// Moisture is the moisture fraction measured with an as-received
	// assay (same event), which converts it to dry: dry = value / (1 − m).
	Moisture *float64 `json:"moisture,omitempty"`
	// EventID names the event that reported it.
	EventID string    `json:"eventID,omitempty"`
	At      time.Time `json:"at"`
}

// MineralFacts is the mineral-extension content of one event: what the
// critmin mineral namespace says about the lots the event names.
type MineralFacts struct {
	Commodity     string
	OriginCountry string
	OriginMine    string
	Supplier      string
	Moisture      *float64
	Assays        []Assay
	OriginClaim   map[string]float64
	// MassTonnes is a later measured wet mass of the lot (a Mass sensor
	// report), in tonnes; it replaces the lot's quantity.
	MassTonnes *float64
	// BasisMissingAt are the members of the event holding an assay that
	// states no cm:basis ("/ilmd/cm:assay/0", a sensor report's pointer):
	// capture refuses them (ledger.MissingBasis); not stored.
	BasisMissingAt []string `json:"-"`
	// MoistureAt is the member of the event that states Moisture
	// ("/ilmd/cm:moisture", "/sensorElementList/0/sensorReport/0"), for
	// a refusal to point at; not stored.
	MoistureAt string `json:"-"`
}

// LotFilter selects lots for listing.
type LotFilter struct {
	Commodity string
	Status    string
	// Location selects the lots at a site: stored there and not in
	// transit (a lot at sea is at no site, though the store keeps the
	// port it left).
	Location string
	// LastLocation selects the lots whose latest bizLocation is the site,
	// in transit from it or not (lastLocation in the lot view).
	LastLocation string
	// InTransit selects the lots with anything in transit: the lot as a
	// whole (status in_transit) or any of its parts (a LotPart with
	// status in_transit, the rest of the lot where it stands).
	InTransit bool
	Limit     int
	Offset    int
}

// Site kinds of the mineral extension's site master data.
const (
	SiteMine      = "mine"
	SitePort      = "port"
	SiteRefinery  = "refinery"
	SiteWarehouse = "warehouse"
	SiteCustomer  = "customer"
	SiteOther     = "other"
)

// Site is a location named in events, with what master data tells of it.
type Site struct {
	ID      string
	Name    string
	Kind    string
	Country string // ISO 3166 alpha-3
	// CountryConflict names the country attributes of the site's master
	// data, with their values, where they disagree (SiteCountry): Country
	// is then "", and the origin of a lot first recorded there is in
	// conflict (custody: origin_conflict), never the friendlier country.
	CountryConflict string
	// CountryVersions is every country the versions of the site's master
	// data gave it, oldest first, where a later version changed it (then
	// Country is "" and CountryConflict names the change). A site does
	// not move: a covered-country rule fails if any of them is covered
	// (DFARS 252.225-7052 reads where material was mined and processed).
	CountryVersions []string
	// Within is the location this one lies inside, as master data or the
	// event spells it ("" for none): the GLN of a GLN sub-location (an
	// SGLN extension other than 0, Digital Link AI 254: GS1 General
	// Specifications §3.4.2), or the element whose master-data children
	// list it (EPCIS 2.0 §8). A location is read with its parents: with no
	// country of its own it has its parent's; given a country other than
	// a parent's (a store from before capture refused that) it is in no
	// one country, every country in CountryVersions.
	Within string
	// OwnCountry is the country the location's own master data gives
	// (SiteCountry, "" for none or a conflict), before its parents are
	// read.
	OwnCountry string
	// Contains is the canonical identifiers master data lists among the
	// location's children (EPCIS 2.0 §8), sorted: the locations inside it.
	Contains []string
	// KindVersions is every cm:siteKind (lower case) the versions of the
	// site's master data gave it, oldest first, where a later version
	// changed it (a store from before capture refused that; Kind is the
	// latest). A site does not change kind: rules read it the covered way
	// (WasKind, AlwaysKind).
	KindVersions []string
	UNLocode     string
	// CustodyModel is the site's ISO 22095 chain-of-custody model
	// (identity_preserved, segregated, controlled_blending, mass_balance),
	// from master data; empty means controlled blending.
	CustodyModel string
	// Certification is a certification or audit on record for the site,
	// valid from CertValidFrom to CertValidUntil (dates, inclusive).
	Certification  string
	CertValidFrom  string
	CertValidUntil string
	Lat            *float64
	Lon            *float64
	// ElementTolerance is the relative tolerance (0.01 = 1 %) the site
	// declares for element balances of its runs (cm:elementTolerance);
	// nil: custody.DefaultElementTolerance.
	ElementTolerance *float64
	// ToleranceVersions are the site's cm:elementTolerance in each version
	// of its master data, oldest first (master data is versioned by record
	// time), where any version declares one: a run is judged by the
	// tolerance in force when it was recorded (ToleranceAt), so a later
	// master-data change never clears, nor adds, an earlier run's gain
	// (issue 9, nu38b-1). Empty: ElementTolerance holds at every time.
	ToleranceVersions []ToleranceVersion
	// ModelVersions are the site's cm:custodyModel in each version of its
	// master data, oldest first, where any version declares one, and
	// CertVersions its cm:certification with its validity dates in each
	// version, where any version declares one: an event is read under the
	// version in force when it was recorded (ModelAt, CertAt), as
	// ToleranceVersions are — a later version neither rewrites the model
	// an earlier run was judged under nor certifies an event recorded
	// before it. Empty: CustodyModel, Certification hold at every time.
	ModelVersions []ModelVersion
	CertVersions  []CertVersion
	// Lots is the number of lots whose latest location is this site.
	Lots int
}

// ModelVersion is a site's cm:custodyModel ("" none) in the version of
// its master data recorded at RecordTime.
type ModelVersion struct {
	RecordTime time.Time
	Model      string
}

// CertVersion is a site's cm:certification ("" none) and its validity
// dates in the version of its master data recorded at RecordTime.
type CertVersion struct {
	RecordTime                           time.Time
	Certification, ValidFrom, ValidUntil string
}

// Party is an owning or possessing party named in events or master data.
type Party struct {
	ID      string
	Name    string
	Country string
}

// MasterDataElement is one EPCIS vocabulary element (EPCIS 2.0 §7.2) from
// a document header: a location or party with its attributes and the
// identifiers of its children (the hierarchy WD_ queries follow, EPCIS 2.0
// §8.2.7.1). Attribute values are text; structured ones are kept as JSON.
type MasterDataElement struct {
	Type       string
	ID         string
	Attributes map[string]string
	Children   []string `json:",omitempty"`
	// AttributeIRIs maps each attribute name as written to the IRI it
	// expands to through the capture's @context (EPCIS 2.0 §7.2: an
	// attribute name is a URI; a CURIE is a compact form of one), so that
	// HASATTR_ and EQ_ATTR_ compare IRIs whatever the spelling. Captures
	// stored before it was recorded have none: their names are indexed as
	// written, with the standard prefixes expanded.
	AttributeIRIs map[string]string `json:",omitempty"`
	// AttributeValues lists, for a multi-valued attribute (repeated, or a
	// JSON array value), each of its values as text, which EQ_ATTR_
	// compares one by one (EPCIS 2.0 §8.2.7.1); a scalar whose text starts
	// with "[" is listed as its one value. Other attributes have their
	// Attributes text as their one value. Captures stored before it was
	// recorded have none: a value that reads as a JSON array is then
	// indexed as its elements.
	AttributeValues map[string][]string `json:",omitempty"`
	// Prefixes are the prefix definitions of the capture's @context (each
	// term with the IRI it is bound to), recorded on the first element of
	// a capture only, so that every prefix a master-data document declares
	// is known to queries whether or not an attribute or an event uses it
	// (Store.DeclaredPrefixes reads them from the audit log's master-data
	// entries). Captures stored before they were recorded have none.
	Prefixes map[string]string `json:",omitempty"`
}

// MasterDataVersion is a vocabulary element as one capture set it. Master
// data is versioned by record time: a capture that names an element again
// replaces its attributes and children from its record time on, and the
// earlier versions are kept.
type MasterDataVersion struct {
	MasterDataElement
	RecordTime time.Time
}

// MasterDataStore reads captured master data.
type MasterDataStore interface {
	// MasterDataHistory lists every version of one vocabulary element,
	// oldest first; ENOTFOUND if none was captured.
	MasterDataHistory(ctx context.Context, vtype, id string) ([]MasterDataVersion, error)
}

// LedgerStats summarises the ledger for the overview.
type LedgerStats struct {
	Events           int64
	Lots             int64
	TonnesInTransit  float64
	LotsByCommodity  []CommodityStatus
	RecentEvents     []*Event
	Sites            []*Site
	Flows            []Flow
	CaptureJobsTotal int64
}

// CommodityStatus counts lots and tonnes of one commodity in one status:
// Lots the lots of that status, Tonnes the wet tonnes of the commodity's
// lots in that state — a part at sea counts in transit, not under its
// lot's status (issue 15, fix15u), so the rows add up to the lots' mass
// with nothing counted twice.
type CommodityStatus struct {
	Commodity string
	Status    string
	Lots      int64
	Tonnes    float64
	// Parts counts the lots of another status part of which is in
	// Tonnes (a part at sea of a lot in stock): the row's tonnes are not
	// Lots' alone (new-user finding nu37b-6: "in transit · 0 lots ·
	// 1.15 t").
	Parts int
}

// Flow is tonnage that moved from one site to another, from shipping and
// receiving events; the overview draws the corridor from it.
type Flow struct {
	From   string
	To     string
	Tonnes float64
	Lots   int
	// ByCommodity is Tonnes split by the commodity of the lots that
	// moved, largest first (the overview map draws one line each).
	ByCommodity []CommodityTonnes
}

// CommodityTonnes is the tonnes of one commodity.
type CommodityTonnes struct {
	Commodity string
	Tonnes    float64
}

// LotStore reads the mineral view projected from events.
type LotStore interface {
	FindLot(ctx context.Context, id string) (*Lot, error)
	// FindLotsByID returns the lots that exist among ids, without their
	// genealogy links, in one round trip per few hundred ids.
	FindLotsByID(ctx context.Context, ids []string) ([]*Lot, error)
	FindLots(ctx context.Context, f LotFilter) ([]*Lot, int, error)
	FindSites(ctx context.Context) ([]*Site, error)
	FindParties(ctx context.Context) ([]*Party, error)
	Stats(ctx context.Context) (*LedgerStats, error)
}

// LotEdge is a genealogy edge: material of Parent went into Child in one
// event, with the quantities the event stated for each side.
type LotEdge struct {
	Parent      string    `json:"from"`
	Child       string    `json:"to"`
	EventID     string    `json:"eventID"`
	Kind        string    `json:"kind"`
	ParentQty   *float64  `json:"fromQuantity"`
	ParentUOM   string    `json:"fromUOM"`
	ChildQty    *float64  `json:"toQuantity"`
	ChildUOM    string    `json:"toUOM"`
	EventTime   time.Time `json:"eventTime"`
	BizLocation string    `json:"bizLocation"`
	// Run is the transformationID of the edge's event, where it carries
	// one.
	Run string `json:"transformationID,omitempty"`
	// Replay marks an edge from an input an earlier event of the run
	// already consumed to a later event's output: genealogy only, never
	// counted again as consumption (ledger.RunLinks).
	Replay bool `json:"replay,omitempty"`
	// Carried marks an edge from an input line of a later event of the
	// run to an output an earlier event stated: it counts as the line's
	// consumption and carries the earlier output line again, which is
	// never counted again as what the run produced (ledger.RunProduced).
	Carried bool `json:"carried,omitempty"`
	// TookNothing, on a transformation edge from an input lot, says why
	// the run took nothing of that lot (ledger.RunTookNothing: it named a
	// source party holding nothing of the lot at its site, or stated
	// 0 t): the edge stands for what the event states, not for material
	// fed. Set by custody.TraceLot when it reads a trace, never stored.
	TookNothing string `json:"tookNothing,omitempty"`
}

// RunKey names the transformation (run) an edge belongs to. EPCIS 2.0
// §7.4.6: TransformationEvents that share a transformationID are one
// transformation, so credits, element balances and origin mixes are
// counted per run, not per event; an event without a transformationID is
// a run of its own.
func (e LotEdge) RunKey() string {
	if e.Run != "" {
		return "xid:" + e.Run
	}
	return e.EventID
}

// GenealogyStore reads genealogy edges.
type GenealogyStore interface {
	// LotEdges returns the edges into (upstream) or out of the given ids.
	LotEdges(ctx context.Context, ids []string, upstream bool) ([]LotEdge, error)
	// UpstreamEdges returns every transformation edge upstream of id, in
	// one query (a recursive walk in the database), up to maxDepth steps.
	UpstreamEdges(ctx context.Context, id string, maxDepth int) ([]LotEdge, error)
	// SiteDetails returns the sites master data describes (no scan of
	// events), for lookups of custody models and certifications.
	SiteDetails(ctx context.Context) ([]*Site, error)
	// LotMix returns the origin mix capture keeps for a produced lot, and
	// whether a fresh one is kept.
	LotMix(ctx context.Context, id string) (mix string, ok bool, err error)
	// EdgesAt returns the transformation edges at a site in [from, to).
	EdgesAt(ctx context.Context, site string, from, to time.Time) ([]LotEdge, error)
	// PackedIn returns the containers each of children (lot classes or
	// instance EPCs) is packed in at time at — now (every stored event)
	// when at is zero: AggregationEvents not declared in error, dated at or
	// before at, that put it in and were not undone by a DELETE. A DELETE
	// naming part of a lot (a childQuantityList quantity) takes out only
	// that part (Packing.Unpacked); so does a movement of the lot itself
	// (a shipment or a run's input stating a quantity) beyond its loose
	// rest at the container's site, oldest packing first — the rule the
	// unpacking check uses (custody.ContainedAt; issue 15, fix15k).
	PackedIn(ctx context.Context, children []string, at time.Time) ([]Packing, error)
}

// ContentsStore reads what the containers an event moved by their own
// identifiers held at its time (an ObjectEvent of a dispatch or receipt
// step naming a container in its epcList; EPCIS 2.0 §7.3.5), as the lot
// projection counted them: by eventID, one quantityList line per lot
// (canonical identifier). Stores keep them with the event (migration
// 0118).
type ContentsStore interface {
	EventContents(ctx context.Context, eventIDs []string) (map[string][]QuantityElement, error)
}

// ContainerHoldingsStore reads what a container holds now by the rule
// capture gives a run fed it whole (the contents stored with such a run,
// ContentsStore): packings less unpackings, nothing of what was packed
// before a run fed it whole, less what its lots' own line draws and
// movements took out of it; at sea, what its trip carried. One line per
// lot; none for a container emptied. The container page reads it, so
// that it shows what the ledger and custody count (new-user check n8e-7).
type ContainerHoldingsStore interface {
	ContainerHolds(ctx context.Context, container string) ([]QuantityElement, error)
}

// ContainerMove is one event that moved a lot by a container's own
// identifier (an ObjectEvent of a dispatch or receipt step naming only
// the container in its epcList): the event, the container, and the line
// of what the container held of the lot then (ContentsStore).
type ContainerMove struct {
	EventID   string
	Container string
	Line      QuantityElement
}

// ContainerMovesStore lists the events that moved a lot inside a
// container named by its own identifier, as capture stored what each
// moved (event_contents), live events and those declared in error alike,
// so that a lot's timeline lists its shipments by container (issue 8,
// issue 15 §2). Containers packed in containers are not followed: the
// store records the lots packed directly in a container only.
type ContainerMovesStore interface {
	ContainerMovesOfLot(ctx context.Context, lot string) ([]ContainerMove, error)
}

// Packing is a child (a lot's class identifier or an instance EPC,
// canonical) packed into a container by an AggregationEvent and not
// unpacked since.
type Packing struct {
	Child     string
	Container string
	EventID   string
	At        time.Time
	// Quantity and UOM are the childQuantityList line's; nil for a line
	// without a quantity or a childEPC (the whole of the child).
	Quantity *float64
	UOM      string
	// Class is true for a childQuantityList line, false for a childEPC.
	Class bool
	// Unpacked is the wet tonnes that later DELETEs naming part of the
	// lot took back out of this packing (EPCIS 2.0 §7.3.5.3: a
	// childQuantityList quantity is the part concerned), and that
	// movements of the lot beyond its loose rest drew out of it
	// (custody.ContainedAt); what stays in is
	// the packed quantity (the lot's wet mass when none) less Unpacked.
	Unpacked float64
}

// ClaimEvent is the event that made a lot's mass-balance claim and its
// time: the claim is booked in the claim period holding At.
type ClaimEvent struct {
	Event string
	At    time.Time
	// Seq orders claims made at the same event time: capture order (the
	// store's event sequence); a document being captured comes after
	// every stored event.
	Seq int64
}

// RunLine is one line a live TransformationEvent of a run states: the
// event (PK orders capture), its time, the role (input or output) and the
// lot (canonical class identifier).
type RunLine struct {
	PK      int64
	EventID string
	At      time.Time
	Role    string
	Lot     string
}

// LinkTime is when a transformation edge e of a run became true: the
// latest of the edge's own event time, the times of the input lines of
// e.Parent the edge carries, and the time the run first stated e.Child as
// an output (the child's making, whatever the order of capture; for a
// Carried edge, the run's first output of any lot: which earlier output
// a later event's line is carried to depends on the order of capture,
// the run holding an output from then on does not). An edge
// carries its own event's line of e.Parent (upTo, its event's PK; 0
// reads every line), and the run's earlier-captured lines of e.Parent
// when the run had no output before its event (they are consumed into
// its outputs, ledger.RunLinks) or when the edge is a Replay (it restates
// them). A line of a later event of the run, or an earlier line already
// consumed into an earlier output, does not re-date it: each consuming
// event is its own credit, at its own time. An input adds to its run's
// outputs only once consumed and an output holds it only once made: a
// back-dated output-only event does not date its input's consumption
// (docs/origin.md "When a run counts"). An edge of no run (Run "") keeps
// its event's time.
func LinkTime(e LotEdge, lines []RunLine, upTo int64) time.Time {
	at := e.EventTime
	if e.Run == "" {
		return at
	}
	priorOut := false
	var made time.Time
	for _, l := range lines {
		if l.Role != RoleOutput {
			continue
		}
		if upTo != 0 && l.PK < upTo {
			priorOut = true
		}
		if (l.Lot == e.Child || e.Carried) && (made.IsZero() || l.At.Before(made)) {
			made = l.At
		}
	}
	if made.After(at) {
		at = made
	}
	for _, l := range lines {
		if l.Role != RoleInput || l.Lot != e.Parent || upTo != 0 && l.PK > upTo {
			continue
		}
		own := upTo == 0 || l.PK == upTo || l.EventID == e.EventID
		if (own || !priorOut || e.Replay) && l.At.After(at) {
			at = l.At
		}
	}
	return at
}

// WasKind says whether master data ever gave the site kind k (cm:siteKind,
// compared in lower case): its latest kind or any earlier version's
// (KindVersions). A rule that fails at a kind of site (a mine or a
// refinery must be certified; a lot stating another country than the
// mine it was first recorded at) reads a site relabelled after events
// were recorded there as every kind it was given.
func (s *Site) WasKind(k string) bool {
	if s == nil {
		return false
	}
	if strings.EqualFold(strings.TrimSpace(s.Kind), k) {
		return true
	}
	for _, v := range s.KindVersions {
		if strings.EqualFold(v, k) {
			return true
		}
	}
	return false
}

// AlwaysKind says whether master data gave the site kind k in every
// version (no change of kind recorded): an origin is read from a mine
// only when it was one all along — a site relabelled mine after a lot
// was recorded there gives no origin.
func (s *Site) AlwaysKind(k string) bool {
	if s == nil || !strings.EqualFold(strings.TrimSpace(s.Kind), k) {
		return false
	}
	for _, v := range s.KindVersions {
		if !strings.EqualFold(v, k) {
			return false
		}
	}
	return true
}

// ModelAt is the site's cm:custodyModel in force at record time at: that
// of its latest master-data version recorded at or before at ("" where
// none declared one then, also where the site had no master data yet). A
// zero at, or a site without versions, reads CustodyModel.
func (s *Site) ModelAt(at time.Time) string {
	if s == nil {
		return ""
	}
	if at.IsZero() || len(s.ModelVersions) == 0 {
		return s.CustodyModel
	}
	m := ""
	for _, v := range s.ModelVersions {
		if v.RecordTime.After(at) {
			break
		}
		m = v.Model
	}
	return m
}

// CertAt is the site's certification in force at record time at: that of
// its latest master-data version recorded at or before at (none where
// none was on record then: a certification recorded later does not
// certify an event recorded before it). A zero at, or a site without
// versions, reads Certification, CertValidFrom and CertValidUntil.
func (s *Site) CertAt(at time.Time) CertVersion {
	if s == nil {
		return CertVersion{}
	}
	if at.IsZero() || len(s.CertVersions) == 0 {
		return CertVersion{Certification: s.Certification, ValidFrom: s.CertValidFrom, ValidUntil: s.CertValidUntil}
	}
	var c CertVersion
	for _, v := range s.CertVersions {
		if v.RecordTime.After(at) {
			break
		}
		c = v
	}
	return c
}

// ToleranceVersion is a site's cm:elementTolerance (nil: none declared)
// in the version of its master data recorded at RecordTime.
type ToleranceVersion struct {
	RecordTime time.Time
	Tolerance  *float64
}

// ToleranceAt is the site's cm:elementTolerance in force at record time
// at: that of its latest master-data version recorded at or before at
// (nil: none declared then, the default applies — also where the site had
// no master data yet). A zero at, or a site without versions, reads
// ElementTolerance, the current one.
func (s *Site) ToleranceAt(at time.Time) *float64 {
	if s == nil {
		return nil
	}
	if at.IsZero() || len(s.ToleranceVersions) == 0 {
		return s.ElementTolerance
	}
	var tol *float64
	for _, v := range s.ToleranceVersions {
		if v.RecordTime.After(at) {
			break
		}
		tol = v.Tolerance
	}
	return tol
}
