// Package bench measures critmin: capture throughput against the plain
// insert of the same rows, and query latency on a large ledger. It drives
// the real server over HTTP, as a client would.
package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// Generator makes realistic corridor events, deterministically from a
// seed: each lot is commissioned at a mine with ILMD (commodity, origin,
// moisture, assays), assayed again (a MassConcentration sensor report),
// packed into a container, trucked, received at a port, shipped with a
// bill of lading, received in the United States, trucked to the
// refinery and refined there into a product lot (a run takes only what
// is at its site). That is EventsPerLot events per lot.
type Generator struct {
	rnd  *rand.Rand
	lot  int
	t    time.Time
	seq  int
	buf  []map[string]any
	Docs int
	// NS, when set, replaces "bench" in the generated event, lot,
	// container, bill-of-lading and run identifiers, so that generators
	// with different namespaces never make the same eventID.
	NS string
}

func (g *Generator) ns() string {
	if g.NS == "" {
		return "bench"
	}
	return g.NS
}

// EventsPerLot is the length of one lot's life in generated events.
const EventsPerLot = 10

// GeneratedFrom is the time of a generator's first event. Events step
// 30–119 s (75 s on average), so 1,000,000 events span at most 119·10⁶ s
// (3.8 years, to 2024-10 at the latest): a store of that size holds no
// event time in the future, which capture refuses (critmin.MaxClockSkew).
// Starting at 2025-01-01, the 1,000,000-event verify benchmark was
// refused after about 700,000 events (2026-12, perfver).
var GeneratedFrom = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// NewGenerator returns a generator seeded for reproducible runs.
func NewGenerator(seed uint64) *Generator {
	return &Generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: GeneratedFrom}
}

var (
	mines = []struct{ id, commodity, analyte string }{
		{"urn:critmin:bench:site:mine-ree-1", "ree_concentrate", "Nd2O3"}, {"urn:critmin:bench:site:mine-ree-2", "ree_concentrate", "Nd2O3"},
		{"urn:critmin:bench:site:mine-sb-1", "antimony_ore", "Sb"}, {"urn:critmin:bench:site:mine-sb-2", "antimony_ore", "Sb"},
		{"urn:critmin:bench:site:mine-cu-1", "copper_concentrate", "Cu"},
	}
	loadPorts = []string{"urn:critmin:bench:site:pkkhi", "urn:critmin:bench:site:pkbqm"}
	usPorts   = []string{"urn:critmin:bench:site:ushou", "urn:critmin:bench:site:usbal"}
	refinery  = "urn:critmin:bench:site:refinery"
	products  = map[string]string{"ree_concentrate": "ndpr_oxide", "antimony_ore": "antimony_trioxide", "copper_concentrate": "copper_cathode"}
)

// Context is the @context of generated documents.
var Context = []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]string{"cm": "https://ns.critmin.org/mineral/v1/"}}

// LotID names the i-th generated lot.
func LotID(i int) string { return fmt.Sprintf("urn:critmin:bench:lot:%08d", i) }

// Sites lists the generated business locations, for queries.
func Sites() []string {
	out := []string{refinery}
	for _, m := range mines {
		out = append(out, m.id)
	}
	return append(append(out, loadPorts...), usPorts...)
}

func (g *Generator) ev(typ string, kv ...any) map[string]any {
	g.seq++
	g.t = g.t.Add(time.Duration(30+g.rnd.IntN(90)) * time.Second)
	e := map[string]any{"type": typ, "eventID": fmt.Sprintf("urn:critmin:%s:event:%010d", g.ns(), g.seq),
		"eventTime": g.t.Format("2006-01-02T15:04:05.000Z07:00"), "eventTimeZoneOffset": "+05:00"}
	for i := 0; i+1 < len(kv); i += 2 {
		e[kv[i].(string)] = kv[i+1]
	}
	return e
}

func qty(class string, kg float64) []any {
	return []any{map[string]any{"epcClass": class, "quantity": kg, "uom": "KGM"}}
}

func loc(id string) map[string]any { return map[string]any{"id": id} }

// lotLife appends one lot's events.
func (g *Generator) lotLife() {
	i := g.lot
	g.lot++
	m := mines[g.rnd.IntN(len(mines))]
	lot := fmt.Sprintf("urn:critmin:%s:lot:%08d", g.ns(), i)
	kg := float64(15000 + g.rnd.IntN(30000))
	container := fmt.Sprintf("urn:critmin:%s:container:%08d", g.ns(), i)
	lp, up := loadPorts[g.rnd.IntN(2)], usPorts[g.rnd.IntN(2)]
	grade := 1 + g.rnd.Float64()*20
	g.buf = append(g.buf,
		g.ev("ObjectEvent", "action", "ADD", "bizStep", "commissioning", "disposition", "active", "quantityList", qty(lot, kg),
			"readPoint", loc(m.id), "bizLocation", loc(m.id),
			"ilmd", map[string]any{"cm:commodity": m.commodity, "cm:originCountry": "PAK", "cm:originMine": m.id, "cm:moisture": 0.05 + g.rnd.Float64()*0.05,
				"cm:assay": []any{map[string]any{"cm:analyte": m.analyte, "cm:value": round(grade), "cm:unit": "%", "cm:basis": "dry"}}}),
		g.ev("ObjectEvent", "action", "OBSERVE", "bizStep", "inspecting", "quantityList", qty(lot, kg), "readPoint", loc(m.id), "bizLocation", loc(m.id),
			"sensorElementList", []any{map[string]any{"sensorReport": []any{map[string]any{"type": "MassConcentration",
				"chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/" + m.analyte, "value": round(grade * 1.02), "uom": "P1", "cm:basis": "dry"}}}}),
		g.ev("AggregationEvent", "action", "ADD", "bizStep", "packing", "parentID", container, "childQuantityList", qty(lot, kg), "bizLocation", loc(m.id)),
		g.ev("ObjectEvent", "action", "OBSERVE", "bizStep", "departing", "disposition", "in_transit", "epcList", []any{container}, "quantityList", qty(lot, kg),
			"readPoint", loc(m.id), "destinationList", []any{map[string]any{"type": "location", "destination": lp}}),
		g.ev("ObjectEvent", "action", "OBSERVE", "bizStep", "arriving", "epcList", []any{container}, "quantityList", qty(lot, kg), "readPoint", loc(lp), "bizLocation", loc(lp)),
		g.ev("ObjectEvent", "action", "OBSERVE", "bizStep", "shipping", "disposition", "in_transit", "epcList", []any{container}, "quantityList", qty(lot, kg), "readPoint", loc(lp),
			"bizTransactionList", []any{map[string]any{"type": "bol", "bizTransaction": fmt.Sprintf("urn:critmin:%s:bol:%08d", g.ns(), i)}},
			"sourceList", []any{map[string]any{"type": "location", "source": lp}}, "destinationList", []any{map[string]any{"type": "location", "destination": up}}),
		g.ev("ObjectEvent", "action", "OBSERVE", "bizStep", "receiving", "epcList", []any{container}, "quantityList", qty(lot, kg-50), "readPoint", loc(up), "bizLocation", loc(up),
			"destinationList", []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:bench:party:ussm"}}),
		g.ev("ObjectEvent", "action", "OBSERVE", "bizStep", "departing", "disposition", "in_transit", "epcList", []any{container}, "quantityList", qty(lot, kg-50),
			"readPoint", loc(up), "destinationList", []any{map[string]any{"type": "location", "destination": refinery}}),
		g.ev("ObjectEvent", "action", "OBSERVE", "bizStep", "arriving", "epcList", []any{container}, "quantityList", qty(lot, kg-50), "readPoint", loc(refinery), "bizLocation", loc(refinery)),
		g.ev("TransformationEvent", "bizStep", "commissioning", "transformationID", fmt.Sprintf("urn:critmin:%s:run:%08d", g.ns(), i),
			"inputQuantityList", qty(lot, kg-50), "outputQuantityList", qty(lot+"-P", round((kg-50)*grade/100)), "bizLocation", loc(refinery),
			"ilmd", map[string]any{"cm:commodity": products[m.commodity]}),
	)
}

func round(v float64) float64 { return float64(int64(v*1000)) / 1000 }

// Document returns the next document of n events as EPCIS 2.0 JSON-LD.
func (g *Generator) Document(n int) []byte {
	for len(g.buf) < n {
		g.lotLife()
	}
	events := g.buf[:n]
	g.buf = append([]map[string]any(nil), g.buf[n:]...)
	list := make([]any, len(events))
	for i, e := range events {
		list[i] = e
	}
	g.Docs++
	b, _ := json.Marshal(map[string]any{"@context": Context, "type": "EPCISDocument", "schemaVersion": "2.0",
		"creationDate": g.t.Format(time.RFC3339), "epcisBody": map[string]any{"eventList": list}})
	return b
}

// Lots is the number of lots begun so far.
func (g *Generator) Lots() int { return g.lot }

// WriteDocument writes the next n events as one EPCIS 2.0 JSON-LD
// document to w, a few lots at a time, so that a document of any size can
// be sent without being held in memory. @context and type come first, as
// EPCIS implementations write them.
func (g *Generator) WriteDocument(w io.Writer, n int) error {
	ctx, _ := json.Marshal(Context)
	if _, err := fmt.Fprintf(w, `{"@context":%s,"type":"EPCISDocument","schemaVersion":"2.0","creationDate":%q,"epcisBody":{"eventList":[`, ctx, g.t.Format(time.RFC3339)); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if len(g.buf) == 0 {
			g.lotLife()
		}
		b, err := json.Marshal(g.buf[0])
		if err != nil {
			return err
		}
		g.buf = g.buf[1:]
		if i > 0 {
			b = append([]byte{','}, b...)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	g.Docs++
	_, err := io.WriteString(w, "]}}")
	return err
}
