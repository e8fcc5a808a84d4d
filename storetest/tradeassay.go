package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// testTradeAssayRace: one party states one fact once (issue 13, new-user
// check nu13f, 5). Four concurrent submissions by the seller of lot
// ar-1's Cu at one time, 24.1, 24.2, 24.3 and 24.4 %, all returned 201
// and the lot's value rested on whichever landed last. Each submission
// of the fact carries one eventID (commercial.exchangeEventID), so the
// capture's write transaction (the unique eventID) lets one through: one
// is stored, the other three are refused ECONFLICT naming the stored
// event. The seller's Au at the same time is another report of the same
// fact (one report per party and time) and is refused too; the buyer's
// Cu at that time is another party's fact and stands; the seller's
// winning values submitted again are the same statement (its id, no new
// event).
func testTradeAssayRace(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	l := service(s)
	lot := "urn:critmin:lot:ar-1"
	MustCapture(t, l, docOf(commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000a1", "2025-09-01T08:00:00Z", lot, "20000", "copper_concentrate", "PAK")))
	svc := commercial.NewService(l)
	svc.Now = func() time.Time { return time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC) }
	at := time.Date(2025, 9, 10, 12, 0, 0, 0, time.UTC)
	sub := func(party, analyte, v string) *commercial.ExchangeSubmission {
		return &commercial.ExchangeSubmission{Lot: lot, Party: party, Lab: "urn:critmin:lab:x", At: at,
			Results: []commercial.ExchangeResult{{Analyte: analyte, Value: decimal.RequireFromString(v), Unit: "%"}}}
	}
	values := []string{"24.1", "24.2", "24.3", "24.4"}
	ids := make([]string, len(values))
	errs := make([]error, len(values))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, v := range values {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ids[i], errs[i] = svc.SubmitAssays(ctx, sub("seller", "Cu", v))
		}()
	}
	close(start)
	wg.Wait()
	won, stored := -1, ""
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won, stored = i, ids[i]
		case err == nil:
			t.Errorf("Cu %s %% and Cu %s %% both stood (events %s, %s)", values[won], values[i], stored, ids[i])
		case critmin.ErrorCode(err) != critmin.ECONFLICT:
			t.Errorf("Cu %s %%: %v, want ECONFLICT", values[i], err)
		}
	}
	if won < 0 {
		t.Fatalf("no submission stood: %v", errs)
	}
	for i, err := range errs {
		if i != won && (err == nil || !strings.Contains(err.Error(), stored) || !strings.Contains(err.Error(), "Cu "+values[won]+" %")) {
			t.Errorf("Cu %s %%: %v, want a refusal naming event %s and Cu %s %%", values[i], err, stored, values[won])
		}
	}
	lf, err := commercial.LotFactsFromEvents(ctx, s, lot)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lf.Results); n != 1 {
		t.Errorf("%d live results of the seller's Cu, want 1: %+v", n, lf.Results)
	}
	// Au 0.00041 % (4.1 g/t: a plausible grade, GradeBounds; 4.1 % would
	// be refused as a unit slip before the race is reached).
	if _, err := svc.SubmitAssays(ctx, sub("seller", "Au", "0.00041")); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("the seller's Au at the same time: %v, want ECONFLICT", err)
	}
	if _, err := svc.SubmitAssays(ctx, sub("buyer", "Cu", "23.9")); err != nil {
		t.Errorf("the buyer's Cu at that time: %v", err)
	}
	n, _ := s.CountEvents(ctx)
	if id, err := svc.SubmitAssays(ctx, sub("seller", "Cu", values[won])); err != nil || id != stored {
		t.Errorf("the same statement again: %s, %v; want %s", id, err, stored)
	}
	if m, _ := s.CountEvents(ctx); m != n {
		t.Errorf("the same statement again stored an event: %d → %d", n, m)
	}
}
