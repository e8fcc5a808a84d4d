package refinery_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqlite"
)

// TestUntrackedElementWarned: an element measured in the ledger for the
// site and period that the flowsheet does not track (it tracks Cu only)
// is never skipped silently: As on the conc's sensor report and on a
// second report at the feed give one warning naming As, both events and how to account
// for it; the result and the report (page, text, CSV, XLSX notes) carry
// it. The Cu figures are unchanged (conc 20 t).
func TestUntrackedElementWarned(t *testing.T) {
	ctx, store, svc, flow := sensorStore(t)
	rpF, rpR, rpC := "urn:critmin:test:rp:feed", "urn:critmin:test:rp:reclaim", "urn:critmin:test:rp:conc"
	captureEvents(t, ctx, svc,
		sensorEvent("f1", "2025-10-05T08:00:00Z", "", rpF, mass(200, "TNE"), conc("Cu", 2.5)),
		sensorEvent("f2", "2025-10-06T08:00:00Z", "", rpF, mass(10, "TNE"), conc("As", 0.1)),
		sensorEvent("r1", "2025-10-25T08:00:00Z", "", rpR, mass(170, "TNE"), conc("Cu", 2.4)),
		sensorEvent("c1", "2025-10-26T08:00:00Z", "", rpC, mass(20, "TNE"), conc("Cu", 17), conc("As", 0.4)),
	)
	p, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	var as []string
	for _, w := range p.Warnings {
		if strings.HasPrefix(w, "element As ") {
			as = append(as, w)
		}
	}
	if len(as) != 1 || !strings.Contains(as[0], "urn:critmin:test:event:c1") || !strings.Contains(as[0], "urn:critmin:test:event:f2") || !strings.Contains(as[0], "does not track it") || !strings.Contains(as[0], `add "As" to the flowsheet's elements`) {
		t.Fatalf("warnings %q: want one naming As, events c1 and f2, and the remedy", p.Warnings)
	}
	for _, s := range p.Streams {
		if s.ID == "conc" && (s.Mass == nil || s.Mass.Value != 20) {
			t.Errorf("conc %+v, want 20 t", s.Mass)
		}
	}
	r := mustReconcile(t, p)
	if !slices.Contains(r.Warnings, as[0]) {
		t.Errorf("result warnings %q lack it", r.Warnings)
	}
	rep := refinery.NewReport(p, r, nil, time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC))
	if !slices.Contains(rep.Notes, "WARNING: "+as[0]+".") {
		t.Errorf("report notes %q lack it", rep.Notes)
	}
}

// TestUntrackedLotElementWarned: the demo corridor's lots carry assays
// of elements the demo refinery's flowsheet does not track once one is
// dropped from it (Nd removed from the tracked list here, with its
// grades): the lots' Nd is named in a warning, not skipped silently.
func TestUntrackedLotElementWarned(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := demo.Load(ctx, ledger.NewService(store)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("demo/refinery-mo.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flow, err := refinery.DecodeProblemUnvalidated(f)
	if err != nil {
		t.Fatal(err)
	}
	p0, err := refinery.FromLedger(ctx, store, flow, "urn:critmin:demo:site:refinery-mo", "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range p0.Warnings {
		if strings.HasPrefix(w, "element ") {
			t.Errorf("the demo flowsheet tracks every element its lots carry, yet: %s", w)
		}
	}
	flow.Elements = slices.DeleteFunc(flow.Elements, func(e string) bool { return e == "Nd" })
	for i := range flow.Streams {
		delete(flow.Streams[i].Grade, "Nd")
	}
	for i := range flow.Nodes {
		if inv := flow.Nodes[i].Inventory; inv != nil {
			delete(inv.OpeningGrade, "Nd")
			delete(inv.ClosingGrade, "Nd")
		}
	}
	p, err := refinery.FromLedger(ctx, store, flow, "urn:critmin:demo:site:refinery-mo", "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range p.Warnings {
		if strings.HasPrefix(w, "element Nd ") && strings.Contains(w, "lot urn:critmin:demo:lot:REE-2025-001") {
			found = true
		}
	}
	if !found {
		t.Errorf("warnings %q: want one naming Nd and lot REE-2025-001", p.Warnings)
	}
}
