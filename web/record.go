package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// This file is the operator forms (issue 15 part 1): one guided form per
// step of the corridor — commission a lot, sample and assay it, pack and unpack it,
// load and ship it, receive it, feed a refinery run — each turned into a
// standard EPCIS 2.0 event (GS1 EPCIS 2.0 §7, CBV 2.0 business steps) with
// the mineral extension's terms (docs/mineral-extension.md). A submission
// is checked by ledger.Service.Validate, the validator POST /epcis/capture
// runs, and the errors are put back beside the form's fields; a valid
// submission shows the JSON-LD event it will capture, and only the
// operator's confirmation captures it. Operators never write JSON-LD.

// formContext is the @context of every document the forms and the CSV
// import emit: the EPCIS 2.0 context and the mineral namespace as cm.
var formContext = []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]string{"cm": "https://ns.critmin.org/mineral/v1/"}}

// eventPointer is the JSON pointer of the one event of a form's document.
const eventPointer = "/epcisBody/eventList/0"

// formField is one input of a form.
type formField struct {
	Name, Label, Help string
	// Type is text, number, datetime, tz, select, lines, site or party.
	Type     string
	Required bool
	Options  [][2]string // select: value, label
	Example  string      // placeholder
	// LotLines: a lines field of "lot mass unit" lines, whose unit must
	// be a Rec 20 mass code (units.MassUnitError).
	LotLines bool
	// AssayLines: a lines field of "analyte value [unit] [basis]" lines,
	// whose unit must be a grade unit and which take no further word.
	AssayLines bool
}

// label is the label of the form's field name.
func (f *recordForm) label(name string) string {
	for _, fl := range f.Fields {
		if fl.Name == name {
			return strings.ToLower(fl.Label[:1]) + fl.Label[1:]
		}
	}
	return name
}

// recordForm is one guided form.
type recordForm struct {
	ID, Title, Intro, BizStep string
	Fields                    []formField
	// event builds the EPCIS event from the submitted values. Values are
	// passed on as given (a number that does not parse stays a string), so
	// that the capture validator, not the form, decides what is valid.
	event func(v url.Values) map[string]any
	// fields maps pointers under the event (longest prefix first wins) to
	// the form field they come from; a list field's element index is the
	// line of its text area.
	fields []ptrField
	// requiredWith lists fields [a, b]: a is required when b is given
	// (the ETA's offset with an ETA).
	requiredWith [][2]string
	// requiredUnless lists fields [a, b]: a is required when b is empty
	// (the Sample form's results, unless a moisture is given: a sampling
	// that states neither records nothing).
	requiredUnless [][2]string
	// remap, when set, rewrites an error's pointer, given the event the
	// form built, before fields is read: an event whose parts shift with
	// what was filled in (the Sample form's moisture is element 0 when
	// no result is given) is mapped by what the part named is.
	remap func(ev map[string]any, pointer string) string
}

type ptrField struct {
	prefix, field string
	list          bool
}

// Common fields of every form: when and where.
var (
	fTime = formField{Name: "time", Label: "Date and time", Type: "datetime", Required: true, Help: "local time at the site, 2025-10-05 14:00; type its offset after it, 2025-10-05 14:00 +05:00, or give it under Time zone offset"}
	fTZ   = formField{Name: "tz", Label: "Time zone offset", Type: "tz", Required: true, Example: "+05:00", Help: "offset from UTC, e.g. +05:00 for Pakistan, -06:00 for Houston in winter (-05:00 in summer); not needed when the date and time carries its own"}
	fSite = formField{Name: "site", Label: "Site", Type: "site", Required: true, Help: "where it happened: a site URI (pick from the list or type one)"}
	// fMassReason is the stated reason for a weighing outside the
	// weighing tolerance (cm:massChangeReason, custody.MassChangeReasonTerm):
	// with it the new mass is recorded as stated (issue 15, fix15m).
	// fMoistureReason is the same for a moisture reading alone beyond
	// custody.MoistureReadingLimit (3 points) of the lot's last one.
	fMoistureReason = formField{Name: "mass_reason", Label: "Reason for a moisture change", Type: "text", Example: "dried in the covered yard", Help: "only when the moisture differs from the lot's last one by more than 3 points: what changed the lot (drying, rain); recorded as cm:massChangeReason"}
	fMassReason     = formField{Name: "mass_reason", Label: "Reason for a weight change", Type: "text", Example: "screened: 1.2 t of oversize removed", Help: "only when a weight differs from the lot's last one beyond the weighing tolerance: what changed the lot (screening, drying, spillage); recorded as cm:massChangeReason"}
	fLot            = formField{Name: "lot", Label: "Lot", Type: "text", Required: true, Example: "urn:critmin:demo:lot:REE-2025-004", Help: "the lot's identifier: a URI, LGTIN or GS1 Digital Link"}
)

var uomOptions = [][2]string{{"KGM", "kg"}, {"TNE", "tonnes"}}

func assaysField(name, label string) formField {
	return formField{Name: name, Label: label, Type: "lines", Example: "TREO 12 %\nNd2O3 2.6 %\nPr6O11 0.8 % dry",
		Help: "one assay a line: analyte, value, unit (%, g/t or ppm; pct and percent are read as %) and basis (dry, the default, or as_received)", AssayLines: true}
}

func lotLinesField(name, label, help string) formField {
	return formField{Name: name, Label: label, Type: "lines", Required: true, Example: "urn:critmin:demo:lot:REE-2025-001 25000 KGM", Help: help, LotLines: true}
}

// optional is fl, not required: the Ship and Receive forms' lots may be
// left empty when containers are listed (containersOrLots).
func optional(fl formField) formField { fl.Required = false; return fl }

// containersOrLots is the Ship and Receive forms' one requirement of
// what moves: containers, lot lines or both — a container alone is moved
// with what it holds, as the API takes an ObjectEvent whose epcList names
// containers and which has no quantityList (issue 15, n15 item 1).
func containersOrLots(f *recordForm, v url.Values) []critmin.FieldError {
	if (f.ID != "ship" && f.ID != "receive") || strings.TrimSpace(v.Get("containers")) != "" || strings.TrimSpace(v.Get("lots")) != "" {
		return nil
	}
	verb := "shipped"
	if f.ID == "receive" {
		verb = "received"
	}
	// Said under both fields, in the form's words: the validator's
	// "an ObjectEvent needs an epcList or a non-empty quantityList" is
	// replaced under Containers too (n15-6 item 2).
	reason := "required: give the containers " + verb + ", the lots, or both"
	return []critmin.FieldError{{Pointer: "containers", Reason: reason}, {Pointer: "lots", Reason: reason}}
}

// recordForms are the forms in the order the corridor runs.
var recordForms = []*recordForm{
	{
		ID: "commission", Title: "Commission a lot", BizStep: "commissioning",
		Intro: "A new lot at the mine or plant: its mass, moisture and assays. Emits an ObjectEvent (action ADD, business step commissioning) whose ILMD describes the lot.",
		Fields: []formField{fLot,
			{Name: "commodity", Label: "Commodity", Type: "select", Required: true},
			{Name: "mass", Label: "Wet mass", Type: "number", Required: true, Example: "25000"},
			{Name: "uom", Label: "Unit of mass", Type: "select", Options: uomOptions},
			{Name: "moisture", Label: "Moisture (%)", Type: "number", Example: "8", Help: "mass of water in the wet lot, in per cent; dry mass = wet × (1 − moisture)"},
			assaysField("assays", "Assays"),
			{Name: "country", Label: "Country of origin", Type: "text", Example: "PAK", Help: "ISO 3166-1 alpha-3"},
			{Name: "mine", Label: "Mine", Type: "site", Help: "the mine's site URI or licence URN"},
			{Name: "owner", Label: "Owner / supplier", Type: "party"},
			fTime, fTZ, fSite},
		event: func(v url.Values) map[string]any {
			ev := baseEvent("ObjectEvent", "ADD", "commissioning", "active", v)
			ev["quantityList"] = []any{qty(v.Get("lot"), v.Get("mass"), v.Get("uom"))}
			ev["readPoint"], ev["bizLocation"] = idObj(v.Get("site")), idObj(v.Get("site"))
			ilmd := map[string]any{"cm:commodity": v.Get("commodity")}
			putIf(ilmd, "cm:originCountry", countryCode(v.Get("country")))
			putIf(ilmd, "cm:originMine", v.Get("mine"))
			putIf(ilmd, "cm:supplier", v.Get("owner"))
			if m := strings.TrimSpace(v.Get("moisture")); m != "" {
				ilmd["cm:moisture"] = percentFraction(m)
			}
			if a := ilmdAssays(v.Get("assays")); len(a) > 0 {
				ilmd["cm:assay"] = a
			}
			ev["ilmd"] = ilmd
			if o := strings.TrimSpace(v.Get("owner")); o != "" {
				ev["destinationList"] = []any{map[string]any{"type": "owning_party", "destination": o}, map[string]any{"type": "possessing_party", "destination": o}}
			}
			return ev
		},
		fields: []ptrField{{"/quantityList/0/epcClass", "lot", false}, {"/quantityList/0/quantity", "mass", false}, {"/quantityList/0/uom", "uom", false},
			{"/quantityList", "mass", false}, {"/ilmd/cm:commodity", "commodity", false}, {"/ilmd/cm:originCountry", "country", false},
			{"/ilmd/cm:originMine", "mine", false}, {"/ilmd/cm:supplier", "owner", false}, {"/ilmd/cm:moisture", "moisture", false},
			{"/ilmd/cm:assay", "assays", true}, {"/destinationList", "owner", false},
			// The check that a lot is commissioned once names the event's
			// ilmd: the fault is the lot's.
			{"/ilmd", "lot", false}},
	},
	{
		ID: "sample", Title: "Sample and assay", BizStep: "sampling",
		Intro: "A sample of a lot and the laboratory's results. Emits an ObjectEvent (OBSERVE, business step sampling) with one MassConcentration sensor report per analyte; the latest assay per analyte becomes the lot's.",
		Fields: []formField{fLot,
			{Name: "lab", Label: "Laboratory", Type: "text", Example: "urn:critmin:demo:lab:gsp-peshawar", Help: "the laboratory or instrument, as a URI"},
			assaysField("assays", "Results"),
			{Name: "moisture", Label: "Moisture (%)", Type: "number", Help: "water measured on the sample, if any; needed for as_received results"},
			fMoistureReason,
			fTime, fTZ, fSite},
		event: func(v url.Values) map[string]any {
			ev := baseEvent("ObjectEvent", "OBSERVE", "sampling", "active", v)
			ev["quantityList"] = []any{map[string]any{"epcClass": strings.TrimSpace(v.Get("lot"))}}
			ev["readPoint"], ev["bizLocation"] = idObj(v.Get("site")), idObj(v.Get("site"))
			var reports []any
			for _, a := range splitLines(v.Get("assays")) {
				f := strings.Fields(a)
				r := map[string]any{"type": "MassConcentration"}
				if len(f) > 0 {
					r["chemicalSubstance"] = "https://ns.critmin.org/mineral/v1/analyte/" + f[0]
				}
				if len(f) > 1 {
					r["value"] = numberOrText(f[1])
				}
				unit := "%"
				if len(f) > 2 {
					unit = f[2]
				}
				r["uom"] = rec20Grade(unit)
				// dry by default, as the Commission form and docs/forms.md
				// say: a report with no basis would leave it to the reader.
				r["cm:basis"] = "dry"
				if len(f) > 3 {
					r["cm:basis"] = assayBasis(f[3])
				}
				reports = append(reports, r)
			}
			meta := map[string]any{"time": eventTime(v)}
			putIf(meta, "deviceID", v.Get("lab"))
			// The results are element 0 (report i is line i+1); the
			// moisture, when given, is element 1 of the same event.
			var elements []any
			if len(reports) > 0 {
				elements = append(elements, map[string]any{"sensorMetadata": meta, "sensorReport": reports})
			}
			if m := strings.TrimSpace(v.Get("moisture")); m != "" {
				elements = append(elements, map[string]any{"sensorMetadata": meta, "sensorReport": []any{
					map[string]any{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": numberOrText(m), "uom": "P1"}}})
			}
			if len(elements) > 0 {
				ev["sensorElementList"] = elements
			}
			putIf(ev, custody.MassChangeReasonTerm, v.Get("mass_reason"))
			return ev
		},
		// A sensor report's error is mapped by what the report is
		// (sampleReportPointer): the moisture's under Moisture, a
		// result's under its line of Results, whatever the order.
		remap:          sampleReportPointer,
		requiredUnless: [][2]string{{"assays", "moisture"}},
		fields: []ptrField{{"/quantityList", "lot", false}, {"/sensorElementList/lab", "lab", false}, {"/" + custody.MassChangeReasonTerm, "mass_reason", false},
			{"/sensorElementList/results/sensorReport", "assays", true}, {"/sensorElementList/moisture", "moisture", false}, {"/sensorElementList", "assays", false},
			// Capture checks read the reports as the lot's ilmd assays.
			{"/ilmd/cm:assay", "assays", false}, {"/ilmd/cm:moisture", "moisture", false}, {"/ilmd", "assays", false}},
	},
	{
		ID: "pack", Title: "Pack into bags or a container", BizStep: "packing",
		Intro: "Lots packed into a container or big bags. Emits an AggregationEvent (action ADD, business step packing): the container is the parent, the lots and their masses the children.",
		Fields: []formField{
			{Name: "container", Label: "Container or bag", Type: "text", Required: true, Example: "MSKU1234565", Help: containerHelp},
			lotLinesField("lots", "Lots packed", "one lot a line: lot ID, mass and unit (KGM or TNE)"),
			fTime, fTZ, fSite},
		event: func(v url.Values) map[string]any {
			ev := baseEvent("AggregationEvent", "ADD", "packing", "active", v)
			ev["parentID"] = containerURI(v, v.Get("container"))
			ev["childQuantityList"] = qtyLines(v.Get("lots"))
			ev["readPoint"], ev["bizLocation"] = idObj(v.Get("site")), idObj(v.Get("site"))
			return ev
		},
		fields: []ptrField{{"/parentID", "container", false}, {"/childQuantityList", "lots", true}},
	},
	{
		ID: "unpack", Title: "Unpack a container or bags", BizStep: "unpacking",
		Intro: "Lots taken out of a container or big bags, all of them or part. Emits an AggregationEvent (action DELETE, business step unpacking): the container is the parent, the lots and masses taken out the children; with no lot line, everything in it is unpacked.",
		Fields: []formField{
			{Name: "container", Label: "Container or bag", Type: "text", Required: true, Example: "MSKU1234565", Help: containerHelp},
			optional(lotLinesField("lots", "Lots unpacked", "one lot a line: lot ID, mass taken out and unit (KGM or TNE); leave empty to unpack everything the container holds")),
			fTime, fTZ, fSite},
		event: func(v url.Values) map[string]any {
			ev := baseEvent("AggregationEvent", "DELETE", "unpacking", "in_progress", v)
			ev["parentID"] = containerURI(v, v.Get("container"))
			// No children named: everything in the container comes out
			// (EPCIS 2.0 §7.3.5, an AggregationEvent DELETE with no
			// children).
			if q := qtyLines(v.Get("lots")); len(q) > 0 {
				ev["childQuantityList"] = q
			}
			ev["readPoint"], ev["bizLocation"] = idObj(v.Get("site")), idObj(v.Get("site"))
			return ev
		},
		fields: []ptrField{{"/parentID", "container", false}, {"/childQuantityList", "lots", true}, {"/childEPCs", "container", false}},
	},
	{
		ID: "ship", Title: "Load and ship", BizStep: "shipping",
		Intro: "Containers loaded on a vessel or truck under a bill of lading. Emits an ObjectEvent (OBSERVE, business step shipping, disposition in_transit) with the bill of lading as a bizTransaction of type bol, and the source and destination.",
		Fields: []formField{
			{Name: "containers", Label: "Containers", Type: "lines", Example: "MSKU1234565", Help: "one container a line (may be empty for bulk): " + containerHelp},
			optional(lotLinesField("lots", "Lots and masses", "one lot a line: lot ID, mass and unit (KGM or TNE); the lot ID alone ships what stands of the lot where it leaves (the preview shows how much); may be empty when containers are listed: a container carries what it holds")),
			{Name: "bol", Label: "Bill of lading", Type: "text", Required: true, Example: "urn:critmin:demo:bol:KHI-HOU-2025-0901", Help: "the bill of lading: a URI, or its plain number (KHI-2025-0901; spaces become dashes), recorded as urn:critmin:bol:NUMBER"},
			{Name: "destination", Label: "Destination", Type: "site", Required: true, Help: "the port or site the shipment goes to"},
			{Name: "vessel", Label: "Vessel", Type: "text", Example: "MV Karachi Star (IMO 9000001)", Help: "the vessel's name and IMO number, or the truck or train of a land leg (cm:vessel)"},
			{Name: "carrier", Label: "Carrier", Type: "party", Help: "the party that takes possession"},
			{Name: "from_owner", Label: "From owner", Type: "party", Help: "where several parties' holdings of a lot stand at the loading site: the owner whose holding ships (the event's source owning_party); empty ships the lot's body there, else every part there (the preview and a refusal list the owners there)"},
			{Name: "eta", Label: "Expected arrival (ETA)", Type: "datetime", Help: "local time at the destination, 2025-11-02 08:00; type its offset after it, 2025-11-02 08:00 -06:00, or give it under ETA time zone offset"},
			{Name: "eta_tz", Label: "ETA time zone offset", Type: "tz", Example: "-05:00", Help: "offset from UTC at the destination (Houston -06:00 in winter, -05:00 in summer), not the loading port's; needed with an ETA"},
			fTime, fTZ, {Name: "site", Label: "Loading port or site", Type: "site", Required: true}},
		event: func(v url.Values) map[string]any {
			ev := baseEvent("ObjectEvent", "OBSERVE", "shipping", "in_transit", v)
			if c := containerURIs(v, v.Get("containers")); len(c) > 0 {
				ev["epcList"] = c
			}
			if q := qtyLines(v.Get("lots")); len(q) > 0 || ev["epcList"] == nil {
				ev["quantityList"] = q
			}
			// Loaded at the port: the lots are there when they leave (as
			// the API's shipping events put them), so their location moves
			// mine → port, not straight to the destination.
			ev["readPoint"] = idObj(v.Get("site"))
			ev["bizLocation"] = idObj(v.Get("site"))
			bol, _ := bolURI(v.Get("bol"))
			ev["bizTransactionList"] = []any{map[string]any{"type": "bol", "bizTransaction": bol}}
			src := []any{map[string]any{"type": "location", "source": strings.TrimSpace(v.Get("site"))}}
			if o := strings.TrimSpace(v.Get("from_owner")); o != "" {
				// Whose holding leaves (CBV 2.0 §7.5: a source names the
				// party the objects leave): that owner's where several
				// parties' holdings stand (ledger.HoldingOf; fix15l).
				src = append(src, map[string]any{"type": "owning_party", "source": o})
			}
			ev["sourceList"] = src
			dest := []any{map[string]any{"type": "location", "destination": strings.TrimSpace(v.Get("destination"))}}
			if c := strings.TrimSpace(v.Get("carrier")); c != "" {
				dest = append(dest, map[string]any{"type": "possessing_party", "destination": c})
			}
			ev["destinationList"] = dest
			if vessel := strings.TrimSpace(v.Get("vessel")); vessel != "" {
				ev["cm:vessel"] = vessel
			}
			if eta := strings.TrimSpace(v.Get("eta")); eta != "" {
				// The ETA is stated in the destination's offset, never
				// the loading port's (the event time's).
				ev["cm:eta"] = localTime(eta, v.Get("eta_tz"))
			}
			return ev
		},
		fields: []ptrField{{"/epcList", "containers", true}, {"/quantityList", "lots", true}, {"/bizTransactionList", "bol", false},
			{"/sourceList/1", "from_owner", false}, {"/sourceList", "site", false}, {"/bizLocation", "site", false}, {"/destinationList/0", "destination", false}, {"/destinationList/1", "carrier", false}, {"/cm:eta", "eta", false}, {"/cm:vessel", "vessel", false}},
		requiredWith: [][2]string{{"eta_tz", "eta"}},
	},
	{
		ID: "receive", Title: "Receive with weights", BizStep: "receiving",
		Intro: "A shipment received at a port, warehouse or refinery, with the weights found on arrival. Emits an ObjectEvent (OBSERVE, business step receiving). For each lot, the weight received becomes the lot's current mass (the outturn weight; when only part of the lot was shipped, the mass of that part, the rest of the lot unchanged), and the loading weight stays on the shipping event; the preview shows the difference.",
		Fields: []formField{
			{Name: "containers", Label: "Containers", Type: "lines", Example: "MSKU1234565", Help: "one container a line (may be empty for bulk): " + containerHelp},
			optional(lotLinesField("lots", "Lots and weights received", "one lot a line: lot ID, mass weighed on arrival and unit (KGM or TNE); may be empty when containers are listed: a container brings what its shipment carried in it")),
			{Name: "bol", Label: "Bill of lading", Type: "text", Required: true, Example: "urn:critmin:demo:bol:KHI-HOU-2025-0901", Help: "the bill of lading it came under, a URI or its plain number (recorded as urn:critmin:bol:NUMBER): the receipt is checked against that shipment (after it, at its destination, no gain beyond 0.5 %)"},
			{Name: "owner", Label: "New owner", Type: "party", Help: "the party that takes ownership and possession"},
			fMassReason,
			fTime, fTZ, fSite},
		event: func(v url.Values) map[string]any {
			ev := baseEvent("ObjectEvent", "OBSERVE", "receiving", "in_progress", v)
			putIf(ev, custody.MassChangeReasonTerm, v.Get("mass_reason"))
			if c := containerURIs(v, v.Get("containers")); len(c) > 0 {
				ev["epcList"] = c
			}
			if q := qtyLines(v.Get("lots")); len(q) > 0 || ev["epcList"] == nil {
				ev["quantityList"] = q
			}
			ev["readPoint"], ev["bizLocation"] = idObj(v.Get("site")), idObj(v.Get("site"))
			if b, _ := bolURI(v.Get("bol")); b != "" {
				ev["bizTransactionList"] = []any{map[string]any{"type": "bol", "bizTransaction": b}}
			}
			if o := strings.TrimSpace(v.Get("owner")); o != "" {
				ev["destinationList"] = []any{map[string]any{"type": "owning_party", "destination": o}, map[string]any{"type": "possessing_party", "destination": o}}
			}
			return ev
		},
		fields: []ptrField{{"/epcList", "containers", true}, {"/quantityList", "lots", true}, {"/bizTransactionList", "bol", false}, {"/destinationList", "owner", false}, {"/" + custody.MassChangeReasonTerm, "mass_reason", false}},
	},
	{
		ID: "refine", Title: "Feed a refinery run and record its products", BizStep: "commissioning",
		Intro: "Lots fed into a refinery or smelter run and the product lots it made. Emits a TransformationEvent (business step commissioning) with the run as its transformationID; the ILMD describes the products. The lots fed are given once per run: for products of different commodities, submit once per product with the same run ID, and give the lots fed only with the first (a later submission of a recorded run may leave Lots fed empty; lots given again are fed again).",
		Fields: []formField{
			{Name: "run", Label: "Run", Type: "text", Required: true, Example: "urn:critmin:demo:run:MO-REE-002", Help: "the run or batch, as a URI; events of one run share it"},
			lotLinesField("inputs", "Lots fed", "one lot a line: lot ID, mass fed and unit (KGM or TNE)"),
			lotLinesField("outputs", "Product lots", "one product lot a line: lot ID, mass and unit"),
			{Name: "commodity", Label: "Product commodity", Type: "select", Required: true},
			{Name: "moisture", Label: "Product moisture (%)", Type: "number"},
			assaysField("assays", "Product assays"),
			{Name: "owner", Label: "Owner of the products", Type: "party", Help: "the party that owns and holds the product lots (new lots state their owner, as Commission does)"},
			fTime, fTZ, fSite},
		event: func(v url.Values) map[string]any {
			ev := baseEvent("TransformationEvent", "", "commissioning", "active", v)
			ev["transformationID"] = strings.TrimSpace(v.Get("run"))
			// A product-only submission of a recorded run states no
			// inputs: the run's lots were fed once, with its first event.
			if in := qtyLines(v.Get("inputs")); len(in) > 0 || strings.TrimSpace(v.Get("outputs")) == "" {
				ev["inputQuantityList"] = in
			}
			ev["outputQuantityList"] = qtyLines(v.Get("outputs"))
			ev["readPoint"], ev["bizLocation"] = idObj(v.Get("site")), idObj(v.Get("site"))
			ilmd := map[string]any{"cm:commodity": v.Get("commodity")}
			if m := strings.TrimSpace(v.Get("moisture")); m != "" {
				ilmd["cm:moisture"] = percentFraction(m)
			}
			if a := ilmdAssays(v.Get("assays")); len(a) > 0 {
				ilmd["cm:assay"] = a
			}
			ev["ilmd"] = ilmd
			// The products' owner, as Commission states a new lot's
			// (new-user finding nu37b-6: Refine's products read "Owner
			// not stated", the form having no owner field).
			if o := strings.TrimSpace(v.Get("owner")); o != "" {
				ev["destinationList"] = []any{map[string]any{"type": "owning_party", "destination": o}, map[string]any{"type": "possessing_party", "destination": o}}
			}
			return ev
		},
		fields: []ptrField{{"/transformationID", "run", false}, {"/inputQuantityList", "inputs", true}, {"/outputQuantityList", "outputs", true},
			{"/ilmd/cm:commodity", "commodity", false}, {"/ilmd/cm:moisture", "moisture", false}, {"/ilmd/cm:assay", "assays", true}, {"/destinationList", "owner", false}},
	},
}

func findForm(id string) *recordForm {
	for _, f := range recordForms {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// baseEvent is the fields every form's event has.
func baseEvent(typ, action, bizStep, disposition string, v url.Values) map[string]any {
	ev := map[string]any{"type": typ, "bizStep": bizStep, "disposition": disposition}
	if action != "" {
		ev["action"] = action
	}
	if id := strings.TrimSpace(v.Get("eventID")); id != "" {
		ev["eventID"] = id
	}
	if t := eventTime(v); t != "" {
		ev["eventTime"] = t
	}
	ev["eventTimeZoneOffset"] = timeZoneOffset(v)
	return ev
}

// eventTime joins the form's local date-time and offset into an RFC 3339
// time ("" if no time was given).
func eventTime(v url.Values) string { return localTime(v.Get("time"), v.Get("tz")) }

// timeZoneOffset is the form's event time-zone offset: the one written in
// its time field ("2026-10-05 14:00 +05:00"), else its tz field, written
// ±hh:mm (+0500 reads +05:00).
func timeZoneOffset(v url.Values) string {
	if _, off, ok := splitWhen(v.Get("time")); ok && off != "" {
		return off
	}
	return normOffset(v.Get("tz"))
}

func localTime(t, tz string) string {
	t, tz = strings.TrimSpace(t), strings.TrimSpace(tz)
	if t == "" {
		return ""
	}
	// datetime-local sends 2025-08-20T09:00 or 2025-08-20T09:00:30; a
	// typed time may carry its own offset, after a space or not
	// (splitWhen). Anything else is passed on for capture to refuse.
	if local, off, ok := splitWhen(t); ok {
		if off == "" {
			off = normOffset(tz)
		}
		return local + off
	}
	return t + tz
}

// whenRE is a date and time as people write it: T or a space between
// date and time, seconds and fractions optional, then an optional offset
// (Z, ±hh:mm, ±hhmm or ±hh), with or without a space before it (issue 15,
// fix15m: "2026-10-05 14:00 +05:00" and "2026-10-05T14:00 +0500" were
// refused).
var whenRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$`)

// splitWhen splits a typed date and time into its local part, written
// 2006-01-02T15:04:05[.fff], and its offset written ±hh:mm ("" for none);
// ok is false when s is not a date and time of that form or names no
// real date or time.
func splitWhen(s string) (local, off string, ok bool) {
	m := whenRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", "", false
	}
	sec := m[3]
	if sec == "" {
		sec = ":00"
	}
	local = m[1] + "T" + m[2] + sec
	if _, err := time.Parse("2006-01-02T15:04:05.999999999", local); err != nil {
		return "", "", false
	}
	if m[4] != "" {
		off = normOffset(m[4])
	}
	return local, off, true
}

// normOffset writes a time-zone offset as RFC 3339 wants it: +0500 and
// +05 as +05:00, Z as +00:00; anything else trimmed, as written, for
// capture to refuse by name.
func normOffset(tz string) string {
	tz = strings.TrimSpace(tz)
	switch {
	case tz == "Z":
		return "+00:00"
	case len(tz) == 3 && (tz[0] == '+' || tz[0] == '-') && isDigits(tz[1:]):
		return tz + ":00"
	case len(tz) == 5 && (tz[0] == '+' || tz[0] == '-') && isDigits(tz[1:]):
		return tz[:3] + ":" + tz[3:]
	}
	return tz
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func idObj(id string) map[string]any { return map[string]any{"id": strings.TrimSpace(id)} }

func putIf(m map[string]any, k, v string) {
	if v = strings.TrimSpace(v); v != "" {
		m[k] = v
	}
}

// numberOrText is a JSON number when s parses as one (parseNumber: the
// CSV import's rules, thousands separators in groups of three) and s
// itself otherwise, for the validator to refuse by name.
func numberOrText(s string) any {
	s = strings.TrimSpace(s)
	if f, err := parseNumber(s); err == nil {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return s
}

// percentFraction turns a moisture in per cent into the fraction the
// extension carries (8 → 0.08).
func percentFraction(s string) any {
	n := numberOrText(s)
	if num, ok := n.(json.Number); ok {
		f, _ := num.Float64()
		return json.Number(strconv.FormatFloat(f/100, 'f', -1, 64))
	}
	return n
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// qty is one quantity element; the unit defaults to kilograms (KGM).
func qty(class, quantity, uom string) map[string]any {
	q := map[string]any{"epcClass": strings.TrimSpace(class)}
	if quantity = strings.TrimSpace(quantity); quantity != "" {
		q["quantity"] = numberOrText(quantity)
	}
	if uom = strings.TrimSpace(uom); uom == "" {
		if quantity == "" {
			// No quantity: no unit either (EPCIS 2.0 gives a uom only
			// with a quantity); the Ship form's "the rest" (fix15d).
			return q
		}
		uom = "KGM"
	}
	// kg, t, tonnes in any case: the Rec 20 code (fix15v).
	q["uom"] = units.FormMassCode(uom)
	return q
}

// qtyLines reads "lot quantity [unit]" lines as a quantity list.
func qtyLines(s string) []any {
	out := []any{}
	for _, l := range splitLines(s) {
		f := append(strings.Fields(l), "", "", "")
		out = append(out, qty(f[0], f[1], f[2]))
	}
	return out
}

// ilmdAssays reads "analyte value [unit] [basis]" lines as cm:assay
// objects (unit % and basis dry by default).
func ilmdAssays(s string) []any {
	var out []any
	for _, l := range splitLines(s) {
		f := strings.Fields(l)
		a := map[string]any{"cm:analyte": f[0], "cm:unit": "%", "cm:basis": "dry"}
		if len(f) > 1 {
			a["cm:value"] = numberOrText(f[1])
		}
		if len(f) > 2 {
			a["cm:unit"] = typedGradeUnit(f[2])
		}
		if len(f) > 3 {
			a["cm:basis"] = assayBasis(f[3])
		}
		out = append(out, a)
	}
	return out
}

// rec20Grade is the UN/CEFACT Rec 20 code of a grade unit for a sensor
// report (P1 per cent, NA mg/kg = g/t, 59 ppm); other text is passed on
// for the validator to refuse.
func rec20Grade(u string) string {
	switch typedGradeUnit(u) {
	case "%", "pct", "percent":
		return "P1"
	case "g/t", "gpt":
		return "NA"
	case "ppm":
		return "59"
	}
	return u
}

// typedGradeUnit is a grade unit typed in any case in the form the ledger
// reads ("PPM" and "G/T" are ppm and g/t): these words name one unit
// whatever their case. Anything else is returned as typed, for the
// validator to accept (a Rec 20 code such as P1) or refuse.
func typedGradeUnit(u string) string {
	u = strings.TrimSpace(u)
	switch l := strings.ToLower(u); l {
	case "%", "pct", "percent", "g/t", "gpt", "ppm":
		return l
	case "mg/kg":
		return "g/t" // one milligram a kilogram is one gram a tonne (10⁻⁶)
	}
	return u
}

// assayBasis is a basis typed in any case as the ledger's word ("Dry" is
// dry, "AS_RECEIVED" as_received); anything else is returned as typed,
// for the caller to refuse with the word to write.
func assayBasis(b string) string {
	b = strings.TrimSpace(b)
	switch l := strings.ToLower(b); l {
	case "dry", "as_received":
		return l
	}
	return b
}

// formDocument is the EPCIS document of one event, indented for the
// preview.
func formDocument(events []any, created string) ([]byte, error) {
	doc := map[string]any{"@context": formContext, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": created,
		"epcisBody": map[string]any{"eventList": events}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fieldOf maps a validator pointer of event 0 to a form field and, for a
// list field, the line (1-based; 0 when not a line).
func fieldOf(fields []ptrField, pointer string) (string, int) {
	rest, ok := strings.CutPrefix(pointer, eventPointer)
	if !ok {
		return "", 0
	}
	best, bestLen := -1, -1
	for i, pf := range fields {
		if strings.HasPrefix(rest, pf.prefix) && len(pf.prefix) > bestLen {
			best, bestLen = i, len(pf.prefix)
		}
	}
	if best < 0 {
		// A required member the event lacks is reported on the event or a
		// top-level name: eventTime, eventTimeZoneOffset, bizLocation ….
		switch {
		case strings.HasPrefix(rest, "/eventTimeZoneOffset"):
			return "tz", 0
		case strings.HasPrefix(rest, "/eventTime"):
			return "time", 0
		case strings.HasPrefix(rest, "/bizLocation"), strings.HasPrefix(rest, "/readPoint"):
			return "site", 0
		}
		return "", 0
	}
	pf := fields[best]
	if !pf.list {
		return pf.field, 0
	}
	tail := strings.TrimPrefix(rest[len(pf.prefix):], "/")
	n := 0
	for _, r := range tail {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	if tail == "" || tail[0] < '0' || tail[0] > '9' {
		return pf.field, 0
	}
	return pf.field, n + 1
}

// countryCode is a typed country code in capitals ("pak" is PAK); any
// other text (a name) is kept as typed, for valueErrors to answer with
// its code, never echoed in capitals.
func countryCode(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 3 {
		return strings.ToUpper(s)
	}
	return s
}

// tzRE is a UTC offset as EPCIS writes it (±hh:mm).
var tzRE = regexp.MustCompile(`^[+-](0\d|1[0-4]):[0-5]\d$`)

// unknownSites names each site field of the form (Type site; not the
// mine, which may be a licence URN) whose value is not a site in master
// data, with the sites to pick from.
func (s *site) unknownSites(r *http.Request, f *recordForm, v url.Values) ([]critmin.FieldError, error) {
	var out []critmin.FieldError
	var sites map[string]*critmin.Site
	for _, fl := range f.Fields {
		val := strings.TrimSpace(v.Get(fl.Name))
		if fl.Type != "site" || fl.Name == "mine" || val == "" {
			continue
		}
		if sites == nil {
			var err error
			if sites, err = s.siteMap(r); err != nil {
				return nil, err
			}
		}
		if reason := unknownSite(sites, val); reason != "" {
			out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: reason})
		}
	}
	// An owner, supplier or carrier is a party master data describes,
	// like a site: urn:critmin:demo:party:nobody would start an owner no
	// one can look up.
	var parties map[string]*critmin.Party
	for _, fl := range f.Fields {
		val := strings.TrimSpace(v.Get(fl.Name))
		if fl.Type != "party" || val == "" {
			continue
		}
		if parties == nil {
			var err error
			if parties, err = s.partyMap(r); err != nil {
				return nil, err
			}
		}
		if reason := unknownParty(parties, val); reason != "" {
			out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: reason})
		}
	}
	return out, nil
}

// unknownParty says why id is not a party master data describes
// (compared in canonical form), or "" when it is one.
func unknownParty(parties map[string]*critmin.Party, id string) string {
	return unknownRef("party", "parties", parties, id)
}

// unknownSite says why id is not a site master data describes (compared
// in canonical form), or "" when it is one.
func unknownSite(sites map[string]*critmin.Site, id string) string {
	return unknownRef("site", "sites", sites, id)
}

// unknownRef says why id is no key of known (compared in canonical form,
// epcis.Canonical) — a kind ("site") master data does not describe, with
// up to six of the known ids — or "" when it is one.
func unknownRef[T any](kind, kinds string, known map[string]T, id string) string {
	want := epcis.Canonical(id)
	var ids []string
	for k := range known {
		if epcis.Canonical(k) == want {
			return ""
		}
		ids = append(ids, k)
	}
	sort.Strings(ids)
	if len(ids) > 6 {
		ids = append(ids[:6], "…")
	}
	list := "none is registered yet"
	if len(ids) > 0 {
		list = "known " + kinds + ": " + strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s %s is not in master data (%s): pick one from the list, or register the %s first (master data of a capture document)", kind, id, list, kind)
}

// offsetError says why val is not a UTC offset as EPCIS writes it
// (±hh:mm, tzRE) and what to write instead ("+5": +05:00), or "".
func offsetError(val string) string {
	val = strings.TrimSpace(val)
	// +0500 and +05 read as +05:00 (normOffset), as in a file.
	if tzRE.MatchString(normOffset(val)) {
		return ""
	}
	hint := ""
	if n, err := strconv.Atoi(val); err == nil && n >= -12 && n <= 14 {
		sign := "+"
		if n < 0 || strings.HasPrefix(val, "-") {
			sign, n = "-", -n
		}
		hint = fmt.Sprintf(": write %s%02d:00", sign, n)
	}
	return fmt.Sprintf("offset %q is not ±hh:mm, a sign, two digits of hours, a colon and two of minutes (+05:00 for Pakistan, -06:00 for Houston)%s", val, hint)
}

// validLocalTime reports whether a form's date and time reads: a
// datetime-local value (2025-08-20T09:00), or one typed with a space and
// its own offset as the imports read it (splitWhen: "2025-08-20 09:00
// +05:00", "2025-08-20T09:00+05:00", "2025-08-20T09:00:00+05:00").
func validLocalTime(t string) bool {
	local, off, ok := splitWhen(t)
	if !ok {
		return false
	}
	if off != "" {
		if _, err := time.Parse("2006-01-02T15:04:05.999999999-07:00", local+off); err != nil {
			return false
		}
	}
	return true
}

// tzFieldOf is the offset field that goes with a form's date-and-time
// field (time: tz, eta: eta_tz).
func tzFieldOf(name string) string {
	if name == "time" {
		return "tz"
	}
	return name + "_tz"
}

// datetimeOf is the date-and-time field an offset field goes with (tz:
// time, eta_tz: eta).
func datetimeOf(tzName string) string {
	if tzName == "tz" {
		return "time"
	}
	return strings.TrimSuffix(tzName, "_tz")
}

// ownOffset is the offset written in a form's date-and-time field name
// ("2025-08-20 09:00 +05:00": +05:00), "" when it carries none: its
// offset field is not needed then.
func ownOffset(name string, v url.Values) string {
	if _, off, ok := splitWhen(v.Get(name)); ok {
		return off
	}
	return ""
}

// timeError says why the date and time val of field name does not read,
// or why the offset written in it conflicts with the one under its own
// offset field, or "".
func (f *recordForm) timeError(name, val string, v url.Values) string {
	if !validLocalTime(val) {
		return fmt.Sprintf("%q is not a date and time: write it as 2025-08-20T09:00 (local time, with the offset under its own field) or with its offset, 2025-08-20 09:00 +05:00", val)
	}
	off := ownOffset(name, v)
	tzName := tzFieldOf(name)
	tz := strings.TrimSpace(v.Get(tzName))
	if off != "" && tz != "" && normOffset(tz) != off {
		return fmt.Sprintf("%q carries the offset %s but %s says %s: give one offset, or the same in both", val, off, f.label(tzName), tz)
	}
	return ""
}

// valueErrors words the faults of values as typed, field by field: a
// number field that does not read (parseNumber's reason: "24950,5" has
// a decimal comma), an offset that is not ±hh:mm ("+5" → "+05:00"), a
// country given by name or alpha-2 code (the ISO 3166-1 alpha-3 code to
// use instead). Empty fields are left to the required checks.
func (f *recordForm) valueErrors(v url.Values) []critmin.FieldError {
	var out []critmin.FieldError
	for _, fl := range f.Fields {
		val := strings.TrimSpace(v.Get(fl.Name))
		if val == "" {
			continue
		}
		switch {
		case fl.Type == "number":
			n, err := parseNumber(val)
			switch {
			case formAmbiguity(val) != "":
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: formAmbiguity(val)})
			case err != nil:
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: err.Error()})
			case f.ID == "commission" && fl.Name == "mass" && n <= 0:
				// A lot is commissioned with what it holds: a lot of
				// nothing has no origin to trace. (A later weighing of 0
				// is kept, with the origin anomaly zero_mass.)
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: fmt.Sprintf("a new lot's mass must be more than 0 (not %s): commission the lot when it is weighed", val)})
			}
		case fl.Type == "lines":
			// A lot line's mass and an assay line's value are the line's
			// second word, read as the mass field reads a number (the
			// decimal-comma sentence, not the schema's "not a string").
			var reasons []string
			// A lot on two lines is refused on the Ship, Receive and
			// refinery forms, as the API refuses it in a quantityList or a
			// run's input and output lists: one line per lot, with its
			// whole quantity.
			lineOf := map[string]int{}
			for i, line := range splitLines(val) {
				// The Pack form's lines are a childQuantityList, where
				// EPCIS 2.0 lets a class repeat and the ledger sums the
				// lines (docs/forms.md): accepted, with a note at preview
				// (packNotes).
				if w := strings.Fields(line); fl.LotLines && len(w) > 0 && f.ID != "pack" {
					k := epcis.Canonical(w[0])
					if j, dup := lineOf[k]; dup {
						reasons = append(reasons, fmt.Sprintf("line %d: %s is listed twice (first on line %d): state one line per lot with its whole quantity", i+1, k, j+1))
					} else {
						lineOf[k] = i
					}
				}
				// A list of identifiers (containers) has one word a line;
				// only a lot or assay line has a number second.
				// (An ISO 6346 number painted with spaces, "MSKU 123456 5",
				// is one identifier: containerURI reads it.)
				if w := strings.Fields(line); !fl.LotLines && !fl.AssayLines && len(w) > 1 && !iso6346RE.MatchString(plainContainer(line)) {
					reasons = append(reasons, fmt.Sprintf("line %d: %q has a space: write one identifier a line, as a URI (%s)", i+1, line, fl.Example))
					continue
				}
				// A container list (Ship, Receive) is read line by line
				// as the Pack form's container field is (containerError):
				// a wrong ISO 6346 check digit is refused naming the right
				// one (new-user check n8d: NUDU2384132 was taken on the
				// Ship form, and the Receive form said it was not shipped).
				if fl.Name == "containers" && !fl.LotLines {
					if reason := containerError(line); reason != "" {
						reasons = append(reasons, fmt.Sprintf("line %d: %s", i+1, reason))
						continue
					}
				}
				// A lot line without its mass, an assay line without its
				// value: worded as the line's shape (the validator's
				// "uom given without a quantity" names no mass).
				// The Ship form's lot line without a mass ships what
				// stands of the lot where it leaves: the event states no
				// quantity, as the API accepts (ledger.ShippedBy; issue
				// 15, fix15d item 4).
				if w := strings.Fields(line); len(w) == 1 && fl.LotLines && f.ID != "ship" {
					reasons = append(reasons, fmt.Sprintf("line %d: no mass after %s: a line is LOT MASS [UNIT]", i+1, w[0]))
				} else if len(w) == 1 && fl.AssayLines {
					reasons = append(reasons, fmt.Sprintf("line %d: no value after %s: a line is ANALYTE VALUE [UNIT] [BASIS]", i+1, w[0]))
				}
				if w := strings.Fields(line); len(w) > 1 {
					if r := formAmbiguity(w[1]); r != "" {
						reasons = append(reasons, fmt.Sprintf("line %d: %s", i+1, r))
					} else if _, err := parseNumber(w[1]); err != nil {
						reasons = append(reasons, fmt.Sprintf("line %d: %s", i+1, err))
					}
				}
				// A lot's mass is in a unit the ledger converts to
				// tonnes (KGM when none is written).
				if w := strings.Fields(line); fl.LotLines && len(w) > 2 {
					if reason := units.MassUnitError(units.FormMassCode(w[2])); reason != "" {
						reasons = append(reasons, fmt.Sprintf("line %d: unit %s", i+1, reason))
					}
				}
				// Nothing typed is dropped: a word the line's shape has no
				// place for ("TREO 5.2 % dry abc", a lot line's fourth
				// word), and an assay's unit that is not a grade unit
				// ("5.2 %pct", "5.2 abc"), are refused with the line.
				w := strings.Fields(line)
				switch {
				case fl.LotLines && len(w) > 3:
					reasons = append(reasons, fmt.Sprintf("line %d: %q after the unit is not read: a line is LOT MASS [UNIT]", i+1, strings.Join(w[3:], " ")))
				case fl.AssayLines && len(w) > 4:
					reasons = append(reasons, fmt.Sprintf("line %d: %q after the basis is not read: a line is ANALYTE VALUE [UNIT] [BASIS]", i+1, strings.Join(w[4:], " ")))
				}
				if fl.AssayLines && len(w) > 2 {
					if _, err := units.NormalizeGradeUnit(typedGradeUnit(w[2])); err != nil {
						reasons = append(reasons, fmt.Sprintf("line %d: unit %q is not a grade unit: write %%, g/t or ppm after the value, separated by a space (TREO 5.2 %%)", i+1, w[2]))
					}
				}
				if fl.AssayLines && len(w) > 3 {
					if b := assayBasis(w[3]); b != "dry" && b != "as_received" {
						reasons = append(reasons, fmt.Sprintf("line %d: basis %q is not one the ledger reads: write dry or as_received", i+1, w[3]))
					}
				}
			}
			// One error a line, each "line N: …": the submit handler
			// replaces what the validator said of that line only, and keeps
			// its errors on the other lines (the preview shows them all at
			// once, not line 1's first and the rest after it is fixed).
			for _, r := range reasons {
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: r})
			}
		case fl.Type == "datetime":
			// Read as the imports read a time (splitWhen): T or a space,
			// seconds optional, an offset of its own after a space or
			// not. Quoted as typed, never as the event's eventTime (the
			// value with the offset field appended: "…+05:00+05:00").
			if reason := f.timeError(fl.Name, val, v); reason != "" {
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: reason})
			}
		case fl.Name == "uom":
			if reason := units.MassUnitError(units.FormMassCode(val)); reason != "" {
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: reason})
			}
		case fl.Name == "container" || fl.Name == "containers":
			// A container typed as its ISO 6346 number is recorded as a
			// URN (containerURI); a wrong check digit is refused naming
			// the right one, a plain value of another shape told to be
			// a URI, never the validator's "relative url".
			lines := []string{val}
			if fl.Type == "lines" {
				lines = splitLines(val)
			}
			for i, line := range lines {
				if reason := containerError(line); reason != "" {
					if fl.Type == "lines" {
						reason = fmt.Sprintf("line %d: %s", i+1, reason)
					}
					out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: reason})
				}
			}
		case fl.Name == "bol" && !strings.Contains(val, ":"):
			// A plain B/L number is mapped to urn:critmin:bol: (bolURI);
			// one with other marks gets a value that would be accepted.
			if _, ok := bolURI(val); !ok {
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: fmt.Sprintf("%q is not a bill of lading number critmin reads: use letters, digits, spaces, dashes, points and slashes (%s), or a URI of your own", critmin.Excerpt(val), bolPlain(val))})
			}
		case fl.Type == "tz":
			if reason := offsetError(val); reason != "" {
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: reason})
			}
		case fl.Name == "country":
			up := strings.ToUpper(val)
			if country.Valid(up) {
				continue
			}
			if c, ok := country.ByName(val); ok {
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: fmt.Sprintf("%q is a country's name: use its ISO 3166-1 alpha-3 code %s", val, c.Alpha3)})
			} else if c, ok := country.ByAlpha2(up); ok {
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: fmt.Sprintf("%q is an ISO 3166-1 alpha-2 code: use the alpha-3 code %s", val, c.Alpha3)})
			} else {
				out = append(out, critmin.FieldError{Pointer: fl.Name, Reason: fmt.Sprintf("%q is not an ISO 3166-1 alpha-3 country code (PAK for Pakistan, USA for the United States)", val)})
			}
		}
	}
	return out
}

// formErrors puts the validator's field errors beside the form's fields;
// those no field owns are returned apart with their pointers.
func (f *recordForm) formErrors(v url.Values, errs []critmin.FieldError) (map[string][]string, []critmin.FieldError) {
	byField := map[string][]string{}
	var other []critmin.FieldError
	var ev map[string]any // the form's event, built for remap
	for _, e := range errs {
		p := e.Pointer
		// The schema names a missing member on the event itself.
		if _, missing, ok := strings.Cut(e.Reason, "missing property '"); ok && p == eventPointer {
			p += "/" + strings.TrimSuffix(missing, "'")
		}
		// A capture check names the event by its ID ("event urn:uuid:…/
		// bizLocation"): the form has one event, so the rest is its field.
		if _, rest, ok := strings.Cut(p, "/"); ok && strings.HasPrefix(p, "event ") {
			p = eventPointer + "/" + rest
		}
		if f.remap != nil {
			if ev == nil {
				ev = f.event(v)
			}
			p = f.remap(ev, p)
		}
		name, line := fieldOf(f.fields, p)
		if name == "" {
			e.Reason = termsAsLabels(f.fields, f.termLabel, e.Reason)
			other = append(other, e)
			continue
		}
		reason := e.Reason
		if name == "moisture" && !e.Conflict && strings.Contains(reason, "fraction in [0, 1)") {
			// The form asks in per cent and sends the fraction: the
			// range refusal is worded in the form's per cent. A capture
			// check's refusal (a moisture that moves the lot beyond the
			// tolerance, "did you mean 8 %?") is shown as it is.
			reason = "enter a per cent from 0 to below 100 (8 for 8 %)"
		}
		reason = f.plainPointers(v, ev, reason)
		// The ledger's refusal of a lot already packed points an API
		// client at the event to write; an operator has a form for it
		// (issue 15, n15 item 2).
		reason = unpackWithForm.Replace(reason)
		if line > 0 {
			reason = fmt.Sprintf("line %d: %s", line, reason)
		}
		byField[name] = append(byField[name], reason)
	}
	// The schema and critmin's rules may both report a missing member:
	// keep the one worded for people.
	for name, reasons := range byField {
		if len(reasons) < 2 {
			continue
		}
		var keep []string
		for _, r := range reasons {
			if !strings.Contains(r, "missing property '") {
				keep = append(keep, r)
			}
		}
		if len(keep) > 0 {
			byField[name] = keep
		}
	}
	return byField, other
}

func (s *site) recordRoutes() {
	s.route("GET /record", accessWrite, s.handleRecordIndex)
	s.route("GET /record/{form}", accessWrite, s.handleRecordForm, recordFieldNames()...)
	s.route("POST /record/{form}", accessWrite, s.handleRecordSubmit)
}

// handleRecordIndex lists the forms and the CSV import. GET /record
func (s *site) handleRecordIndex(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "record", "Record", "record", map[string]any{"Forms": recordForms})
}

// formView is what the form template gets.
type formView struct {
	Form      *recordForm
	Values    url.Values
	Errors    map[string][]string
	Other     []critmin.FieldError
	Message   string
	Preview   string
	Summary   *eventSummary // the previewed event, worded
	EventID   string
	Sites     []*critmin.Site
	Parties   []*critmin.Party
	Hidden    [][2]string
	Commodity [][2]string
	// Warnings are anomalies the ledger would flag once the event is
	// captured (element_gain: a run giving out more of an element than it
	// was fed), shown before the user confirms.
	Warnings []string
	// Names label the identifiers in the messages (readable).
	Names refNames
	// Notes say how the event will be read (a lot packed on two lines
	// is packed as their sum).
	Notes []string
	// Recorded is the event this form's submission key already stored
	// (the form sent again), else nil.
	Recorded *formRecorded
}

func (s *site) formView(r *http.Request, f *recordForm, v url.Values) (*formView, error) {
	sites, err := s.Store.FindSites(r.Context())
	if err != nil {
		return nil, err
	}
	parties, err := s.Store.FindParties(r.Context())
	if err != nil {
		return nil, err
	}
	var codes [][2]string
	for c := range ledger.Commodities {
		codes = append(codes, [2]string{c, ledger.CommodityName(c)})
	}
	sort.Slice(codes, func(i, j int) bool { return codes[i][1] < codes[j][1] })
	return &formView{Form: f, Values: v, Sites: sites, Parties: parties, Commodity: codes, Names: namesOf(sites, parties)}, nil
}

// recordFieldNames is every guided form's field names: what GET
// /record/{form} accepts as query parameters to fill the form in.
func recordFieldNames() []string {
	var out []string
	for _, f := range recordForms {
		for _, fl := range f.Fields {
			if !slices.Contains(out, fl.Name) {
				out = append(out, fl.Name)
			}
		}
	}
	return out
}

// handleRecordForm shows an empty form. GET /record/{form}
func (s *site) handleRecordForm(w http.ResponseWriter, r *http.Request) {
	f := findForm(r.PathValue("form"))
	if f == nil {
		s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "no form %q: the forms are at /record", r.PathValue("form")))
		return
	}
	v := url.Values{}
	for _, fl := range f.Fields {
		if x := r.URL.Query().Get(fl.Name); x != "" {
			v.Set(fl.Name, x)
		}
	}
	// The route admits every form's field names (recordFieldNames); a
	// name that is not this form's is refused, not dropped.
	for k := range r.URL.Query() {
		if !slices.ContainsFunc(f.Fields, func(fl formField) bool { return fl.Name == k }) {
			s.renderError(w, r, critmin.FieldErrorf(k, "unknown query parameter: not a field of the %s form", f.ID))
			return
		}
	}
	view, err := s.formView(r, f, v)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// The rendering's one-time submission key: the eventID of what it
	// captures, so that the form sent again (a double click, the back
	// button and a resubmission, a reloaded POST) finds its event stored
	// and captures nothing (handleRecordSubmit). A new rendering is a new
	// submission.
	view.EventID = newFormEventID()
	s.render(w, r, http.StatusOK, "form", f.Title, "record", view)
}

// newFormEventID is a rendered form's submission key and eventID: a
// random urn:uuid (RFC 9562 version 4), an eventID as EPCIS 2.0 §7.4.1
// admits any URI.
func newFormEventID() string { return "urn:uuid:" + uuid.NewString() }

// renderRecorded answers a form sent again after its event was stored
// (the event its key names, ev and its declarations): nothing is
// captured again; the page shows the event the first submission stored,
// marked already recorded, with its links (200: the request is answered
// by what is stored, as a capture of a duplicate eventID is).
func (s *site) renderRecorded(w http.ResponseWriter, r *http.Request, f *recordForm, view *formView, evs []*critmin.Event) {
	sites, parties, err := s.sitesAndParties(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	ev := evs[0]
	view.Summary = summarize(ev, sites, parties)
	view.Recorded = &formRecorded{EventID: ev.EventID, RecordTime: ev.RecordTime, Declared: ev.DeclaredInError != nil || len(evs) > 1}
	if f.ID == "commission" {
		view.Recorded.Lot = strings.TrimSpace(view.Values.Get("lot"))
	}
	s.render(w, r, http.StatusOK, "formpreview", f.Title+": already recorded", "record", view)
}

// formRecorded is the event a form's earlier submission stored.
type formRecorded struct {
	EventID    string
	RecordTime time.Time
	// Declared says the stored event has since been declared in error.
	Declared bool
	// Lot is the lot a commissioning form made (its page), else empty.
	Lot string
}

// handleRecordSubmit previews, or on confirmation captures, a form's
// event. step=preview validates and shows the event; step=capture
// validates again and captures exactly the previewed event; step=edit
// goes back to the filled form, under a new key. The eventID is the
// rendered form's one-time submission key (handleRecordForm): a form
// whose key names a stored event, sent again at either step, captures
// nothing and shows that event as already recorded. POST /record/{form}
func (s *site) handleRecordSubmit(w http.ResponseWriter, r *http.Request) {
	f := findForm(r.PathValue("form"))
	if f == nil {
		s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "no form %q: the forms are at /record", r.PathValue("form")))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("body", "the form cannot be read: %v", err))
		return
	}
	known := []string{"eventID", "created", "step"}
	for _, fl := range f.Fields {
		known = append(known, fl.Name)
	}
	if err := unknownFormFields(r, known...); err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := oneOf(r, "step", "preview", "capture", "edit"); err != nil {
		s.renderError(w, r, err)
		return
	}
	v := url.Values{}
	for _, fl := range f.Fields {
		v.Set(fl.Name, strings.ReplaceAll(r.PostForm.Get(fl.Name), "\r\n", "\n"))
	}
	id := r.PostForm.Get("eventID")
	// Back to the form: what comes back is edited, a new event with a new
	// eventID. Keeping the previewed one let an edited preview read
	// valid and its confirmation meet the stored event's ID (409) when
	// the first was captured.
	if !strings.HasPrefix(id, "urn:uuid:") || r.PostForm.Get("step") == "edit" {
		id = newFormEventID()
	}
	v.Set("eventID", id)
	if err := s.withKnownContainers(r.Context(), f, v); err != nil {
		s.renderError(w, r, err)
		return
	}
	view, err := s.formView(r, f, v)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	view.EventID = id
	step := r.PostForm.Get("step")
	if step == "edit" {
		s.render(w, r, http.StatusOK, "form", f.Title, "record", view)
		return
	}
	// The form's key (its eventID) already names a stored event: this
	// rendering was submitted and captured before (it may be sent again
	// with other values, edited after the back button). One submission,
	// one capture: show what the first stored. The store keeps the key
	// with the event, so this holds across restarts.
	if evs, err := s.Store.FindEventsByID(r.Context(), id); err == nil && len(evs) > 0 {
		s.renderRecorded(w, r, f, view, evs)
		return
	} else if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
		s.renderError(w, r, err)
		return
	}
	now := s.Ledger.Now().UTC()
	created := r.PostForm.Get("created")
	if step != "capture" || created == "" {
		created = now.Format("2006-01-02T15:04:05.000Z")
	}
	doc, err := formDocument([]any{f.event(v)}, created)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Required fields left empty are named by the validator too; these
	// checks only word them for a person.
	var missing []critmin.FieldError
	// A run with recorded events was fed with them: a further product
	// needs no lots fed (docs/forms.md, Refine).
	runRecorded := false
	if f.ID == "refine" {
		if runRecorded, err = s.runRecorded(r, v.Get("run")); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	for _, fl := range f.Fields {
		// An offset written in the date and time stands for its
		// offset field ("2025-08-20 09:00 +05:00", tz empty).
		if fl.Type == "tz" && ownOffset(datetimeOf(fl.Name), v) != "" {
			continue
		}
		if fl.Required && strings.TrimSpace(v.Get(fl.Name)) == "" && !(runRecorded && fl.Name == "inputs") {
			missing = append(missing, critmin.FieldError{Pointer: fl.Name, Reason: "required"})
		}
	}
	missing = append(missing, containersOrLots(f, v)...)
	for _, rw := range f.requiredWith {
		if strings.TrimSpace(v.Get(rw[0])) == "" && strings.TrimSpace(v.Get(rw[1])) != "" && !(rw[0] == tzFieldOf(rw[1]) && ownOffset(rw[1], v) != "") {
			missing = append(missing, critmin.FieldError{Pointer: rw[0], Reason: "required with " + f.label(rw[1])})
		}
	}
	for _, ru := range f.requiredUnless {
		if strings.TrimSpace(v.Get(ru[0])) == "" && strings.TrimSpace(v.Get(ru[1])) == "" {
			missing = append(missing, critmin.FieldError{Pointer: ru[0], Reason: "required unless " + f.label(ru[1]) + " is given"})
		}
	}
	// Values a person types in a form's own terms (a decimal comma, an
	// offset "+5", a country's name), worded before the validator's
	// schema terms ("must be a number, not a string").
	missing = append(missing, f.valueErrors(v)...)
	// A form records what has happened: a date after now beyond the
	// clock skew capture allows (custody's futureEvent, which a preview
	// does not reach) is shown at preview with the other faults.
	if at, perr := time.Parse(time.RFC3339, eventTime(v)); perr == nil && at.After(now.Add(custody.MaxClaimClockSkew)) {
		missing = append(missing, critmin.FieldError{Pointer: "time", Reason: fmt.Sprintf("the event time %s is after now (%s) by more than the allowed clock skew of %s: an event is recorded after it happens; check the date, year and time zone",
			at.UTC().Format(time.RFC3339), now.Format(time.RFC3339), custody.ClockSkewWords)})
	}
	// A site is one master data describes: a mistyped URI would start a
	// place nobody can find on a map or in a query (WD_bizLocation).
	unknown, err := s.unknownSites(r, f, v)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	missing = append(missing, unknown...)
	// A sample is taken, and a lot packed or shipped, where the lot is
	// (the import's rule for a laboratory result or a weighing:
	// lotElsewhere): a lot at Houston is not shipped from Karachi.
	// A run takes only what is at its site (docs/forms.md): every lot fed.
	if f.ID == "sample" || f.ID == "pack" || f.ID == "ship" || f.ID == "refine" {
		var lotIDs []string
		switch f.ID {
		case "sample":
			lotIDs = []string{strings.TrimSpace(v.Get("lot"))}
		case "refine":
			for _, line := range splitLines(v.Get("inputs")) {
				lotIDs = append(lotIDs, strings.Fields(line)[0])
			}
		default:
			for _, line := range splitLines(v.Get("lots")) {
				lotIDs = append(lotIDs, strings.Fields(line)[0])
			}
		}
		site := strings.TrimSpace(v.Get("site"))
		if at, perr := time.Parse(time.RFC3339, eventTime(v)); perr == nil && site != "" {
			sites, err := s.siteMap(r)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			for _, lotID := range lotIDs {
				l, lerr := s.Store.FindLot(r.Context(), lotID)
				if lotID == "" || lerr != nil {
					continue // a new or unknown lot: the capture check names it
				}
				act := "a reading"
				switch f.ID {
				case "refine":
					act = "feeding it to a run"
				case "pack", "ship":
					act = "packing or shipping it"
				}
				reason, err := s.lotElsewhere(r, sites, l.ID, lotID, site, at, act)
				if err != nil {
					s.renderError(w, r, err)
					return
				}
				if reason != "" {
					// Whereabouts that differ from the record's are a
					// conflict with it (409), as the API's refusals
					// of a lot elsewhere are.
					missing = append(missing, critmin.FieldError{Pointer: "site", Reason: reason, Conflict: true})
				} else if o := strings.TrimSpace(v.Get("from_owner")); f.ID == "ship" && o != "" && !fieldFaulted(missing, "from_owner") {
					// The owner named must hold some of the lot there
					// (ledger.OwnersAt): otherwise the event would ship
					// another party's holding (ledger.HoldingOf falls
					// back to the body). A conflict with the record (409).
					// An owner master data does not know is said once
					// (unknownSites), not again as holding nothing (issue
					// 15, fix15o).
					if r := ownerAbsent(l, lotID, o, site, sites); r != "" {
						missing = append(missing, critmin.FieldError{Pointer: "from_owner", Reason: r, Conflict: true})
					}
				}
			}
		}
	}
	if f.ID == "refine" {
		// No run puts out more than it is fed beyond reagent mass
		// (custody.RunMassGain, fix15s), judged over the whole run as
		// the capture check judges it (custody.RunMassGains): the run's
		// recorded inputs and outputs count with this event's.
		if d, err := epcis.ParseDocument(doc, false); err == nil && len(d.Events) > 0 {
			if ev, _ := d.Decode(0, s.Ledger.Now().UTC()); ev != nil {
				gains, err := custody.RunMassGains(r.Context(), s.Store, []*critmin.Event{ev})
				if err != nil {
					s.renderError(w, r, err)
					return
				}
				for _, g := range gains {
					missing = append(missing, critmin.FieldError{Pointer: "outputs", Reason: g.Reason})
				}
			}
		}
	}
	errs, err := s.Ledger.Validate(r.Context(), doc)
	if err != nil && critmin.ErrorCode(err) == critmin.EINTERNAL {
		s.renderError(w, r, err)
		return
	}
	var fieldErrs []critmin.FieldError
	if err != nil {
		fieldErrs = critmin.ErrorList(err)
		if len(fieldErrs) == 0 {
			fieldErrs = []critmin.FieldError{{Pointer: "document", Reason: critmin.ErrorMessage(err)}}
		}
	} else {
		fieldErrs = errs[0]
	}
	// A field not well formed (a bill of lading that is not a URI) stops
	// the validator before its capture checks: a lot no event recorded,
	// an independent fault, is named in the same preview, not the next.
	if len(fieldErrs) > 0 || len(missing) > 0 {
		unrec, err := s.unrecordedLots(r, f, v, fieldErrs)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		missing = append(missing, unrec...)
	}
	if len(fieldErrs) > 0 || len(missing) > 0 {
		view.Errors, view.Other = f.formErrors(v, fieldErrs)
		// An empty required field is "required", whatever the validator
		// made of its absence.
		replaced := map[string]bool{}
		for _, m := range missing {
			// The first replaces what the validator said of the field;
			// the next are added (two lots elsewhere are two errors).
			// An error of one line of a list field ("line 2: …")
			// replaces what the validator said of that line only: its
			// errors on the other lines stay, so every line's fault is
			// shown in the one round.
			if ln := lineRE.FindString(m.Reason); ln != "" {
				key := m.Pointer + "\x00" + ln
				if !replaced[key] && !replaced[m.Pointer] {
					view.Errors[m.Pointer] = slices.DeleteFunc(view.Errors[m.Pointer], func(r string) bool { return strings.HasPrefix(r, ln) })
					replaced[key] = true
				}
				view.Errors[m.Pointer] = append(view.Errors[m.Pointer], m.Reason)
				continue
			}
			if !replaced[m.Pointer] {
				view.Errors[m.Pointer], replaced[m.Pointer] = nil, true
			}
			view.Errors[m.Pointer] = append(view.Errors[m.Pointer], m.Reason)
			if m.Pointer == "tz" && strings.TrimSpace(v.Get("time")) != "" && validLocalTime(v.Get("time")) {
				// A bad offset makes eventTime unreadable: the fault is
				// the offset's, not the date and time's.
				delete(view.Errors, "time")
			}
		}
		view.Errors, view.Other = onceEach(view.Errors), onceOther(view.Other)
		view.Message = "The event is not valid yet; nothing was captured. Correct the fields marked below."
		view.Preview = string(doc)
		// The status of the refusal's code, as the API maps it: 409
		// when every fault conflicts with the record (more than a lot
		// holds or has left where it stands then, a lot consumed, a lot
		// elsewhere), else 400 (critmin.RefusalCode).
		code := critmin.RefusalCode(append(slices.Clone(missing), fieldErrs...))
		status := critminhttp.StatusOf(&critmin.Error{Code: code})
		if code == critmin.ECONFLICT {
			view.Message = "The event is well formed but conflicts with the record (what the ledger holds is named below); nothing was captured. Correct the fields marked below, or the record first."
		}
		s.render(w, r, status, "form", f.Title, "record", view)
		return
	}
	if step != "capture" {
		view.Preview = string(doc)
		sites, parties, err := s.sitesAndParties(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		view.Summary = summarizeDocument(doc, 0, sites, parties)
		if view.Warnings, err = s.previewWarnings(r, doc); err != nil {
			s.renderError(w, r, err)
			return
		}
		if f.ID == "pack" {
			view.Notes = packNotes(v.Get("lots"))
		}
		// The form's event, decoded once for the notes that read it
		// (nil when the document does not decode).
		var formEv *critmin.Event
		if f.ID == "ship" || f.ID == "receive" {
			formEv = s.formEvent(doc)
		}
		if f.ID == "ship" {
			ns, err := s.shipRestNotes(r, v, formEv)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			view.Notes = append(view.Notes, ns...)
			cs, err := s.containerCargoNotes(r, formEv)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			view.Notes = append(view.Notes, cs...)
		}
		if runRecorded && strings.TrimSpace(v.Get("inputs")) != "" {
			view.Warnings = append(view.Warnings, "The run "+strings.TrimSpace(v.Get("run"))+" already has recorded events, so its lots were fed with them: the lots fed given here are fed again, taking their masses a second time. To add products only, go back and leave Lots fed empty.")
		}
		if f.ID == "receive" {
			ws, notes, err := s.receiptWarnings(r, v, formEv)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			view.Warnings = append(view.Warnings, ws...)
			view.Notes = append(view.Notes, notes...)
			if ws, err = s.firstSightingWarnings(r, v); err != nil {
				s.renderError(w, r, err)
				return
			}
			view.Warnings = append(view.Warnings, ws...)
		}
		for _, fl := range f.Fields {
			view.Hidden = append(view.Hidden, [2]string{fl.Name, v.Get(fl.Name)})
		}
		view.Hidden = append(view.Hidden, [2]string{"eventID", id}, [2]string{"created", created})
		s.render(w, r, http.StatusOK, "formpreview", f.Title+": check and confirm", "record", view)
		return
	}
	job, err := s.Ledger.Capture(r.Context(), ledger.CaptureRequest{Body: doc, Behaviour: critmin.BehaviourRollback, Token: critminhttp.TokenName(r)})
	if err != nil {
		if critmin.ErrorCode(err) == critmin.EINTERNAL {
			s.renderError(w, r, err)
			return
		}
		view.Errors, view.Other = f.formErrors(v, critmin.ErrorList(err))
		view.Errors, view.Other = onceEach(view.Errors), onceOther(view.Other)
		view.Message = critmin.ErrorHeadline(err)
		if view.Message == "" {
			view.Message = "The event was not captured. Correct the fields marked below."
		}
		view.Preview = string(doc)
		s.render(w, r, critminhttp.StatusOf(err), "form", f.Title, "record", view)
		return
	}
	s.CountCaptured(job.Stored)
	if job.Stored == 0 && len(job.Duplicates) > 0 {
		// Two submissions of one form at once (a double click): the
		// other stored the event, this one was its idempotent duplicate.
		evs, err := s.Store.FindEventsByID(r.Context(), id)
		if err != nil || len(evs) == 0 {
			s.renderError(w, r, fmt.Errorf("web: read back event %s: %w", id, err))
			return
		}
		s.renderRecorded(w, r, f, view, evs)
		return
	}
	if f.ID == "commission" {
		http.Redirect(w, r, "/lots/"+url.PathEscape(strings.TrimSpace(v.Get("lot"))), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, eventHref(id), http.StatusSeeOther)
}

// fieldFaulted says whether fe already holds an error of the form field
// name.
func fieldFaulted(fe []critmin.FieldError, name string) bool {
	for _, e := range fe {
		if e.Pointer == name {
			return true
		}
	}
	return false
}

// ownerAbsent says why owner holds nothing of lot l (as the form named
// it, lotID) at site and so cannot ship it from there, naming the
// parties that may: each holding's owner (whom From owner may name) and
// its custodian (who dispatches it), with its wet tonnes
// (ledger.StandingAt), or "" when owner holds some of it there
// (canonical comparison). It listed the owners alone (issue 15, fixCc
// item 3).
func ownerAbsent(l *critmin.Lot, lotID, owner, site string, sites map[string]*critmin.Site) string {
	for _, o := range ledger.OwnersAt(l, site) {
		if epcis.Canonical(o) == epcis.Canonical(owner) {
			return ""
		}
	}
	var may []string
	if st, ok := ledger.StandingAt(l, site); ok {
		for _, h := range st.Holdings {
			if h.WetTonnes <= 1e-9 {
				continue
			}
			who := "owner " + orNotStated(h.Owner) + ", custodian " + orNotStated(h.Custodian)
			may = append(may, fmt.Sprintf("%s (%s t)", who, tonnesText(h.WetTonnes)))
		}
	}
	there := "nothing of it stands there, so no party may ship it from there"
	if len(may) > 0 {
		there = "the parties that may ship it from there are those holding it there, the owner named under From owner and the custodian that dispatches it: " + strings.Join(may, "; ")
	}
	return fmt.Sprintf("%s holds nothing of lot %s at %s, so it cannot ship it from there: a shipment takes only of the holding of the owner it names (its source owning_party, CBV 2.0 §7.5); %s", owner, lotID, siteLabel(sites, site), there)
}

// orNotStated is party id, or "not stated" when no event named one.
func orNotStated(id string) string {
	if id == "" {
		return "not stated"
	}
	return id
}

// unrecordedLots are the form's lot fields naming a lot (as a URI) no
// event recorded, worded as the capture check words it
// (custody.LotNotRecorded), those the validator already named left out.
// The Pack, Ship, Sample and Refine forms act on recorded lots only.
func (s *site) unrecordedLots(r *http.Request, f *recordForm, v url.Values, said []critmin.FieldError) ([]critmin.FieldError, error) {
	field, what := "lots", "an event of step "+f.ID
	switch f.ID {
	case "pack":
		what = "an event of step packing"
	case "unpack":
		what = "an event of step unpacking"
	case "ship":
		what = "an event of step shipping"
	case "sample":
		field, what = "lot", "an event of step sampling"
	case "refine":
		field, what = "inputs", "a run's input"
	default:
		return nil, nil
	}
	lines := splitLines(v.Get(field))
	var out []critmin.FieldError
	for i, line := range lines {
		lot := strings.Fields(line)[0]
		if !strings.Contains(lot, ":") || slices.ContainsFunc(said, func(e critmin.FieldError) bool {
			return strings.Contains(e.Reason, "no event recorded lot "+lot+",")
		}) {
			continue // not a URI (the form's own check says so) or already named
		}
		if _, err := s.Store.FindLot(r.Context(), lot); err == nil {
			continue
		} else if critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return nil, err
		}
		reason := custody.LotNotRecorded(lot, what)
		if field != "lot" {
			reason = fmt.Sprintf("line %d: %s", i+1, reason)
		}
		out = append(out, critmin.FieldError{Pointer: field, Reason: reason})
	}
	return out, nil
}

// lineRE is the "line N: " a field error of a list field starts with.
var lineRE = regexp.MustCompile(`^lines? ([0-9, and]+): `)

// firstLine is the first line number an error of a list field names
// ("line 3: …", "lines 2 and 5: …" → 2), 0 for an error of no line.
func firstLine(reason string) int {
	m := lineRE.FindStringSubmatch(reason)
	if m == nil {
		return 0
	}
	n := 0
	for _, r := range m[1] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// onceEach keeps each distinct error of a field once: the same reason
// reported for several lines of a list field (a lot named on two lines,
// each line refused for the same cause) is one error naming every line
// ("lines 1 and 2: …"), and a reason repeated word for word is shown
// once.
func onceEach(byField map[string][]string) map[string][]string {
	out := make(map[string][]string, len(byField))
	for name, reasons := range byField {
		// In the order of the lines (the form's own checks and the
		// validator's come in two batches), an error of no line first.
		reasons = slices.Clone(reasons)
		slices.SortStableFunc(reasons, func(a, b string) int { return firstLine(a) - firstLine(b) })
		var order []string
		lines := map[string][]string{}
		for _, r := range reasons {
			rest, ln := r, ""
			if m := lineRE.FindStringSubmatch(r); m != nil {
				rest, ln = r[len(m[0]):], m[1]
			}
			if _, seen := lines[rest]; !seen {
				order = append(order, rest)
				lines[rest] = nil
			}
			if ln != "" && !slices.Contains(lines[rest], ln) {
				lines[rest] = append(lines[rest], ln)
			}
		}
		for _, rest := range order {
			switch ls := lines[rest]; len(ls) {
			case 0:
				out[name] = append(out[name], rest)
			case 1:
				out[name] = append(out[name], "line "+ls[0]+": "+rest)
			default:
				out[name] = append(out[name], "lines "+strings.Join(ls[:len(ls)-1], ", ")+" and "+ls[len(ls)-1]+": "+rest)
			}
		}
	}
	return out
}

// onceOther keeps each distinct error no field owns once, naming every
// pointer it was reported at.
func onceOther(errs []critmin.FieldError) []critmin.FieldError {
	var out []critmin.FieldError
	at := map[string]int{}
	for _, e := range errs {
		if i, ok := at[e.Reason]; ok {
			if !strings.Contains(out[i].Pointer, e.Pointer) {
				out[i].Pointer += ", " + e.Pointer
			}
			continue
		}
		at[e.Reason] = len(out)
		out = append(out, e)
	}
	return out
}

// packNotes says, for each lot on more than one line of the Pack form,
// that the packing event lists every line and the ledger packs their
// sum. EPCIS 2.0 puts no uniqueness on a childQuantityList (its JSON
// schema gives epcList uniqueItems, quantity lists none; §7.3.3.3 makes a
// QuantityElement a class and a quantity, not a key), and the API's
// packing sums the lines (ledger.Children), so the form does too.
func packNotes(lines string) []string {
	type group struct {
		id     string
		lines  []string
		tonnes float64
		sum    bool
	}
	var order []string
	groups := map[string]*group{}
	for i, q := range qtyLinesElements(lines) {
		k := epcis.Canonical(q.EPCClass)
		g, ok := groups[k]
		if !ok {
			g = &group{id: k, sum: true}
			groups[k] = g
			order = append(order, k)
		}
		g.lines = append(g.lines, strconv.Itoa(i+1))
		if t, ok := tonnes(q); ok {
			g.tonnes += t
		} else {
			g.sum = false
		}
	}
	var out []string
	for _, k := range order {
		g := groups[k]
		if len(g.lines) < 2 {
			continue
		}
		total := "the sum of the lines"
		if g.sum {
			total = formatNum(g.tonnes, 3) + " t, the sum of the lines"
		}
		out = append(out, fmt.Sprintf("Lot %s is on lines %s and %s: the packing event lists each line as you typed it, and the ledger packs %s (EPCIS 2.0 lets a childQuantityList name a class more than once).",
			g.id, strings.Join(g.lines[:len(g.lines)-1], ", "), g.lines[len(g.lines)-1], total))
	}
	return out
}

// receiptWarnings compares a Receive form's weights with what the
// shipping event under its bill of lading shipped (the latest valid one
// before the receipt): a lot received lighter or heavier than shipped by
// more than ledger.OutturnTolerance (0.5 %, two weighbridges' combined
// error; the ledger flags it transit_loss or transit_gain once captured)
// is warned of before capture. A gain beyond it is refused by the
// capture check; a loss is recorded, so the operator checks the ticket.
// Every lot matched with its shipment also gets a note (notes) saying
// what the receipt will do: its weight received against its loading
// weight, the difference, and that the received (outturn) weight becomes
// the lot's current mass — of the part received, when the shipment took
// part of the lot — while the loading weight stays on the shipping event
// (ledger parts.go, critmin.LotPart.Mass). The difference's per cent is
// printed as the lot page prints it (formatPct, two decimals: −0.83 %,
// never −0.8 % where the pages read −0.83 %; issue 15, fix15z F2), and
// exactly the tolerance (−0.5 %) is within it. formEv is the form's
// event (formEvent), replayed for the lot's mass once captured.
func (s *site) receiptWarnings(r *http.Request, v url.Values, formEv *critmin.Event) (warnings, notes []string, err error) {
	bol, _ := bolURI(v.Get("bol"))
	at, perr := time.Parse(time.RFC3339, eventTime(v))
	if bol == "" || perr != nil {
		return nil, nil, nil
	}
	page, err := s.Store.FindEvents(r.Context(), critmin.EventFilter{BizTxns: map[string][]string{"bol": {bol}}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000})
	if err != nil {
		return nil, nil, err
	}
	evs := decoded(page.Events)
	decl := declaredIDs(evs)
	var ship *critmin.Event
	for _, e := range evs {
		if _, d := decl[e.EventID]; d || e.ErrorDeclaration != nil || e.BizStep != "shipping" || e.EventTime.After(at) {
			continue
		}
		ship = e
	}
	if ship == nil {
		return nil, nil, nil
	}
	// With what the containers it moved carried (withCargo): a container
	// shipped alone loaded the lots packed in it, and the receipt is
	// compared with those (issue 15, n15-2: no difference was stated).
	if ship, err = s.withCargo(r.Context(), ship); err != nil {
		return nil, nil, err
	}
	var out []string
	for _, q := range qtyLinesElements(v.Get("lots")) {
		got, ok := tonnes(q)
		if !ok {
			continue
		}
		for _, sq := range ship.Quantities {
			if epcis.Canonical(sq.EPCClass) != epcis.Canonical(q.EPCClass) {
				continue
			}
			sent, ok := tonnes(sq)
			if sq.Quantity == nil {
				// Shipped with no quantity: what stood of the lot where
				// it left (ledger.ShippedBy), as the capture check
				// judges the receipt (issue 15, fix15n N2: no warning
				// and no note).
				levs, err := s.LotEvents(r, epcis.Canonical(sq.EPCClass))
				if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
					return nil, nil, err
				}
				if err == nil {
					sent, ok = ledger.ShippedBy(sq.EPCClass, critminhttp.FullEvents(levs), ship)
				}
			}
			if !ok || sent <= 0 {
				continue
			}
			d := ledger.OutturnDifference(sent, got)
			lot := epcis.Canonical(q.EPCClass)
			what := "the mass of what was shipped (the weighed outturn)"
			if l, err := s.Store.FindLot(r.Context(), lot); err == nil {
				for _, p := range l.Parts {
					if p.ShipEventID == ship.EventID {
						what = "the mass of the part received here (the rest of the lot is unchanged)"
					}
				}
			} else if critmin.ErrorCode(err) != critmin.ENOTFOUND {
				return nil, nil, err
			}
			al, err := s.lotAfterPreview(r, lot, formEv)
			if err != nil {
				return nil, nil, err
			}
			if al != nil {
				// The part the receipt closes, as capture will store it:
				// the receipt's owning_party is its owner (CBV 2.0 §7.5,
				// ledger partyOf), which the note names, so that where
				// two parties hold parts at the site the operator sees
				// whose part the weight is (issue 15, fix15f item 1).
				for _, p := range al.Parts {
					if p.ShipEventID == ship.EventID && p.Status == critmin.PartReceived {
						if o := al.PartOwner(p); o != "" {
							what = "the mass of the part received here for " + o + " (the rest of the lot is unchanged)"
						}
					}
				}
			}
			// What the lot will weigh once captured, and what will stand
			// at each site (issue 15, fix15d item 1: the note said the
			// weight received "becomes the lot's current mass" where the
			// lot's other received part stayed in its total).
			after := fmt.Sprintf("Once captured, %s t becomes %s", formatNum(got, 3), what)
			if al != nil {
				var at []string
				st := ledger.StandsAt(al)
				split := splitHoldings(st)
				for _, st := range st {
					w := "the lot's body"
					if !st.Body {
						w = "received part"
						if len(st.Parts) > 1 {
							w = "received parts"
						}
					} else if len(st.Parts) > 0 {
						w = "the lot's body and received part"
						if len(st.Parts) > 1 {
							w += "s"
						}
					}
					h := ""
					if split {
						h = ": " + holdingsText(st)
					}
					at = append(at, fmt.Sprintf("%s t at %s (%s)%s", formatNum(st.WetTonnes, 3), st.Site, w, h))
				}
				// What is still at sea counts in the lot's mass too, as
				// the lot page's Remaining line says (nu15 finding: the
				// parts listed added up to less than the total).
				// And so does what runs took of it: the sum is the lot's
				// balance as capture holds it (ledger.BalanceOf: mass =
				// standing + in transit + consumed; issue 15, n15 item 5:
				// a lot 4 t of which a run took listed 6 t of its 10 t).
				b := ledger.BalanceOf(al)
				if b.InTransit > 1e-9 {
					at = append(at, fmt.Sprintf("%s t in transit", formatNum(b.InTransit, 3)))
				}
				if b.NoSite > 1e-9 {
					at = append(at, fmt.Sprintf("%s t at no site stated", formatNum(b.NoSite, 3)))
				}
				if b.Consumed > 1e-9 {
					at = append(at, fmt.Sprintf("%s t taken by refinery runs", formatNum(b.Consumed, 3)))
				}
				after += fmt.Sprintf(", and the lot's mass will be %s t", formatNum(al.WetTonnes, 3))
				if len(at) > 0 {
					after += ": " + strings.Join(at, " · ")
				}
			}
			after += "; the loading weight stays on the shipping event."
			if math.Abs(d) <= ledger.OutturnTolerance*sent+1e-9 {
				notes = append(notes, fmt.Sprintf("Lot %s: %s t received, %s t loaded under bill of lading %s (%s): difference %s t (%s). %s",
					lot, formatNum(got, 3), formatNum(sent, 3), bol, ship.EventTime.UTC().Format("2006-01-02"), signedNum(d, 3), ledger.OutturnPercentText(sent, got), after))
				continue
			}
			// Beyond the tolerance the warning states the difference, once
			// (it was stated in a note too, fix15d item 1).
			word := "less"
			if d > 0 {
				word = "more"
			}
			out = append(out, fmt.Sprintf("Lot %s: %s t received, %s t shipped under bill of lading %s (%s): %s t %s, %s of the shipped mass, beyond the outturn tolerance of %s %%. Check the weighbridge ticket before you confirm; the ledger flags the lot's transit %s once captured. %s",
				lot, formatNum(got, 3), formatNum(sent, 3), bol, ship.EventTime.UTC().Format("2006-01-02"), formatNum(math.Abs(d), 3), word, ledger.OutturnPercentText(sent, got), formatNum(ledger.OutturnTolerance*100, 1), map[bool]string{true: "gain", false: "loss"}[d > 0], after))
		}
	}
	return out, notes, nil
}

// splitHoldings says whether what stands of a lot (ledger.StandsAt) is
// held by more than one owner and custodian pair, at one site or across
// its sites: the Receive preview then names each site's holdings
// (holdingsText), as the lot page's Remaining line does.
func splitHoldings(st []ledger.SiteStanding) bool {
	var first *ledger.PartyHolding
	for _, s := range st {
		for i := range s.Holdings {
			h := &s.Holdings[i]
			if first == nil {
				first = h
			} else if epcis.Canonical(h.Owner) != epcis.Canonical(first.Owner) || epcis.Canonical(h.Custodian) != epcis.Canonical(first.Custodian) {
				return true
			}
		}
	}
	return false
}

// holdingsText is what each party pair owns and holds at one site
// (SiteStanding.Holdings), worded as the lot page's Remaining line words
// it: "6 t owned by B1, held by B1; 3.9 t owned by B2, held by B2" (wet
// tonnes, party IDs, which the page shows by their master-data names;
// "no party named" for none). One holding reads "owned by …, held by …".
func holdingsText(st ledger.SiteStanding) string {
	party := func(id string) string {
		if id == "" {
			return "no party named"
		}
		return id
	}
	var out []string
	for _, h := range st.Holdings {
		t := ""
		if len(st.Holdings) > 1 {
			t = formatNum(h.WetTonnes, 3) + " t "
		}
		out = append(out, fmt.Sprintf("%sowned by %s, held by %s", t, party(h.Owner), party(h.Custodian)))
	}
	return strings.Join(out, "; ")
}

// containerCargoNotes says, on the Ship form's preview, what each
// container the event names carries as it leaves: the lots packed into
// it and still in it at the event's time, as the container page reads
// them (containerContents: its packings less unpackings and drawdowns,
// Store.PackedIn) — "Container C carries 5 t of lot L" — or that none is
// on record. A lot the form also names on a line of its own is said of
// too: the line states what the shipment moves of it, the container's
// share included (ledger.WithContents). ev is the form's event; none is
// said when it is nil (issue 15, n15-2: the preview showed "Object C"
// alone).
func (s *site) containerCargoNotes(r *http.Request, ev *critmin.Event) ([]string, error) {
	if ev == nil {
		return nil, nil
	}
	var out []string
	for _, c := range containersOf(ev) {
		page, err := s.Store.FindEvents(r.Context(), critmin.EventFilter{
			EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleParent}, Patterns: []string{c}, Exact: true}},
			OrderBy:    "eventTime", OrderAscending: true, Limit: 1000})
		if err != nil {
			return nil, err
		}
		evs := decoded(page.Events)
		decl := declaredIDs(evs)
		valid := func(e *critmin.Event) bool {
			_, d := decl[e.EventID]
			return e.ErrorDeclaration == nil && e.DeclaredInError == nil && !d
		}
		held, known, err := s.containerContents(r.Context(), evs, c, ev.EventTime, valid)
		if err != nil {
			return nil, err
		}
		if !known {
			out = append(out, fmt.Sprintf("Container %s: no packing event on record puts anything in it, so this shipment moves no lot in it.", shortID(c)))
			continue
		}
		if len(held) == 0 {
			out = append(out, fmt.Sprintf("Container %s is empty at this time: everything packed into it has been unpacked or drawn out.", shortID(c)))
			continue
		}
		var lots []string
		for _, q := range held {
			what := "lot " + shortID(q.EPCClass)
			if t, ok := tonnes(q); ok {
				what = formatNum(t, 3) + " t of " + what
			} else {
				what = "all of " + what
			}
			lots = append(lots, what)
		}
		out = append(out, fmt.Sprintf("Container %s carries %s, packed into it and still in it (the ledger's container contents); the shipment moves them with it.", shortID(c), strings.Join(lots, ", ")))
	}
	return out, nil
}

// shipRestNotes says, for each lot line of the Ship form without a
// mass, what the shipment will ship of it: what stands of the lot where
// it leaves, by the lot's events before it (ledger.ShippedBy, as the
// capture check and the shipment page read it). ev is the form's event
// (formEvent); none is said when it is nil.
func (s *site) shipRestNotes(r *http.Request, v url.Values, ev *critmin.Event) ([]string, error) {
	var out []string
	site := strings.TrimSpace(v.Get("site"))
	for _, q := range qtyLinesElements(v.Get("lots")) {
		if q.EPCClass == "" {
			continue
		}
		// Several owners' holdings where it leaves: the preview names
		// them and whose ships (the From owner field, the event's
		// source owning_party; ledger.OwnersAt, HoldingOf; fix15l).
		if l, err := s.Store.FindLot(r.Context(), epcis.Canonical(q.EPCClass)); err == nil && site != "" {
			if owners := ledger.OwnersAt(l, site); len(owners) > 1 || strings.TrimSpace(v.Get("from_owner")) != "" {
				whose := "no owner named: the lot's body there ships, else every part there"
				if o := strings.TrimSpace(v.Get("from_owner")); o != "" {
					whose = "from owner " + o + ": that owner's holding ships"
				}
				// What it takes of each owner's holding, as capture will
				// (issue 15, fix15s item 2: "every part there" took 5.95 t
				// of USSM's and 2.05 t of the smelter's unsaid).
				takes, err := s.shipTakes(r, l.ID, ev)
				if err != nil {
					return nil, err
				}
				if takes != "" {
					whose += ": it takes " + takes
				}
				out = append(out, fmt.Sprintf("Lot %s: owners with holdings at the loading site: %s; %s.", q.EPCClass, strings.Join(owners, ", "), whose))
			}
		}
		if q.Quantity != nil {
			continue
		}
		lot := epcis.Canonical(q.EPCClass)
		levs, err := s.LotEvents(r, lot)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		if ev == nil {
			return nil, nil
		}
		if t, ok := ledger.ShippedBy(lot, critminhttp.FullEvents(levs), ev); ok {
			out = append(out, fmt.Sprintf("Lot %s: no mass stated: the shipment ships what stands of the lot where it leaves, %s t, and the event states no quantity of it.", lot, formatNum(t, 3)))
		} else {
			out = append(out, fmt.Sprintf("Lot %s: no mass stated: nothing of the lot is known to stand where the shipment leaves; the event states no quantity of it.", lot))
		}
	}
	return out, nil
}

// shipTakes says what shipment ev takes of each owner's holding of lot
// ("5 t of A's holding and 1 t of B's"), read from the lot as capture
// will store it (lotAfterPreview, ledger.Replay): the part ev ships and
// what it took of each received part (critmin.LotPart.OnwardFrom, first
// in first out, or the named owner's only: ledger shipOnward), the rest
// from the lot's body (its owner, Lot.Owner); the body's owner alone
// when ev moves the body and makes no part. Tonnes are wet, as the event states them; an owner
// taken of twice is summed. "" when ev is nil or ships nothing of lot.
func (s *site) shipTakes(r *http.Request, lot string, ev *critmin.Event) (string, error) {
	if ev == nil {
		return "", nil
	}
	before, err := s.Store.FindLot(r.Context(), lot)
	if err != nil {
		return "", err
	}
	al, err := s.lotAfterPreview(r, lot, ev)
	if err != nil || al == nil {
		return "", err
	}
	var order []string
	took := map[string]float64{}
	add := func(owners []string, t float64) {
		who := strings.Join(owners, " and ")
		if who == "" {
			who = "the unnamed owner" // no event named one
		}
		if _, ok := took[who]; !ok {
			order = append(order, who)
		}
		took[who] += t
	}
	for _, p := range al.Parts {
		if p.ShipEventID != ev.EventID || p.FromRetracted {
			continue
		}
		rest := p.Tonnes
		for _, take := range p.OnwardFrom {
			for _, src := range al.Parts {
				if src.ShipEventID == take.ShipEventID && src.ShipEventID != ev.EventID {
					add(al.PartOwners(src), take.Tonnes)
					rest -= take.Tonnes
					break
				}
			}
		}
		if len(p.OnwardFrom) == 0 && p.OnwardOf == "" {
			add(ownersOf(before.Owner), p.Tonnes) // a part of the body
			rest = 0
		}
		if rest > 1e-9 {
			add(ownersOf(before.Owner), rest) // what the received parts lacked
		}
	}
	if len(order) == 0 && al.Status == critmin.LotInTransit {
		// No part: the lot's body ships, what the event states of it
		// or, stating none, what stands of it where it leaves.
		for _, q := range ev.Quantities {
			if epcis.Canonical(q.EPCClass) != epcis.Canonical(lot) {
				continue
			}
			t, ok := tonnes(q)
			if !ok && q.Quantity == nil {
				levs, err := s.LotEvents(r, lot)
				if err != nil {
					return "", err
				}
				t, ok = ledger.ShippedBy(lot, critminhttp.FullEvents(levs), ev)
			}
			if ok {
				add(ownersOf(before.Owner), t)
			}
		}
	}
	var out []string
	for i, who := range order {
		what := "'s"
		if i == 0 {
			what = "'s holding"
		}
		out = append(out, formatNum(took[who], 3)+" t of "+who+what)
	}
	switch len(out) {
	case 0:
		return "", nil
	case 1:
		return out[0], nil
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1], nil
}

// ownersOf is owner as a list: none when it is "".
func ownersOf(owner string) []string {
	if owner == "" {
		return nil
	}
	return []string{owner}
}

// formEvent is the first event of the form's document doc, decoded as
// at capture (epcis.ParseDocument, Decode at the ledger's clock); nil
// when doc holds no event or does not decode. A preview decodes it once
// and hands it to the notes that read it (shipRestNotes,
// receiptWarnings).
func (s *site) formEvent(doc []byte) *critmin.Event {
	d, err := epcis.ParseDocument(doc, false)
	if err != nil || len(d.Events) == 0 {
		return nil
	}
	ev, _ := d.Decode(0, s.Ledger.Now().UTC())
	return ev
}

// lotAfterPreview is lot as it will stand once the previewed event (the
// form's event formEv, from formEvent) is captured: its live events and
// the event replayed in event-time order (ledger.Replay), as the ledger
// projects them. nil when the lot has no event or formEv is nil. formEv
// is left as it is (a copy takes the mineral facts and the key).
func (s *site) lotAfterPreview(r *http.Request, lot string, formEv *critmin.Event) (*critmin.Lot, error) {
	levs, err := s.LotEvents(r, lot)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if formEv == nil {
		return nil, nil
	}
	e := *formEv
	ev := &e
	if mf, errs := ledger.DecodeMineral(ev, ""); len(errs) == 0 {
		ev.Mineral = mf
	}
	evs := critminhttp.FullEvents(levs)
	// The lot's live events as the store projects them: with the moves
	// of containers it was packed in that name the containers alone,
	// given the lines of what those held (LiveEventsOfLots,
	// ledger.WithContents; issue 15, n15-1: a shipment of a container
	// alone was left out, and the preview's mass disagreed with the lot
	// the API gives after capture).
	f, live := s.Store.(custody.LiveEventsFinder)
	if live {
		stored, err := f.LiveEventsOfLots(r.Context(), []string{epcis.Canonical(lot)})
		if err != nil {
			return nil, err
		}
		evs = stored
	}
	for _, e := range evs {
		if e.PK >= ev.PK {
			ev.PK = e.PK + 1
		}
	}
	id := lot
	if live {
		// The store's events name their lots canonically; so does the
		// form's event here.
		id = epcis.Canonical(lot)
		ev.Quantities = append([]critmin.QuantityElement(nil), ev.Quantities...)
		for i, q := range ev.Quantities {
			if epcis.Canonical(q.EPCClass) == id {
				ev.Quantities[i].EPCClass = id
			}
		}
	} else {
		for _, q := range ev.Quantities {
			if epcis.Canonical(q.EPCClass) == epcis.Canonical(lot) {
				id = q.EPCClass
			}
		}
	}
	lots, _ := ledger.Replay([]string{id}, append(evs, ev))
	return lots[id], nil
}

// firstSightingWarnings warns, on a Receive form's preview, of each lot
// no event recorded: the capture check accepts its receipt as the lot's
// first sighting (material from outside the platform,
// custody.checkReceipts), and the lot enters the record at the
// receiving site with its origin unknown — so a mistyped lot ID, which
// would do the same, is seen before capture.
func (s *site) firstSightingWarnings(r *http.Request, v url.Values) ([]string, error) {
	site := strings.TrimSpace(v.Get("site"))
	var out []string
	seen := map[string]bool{}
	for _, q := range qtyLinesElements(v.Get("lots")) {
		id := epcis.Canonical(q.EPCClass)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		_, err := s.Store.FindLot(r.Context(), q.EPCClass)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			out = append(out, fmt.Sprintf("Lot %s has no earlier event: no event recorded it, so this receipt is its first sighting and it will enter the record here at %s, its origin unknown. Check the lot ID before you confirm; a lot made on this platform is received under the ID it was commissioned with.", id, site))
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// qtyLinesElements reads "lot quantity [unit]" lines as quantity
// elements (KGM when no unit is written); a line whose quantity does
// not read has none.
func qtyLinesElements(s string) []critmin.QuantityElement {
	var out []critmin.QuantityElement
	for _, l := range splitLines(s) {
		f := append(strings.Fields(l), "", "", "")
		q := critmin.QuantityElement{EPCClass: f[0], UOM: units.FormMassCode(f[2])}
		if q.UOM == "" {
			q.UOM = "KGM"
		}
		if n, err := parseNumber(f[1]); err == nil {
			q.Quantity = &n
		}
		out = append(out, q)
	}
	return out
}

// runRecorded says whether the run (a transformationID) has events
// stored: its stored inputs and outputs (sqldb.DB.RunMembers).
func (s *site) runRecorded(r *http.Request, run string) (bool, error) {
	rm, ok := s.Store.(interface {
		RunMembers(ctx context.Context, xids []string) (map[string][]critmin.QuantityElement, error)
	})
	if run = strings.TrimSpace(run); !ok || run == "" {
		return false, nil
	}
	m, err := rm.RunMembers(r.Context(), []string{run})
	if err != nil {
		return false, err
	}
	return len(m[run]) > 0, nil
}

// previewWarnings runs the ledger's element balance on a previewed
// transformation (custody.PreviewElementGain): a run whose outputs hold
// more of an element than its inputs is shown before it is captured.
func (s *site) previewWarnings(r *http.Request, doc []byte) ([]string, error) {
	cs, ok := s.Store.(custody.Store)
	if !ok {
		return nil, nil
	}
	d, err := epcis.ParseDocument(doc, false)
	if err != nil || len(d.Events) == 0 {
		return nil, nil
	}
	ev, _ := d.Decode(0, s.Ledger.Now().UTC())
	if ev == nil || ev.Type != critmin.TransformationEvent {
		return nil, nil
	}
	mf, errs := ledger.DecodeMineral(ev, "")
	if len(errs) > 0 {
		return nil, nil
	}
	ev.Mineral = mf
	an, err := custody.PreviewElementGain(r.Context(), cs, ev)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range an {
		out = append(out, "Element gain: "+a.Detail+". The ledger will flag this run once it is captured; check the masses and assays.")
	}
	return out, nil
}

// pointerInText finds a JSON pointer into the form's event in a reason.
var pointerInText = regexp.MustCompile(`/epcisBody/eventList/0(?:/[^\s,;:)]*)?`)

// moistureFractions finds the ledger's "moisture 0.08 contradicts
// moisture 0.02" (fractions, ledger/mineral.go).
var moistureFractions = regexp.MustCompile(`moisture (\d+(?:\.\d+)?) contradicts moisture (\d+(?:\.\d+)?)`)

// plainPointers words a form error for the form's page (docs/forms.md:
// no raw JSON pointer on a form page, moisture in the form's per cent):
// a pointer into the event is named by the label of the field it comes
// from ("the Results field", line N of it for a list field), and the
// ledger's "moisture 0.08 contradicts moisture 0.02" reads "moisture 8 %
// contradicts moisture 2 %" (issue 15, fix15q).
func (f *recordForm) plainPointers(v url.Values, ev map[string]any, reason string) string {
	reason = termsAsLabels(f.fields, f.termLabel, reason)
	reason = moistureFractions.ReplaceAllStringFunc(reason, func(m string) string {
		g := moistureFractions.FindStringSubmatch(m)
		a, err1 := strconv.ParseFloat(g[1], 64)
		b, err2 := strconv.ParseFloat(g[2], 64)
		if err1 != nil || err2 != nil || a >= 1 || b >= 1 {
			return m
		}
		return fmt.Sprintf("moisture %s %% contradicts moisture %s %%", formatNum(a*100, 4), formatNum(b*100, 4))
	})
	return pointerInText.ReplaceAllStringFunc(reason, func(p string) string {
		q := p
		if f.remap != nil {
			if ev == nil {
				ev = f.event(v)
			}
			q = f.remap(ev, p)
		}
		name, line := fieldOf(f.fields, q)
		if name == "" {
			return "the event"
		}
		label := "the " + f.label(name) + " field"
		if line > 0 {
			label = fmt.Sprintf("line %d of %s", line, label)
		}
		return label
	})
}

// termsAsLabels names the fields a form or an import fills by the labels
// the page shows them under, where a capture check's reason names them by
// their EPCIS extension term: "state why in cm:massChangeReason on the
// reading" reads "state why in “Reason for a moisture change” on the
// reading" on the Sample form (issue 15, fix15s item 3). A term is
// rewritten when one of the form's pointers ends in it ("/cm:X",
// "/ilmd/cm:X") and its field takes the term's value as typed: not a
// moisture (typed in per cent, stated as a fraction) nor a list of
// lines (assays, lots), whose terms name a part of what is typed.
//
// label gives a field's label, "" for a field whose term is kept.
func termsAsLabels(ptrs []ptrField, label func(name string) string, reason string) string {
	if !strings.Contains(reason, "cm:") {
		return reason
	}
	for _, p := range ptrs {
		i := strings.LastIndex(p.prefix, "/cm:")
		if i < 0 || p.list || strings.Contains(p.prefix[i+1:], "/") {
			continue
		}
		if l := label(p.field); l != "" {
			reason = termRE(p.prefix[i+1:]).ReplaceAllString(reason, "“"+l+"”")
		}
	}
	return reason
}

// termLabel is the label of the form's field name as termsAsLabels puts
// it for the field's term; "" for a number (a moisture in per cent) or a
// list of lines.
func (f *recordForm) termLabel(name string) string {
	for _, fl := range f.Fields {
		if fl.Name == name && fl.Type != "number" && fl.Type != "lines" {
			return fl.Label
		}
	}
	return ""
}

// termRE matches an extension term as a word: cm:moisture, not the
// start of cm:moistureBasis.
func termRE(term string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(term) + `\b`)
}

// sampleReportPointer rewrites a pointer into the Sample form's event ev
// that names a sensor element or report (…/sensorElementList/N[/
// sensorReport/M][/…]) by what it names, for the form's fields:
//
//   - a report of H2O (the moisture): …/sensorElementList/moisture;
//   - any other report: …/sensorElementList/results/sensorReport/K, K
//     its place among the event's results (line K+1 of Results);
//   - an element's deviceID: …/sensorElementList/lab;
//   - an element (or its metadata) that holds only the moisture:
//     …/sensorElementList/moisture.
//
// Other pointers are returned as they are.
func sampleReportPointer(ev map[string]any, p string) string {
	const sel = "/sensorElementList/"
	i := strings.Index(p, sel)
	if i < 0 {
		return p
	}
	head, rest := p[:i+len(sel)], p[i+len(sel):]
	n, rest, _ := strings.Cut(rest, "/")
	el, err := strconv.Atoi(n)
	elements, _ := ev["sensorElementList"].([]any)
	if err != nil || el < 0 || el >= len(elements) {
		return p
	}
	isMoisture := func(r any) bool {
		m, _ := r.(map[string]any)
		sub, _ := m["chemicalSubstance"].(string)
		return m["type"] == "MassConcentration" && strings.HasSuffix(strings.ToUpper(sub), "H2O")
	}
	reportsOf := func(e any) []any {
		m, _ := e.(map[string]any)
		r, _ := m["sensorReport"].([]any)
		return r
	}
	if strings.HasPrefix(rest, "sensorMetadata/deviceID") {
		return head + "lab"
	}
	// An element's time is the event's (eventTime(v)): its fault is the
	// date and time's or the offset's, said there once (fix15q).
	if strings.HasPrefix(rest, "sensorMetadata/time") {
		return p[:i] + "/eventTime"
	}
	if r, tail, ok := strings.Cut(rest, "/"); ok && r == "sensorReport" || rest == "sensorReport" {
		m, tail2, _ := strings.Cut(tail, "/")
		k, err := strconv.Atoi(m)
		reps := reportsOf(elements[el])
		if !ok || err != nil || k < 0 || k >= len(reps) {
			return p
		}
		if isMoisture(reps[k]) {
			return head + "moisture"
		}
		line := 0 // the report's place among the results
		for e := 0; e <= el; e++ {
			for j, r := range reportsOf(elements[e]) {
				if e == el && j == k {
					break
				}
				if !isMoisture(r) {
					line++
				}
			}
		}
		out := head + "results/sensorReport/" + strconv.Itoa(line)
		if tail2 != "" {
			out += "/" + tail2
		}
		return out
	}
	reps := reportsOf(elements[el])
	if len(reps) > 0 {
		all := true
		for _, r := range reps {
			all = all && isMoisture(r)
		}
		if all {
			return head + "moisture"
		}
	}
	return p
}

// bolPlainRE is a plain bill of lading number once its spaces are dashes:
// letters, digits, dashes, points and slashes.
var bolPlainRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)

// bolPlain is s, a bill of lading typed as printed ("KHI 2025 0901"), with
// each run of spaces a dash and any other mark dropped: KHI-2025-0901.
func bolPlain(s string) string {
	t := strings.Join(strings.Fields(s), "-")
	t = strings.Map(func(r rune) rune {
		if r < 128 && (r == '-' || r == '.' || r == '/' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return r
		}
		return -1
	}, t)
	return strings.Trim(t, "-./")
}

// bolURI is the bill of lading field as the event states it: a value with
// a colon is a URI of its own, kept as typed (trimmed); a plain number is
// urn:critmin:bol: and the number, its runs of spaces a dash (nu39c item 4:
// "KHI 2025 0901" was refused with a hint that still held its spaces).
// ok is false for a plain value with other marks, returned as typed.
func bolURI(s string) (uri string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, ":") {
		return s, true
	}
	t := strings.Join(strings.Fields(s), "-")
	if !bolPlainRE.MatchString(t) {
		return s, false
	}
	return "urn:critmin:bol:" + t, true
}

// bicPrefix is the EPC URN of a container by its ISO 6346 code (GS1
// Tag Data Standard 2.0, the BIC scheme: urn:epc:id:bic: and the 11
// characters of the code, check digit included, urn:epc:id:bic:CSQU3054383).
// A container typed on a form as a number the store does not know yet is
// recorded under it (issue 15, fixPh).
const bicPrefix = "urn:epc:id:bic:"

const containerHelp = "a URI, or its ISO 6346 number (MSKU1234565; its check digit is checked): a number already recorded is the container recorded under it, a new one is recorded as " + bicPrefix + "NUMBER"

// iso6346RE is an ISO 6346 container number with spaces and dashes
// taken out and letters upper-cased: owner code (3 letters), category
// (U, J or Z), serial (6 digits), check digit.
var iso6346RE = regexp.MustCompile(`^[A-Z]{3}[UJZ][0-9]{7}$`)

// plainContainer is s as an ISO 6346 number would be read: spaces and
// dashes out, upper case ("msku 123456-5" → MSKU1234565).
func plainContainer(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(s)))
}

// iso6346Check is the check digit of the first ten characters of an ISO
// 6346 number: letters valued from A = 10, skipping multiples of 11
// (B = 12 … Z = 38), digits as themselves; each times 2^position, the sum
// mod 11, and 10 written 0.
func iso6346Check(n string) int {
	sum := 0
	for i, r := range n[:10] {
		d := int(r - '0')
		if r >= 'A' && r <= 'Z' {
			d = letter6346[r-'A']
		}
		sum += d << i
	}
	return sum % 11 % 10
}

// letter6346 are the ISO 6346 values of A to Z.
var letter6346 = [26]int{10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38}

// knownContainersKey is the key under which a form's values carry the
// containers its ISO 6346 numbers name in the store (withKnownContainers),
// one "NUMBER URI" a value. It is no form field: a form's values are
// read from its fields alone, so no submission can set it.
const knownContainersKey = "\x00known-containers"

// containerURI is a container field's value as the event states it: a
// value with a colon is a URI of its own, kept as typed (trimmed); an
// ISO 6346 number is the identifier the store knows that container by
// (v's knownContainersKey, withKnownContainers: the demo's
// urn:critmin:demo:container:MSKU1234565 stays that) or, a number not
// recorded yet, bicPrefix and the number (issue 15, n15 item 3, fixPh);
// anything else is returned trimmed, for the validator.
func containerURI(v url.Values, s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ":") {
		return s
	}
	if n := plainContainer(s); iso6346RE.MatchString(n) {
		for _, kv := range v[knownContainersKey] {
			if num, uri, _ := strings.Cut(kv, " "); num == n {
				return uri
			}
		}
		return bicPrefix + n
	}
	return s
}

// containerURIs is a lines field of containers, each as containerURI.
func containerURIs(v url.Values, s string) []string {
	var out []string
	for _, l := range splitLines(s) {
		out = append(out, containerURI(v, l))
	}
	return out
}

// withKnownContainers sets in v, for containerURI, the identifiers the
// store has recorded the containers under whose ISO 6346 numbers (check
// digit right) are typed in f's container fields (knownContainers).
func (s *site) withKnownContainers(ctx context.Context, f *recordForm, v url.Values) error {
	var numbers []string
	for _, fl := range f.Fields {
		if fl.Name != "container" && fl.Name != "containers" {
			continue
		}
		for _, l := range splitLines(v.Get(fl.Name)) {
			if strings.Contains(l, ":") || containerError(l) != "" {
				continue
			}
			if n := plainContainer(l); iso6346RE.MatchString(n) && !slices.Contains(numbers, n) {
				numbers = append(numbers, n)
			}
		}
	}
	delete(v, knownContainersKey)
	known, err := s.knownContainers(ctx, numbers)
	if err != nil {
		return err
	}
	for _, n := range numbers {
		if uri, ok := known[n]; ok {
			v.Add(knownContainersKey, n+" "+uri)
		}
	}
	return nil
}

// knownContainers maps each ISO 6346 number to the identifier the store
// has recorded that container under: any URI an event names as an
// instance (epcList, childEPCs, parentID) whose last part, after its
// last ":" or "/", is the number (critmin.EPCMatch.Suffix). A number
// recorded under several identifiers is its BIC URN (bicPrefix) when
// that is one of them, else the one the latest event names; a number
// not recorded is not in the map.
func (s *site) knownContainers(ctx context.Context, numbers []string) (map[string]string, error) {
	known := map[string]string{}
	if len(numbers) == 0 {
		return known, nil
	}
	var suffixes []string
	for _, n := range numbers {
		suffixes = append(suffixes, ":"+n, "/"+n)
	}
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{
		EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleParent}, Patterns: suffixes, Suffix: true}},
		OrderBy:    "eventTime", Limit: 1000})
	if err != nil {
		return nil, err
	}
	// Newest first (OrderBy eventTime, descending): the first identifier
	// seen of a number is the latest event's.
	for _, e := range decoded(page.Events) {
		ids := []string{e.ParentID}
		for _, x := range e.EPCs {
			ids = append(ids, x.EPC)
		}
		for _, id := range ids {
			n := id[strings.LastIndexAny(id, ":/")+1:]
			if id == "" || !slices.Contains(numbers, n) {
				continue
			}
			if had, ok := known[n]; !ok || had != bicPrefix+n && id == bicPrefix+n {
				known[n] = id
			}
		}
	}
	return known, nil
}

// containerError words what is wrong with a container typed without a
// colon: an ISO 6346 number whose check digit is wrong (naming the right
// one), or a value that is neither such a number nor a URI.
func containerError(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, ":") {
		return ""
	}
	n := plainContainer(s)
	if iso6346RE.MatchString(n) {
		if want := iso6346Check(n); int(n[10]-'0') != want {
			return fmt.Sprintf("%s is not an ISO 6346 container number: its check digit is %d, not %c (%s%d); check the number as painted on the container", n, want, n[10], n[:10], want)
		}
		return ""
	}
	return fmt.Sprintf("%q is neither a URI nor an ISO 6346 container number (4 letters, the 4th U, J or Z, and 7 digits: MSKU1234565): type the number, or the container's or bag's URI", critmin.Excerpt(s))
}

// unpackWithForm rewrites the ledger's "unpack it with an
// AggregationEvent DELETE" for a person at the forms: the Unpack form.
var unpackWithForm = strings.NewReplacer(
	"with an AggregationEvent DELETE", "with the Unpack form (Record → Unpack a container or bags, /record/unpack)",
	"unpack it first with an AggregationEvent DELETE", "unpack it first with the Unpack form (/record/unpack)")
