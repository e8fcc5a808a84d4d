package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// Results of two sublots are two quantities: the seller's Cu of sublot A
// (24.1 %) and of sublot B (23.5 %) reported at the same instant are both
// accepted and both kept, each its own sublot's result.
func TestSameTimeSublotResultsAccepted(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	bookLot(t, s, "urn:critmin:test:lot:SUB-AB", 7, 100000)
	at := time.Date(2025, 9, 10, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct{ sub, dmt, v string }{{"A", "46.5", "24.1"}, {"B", "46.5", "23.5"}} {
		w := d(c.dmt)
		if _, err := s.SubmitAssays(ctx, &commercial.ExchangeSubmission{Lot: "urn:critmin:test:lot:SUB-AB", Party: "seller", Lab: "urn:lab:x", At: at,
			Sublot: c.sub, SublotDMT: &w, Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d(c.v), Unit: "%"}}}); err != nil {
			t.Fatalf("sublot %s at the same time as the other: %v", c.sub, err)
		}
	}
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, "urn:critmin:test:lot:SUB-AB")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range lf.Results {
		got[r.Sublot] = r.Value.String()
	}
	if got["A"] != "24.1" || got["B"] != "23.5" {
		t.Errorf("results by sublot = %v, want A 24.1 and B 23.5", got)
	}
}
