package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// The event and shipment pages (Track job): what an operator reads
// instead of raw JSON-LD.

func (s *site) eventRoutes() {
	s.route("GET /events/{id}", accessRead, s.handleEventPage)
	s.route("GET /shipments/{id}", accessRead, s.handleShipmentPage)
	s.route("GET /shipments", accessRead, s.handleShipmentsPage, "destination")
	s.route("GET /shipments/{$}", accessRead, s.handleShipmentsPage)
}

// eventView is one event as the pages show it.
type eventView struct {
	*critmin.Event
	// Declared: a later error declaration says this event is in error
	// (EPCIS 2.0 §7.4.1.2); Declaration is that declaration.
	Declared    bool
	Declaration *critmin.Event
	// Qty is the event's quantity of one lot ("24.95 t"), on lot pages.
	Qty string
	// Via, on a lot's timeline, is the container (its SSCC) the event
	// moved the lot in, naming only the container, or that an unpacking
	// naming only the container took it out of ("out of container");
	// Qty is then what the container held of the lot. BOL is the event's bill of lading, whose
	// shipment page the entry links to.
	Via, BOL string
}

// decoded returns stored events with every field (quantities, EPCs,
// business transactions, sources, sensors, the declaration's reason):
// the store keeps the indexed fields and the captured JSON, which is
// decoded again here through the capture parser. An event that does not
// decode is kept as stored.
func decoded(evs []*critmin.Event) []*critmin.Event {
	out := make([]*critmin.Event, len(evs))
	for i, ev := range evs {
		out[i] = ev
		body, err := epcis.EventWithContext(ev)
		if err != nil {
			continue
		}
		doc, err := epcis.ParseDocument(body, true)
		if err != nil {
			continue
		}
		full, derr := doc.Decode(0, ev.RecordTime)
		if derr != nil {
			continue
		}
		full.PK, full.EventID, full.RecordTime, full.CaptureID, full.Raw, full.Context = ev.PK, ev.EventID, ev.RecordTime, ev.CaptureID, ev.Raw, ev.Context
		// The stored record says which is which: a declaration record
		// carries ErrorDeclaration; the event it declares in error carries
		// DeclaredInError (whose JSON, as served, shows the declaration
		// too, so the decoded copy must not be read as a declaration).
		full.ErrorDeclaration, full.DeclaredInError = ev.ErrorDeclaration, ev.DeclaredInError
		out[i] = full
	}
	return out
}

// declaredIDs are the eventIDs that an error declaration among evs names:
// a declaration repeats the eventID of the event it declares in error.
func declaredIDs(evs []*critmin.Event) map[string]*critmin.Event {
	out := map[string]*critmin.Event{}
	for _, e := range evs {
		if e.ErrorDeclaration != nil {
			out[e.EventID] = e
		}
	}
	return out
}

// tonnes converts a quantity element to metric tonnes when its unit is a
// mass (UN/CEFACT Rec 20), else reports false.
func tonnes(q critmin.QuantityElement) (float64, bool) {
	if q.Quantity == nil {
		return 0, false
	}
	t, err := units.ToTonnes(*q.Quantity, q.UOM)
	return t, err == nil
}

// quantityText is a quantity as "24.95 t (24,950 kg)", or as given.
func quantityText(q critmin.QuantityElement) string {
	if q.Quantity == nil {
		return "no quantity"
	}
	raw := quantityNum(*q.Quantity) + " " + units.Symbol(q.UOM)
	t, ok := tonnes(q)
	if !ok {
		return raw
	}
	head := formatNum(t, 3) + " t"
	if t != 0 && formatNum(math.Abs(t), 3) == "0" {
		// Below half a kilogram "0 t" would say nothing was there: the
		// mass in the unit that shows its significant digits.
		head = massText(t)
	}
	if head == raw {
		return head
	}
	return head + " (" + raw + ")"
}

// shippedText is what a shipment stating no quantity of a lot
// shipped of it, t wet tonnes (ledger.ShippedBy), as the shipment page,
// the lot's timeline and its genealogy table word it.
func shippedText(t float64) string {
	return formatNum(t, 3) + " t (no quantity stated: what stood of the lot where it left)"
}

// quantityNum is a quantity with three decimals and thousands separators,
// never "0" for one that is not zero (nonZeroNum).
func quantityNum(v float64) string { return nonZeroNum(v, 3) }

// timeline is a lot's events with the lot's quantity in each and the
// events declared in error marked.
func timeline(lot string, evs []*critmin.Event) []eventView { return timelineOf(lot, decoded(evs)) }

// timelineOf is timeline over events already decoded.
func timelineOf(lot string, evs []*critmin.Event) []eventView {
	decl := declaredIDs(evs)
	// A declaration repeats the eventID of the event it declares in error
	// (EPCIS 2.0 §7.4.1.2): where that event is listed too, the event is
	// shown once, marked, with the declaration's reason and time, never
	// once more as the declaration.
	original := map[string]bool{}
	for _, e := range evs {
		if e.ErrorDeclaration == nil {
			original[e.EventID] = true
		}
	}
	out := make([]eventView, 0, len(evs))
	var full []*critmin.Event // evs in full, for ledger.ShippedBy
	for _, e := range evs {
		if e.ErrorDeclaration != nil && original[e.EventID] {
			continue
		}
		v := eventView{Event: e}
		if d, ok := decl[e.EventID]; ok && e.ErrorDeclaration == nil {
			v.Declared, v.Declaration = true, d
			if e.DeclaredInError == nil {
				// Not read back from the store with its declaration:
				// the declaration among evs says why and when.
				c := *e
				c.DeclaredInError = d.ErrorDeclaration
				v.Event = &c
			}
		}
		var parts []string
		for _, q := range e.Quantities {
			if q.EPCClass == lot || epcis.Canonical(q.EPCClass) == lot {
				label := quantityText(q)
				if q.Quantity == nil {
					// A laboratory's result names the lot with no mass:
					// its assays are what it says (issue 15: "no
					// quantity" and nothing of the assay).
					if a := assayText(e); a != "" {
						label = a
					}
				}
				if q.Quantity == nil && lot != "" && e.BizStep == "shipping" && q.Role != critmin.RoleInput && q.Role != critmin.RoleChild {
					// A shipment stating no quantity shipped what stood
					// of the lot where it left, as the shipment page
					// says (ledger.ShippedBy; issue 15, fix15d item 2:
					// the timeline read "no quantity").
					if full == nil {
						full = critminhttp.FullEvents(ledger.EventTimeOrder(evs))
					}
					if t, ok := ledger.ShippedBy(lot, full, e); ok {
						label = shippedText(t)
					}
				}
				if q.Role == critmin.RoleInput {
					label += " in"
				} else if q.Role == critmin.RoleOutput {
					label += " out"
				}
				parts = append(parts, label)
			}
		}
		v.Qty = strings.Join(parts, ", ")
		out = append(out, v)
	}
	return out
}

// withContainerMoves is lot timeline tl with the events that moved the
// lot inside a container named only by its SSCC (moved,
// critminhttp.LotContainerEvents) added in event-time order, each marked
// with the container, what it held of the lot then and its bill of
// lading, and marked declared in error as a lot-line event is (issue 8,
// issue 15 §2: the timeline of a lot shipped in a container stopped at
// its packing).
func withContainerMoves(tl []eventView, moved []critminhttp.ContainerEvent) []eventView {
	if len(moved) == 0 {
		return tl
	}
	evs := make([]*critmin.Event, len(moved))
	byID := map[string]critminhttp.ContainerEvent{}
	for i, m := range moved {
		evs[i] = m.Event
		if _, ok := byID[m.Event.EventID]; !ok {
			byID[m.Event.EventID] = m
		}
	}
	out := append([]eventView(nil), tl...)
	for _, v := range timelineOf("", decoded(evs)) {
		m := byID[v.EventID]
		v.Via, v.Qty = m.Container, quantityText(m.Line)
		for _, b := range v.BizTransactions {
			if isBOL(b) {
				v.BOL = b.ID
				break
			}
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	return out
}

// handleEventPage shows one event: what, when, where, why, quantities,
// assays, declaration status, its CBV 2.0 hash and links.
// GET /events/{id}
func (s *site) handleEventPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	// An event ID is a URI, which holds no space: spaces around a pasted
	// ID are the paste's, and the page opens the ID without them (new-user
	// finding nu37b-6: "/events/ nope " read `no event with eventID
	// " nope "`).
	if t := strings.TrimSpace(id); t != id && t != "" {
		http.Redirect(w, r, "/events/"+url.PathEscape(t), http.StatusSeeOther)
		return
	}
	evs, err := s.Store.FindEventsByID(r.Context(), id)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "No event has the ID %s. An event ID is the URI its event states as eventID (urn:uuid:… or a ni:///sha-256 hash ID); the Events page lists and searches them.", strconv.Quote(id)))
		return
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	evs = decoded(evs)
	ev := evs[0]
	for _, e := range evs {
		if e.ErrorDeclaration == nil {
			ev = e
			break
		}
	}
	var decl *critmin.Event
	for _, e := range evs {
		if e.ErrorDeclaration != nil {
			decl = e
		}
	}
	sites, pm, err := s.sitesAndParties(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	type qrow struct {
		critmin.QuantityElement
		Text   string
		IsLot  bool
		Tonnes string
		// Carried is a line of what the event's containers held, not
		// one the event states.
		Carried bool
	}
	var qs []qrow
	for _, q := range ev.Quantities {
		row := qrow{QuantityElement: q, Text: quantityText(q)}
		if _, err := s.Store.FindLot(r.Context(), q.EPCClass); err == nil {
			row.IsLot = true
		}
		qs = append(qs, row)
	}
	// What the containers it moves by their own identifiers carried, as
	// the lot projection counted it (carried, ledger.WithContents): a
	// container shipped alone moved the lots in it (issue 15, n15-2: the
	// page read "No class-level quantities").
	if c := s.carried(r, ev); c != ev {
		for _, q := range c.Quantities[len(ev.Quantities):] {
			row := qrow{QuantityElement: q, Text: quantityText(q), Carried: true}
			if _, err := s.Store.FindLot(r.Context(), q.EPCClass); err == nil {
				row.IsLot = true
			}
			qs = append(qs, row)
		}
	}
	// The event's time as the site's clock read it: eventTime in its own
	// eventTimeZoneOffset (EPCIS 2.0 §7.4.1: the offset in effect where
	// the event took place).
	ownTime := ""
	if lt, ok := localEventTime(ev.EventTime, ev.EventTimeZoneOffset); ok {
		ownTime = lt
	}
	hash, herr := epcis.HashStored(ev.Raw, ev.Context)
	data := map[string]any{"E": ev, "Declaration": decl, "Quantities": qs, "Sites": sites, "Parties": pm, "Hash": hash,
		"Containers": containersOf(ev), "Offset": ev.EventTimeZoneOffset, "Devices": deviceIDs(ev.Raw), "LocalTime": ownTime}
	// The mineral extension as a person reads it: the product's
	// commodity, origin, moisture and assays (a transformation's outputs,
	// a commissioning, a sample's results), each analyte by its name.
	if mf, errs := ledger.DecodeMineral(ev, ""); len(errs) == 0 && mf != nil {
		var lines [][2]string
		add := func(k, v string) {
			if strings.TrimSpace(v) != "" {
				lines = append(lines, [2]string{k, v})
			}
		}
		if mf.Commodity != "" {
			add("Commodity", ledger.CommodityName(mf.Commodity))
		}
		add("Origin country", mf.OriginCountry)
		if mf.OriginMine != "" {
			add("Origin mine", siteLabel(sites, mf.OriginMine))
		}
		if mf.Supplier != "" {
			add("Supplier", partyLabel(pm, mf.Supplier))
		}
		if mf.Moisture != nil {
			add("Moisture", formatNum(*mf.Moisture*100, 2)+" %")
		}
		if mf.MassTonnes != nil {
			add("Measured mass", formatNum(*mf.MassTonnes, 3)+" t")
		}
		for _, a := range mf.Assays {
			add("Assay "+a.Analyte, strings.TrimSpace(formatNum(a.Value, 4)+" "+a.Unit+" "+basisText(a.Basis)))
		}
		data["Mineral"] = lines
	}
	if herr != nil {
		data["HashError"] = critmin.ErrorMessage(herr)
	}
	if eta, ok := extensionTime(ev, "eta"); ok {
		data["EventETA"] = eta
	}
	// The vessel (or truck) a shipping event names (cm:vessel), as the
	// shipment page shows it (issue 15, n15 item 6: the event page
	// omitted it).
	if vessel := extensionText(ev, "vessel"); vessel != "" {
		data["Vessel"] = vessel
	}
	if t := weighbridgeTicket(ev); t != nil {
		data["Ticket"] = t
	}
	if why := extensionText(ev, "massChangeReason"); why != "" {
		data["MassChangeReason"] = why
	}
	if decl != nil {
		data["DeclarationHash"], _ = epcis.HashStored(decl.Raw, decl.Context)
	} else if ev.ErrorDeclaration == nil {
		// The form that declares it in error (declare.go), shown to
		// operators and admins by the template.
		data["Declare"] = &declareView{Values: url.Values{}, Reasons: declareReasons, Errors: map[string][]string{}, Names: namesOf(mapValues(sites), mapValues(pm))}
	}
	s.render(w, r, http.StatusOK, "event", ev.Type+" "+ev.BizStep, "events", data)
}

// containersOf lists the EPCs an event moves or packs (parentID of a
// packing event, epcList of a shipping one), each a shipment page.
func containersOf(e *critmin.Event) []string {
	var out []string
	if e.ParentID != "" {
		out = append(out, e.ParentID)
	}
	for _, x := range e.EPCs {
		if x.Role == critmin.RoleEPC || x.Role == critmin.RoleParent {
			if x.EPC != e.ParentID {
				out = append(out, x.EPC)
			}
		}
	}
	return out
}

// containerContents is what the container holds at time at (now when
// at is zero): the children its valid AggregationEvents up to then
// packed into it, each with what of it stays inside as the store reads
// it (Store.PackedIn, custody.ContainedAt: packings less unpackings —
// a DELETE's childQuantityList takes out that part, EPCIS 2.0 §7.3.5.3 —
// less what a shipment or run input of the lot itself drew out of the
// container beyond the lot's loose rest at the site; issue 15, fix15k),
// summed per child when its packings give a mass in one unit. ok is
// false when no packing of the container is recorded; ok with no
// contents is a container emptied.
func (s *site) containerContents(ctx context.Context, evs []*critmin.Event, container string, at time.Time, valid func(*critmin.Event) bool) ([]critmin.QuantityElement, bool, error) {
	parent := epcis.Canonical(container)
	var children []string
	seen := map[string]bool{}
	original := map[string]string{} // canonical → as the packing wrote it
	ok := false
	for _, e := range evs {
		if e.Type != critmin.AggregationEvent || epcis.Canonical(e.ParentID) != parent || !valid(e) || (!at.IsZero() && e.EventTime.After(at)) {
			continue
		}
		ok = true
		for _, q := range e.Quantities {
			if q.Role == critmin.RoleChild && original[epcis.Canonical(q.EPCClass)] == "" {
				original[epcis.Canonical(q.EPCClass)] = q.EPCClass
			}
		}
		for _, x := range e.EPCs {
			if x.Role == critmin.RoleChild && original[epcis.Canonical(x.EPC)] == "" {
				original[epcis.Canonical(x.EPC)] = x.EPC
			}
		}
		for _, k := range ledger.Children(e) {
			if !seen[k.Child] {
				seen[k.Child] = true
				children = append(children, k.Child)
			}
		}
	}
	if len(children) == 0 {
		return nil, ok, nil
	}
	packed, err := s.Store.PackedIn(ctx, children, at)
	if err != nil {
		return nil, false, err
	}
	in := map[string][]critmin.Packing{}
	for _, p := range packed {
		in[p.Child] = append(in[p.Child], p)
	}
	var out []critmin.QuantityElement
	for _, child := range children {
		var q *critmin.QuantityElement
		for _, p := range in[child] {
			if epcis.Canonical(p.Container) != parent {
				continue
			}
			// What stays of the packing: its quantity less what partial
			// unpackings took out (Packing.Unpacked, in tonnes; nu15b:
			// 2 t packed, 1 t unpacked read 2 t), in the packing's unit.
			stays := p.Quantity
			if p.Quantity != nil && p.Unpacked > 0 {
				full := p
				full.Unpacked = 0
				w, ok1 := ledger.PackedWet(p, 0)
				all, ok2 := ledger.PackedWet(full, 0)
				if ok1 && ok2 && all > 0 {
					v := *p.Quantity * w / all
					stays = &v
				}
			}
			if q == nil {
				q = &critmin.QuantityElement{Role: critmin.RoleEPC, EPCClass: original[child], UOM: p.UOM}
				if stays != nil {
					v := *stays
					q.Quantity = &v
				}
				continue
			}
			if q.Quantity != nil && stays != nil && q.UOM == p.UOM {
				*q.Quantity += *stays
			} else {
				q.Quantity = nil
			}
		}
		if q != nil && (q.Quantity == nil || *q.Quantity > 1e-9) {
			out = append(out, *q)
		}
	}
	return out, ok, nil
}

// shipmentLot is one lot of a shipment with its mass and grades.
type shipmentLot struct {
	Lot *critmin.Lot
	// Origin is the lot's physical origin headline (custody.Headline,
	// flagged), the origin function every view reads, never its stored,
	// stated country (issue 9 §5, fixBb).
	Origin string
	ID     string
	Qty    string
	Tonnes float64
	// Packed is, on a container's page, what the container's packing
	// put in it of the lot when that differs from what the shipping
	// event loaded (Qty, Tonnes): the difference belongs to an earlier
	// leg, not to this voyage's loss (new-user finding nu37b-1); "" else.
	Packed string
	// Received is the quantity found on receipt ("" before); Diff the
	// received minus the shipped mass, in tonnes.
	Received string
	Diff     *float64
	// ReceivedTonnes is the received mass in tonnes (with Diff); LossPct
	// the difference over the shipped mass in per cent (negative: a
	// loss), and Beyond says it is outside ledger.OutturnTolerance.
	ReceivedTonnes float64
	LossPct        *float64
	Beyond         bool
	// Grades are the lot's dry grades in effect for what the shipment
	// carried when it left (shipmentGrades); LaterGrades the assays dated
	// after it, which are not its grade.
	Grades, LaterGrades []string
	// Owners and Custodians are the parties of what the shipment carried
	// of the lot: every owner and custodian of the part it shipped
	// (Lot.PartOwners, Lot.PartCustodians: several when it drew on
	// several parties' holdings at one site; issue 15, fix15l), else the
	// source owning_party and possessing_party the shipping event names.
	// The carrier is not a custodian unless the event names it one.
	Owners, Custodians []string
	// AtSea says the shipment is shipped and not yet received: the
	// custodian of what it carries is then the carrier the shipping
	// event hands it to (Carriers: its destination possessing_party,
	// CBV 2.0 §7.5, as custody.Voyage reads a carrier), not the shipper
	// that held it before; none named is said so (issue 15, fixCc
	// item 2).
	AtSea    bool
	Carriers []string
}

// outturnTotal is a shipment's shipped and received masses summed over
// the lots that have both, with the difference and its share.
type outturnTotal struct {
	Shipped, Received, Diff, Pct float64
	Beyond                       bool
	Lots                         int // lots summed
}

// setOutturn sets a lot's difference, per cent and flag from its
// shipped and received tonnes: beyond ledger.OutturnTolerance (0.5 %,
// two weighbridges' combined error; the ledger's transit_loss and
// transit_gain anomalies use it) it is flagged.
func (l *shipmentLot) setOutturn(received float64) {
	// In decimal on the weights as stated (ledger.OutturnPercent): 7.99 t
	// of 8 t is −0.125 % → "0.13 % loss", not float's −0.12499… (fix15p).
	d := ledger.OutturnDifference(l.Tonnes, received)
	pct := ledger.OutturnPercent(l.Tonnes, received)
	l.Diff, l.ReceivedTonnes, l.LossPct = &d, received, &pct
	l.Beyond = math.Abs(d) > ledger.OutturnTolerance*l.Tonnes+1e-9
}

// outturnOf sums the lots received with a weight: the total's per cent
// is the summed difference over the summed shipped mass.
func outturnOf(lots []shipmentLot) *outturnTotal {
	var t outturnTotal
	n := 0
	for _, l := range lots {
		if l.Diff == nil {
			continue
		}
		n++
		t.Lots = n
		t.Shipped += l.Tonnes
		t.Received += l.ReceivedTonnes
	}
	if n == 0 || t.Shipped <= 0 {
		return nil
	}
	t.Diff = ledger.OutturnDifference(t.Shipped, t.Received)
	t.Pct = ledger.OutturnPercent(t.Shipped, t.Received)
	t.Beyond = math.Abs(t.Diff) > ledger.OutturnTolerance*t.Shipped+1e-9
	return &t
}

// handleShipmentPage shows a shipment: a bill of lading, or a container
// (any EPC). Its events are those naming the bill of lading or the
// container (and the containers the bill of lading covers); the page
// shows the contents of the shipping event (masses, grades, origin), the
// bill of lading, the route from the moves recorded, the destination and
// any ETA the shipping event states (critmin's cm:eta extension), and the
// status: in transit until a receiving or arriving event at the
// destination. GET /shipments/{id}
func (s *site) handleShipmentPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := r.Context()
	byBOL, err := s.Store.FindEvents(ctx, critmin.EventFilter{BizTxns: map[string][]string{"bol": {id}}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(byBOL.Events) == 0 {
		// A short bill of lading (KHI-HOU-2025-0901) or another case of
		// a stored one opens that shipment's page.
		full, err := s.resolveBOL(r, id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if full != "" && full != id {
			http.Redirect(w, r, shipmentHref(full), http.StatusSeeOther)
			return
		}
	}
	// A shipment without a bill of lading opens by its shipping event's
	// ID (the shipments index links it so).
	noBOL := false
	if len(byBOL.Events) == 0 {
		if evs, err := s.Store.FindEventsByID(ctx, id); err == nil {
			for _, e := range decoded(evs) {
				if e.ErrorDeclaration == nil && (e.BizStep == "shipping" || e.BizStep == "departing") {
					byBOL.Events, noBOL = []*critmin.Event{e}, true
				}
			}
		} else if critmin.ErrorCode(err) != critmin.ENOTFOUND {
			s.renderError(w, r, err)
			return
		}
	}
	byBOL.Events = decoded(byBOL.Events)
	containers := []string{}
	kind := "container"
	if len(byBOL.Events) > 0 {
		kind = "bill of lading"
		if noBOL {
			kind = "shipping event without a bill of lading"
		}
		// One entry per container, whichever spelling of its identifier
		// (EPC URN or GS1 Digital Link) each event uses: the first seen
		// (nu36-5: a container named both ways was listed twice).
		seen := map[string]bool{}
		for _, e := range byBOL.Events {
			for _, c := range containersOf(e) {
				if k := epcis.Canonical(c); !seen[k] {
					seen[k] = true
					containers = append(containers, c)
				}
			}
		}
	} else {
		containers = []string{id}
	}
	// An event and its error declaration share an eventID, and may share
	// a record time (captured in one document): the key tells them apart.
	key := func(e *critmin.Event) string {
		return fmt.Sprintf("%s|%s|%t", e.EventID, e.RecordTime, e.ErrorDeclaration != nil)
	}
	all := map[string]*critmin.Event{}
	for _, e := range byBOL.Events {
		all[key(e)] = e
	}
	if len(containers) > 0 {
		page, err := s.Store.FindEvents(ctx, critmin.EventFilter{
			EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleParent}, Patterns: containers, Exact: true}},
			OrderBy:    "eventTime", OrderAscending: true, Limit: 1000})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, e := range page.Events {
			all[key(e)] = e
		}
	}
	if len(all) == 0 {
		// A container's ISO 6346 number alone (MSKU1234565) opens the
		// page of the container recorded under it, whatever its URN
		// (the demo's urn:critmin:demo:container:…, urn:epc:id:bic:…),
		// as the forms read the number (knownContainers; fixPh).
		if n := plainContainer(id); !strings.Contains(id, ":") && iso6346RE.MatchString(n) {
			known, err := s.knownContainers(ctx, []string{n})
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			if uri, ok := known[n]; ok {
				http.Redirect(w, r, shipmentHref(uri), http.StatusSeeOther)
				return
			}
		}
		s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "no event names %q as a bill of lading or a container", id))
		return
	}
	evs := make([]*critmin.Event, 0, len(all))
	for _, e := range all {
		evs = append(evs, e)
	}
	evs = decoded(evs)
	sort.Slice(evs, func(i, j int) bool { return evs[i].EventTime.Before(evs[j].EventTime) })
	decl := declaredIDs(evs)
	valid := func(e *critmin.Event) bool {
		_, d := decl[e.EventID]
		return e.ErrorDeclaration == nil && e.DeclaredInError == nil && !d
	}
	// The shipping event: the last valid one with bizStep shipping (or,
	// for a container never shipped, the last departing one).
	var ship *critmin.Event
	// A bill of lading's page is that voyage's: its shipping event is one
	// naming the bill of lading, never a later trip of its containers.
	candidates := evs
	if kind != "container" {
		candidates = byBOL.Events
	}
	for _, step := range []string{"shipping", "departing"} {
		for _, e := range candidates {
			if valid(e) && e.BizStep == step {
				ship = e
			}
		}
		if ship != nil {
			break
		}
	}
	// No valid shipping event: the shipment's own one declared in error
	// (the latest), whose page says so and what it stated, rather than
	// "not shipped" with nothing in it (issue 15, fix15s item 3).
	var declared *critmin.Event
	for _, step := range []string{"shipping", "departing"} {
		for _, e := range candidates {
			if _, d := decl[e.EventID]; ship == nil && d && e.ErrorDeclaration == nil && e.BizStep == step {
				declared = e
			}
		}
		if ship != nil || declared != nil {
			break
		}
	}
	sites, err := s.siteMap(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// A container's page lists what that container holds as the ship
	// sails (its own packings up to the shipping time), not the whole
	// bill of lading's cargo, which may fill other containers too.
	var packed []critmin.QuantityElement
	packedKnown := false
	if kind == "container" && ship != nil {
		packed, packedKnown, err = s.containerContents(ctx, evs, id, ship.EventTime, valid)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	// Every event naming the container, in time order: its page lists
	// them all, beyond the voyage of its last shipping event (issue 15,
	// n15-3: MSKU1234565's departure from Houston, receipt at the plant
	// and unpacking were left out).
	containerEvs := evs
	var receipt *critmin.Event
	var dataDeclaredReceipts []*critmin.Event
	var dataOnwardOf map[string]any // the earlier voyage an onward shipment follows
	if ship != nil {
		if receipt, err = s.voyageReceipt(r, ship); err != nil {
			s.renderError(w, r, err)
			return
		}
		var earlier *critmin.Event
		evs, earlier = voyageEvents(evs, ship, receipt, valid)
		if earlier != nil {
			onward := map[string]any{"Event": earlier}
			for _, b := range earlier.BizTransactions {
				if isBOL(b) {
					onward["BOL"] = b.ID
				}
			}
			dataOnwardOf = onward
		}
		if receipt == nil {
			// The record counts no receipt: one declared in error is
			// shown so marked, never read as the arrival (issue 8 §2).
			declared, _, err := s.declaredVoyageReceipts(r, ship)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			listed := map[string]bool{}
			for _, e := range evs {
				listed[e.EventID] = true
			}
			for _, e := range declared {
				if !listed[e.EventID] {
					listed[e.EventID] = true
					evs = append(evs, e)
				}
			}
			sort.SliceStable(evs, func(i, j int) bool { return evs[i].EventTime.Before(evs[j].EventTime) })
			dataDeclaredReceipts = declared
		}
	}
	pm, err := s.partyMap(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data := map[string]any{"ID": id, "Kind": kind, "Containers": containers, "Sites": sites, "Parties": pm, "Events": timelineOf("", evs), "Destination": "",
		"DeclaredReceipts": dataDeclaredReceipts, "OnwardOf": dataOnwardOf}
	// shipView is the shipping event as the lot projection counted it:
	// with the lots its containers held (withCargo).
	shipView := ship
	if ship != nil {
		if shipView, err = s.withCargo(ctx, ship); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	// contents are the shipment's lots, with their masses, grades and
	// origin.
	contents := func(cargo []critmin.QuantityElement) []shipmentLot {
		var lots []shipmentLot
		total := 0.0
		for _, q := range cargo {
			sl := shipmentLot{ID: q.EPCClass, Qty: quantityText(q)}
			t, stated := tonnes(q)
			if stated {
				sl.Tonnes, total = t, total+t
			}
			if l, err := s.Store.FindLot(ctx, q.EPCClass); err == nil {
				sl.Lot = l
				sl.Grades = dryGradeTexts(l)
				if c, err := custody.OriginOf(ctx, s.Store, l.ID, false); err == nil {
					sl.Origin = c.Headline().Text
				}
				if ship != nil {
					// The grade in effect for what this shipment
					// carried when it left (nu15 F3), not the lot's
					// newest.
					levs, err := s.LotEvents(r, l.ID)
					if err == nil {
						sl.Grades, sl.LaterGrades = shipmentGrades(l, levs, shipFrom(ship), ship.EventTime, sites)
					}
					if p, ok := ledger.ShippedPart(l, ship.EventID); ok {
						sl.Owners, sl.Custodians = l.PartOwners(p), l.PartCustodians(p)
					} else {
						for _, src := range ship.Sources {
							switch src.Type {
							case "owning_party":
								sl.Owners = append(sl.Owners, src.ID)
							case "possessing_party":
								sl.Custodians = append(sl.Custodians, src.ID)
							}
						}
						if len(sl.Owners) == 0 && err == nil {
							// What it carried is the holding it took
							// where it left, as the lot stood just
							// before it (ledger.HoldingOf): its body's
							// owner and custodian, or its parts'
							// (issue 15, n15 finding 1: the page named
							// the owner a receipt of another part had
							// named — USSM's 4 t at Houston — for the
							// FWO's 6 t that shipped from Karachi).
							if o, c, ok := holdingParties(lotBefore(l.ID, levs, ship), ship); ok {
								sl.Owners = o
								if len(sl.Custodians) == 0 {
									sl.Custodians = c
								}
							}
						}
						if len(sl.Owners) == 0 && err == nil {
							// A shipping that names no owning party
							// transfers no ownership (CBV 2.0 §7.5,
							// source/destination types): whoever
							// owned the lot as it left owns what it
							// carried; the column read "—" (issue 15,
							// fix15zi: the vessel's shipment of
							// REE-2025-003). Never the lot's owner
							// now when a later event passed it on.
							sl.Owners = nonEmptyOwner(ownerAtShipping(levs, ship, l.Owner))
						}
					}
					if q.Quantity == nil && ship.BizStep == "shipping" && err == nil {
						// A shipment stating no quantity shipped what
						// stood of the lot where it left
						// (shippedOfLot; issue 15, fix15n N2: it
						// read "0 t shipped").
						if t, ok := shippedOfLot(l.ID, levs, shipView); ok {
							sl.Tonnes, total = t, total+t
							sl.Qty = shippedText(t)
						}
					}
				}
			}
			lots = append(lots, sl)
		}
		data["Lots"], data["Total"] = lots, total
		return lots
	}
	if kind == "container" && ship == nil {
		// A container not shipped (yet) has contents too: what its own
		// packings, less its unpackings, put in it up to its latest event
		// (fix15c item 4), and less what shipments or run inputs of its
		// lots drew out of it (Store.PackedIn; fix15k; read as the ledger
		// counts it, critmin.ContainerHoldingsStore, n8e-7) — now, so that a
		// shipment of a packed lot after the container's last event
		// counts; "nothing packed on record" when none did, "emptied"
		// when its packings were all taken out.
		held, known, err := s.containerContents(ctx, evs, id, time.Time{}, valid)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if hs, ok := s.Store.(critmin.ContainerHoldingsStore); ok && known {
			// What the ledger counts it holds: the rule capture gives a
			// run fed it whole (critmin.ContainerHoldingsStore), so that
			// a run fed it whole empties it and its lots' line draws
			// leave what the next run would take (new-user check
			// n8e-7: after a run fed it whole the page listed B 2 t,
			// the lot's loose rest, as still in it). Each lot as its
			// packings spelt it.
			spelt := map[string]string{}
			for _, q := range held {
				spelt[epcis.Canonical(q.EPCClass)] = q.EPCClass
			}
			if held, err = hs.ContainerHolds(ctx, id); err != nil {
				s.renderError(w, r, err)
				return
			}
			for i := range held {
				if o := spelt[epcis.Canonical(held[i].EPCClass)]; o != "" {
					held[i].EPCClass = o
				}
			}
		}
		if known {
			data["Packed"] = true
			data["Emptied"] = len(held) == 0
			lots := contents(held)
			// The parties of what it holds: the holding of each lot
			// where the container stands (its latest event's site), as
			// the lot stands now (issue 15, n15 finding 5: "owner and
			// custodian not stated" where the commissioning named FWO).
			if site := lastSite(evs, valid); site != "" {
				for i := range lots {
					if lots[i].Lot != nil {
						lots[i].Owners, lots[i].Custodians, _ = holdingParties(lots[i].Lot, &critmin.Event{BizLocation: site})
					}
				}
			}
		} else {
			data["ContentsUnknown"] = true
		}
	}
	if ship != nil {
		data["Ship"] = ship
		cargo := shipView.Quantities
		switch {
		case kind != "container":
		case packedKnown:
			cargo, data["Packed"], data["Emptied"] = packed, true, len(packed) == 0
		case len(containersOf(ship)) > 1:
			// Packed nowhere on record, and shipped beside other
			// containers: which of the cargo is in this one is unknown.
			cargo, data["ContentsUnknown"] = nil, true
		}
		lots := contents(cargo)
		// A container shipped holding nothing on record says so, not
		// "0 t shipped (0 lots)" alone (issue 15, n15 item 6).
		if kind == "container" && len(lots) == 0 && data["ContentsUnknown"] == nil {
			data["ShippedEmpty"] = true
		}
		// whole says, per lot, that this container held all of it as
		// shipped (wholeLotPacked): only then does a receipt's weight of
		// the lot compare with what the container carried.
		whole := make([]bool, len(lots))
		if kind == "container" && packedKnown {
			// A voyage's loss is the weight received less the weight
			// loaded — what the shipping event carried — as the bill of
			// lading's page reads it, not the weight packed: a lot packed
			// at 20 t at the mine, received at Karachi at 19.95 t and
			// shipped on at 19.95 t lost 0.05 t before this voyage
			// (new-user finding nu37b-1: the page charged it to the sea
			// voyage, −0.50 % where the bill of lading read −0.25 %).
			// Only where the container held all of the lot as shipped
			// (wholeLotPacked): a part in this container is its own
			// figure.
			// The weight loaded is the one the bill of lading's page
			// reads (loadedOf): stated, or with none stated what stood
			// of the lot where it left — a whole lot shipped naming it
			// with no mass is compared with its receipt too (new-user
			// finding nu39c-2: the page read "(whole lot, in every
			// container)" and no difference where the bill of lading's
			// page flagged −0.75 %).
			total, _ := data["Total"].(float64)
			for i := range lots {
				t, text, ok, err := s.loadedOf(r, shipView, lots[i])
				if err != nil {
					s.renderError(w, r, err)
					return
				}
				if !ok {
					continue
				}
				if !wholeLotPacked(t, lots[i]) {
					// Re-weighed after its packing: the container held
					// all that stood of the lot where it left (its
					// packings less what was drawn out, at least that
					// holding as the lot stood just before the
					// shipment), and the shipment loaded that holding —
					// the shipped mass as recorded, the re-weighing
					// included, is what this container carried (issue
					// 15, n15 finding 2: 10 t packed, 4 t drawn out, the
					// 6 t left re-weighed at 5.97 t and shipped: the
					// container page read 6 t where the bill of lading's
					// read 5.97 t, and no loss on receipt).
					levs, err := s.LotEvents(r, lots[i].ID)
					if err != nil {
						s.renderError(w, r, err)
						return
					}
					lb := lotBefore(lots[i].ID, levs, ship)
					if lb == nil {
						continue
					}
					h, found := ledger.HoldingOf(lb, ship)
					if !found || !wholeLotPacked(t, shipmentLot{Tonnes: h.WetTonnes}) || lots[i].Tonnes < h.WetTonnes*(1-ledger.OutturnTolerance) {
						continue
					}
				}
				whole[i] = true
				if t != lots[i].Tonnes {
					lots[i].Packed = lots[i].Qty
					total += t - lots[i].Tonnes
					lots[i].Qty, lots[i].Tonnes = text, t
				}
			}
			data["Total"] = total
		}
		// A lot this shipment sent on from a place where nothing of it
		// stood — shipped on from a part whose receipt was then declared
		// in error (critmin.LotPart.FromRetracted) — is flagged, never
		// silently counted as the lot's.
		// So is one whose source party held nothing there, or less than
		// it shipped, once a declaration took that holding away (issue
		// 15, fix15q): the part names the party the event named.
		var anomalies []string
		counted := 0 // lots of which this shipment carries a counted part, or the whole
		for _, sl := range lots {
			if sl.Lot == nil {
				continue
			}
			flagged := false
			for _, p := range sl.Lot.Parts {
				if p.FromRetracted && p.ShipEventID == ship.EventID {
					flagged = true
					// Worded from the holdings that stood where it left
					// when it left (ledger.FromNothingText; issue 15,
					// fix15zh), as the lot page words it.
					why := ledger.FromNothingText(p.LeftFrom, p.From, p.Tonnes, func(id string) string { return siteLabel(sites, id) },
						func(id string) string { return partyLabel(pm, id) }, tonnesText)
					anomalies = append(anomalies, fmt.Sprintf("lot %s ships from a receipt declared in error: %s, so the lot does not count its %s t as sent by this shipment",
						sl.ID, why, quantityNum(p.Tonnes)))
				}
			}
			if _, part := ledger.ShippedPart(sl.Lot, ship.EventID); !flagged && !part {
				// A whole lot shipped on from a place only a receipt
				// declared in error put it (ledger.
				// ShippedFromRetractedReceipt): the projection still
				// moves it, and the page says so in the lot page's and
				// the lot API's words (issue 8 §2, fixJj).
				levs, err := s.LotEvents(r, sl.Lot.ID)
				if err != nil {
					s.renderError(w, r, err)
					return
				}
				if rec := ledger.ShippedFromRetractedReceipt(sl.Lot.ID, critminhttp.FullEvents(levs), ship); rec != nil {
					anomalies = append(anomalies, fmt.Sprintf("lot %s ships from a receipt declared in error: its receipt at %s on %s (event %s) was declared in error, and no standing event puts the lot there when this shipment left",
						sl.ID, siteLabel(sites, shipFrom(ship)), rec.EventTime.UTC().Format("2006-01-02"), rec.EventID))
				}
			}
			if !flagged {
				counted++
			}
		}
		data["Anomalies"] = anomalies
		var bols, docs []critmin.BizTransaction
		for _, b := range ship.BizTransactions {
			if b.Type == "bol" || strings.HasSuffix(b.Type, ":bol") {
				bols = append(bols, b)
			} else {
				docs = append(docs, b)
			}
		}
		data["BOLs"], data["Docs"] = bols, docs
		dest, from := "", ""
		for _, d := range ship.Destinations {
			if d.Type == "location" || strings.HasSuffix(d.Type, ":location") {
				dest = d.ID
			}
		}
		from = shipFrom(ship)
		data["Destination"], data["From"] = dest, from
		if eta, ok := extensionTime(ship, "eta"); ok {
			data["ETA"] = eta
		}
		data["Vessel"] = extensionText(ship, "vessel")
		status := "in transit"
		if receipt != nil {
			status = arrivedStatus(receipt, dest, sites)
		} else if len(anomalies) > 0 && counted == 0 {
			// Nothing it carries is counted: not "in transit", as the
			// shipments index and the overview read it (shipmentRows).
			status = "ships from a receipt declared in error"
		} else {
			var eta *time.Time
			if t, ok := extensionTime(ship, "eta"); ok {
				eta = &t
			}
			if o := overdueNote(ship.EventTime, eta, s.Ledger.Now()); o != "" {
				data["Overdue"] = o
			}
		}
		if kind == "container" {
			end := ship
			if receipt != nil {
				end = receipt
			}
			st, emptied, err := s.containerLater(ctx, containerEvs, id, end, valid, sites)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			if st != "" {
				status = st
				delete(data, "Overdue")
				if emptied {
					data["Emptied"] = true
				}
			}
		}
		data["Status"] = status
		if kind == "container" {
			// What it holds now and where it stands, once it is not on
			// its way: after a receipt, what the ledger counts in it
			// (a weighed receipt's figure, less what was unpacked or
			// drawn out), or that it is empty and by which event (issue
			// 15, uiQ2 item 1).
			now, err := s.containerNowOf(r, id, containerEvs, valid, sites)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			data["Now"] = now
		}
		if status == "in transit" {
			var carriers []string
			for _, d := range ship.Destinations {
				if d.Type == "possessing_party" || strings.HasSuffix(d.Type, ":possessing_party") {
					carriers = append(carriers, d.ID)
				}
			}
			for i := range lots {
				lots[i].AtSea, lots[i].Carriers = true, carriers
			}
			// "At sea" only on a sea-going vessel, one the shipping event
			// names with its IMO number (SOLAS XI-1/3); a truck, a train
			// or a carrier not named is "in transit" (issue 15, n15
			// item 6: a truck's cargo read "the carrier, at sea").
			data["TransitWord"] = transitWord(extensionText(ship, "vessel"))
		}
		// The weights found on receipt, beside the masses shipped: each
		// lot's quantity in the receipt that ended the voyage — a receipt
		// naming the container received what it held (withCargo; nu36-4:
		// it read "—").
		for i := range lots {
			for _, e := range evs {
				if receipt == nil || e != receipt && (e.EventID != receipt.EventID || !valid(e)) {
					continue
				}
				received, err := s.withCargo(ctx, e)
				if err != nil {
					s.renderError(w, r, err)
					return
				}
				for _, q := range received.Quantities {
					if epcis.Canonical(q.EPCClass) == epcis.Canonical(lots[i].ID) {
						lots[i].Received = quantityText(q)
						if packedKnown && !whole[i] {
							// The receipt weighs the whole lot, this
							// container held part of it: no difference
							// of unlike quantities.
							lots[i].Received += " (whole lot, in every container)"
							continue
						}
						if t, ok := tonnes(q); ok && lots[i].Tonnes > 0 {
							lots[i].setOutturn(t)
						}
					}
				}
			}
		}
		data["Lots"] = lots
		if o := outturnOf(lots); o != nil {
			data["Outturn"] = o
		}
		data["OutturnTolerancePct"] = ledger.OutturnTolerance * 100
	} else if declared != nil {
		// Declared in error: what the event stated, which the record
		// counts nowhere (EPCIS 2.0 §7.4.1.2), with when and why.
		d := decl[declared.EventID].ErrorDeclaration
		status := "declared in error on " + d.DeclarationTime.UTC().Format("2006-01-02")
		if d.Reason != "" {
			status += " (" + strings.ToLower(humanTerm(d.Reason)) + ")"
		}
		data["Status"], data["DeclaredShip"], data["Declaration"] = status, declared, d
		contents(declared.Quantities)
	} else {
		data["Status"] = "not shipped"
	}
	// The route: every place the shipment was seen, once each, in the
	// order it was first seen there (lots packed at two mines, each seen
	// twice before the port, list each mine once).
	var route []string
	seen := map[string]bool{}
	for _, e := range evs {
		if !valid(e) {
			continue
		}
		loc := e.BizLocation
		if loc == "" {
			loc = e.ReadPoint
		}
		if loc != "" && !seen[loc] {
			seen[loc] = true
			route = append(route, loc)
		}
	}
	// The route ends at the destination the shipping event names, reached
	// or not yet.
	if dest, _ := data["Destination"].(string); dest != "" && !seen[dest] {
		route = append(route, dest)
		data["DestinationAhead"] = true
	}
	data["Route"] = route
	if kind == "container" && ship != nil {
		listed := map[string]bool{}
		all := append([]*critmin.Event(nil), containerEvs...)
		for _, e := range all {
			listed[key(e)] = true
		}
		for _, e := range evs {
			if !listed[key(e)] {
				all = append(all, e)
			}
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].EventTime.Before(all[j].EventTime) })
		data["Events"] = timelineOf("", all)
	}
	s.render(w, r, http.StatusOK, "shipment", "Shipment "+shortID(id), "shipments", data)
}

// arrivedStatus is a voyage's status once receipt ended it: "arrived at
// SITE on DATE", the receipt's place (its bizLocation, else its
// readPoint, else the shipping event's destination dest).
func arrivedStatus(receipt *critmin.Event, dest string, sites map[string]*critmin.Site) string {
	at := receipt.BizLocation
	if at == "" {
		at = receipt.ReadPoint
	}
	if at == "" {
		at = dest
	}
	return "arrived at " + siteLabel(sites, at) + " on " + receipt.EventTime.UTC().Format("2006-01-02")
}

// containerStatus is container id's own status as its page reads it
// (the shipment page of kind container): by its last valid shipping
// (else departing) event, "in transit" until a receipt ends that voyage
// ("arrived at SITE on DATE"), then its latest valid event after it
// (containerLater: "in transit from …", "at … since …", "unpacked at …:
// empty"); "not shipped" when no valid event ships it. The shipments
// index and the overview list each container of a voyage with it, not
// the voyage's status alone (issue 15, n15-6 item 5).
func (s *site) containerStatus(r *http.Request, id string, sites map[string]*critmin.Site) (string, error) {
	ctx := r.Context()
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{
		EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleParent}, Patterns: []string{id}, Exact: true}},
		OrderBy:    "eventTime", OrderAscending: true, Limit: 1000})
	if err != nil {
		return "", err
	}
	evs := decoded(page.Events)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].EventTime.Before(evs[j].EventTime) })
	decl := declaredIDs(evs)
	valid := func(e *critmin.Event) bool {
		_, d := decl[e.EventID]
		return e.ErrorDeclaration == nil && e.DeclaredInError == nil && !d
	}
	var ship *critmin.Event
	for _, step := range []string{"shipping", "departing"} {
		for _, e := range evs {
			if valid(e) && e.BizStep == step {
				ship = e
			}
		}
		if ship != nil {
			break
		}
	}
	if ship == nil {
		return "not shipped", nil
	}
	receipt, err := s.voyageReceipt(r, ship)
	if err != nil {
		return "", err
	}
	status, end := "in transit", ship
	if receipt != nil {
		status, end = arrivedStatus(receipt, shipTo(ship), sites), receipt
	}
	later, _, err := s.containerLater(ctx, evs, id, end, valid, sites)
	if err != nil {
		return "", err
	}
	if later != "" {
		status = later
	}
	return status, nil
}

// containerLater is a container's status by its latest valid event
// after end (the shipping event its page shows, or the receipt that
// ended that voyage), "" when there is none: a dispatch (departing,
// shipping, loading, transporting) reads "in transit from SITE since
// DATE", a receipt "received at SITE on DATE" (an arrival "arrived at
// SITE on DATE"), any other event "at SITE since DATE", an unpacking
// "unpacked at SITE on DATE: empty" when the container holds nothing
// after it (containerContents now; emptied true) or "partly unpacked
// at SITE on DATE" (containerStandsWords; issue 15,
// n15-3: the page said "arrived at Port of Houston" of a container
// since sent on, received at the plant and unpacked).
func (s *site) containerLater(ctx context.Context, evs []*critmin.Event, container string, end *critmin.Event, valid func(*critmin.Event) bool, sites map[string]*critmin.Site) (status string, emptied bool, err error) {
	var last *critmin.Event
	for _, e := range evs {
		if valid(e) && e.EventID != end.EventID && e.EventTime.After(end.EventTime) {
			last = e
		}
	}
	if last == nil {
		return "", false, nil
	}
	at := last.BizLocation
	if at == "" {
		at = last.ReadPoint
	}
	where := siteLabel(sites, at)
	day := last.EventTime.UTC().Format("2006-01-02")
	switch {
	case last.Type == critmin.AggregationEvent && last.Action == "DELETE" && epcis.Canonical(last.ParentID) == epcis.Canonical(container):
		held, known, err := s.containerContents(ctx, evs, container, time.Time{}, valid)
		if err != nil {
			return "", false, err
		}
		if known && len(held) == 0 {
			return "unpacked at " + where + " on " + day + ": empty", true, nil
		}
		return "partly unpacked at " + where + " on " + day, false, nil
	default:
		// "in transit from SITE since DATE", "received at SITE on DATE",
		// "at SITE since DATE", … (containerStandsWords).
		return containerStandsWords(last, container, sites), false, nil
	}
}

// wholeLotPacked says whether a container held all of lot l as shipped:
// its packed tonnes are the tonnes the shipping event loaded of the lot
// (loaded, loadedOf; within ledger.OutturnTolerance, two weighbridges'
// error). A receipt states a lot's whole weight, so only then does it
// compare with what the container held.
func wholeLotPacked(loaded float64, l shipmentLot) bool {
	return loaded > 0 && math.Abs(loaded-l.Tonnes) <= ledger.OutturnTolerance*loaded
}

// loadedOf is what shipping event ship (with its containers' cargo,
// withCargo) loaded of the shipment page's lot l, in tonnes, and its
// text: the mass it states, or, stating none, what stood of the lot
// where it left (shippedOfLot) — the figure the bill of lading's page
// shows as shipped. false when neither is known.
func (s *site) loadedOf(r *http.Request, ship *critmin.Event, l shipmentLot) (float64, string, bool, error) {
	for _, q := range ship.Quantities {
		if epcis.Canonical(q.EPCClass) != epcis.Canonical(l.ID) {
			continue
		}
		if t, ok := tonnes(q); ok {
			return t, quantityText(q), true, nil
		}
		if q.Quantity != nil || ship.BizStep != "shipping" || l.Lot == nil {
			return 0, "", false, nil
		}
		levs, err := s.LotEvents(r, l.Lot.ID)
		if err != nil {
			return 0, "", false, err
		}
		if t, ok := shippedOfLot(l.Lot.ID, levs, ship); ok {
			return t, shippedText(t), true, nil
		}
		return 0, "", false, nil
	}
	return 0, "", false, nil
}

// shippedOfLot is what ship, a shipping event stating no quantity of
// lot, shipped of it: what stood of the lot where it left, by the lot's
// events levs (ledger.ShippedBy). The bill of lading's page and a
// container's page read it alike.
func shippedOfLot(lot string, levs []*critmin.Event, ship *critmin.Event) (float64, bool) {
	return ledger.ShippedBy(lot, critminhttp.FullEvents(levs), ship)
}

// siteLabel is a site's master-data name, or where it has none the tail
// of its identifier ("…:magnet-tx" for urn:critmin:demo:site:magnet-tx),
// never the raw URN.
func siteLabel(sites map[string]*critmin.Site, id string) string {
	if name, ok := (MasterNames{Sites: sites}).Site(id); ok {
		return name
	}
	return unnamedID(id)
}

// unnamedID is the informative tail of an identifier with no name.
func unnamedID(id string) string {
	if i := strings.LastIndexAny(id, ":/#"); i > 0 && i < len(id)-1 {
		return "…" + id[i:]
	}
	return id
}

// localEventTime is t in the offset off (±hh:mm, EPCIS 2.0's
// eventTimeZoneOffset), written "2025-10-02 08:00 (UTC-05:00)"; false
// when off does not read.
func localEventTime(t time.Time, off string) (string, bool) {
	off = strings.TrimSpace(off)
	if off == "Z" {
		off = "+00:00"
	}
	z, err := time.Parse("-07:00", off)
	if err != nil || len(off) != len("+00:00") {
		return "", false
	}
	_, secs := z.Zone()
	local := t.In(time.FixedZone(off, secs))
	return local.Format("2006-01-02 15:04") + " (UTC" + off + ")", true
}

// timeOwnOffset writes a time in the offset it was stated in, then in
// UTC: "2025-10-02 08:00 -05:00 (2025-10-02 13:00 UTC)". An ETA is
// stated at the destination; it is never re-read in the loading port's
// offset or the viewer's.
func timeOwnOffset(t time.Time) string {
	own := t.Format("2006-01-02 15:04 -07:00")
	if _, off := t.Zone(); off == 0 {
		return t.Format("2006-01-02 15:04 UTC")
	}
	return own + " (" + t.UTC().Format("2006-01-02 15:04 UTC") + ")"
}

// extensionTime reads a date-time field of critmin's mineral namespace
// (https://ns.critmin.org/mineral/v1/, prefix cm) from an event's ILMD or
// top level, e.g. cm:eta on a shipping event.
func extensionTime(e *critmin.Event, name string) (time.Time, bool) {
	const ns = "https://ns.critmin.org/mineral/v1/"
	if v, ok := e.ILMD[ns+name]; ok {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, true
		}
	}
	// Top-level extension fields are in the raw JSON under their prefix.
	var top map[string]any
	if json.Unmarshal(e.Raw, &top) == nil {
		for _, key := range []string{"cm:" + name, ns + name} {
			if v, ok := top[key].(string); ok {
				if t, err := time.Parse(time.RFC3339, v); err == nil {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

// eventHref is the page of an event.
func eventHref(id string) string { return "/events/" + url.PathEscape(id) }

// voyageEvents keeps the events of one voyage: those up to the receipt
// that ended it (the receipt included, though it may not name the bill of
// lading), or, in transit, up to the next shipping or departing of its
// containers that is not this voyage's. Earlier events (packing) stay,
// unless an earlier voyage ended before it: a valid shipping under
// another bill of lading (earlier, returned) closed by a valid receipt
// (receiving, arriving, unloading or accepting) before this shipment.
// This voyage is then an onward shipment from where that receipt took
// the goods in, not a transshipment — a transshipment moves goods that
// never left the carrier's custody, with no receipt between its legs
// (CBV 2.0 §7.2, bizStep receiving: the goods are taken into the
// receiver's inventory) — and its events begin after that receipt; the
// earlier voyage's are on its own page (issue 15, fixJj item 5: the
// demo's onward shipment from Houston listed the Karachi voyage and the
// mine's trucking as its own route, reading as one trip through
// Houston).
func voyageEvents(evs []*critmin.Event, ship, receipt *critmin.Event, valid func(*critmin.Event) bool) (kept []*critmin.Event, earlier *critmin.Event) {
	var start *time.Time
	for _, e := range evs {
		if valid(e) && e.EventID != ship.EventID && e.EventTime.Before(ship.EventTime) && e.BizStep == "shipping" && !sameBOL(e, ship) {
			earlier = e
		}
	}
	if earlier != nil {
		closed := false
		for _, e := range evs {
			if valid(e) && receiptStep(e.BizStep) && e.EventTime.After(earlier.EventTime) && !e.EventTime.After(ship.EventTime) {
				t := e.EventTime
				start, closed = &t, true
			}
		}
		if !closed {
			earlier = nil // a further leg of the same trip: its events stay
		}
	}
	var end *time.Time
	if receipt != nil {
		t := receipt.EventTime
		end = &t
	} else {
		for _, e := range evs {
			if valid(e) && e.EventID != ship.EventID && e.EventTime.After(ship.EventTime) && (e.BizStep == "shipping" || e.BizStep == "departing") && !sameBOL(e, ship) {
				t := e.EventTime
				end = &t
				break
			}
		}
	}
	out := make([]*critmin.Event, 0, len(evs))
	have := false
	for _, e := range evs {
		if end != nil && (e.EventTime.After(*end) || receipt == nil && !e.EventTime.Before(*end)) {
			continue
		}
		if start != nil && !e.EventTime.After(*start) && e.EventID != ship.EventID {
			continue
		}
		if receipt != nil && e.EventID == receipt.EventID {
			have = true
		}
		out = append(out, e)
	}
	if receipt != nil && !have {
		out = append(out, receipt)
	}
	return out, earlier
}

// deviceIDs are the laboratories or instruments (sensorMetadata and
// sensorReport deviceID, EPCIS 2.0 §7.3.7) an event's readings name.
func deviceIDs(raw []byte) []string {
	var ev struct {
		Sensors []struct {
			Meta struct {
				DeviceID string `json:"deviceID"`
			} `json:"sensorMetadata"`
			Reports []struct {
				DeviceID string `json:"deviceID"`
			} `json:"sensorReport"`
		} `json:"sensorElementList"`
	}
	if json.Unmarshal(raw, &ev) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, se := range ev.Sensors {
		add(se.Meta.DeviceID)
		for _, r := range se.Reports {
			add(r.DeviceID)
		}
	}
	return out
}

// sameBOL says two events name a common bill of lading.
func sameBOL(a, b *critmin.Event) bool {
	for _, x := range a.BizTransactions {
		for _, y := range b.BizTransactions {
			if isBOL(x) && isBOL(y) && x.ID == y.ID {
				return true
			}
		}
	}
	return false
}

// partyLabel is a party's name from master data, else its identifier.
func partyLabel(parties map[string]*critmin.Party, id string) string {
	if name, ok := (MasterNames{Parties: parties}).Party(id); ok {
		return name
	}
	return id
}

// assayText is an event's assays as "Nd2O3 12 % dry, TREO 50 % dry"
// (the mineral extension's sensor reports), "" when it has none.
func assayText(e *critmin.Event) string {
	mf, errs := ledger.DecodeMineral(e, "")
	if len(errs) > 0 || mf == nil || len(mf.Assays) == 0 {
		return ""
	}
	var out []string
	for _, a := range mf.Assays {
		out = append(out, strings.TrimSpace(a.Analyte+" "+gradeWithUnit(a.Analyte, a.Value, a.Unit)+" "+basisText(a.Basis)))
	}
	return strings.Join(out, ", ")
}

// basisText words an assay basis: "dry" or "as received".
func basisText(b string) string {
	switch b {
	case "as_received":
		return "as received"
	case "":
		return ""
	}
	return b
}

// substanceName is a chemicalSubstance without its namespace: the
// mineral extension's https://ns.critmin.org/mineral/v1/analyte/TREO
// reads TREO.
func substanceName(s string) string {
	if s == "" {
		return ""
	}
	return s[strings.LastIndexAny(s, "/#:")+1:]
}

// ticketView is the weighbridge ticket a weighing event came from (the
// weighbridge import's cm:weighbridgeTicket, cm:grossKg, cm:tareKg):
// figures as text, "" when the event does not state them.
type ticketView struct {
	Number, Gross, Tare, Net string
}

// weighbridgeTicket reads the ticket of ev, or nil when it states none.
func weighbridgeTicket(ev *critmin.Event) *ticketView {
	var top map[string]any
	if json.Unmarshal(ev.Raw, &top) != nil {
		return nil
	}
	const ns = "https://ns.critmin.org/mineral/v1/"
	get := func(name string) any {
		for _, k := range []string{"cm:" + name, ns + name} {
			if v, ok := top[k]; ok {
				return v
			}
		}
		return nil
	}
	kg := func(v any) (float64, bool) {
		switch n := v.(type) {
		case float64:
			return n, true
		case string:
			f, err := strconv.ParseFloat(n, 64)
			return f, err == nil
		}
		return 0, false
	}
	var t ticketView
	if n, ok := get("weighbridgeTicket").(string); ok {
		t.Number = n
	}
	g, okG := kg(get("grossKg"))
	tr, okT := kg(get("tareKg"))
	if okG {
		t.Gross = formatNum(g, 3) + " kg"
	}
	if okT {
		t.Tare = formatNum(tr, 3) + " kg"
	}
	if okG && okT {
		t.Net = formatNum(g-tr, 3) + " kg"
	}
	if t == (ticketView{}) {
		return nil
	}
	return &t
}

// shipFrom is the site a shipping event left from: its source of type
// location, else its read point, else its business location.
func shipFrom(ship *critmin.Event) string {
	from := ""
	for _, src := range ship.Sources {
		if src.Type == "location" || strings.HasSuffix(src.Type, ":location") {
			from = src.ID
		}
	}
	if from == "" {
		from = ship.ReadPoint
	}
	if from == "" {
		from = ship.BizLocation
	}
	return from
}

// ownerAtShipping is the lot's owner as ship left: the owning party
// named as destination by the last live event of the lot at or before
// ship (by eventTime; CBV 2.0 §7.5: a destination owning_party is the
// owner after the event); naming none, the lot's owner now (owner) while
// no live event after ship names an owning party; else "" (not known:
// the lot changed hands since, and its owner now need not be its owner
// then).
func ownerAtShipping(levs []*critmin.Event, ship *critmin.Event, owner string) string {
	at, atTime, later := "", time.Time{}, false
	for _, ev := range critminhttp.FullEvents(levs) {
		if ev.EventID == ship.EventID || ev.ErrorDeclaration != nil || ev.DeclaredInError != nil {
			continue
		}
		for _, sd := range append(append([]critmin.SourceDest{}, ev.Sources...), ev.Destinations...) {
			if sd.Type != "owning_party" {
				continue
			}
			if ev.EventTime.After(ship.EventTime) {
				later = true
			}
		}
		if ev.EventTime.After(ship.EventTime) || ev.EventTime.Before(atTime) {
			continue
		}
		for _, d := range ev.Destinations {
			if d.Type == "owning_party" && d.ID != "" {
				at, atTime = d.ID, ev.EventTime
			}
		}
	}
	switch {
	case at != "":
		return at
	case !later:
		return owner
	}
	return ""
}

// lotBefore is lot id as its live events before ship left it (event
// time before the shipping's, or equal and captured earlier), nil when
// none did.
func lotBefore(id string, levs []*critmin.Event, ship *critmin.Event) *critmin.Lot {
	var before []*critmin.Event
	for _, e := range critminhttp.FullEvents(levs) {
		if e.EventID == ship.EventID || e.EventTime.After(ship.EventTime) || e.EventTime.Equal(ship.EventTime) && e.PK >= ship.PK {
			continue
		}
		before = append(before, e)
	}
	if len(before) == 0 {
		return nil
	}
	lots, _ := ledger.Replay([]string{id}, before)
	return lots[id]
}

// holdingParties is the owners and custodians of the holding of lot l
// that ev takes at its site (ledger.HoldingOf): the lot's owner and
// custodian for its body, each part's own for parts received there
// (Lot.PartOwners, PartCustodians) — the parties the lot API gives them.
// false when nothing of l stands there or no party is known.
func holdingParties(l *critmin.Lot, ev *critmin.Event) (owners, custodians []string, ok bool) {
	if l == nil {
		return nil, nil, false
	}
	h, found := ledger.HoldingOf(l, ev)
	if !found {
		return nil, nil, false
	}
	seenO, seenC := map[string]bool{}, map[string]bool{}
	add := func(os, cs []string) {
		for _, o := range os {
			if o != "" && !seenO[o] {
				seenO[o] = true
				owners = append(owners, o)
			}
		}
		for _, c := range cs {
			if c != "" && !seenC[c] {
				seenC[c] = true
				custodians = append(custodians, c)
			}
		}
	}
	if h.Body {
		add(nonEmptyOwner(l.Owner), nonEmptyOwner(l.Custodian))
	}
	for _, i := range h.Parts {
		if i >= 0 && i < len(l.Parts) {
			add(l.PartOwners(l.Parts[i]), l.PartCustodians(l.Parts[i]))
		}
	}
	return owners, custodians, len(owners)+len(custodians) > 0
}

// lastSite is the site of the latest valid event of evs that states one
// (its bizLocation, else its readPoint), "" when none does.
func lastSite(evs []*critmin.Event, valid func(*critmin.Event) bool) string {
	site := ""
	for _, e := range evs {
		if !valid(e) {
			continue
		}
		if e.BizLocation != "" {
			site = e.BizLocation
		} else if e.ReadPoint != "" {
			site = e.ReadPoint
		}
	}
	return site
}

// nonEmptyOwner is []string{o}, or nil for "".
func nonEmptyOwner(o string) []string {
	if o == "" {
		return nil
	}
	return []string{o}
}

// imoRE is an IMO ship identification number as a vessel is named with
// it ("Illustrative Trader (IMO 9700005)").
var imoRE = regexp.MustCompile(`(?i)\bIMO[ :]?\d{7}\b`)

// transitWord is where a shipment's cargo is while shipped and not yet
// received: "at sea" on a vessel named with its IMO number, else "in
// transit" (a truck, a train, or no vessel named).
func transitWord(vessel string) string {
	if imoRE.MatchString(vessel) {
		return "at sea"
	}
	return "in transit"
}

// dispatchStep says whether a CBV step sends what it names on its way
// (shipping, departing, loading, transporting; ledger's dispatch steps).
func dispatchStep(step string) bool {
	switch humanStep(step) {
	case "shipping", "departing", "loading", "transporting":
		return true
	}
	return false
}
