package commercial_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/shopspring/decimal"
)

// TestIssueRaceAcrossContracts: issue 13's new-user check sent two POST
// /api/v1/trade/invoices for one lot under two contracts at the same
// moment and got 201 twice (double billing): the "lot invoiced under
// another contract?" check ran before either invoice was written. Eight
// goroutines issue the provisional invoice of REE lot 1 (not yet invoiced:
// the Trade demo's invoices are not loaded here), four under contract A and
// four under contract B (the demo REE terms under two ids). Exactly one
// may succeed, the rest get ECONFLICT, and the ledger holds exactly one
// invoice event (bizTransaction type inv) for the lot: the losers record
// nothing.
func TestIssueRaceAcrossContracts(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "race.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := ledger.NewService(db)
	if _, err := demo.Load(ctx, l); err != nil {
		t.Fatal(err)
	}
	s := commercial.NewService(l)
	s.Now = func() time.Time { return commercial.DemoNow } // the demo prices run to 31 Dec 2025
	terms, err := os.ReadFile("demo/ree-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	prices, err := os.ReadFile("demo/prices.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportPrices(ctx, bytes.NewReader(prices), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"REE-A", "REE-B"} {
		if _, err := s.SaveContract(ctx, bytes.Replace(terms, []byte(`"FWO-USSM-REE-2025"`), []byte(`"`+id+`"`), 1)); err != nil {
			t.Fatal(err)
		}
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c := "REE-A"
			if i%2 == 1 {
				c = "REE-B"
			}
			_, errs[i] = s.Issue(ctx, c, commercial.DemoREELot1, commercial.Provisional)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
		} else if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("issue %d: err = %v, want ECONFLICT", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d provisional invoices of one lot issued; want 1", won)
	}
	invs, err := s.Invoices(ctx, critmin.InvoiceFilter{Lot: commercial.DemoREELot1})
	if err != nil || len(invs) != 1 {
		t.Errorf("stored invoices of the lot = %d, %v; want 1", len(invs), err)
	}
	page, err := db.FindEvents(ctx, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Patterns: []string{commercial.DemoREELot1}, Exact: true,
		Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}}}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	for _, ev := range page.Events {
		if strings.Contains(string(ev.Raw), "urn:critmin:inv:") {
			events++
		}
	}
	if events != 1 {
		t.Errorf("%d invoice events on the lot in the ledger; want 1 (the losers must record nothing)", events)
	}
}

// TestLotAnySpelling: the demo antimony lot's events name it as the LGTIN
// URN urn:epc:class:lgtin:0614141.012345.SB2025001; its canonical key
// (docs/identity.md) is the GS1 Digital Link
// https://id.gs1.org/01/00614141123452/10/SB2025001 (GTIN 0614141 + 12345
// with indicator 0: 0 0614141 12345 and check digit 2), which the lot list
// shows. Settlement and the invoice list must read the same lot under the
// URN, the Digital Link and the Digital Link with a trailing slash, and an
// unknown lot is "no lot …", not a missing B/L date.
func TestLotAnySpelling(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	const dl = "https://id.gs1.org/01/00614141123452/10/SB2025001"
	var values []string
	for _, spelling := range []string{commercial.DemoAntimonyLot, dl, dl + "/"} {
		v, _, err := s.Value(ctx, "FWO-USSM-SB-2025", spelling)
		if err != nil {
			t.Fatalf("settle %s: %v", spelling, err)
		}
		if v.Lot != dl {
			t.Errorf("settle %s: lot = %s, want the key %s", spelling, v.Lot, dl)
		}
		if len(v.Invoices) != 2 {
			t.Errorf("settle %s: %d invoices, want the provisional and the final", spelling, len(v.Invoices))
		}
		values = append(values, v.LotValue.String())
		invs, err := s.Invoices(ctx, critmin.InvoiceFilter{Lot: spelling})
		if err != nil || len(invs) != 2 {
			t.Errorf("invoices of %s = %d, %v; want 2", spelling, len(invs), err)
		}
	}
	if values[0] != values[1] || values[1] != values[2] {
		t.Errorf("lot values by spelling = %v; want one value", values)
	}
	_, _, err := s.Value(ctx, "FWO-USSM-SB-2025", "urn:epc:class:lgtin:0614141.012345.NOSUCH")
	if critmin.ErrorCode(err) != critmin.ENOTFOUND || !strings.Contains(critmin.ErrorMessage(err), "no lot") {
		t.Errorf("unknown lot: err = %v, want ENOTFOUND no lot", err)
	}
	// A second provisional invoice under the Digital Link spelling is the
	// same lot's second invoice, refused.
	if _, err := s.Issue(ctx, "FWO-USSM-SB-2025", dl, commercial.Provisional); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("provisional again under the Digital Link: err = %v, want ECONFLICT", err)
	}
}

// TestSublotWeightsFromLedger: the seller submits sublot A of the demo
// copper lot at 54.6 dmt, the buyer at 54.5 dmt (both within the 0.5 %
// tolerance of the lot's 54.6 dmt: 0.273 dmt). Before, the last statement
// silently won; now the final settlement is missing, naming sublots/A.
//
// The demo lot was exchanged as a whole: those results are declared in
// error first, since a lot is exchanged as a whole or by sublots, not
// both (TestNoMixOfLotAndSublotExchange).
func TestSublotWeightsFromLedger(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	v0, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for _, r := range v0.Facts.Results {
		if r.Sublot == "" && !done[r.EventID] {
			done[r.EventID] = true
			retract(t, s, r.EventID, "2025-11-19T09:00:00Z")
		}
	}
	for _, x := range []struct{ party, dmt string }{{commercial.Seller, "54.6"}, {commercial.Buyer, "54.5"}} {
		w := d(x.dmt)
		sub := &commercial.ExchangeSubmission{Lot: commercial.DemoCopperLot, Party: x.party, Lab: "urn:lab:" + x.party, Sublot: "A", SublotDMT: &w,
			At: time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC), Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d("22"), Unit: "%"}}}
		if _, err := s.SubmitAssays(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	v, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	if v.Final != nil || !strings.Contains(v.Missing, "sublots/A") || !strings.Contains(v.Missing, "54.6") || !strings.Contains(v.Missing, "54.5") {
		t.Errorf("final settlement with disagreeing sublot weights: missing %q", v.Missing)
	}
}

// TestImportPricesRace: issue 13 found that two imports into one price
// series at once could lose one import's days (each read the stored
// series, added its days and wrote the whole series back). Eight
// goroutines each import one weekday of RACE-CU (2025-10-01 … 10) at once,
// and then eight import 2025-11-03 at eight different prices: the first
// eight days must all be stored, and of the second eight exactly one is
// stored and seven are ECONFLICT (a day quoted differently), as the
// sequential path answers.
func TestImportPricesRace(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "prices.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &commercial.Service{Store: db, Now: func() time.Time { return time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC) }}
	const n = 8
	csv := func(day string, price int) string {
		return "series,date,value,unit,currency,source,frequency\nRACE-CU," + day + "," + strconv.Itoa(price) + ".00,USD/t,USD,test,daily\n"
	}
	run := func(body func(i int) string) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = s.ImportPrices(ctx, strings.NewReader(body(i)), commercial.PriceSeries{})
			}()
		}
		close(start)
		wg.Wait()
		return errs
	}
	days := []string{"2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08", "2025-10-09", "2025-10-10"} // weekdays
	for i, err := range run(func(i int) string { return csv(days[i], 9600+i) }) {
		if err != nil {
			t.Errorf("import %d: %v", i, err)
		}
	}
	ps, err := s.PriceSeries(ctx, "RACE-CU")
	if err != nil || len(ps.Points) != n {
		t.Fatalf("RACE-CU after %d imports of one day each: %v, %v; want %d days", n, ps, err, n)
	}
	won := 0
	for i, err := range run(func(i int) string { return csv("2025-11-03", 9700+i) }) {
		if err == nil {
			won++
		} else if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("import %d of 2025-11-03: err = %v, want ECONFLICT", i, err)
		}
	}
	if ps, err = s.PriceSeries(ctx, "RACE-CU"); won != 1 || err != nil || len(ps.Points) != n+1 {
		t.Errorf("2025-11-03 stored by %d imports; RACE-CU has %d days (%v); want 1 and %d", won, len(ps.Points), err, n+1)
	}
}

// TestContractEditRacesIssue: issue 13 — a term-sheet edit racing the
// lot's first invoice could succeed along with it ("no invoices yet" was
// read before either was written), leaving an invoice computed on the old
// terms that is then refused whenever it is served. For each demo REE
// lot, its own copy of the demo REE contract is edited (provisional share
// 85 % → 90 %) while the lot's provisional invoice is issued under it.
// Exactly one may win: the edit (the issue is ECONFLICT and no invoice is
// stored) or the invoice (the edit is ECONFLICT, the terms are still 85 %
// and the invoice is served, i.e. verifies against its contract).
func TestContractEditRacesIssue(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "edit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := ledger.NewService(db)
	if _, err := demo.Load(ctx, l); err != nil {
		t.Fatal(err)
	}
	s := commercial.NewService(l)
	s.Now = func() time.Time { return commercial.DemoNow } // the demo prices run to 31 Dec 2025
	terms, err := os.ReadFile("demo/ree-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportPrices(ctx, mustOpen(t, "demo/prices.csv"), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	for i, lot := range []string{commercial.DemoREELot1, commercial.DemoREELot2} {
		id := fmt.Sprintf("REE-EDIT-%d", i)
		v1 := bytes.Replace(terms, []byte(`"FWO-USSM-REE-2025"`), []byte(`"`+id+`"`), 1)
		v2 := bytes.Replace(v1, []byte(`"provisional_pct": 85`), []byte(`"provisional_pct": 90`), 1)
		if bytes.Equal(v1, v2) {
			t.Fatal("demo REE terms no longer say provisional_pct 85")
		}
		if _, err := s.SaveContract(ctx, v1); err != nil {
			t.Fatal(err)
		}
		var editErr, issueErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		go func() { defer wg.Done(); <-start; _, editErr = s.SaveContract(ctx, v2) }()
		go func() { defer wg.Done(); <-start; _, issueErr = s.Issue(ctx, id, lot, commercial.Provisional) }()
		close(start)
		wg.Wait()
		ts, err := s.Contract(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		v, _, verr := s.Value(ctx, id, lot)
		switch {
		case editErr == nil && issueErr == nil:
			// Both succeed only when the edit committed before the issue
			// settled: the invoice then rests on the new terms (90 %) and
			// is served. Resting on the replaced terms is the race.
			if !ts.Payment.ProvisionalPct.Equal(decimal.NewFromInt(90)) || verr != nil || len(v.Invoices) != 1 {
				t.Errorf("%s: the edit and the invoice both succeeded but the invoice is not the edited terms' (provisional %s %%, served: %v, %d invoices)", id, ts.Payment.ProvisionalPct, verr, len(v.Invoices))
			}
		case editErr == nil:
			if critmin.ErrorCode(issueErr) != critmin.ECONFLICT || !ts.Payment.ProvisionalPct.Equal(decimal.NewFromInt(90)) || verr != nil || len(v.Invoices) != 0 {
				t.Errorf("%s: edit won; issue err = %v (want ECONFLICT), provisional %s %% (want 90), value err %v", id, issueErr, ts.Payment.ProvisionalPct, verr)
			}
		case issueErr == nil:
			if critmin.ErrorCode(editErr) != critmin.ECONFLICT || !ts.Payment.ProvisionalPct.Equal(decimal.NewFromInt(85)) || verr != nil || len(v.Invoices) != 1 {
				t.Errorf("%s: invoice won; edit err = %v (want ECONFLICT), provisional %s %% (want 85), invoice served: %v", id, editErr, ts.Payment.ProvisionalPct, verr)
			}
		default:
			t.Errorf("%s: neither won: edit %v, issue %v", id, editErr, issueErr)
		}
	}
}
