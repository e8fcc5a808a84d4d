package ledger_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

func num(s string) json.Number { return json.Number(s) }

func TestDecodeMineralRejects(t *testing.T) {
	t.Parallel()
	ns := ledger.Namespace
	cases := []struct {
		name  string
		ilmd  map[string]any
		field string
	}{
		{"unknown commodity", map[string]any{ns + "commodity": "gold dust"}, "cm:commodity"},
		{"user-assigned two-letter country", map[string]any{ns + "originCountry": "XX"}, "cm:originCountry"},
		{"unassigned country code", map[string]any{ns + "originCountry": "XXX"}, "cm:originCountry"},
		{"moisture as percent", map[string]any{ns + "moisture": num("8")}, "cm:moisture"},
		{"negative moisture", map[string]any{ns + "moisture": num("-0.1")}, "cm:moisture"},
		{"mine not a URI", map[string]any{ns + "originMine": "Saindak"}, "cm:originMine"},
		{"grade unit kg", map[string]any{ns + "assay": []any{map[string]any{ns + "analyte": "Cu", ns + "value": num("22"), ns + "unit": "kg"}}}, "cm:assay/0/cm:unit"},
		{"over 100 percent", map[string]any{ns + "assay": []any{map[string]any{ns + "analyte": "Cu", ns + "value": num("122"), ns + "unit": "%"}}}, "cm:assay/0/cm:value"},
		{"bad analyte", map[string]any{ns + "assay": []any{map[string]any{ns + "analyte": "copper", ns + "value": num("2"), ns + "unit": "%"}}}, "cm:assay/0/cm:analyte"},
		{"bad basis", map[string]any{ns + "assay": []any{map[string]any{ns + "analyte": "Cu", ns + "value": num("2"), ns + "unit": "%", ns + "basis": "wet"}}}, "cm:assay/0/cm:basis"},
		{"claim share missing", map[string]any{ns + "originClaim": []any{map[string]any{ns + "country": "PAK"}}}, "cm:originClaim/0/cm:share"},
		{"claim share zero", map[string]any{ns + "originClaim": []any{map[string]any{ns + "country": "PAK", ns + "share": num("0")}}}, "cm:originClaim/0/cm:share"},
		{"claim share percent", map[string]any{ns + "originClaim": []any{map[string]any{ns + "country": "PAK", ns + "share": num("100")}}}, "cm:originClaim/0/cm:share"},
		{"claim country missing", map[string]any{ns + "originClaim": []any{map[string]any{ns + "share": num("1")}}}, "cm:originClaim/0/cm:country"},
		{"claim country unknown", map[string]any{ns + "originClaim": []any{map[string]any{ns + "country": "XXX", ns + "share": num("1")}}}, "cm:originClaim/0/cm:country"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := ledger.DecodeMineral(&critmin.Event{ILMDTree: c.ilmd}, "/epcisBody/eventList/2")
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Pointer, "/epcisBody/eventList/2/ilmd/"+c.field) {
				t.Errorf("errors %+v; want one naming %s", errs, c.field)
			}
			if strings.HasSuffix(c.name, "missing") && (len(errs) != 1 || !strings.HasPrefix(errs[0].Reason, "missing (required)")) {
				t.Errorf("errors %+v; want the field called missing", errs)
			}
		})
	}
}

func TestDecodeMineralAccepts(t *testing.T) {
	t.Parallel()
	ns := ledger.Namespace
	v := 4.2
	ev := &critmin.Event{EventID: "urn:e:1", EventTime: time.Date(2025, 10, 2, 0, 0, 0, 0, time.UTC),
		ILMDTree: map[string]any{ns + "commodity": "ree_concentrate", ns + "originCountry": "PAK", ns + "moisture": num("0.08"),
			ns + "assay": []any{map[string]any{ns + "analyte": "Nd2O3", ns + "value": num("2.6"), ns + "unit": "P1"}}},
		Sensors: []critmin.SensorReport{
			{Type: "MassConcentration", ChemicalSubstance: ledger.AnalyteBase + "Pr6O11", Value: &v, UOM: "P1", Extensions: map[string]any{ns + "basis": "as_received"}},
			{Type: "Temperature", Value: &v, UOM: "CEL"},
			{Type: "MassConcentration", ChemicalSubstance: "https://identifiers.org/inchikey:X", Value: &v, UOM: "P1"},
		}}
	mf, errs := ledger.DecodeMineral(ev, "")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if mf.Commodity != "ree_concentrate" || *mf.Moisture != 0.08 || len(mf.Assays) != 2 {
		t.Fatalf("facts %+v", mf)
	}
	if a := mf.Assays[0]; a.Analyte != "Nd2O3" || a.Unit != "%" || a.Basis != "dry" || a.EventID != "urn:e:1" {
		t.Errorf("ILMD assay %+v (unit P1 is %%; basis defaults to dry)", a)
	}
	if a := mf.Assays[1]; a.Analyte != "Pr6O11" || a.Basis != "as_received" || a.Value != 4.2 {
		t.Errorf("sensor assay %+v", a)
	}
	if mf, errs := ledger.DecodeMineral(&critmin.Event{}, ""); mf != nil || errs != nil {
		t.Errorf("an event without mineral facts gave %+v %v", mf, errs)
	}
}

func kg(v float64) *float64 { return &v }

func at(day int) time.Time { return time.Date(2025, 9, day, 0, 0, 0, 0, time.UTC) }

// TestProjectOutOfOrder applies a receipt before the shipment it follows:
// location, status and quantity follow event time, not arrival order.
func TestProjectOutOfOrder(t *testing.T) {
	t.Parallel()
	id := "urn:lot:1"
	lots := map[string]*critmin.Lot{id: {ID: id}}
	m := 0.1
	commission := &critmin.Event{EventID: "e1", Type: critmin.ObjectEvent, Action: "ADD", BizStep: "commissioning", EventTime: at(1), BizLocation: "urn:site:mine",
		Quantities: []critmin.QuantityElement{{EPCClass: id, Quantity: kg(10000), UOM: "KGM"}}, Mineral: &critmin.MineralFacts{Commodity: "antimony_ore", Moisture: &m}}
	receive := &critmin.Event{EventID: "e3", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "receiving", EventTime: at(20), BizLocation: "urn:site:port",
		Quantities: []critmin.QuantityElement{{EPCClass: id, Quantity: kg(9900), UOM: "KGM"}}}
	ship := &critmin.Event{EventID: "e2", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit", EventTime: at(5), BizLocation: "urn:site:mine",
		Quantities: []critmin.QuantityElement{{EPCClass: id, Quantity: kg(10000), UOM: "KGM"}}}
	ledger.Project(lots, commission)
	fx := ledger.Project(lots, receive)
	ledger.Project(lots, ship)
	l := lots[id]
	if l.Status != critmin.LotInStock || l.Location != "urn:site:port" || l.Quantity != 9900 || l.EventCount != 3 {
		t.Errorf("lot %+v; want in stock at the port with 9,900 kg after 3 events", l)
	}
	if math.Abs(l.DryTonnes-8.91) > 1e-9 || l.FirstEventAt != at(1) || l.LastEventAt != at(20) {
		t.Errorf("dry %v first %v last %v; want 8.91 dmt (9.9 × 0.9)", l.DryTonnes, l.FirstEventAt, l.LastEventAt)
	}
	if len(fx.Moves) != 1 || fx.Moves[0].From != "urn:site:mine" || fx.Moves[0].To != "urn:site:port" || fx.Moves[0].Tonnes != 10 {
		t.Errorf("moves %+v; want mine → port carrying the 10 t that left", fx.Moves)
	}
}

func TestProjectTransformation(t *testing.T) {
	t.Parallel()
	lots := map[string]*critmin.Lot{"a": {ID: "a"}, "b": {ID: "b"}, "p": {ID: "p"}}
	ev := &critmin.Event{EventID: "t1", Type: critmin.TransformationEvent, EventTime: at(9), BizLocation: "urn:site:ref",
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: "a", Quantity: kg(5), UOM: "TNE"}, {Role: critmin.RoleInput, EPCClass: "b"},
			{Role: critmin.RoleOutput, EPCClass: "p", Quantity: kg(400), UOM: "KGM"}},
		Mineral: &critmin.MineralFacts{Commodity: "ndpr_oxide"}}
	fx := ledger.Project(lots, ev)
	if len(fx.Links) != 2 || lots["a"].Status != critmin.LotConsumed || lots["p"].Status != critmin.LotInStock {
		t.Errorf("links %+v, a %s, p %s", fx.Links, lots["a"].Status, lots["p"].Status)
	}
	if lots["a"].Commodity != "" || lots["p"].Commodity != "ndpr_oxide" || lots["p"].WetTonnes != 0.4 {
		t.Errorf("ILMD must describe outputs only: a=%q p=%q %v t", lots["a"].Commodity, lots["p"].Commodity, lots["p"].WetTonnes)
	}
	c, ok := ledger.Contained(&critmin.Lot{DryTonnes: 110.4, Assays: []critmin.Assay{{Analyte: "Sb", Value: 9.5, Unit: "%", Basis: "dry"}}}, "Sb")
	if !ok || math.Abs(c-10.488) > 1e-9 {
		t.Errorf("contained Sb = %v, %v; want 10.488 t (110.4 × 9.5 %%)", c, ok)
	}
}

// TestObservationKeepsConsumed: a Mass report (OBSERVE, bizStep
// inspecting) dated after a run consumed the lot leaves it consumed.
func TestObservationKeepsConsumed(t *testing.T) {
	t.Parallel()
	lots := map[string]*critmin.Lot{"a": {ID: "a"}, "p": {ID: "p"}}
	run := &critmin.Event{EventID: "t1", Type: critmin.TransformationEvent, EventTime: at(9),
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: "a", Quantity: kg(5), UOM: "TNE"}, {Role: critmin.RoleOutput, EPCClass: "p", Quantity: kg(400), UOM: "KGM"}}}
	obs := &critmin.Event{EventID: "o1", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "inspecting", EventTime: at(12),
		Quantities: []critmin.QuantityElement{{EPCClass: "a", Quantity: kg(4.9), UOM: "TNE"}}}
	ledger.Project(lots, run)
	ledger.Project(lots, obs)
	if lots["a"].Status != critmin.LotConsumed {
		t.Errorf("a after a later observation: %s, want consumed", lots["a"].Status)
	}
}

// TestAsReceivedContained: an as-received assay gives a dry grade and
// contained tonnes. Lot 10 t wet at 10 % moisture = 9 dt; Nd 4.5 % as
// received with no moisture of its own → dry 4.5 / (1 − 0.1) = 5 % →
// contained 9 × 5 % = 0.45 t. With its own moisture 0.25: 4.5 / 0.75 =
// 6 % → 0.54 t.
func TestAsReceivedContained(t *testing.T) {
	m, own := 0.1, 0.25
	l := &critmin.Lot{DryTonnes: 9, Moisture: &m, Assays: []critmin.Assay{{Analyte: "Nd", Value: 4.5, Unit: "%", Basis: "as_received"}}}
	if c, ok := ledger.Contained(l, "Nd"); !ok || math.Abs(c-0.45) > 1e-9 {
		t.Errorf("contained %v %v, want 0.45 t", c, ok)
	}
	l.Assays[0].Moisture = &own
	if v, ok := ledger.DryValue(l.Assays[0], l.Moisture); !ok || math.Abs(v-6) > 1e-9 {
		t.Errorf("dry grade %v %v, want 6 %%", v, ok)
	}
	if c, ok := ledger.Contained(l, "Nd"); !ok || math.Abs(c-0.54) > 1e-9 {
		t.Errorf("contained %v %v, want 0.54 t", c, ok)
	}
	l.Moisture, l.Assays[0].Moisture = nil, nil
	if _, ok := ledger.Contained(l, "Nd"); ok {
		t.Error("as-received assay without any moisture must not give a contained figure")
	}
}

// TestDecodeMineralFiguresInRange: every figure that becomes a lot figure is
// finite and within ledger.MaxTonnes (10^12 kg = 10^9 t) after conversion,
// or refused naming the field. 1.7e308 TNE × 1000 kg/t overflows to +Inf;
// 1.7e308 KGM is 1.7e305 t, finite but over 1e9 t; 1e12 LTN is 1e12 ×
// 1.0160469088 t = 1.016e12 t, over; 1e12 TNE is 1e15 kg, over (issue 15,
// W5); 1e12 KGM and 1e9 TNE are both 1e9 t, at the limit, and pass.
func TestDecodeMineralFiguresInRange(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	mass := func(v float64, uom string) *critmin.Event {
		return &critmin.Event{Sensors: []critmin.SensorReport{{Type: "Mass", Value: f(v), UOM: uom}}}
	}
	qty := func(role string, v float64, uom string) *critmin.Event {
		return &critmin.Event{Quantities: []critmin.QuantityElement{
			{Role: role, EPCClass: "urn:x:a", Quantity: f(1), UOM: "TNE"},
			{Role: role, EPCClass: "urn:x:b", Quantity: f(v), UOM: uom}}}
	}
	bad := []struct {
		name  string
		ev    *critmin.Event
		field string
	}{
		{"mass 1.7e308 TNE", mass(1.7e308, "TNE"), "/sensorElementList (report 0)/value"},
		{"mass 1.7e308 KGM", mass(1.7e308, "KGM"), "/sensorElementList (report 0)/value"},
		{"mass 1e300 TNE", mass(1e300, "TNE"), "/sensorElementList (report 0)/value"},
		{"mass negative", mass(-5, "TNE"), "/sensorElementList (report 0)/value"},
		{"quantity 1e12 LTN", qty(critmin.RoleEPC, 1e12, "LTN"), "/quantityList/1/quantity"},
		{"output 1e12 LTN", qty(critmin.RoleOutput, 1e12, "LTN"), "/outputQuantityList/1/quantity"},
		{"output 1e12 TNE", qty(critmin.RoleOutput, 1e12, "TNE"), "/outputQuantityList/1/quantity"},
		{"mass 1e12 TNE", mass(1e12, "TNE"), "/sensorElementList (report 0)/value"},
		{"moisture 1e300 %", &critmin.Event{Sensors: []critmin.SensorReport{{Type: "MassConcentration", ChemicalSubstance: ledger.AnalyteBase + "H2O", Value: f(1e300), UOM: "P1"}}}, "/sensorElementList (report 0)"},
		{"assay 1.7e308 %", &critmin.Event{Sensors: []critmin.SensorReport{{Type: "MassConcentration", ChemicalSubstance: ledger.AnalyteBase + "Cu", Value: f(1.7e308), UOM: "P1"}}}, "/sensorElementList (report 0)"},
	}
	for _, c := range bad {
		_, errs := ledger.DecodeMineral(c.ev, "/e")
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Pointer, "/e"+c.field) {
			t.Errorf("%s: errors %+v; want one naming %s", c.name, errs, c.field)
		}
	}
	for _, ev := range []*critmin.Event{mass(1e9, "TNE"), mass(1e12, "KGM"), qty(critmin.RoleOutput, 1e9, "TNE"), qty(critmin.RoleInput, 1e12, "KGM")} {
		if _, errs := ledger.DecodeMineral(ev, ""); len(errs) > 0 {
			t.Errorf("%+v refused: %v", ev, errs)
		}
	}
}

// TestProjectPartiesFollowLatestSpelling: owner and custodian follow the
// rule location follows — the latest event's spelling. The lot is
// commissioned with its owner named by PGLN URN; a later event names the
// same party (same PGLN) as a source in Digital Link form: the owner is
// shown as the latest event spells it. A source naming another party does
// not change the owner (a source is the party the lot leaves); a
// destination does.
func TestProjectPartiesFollowLatestSpelling(t *testing.T) {
	t.Parallel()
	id := "urn:lot:p"
	const urn, dl, other = "urn:epc:id:pgln:4012345.00001", "https://id.gs1.org/417/4012345000016", "urn:epc:id:pgln:0614141.12345"
	lots := map[string]*critmin.Lot{id: {ID: id}}
	ev := func(n int, src, dst []critmin.SourceDest) *critmin.Event {
		return &critmin.Event{EventID: fmt.Sprint("e", n), Type: critmin.ObjectEvent, Action: "OBSERVE", EventTime: at(n), BizLocation: "urn:site:mine",
			Quantities: []critmin.QuantityElement{{EPCClass: id, Quantity: kg(1), UOM: "TNE"}}, Sources: src, Destinations: dst}
	}
	ledger.Project(lots, ev(1, []critmin.SourceDest{{Type: "owning_party", ID: urn}, {Type: "possessing_party", ID: urn}}, nil))
	if l := lots[id]; l.Owner != urn || l.Custodian != urn {
		t.Fatalf("after commissioning: owner %q custodian %q", l.Owner, l.Custodian)
	}
	ledger.Project(lots, ev(2, []critmin.SourceDest{{Type: "owning_party", ID: dl}, {Type: "possessing_party", ID: dl}}, nil))
	if l := lots[id]; l.Owner != dl || l.Custodian != dl {
		t.Errorf("latest event spells the party %s: owner %q custodian %q", dl, l.Owner, l.Custodian)
	}
	ledger.Project(lots, ev(3, []critmin.SourceDest{{Type: "owning_party", ID: other}}, nil))
	if l := lots[id]; l.Owner != dl {
		t.Errorf("a source naming another party changed the owner to %q", l.Owner)
	}
	ledger.Project(lots, ev(4, nil, []critmin.SourceDest{{Type: "owning_party", ID: other}}))
	if l := lots[id]; l.Owner != other || l.Custodian != dl {
		t.Errorf("after a destination: owner %q custodian %q; want %s and %s", l.Owner, l.Custodian, other, dl)
	}
}

// TestProjectLateOlderWeighing captures a weighing dated before the lot's
// latest event after that event (nu15 item 4): the lot keeps the later
// state. Commissioned 30,000 kg on 1 Nov, shipped 30,000 kg on 12 Nov,
// then a weighbridge ticket of 10 Nov (20,500 kg, moisture 9 %) arrives:
// the lot stays 30,000 kg in KGM, wet 30 t, dry 30 × (1 − 0.08) = 27.6 t
// with the commissioning moisture 8 %, in transit.
func TestProjectLateOlderWeighing(t *testing.T) {
	t.Parallel()
	id := "urn:lot:3"
	nov := func(d int) time.Time { return time.Date(2025, 11, d, 0, 0, 0, 0, time.UTC) }
	lots := map[string]*critmin.Lot{id: {ID: id}}
	m8, m9, w := 0.08, 0.09, 20.5
	ledger.Project(lots, &critmin.Event{EventID: "c", Type: critmin.ObjectEvent, Action: "ADD", BizStep: "commissioning", EventTime: nov(1), BizLocation: "urn:site:mine",
		Quantities: []critmin.QuantityElement{{EPCClass: id, Quantity: kg(30000), UOM: "KGM"}}, Mineral: &critmin.MineralFacts{Commodity: "ree_concentrate", Moisture: &m8}})
	ledger.Project(lots, &critmin.Event{EventID: "s", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit", EventTime: nov(12), BizLocation: "urn:site:port",
		Quantities: []critmin.QuantityElement{{EPCClass: id, Quantity: kg(30000), UOM: "KGM"}}})
	ledger.Project(lots, &critmin.Event{EventID: "wb", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "inspecting", EventTime: nov(10), BizLocation: "urn:site:weighbridge",
		Quantities: []critmin.QuantityElement{{EPCClass: id, Quantity: kg(20500), UOM: "KGM"}}, Mineral: &critmin.MineralFacts{MassTonnes: &w, Moisture: &m9}})
	l := lots[id]
	if l.Quantity != 30000 || l.UOM != "KGM" || math.Abs(l.WetTonnes-30) > 1e-9 || math.Abs(l.DryTonnes-27.6) > 1e-9 {
		t.Errorf("lot %v %s, wet %v dry %v; want 30000 KGM, 30 t wet, 27.6 t dry", l.Quantity, l.UOM, l.WetTonnes, l.DryTonnes)
	}
	if l.Status != critmin.LotInTransit || l.Location != "urn:site:port" || l.Disposition != "in_transit" || l.LastEventAt != nov(12) || l.EventCount != 3 {
		t.Errorf("lot %+v; want in transit from the port, last event 12 Nov, 3 events", l)
	}
	// A weighing later than every event sets the mass, in the lot's own
	// unit: 20.5 t is 20,500 kg, dry 20.5 × (1 − 0.09) = 18.655 t.
	ledger.Project(lots, &critmin.Event{EventID: "wb2", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "inspecting", EventTime: nov(13),
		Quantities: []critmin.QuantityElement{{EPCClass: id}}, Mineral: &critmin.MineralFacts{MassTonnes: &w, Moisture: &m9}})
	if l.Quantity != 20500 || l.UOM != "KGM" || math.Abs(l.DryTonnes-18.655) > 1e-9 {
		t.Errorf("lot %v %s dry %v; want 20500 KGM, 18.655 t dry", l.Quantity, l.UOM, l.DryTonnes)
	}
}

// TestProjectDispositionPersists: an inspection with neither disposition
// nor location after a shipment leaves the lot in transit, at the
// location and with the disposition the shipment set (nu15 item 5; CBV
// 2.0 §7.4, a disposition holds until an event changes it).
func TestProjectDispositionPersists(t *testing.T) {
	t.Parallel()
	id := "urn:lot:cu"
	oct := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	lots := map[string]*critmin.Lot{id: {ID: id}}
	ledger.Project(lots, &critmin.Event{EventID: "r", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "receiving", Disposition: "in_progress", EventTime: oct(4), BizLocation: "urn:site:houston",
		Quantities: []critmin.QuantityElement{{EPCClass: id, Quantity: kg(59900), UOM: "KGM"}}})
	ledger.Project(lots, &critmin.Event{EventID: "s", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit", EventTime: oct(15), BizLocation: "urn:site:houston",
		Quantities: []critmin.QuantityElement{{EPCClass: id}}})
	for _, step := range []string{"inspecting", "sampling", "cycle_counting"} {
		ledger.Project(lots, &critmin.Event{EventID: step, Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: step, EventTime: oct(24),
			Quantities: []critmin.QuantityElement{{EPCClass: id}}})
		l := lots[id]
		if l.Status != critmin.LotInTransit || l.Location != "urn:site:houston" || l.Disposition != "in_transit" || l.WetTonnes != 59.9 {
			t.Errorf("after %s: status %q at %q disposition %q, %v t; want in transit, Houston, in_transit, 59.9 t", step, l.Status, l.Location, l.Disposition, l.WetTonnes)
		}
	}
	// An event that does say where the lot is still moves it.
	ledger.Project(lots, &critmin.Event{EventID: "a", Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "receiving", EventTime: oct(25), BizLocation: "urn:site:arizona",
		Quantities: []critmin.QuantityElement{{EPCClass: id}}})
	if l := lots[id]; l.Status != critmin.LotInStock || l.Location != "urn:site:arizona" || l.Disposition != "in_transit" {
		t.Errorf("after receiving: %q at %q disposition %q; want in stock at Arizona, disposition unchanged (none stated)", l.Status, l.Location, l.Disposition)
	}
}
