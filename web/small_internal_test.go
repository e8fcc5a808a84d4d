package web

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestMassTextNeverZero (nu15 #14): a contained mass is shown with
// significant digits in its own unit, never 0 for a non-zero mass: Au at
// 4 g/t in 20 dmt is 20 × 4 = 80 g (0.00008 t); 0.0799 t is 79.9 kg;
// 1,196.04 t stays in tonnes.
func TestMassTextNeverZero(t *testing.T) {
	for in, want := range map[float64]string{80e-6: "80 g", 0.0799: "79.9 kg", 1196.04: "1,196.04 t", 0: "0 t", 2e-9: "0.002 g"} {
		if got := massText(in); got != want {
			t.Errorf("massText(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestSummaryAssayBasis (nu15 #14): a sample's preview shows each
// result's basis.
func TestSummaryAssayBasis(t *testing.T) {
	v := 11.7
	e := &critmin.Event{Type: "ObjectEvent", Sensors: []critmin.SensorReport{{Type: "MassConcentration", ChemicalSubstance: mineralNS + "analyte/TREO", Value: &v, UOM: "P1",
		Extensions: map[string]any{mineralNS + "basis": "as_received"}}}}
	var line string
	for _, l := range summarize(e, nil, nil).Lines {
		line += l[1] + "\n"
	}
	if !strings.Contains(line, "TREO 11.7 % as received") {
		t.Errorf("summary lines %q", line)
	}
}

// TestDeportmentSankeyNames (nu15 #11): the deportment table and its CSV
// name a stock change as the diagram does — "Residue storage (stock)",
// never "stock:residue_storage" — and a stream by its name (fix15q item
// 1: "Copper concentrate", not cu_conc_out).
func TestDeportmentSankeyNames(t *testing.T) {
	p := &refinery.Problem{Streams: []refinery.Stream{{ID: "cu_conc_out", Name: "Copper concentrate", Kind: "product"}}}
	a := refinery.ElementResult{Element: "Cu", FeedT: 10, Deportment: map[string]refinery.Num{"cu_conc_out": 0.9, "stock:residue_storage": 0.1}}
	c := deportmentSankey(p, a)
	csv := c.csvData()
	if strings.Contains(csv, "stock:") || !strings.Contains(csv, "Residue storage (stock)") || !strings.Contains(csv, "Copper concentrate") || strings.Contains(csv, "cu_conc_out") {
		t.Errorf("deportment CSV:\n%s", csv)
	}
}

// TestDeportmentSankeyProductColours (issue 15, fix15t item 2): a product
// node is in its product's commodity colour, not the element's — in the
// Ce Sankey the La/Ce carbonate product is lace_carbonate's colour, not
// NdPr oxide's (#c11574, Nd's element shade) — and a zero flow (Ce into
// the NdPr oxide, 0 %) is left out of the chart and its CSV alike.
func TestDeportmentSankeyProductColours(t *testing.T) {
	p := &refinery.Problem{Streams: []refinery.Stream{
		{ID: "ndpr_out", Name: "NdPr oxide product", Kind: "product", Commodity: "ndpr_oxide"},
		{ID: "lace_out", Name: "La/Ce carbonate product", Kind: "product", Commodity: "lace_carbonate"},
		{ID: "tails", Name: "Tailings", Kind: "residue"}}}
	a := refinery.ElementResult{Element: "Ce", FeedT: 10, Deportment: map[string]refinery.Num{"lace_out": 0.9, "tails": 0.1, "ndpr_out": 0}}
	c := deportmentSankey(p, a)
	colours := map[string]string{}
	for _, n := range c.Nodes {
		colours[n.Name] = n.Colour
	}
	if got, want := colours["La/Ce carbonate product"], commodityColour("lace_carbonate"); got != want || got == commodityColour("ndpr_oxide") {
		t.Errorf("La/Ce carbonate product node %q, want lace_carbonate's %q", got, want)
	}
	if _, drawn := colours["NdPr oxide product"]; drawn {
		t.Errorf("a 0 %% flow is drawn: %v", colours)
	}
	if csv := c.csvData(); strings.Contains(csv, "NdPr oxide product") || !strings.Contains(csv, "La/Ce carbonate product") {
		t.Errorf("CSV keeps a 0 %% flow the chart omits (or drops a drawn one):\n%s", csv)
	}
}

// TestTonnesResidueIsZero (issue 15, fix15u; nu15f finding 2): the lot
// page's dry-mass sum read "> −0.000000000001 dmt of what is not in
// parts" once the body was emptied: 40 × 0.95 = 38 dmt less parts at
// 0.95 leaves binary residue, 38 − 15.2 − 22.8 in float64 being
// −3.55e−15. A mass below 10 µg (units.MassResidue, 1e−11 t) is residue
// and reads 0; 0.5 kg still reads 0.0005 t, and 2 mg 0.002 g.
func TestTonnesResidueIsZero(t *testing.T) {
	for in, want := range map[float64]string{-1e-12: "0", 1e-12: "0", 38 - 15.2 - 22.8: "0", 0.0005: "0.0005", 12.3025: "12.303"} {
		if got := tonnesText(in); got != want {
			t.Errorf("tonnesText(%v) = %q, want %q", in, got, want)
		}
	}
	if got := massText(-1e-12); got != "0 t" {
		t.Errorf("massText(-1e-12) = %q, want 0 t", got)
	}
}
