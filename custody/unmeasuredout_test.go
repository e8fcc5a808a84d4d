package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestUnmeasuredOutputNotZero (issue 9, new-user check): run R takes 50 t
// of feed F at 2 % Nd (50 × 0.02 = 1.0 t Nd in) and makes two outputs:
// Y, 10 t at 5 % Nd (10 × 0.05 = 0.5 t Nd), and Z, 5 t without any assay.
// Z's Nd is unknown, not 0: the Nd line reads in 1.0, out null (not 0.5
// as if Z held none), checked false, Z named as unmeasured, with a note;
// no element_gain (the measured 0.5 t is below 1.0 t).
func TestUnmeasuredOutputNotZero(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("F", "ree_concentrate", "PAK", 50, "Nd:2"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"F:50"},
			product{lot: "Y", commodity: "ree_carbonate", t: 10, assays: []string{"Nd:5"}},
			product{lot: "Z", commodity: "ree_carbonate", t: 5}),
	))
	c, err := custody.Origin(context.Background(), db, "urn:t:lot:Y")
	if err != nil {
		t.Fatal(err)
	}
	var nd *custody.ElementLine
	for _, r := range c.Runs {
		for i, l := range r.Elements {
			if l.Element == "Nd" {
				nd = &r.Elements[i]
			}
		}
	}
	if nd == nil || !near(nd.In, 1.0) || nd.Out != nil || nd.Checked || nd.Gain ||
		len(nd.UnmeasuredOutputs) != 1 || nd.UnmeasuredOutputs[0] != "urn:t:lot:Z" || !strings.Contains(nd.Note, "unmeasured, not zero") {
		t.Fatalf("Nd line %+v, want in 1.0, out null, unchecked, Z unmeasured", nd)
	}
	for _, a := range c.Anomalies {
		if a.Kind == "element_gain" {
			t.Errorf("false gain: %+v", a)
		}
	}
}

// TestNoOutputAssayed: run R takes 50 t of F at 2 % Nd (1.0 t Nd in) and
// makes Y, 10 t, with no assay: the Nd line is out null, unchecked —
// before the fix it read out 0, checked true.
func TestNoOutputAssayed(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("F", "ree_concentrate", "PAK", 50, "Nd:2"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"F:50"}, product{lot: "Y", commodity: "ree_carbonate", t: 10}),
	))
	c, err := custody.Origin(context.Background(), db, "urn:t:lot:Y")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Runs) != 1 || len(c.Runs[0].Elements) != 1 {
		t.Fatalf("runs %+v", c.Runs)
	}
	l := c.Runs[0].Elements[0]
	if l.Element != "Nd" || !near(l.In, 1.0) || l.Out != nil || l.Checked || l.Note == "" {
		t.Errorf("Nd line %+v, want in 1.0, out null, unchecked with a note", l)
	}
}
