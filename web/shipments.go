package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// The shipments index and the resolution of a short bill of lading
// (Track job).

// maxShipmentsListed bounds the index: the latest shipping events.
const maxShipmentsListed = 500

// shipmentRow is one line of the shipments index: a shipping event.
type shipmentRow struct {
	BOL, Vessel, From, To string
	EventID               string // the shipping event, which opens a shipment without a bill of lading
	Shipped               time.Time
	ETA                   *time.Time
	Status                string
	// Overdue says why a shipment no receipt closed is late
	// (overdueNote), "" when it is not.
	Overdue string
	Lots    int
	Tonnes  float64
	// Flag says a lot of the shipment left from a place only a receipt
	// declared in error put it (ledger.ShippedFromRetractedReceipt: a
	// whole lot shipped on, still moved), in the words of the shipment
	// page, the lot page and the lot API; Receipt is that receipt's
	// eventID. "" when the status says it already, or none did (issue 15
	// §2, issue 8 §2).
	Flag, Receipt string
	// Containers are the containers the shipping event names, each with
	// its own status (containerStatus, as its page says it; n15-6 item 5).
	Containers []containerRow
}

// containerRow is a container of a shipment and its own status.
type containerRow struct{ ID, Status string }

// isBOL says a business transaction is a bill of lading (CBV 2.0 type bol).
func isBOL(b critmin.BizTransaction) bool {
	return b.Type == "bol" || strings.HasSuffix(b.Type, ":bol")
}

// shippings returns the latest valid shipping events (not declared in
// error), newest first.
func (s *site) shippings(r *http.Request) ([]*critmin.Event, error) {
	page, err := s.Store.FindEvents(r.Context(), critmin.EventFilter{BizSteps: []string{"shipping"}, OrderBy: "eventTime", Limit: maxShipmentsListed})
	if err != nil {
		return nil, err
	}
	evs := decoded(page.Events)
	decl := declaredIDs(evs)
	out := evs[:0]
	for _, e := range evs {
		if _, d := decl[e.EventID]; e.ErrorDeclaration == nil && !d {
			out = append(out, e)
		}
	}
	return out, nil
}

// shipTo is the destination location of a shipping event (its
// destination of type location), "" when it states none.
func shipTo(e *critmin.Event) string {
	to := ""
	for _, d := range e.Destinations {
		if d.Type == "location" || strings.HasSuffix(d.Type, ":location") {
			to = d.ID
		}
	}
	return to
}

// destinations are the places the latest shipping events are bound for,
// sorted, with chosen among them (a filter keeps its choice in the list).
func (s *site) destinations(r *http.Request, chosen string) ([]string, error) {
	evs, err := s.shippings(r)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	if chosen != "" {
		set[chosen] = true
	}
	for _, e := range evs {
		if to := shipTo(e); to != "" {
			set[to] = true
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out, nil
}

// resolveBOL finds the bill of lading a short or differently cased form
// names: "KHI-HOU-2025-0901" or "urn:critmin:demo:bol:khi-hou-2025-0901"
// for urn:critmin:demo:bol:KHI-HOU-2025-0901. It returns "" when none or
// more than one shipment matches.
func (s *site) resolveBOL(r *http.Request, id string) (string, error) {
	evs, err := s.shippings(r)
	if err != nil {
		return "", err
	}
	found := map[string]bool{}
	for _, e := range evs {
		for _, b := range e.BizTransactions {
			if !isBOL(b) {
				continue
			}
			short := b.ID[strings.LastIndexAny(b.ID, ":/")+1:]
			if strings.EqualFold(b.ID, id) || strings.EqualFold(short, id) {
				found[b.ID] = true
			}
		}
	}
	if len(found) != 1 {
		return "", nil
	}
	for b := range found {
		return b, nil
	}
	return "", nil
}

// handleShipmentsPage lists shipments: each shipping event's bill of
// lading, vessel, route, date, ETA and status (arrived when a receiving
// or arriving event names its lots or containers: voyageReceipt);
// ?destination= (a location URI) keeps those bound there, empty or
// left out every one. GET /shipments
func (s *site) handleShipmentsPage(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("destination") // "" (the form's "any"): every shipment
	evs, err := s.shippings(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	dests, err := s.destinations(r, to)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sites, err := s.siteMap(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	rows, err := s.shipmentRows(r, evs, to)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Shipped.After(rows[j].Shipped) })
	s.render(w, r, http.StatusOK, "shipments", "Shipments", "shipments", map[string]any{"Rows": rows, "Sites": sites, "Max": maxShipmentsListed, "Full": len(evs) == maxShipmentsListed,
		"Destination": to, "Destinations": dests})
}

// shipmentRows are the shipping events evs as the index lists them
// (to, when not "", keeps those bound there), newest first.
func (s *site) shipmentRows(r *http.Request, evs []*critmin.Event, to string) ([]shipmentRow, error) {
	var rows []shipmentRow
	sites, err := s.siteMap(r)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		if to != "" && shipTo(e) != to {
			continue
		}
		row := shipmentRow{EventID: e.EventID, Shipped: e.EventTime, Vessel: extensionText(e, "vessel"), From: e.ReadPoint, To: shipTo(e), Status: "in transit"}
		for _, b := range e.BizTransactions {
			if isBOL(b) && row.BOL == "" {
				row.BOL = b.ID
			}
		}
		for _, src := range e.Sources {
			if src.Type == "location" || strings.HasSuffix(src.Type, ":location") {
				row.From = src.ID
			}
		}
		if t, ok := extensionTime(e, "eta"); ok {
			row.ETA = &t
		}
		shipped, err := s.withCargo(r.Context(), e)
		if err != nil {
			return nil, err
		}
		cargo := shipped.Quantities
		for _, q := range cargo {
			row.Lots++
			if t, ok := tonnes(q); ok {
				row.Tonnes += t
			} else if q.Quantity == nil && q.EPCClass != "" {
				// Stating no quantity, the shipment shipped what stood of
				// the lot where it left (ledger.ShippedBy; issue 15,
				// fix15n N2: the index read 0 t).
				levs, err := s.LotEvents(r, q.EPCClass)
				if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
					return nil, err
				}
				if err == nil {
					if t, ok := ledger.ShippedBy(q.EPCClass, critminhttp.FullEvents(levs), shipped); ok {
						row.Tonnes += t
					}
				}
			}
		}
		if row.From == "" {
			row.From = e.BizLocation // where it was loaded, when no readPoint says
		}
		recv, err := s.voyageReceipt(r, e)
		if err != nil {
			return nil, err
		}
		if recv != nil {
			row.Status = "arrived " + recv.EventTime.UTC().Format("2006-01-02")
		} else if bad, err := s.shipsFromRetracted(r, e); err != nil {
			return nil, err
		} else if bad {
			// Not "in transit": the overview neither lists it at sea
			// nor draws it as a flow (docs/identity.md).
			row.Status = "ships from a receipt declared in error"
		}
		if row.Status == "in transit" {
			row.Overdue = overdueNote(row.Shipped, row.ETA, s.Ledger.Now())
		}
		if !strings.HasPrefix(row.Status, "ships from") {
			rec, err := s.shippedFromRetractedReceipt(r, e, cargo)
			if err != nil {
				return nil, err
			}
			if rec != nil {
				row.Flag, row.Receipt = "ships from a receipt declared in error", rec.EventID
			}
		}
		seen := map[string]bool{}
		for _, c := range containersOf(e) {
			if k := epcis.Canonical(c); !seen[k] {
				seen[k] = true
				st, err := s.containerStatus(r, c, sites)
				if err != nil {
					return nil, err
				}
				row.Containers = append(row.Containers, containerRow{ID: c, Status: st})
			}
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Shipped.After(rows[j].Shipped) })
	return rows, nil
}

// NoETAOverdueDays is how long a shipment whose shipping event states no
// ETA (cm:eta) may be in transit, with no receipt, before the pages flag
// it overdue: 60 days, beyond the longest of the corridor's sea voyages
// (Karachi to Houston by the Cape, about 35 to 45 days, plus a margin for
// transhipment and port waits).
const NoETAOverdueDays = 60

// overdueNote says why a shipment in transit (no receipt closed it) is
// overdue at now: its ETA passed, or, with no ETA, more than
// NoETAOverdueDays since it was shipped; "" when it is not. Days are
// whole days elapsed; the time since an ETA is said in the largest unit
// it holds whole (elapsedWords: "20 hours", not "0 days").
func overdueNote(shipped time.Time, eta *time.Time, now time.Time) string {
	if eta != nil {
		if now.After(*eta) {
			return fmt.Sprintf("overdue: the ETA %s passed %s ago and no receipt is recorded", eta.Format("2006-01-02"), elapsedWords(now.Sub(*eta)))
		}
		return ""
	}
	if days := int(now.Sub(shipped).Hours() / 24); days > NoETAOverdueDays {
		return fmt.Sprintf("overdue: no ETA, and %d days since it was shipped (more than %d) with no receipt recorded", days, NoETAOverdueDays)
	}
	return ""
}

// elapsedWords is a time elapsed in the largest unit it holds whole:
// whole days from a day ("3 days" for 74 h), whole hours under a day
// ("20 hours"; issue 15, fix15s: an ETA 20 hours past read "passed 0
// days ago"), whole minutes under an hour, "less than a minute" below.
func elapsedWords(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		n := int(d / (24 * time.Hour))
		return fmt.Sprintf("%d %s", n, plural(n, "day", "days"))
	case d >= time.Hour:
		n := int(d / time.Hour)
		return fmt.Sprintf("%d %s", n, plural(n, "hour", "hours"))
	case d >= time.Minute:
		n := int(d / time.Minute)
		return fmt.Sprintf("%d %s", n, plural(n, "minute", "minutes"))
	}
	return "less than a minute"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// shipmentHref is the page of a shipment.
func shipmentHref(id string) string { return "/shipments/" + url.PathEscape(id) }

// extensionText reads a string field of critmin's mineral namespace
// (cm:vessel …) from an event's ILMD or top level.
func extensionText(e *critmin.Event, name string) string {
	const ns = "https://ns.critmin.org/mineral/v1/"
	if v := e.ILMD[ns+name]; v != "" {
		return v
	}
	var top map[string]any
	if json.Unmarshal(e.Raw, &top) == nil {
		for _, key := range []string{"cm:" + name, ns + name} {
			if v, ok := top[key].(string); ok {
				return v
			}
		}
	}
	return ""
}

// voyageReceipts are the receiving and arriving events, valid or
// declared in error (with their declaration records), dated from a
// shipping event on, that name one of its lots or containers, and
// otherBOL, which says an event names a bill of lading other than the
// shipment's. A receipt need not repeat the bill of lading (a port's
// receiving event seldom does), so it is matched by what was shipped,
// not by the bill of lading alone.
func (s *site) voyageReceipts(r *http.Request, ship *critmin.Event) ([]*critmin.Event, func(*critmin.Event) bool, error) {
	var lots []string
	for _, q := range ship.Quantities {
		lots = append(lots, q.EPCClass)
	}
	shipBOL := map[string]bool{}
	for _, b := range ship.BizTransactions {
		if isBOL(b) {
			shipBOL[b.ID] = true
		}
	}
	otherBOL := func(e *critmin.Event) bool {
		named, same := false, false
		for _, b := range e.BizTransactions {
			if isBOL(b) {
				named = true
				same = same || shipBOL[b.ID]
			}
		}
		return named && len(shipBOL) > 0 && !same
	}
	containers := containersOf(ship)
	var found []*critmin.Event
	for _, f := range []critmin.EventFilter{
		{ClassMatches: []critmin.EPCMatch{{Patterns: lots, Exact: true}}},
		{EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleParent}, Patterns: containers, Exact: true}}},
	} {
		if len(f.ClassMatches) > 0 && len(lots) == 0 || len(f.EPCMatches) > 0 && len(containers) == 0 {
			continue
		}
		t := ship.EventTime
		f.BizSteps, f.GEEventTime, f.OrderBy, f.OrderAscending, f.Limit = []string{"receiving", "arriving"}, &t, "eventTime", true, 100
		page, err := s.Store.FindEvents(r.Context(), f)
		if err != nil {
			return nil, nil, err
		}
		found = append(found, decoded(page.Events)...)
	}
	return found, otherBOL, nil
}

// voyageReceipt is the receipt that ends a shipping event's voyage. When
// the shipping sent a part of a lot (critmin.Lot.Parts), the part says
// which receipt closed it: that one, or none while the part is in transit
// — a receipt of another part of the lot (another bill of lading) does
// not end this voyage. Otherwise it is the first valid (not declared in
// error) receiving or arriving event after it that names one of its lots
// or containers and names no other bill of lading (voyageReceipts). nil
// while the shipment is in transit.
func (s *site) voyageReceipt(r *http.Request, ship *critmin.Event) (*critmin.Event, error) {
	var lots []string
	for _, q := range ship.Quantities {
		lots = append(lots, q.EPCClass)
	}
	parted, receiptID := false, ""
	for _, id := range lots {
		l, err := s.Store.FindLot(r.Context(), id)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		for _, p := range l.Parts {
			if p.ShipEventID != ship.EventID {
				continue
			}
			parted = true
			// A part that rejoined the body keeps its own receipt
			// (critmin.LotPart.ReceiptEventID; issue 15, fix15y): its
			// voyage ended there, not when the body came.
			if (p.Status == critmin.PartReceived || p.Status == critmin.PartRejoined) && receiptID == "" {
				receiptID = p.ReceiptEventID
			}
		}
	}
	if parted {
		if receiptID == "" {
			return nil, nil
		}
		evs, err := s.Store.FindEventsByID(r.Context(), receiptID)
		if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return nil, err
		}
		for _, e := range decoded(evs) {
			if e.ErrorDeclaration == nil {
				return e, nil
			}
		}
		return nil, nil
	}
	found, otherBOL, err := s.voyageReceipts(r, ship)
	if err != nil {
		return nil, err
	}
	decl := declaredIDs(found)
	var first *critmin.Event
	for _, e := range found {
		if _, d := decl[e.EventID]; d || e.ErrorDeclaration != nil || e.EventID == ship.EventID || !e.EventTime.After(ship.EventTime) || otherBOL(e) {
			continue
		}
		if first == nil || e.EventTime.Before(first.EventTime) {
			first = e
		}
	}
	return first, nil
}

// declaredVoyageReceipts are the receipts of a shipping event's voyage
// (voyageReceipts: after it, naming one of its lots or containers and
// no other bill of lading) that are declared in error (EPCIS 2.0
// §7.4.1.2), oldest first, each the event as recorded (not its
// declaration record), with the declaration that names it: the record
// counts none of them, and the shipment page shows each so marked with
// a link to it, whose page shows the declaration (issue 8 §2, fixJj: a
// receipt that named no bill of lading was left off the page once
// declared, which then gave no reason why the shipment is in transit).
func (s *site) declaredVoyageReceipts(r *http.Request, ship *critmin.Event) ([]*critmin.Event, map[string]*critmin.Event, error) {
	found, otherBOL, err := s.voyageReceipts(r, ship)
	if err != nil {
		return nil, nil, err
	}
	decl := declaredIDs(found)
	var out []*critmin.Event
	seen := map[string]bool{}
	for _, e := range found {
		if _, d := decl[e.EventID]; !d || e.ErrorDeclaration != nil || seen[e.EventID] || e.EventID == ship.EventID || !e.EventTime.After(ship.EventTime) || otherBOL(e) {
			continue
		}
		seen[e.EventID] = true
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	return out, decl, nil
}

// preciousMetals are reported in g/t, not %: gold at 4.1 g/t is
// 0.00041 %, which "Au 0.0004" in a per-cent column hid.
var preciousMetals = map[string]bool{"Au": true, "Ag": true, "Pt": true, "Pd": true, "Rh": true, "Ru": true, "Ir": true, "Os": true}

// dryGradeTexts are a lot's grades on one basis, dry, as the lot page's
// "Dry grade" column gives them: an as-received assay is converted with
// its moisture (ledger.DryValue: Pr6O11 0.8 % as received at 7 %
// moisture is 0.8 / 0.93 = 0.8602 % dry); an assay whose basis is not
// stated is read as dry, as the lot page says; one that cannot be
// converted (as received, no moisture) keeps its figure and says so.
// Each figure carries its unit: % for a base metal or oxide, g/t for a
// precious metal.
func dryGradeTexts(l *critmin.Lot) []string {
	if l == nil {
		return nil
	}
	var out []string
	for _, a := range l.Assays {
		v, ok := ledger.DryValue(a, l.Moisture)
		note := ""
		if !ok && a.Basis == "" {
			v, ok, note = a.Value, true, " (basis not stated, read as dry)"
		}
		if !ok {
			out = append(out, a.Analyte+" "+gradeWithUnit(a.Analyte, a.Value, a.Unit)+" ("+strings.ToLower(humanTerm(a.Basis))+", no moisture to make it dry)")
			continue
		}
		out = append(out, a.Analyte+" "+gradeWithUnit(a.Analyte, v, a.Unit)+note)
	}
	return out
}

// gradeWithUnit is a grade with its unit: g/t for a precious metal, %
// for the rest (ppm and g/t of a base metal converted to %).
func gradeWithUnit(analyte string, v float64, unit string) string {
	if preciousMetals[units.ElementOf(analyte)] {
		if gt, err := units.ConvertGrade(v, unit, units.GramsPerTon); err == nil {
			return nonZeroNum(gt, 4) + " g/t"
		}
	}
	if pct, err := units.ConvertGrade(v, unit, units.Percent); err == nil {
		return nonZeroNum(pct, 4) + " %"
	}
	return nonZeroNum(v, 4) + " " + unit
}

// outturnText is the outturn of shipped and received tonnes in per cent
// (received minus shipped, over shipped) as the lot page and `critmin
// lot show` print it (ledger.OutturnPercentText: "+0.20 %", "−0.13 %"),
// said to be a loss or a gain: "−0.13 % loss", "+0.20 % gain", "0.00 %".
func outturnText(shipped, received float64) string {
	s := ledger.OutturnPercentText(shipped, received)
	switch {
	case strings.HasPrefix(s, trueMinus):
		return s + " loss"
	case strings.HasPrefix(s, "+"):
		return s + " gain"
	}
	return s
}

// shipsFromRetracted says whether shipping event e sent on a part of one
// of its lots from a receipt later declared in error: the lot flags that
// part (critmin.LotPart.FromRetracted) and counts nothing of it.
func (s *site) shipsFromRetracted(r *http.Request, e *critmin.Event) (bool, error) {
	cargo, err := s.cargoOf(r.Context(), e)
	if err != nil {
		return false, err
	}
	for _, q := range cargo {
		l, err := s.Store.FindLot(r.Context(), q.EPCClass)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		} else if err != nil {
			return false, err
		}
		for _, p := range l.Parts {
			if p.FromRetracted && p.ShipEventID == e.EventID {
				return true, nil
			}
		}
	}
	return false, nil
}

// shipmentGrades are the dry grades of lot l as it was shipped from site
// from at time at (nu15 F3): a shipment's grade is the grade in effect
// for what was shipped, when it was shipped. Of every assay the lot was
// given (ledger.AssayRecords over its events), those count that were
// taken no later than the shipment and of what it shipped — at the site
// it left from, at no stated site, or where the lot stood before it
// reached there; an assay taken where one of the lot's received parts
// stands (a part's destination), when the shipment left from elsewhere,
// is that part's and not this shipment's. Of those, the newest of each
// element is in effect (ledger.LatestAssays), made dry as the lot's
// grades are (dryGradeTexts). later lists the assays dated after the
// shipment, with their dates, to be said apart: they are not the
// shipment's grade.
func shipmentGrades(l *critmin.Lot, events []*critmin.Event, from string, at time.Time, sites map[string]*critmin.Site) (grades, later []string) {
	if l == nil {
		return nil, nil
	}
	siteOf := map[string]string{}
	for _, e := range events {
		site := e.BizLocation
		if site == "" {
			site = e.ReadPoint
		}
		siteOf[e.EventID] = site
	}
	partSites := map[string]bool{}
	for _, p := range l.Parts {
		if p.To != "" && p.Status == critmin.PartReceived {
			partSites[epcis.Canonical(p.To)] = true
		}
	}
	var then, after []critmin.Assay
	// One reading given to each holding at its site (two parts of
	// different owners at Port Qasim, ledger.AssayRecords) is listed
	// once: it is one reading, and the shipment's grade names no holding
	// (issue 15, fix15v: each later grade was listed twice).
	type reading struct {
		analyte, basis, event, unit string
		value                       float64
	}
	seen := map[reading]bool{}
	for _, rec := range ledger.AssayRecords(l, events) {
		a := rec.Assay
		site := epcis.Canonical(siteOf[a.EventID])
		k := reading{a.Analyte, a.Basis, a.EventID, a.Unit, a.Value}
		if seen[k] {
			continue
		}
		seen[k] = true
		if a.At.After(at) {
			after = append(after, a)
			continue
		}
		if site != "" && from != "" && site != epcis.Canonical(from) && partSites[site] {
			continue // another part's assay
		}
		then = append(then, a)
	}
	// Oldest first, as they were taken.
	sort.SliceStable(after, func(i, j int) bool { return after[i].At.Before(after[j].At) })
	for _, a := range after {
		label := a.Analyte + " " + gradeWithUnit(a.Analyte, a.Value, a.Unit) + " " + strings.ToLower(humanTerm(a.Basis)) + " of " + a.At.UTC().Format("2006-01-02")
		if site := siteOf[a.EventID]; site != "" {
			label += " at " + siteLabel(sites, site)
		}
		later = append(later, label)
	}
	shipped := *l
	shipped.Assays = ledger.LatestAssays(then)
	return dryGradeTexts(&shipped), later
}

// cargoOf is what shipping event e carried: its own quantity lines, and
// the lots the containers it names in its epcList held when it left, as
// the lot projection counted them (critmin.ContentsStore; issue 8 §2,
// nu32-7: a container shipped by its SSCC alone listed nothing).
func (s *site) cargoOf(ctx context.Context, e *critmin.Event) ([]critmin.QuantityElement, error) {
	x, err := s.withCargo(ctx, e)
	if err != nil {
		return nil, err
	}
	return x.Quantities, nil
}

// withCargo is e with a line of each lot the containers it moved held
// (ledger.WithContents over the stored contents): the event as the lot
// projection counted it, for the readings that replay a lot up to it
// (ledger.ShippedBy).
func (s *site) withCargo(ctx context.Context, e *critmin.Event) (*critmin.Event, error) {
	cs, ok := s.Store.(critmin.ContentsStore)
	if !ok || !ledger.MovesContents(e) {
		return e, nil
	}
	held, err := cs.EventContents(ctx, []string{e.EventID})
	if err != nil {
		return nil, err
	}
	return ledger.WithContents(e, held[e.EventID]), nil
}

// shippedFromRetractedReceipt is the receipt declared in error that the
// first lot of cargo (shipping event e's lots, cargoOf) shipped whole
// from (ledger.ShippedFromRetractedReceipt), as the shipment page flags
// it; nil when none did.
func (s *site) shippedFromRetractedReceipt(r *http.Request, e *critmin.Event, cargo []critmin.QuantityElement) (*critmin.Event, error) {
	for _, q := range cargo {
		l, err := s.Store.FindLot(r.Context(), q.EPCClass)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		if _, part := ledger.ShippedPart(l, e.EventID); part {
			continue
		}
		levs, err := s.LotEvents(r, l.ID)
		if err != nil {
			return nil, err
		}
		if rec := ledger.ShippedFromRetractedReceipt(l.ID, critminhttp.FullEvents(levs), e); rec != nil {
			return rec, nil
		}
	}
	return nil, nil
}
