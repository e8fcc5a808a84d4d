package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

func (s *site) proveRoutes() {
	s.route("GET /lots/{id}/certificate", accessRead, s.handleCertificatePage)
	s.route("POST /lots/{id}/certificate", accessWrite, s.handleCertificateIssue)
	s.route("GET /certificates/{cid}", accessRead, s.handleStoredCertificatePage)
	s.route("GET /sites/{id}/mass-balance", accessRead, s.handleMassBalancePage, "period")
}

// handleCertificatePage shows the certificate as a printable page.
// GET /lots/{id}/certificate
func (s *site) handleCertificatePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := s.IssuedCertificate(r.Context(), id)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		// The lot exists (Issued found it) but no certificate is issued on
		// its evidence: say so, with the form that issues one. A GET
		// writes nothing (fix14p).
		if l, lerr := s.Store.FindLot(r.Context(), id); lerr == nil {
			s.render(w, r, http.StatusNotFound, "certissue", "Certificate "+l.ID, "", map[string]string{"Lot": l.ID})
			return
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderCertificate(w, r, c, id, nil)
}

// handleCertificateIssue issues, signs and stores the lot's certificate
// and shows it. POST /lots/{id}/certificate (operator)
func (s *site) handleCertificateIssue(w http.ResponseWriter, r *http.Request) {
	// The form has no field: any field is refused, as on every form.
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r); err != nil {
		s.renderError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if _, err := s.IssueCertificate(r.Context(), id); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/lots/"+url.PathEscape(id)+"/certificate", http.StatusSeeOther)
}

// handleStoredCertificatePage shows an issued certificate as kept, with
// what stands of it today: revoked (when, why) by its issuer, or
// superseded because an event it rests on has since been declared in
// error (custody.Status). GET /certificates/{cid} (the full URN or its
// hexadecimal part)
func (s *site) handleStoredCertificatePage(w http.ResponseWriter, r *http.Request) {
	cs, ok := s.Store.(custody.CertificateStore)
	if !ok {
		s.renderError(w, r, critmin.Errorf(critmin.EINTERNAL, "store keeps no certificates"))
		return
	}
	id := r.PathValue("cid")
	if !strings.HasPrefix(id, "urn:") {
		id = "urn:critmin:certificate:" + id
	}
	st, err := cs.FindCertificate(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var c custody.Certificate
	if err := json.Unmarshal([]byte(st.Body), &c); err != nil {
		s.renderError(w, r, critmin.Errorf(critmin.EINTERNAL, "stored certificate %s: %v", id, err))
		return
	}
	s.renderCertificate(w, r, c, st.Lot, st)
}

// certState is what a certificate page says of the certificate today.
type certState struct {
	Stored *custody.StoredCertificate
	// Revoked and RevokedReason are set when the issuer revoked it.
	Revoked, RevokedReason string
	Status                 *custody.CertStatus
}

// renderCertificate shows a certificate and its state: revocation of a
// stored one, and supersession by declarations of its evidence for any.
func (s *site) renderCertificate(w http.ResponseWriter, r *http.Request, c custody.Certificate, lot string, stored *custody.StoredCertificate) {
	state := certState{Stored: stored}
	if stored == nil {
		if cs, ok := s.Store.(custody.CertificateStore); ok {
			if id, _ := c["id"].(string); id != "" {
				if st, err := cs.FindCertificate(r.Context(), id); err == nil {
					state.Stored = st
				}
			}
		}
	}
	if st := state.Stored; st != nil && st.RevokedAt != nil {
		state.Revoked, state.RevokedReason = st.RevokedAt.UTC().Format("2006-01-02 15:04:05 UTC"), st.RevokedReason
	}
	status, err := custody.Status(r.Context(), s.Store, c)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	state.Status = status
	s.render(w, r, http.StatusOK, "certificate", "Origin certificate", "lots", map[string]any{"C": c, "Lot": lot, "Subject": c["credentialSubject"], "Proof": c["proof"], "Issuer": c["issuer"], "State": state,
		"Anomalies": certAnomalies(c), "Overall": certOverall(c), "Headline": certHeadline(c)})
}

// certHeadline is the one-line physical origin of the certificate's
// cm:originComposition — Composition.Headline, the line the lot page, the
// lot list and the lots CSV show ("contained value not measured (grade not measured) …" for a
// product without an assay of its own) — or "" when it cannot be read.
func certHeadline(c custody.Certificate) string {
	subj, _ := c["credentialSubject"].(map[string]any)
	b, err := json.Marshal(subj["cm:originComposition"])
	if err != nil {
		return ""
	}
	var comp custody.Composition
	if json.Unmarshal(b, &comp) != nil || comp.Lot == "" {
		return ""
	}
	return comp.Headline().Text
}

// certAnomalies are the anomalies a certificate states in its
// cm:originComposition (element gains, grades not measured, …), read the
// same way from a certificate just issued (Go values) and from a stored
// one (decoded JSON), so the printable page shows what the lot page and
// the JSON-LD show.
func certAnomalies(c custody.Certificate) []custody.Anomaly {
	subj, _ := c["credentialSubject"].(map[string]any)
	b, err := json.Marshal(subj["cm:originComposition"])
	if err != nil {
		return nil
	}
	var comp struct {
		Anomalies []custody.Anomaly `json:"anomalies"`
	}
	if json.Unmarshal(b, &comp) != nil {
		return nil
	}
	return comp.Anomalies
}

// certOverall is the overall physical origin a certificate states
// (cm:physicalOrigin.overall: by contained payable element, value-weighted
// where prices exist), read alike from a certificate just issued and a
// stored one, so the printable page shows the figure the JSON-LD and the
// lot page show. Nil when the certificate states none.
func certOverall(c custody.Certificate) *custody.Overall {
	subj, _ := c["credentialSubject"].(map[string]any)
	phys, _ := subj["cm:physicalOrigin"].(map[string]any)
	if phys == nil || phys["overall"] == nil {
		return nil
	}
	b, err := json.Marshal(phys["overall"])
	if err != nil {
		return nil
	}
	var o custody.Overall
	if json.Unmarshal(b, &o) != nil || len(o.ByCountry) == 0 {
		return nil
	}
	return &o
}

// genealogyGraph is the trace as a layered graph (upstream on the left):
// mine lots → containers → voyage → refinery run → products. The browser
// lays it out with dagre so that boxes, edges and quantity labels do not
// overlap; each lot links to its page, each container and voyage to its
// shipment page and each edge to its event. A voyage (the trace's
// shipping event, named by its bill of lading) is drawn before the runs
// that consumed the lots it carried. Its table lists the edges; sites
// name places by their master data.
//
// shipped, when not nil, gives what a shipping event stating no quantity
// of a lot shipped of it (ledger.ShippedBy): its line and table cell
// read it as the shipment page does (fix15d item 2: the cell was blank).
//
// legs, when not nil, gives the legs of a lot's holdings
// (custody.LotLegs): a voyage is drawn into a run only along the legs of
// what the run took (feedChains; issue 15, fix15r), and the table lists
// those links too ("carried on", "delivered to the run").
func genealogyGraph(t *custody.Trace, sites map[string]*critmin.Site, shipped func(lot, eventID string) (float64, bool), legs func(lot string) (ledger.HoldingLegs, bool)) template.HTML {
	if t == nil || len(t.Nodes) <= 1 {
		return template.HTML(`<p class="muted" id="genealogy-graph">No upstream genealogy: this lot was commissioned, not produced.</p>`)
	}
	c := Chart{ID: "genealogy-graph", Kind: "graph", Title: "Genealogy: where this lot came from (each lot's mass in its box, dry where its moisture is stated; masses on the lines in tonnes, wet, as each event states them)",
		Header: []string{"from", "to", "step", "quantity (wet, as stated)", "event time", "event"},
		// Mine lots, containers, voyages and runs each on layers of their
		// own; a run's products on the lots' next layer (issue 15, uiQ2
		// item 2).
		Layers: []string{"lot", "epc", "voyage", "run"}}
	hrefs := map[string]string{}
	// The table names a node as the graph does (a voyage by its bill of
	// lading, not "voyage urn:…:event:022"); the CSV keeps the identifiers.
	labels := map[string]string{}
	for _, n := range t.Nodes {
		sub := n.Kind
		if n.Kind == "epc" {
			sub = "container (packing)"
		}
		if n.Commodity != "" {
			sub = ledger.CommodityName(n.Commodity)
			if n.Country != "" {
				sub += " · " + n.Country
			}
			// Flagged as the lot list flags it (custody.Headline.Flags):
			// "origin conflict", "commissioning country differs".
			for _, f := range n.Flags {
				sub += " · " + strings.ReplaceAll(f, "_", " ")
			}
		}
		if m := nodeMass(n); m != "" {
			sub += " · " + m
		}
		href := "/lots/" + url.PathEscape(n.ID)
		// A lot or container by its name (REE-2025-002, MSKU1234565),
		// not its URN: the box stays narrow enough for a phone and reads
		// as the pages name it; the URN is the box's title.
		label, colour := refNames(nil).refLabel(n.ID), ""
		switch {
		case n.Voyage != nil:
			label, sub, href = voyageText(n.Voyage, sites)
		case n.Kind != "lot":
			href = "/shipments/" + url.PathEscape(n.ID)
		default:
			colour = commodityColour(n.Commodity)
		}
		hrefs[n.ID] = href
		labels[n.ID] = label
		c.Nodes = append(c.Nodes, Node{ID: n.ID, Label: label, Sub: sub, Kind: n.Kind, Href: href, Colour: colour})
	}
	// A transformation is drawn through a node of its own — the refinery
	// run (its transformationID, else its event) — so that two feeds and
	// two products read as feeds → run → products, each line carrying its
	// own quantity, rather than every feed drawn to every product.
	runs, drawn := map[string]bool{}, map[[2]string]bool{}
	link := func(l Link) {
		if k := [2]string{l.From, l.To}; !drawn[k] {
			drawn[k] = true
			c.Links = append(c.Links, l)
		}
	}
	// Voyages feed a run only along the legs of what it took (issue 15,
	// fix15r: every voyage of a lot was drawn into its run, a part still
	// at the port and one shipped after the run among them): the chain of
	// shipments and packings of the holding the run consumed
	// (ledger.RunInputScopes), in order, each after the one that brought
	// it there (custody.LotLegs). A lot's line to a voyage or container
	// that carried only what an earlier leg brought is drawn from that
	// leg instead, with its quantity.
	ch := feedChains(t, legs)
	for _, e := range t.Edges {
		label, qty := "", ""
		if e.ParentQty != nil {
			label = massLabel(*e.ParentQty, e.ParentUOM)
			qty = label
		} else if e.Kind == custody.LinkShipping && shipped != nil {
			if tn, ok := shipped(e.Parent, e.EventID); ok {
				label, qty = massText(tn), shippedText(tn)
			}
		}
		href := eventHref(e.EventID)
		if e.Kind == "transformation" {
			key := e.Run
			if key == "" {
				key = e.EventID
			}
			run := "run " + key
			if !runs[run] {
				runs[run] = true
				c.Nodes = append(c.Nodes, Node{ID: run, Label: refNames(nil).refLabel(key), Sub: "refinery run · " + e.EventTime.UTC().Format("2006-01-02"), Kind: "run", Href: href})
			}
			out := ""
			if e.ChildQty != nil {
				out = massLabel(*e.ChildQty, e.ChildUOM)
			}
			if e.TookNothing != "" {
				// The run names the lot as an input but took nothing of
				// it (ledger.RunTookNothing): a dashed line, labelled so,
				// and no leg of the lot drawn into the run (feedChains;
				// issue 15, fix15za: drawn as fed, the stated 3 t on it).
				stated := ""
				if qty != "" {
					stated = " (stated " + qty + ")"
				}
				label, qty = "took 0 t", "took 0 t"+stated+": "+e.TookNothing
				link(Link{From: e.Parent, To: run, Label: label, Kind: kindTookNothing, Href: href, Title: fmt.Sprintf("%s named as an input of %s (%s) but took 0 t%s: %s", e.Parent, key, e.EventID, stated, e.TookNothing)})
			} else {
				link(Link{From: e.Parent, To: run, Label: label, Kind: e.Kind, Href: href, Title: fmt.Sprintf("%s fed to %s (%s)", e.Parent, key, e.EventID)})
			}
			link(Link{From: run, To: e.Child, Label: out, Kind: e.Kind, Href: href, Title: fmt.Sprintf("%s produced by %s (%s)", e.Child, key, e.EventID)})
		} else if k := [2]string{e.Parent, e.Child}; ch.hidden[k] {
			if _, ok := ch.labels[k]; !ok {
				ch.labels[k] = label
			}
		} else {
			link(Link{From: e.Parent, To: e.Child, Label: label, Kind: e.Kind, Href: href,
				Title: fmt.Sprintf("%s %s → %s (%s)", e.Kind, e.Parent, e.Child, e.EventID)})
		}
		step := e.Kind
		if e.TookNothing != "" {
			step = stepTookNothing
		}
		c.Rows = append(c.Rows, []string{nodeName(labels, e.Parent), nodeName(labels, e.Child), step, qty, e.EventTime.UTC().Format("2006-01-02 15:04"), refNames(nil).refLabel(e.EventID)})
		c.CSVRows = append(c.CSVRows, []string{e.Parent, e.Child, step, qty, e.EventTime.UTC().Format(time.RFC3339), e.EventID})
		c.RowLinks = append(c.RowLinks, hrefs[e.Parent])
	}
	for _, l := range ch.links {
		to, step := l.to, "carried on"
		if l.run != "" {
			to, step = "run "+l.run, "delivered to the run"
		}
		label := ""
		if l.run == "" && ch.preds[[2]string{l.lot, l.to}] == 1 {
			label = ch.labels[[2]string{l.lot, l.to}]
		}
		title := fmt.Sprintf("%s: carried on from %s to %s (%s)", l.lot, l.from, l.to, l.eventID)
		if l.run != "" {
			title = fmt.Sprintf("%s, carried by %s, fed to %s", l.lot, l.from, l.run)
		}
		if drawn[[2]string{l.from, to}] {
			continue
		}
		link(Link{From: l.from, To: to, Label: label, Kind: "delivery", Href: hrefs[l.from], Title: title})
		toName := nodeName(labels, l.to)
		if l.run != "" {
			toName = refNames(nil).refLabel(l.run)
		}
		c.Rows = append(c.Rows, []string{nodeName(labels, l.from), toName, step, "", l.at.UTC().Format("2006-01-02 15:04"), refNames(nil).refLabel(l.eventID)})
		c.CSVRows = append(c.CSVRows, []string{l.from, to, step, "", l.at.UTC().Format(time.RFC3339), l.eventID})
		c.RowLinks = append(c.RowLinks, hrefs[l.from])
	}
	return c.HTML()
}

// kindTookNothing is the kind of a genealogy line from an input lot to
// a run that took nothing of it (critmin.LotEdge's TookNothing): drawn
// dashed, as every line but a transformation's is; stepTookNothing is
// its step in the table and CSV.
const (
	kindTookNothing = "took-nothing"
	stepTookNothing = "transformation, took nothing"
)

// feedChain is what genealogyGraph draws of the legs that fed a trace's
// runs (feedChains): links from one leg's node (a voyage, a container,
// or the lot itself) to the next leg's or to the run, the lot's trace
// edges to a voyage or container that only an earlier leg reached
// (hidden, by lot and node), their quantity labels (labels) and how many
// legs' nodes lead into each such node (preds).
type feedChain struct {
	links  []chainLink
	hidden map[[2]string]bool
	labels map[[2]string]string
	preds  map[[2]string]int
}

// chainLink is one link of a feed chain: lot's material carried from
// node from to node to (run "") or fed to run (its key), by event
// eventID at time at.
type chainLink struct {
	lot, from, to, run, eventID string
	at                          time.Time
}

// feedChains reads, for each run of trace t, the legs of what it took of
// each input lot (legs, custody.LotLegs): each leg is drawn as its node
// — a voyage by its shipping event, a packing by its container — after
// the nodes of the legs before it (the lot itself for what came by
// none); a leg with no node in the trace passes its predecessors on.
// The last legs are drawn into the run. Legs of other holdings, and legs
// after the run, are not drawn into it (ledger.HoldingLegs.Reaching).
func feedChains(t *custody.Trace, legs func(lot string) (ledger.HoldingLegs, bool)) feedChain {
	ch := feedChain{hidden: map[[2]string]bool{}, labels: map[[2]string]string{}, preds: map[[2]string]int{}}
	if legs == nil {
		return ch
	}
	voyageOf, containerOf := map[string]string{}, map[string]string{}
	for _, n := range t.Nodes {
		switch {
		case n.Voyage != nil:
			voyageOf[n.Voyage.EventID] = n.ID
		case n.Kind != "lot":
			containerOf[epcis.Canonical(n.ID)] = n.ID
		}
	}
	seen := map[string]bool{}
	predsOf := map[[2]string]map[string]bool{}
	for _, e := range t.Edges {
		if e.Kind != ledger.LinkTransformation || seen[e.Parent+"\x00"+e.EventID] {
			continue
		}
		seen[e.Parent+"\x00"+e.EventID] = true
		g, ok := legs(e.Parent)
		if !ok {
			continue
		}
		run := e.Run
		if run == "" {
			run = e.EventID
		}
		node := func(i int) string {
			if l := g.Legs[i]; l.Container != "" {
				return containerOf[l.Container]
			}
			return voyageOf[g.Legs[i].EventID]
		}
		var nodesOf func(i, below int) []string
		nodesOf = func(i, below int) []string {
			if i == ledger.FromLot {
				return []string{e.Parent}
			}
			if i < 0 || i >= below {
				return nil
			}
			if n := node(i); n != "" {
				return []string{n}
			}
			var out []string
			for _, b := range g.Legs[i].Before {
				for _, n := range nodesOf(b, i) {
					if !slices.Contains(out, n) {
						out = append(out, n)
					}
				}
			}
			return out
		}
		direct := map[string]bool{} // nodes a leg reached from the lot itself
		for i, l := range g.Legs {
			if n := node(i); n != "" && slices.Contains(l.Before, ledger.FromLot) {
				direct[n] = true
			}
		}
		for _, i := range g.Reaching(e.EventID) {
			to := node(i)
			if to == "" {
				continue
			}
			if !direct[to] {
				ch.hidden[[2]string{e.Parent, to}] = true
			}
			for _, b := range g.Legs[i].Before {
				for _, from := range nodesOf(b, i) {
					if from == to {
						continue
					}
					k := [2]string{e.Parent, to}
					if predsOf[k] == nil {
						predsOf[k] = map[string]bool{}
					}
					predsOf[k][from] = true
					if from != e.Parent {
						ch.links = append(ch.links, chainLink{lot: e.Parent, from: from, to: to, eventID: g.Legs[i].EventID, at: g.Legs[i].Time})
					}
				}
			}
		}
		for _, f := range g.Fed[e.EventID] {
			for _, from := range nodesOf(f, len(g.Legs)) {
				if from != e.Parent {
					ch.links = append(ch.links, chainLink{lot: e.Parent, from: from, run: run, eventID: e.EventID, at: e.EventTime})
				}
			}
		}
	}
	for k, v := range predsOf {
		ch.preds[k] = len(v)
	}
	return ch
}

// nodeMass is a lot node's mass as the genealogy box shows it: dry
// tonnes where the lot's moisture is stated ("22.954 t dry"), else its
// stated mass, wet ("24.95 t wet"); "" for a node that is not a lot or
// has no mass in tonnes.
func nodeMass(n custody.Node) string {
	switch {
	case n.Kind != "lot":
		return ""
	case n.Moisture != nil && n.DryTonnes > 0:
		return massText(n.DryTonnes) + " dry"
	case n.WetTonnes > 0:
		return massText(n.WetTonnes) + " wet"
	}
	return ""
}

// nodeName is a genealogy node's label, else its short identifier.
func nodeName(labels map[string]string, id string) string {
	if l := labels[id]; l != "" {
		return l
	}
	return shortID(id)
}

// voyageText is a voyage node's label (its bill of lading, else its
// shipping event), its second line (vessel or carrier, route by site
// name, date shipped) and its page: the shipment page of the bill of
// lading, else the shipping event's page.
func voyageText(v *custody.Voyage, sites map[string]*critmin.Site) (label, sub, href string) {
	label, href = "voyage · "+refNames(nil).refLabel(v.EventID), eventHref(v.EventID)
	if v.BillOfLading != "" {
		label, href = "voyage · B/L "+refNames(nil).refLabel(v.BillOfLading), "/shipments/"+url.PathEscape(v.BillOfLading)
	}
	var parts []string
	if v.Vessel != "" {
		parts = append(parts, "vessel "+v.Vessel)
	}
	if v.From != "" || v.To != "" {
		route := siteLabel(sites, v.From) + " → "
		if v.To != "" {
			route += siteLabel(sites, v.To)
		} else {
			route += "?"
		}
		parts = append(parts, route)
	}
	parts = append(parts, "shipped "+v.Shipped.UTC().Format("2006-01-02"))
	return label, strings.Join(parts, " · "), href
}

// originBars is the origin split of the lot's dry mass and of each
// element, by country, in %, in the colour of the lot's commodity.
func originBars(c *custody.Composition, colour string) template.HTML {
	if c == nil {
		return ""
	}
	var labels []string
	var values []float64
	var colours []string
	for _, sh := range c.Mass.ByCountry {
		labels, values, colours = append(labels, "dry mass · "+sh.Name), append(values, sh.Share), append(colours, colour)
	}
	var els []string
	for e := range c.Elements {
		els = append(els, e)
	}
	sort.Strings(els)
	for _, e := range els {
		if c.Elements[e].GradeNotMeasured {
			continue // no share stated: grade not measured (the table says so)
		}
		for _, sh := range c.Elements[e].ByCountry {
			labels, values, colours = append(labels, e+" · "+sh.Name), append(values, sh.Share), append(colours, colour)
		}
	}
	max := 100.0
	return barChart("origin-chart", "Origin by country", Axis{Name: "share", Unit: "%", Type: "value", Max: &max}, labels, values, colours).HTML()
}

// massLabel is a mass on a genealogy line, as the event states it (wet):
// a mass unit (UN/CEFACT Rec 20) in tonnes, "24.95 t", so one figure has
// one unit and one basis; any other unit keeps its symbol.
func massLabel(v float64, uom string) string {
	if t, err := units.ToTonnes(v, uom); err == nil {
		return figure(t, 3) + " t"
	}
	return formatNum(v, 1) + " " + units.Symbol(uom)
}
