package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// demoREELot3 is the demo's third REE lot (27.6 dmt, loading assay TREO
// 45.5 %, Nd2O3 5.2 %, Pr6O11 1.9 % of 2025-11-03), shipped and not yet
// invoiced.
const demoREELot3 = "urn:critmin:demo:lot:REE-2025-003"

// reeResults are the new user's results of issue 13 (r13): seller TREO
// 45.6 % Nd2O3 5.3 % Pr6O11 1.9 %; buyer TREO 45.0 % Nd2O3 5.25 % Pr6O11
// 1.9 %; umpire TREO 45.2 %.
func reeResults(party string, at time.Time) *commercial.ExchangeSubmission {
	pc := func(a, v string) commercial.ExchangeResult {
		return commercial.ExchangeResult{Analyte: a, Value: decimal.RequireFromString(v), Unit: "%"}
	}
	sub := &commercial.ExchangeSubmission{Lot: demoREELot3, Party: party, Lab: "urn:x:lab:" + party, At: at}
	switch party {
	case commercial.Seller:
		sub.Results = []commercial.ExchangeResult{pc("TREO", "45.6"), pc("Nd2O3", "5.3"), pc("Pr6O11", "1.9")}
	case commercial.Buyer:
		sub.Results = []commercial.ExchangeResult{pc("TREO", "45.0"), pc("Nd2O3", "5.25"), pc("Pr6O11", "1.9")}
	default:
		sub.Results = []commercial.ExchangeResult{pc("TREO", "45.2")}
	}
	return sub
}

// TestExchangeRefusedWithoutClause (fix13y, issue 13 r13 finding 1): the
// demo REE lot 3 invoiced under FWO-USSM-REE-2025, a contract with no
// assay_exchange clause: no rule settles the parties' results, so every
// party's results are refused 409 naming the contract and the missing
// clause — before, they were stored and then left out of the settlement
// and the exposure without a word, and the umpire's was accepted too.
func TestExchangeRefusedWithoutClause(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	if _, err := s.Issue(ctx, "FWO-USSM-REE-2025", demoREELot3, commercial.Provisional); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, party := range []string{commercial.Seller, commercial.Buyer, commercial.Umpire} {
		_, err := s.SubmitAssays(ctx, reeResults(party, at))
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !namesField(err, "/party") {
			t.Fatalf("%s's results: got %v, want a 409 naming /party", party, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "FWO-USSM-REE-2025") || !strings.Contains(msg, "assay_exchange") {
			t.Errorf("%s's refusal does not name the contract and the missing clause: %s", party, msg)
		}
		at = at.Add(24 * time.Hour)
	}
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, demoREELot3)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Results) != 0 {
		t.Errorf("refused results were stored: %+v", lf.Results)
	}
}

// TestUmpireRefusedOnLotUnderContractWithoutClause (fix13y): an
// umpire's results are refused unless the governing rule uses an umpire;
// the demo antimony lot's contract FWO-USSM-SB-2025 has no exchange
// clause at all. Before, an umpire with no rule to call it was stored.
func TestUmpireRefusedOnLotUnderContractWithoutClause(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	// Demo antimony lot: invoiced under FWO-USSM-SB-2025 (no exchange).
	sub := &commercial.ExchangeSubmission{Lot: commercial.DemoAntimonyLot, Party: commercial.Umpire, Lab: "urn:x:lab:u", At: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC),
		Results: []commercial.ExchangeResult{{Analyte: "Sb", Value: decimal.RequireFromString("9.4"), Unit: "%"}}}
	_, err := s.SubmitAssays(ctx, sub)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "FWO-USSM-SB-2025") {
		t.Fatalf("umpire on the antimony lot: got %v, want a 409 naming FWO-USSM-SB-2025", err)
	}
}

// TestUnusedExchangeResultsNamed (fix13y, issue 13 r13 finding 1): results
// already on record (captured directly as events, or before fix13y
// refused them) against a lot whose contract has no exchange clause are
// never dropped silently. Demo REE lot 3, provisional invoice
// under FWO-USSM-REE-2025; seller (2025-11-20), buyer (11-21) and umpire
// (11-22) results as the new user entered them. By the newest-assay rule
// TREO is the umpire's 45.2 % (11-22), Nd2O3 and Pr6O11 the buyer's 5.25
// and 1.9 % (11-21): two events, so the basket's one-sample rule reads
// the loading assay (TREO 45.5, Nd2O3 5.2, Pr6O11 1.9, 2025-11-03) — the
// provisional settlement reads it anyway. Both the settlement and the
// exposure name the seven results they leave out (seller 3, buyer 3,
// umpire 1) with their events; before, neither said a word.
func TestUnusedExchangeResultsNamed(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	if _, err := s.Issue(ctx, "FWO-USSM-REE-2025", demoREELot3, commercial.Provisional); err != nil {
		t.Fatal(err)
	}
	events := map[string]string{}
	for i, party := range []string{commercial.Seller, commercial.Buyer, commercial.Umpire} {
		id, err := commercial.CaptureExchangeEvent(ctx, s, reeResults(party, time.Date(2025, 11, 20+i, 10, 0, 0, 0, time.UTC)))
		if err != nil {
			t.Fatal(err)
		}
		events[party] = id
	}
	named := func(where, w string) {
		t.Helper()
		for party, id := range events {
			if !strings.Contains(w, id) || !strings.Contains(w, "the "+party+"'s") {
				t.Errorf("%s: the %s's results (event %s) are not named: %q", where, party, id, w)
			}
		}
		if !strings.Contains(w, "FWO-USSM-REE-2025 has no assay_exchange clause") {
			t.Errorf("%s: the warning does not say why: %q", where, w)
		}
	}
	v, _, err := s.Value(ctx, "FWO-USSM-REE-2025", demoREELot3)
	if err != nil {
		t.Fatal(err)
	}
	// The provisional: 45.5 % × 30 % = 136.5 kg TREO/dmt at the loading
	// shares, as before the results (the demo's 1 558.725 USD/dmt).
	eq(t, "nsr_per_dmt", v.NSRPerDMT, "1558.725")
	w := strings.Join(v.Provisional.Warnings, " | ")
	named("settlement", w)
	if n := strings.Count(w, "(event "); n != 7 {
		t.Errorf("settlement names %d results, want 7 (3 + 3 + 1): %q", n, w)
	}

	ex, err := s.Exposure(ctx, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range ex.Lots {
		if l.Lot != demoREELot3 {
			continue
		}
		found = true
		// Payable TREO 27.6 dmt × 136.5 kg = 3 767.4 kg (loading sample).
		eq(t, "exposure TREO kg", l.BasisKg["TREO"], "3767.4")
		named("exposure", strings.Join(l.Warnings, " | "))
	}
	if !found {
		t.Fatalf("lot %s not in the exposure", demoREELot3)
	}
}

// namesField reports whether err names the field pointer (any code).
func namesField(err error, pointer string) bool {
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == pointer {
			return true
		}
	}
	return false
}

// TestUmpireRefusedOnUnallocatedLot (fix13y): lot EXP-AMB (Cu 24 %, B/L
// 2 Sep 2025) could be invoiced under the demo copper contract or T-CU-B:
// no contract governs it yet, so no rule is known to call an umpire. The
// parties' results are taken (seller Cu 24.5 %, buyer 24.0 %: apart by
// 0.5, over either contract's 0.20 limit), the umpire's 24.2 % is refused
// 409 naming both candidate contracts — before, with both parties'
// results in and no contract known, it was accepted.
func TestUmpireRefusedOnUnallocatedLot(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-CU-B", func(map[string]any) {})
	lot := "urn:critmin:test:lot:EXP-AMB"
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	cu := func(party, v string, day int) *commercial.ExchangeSubmission {
		return &commercial.ExchangeSubmission{Lot: lot, Party: party, Lab: "urn:x:lab:" + party, At: time.Date(2025, 10, day, 0, 0, 0, 0, time.UTC),
			Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: decimal.RequireFromString(v), Unit: "%"}}}
	}
	for _, sub := range []*commercial.ExchangeSubmission{cu(commercial.Seller, "24.5", 10), cu(commercial.Buyer, "24.0", 11)} {
		if _, err := s.SubmitAssays(ctx, sub); err != nil {
			t.Fatalf("%s: %v", sub.Party, err)
		}
	}
	_, err := s.SubmitAssays(ctx, cu(commercial.Umpire, "24.2", 12))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !namesField(err, "/party") {
		t.Fatalf("umpire on an unallocated lot: %v; want a 409 naming /party", err)
	}
	for _, want := range []string{commercial.DemoContractFor[commercial.DemoCopperLot], "T-CU-B", "under no contract yet"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err.Error(), want)
		}
	}
}
