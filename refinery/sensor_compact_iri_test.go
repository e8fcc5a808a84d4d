package refinery_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/refinery"
)

// TestFromLedgerCompactSubstance: a chemicalSubstance written as a
// compact IRI is expanded against the document's @context, as JSON-LD
// does and as extension keys are resolved: "cm:analyte/Cu" with cm =
// https://ns.critmin.org/mineral/v1/ is the Cu analyte, so conc's Cu is
// the 17 % reported; an event's own @context declaring an =
// https://ns.critmin.org/mineral/v1/analyte/ makes "an:Cu" reclaim's
// 2.4 % (JSON-LD: the inner context overlays the document's).
func TestFromLedgerCompactSubstance(t *testing.T) {
	ctx, store, svc, flow := sensorStore(t)
	rpR, rpC := "urn:critmin:test:rp:reclaim", "urn:critmin:test:rp:conc"
	compact := strings.Replace(conc("Cu", 17), `"https://ns.critmin.org/mineral/v1/analyte/Cu"`, `"cm:analyte/Cu"`, 1)
	if !strings.Contains(compact, `"cm:analyte/Cu"`) {
		t.Fatalf("report not compacted: %s", compact)
	}
	captureEvents(t, ctx, svc,
		strings.Replace(sensorEvent("r1", "2025-10-25T08:00:00Z", "", rpR, mass(170, "TNE"),
			strings.Replace(conc("Cu", 2.4), `"https://ns.critmin.org/mineral/v1/analyte/Cu"`, `"an:Cu"`, 1)),
			`{"type": "ObjectEvent",`, `{"@context": {"an": "https://ns.critmin.org/mineral/v1/analyte/"}, "type": "ObjectEvent",`, 1),
		sensorEvent("c1", "2025-10-26T08:00:00Z", "", rpC, mass(20, "TNE"), compact),
	)
	p, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"conc": 17, "reclaim": 2.4}
	for _, st := range p.Streams {
		if w, ok := want[st.ID]; ok {
			if g := st.Grade["Cu"]; g == nil || g.Value != w {
				t.Errorf("%s Cu from a compact IRI: %+v, want %g %%", st.ID, g, w)
			}
			delete(want, st.ID)
		}
	}
	if len(want) > 0 {
		t.Errorf("streams missing: %v", want)
	}
}
