package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

func fptr(f float64) *float64 { return &f }

// TestNewestAssayWinsWhateverBasis (issue 9, new-user check): lot F holds
// an older dry assay, Nd 2 % (1 October), and a newer as-received one,
// Nd 2.7 % with 10 % moisture measured with it (5 October). The newer
// wins, converted to dry: 2.7 / (1 − 0.10) = 3.0 % Nd → 0.03 t Nd per dry
// tonne, not the older 0.02. On 20 t dry that is 20 × 0.03 = 0.6 t Nd
// (ledger.Contained). Without a moisture (none with the assay, none on
// the lot) the Nd grade is unknown and GradeNotes says so: the older
// 2 % does not stand in.
func TestNewestAssayWinsWhateverBasis(t *testing.T) {
	d1 := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	d5 := time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC)
	l := &critmin.Lot{ID: "urn:t:lot:F", DryTonnes: 20, Assays: []critmin.Assay{
		{Analyte: "Nd", Value: 2, Unit: "%", Basis: "dry", At: d1, EventID: "urn:t:ev:a1"},
		{Analyte: "Nd", Value: 2.7, Unit: "%", Basis: "as_received", Moisture: fptr(0.10), At: d5, EventID: "urn:t:ev:a5"},
	}}
	if g := custody.GradesOf(l); !near(g["Nd"], 0.03) {
		t.Errorf("GradesOf Nd = %v, want 0.03 (2.7 / 0.9 %%)", g["Nd"])
	}
	if c, ok := ledger.Contained(l, "Nd"); !ok || !near(c, 0.6) {
		t.Errorf("Contained Nd = %v %v, want 0.6 t", c, ok)
	}
	if n := custody.GradeNotes(l); len(n) != 0 {
		t.Errorf("notes %v, want none", n)
	}
	// The moisture of the lot converts it when the assay has none: lot
	// moisture 0.25 → 2.7 / 0.75 = 3.6 % Nd.
	l.Assays[1].Moisture = nil
	l.Moisture = fptr(0.25)
	if g := custody.GradesOf(l); !near(g["Nd"], 0.036) {
		t.Errorf("GradesOf Nd with the lot's moisture = %v, want 0.036", g["Nd"])
	}
	// No moisture at all: unknown, said, and never the older 2 %.
	l.Moisture = nil
	if g, ok := custody.GradesOf(l)["Nd"]; ok {
		t.Errorf("GradesOf Nd = %v without any moisture, want unknown", g)
	}
	if _, ok := ledger.Contained(l, "Nd"); ok {
		t.Error("Contained Nd known without any moisture")
	}
	if n := custody.GradeNotes(l); len(n) != 1 || !strings.Contains(n[0], "no moisture is known") || !strings.Contains(n[0], "urn:t:ev:a5") {
		t.Errorf("notes %v, want one naming the as-received assay's event", n)
	}
	// A newer dry assay wins over an older as-received one, as it is.
	l.Assays[0].At = d5.Add(24 * time.Hour)
	if g := custody.GradesOf(l); !near(g["Nd"], 0.02) {
		t.Errorf("GradesOf Nd = %v, want the newer dry 0.02", g["Nd"])
	}
}
