package web

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// eventSummary is an event not yet captured, as a person reads it before
// confirming: the import preview shows one for every row and the form
// preview one for its event, each above the JSON-LD that will be sent.
type eventSummary struct {
	// Head is "ObjectEvent · OBSERVE · sensor_reporting".
	Head string
	// EventID is the event's ID, fixed before capture.
	EventID string
	// Lines are "label: text" facts in the event page's order: when,
	// where, why, quantities, EPCs, readings; a third element, if any, is
	// the identifier the text names (a lot, site, party, bill of lading),
	// which the pages keep in the text's title, never in its place
	// (fix15x item 1); a fourth is text after the name (a quantity).
	Lines [][4]string
}

// summarizeDocument decodes event i of a capture document through the
// capture parser (as the ledger will read it) and words it. A document
// that does not parse yields nil; an event with errors is still worded as
// far as it decodes.
func summarizeDocument(doc []byte, i int, sites map[string]*critmin.Site, parties map[string]*critmin.Party) *eventSummary {
	d, err := epcis.ParseDocument(doc, false)
	if err != nil || i >= len(d.Events) {
		return nil
	}
	ev, _ := d.Decode(i, time.Now().UTC())
	if ev == nil {
		return nil
	}
	if mf, errs := ledger.DecodeMineral(ev, ""); len(errs) == 0 {
		ev.Mineral = mf
	}
	return summarize(ev, sites, parties)
}

// summarize words a decoded event.
// Parties (owners, possessors, the supplier) read as their names from
// master data with the identifier beside them, as on the event page.
func summarize(e *critmin.Event, sites map[string]*critmin.Site, parties map[string]*critmin.Party) *eventSummary {
	head := []string{humanTerm(e.Type)}
	for _, s := range []string{e.Action, e.BizStep} {
		if s != "" {
			head = append(head, humanTerm(s))
		}
	}
	sum := &eventSummary{Head: strings.Join(head, " · "), EventID: e.EventID}
	add := func(label, text string) {
		if strings.TrimSpace(text) != "" {
			sum.Lines = append(sum.Lines, [4]string{label, text})
		}
	}
	// ident adds an identifier as the pages name it (refLabel: a site or
	// party by its master-data name, a lot or bill of lading by its
	// identifier's tail), the identifier itself kept as the line's third
	// element, which the pages show in a title — never a raw URN as the
	// text (fix15x item 1). suffix is text after the name.
	names := namesOf(slices.Collect(maps.Values(sites)), slices.Collect(maps.Values(parties)))
	ident := func(label, id, suffix string) {
		if strings.TrimSpace(id) != "" {
			sum.Lines = append(sum.Lines, [4]string{label, names.refLabel(id), id, suffix})
		}
	}
	// party adds a party's name, its identifier in the title; an
	// unknown party is its identifier's tail.
	party := func(label, id string) {
		if p, ok := parties[id]; ok && p.Name != "" {
			sum.Lines = append(sum.Lines, [4]string{label, p.Name, id})
			return
		}
		ident(label, id, "")
	}
	// place adds a site by its name (siteLabel), its identifier in the
	// title.
	place := func(label, id string) {
		if strings.TrimSpace(id) != "" {
			sum.Lines = append(sum.Lines, [4]string{label, siteLabel(sites, id), id})
		}
	}
	if !e.EventTime.IsZero() {
		when := e.EventTime.UTC().Format("2006-01-02 15:04 UTC")
		if e.EventTimeZoneOffset != "" {
			when += " (" + e.EventTime.In(offsetZone(e.EventTimeZoneOffset)).Format("2006-01-02 15:04") + " local, " + e.EventTimeZoneOffset + ")"
		}
		add("When", when)
	}
	if e.BizLocation != "" {
		place("Where", e.BizLocation)
	} else if e.ReadPoint != "" {
		place("Where", e.ReadPoint)
	}
	if e.Disposition != "" {
		add("Disposition", humanTerm(e.Disposition))
	}
	ident("Parent (container)", e.ParentID, "")
	for _, r := range e.EPCs {
		if r.Role != critmin.RoleParent {
			ident(humanTerm(r.Role), r.EPC, "")
		}
	}
	ident("Transformation", e.TransformationID, "")
	for _, q := range e.Quantities {
		label := "Quantity"
		if q.Role == critmin.RoleInput || q.Role == critmin.RoleOutput {
			label = q.Role
		}
		ident(label, q.EPCClass, ": "+quantityText(q))
	}
	for _, b := range e.BizTransactions {
		ident(humanTerm(b.Type), b.ID, "")
	}
	for _, s := range e.Sources {
		if label := "from (" + strings.ToLower(humanTerm(s.Type)) + ")"; isLocationType(s.Type) {
			place(label, s.ID)
		} else {
			party(label, s.ID)
		}
	}
	for _, s := range e.Destinations {
		if label := "to (" + strings.ToLower(humanTerm(s.Type)) + ")"; isLocationType(s.Type) {
			place(label, s.ID)
		} else {
			party(label, s.ID)
		}
	}
	for _, r := range e.Sensors {
		// The substance without its namespace: .../analyte/H2O reads H2O.
		sub := r.ChemicalSubstance[strings.LastIndexAny(r.ChemicalSubstance, "/#:")+1:]
		text := strings.TrimSpace(sub + " " + r.Component)
		if r.Value != nil {
			text = strings.TrimSpace(text + " " + formatNum(*r.Value, 4) + " " + gradeUnit(r.UOM))
		}
		// An assay's basis (cm:basis): "dry" or "as received".
		if b, ok := r.Extensions[mineralNS+"basis"].(string); ok && b != "" {
			text += " " + basisText(b)
		}
		add(humanTerm(r.Type), text)
	}
	if v := extensionText(e, "vessel"); v != "" {
		add("Vessel", v)
	}
	if t, ok := extensionTime(e, "eta"); ok {
		add("ETA", timeOwnOffset(t))
	}
	if m := e.Mineral; m != nil && e.ILMD != nil {
		if m.Commodity != "" {
			add("Commodity", ledger.CommodityName(m.Commodity))
		}
		add("Origin country", m.OriginCountry)
		place("Origin mine", m.OriginMine)
		if m.Supplier != "" {
			party("Supplier", m.Supplier)
		}
		if m.Moisture != nil {
			add("Moisture", formatNum(*m.Moisture*100, 2)+" %")
		}
		for _, a := range m.Assays {
			add("Assay", strings.TrimSpace(a.Analyte+" "+formatNum(a.Value, 4)+" "+a.Unit+" "+a.Basis))
		}
	}
	keys := make([]string, 0, len(e.ILMD))
	for k := range e.ILMD {
		if e.Mineral == nil || !strings.HasPrefix(k, mineralNS) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		// The term without its namespace: ex:grade reads "grade".
		add("ILMD "+k[strings.LastIndexAny(k, "/#:")+1:], e.ILMD[k])
	}
	return sum
}

// gradeUnit is a UN/CEFACT Rec 20 code as a person writes it (P1 %, NA
// g/t, 59 ppm — the inverse of rec20Grade), else the code itself
// (KGM, TNE are read as codes on every page).
func gradeUnit(code string) string {
	switch code {
	case "P1":
		return "%"
	case "NA":
		return "g/t"
	case "59":
		return "ppm"
	}
	return units.Symbol(code)
}

// mineralNS is critmin's mineral extension namespace (prefix cm).
const mineralNS = "https://ns.critmin.org/mineral/v1/"

// offsetZone is a fixed zone for "+05:00"; UTC when it does not read.
func offsetZone(off string) *time.Location {
	t, err := time.Parse("-07:00", off)
	if err != nil {
		return time.UTC
	}
	return t.Location()
}

// indentedJSON is v as indented JSON for a collapsible block.
func indentedJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// isLocationType reports whether a source or destination type names a
// location (CBV "location", any spelling); the others (owning_party,
// possessing_party) name parties.
func isLocationType(t string) bool {
	return t == "location" || strings.HasSuffix(t, "/location") || strings.HasSuffix(t, "-location")
}
