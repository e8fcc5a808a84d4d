package http

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/units"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

func (s *Server) apiRoutes() {
	s.route("GET /api/v1/openapi.json", accessPublic, s.handleOpenAPI)
	s.route("GET /api/v1/lots", accessRead, s.handleLotList, "commodity:lot-commodity", "status:lot-status", "location", "last_location", "destination", "limit", "offset", "format:json|csv")
	s.route("GET /api/v1/lots/{id}", accessRead, s.handleLotGet)
	s.route("GET /api/v1/lots/{id}/events", accessRead, s.handleLotEvents)
	s.route("GET /api/v1/transit", accessRead, s.handleTransit, "commodity:lot-commodity", "status:lot-status", "location", "destination", "limit", "offset", "format:json|csv")
	s.route("GET /api/v1/sites", accessRead, s.handleSiteList)
	s.route("GET /api/v1/parties", accessRead, s.handlePartyList)
}

// AssayView is one assay of a lot as the API lists it: InEffect for the
// assay every figure reads (ledger.LatestAssays); a superseded one names
// the event and time of the assay that superseded it, and holds no
// contained tonnes of its own (docs/origin.md, "Superseded assays").
type AssayView struct {
	critmin.Assay
	InEffect     bool               `json:"inEffect"`
	SupersededBy *AssaySupersession `json:"supersededBy,omitempty"`
	// Site and PartShipEventID name the part an assay was taken of,
	// where it stands, when that part is read at grades of its own
	// (ledger.AssayRecord; issue 15, fix15a): in effect for that part,
	// never superseding the lot's. Absent for an assay of the lot.
	// PartOwners are that part's owners (Lot.PartOwners): one reading
	// at a site of two holdings is each holding's (fix15v).
	Site            string   `json:"site,omitempty"`
	PartShipEventID string   `json:"partShipEventID,omitempty"`
	PartOwners      []string `json:"partOwners,omitempty"`
	// ContainedTonnes is the analyte's tonnes (in its own spelling) in
	// what remains of what the assay is of, RemainingDryTonnes those dry
	// tonnes — what stands of it and what is at sea, what runs took
	// gone (ledger.AssayRecord.Contained, the lot page's and `critmin
	// lot show`'s figure; issue 15, fix15zh). Absent for a superseded
	// assay, a grade not made dry, and in the lots list.
	ContainedTonnes    *float64 `json:"containedTonnes,omitempty"`
	RemainingDryTonnes *float64 `json:"remainingDryTonnes,omitempty"`
}

// AssaySupersession names the assay that superseded another.
type AssaySupersession struct {
	EventID string    `json:"eventID"`
	At      time.Time `json:"at"`
}

func assayViews(list []critmin.Assay) []AssayView {
	by := ledger.SupersededBy(list)
	out := make([]AssayView, len(list))
	for i, a := range list {
		out[i] = AssayView{Assay: a, InEffect: by[i] == nil}
		if b := by[i]; b != nil {
			out[i].SupersededBy = &AssaySupersession{EventID: b.EventID, At: b.At}
		}
	}
	return out
}

func assayRecordViews(list []ledger.AssayRecord) []AssayView {
	out := make([]AssayView, len(list))
	for i, a := range list {
		out[i] = AssayView{Assay: a.Assay, InEffect: a.SupersededBy == nil, Site: a.Site, PartShipEventID: a.ShipEventID, PartOwners: a.Owners}
		if c, ok := a.Contained(); ok {
			dry := a.RemainingDryTonnes
			out[i].ContainedTonnes, out[i].RemainingDryTonnes = &c, &dry
		}
		if b := a.SupersededBy; b != nil {
			out[i].SupersededBy = &AssaySupersession{EventID: b.EventID, At: b.At}
		}
	}
	return out
}

// LotView is the JSON shape of a lot in the REST API.
type LotView struct {
	ID            string  `json:"id"`
	Commodity     string  `json:"commodity"`
	CommodityName string  `json:"commodityName"`
	Quantity      float64 `json:"quantity"`
	UOM           string  `json:"uom"`
	WetTonnes     float64 `json:"wetTonnes"`
	DryTonnes     float64 `json:"dryTonnes"`
	// RemainingWetTonnes and RemainingDryTonnes are what is left of the
	// lot where it stands: its total less what runs took and the parts
	// movements sent away (0 once consumed).
	RemainingWetTonnes float64 `json:"remainingWetTonnes"`
	RemainingDryTonnes float64 `json:"remainingDryTonnes"`
	// Parts are the parts of the lot that movements sent away, each with
	// its shipped weight and state (docs/identity.md, "Parts moved");
	// PartsShippedTonnes is their sum. InTransitTonnes is everything of
	// the lot in transit (the sum of InTransit, flagged parts left out):
	// the lot itself when it is in transit, what remains of it, and the
	// parts no receipt has closed. WetTonnes stays the lot's total;
	// remaining is what is left where the lot stands.
	// Each part carries its own moisture ("moisture", a fraction as the
	// lot's, with "moistureEventID" when measured on the part) and its
	// dry mass ("dryTonnes"); the lot's dryTonnes is the rest's plus the
	// parts' (critmin.Lot.DryTonnes).
	Parts              []PartView  `json:"parts"`
	PartsShippedTonnes float64     `json:"partsShippedTonnes"`
	InTransitTonnes    float64     `json:"inTransitTonnes"`
	Moisture           *float64    `json:"moisture"`
	Assays             []AssayView `json:"assays"`
	// OriginCountry is the one country the lot's physical origin gives
	// (custody.Composition.Country, the origin function the lot page
	// reads): "unknown" where master data contradicts the origin stated
	// (origin_conflict), "" for a blend of several (origin gives the
	// shares) — never the stored, stated country where the origin
	// function says otherwise (issue 9 §5, fixBb). origin.flags flags
	// the lot as the lot page's anomalies do.
	OriginCountry string `json:"originCountry"`
	OriginMine    string `json:"originMine"`
	Supplier      string `json:"supplier"`
	// Location is where the lot is: the latest bizLocation it was seen
	// at, or "in_transit" for a lot in transit (status in_transit), which
	// is at no site — Transit then gives where it left from and where it
	// is going (GET /api/v1/lots?location=in_transit lists such lots).
	// LastLocation is the latest bizLocation whatever the status: for a
	// lot in transit, the place it left.
	//
	// StandsAt is every site where something of the lot stands, with
	// the wet and dry tonnes standing there (ledger.StandsAt, the figure
	// a weighing there is judged on; body true for the lot's body, else
	// its received parts), in the order the lot reached them; [] when
	// nothing stands anywhere (all in transit, or consumed). A lot whose
	// every tonne left as parts (ledger.NoBody) has no body: its Location
	// is then the site where most of it stands, and StandsAt lists every
	// site its parts stand at (issue 15, fix15t).
	Location     string         `json:"location"`
	LastLocation string         `json:"lastLocation"`
	StandsAt     []StandingView `json:"standsAt"`
	// Whereabouts words what every bit of the lot is doing
	// (custody.Whereabouts): a body runs consumed, where the lot
	// stands, and each part in transit with its shipping event, bill
	// of lading, origin and destination. BodyConsumed is true when runs
	// consumed the body while a part is still the lot's: Status stays
	// in_stock (the lot is not consumed) with nothing standing where
	// the body stood (issue 9, fixQm).
	Whereabouts  string       `json:"whereabouts"`
	BodyConsumed bool         `json:"bodyConsumed"`
	Transit      *TransitView `json:"transit,omitempty"`
	// InTransit is everything of the lot that is in transit, one entry
	// per consignment: the lot as a whole (status in_transit; its tonnes
	// what remains of it) and each part a dispatch sent away that no
	// receipt has closed (part true; its shipped tonnes, bill of lading
	// and shipping event). Empty when nothing of the lot is moving.
	InTransit    []TransitView `json:"inTransit"`
	ReadPoint    string        `json:"readPoint"`
	Status       string        `json:"status"`
	Disposition  string        `json:"disposition"`
	Owner        string        `json:"owner"`
	Custodian    string        `json:"custodian"`
	FirstEventAt time.Time     `json:"firstEventTime"`
	LastEventAt  time.Time     `json:"lastEventTime"`
	EventCount   int           `json:"eventCount"`
	Parents      []string      `json:"parents"`
	Children     []string      `json:"children"`
	// Origin is the lot's physical origin headline and ClaimedOrigin its
	// mass-balance claim, both from custody.OriginOf (the one origin
	// function, as on the lot page and the certificate).
	Origin        *custody.Headline `json:"origin,omitempty"`
	ClaimedOrigin *custody.Claim    `json:"claimedOrigin,omitempty"`
	// Outturns are the lot's shipments a receipt closed: the shipped
	// (bill-of-lading) weight, the received (outturn) weight and their
	// difference, a transit loss or gain beyond ledger.OutturnTolerance
	// flagged (ledger.Outturns). Only GET /api/v1/lots/{id} sets them.
	Outturns []ledger.Outturn `json:"outturns,omitempty"`
	// NotInRecord, for a lot of status not_in_record (lot lists only),
	// says why it holds nothing: NotInRecordText.
	NotInRecord string `json:"notInRecord,omitempty"`
	// Anomalies are the anomalies of the lot's origin composition
	// (custody.Origin with its evidence: the lot page's and GET
	// /api/v1/lots/{id}/origin's). Only GET /api/v1/lots/{id} and the
	// CLI's lot show set them, [] when there are none; the lot list
	// leaves them out.
	Anomalies *[]custody.Anomaly `json:"anomalies,omitempty"`
}

// lotAnomalies is the anomalies of lot id's origin (custody.Origin),
// an empty list when there are none.
func lotAnomalies(ctx context.Context, store critmin.Store, id string) (*[]custody.Anomaly, error) {
	c, err := custody.Origin(ctx, store, id)
	if err != nil {
		return nil, err
	}
	an := c.Anomalies
	if an == nil {
		an = []custody.Anomaly{}
	}
	return &an, nil
}

// TransitView is where an in-transit lot is going: the source and
// destination locations of its latest shipping event that is not
// declared in error, its bill of lading and the event.
//
// Tonnes is the wet tonnes moving under it: for the lot as a whole what
// remains of it (Lot.RemainingWetTonnes), for a part its shipped tonnes.
// Part marks a part of the lot (critmin.LotPart) while the rest stands
// where the lot is.
type TransitView struct {
	From         string  `json:"from"`
	To           string  `json:"to,omitempty"`
	BillOfLading string  `json:"billOfLading,omitempty"`
	EventID      string  `json:"eventID"`
	Tonnes       float64 `json:"tonnes"`
	Part         bool    `json:"part,omitempty"`
	// Anomaly flags a part shipped from nothing: shipped on from a part
	// whose receipt was then declared in error, or naming a source owner
	// whose holding there a declaration took away (critmin.LotPart
	// FromRetracted; issue 15, fix15q). Its tonnes are not counted in
	// transit.
	Anomaly string `json:"anomaly,omitempty"`
	// Flag says the shipment of the lot's body left from a place the
	// lot reached only by a receipt declared in error (EPCIS 2.0
	// §7.4.1.2; ledger.ShippedFromRetractedReceipt), in the words the
	// lot page and the shipment page use; DeclaredReceipt is that
	// receipt's eventID. A whole lot is never split, so its tonnes are
	// still counted in transit (issue 8 §2, fixJj).
	Flag            string `json:"flag,omitempty"`
	DeclaredReceipt string `json:"declaredReceipt,omitempty"`
}

// fromRetractedAnomaly is TransitView.Anomaly of a part shipped on from
// a receipt declared in error.
const fromRetractedAnomaly = "ships from a receipt declared in error"

// inTransit lists what of l is in transit (LotView.InTransit), and sets
// whole's tonnes to what remains of a lot in transit: the lot
// as a whole when its status is in_transit and something of it remains
// (whole, its latest shipping event's transit, may be nil), then each
// part in transit. A lot whose last part took it along (nothing
// remains where it stood) is listed by that part alone.
func inTransit(l *critmin.Lot, whole *TransitView) []TransitView {
	out := []TransitView{}
	if whole != nil && l.Status == critmin.LotInTransit {
		// The lot's own transit (LotView.Transit) moves what remains of it.
		whole.Tonnes = l.RemainingWetTonnes()
	}
	parts := false
	for _, p := range l.Parts {
		parts = parts || p.Status == critmin.PartInTransit
	}
	if l.Status == critmin.LotInTransit && (l.RemainingWetTonnes() > 0 || !parts) {
		w := TransitView{From: l.Location}
		if whole != nil {
			w = *whole
		}
		w.Tonnes, w.Part = l.RemainingWetTonnes(), false
		out = append(out, w)
	}
	for _, p := range l.Parts {
		if p.Status == critmin.PartInTransit {
			v := TransitView{From: p.From, To: p.To, BillOfLading: p.BillOfLading, EventID: p.ShipEventID, Tonnes: p.Tonnes, Part: true}
			if p.FromRetracted {
				v.Anomaly = fromRetractedAnomaly
			}
			out = append(out, v)
		}
	}
	return out
}

// inTransitTonnes is the wet tonnes of the consignments in ts.
func inTransitTonnes(ts []TransitView) float64 {
	var t float64
	for _, c := range ts {
		if c.Anomaly == "" { // a part shipped from nothing is not counted
			t += c.Tonnes
		}
	}
	return t
}

// boundFor says whether anything of the lot in transit (ts) is bound
// for destination: the whole lot's or a part's To.
func boundFor(ts []TransitView, destination string) bool {
	for _, c := range ts {
		if c.To == destination {
			return true
		}
	}
	return false
}

// lotTransit is an in-transit lot's TransitView from its events (in
// event-time order): its body's shipment (ledger.BodyShipment), read
// from the event decoded in full (ledger.LegOf); nil when none ships it.
func lotTransit(evs []*critmin.Event, l *critmin.Lot) *TransitView {
	e := ledger.BodyShipment(l, evs)
	if e == nil {
		return nil
	}
	full := FullEvents([]*critmin.Event{e})[0]
	g := ledger.LegOf(full)
	v := &TransitView{From: g.From, To: g.To, BillOfLading: g.BillOfLading, EventID: e.EventID}
	if _, part := ledger.ShippedPart(l, e.EventID); !part && declaredReceipt(evs) {
		if rec := ledger.ShippedFromRetractedReceipt(l.ID, FullEvents(evs), full); rec != nil {
			v.Flag, v.DeclaredReceipt = fromRetractedAnomaly, rec.EventID
		}
	}
	return v
}

// declaredReceipt says whether evs (stored records) hold a receipt
// declared in error: only then can a shipment leave from one
// (ledger.ShippedFromRetractedReceipt), and only then are the lot's
// events decoded in full to judge it.
func declaredReceipt(evs []*critmin.Event) bool {
	for _, e := range evs {
		if e.DeclaredInError == nil && e.ErrorDeclaration == nil {
			continue
		}
		switch e.BizStep[strings.LastIndexAny(e.BizStep, ":/")+1:] { // bare or CBV URI form
		case "receiving", "arriving", "unloading", "accepting":
			return true
		}
	}
	return false
}

// FullEvents are stored events decoded whole from their records: the
// store indexes what it queries by, and the bill of lading, sources and
// destinations are read from the event itself. An event whose record
// does not decode is kept as stored.
func FullEvents(evs []*critmin.Event) []*critmin.Event {
	out := make([]*critmin.Event, len(evs))
	for i, e := range evs {
		out[i] = e
		if body, err := epcis.EventWithContext(e); err == nil {
			if doc, err := epcis.ParseDocument(body, true); err == nil {
				if full, derr := doc.Decode(0, e.RecordTime); derr == nil {
					full.DeclaredInError = e.DeclaredInError
					out[i] = full
				}
			}
		}
	}
	return out
}

// setTransit sets the transit of each in-transit lot's view.
func (s *Server) setTransit(r *http.Request, lots []*critmin.Lot, views []LotView) error {
	tr, err := s.transits(r, lots)
	if err != nil {
		return err
	}
	for i := range views {
		views[i].Transit = tr[i]
		views[i].InTransit = inTransit(lots[i], tr[i])
	}
	return nil
}

// Text is the transit as the lot list reads it: "in transit from A to B"
// ("in transit from A" while no destination is stated), with the bill
// of lading where the shipping event names one.
func (t *TransitView) Text() string {
	if t == nil {
		return ""
	}
	s := "in transit from " + t.From
	if t.To != "" {
		s += " to " + t.To
	}
	if t.BillOfLading != "" {
		s += " (B/L " + t.BillOfLading + ")"
	}
	return s
}

// partsText is the parts of a lot in transit as the lots CSV reads them:
// "1.15 t in transit from A to B (B/L X, event E)", joined by "; ".
func partsText(ts []TransitView) string {
	var out []string
	for _, c := range ts {
		if !c.Part {
			continue
		}
		t := c
		s := strings.Replace(t.Text(), "in transit", fig(c.Tonnes)+" t in transit", 1)
		if c.EventID != "" {
			if strings.HasSuffix(s, ")") {
				s = strings.TrimSuffix(s, ")") + ", event " + c.EventID + ")"
			} else {
				s += " (event " + c.EventID + ")"
			}
		}
		if c.Anomaly != "" {
			s += " — " + c.Anomaly + ", not counted"
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// ViewLot is a lot as GET /api/v1/lots/{id} shows it, origin included
// (the CLI's lot show --format json prints the same).
func ViewLot(ctx context.Context, store critmin.Store, l *critmin.Lot) (LotView, error) {
	views := []LotView{lotView(l)}
	if _, err := setOrigins(ctx, store, []*critmin.Lot{l}, views); err != nil {
		return views[0], err
	}
	an, err := lotAnomalies(ctx, store, l.ID)
	if err != nil {
		return views[0], err
	}
	views[0].Anomalies = an
	recs, err := ledger.LotAssayRecords(ctx, store, l)
	if err != nil {
		return views[0], err
	}
	views[0].Assays = assayRecordViews(recs)
	// The shipments a receipt closed, as GET /api/v1/lots/{id} and the
	// lot page give them (ledger.Outturns; issue 15, fix15d item 3: lot
	// show printed none).
	evs, err := lotEventsOf(ctx, store, l.ID)
	if err != nil {
		return views[0], err
	}
	views[0].Outturns = ledger.Outturns(l.ID, FullEvents(evs))
	t, err := LotTransit(ctx, store, l)
	views[0].Transit = t
	views[0].InTransit = inTransit(l, t)
	return views[0], err
}

// LotTransit is where a lot in transit is going: its body's shipment
// (ledger.BodyShipment), with that event's source, destination and bill
// of lading; nil for a lot not in transit or that no shipping event
// sends. The lot's API view and `critmin lot show` read it.
func LotTransit(ctx context.Context, store critmin.Store, l *critmin.Lot) (*TransitView, error) {
	if l.Status != critmin.LotInTransit {
		return nil, nil
	}
	evs, err := lotEventsOf(ctx, store, l.ID)
	if err != nil {
		return nil, err
	}
	if evs, err = TransitEvents(ctx, store, l.ID, evs); err != nil {
		return nil, err
	}
	return lotTransit(evs, l), nil
}

// TransitEvents is evs, lot's own events, with the events that moved
// the lot inside a container named only by its own identifier
// (LotContainerEvents), each record once, in event-time order: the
// events a lot's transit is read from (ledger.BodyShipment). A lot
// shipped in containers by an event naming only them is in transit
// under that event's destination and bill of lading as one shipped by a
// quantity line is (new-user finding nu38a: the lot API, the transit
// list, their CSVs and the lot page gave it none).
func TransitEvents(ctx context.Context, store critmin.Store, lot string, evs []*critmin.Event) ([]*critmin.Event, error) {
	moved, err := LotContainerEvents(ctx, store, lot, evs)
	if err != nil || len(moved) == 0 {
		return evs, err
	}
	out := append([]*critmin.Event(nil), evs...)
	seen := map[string]bool{} // eventID, and whether the record is a declaration
	for _, m := range moved {
		k := m.Event.EventID + "\x00" + strconv.FormatBool(m.Event.ErrorDeclaration != nil)
		if !seen[k] {
			seen[k] = true
			out = append(out, m.Event)
		}
	}
	return ledger.EventTimeOrder(out), nil
}

// withOrigins sets each view's origin from custody.Origins.
func (s *Server) withOrigins(r *http.Request, lots []*critmin.Lot, views []LotView) (map[string]*custody.Composition, error) {
	return setOrigins(r.Context(), s.Store, lots, views)
}

func setOrigins(ctx context.Context, store critmin.Store, lots []*critmin.Lot, views []LotView) (map[string]*custody.Composition, error) {
	origins, err := custody.Origins(ctx, store, lots)
	if err != nil {
		return nil, err
	}
	for i := range views {
		if views[i].Status == critmin.LotNotInRecord {
			// Not in the record: no origin (its 410 says why).
			delete(origins, views[i].ID)
			views[i].NotInRecord = NotInRecordText
			continue
		}
		if c := origins[views[i].ID]; c != nil {
			h := c.Headline()
			views[i].Origin, views[i].ClaimedOrigin = &h, c.Claimed
			views[i].OriginCountry = c.Country()
		}
	}
	return origins, nil
}

// PartView is a part of a lot (critmin.LotPart) with its dry tonnes:
// what it counts for in the lot's total × (1 − its moisture, else the
// lot's) (critmin.LotPart.DryTonnes).
// StandingView is what stands of a lot at one site (LotView.StandsAt),
// with the owner and custodian of what stands there: the lot's for the
// body, each received part's own, set at its receipt (ledger.SiteStanding;
// several parties joined by ", "; issue 15, fix15o).
//
// Holdings is what each owner and custodian pair owns and holds there
// (ledger.SiteStanding.Holdings): a part received where the body stands
// for another party stays its own (issue 15, fix15c3).
type StandingView struct {
	Site      string        `json:"site"`
	WetTonnes float64       `json:"wetTonnes"`
	DryTonnes float64       `json:"dryTonnes"`
	Body      bool          `json:"body,omitempty"`
	Owner     string        `json:"owner"`
	Custodian string        `json:"custodian"`
	Holdings  []HoldingView `json:"holdings"`
}

// HoldingView is what one party pair owns and holds of a lot at a site
// (StandingView.Holdings).
type HoldingView struct {
	Owner     string  `json:"owner"`
	Custodian string  `json:"custodian"`
	WetTonnes float64 `json:"wetTonnes"`
	DryTonnes float64 `json:"dryTonnes"`
}

type PartView struct {
	critmin.LotPart
	// Owner and Custodian are the part's (critmin.LotPart.Owner,
	// Custodian); a part shipped of several owners' holdings names them
	// all, joined by ", " as standsAt's owner is (Owners, Custodians list
	// each), never the first alone, which read as that owner's part
	// (issue 15, fix15s item 2).
	Owner     string  `json:"owner,omitempty"`
	Custodian string  `json:"custodian,omitempty"`
	DryTonnes float64 `json:"dryTonnes"`
	// RemainingWetTonnes and RemainingDryTonnes are what remains of the
	// part: in transit what it was shipped with, received what is left
	// of it there, what runs took of it and what was shipped on from
	// there gone, dry by its moisture now (critmin.Lot.PartRemainingWetTonnes,
	// PartRemainingDryTonnes; 0 for a part shipped from nothing or
	// rejoined) — the dry mass the lot page and `critmin lot show` give
	// on its line; dryTonnes is what it counts for in the lot's total,
	// what runs took of it included (issue 15, fix15zh).
	RemainingWetTonnes float64 `json:"remainingWetTonnes"`
	RemainingDryTonnes float64 `json:"remainingDryTonnes"`
}

// partView is part p of lot l, as the API shows it (PartView).
func partView(l *critmin.Lot, p critmin.LotPart) PartView {
	v := PartView{LotPart: p, Owner: p.Owner, Custodian: p.Custodian, DryTonnes: p.DryTonnes(l.Moisture),
		RemainingWetTonnes: l.PartRemainingWetTonnes(p), RemainingDryTonnes: l.PartRemainingDryTonnes(p)}
	if len(p.Owners) > 1 {
		v.Owner = strings.Join(p.Owners, ", ")
	}
	if len(p.Custodians) > 1 {
		v.Custodian = strings.Join(p.Custodians, ", ")
	}
	return v
}

func lotView(l *critmin.Lot) LotView {
	v := LotView{ID: l.ID, Commodity: l.Commodity, CommodityName: ledger.CommodityName(l.Commodity), Quantity: l.Quantity, UOM: l.UOM,
		WetTonnes: l.WetTonnes, DryTonnes: l.DryTonnes, Moisture: l.Moisture, Assays: assayViews(l.Assays), OriginCountry: l.OriginCountry,
		OriginMine: l.OriginMine, Supplier: l.Supplier, Location: l.Location, LastLocation: l.Location, ReadPoint: l.ReadPoint, Status: l.Status,
		Disposition: l.Disposition, Owner: l.Owner, Custodian: l.Custodian, FirstEventAt: l.FirstEventAt, LastEventAt: l.LastEventAt,
		EventCount: l.EventCount, Parents: l.Parents, Children: l.Children,
		RemainingWetTonnes: l.RemainingWetTonnes(), RemainingDryTonnes: l.RemainingDryTonnes(),
		PartsShippedTonnes: l.PartsTonnes(), InTransit: inTransit(l, nil),
		Whereabouts: custody.Whereabouts(l, nil), BodyConsumed: custody.BodyConsumed(l)}
	for _, p := range l.Parts {
		v.Parts = append(v.Parts, partView(l, p))
	}
	v.StandsAt = []StandingView{}
	for _, st := range ledger.StandsAt(l) {
		sv := StandingView{Site: st.Site, WetTonnes: st.WetTonnes, DryTonnes: st.DryTonnes, Body: st.Body,
			Owner: st.Owner, Custodian: st.Custodian, Holdings: []HoldingView{}}
		for _, h := range st.Holdings {
			sv.Holdings = append(sv.Holdings, HoldingView{Owner: h.Owner, Custodian: h.Custodian, WetTonnes: h.WetTonnes, DryTonnes: h.DryTonnes})
		}
		v.StandsAt = append(v.StandsAt, sv)
	}
	// Everything of the lot at sea: the lot itself when it was shipped
	// whole (what remains of it) and each part in transit (fix15z: a lot
	// shipped whole counted 0).
	v.InTransitTonnes = inTransitTonnes(v.InTransit)
	if l.Status == critmin.LotInTransit {
		v.Location = critmin.LotInTransit // at no site: Transit says from where to where
	}
	if v.Parts == nil {
		v.Parts = []PartView{}
	}
	for _, p := range []*[]string{&v.Parents, &v.Children} {
		if *p == nil {
			*p = []string{}
		}
	}
	if v.Assays == nil {
		v.Assays = []AssayView{}
	}
	return v
}

// LotQuery is the lot list's parameters: the store's filter, and the
// destination an in-transit lot is bound for (destination=, a location
// URI: the destination of its latest valid shipping event, its
// TransitView.To), which the store does not index; FindLots applies both.
type LotQuery struct {
	critmin.LotFilter
	Destination string
}

// maxTransitScanned bounds the in-transit lots FindLots reads to filter
// by destination (pages of 1,000); a ledger with more in transit at once
// is refused rather than listed in part.
const maxTransitScanned = 10_000

// FindLots lists the lots q selects, each in-transit lot with its
// TransitView (nil for the others), and how many match in all. With a
// destination only in-transit lots bound there are listed: the lots in
// transit are read whole, their transit found from their events, and
// q's offset and limit applied to those that match.
func (s *Server) FindLots(r *http.Request, q LotQuery) ([]*critmin.Lot, []*TransitView, int, error) {
	if q.Status == critmin.LotNotInRecord {
		lots, total, err := s.notInRecord(r, q)
		return lots, make([]*TransitView, len(lots)), total, err
	}
	if q.Destination == "" {
		lots, total, err := s.Store.FindLots(r.Context(), q.LotFilter)
		if err != nil {
			return nil, nil, 0, err
		}
		gone, err := unmadeOf(r.Context(), s.Store, lots)
		if err != nil {
			return nil, nil, 0, err
		}
		lots, total = markUnmade(lots, total, gone, q.Status != "" || q.Location != "" || q.LastLocation != "" || q.InTransit)
		tr, err := s.transits(r, lots)
		return lots, tr, total, err
	}
	f := q.LotFilter
	f.InTransit, f.Limit, f.Offset = true, 1000, 0
	var lots []*critmin.Lot
	var trs []*TransitView
	for {
		page, total, err := s.Store.FindLots(r.Context(), f)
		if err != nil {
			return nil, nil, 0, err
		}
		if total > maxTransitScanned {
			return nil, nil, 0, critmin.FieldErrorf("destination", "%s lots are in transit, more than the %s a destination filter reads; filter by commodity or location as well", units.Int(total), units.Int(maxTransitScanned))
		}
		gone, err := unmadeOf(r.Context(), s.Store, page)
		if err != nil {
			return nil, nil, 0, err
		}
		page, _ = markUnmade(page, 0, gone, true)
		tr, err := s.transits(r, page)
		if err != nil {
			return nil, nil, 0, err
		}
		for i, l := range page {
			if boundFor(inTransit(l, tr[i]), q.Destination) {
				lots, trs = append(lots, l), append(trs, tr[i])
			}
		}
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			break
		}
	}
	total := len(lots)
	from, to := min(q.Offset, total), min(q.Offset+q.Limit, total)
	return lots[from:to], trs[from:to], total, nil
}

// notInRecord lists the lots q selects of status not_in_record
// (critmin.LotNotInRecord), which no projection stores: the lots not in
// the record (custody.UnmadeLots: read from the declarations in error,
// few), as the list marks them (markUnmade), in the store's order (the
// latest event first, then by ID), of q's commodity,
// q's offset and limit applied, and how many match in all. Such a lot is
// at no place and bound nowhere: with a location, a last location, in
// transit or a destination none is (fixSs: the filter was refused though
// the list prints the status).
func (s *Server) notInRecord(r *http.Request, q LotQuery) ([]*critmin.Lot, int, error) {
	if q.Location != "" || q.LastLocation != "" || q.InTransit || q.Destination != "" {
		return []*critmin.Lot{}, 0, nil
	}
	gone, err := custody.UnmadeLots(r.Context(), s.Store)
	if err != nil || len(gone) == 0 {
		return []*critmin.Lot{}, 0, err
	}
	ids := make([]string, 0, len(gone))
	for id := range gone {
		ids = append(ids, id)
	}
	rows, err := s.Store.FindLotsByID(r.Context(), ids)
	if err != nil {
		return nil, 0, err
	}
	var lots []*critmin.Lot
	for _, l := range rows {
		if q.Commodity == "" || l.Commodity == q.Commodity {
			lots = append(lots, l)
		}
	}
	// In the store's order: the latest event first, then by ID.
	sort.Slice(lots, func(i, j int) bool {
		if !lots[i].LastEventAt.Equal(lots[j].LastEventAt) {
			return lots[i].LastEventAt.After(lots[j].LastEventAt)
		}
		return lots[i].ID < lots[j].ID
	})
	lots, total := markUnmade(lots, len(lots), gone, false)
	from, to := min(q.Offset, total), min(q.Offset+q.Limit, total)
	return lots[from:to], total, nil
}

// NotInRecordText is what a lot list says of a lot not in the record
// (critmin.LotNotInRecord).
const NotInRecordText = "not in the record: the event that made it is declared in error and no standing event makes it before an event acted on it (EPCIS 2.0 §7.4.1.2); it holds nothing — its own page names the declaration"

// unmadeOf is the lots of lots not in the record (custody.UnmadeLots).
func unmadeOf(ctx context.Context, store critmin.Store, lots []*critmin.Lot) (map[string]*custody.Unmade, error) {
	if len(lots) == 0 {
		return nil, nil
	}
	ids := make([]string, len(lots))
	for i, l := range lots {
		ids[i] = l.ID
	}
	return custody.UnmadeLots(ctx, store, ids...)
}

// markUnmade gives each lot of lots not in the record (in gone,
// custody.UnmadeLots) as such: status not_in_record and nothing held —
// no mass, site, party or part — as GET /api/v1/lots/{id} answers 410
// for it, never "consumed" by a run that took nothing of it, nor in
// stock with what a maker dated after that run states (issue 8 §2,
// fixMm). A list filtered by status or place (drop) leaves them out, as
// they are at none, and total is lessened by those left out.
func markUnmade(lots []*critmin.Lot, total int, gone map[string]*custody.Unmade, drop bool) ([]*critmin.Lot, int) {
	if len(gone) == 0 {
		return lots, total
	}
	out := make([]*critmin.Lot, 0, len(lots))
	for _, l := range lots {
		if custody.UnmadeIn(gone, l.ID) == nil {
			out = append(out, l)
			continue
		}
		if drop {
			total--
			continue
		}
		out = append(out, &critmin.Lot{ID: l.ID, Commodity: l.Commodity, Status: critmin.LotNotInRecord, UOM: l.UOM,
			FirstEventAt: l.FirstEventAt, LastEventAt: l.LastEventAt, EventCount: l.EventCount})
	}
	return out, total
}

// transits is each in-transit lot's TransitView (nil for the others).
func (s *Server) transits(r *http.Request, lots []*critmin.Lot) ([]*TransitView, error) {
	out := make([]*TransitView, len(lots))
	for i, l := range lots {
		if l.Status != critmin.LotInTransit {
			continue
		}
		evs, err := s.lotEvents(r, l.ID)
		if err != nil {
			return nil, err
		}
		if evs, err = TransitEvents(r.Context(), s.Store, l.ID, evs); err != nil {
			return nil, err
		}
		out[i] = lotTransit(evs, l)
	}
	return out, nil
}

// lotFilter reads and validates the lot list parameters.
func lotFilter(r *http.Request) (LotQuery, error) {
	var q LotQuery
	f, err := lotStoreFilter(r)
	q.LotFilter = f
	if err != nil {
		return q, err
	}
	// An empty destination is any, as an empty commodity is (the lot
	// page's filter form sends "any" so).
	if d := r.URL.Query().Get("destination"); d != "" {
		if q.Status != "" && q.Status != critmin.LotInTransit {
			return q, critmin.FieldErrorf("status", "%q contradicts destination: only a lot in transit is bound for a destination", q.Status)
		}
		q.Destination = d
	}
	return q, nil
}

// lotStoreFilter reads and validates the lot list parameters the store
// filters by.
func lotStoreFilter(r *http.Request) (critmin.LotFilter, error) {
	f := critmin.LotFilter{Limit: 100}
	for k, v := range r.URL.Query() {
		val := v[0]
		switch k {
		case "commodity":
			f.Commodity = val
		case "status":
			switch val {
			case "": // any, as the lot page's form sends it
			default:
				// Every status a lot list prints (critmin.LotStatuses):
				// not_in_record is found by FindLots, not the store.
				if !slices.Contains(critmin.LotStatuses, val) {
					n := len(critmin.LotStatuses)
					return f, critmin.FieldErrorf("status", "%q is not %s or %s", val, strings.Join(critmin.LotStatuses[:n-1], ", "), critmin.LotStatuses[n-1])
				}
				f.Status = val
			}
		case "location":
			// location=in_transit lists the lots with anything at sea or
			// on the road, wherever it left from: the lots in transit as a
			// whole and those with a part in transit (LotFilter.InTransit;
			// status=in_transit lists the former only).
			if val == critmin.LotInTransit {
				f.InTransit = true
			} else {
				f.Location = val
			}
		case "last_location":
			// The lots whose latest bizLocation is the site, whether still
			// there or in transit from it (the port left).
			f.LastLocation = val
		case "limit", "offset":
			lo, hi := 0, math.MaxInt
			if k == "limit" {
				lo, hi = 1, MaxListLimit
			}
			n, reason := critmin.IntInRange(val, lo, hi)
			if reason != "" {
				return f, critmin.FieldErrorf(k, "%s", reason)
			}
			if k == "limit" {
				f.Limit = n
			} else {
				f.Offset = n
			}
		case "format":
			if val != "json" && val != "csv" {
				return f, critmin.FieldErrorf("format", "%q is not json or csv", val)
			}
		case "destination": // lotFilter
		default:
			return f, critmin.FieldErrorf(k, "unknown query parameter")
		}
	}
	if q := r.URL.Query(); q.Get("location") == critmin.LotInTransit && q.Get("status") != "" && q.Get("status") != critmin.LotInTransit {
		return f, critmin.FieldErrorf("status", "%q contradicts location=in_transit", q.Get("status"))
	}
	return f, nil
}

func wantsCSV(r *http.Request) bool {
	return r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
}

// handleLotList lists lots as JSON, or CSV with Accept: text/csv or
// ?format=csv. GET /api/v1/lots
func (s *Server) handleLotList(w http.ResponseWriter, r *http.Request) {
	f, err := lotFilter(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeLots(w, r, f)
}

// handleTransit lists lots in transit. GET /api/v1/transit
func (s *Server) handleTransit(w http.ResponseWriter, r *http.Request) {
	f, err := lotFilter(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// What is in transit: the lots in transit as a whole and those with
	// a part in transit (the rest where the lot stands).
	f.InTransit = true
	// location here is the place the lots left (a lot at sea is at no
	// site): their latest bizLocation.
	if f.Location != "" {
		f.LastLocation, f.Location = f.Location, ""
	}
	s.writeLots(w, r, f)
}

func (s *Server) writeLots(w http.ResponseWriter, r *http.Request, f LotQuery) {
	if wantsCSV(r) {
		s.writeLotsCSV(w, r, f)
		return
	}
	lots, trs, total, err := s.FindLots(r, f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	views, err := s.lotViews(r, lots, trs)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeFigures(w, http.StatusOK, map[string]any{"lots": views, "total": total, "limit": f.Limit, "offset": f.Offset})
}

// lotViews is the list views of lots, with their transits and origins.
func (s *Server) lotViews(r *http.Request, lots []*critmin.Lot, trs []*TransitView) ([]LotView, error) {
	views := make([]LotView, len(lots))
	for i, l := range lots {
		views[i] = lotView(l)
		views[i].Transit = trs[i]
		views[i].InTransit = inTransit(l, trs[i])
	}
	_, err := s.withOrigins(r, lots, views)
	return views, err
}

// writeLotsCSV writes the lots f selects as CSV. Without ?limit= it is
// every matching lot from ?offset= on, streamed in pages of MaxListLimit
// (the lot page's CSV link is the whole list, never its first 100); with
// ?limit= it is that page, and says there is more: X-Total-Count is how
// many lots match in all, and a Link rel="next" header, while lots remain,
// names the next page. A failure after the first page aborts the response
// (the client sees a broken transfer, never a short CSV that looks whole).
func (s *Server) writeLotsCSV(w http.ResponseWriter, r *http.Request, f LotQuery) {
	whole := r.URL.Query().Get("limit") == ""
	if whole {
		f.Limit = MaxListLimit
	} else if f.Limit <= 0 {
		f.Limit = DefaultListLimit
	}
	lots, trs, total, err := s.FindLots(r, f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	views, err := s.lotViews(r, lots, trs)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="lots.csv"`)
	h.Set("X-Total-Count", strconv.Itoa(total))
	if !whole && f.Offset+len(lots) < total {
		next := r.URL.Query()
		next.Set("offset", strconv.Itoa(f.Offset+len(lots)))
		h.Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
	}
	cw := critmin.NewCSVWriter(w)
	_ = cw.Write([]string{"id", "commodity", "status", "wet_t", "dry_t", "moisture", "origin_country", "origin_mine", "location", "owner", "custodian", "last_event_time", "physical_origin", "claimed_origin", "body_remaining_wet_t", "body_remaining_dry_t", "transit", "destination", "in_transit_t", "parts_in_transit", "parts_standing_wet_t", "parts_standing_dry_t"})
	for {
		writeLotRows(cw, lots, views)
		if !whole || len(lots) == 0 || f.Offset+len(lots) >= total {
			break
		}
		f.Offset += len(lots)
		if lots, trs, _, err = s.FindLots(r, f); err == nil {
			views, err = s.lotViews(r, lots, trs)
		}
		if err != nil {
			cw.Flush()
			s.Logger.ErrorContext(r.Context(), "lots CSV cut short", "offset", f.Offset, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
	cw.Flush()
}

func writeLotRows(cw *critmin.CSVWriter, lots []*critmin.Lot, views []LotView) {
	for i, l := range lots {
		moist := ""
		if l.Moisture != nil {
			moist = fig(*l.Moisture)
		}
		phys, claimed, dest := "", "", ""
		if t := views[i].Transit; t != nil {
			dest = t.To
		}
		if o := views[i].Origin; o != nil {
			phys = o.Text
		}
		if c := views[i].ClaimedOrigin; c.Unbacked() {
			claimed = custody.RefusedClaimText(c)
		} else if c != nil {
			// By name, as the physical origin column (Claim.SharesText).
			claimed = c.StatusText() + ": " + c.SharesText()
		}
		// body_remaining_* are the body's remainder (Lot.RemainingWetTonnes,
		// RemainingDryTonnes), parts_standing_* the received parts left
		// where they were received (ledger.PartsStanding): the columns
		// were remaining_wet_t, remaining_dry_t, which read as the whole
		// lot's remainder (issue 15, fix15r).
		pw, pd := ledger.PartsStanding(l)
		_ = cw.Write([]string{l.ID, l.Commodity, l.Status, fig(l.WetTonnes), fig(l.DryTonnes),
			moist, views[i].OriginCountry, l.OriginMine, views[i].Location, l.Owner, l.Custodian, l.LastEventAt.Format(time.RFC3339), phys, claimed, fig(l.RemainingWetTonnes()), fig(l.RemainingDryTonnes()), views[i].Transit.Text(), dest,
			fig(inTransitTonnes(views[i].InTransit)), partsText(views[i].InTransit), fig(pw), fig(pd)})
	}
}

// handleLotGet returns one lot; the id is a URI, percent-encoded in the
// path. GET /api/v1/lots/{id}
func (s *Server) handleLotGet(w http.ResponseWriter, r *http.Request) {
	l, err := s.Store.FindLot(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, WithdrawnLot(r.Context(), s.Store, r.PathValue("id"), err))
		return
	}
	evs, err := s.lotEvents(r, l.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := custody.UnmadeLotError(l.ID, evs); err != nil {
		s.Error(w, r, err)
		return
	}
	views := []LotView{lotView(l)}
	if _, err := s.withOrigins(r, []*critmin.Lot{l}, views); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.setTransit(r, []*critmin.Lot{l}, views); err != nil {
		s.Error(w, r, err)
		return
	}
	views[0].Outturns = ledger.Outturns(l.ID, FullEvents(evs))
	// One lot: every assay it was given, an older one of the same
	// analyte and basis too, marked superseded (ledger.AssayRecords).
	views[0].Assays = assayRecordViews(ledger.AssayRecords(l, evs))
	if views[0].Anomalies, err = lotAnomalies(r.Context(), s.Store, l.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	writeFigures(w, http.StatusOK, views[0])
}

// EventView is the JSON shape of an event in the mineral-view API: the
// indexed fields plus the full EPCIS event.
type EventView struct {
	EventID     string    `json:"eventID"`
	Type        string    `json:"type"`
	EventTime   time.Time `json:"eventTime"`
	RecordTime  time.Time `json:"recordTime"`
	Action      string    `json:"action,omitempty"`
	BizStep     string    `json:"bizStep,omitempty"`
	Disposition string    `json:"disposition,omitempty"`
	ReadPoint   string    `json:"readPoint,omitempty"`
	BizLocation string    `json:"bizLocation,omitempty"`
	Declaration bool      `json:"errorDeclaration"`
	// DeclaredInError is set when a declaration retracts this event: it
	// then counts in no projection (EPCIS 2.0 §7.4.1.2).
	DeclaredInError *DeclarationView `json:"declaredInError,omitempty"`
	// ViaContainer, in a lot's events, is the container (its SSCC) this
	// event moved the lot in, naming only the container (no lot line);
	// ViaContainerQuantity is what the container held of the lot then
	// (LotContainerEvents).
	ViaContainer         string             `json:"viaContainer,omitempty"`
	ViaContainerQuantity *ContainedQuantity `json:"viaContainerQuantity,omitempty"`
	Event                any                `json:"event"`
}

// ContainedQuantity is what a container held of a lot when an event
// moved it: the quantity and unit packed (none when the packing stated
// none: the whole lot).
type ContainedQuantity struct {
	Quantity *float64 `json:"quantity,omitempty"`
	UOM      string   `json:"uom,omitempty"`
}

// DeclarationView is the declaration that retracts an event.
type DeclarationView struct {
	DeclarationTime    time.Time `json:"declarationTime"`
	Reason             string    `json:"reason,omitempty"`
	CorrectiveEventIDs []string  `json:"correctiveEventIDs,omitempty"`
}

func eventView(ev *critmin.Event) EventView {
	v := EventView{EventID: ev.EventID, Type: ev.Type, EventTime: ev.EventTime, RecordTime: ev.RecordTime, Action: ev.Action,
		BizStep: ev.BizStep, Disposition: ev.Disposition, ReadPoint: ev.ReadPoint, BizLocation: ev.BizLocation,
		Declaration: ev.ErrorDeclaration != nil, Event: jsonRaw(ev.Raw)}
	if d := ev.DeclaredInError; d != nil {
		v.DeclaredInError = &DeclarationView{DeclarationTime: d.DeclarationTime, Reason: d.Reason, CorrectiveEventIDs: d.CorrectiveEventIDs}
	}
	return v
}

type jsonRaw []byte

func (j jsonRaw) MarshalJSON() ([]byte, error) { return j, nil }

// lotEvents returns a lot's events in event-time order.
func (s *Server) lotEvents(r *http.Request, id string) ([]*critmin.Event, error) {
	return lotEventsOf(r.Context(), s.Store, id)
}

// WithdrawnLot turns FindLot's not-found for id into EGONE (410) when the
// store holds events of id and every one of them was declared in error
// (EPCIS 2.0 §7.4.1.2): the lot existed and was withdrawn whole, so no
// projection holds it. The message names the declarations (event, time,
// reason). Any other error, or a lot never recorded, passes unchanged.
func WithdrawnLot(ctx context.Context, store critmin.Store, id string, err error) error {
	evs, ok := WithdrawnLotEvents(ctx, store, id, err)
	if !ok {
		return err
	}
	parts := make([]string, 0, len(evs))
	for _, ev := range evs {
		d := ev.DeclaredInError
		p := fmt.Sprintf("event %s declared in error at %s", ev.EventID, d.DeclarationTime.UTC().Format(time.RFC3339))
		if d.Reason != "" {
			p += " (reason " + d.Reason + ")"
		}
		parts = append(parts, p)
	}
	return critmin.Errorf(critmin.EGONE, "lot %q was withdrawn: every event that recorded it was declared in error: %s", id, strings.Join(parts, "; "))
}

// WithdrawnLotEvents returns the events of a lot that FindLot did not
// find (err not-found) when there are some and every one of them was
// declared in error (WithdrawnLot); ok is false otherwise.
func WithdrawnLotEvents(ctx context.Context, store critmin.Store, id string, err error) (evs []*critmin.Event, ok bool) {
	if critmin.ErrorCode(err) != critmin.ENOTFOUND {
		return nil, false
	}
	page, ferr := store.FindEvents(ctx, critmin.EventFilter{
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{id}, Exact: true}},
		OrderBy:      "eventTime", OrderAscending: true, Limit: 1000,
	})
	if ferr != nil {
		return nil, false
	}
	for _, ev := range page.Events {
		// A declaration record (errorDeclaration set) retracts; it is
		// not itself an event of the lot.
		if ev.ErrorDeclaration != nil {
			continue
		}
		if ev.DeclaredInError == nil {
			return nil, false
		}
		evs = append(evs, ev)
	}
	return evs, len(evs) > 0
}

// lotEventsOf lists a lot's events (any role), in event-time order.
func lotEventsOf(ctx context.Context, store critmin.Store, id string) ([]*critmin.Event, error) {
	if _, err := store.FindLot(ctx, id); err != nil {
		return nil, err
	}
	page, err := store.FindEvents(ctx, critmin.EventFilter{
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{id}, Exact: true}},
		OrderBy:      "eventTime", OrderAscending: true, Limit: 1000,
	})
	if err != nil {
		return nil, err
	}
	return page.Events, nil
}

// handleLotEvents lists a lot's events, with those that moved it inside
// a container named by its own identifier (viaContainer), in event-time
// order, each eventID once: an event declared in error carries its
// declaration (declaredInError), and the declaration's own record, which
// the store keeps under the same eventID (EPCIS 2.0 §7.4.1.2), is not
// listed beside it. GET /api/v1/lots/{id}/events
func (s *Server) handleLotEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	evs, err := s.lotEvents(r, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	moved, err := LotContainerEvents(r.Context(), s.Store, id, evs)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]EventView, 0, len(evs)+len(moved))
	for _, ev := range evs {
		out = append(out, eventView(ev))
	}
	for _, m := range moved {
		v := eventView(m.Event)
		v.ViaContainer = m.Container
		v.ViaContainerQuantity = &ContainedQuantity{Quantity: m.Line.Quantity, UOM: m.Line.UOM}
		out = append(out, v)
	}
	listed := map[string]bool{}
	for _, v := range out {
		if !v.Declaration {
			listed[v.EventID] = true
		}
	}
	// A declaration's record stands in only for an event not listed
	// itself (none is expected: the store keeps both).
	out = slices.DeleteFunc(out, func(v EventView) bool { return v.Declaration && listed[v.EventID] })
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

// ContainerEvent is an event that moved a lot inside a container named by
// its own identifier (LotContainerEvents): the event (or its
// declaration's record), the container and the line of what the
// container held of the lot then.
type ContainerEvent struct {
	Event     *critmin.Event
	Container string
	Line      critmin.QuantityElement
}

// LotContainerEvents is the events that moved lot inside a container
// named only by its SSCC (critmin.ContainerMovesStore) that evs, the
// lot's own events, does not hold — shipments and receipts of a
// container the lot was packed in (issue 8, issue 15 §2) —, each with the
// records FindEventsByID gives under its eventID (a declaration in error
// among them), in event-time order. A store that does not record
// container moves gives none. Containers packed in containers are not
// followed (the store records direct contents only).
func LotContainerEvents(ctx context.Context, store critmin.Store, lot string, evs []*critmin.Event) ([]ContainerEvent, error) {
	cs, ok := store.(critmin.ContainerMovesStore)
	if !ok {
		return nil, nil
	}
	moves, err := cs.ContainerMovesOfLot(ctx, lot)
	if err != nil {
		return nil, err
	}
	own := map[string]bool{}
	for _, ev := range evs {
		own[ev.EventID] = true
	}
	var out []ContainerEvent
	seen := map[string]bool{}
	for _, m := range moves {
		if own[m.EventID] || seen[m.EventID+"\x00"+m.Container] {
			continue
		}
		seen[m.EventID+"\x00"+m.Container] = true
		got, err := store.FindEventsByID(ctx, m.EventID)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, ev := range got {
			// The container as the event names it (the store keeps its
			// canonical form, a GS1 Digital Link).
			c := m.Container
			var raw struct {
				EPCList []string `json:"epcList"`
			}
			if json.Unmarshal(ev.Raw, &raw) == nil {
				for _, e := range raw.EPCList {
					if epcis.Canonical(e) == m.Container {
						c = e
						break
					}
				}
			}
			out = append(out, ContainerEvent{Event: ev, Container: c, Line: m.Line})
		}
	}
	emptied, err := lotUnpackedWhole(ctx, store, lot, evs)
	if err != nil {
		return nil, err
	}
	out = append(out, emptied...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Event.EventTime.Before(out[j].Event.EventTime) })
	return out, nil
}

// lotUnpackedWhole is the unpackings that took lot out of a container it
// was packed in by naming the container alone — an AggregationEvent
// DELETE with a parentID and no child, which takes every child out (EPCIS
// 2.0 §7.3.5.3) — each with what the container held of lot just before
// it (ledger.Holdings: what its packings put in, less what its trips
// left behind; nu38a-d: such an unpacking was missing from the lots'
// timelines). evs are lot's own events, whose packings name the
// containers. An unpacking declared in error is listed as if it stood,
// with its declaration's record.
func lotUnpackedWhole(ctx context.Context, store critmin.Store, lot string, evs []*critmin.Event) ([]ContainerEvent, error) {
	k := epcis.Canonical(lot)
	var containers []string
	seen := map[string]bool{}
	for _, ev := range FullEvents(evs) {
		if ev.Type != critmin.AggregationEvent || ev.ParentID == "" || !ledger.Live(ev) {
			continue
		}
		for _, q := range ev.Quantities {
			if c := epcis.Canonical(ev.ParentID); q.Role == critmin.RoleChild && epcis.Canonical(q.EPCClass) == k && !seen[c] {
				seen[c] = true
				containers = append(containers, c)
			}
		}
	}
	var out []ContainerEvent
	for _, c := range containers {
		page, err := store.FindEvents(ctx, critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent},
			EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleParent}, Patterns: []string{c}, Exact: true}}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000})
		if err != nil {
			return nil, err
		}
		var packs, empties []*critmin.Event
		for _, ev := range FullEvents(page.Events) {
			if ev.ErrorDeclaration != nil {
				continue
			}
			if ev.Action == "DELETE" && onlyParent(ev) {
				empties = append(empties, ev)
			}
			if ledger.Live(ev) {
				packs = append(packs, ev)
			}
		}
		if len(empties) == 0 {
			continue
		}
		mv, err := store.FindEvents(ctx, critmin.EventFilter{EventTypes: []string{critmin.ObjectEvent},
			EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{c}, Exact: true}}, Limit: 1000})
		if err != nil {
			return nil, err
		}
		var moves []*critmin.Event
		for _, ev := range FullEvents(mv.Events) {
			if ledger.Live(ev) {
				moves = append(moves, ev)
			}
		}
		for _, del := range empties {
			h := ledger.Holdings{
				Packings: func(string) ([]*critmin.Event, error) {
					var kept []*critmin.Event
					for _, p := range packs {
						if p.EventID != del.EventID {
							kept = append(kept, p)
						}
					}
					return kept, nil
				},
				Moves: func(string) ([]*critmin.Event, error) { return moves, nil },
			}
			held, err := h.HeldAt(c, del.EventTime, del)
			if err != nil {
				return nil, err
			}
			var line *critmin.QuantityElement
			for _, q := range held {
				if epcis.Canonical(q.EPCClass) == k {
					line = &q
				}
			}
			if line == nil {
				continue
			}
			got, err := store.FindEventsByID(ctx, del.EventID)
			if err != nil {
				return nil, err
			}
			for _, ev := range got {
				out = append(out, ContainerEvent{Event: ev, Container: del.ParentID, Line: *line})
			}
		}
	}
	return out, nil
}

// onlyParent reports whether ev names no child: no childEPCs and no
// childQuantityList line.
func onlyParent(ev *critmin.Event) bool {
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleChild {
			return false
		}
	}
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleChild {
			return false
		}
	}
	return true
}

// SiteView is the JSON shape of a site.
type SiteView struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Country     string   `json:"country"`
	CountryName string   `json:"countryName"`
	UNLocode    string   `json:"unLocode,omitempty"`
	Lat         *float64 `json:"lat"`
	Lon         *float64 `json:"lon"`
	Lots        int      `json:"lots"`
}

// handleSiteList lists sites. GET /api/v1/sites
func (s *Server) handleSiteList(w http.ResponseWriter, r *http.Request) {
	sites, err := s.Store.FindSites(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]SiteView, len(sites))
	for i, st := range sites {
		out[i] = SiteView{ID: st.ID, Name: st.Name, Kind: st.Kind, Country: st.Country, CountryName: ledger.CountryName(st.Country), UNLocode: st.UNLocode, Lat: st.Lat, Lon: st.Lon, Lots: st.Lots}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sites": out})
}

// handlePartyList lists parties. GET /api/v1/parties
func (s *Server) handlePartyList(w http.ResponseWriter, r *http.Request) {
	parties, err := s.Store.FindParties(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	type partyView struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Country string `json:"country"`
	}
	out := make([]partyView, len(parties))
	for i, p := range parties {
		out[i] = partyView{p.ID, p.Name, p.Country}
	}
	writeJSON(w, http.StatusOK, map[string]any{"parties": out})
}

//go:embed openapi.json
var openAPIDoc []byte

// handleOpenAPI serves the OpenAPI document of /api/v1. GET /api/v1/openapi.json
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}
