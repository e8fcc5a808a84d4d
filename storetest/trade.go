package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testTrade checks the Trade store: documents replace by kind and id, one
// invoice per contract, lot and kind, payments against known invoices
// only, declarations replaced per element and refused once the lot has its
// final invoice, an invoiced contract's terms kept.
func testTrade(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)
	doc := &critmin.TradeDoc{Kind: critmin.TradeContract, ID: "C-1", Body: json.RawMessage(`{"id":"C-1","v":1}`), SavedAt: at}
	if err := s.SaveTradeDoc(ctx, doc); err != nil {
		t.Fatal(err)
	}
	doc.Body = json.RawMessage(`{"id":"C-1","v":2}`)
	if err := s.SaveTradeDoc(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradePrices, ID: "C-1", Body: json.RawMessage(`{}`), SavedAt: at}); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindTradeDoc(ctx, critmin.TradeContract, "C-1")
	if err != nil || string(got.Body) != `{"id":"C-1","v":2}` || !got.SavedAt.Equal(at) {
		t.Fatalf("FindTradeDoc = %+v, %v", got, err)
	}
	// The edit kept the first terms (fix13x): both versions, oldest first.
	if vd, err := s.FindTradeDoc(ctx, critmin.TradeContractVersions, "C-1"); err != nil {
		t.Errorf("versions of C-1: %v", err)
	} else {
		var vs []critmin.TradeDocVersion
		if err := json.Unmarshal(vd.Body, &vs); err != nil || len(vs) != 2 || !jsonSame(vs[0].Body, `{"id":"C-1","v":1}`) || !jsonSame(vs[1].Body, `{"id":"C-1","v":2}`) || !vs[0].SavedAt.Equal(at) {
			t.Errorf("versions of C-1 = %s, %v; want v 1 then v 2, saved %s", vd.Body, err, at)
		}
	}
	if _, err := s.FindTradeDoc(ctx, critmin.TradeAgreement, "C-1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("missing doc: err = %v, want ENOTFOUND", err)
	}
	list, err := s.ListTradeDocs(ctx, critmin.TradeContract)
	if err != nil || len(list) != 1 {
		t.Errorf("ListTradeDocs = %d, %v; want the one contract", len(list), err)
	}

	inv := &critmin.StoredInvoice{ID: "INV-1-P", Contract: "C-1", Lot: "urn:lot:1", Kind: "provisional", Currency: "USD", Total: "1918358.10",
		IssuedAt: at, DueDate: "2025-09-07", EventID: "urn:uuid:1", Body: json.RawMessage(`{"id":"INV-1-P"}`)}
	if err := s.SaveInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	dup := *inv
	dup.ID = "INV-1-P-again"
	// The loser of two provisional invoices under one contract is told the
	// invoice it lost to and that it is under this same contract (it read
	// "…; not issued under contract C-1", as if another contract held it).
	if err := s.SaveInvoice(ctx, &dup); critmin.ErrorCode(err) != critmin.ECONFLICT ||
		!strings.Contains(err.Error(), "lot urn:lot:1 already has a provisional invoice INV-1-P under this contract (C-1)") {
		t.Errorf("second provisional invoice: err = %v, want ECONFLICT naming INV-1-P under this contract", err)
	}
	fin := *inv
	fin.ID, fin.Kind, fin.Total, fin.IssuedAt = "INV-1-F", "final", "-12.34", at.Add(24*time.Hour)
	if err := s.SaveInvoice(ctx, &fin); err != nil {
		t.Fatal(err)
	}
	back, err := s.FindInvoice(ctx, "INV-1-F")
	if err != nil || back.Total != "-12.34" || back.Kind != "final" || !back.IssuedAt.Equal(fin.IssuedAt) {
		t.Errorf("FindInvoice = %+v, %v", back, err)
	}
	if _, err := s.FindInvoice(ctx, "nope"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("missing invoice: err = %v", err)
	}
	invs, err := s.ListInvoices(ctx, critmin.InvoiceFilter{Lot: "urn:lot:1"})
	if err != nil || len(invs) != 2 || invs[0].ID != "INV-1-P" {
		t.Errorf("ListInvoices = %v, %v; want provisional then final", invs, err)
	}
	if invs, _ := s.ListInvoices(ctx, critmin.InvoiceFilter{Contract: "other"}); len(invs) != 0 {
		t.Errorf("filter by contract returned %d", len(invs))
	}

	if err := s.SavePayment(ctx, &critmin.TradePayment{ID: "P-1", Invoice: "INV-1-P", Amount: "1918358.10", PaidOn: "2025-09-07"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePayment(ctx, &critmin.TradePayment{ID: "P-1", Invoice: "INV-1-P", Amount: "1", PaidOn: "2025-09-08"}); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("duplicate payment: err = %v", err)
	}
	if err := s.SavePayment(ctx, &critmin.TradePayment{ID: "P-2", Invoice: "nope", Amount: "1", PaidOn: "2025-09-08"}); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("payment of an unknown invoice: err = %v", err)
	}
	pays, err := s.ListPayments(ctx, "INV-1-P")
	if err != nil || len(pays) != 1 || pays[0].Amount != "1918358.10" {
		t.Errorf("ListPayments = %v, %v", pays, err)
	}

	edit := &critmin.TradeDoc{Kind: critmin.TradeContract, ID: "C-1", Body: json.RawMessage(`{"v":3}`), SavedAt: at}
	if err := s.SaveTradeDoc(ctx, edit); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("edit of an invoiced contract: err = %v, want ECONFLICT", err)
	}
	edit.Body = json.RawMessage(`{"v": 2, "id": "C-1"}`) // the stored terms, spelt differently
	if err := s.SaveTradeDoc(ctx, edit); err != nil {
		t.Errorf("saving an invoiced contract's own terms again: %v", err)
	}
	d := &critmin.QPDeclaration{Contract: "C-1", Lot: "urn:lot:1", Element: "Cu", Month: 1, Party: "buyer", DeclaredAt: at}
	if err := s.SaveDeclaration(ctx, d); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("declaration on a lot with its final invoice: err = %v, want EINVALID", err)
	}
	if ds, err := s.ListDeclarations(ctx, "C-1", "urn:lot:1"); err != nil || len(ds) != 0 {
		t.Errorf("refused declaration: ListDeclarations = %v, %v; want none", ds, err)
	}
	d.Lot = "urn:lot:2"
	if err := s.SaveDeclaration(ctx, d); err != nil {
		t.Fatal(err)
	}
	// A declaration is final once made: a second for the element (or "*"
	// beside it) is ECONFLICT and changes nothing, unless the contract
	// allows re-declaration (Redeclare).
	d.Month = 2
	if err := s.SaveDeclaration(ctx, d); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("second declaration of Cu: err = %v, want ECONFLICT", err)
	}
	star := *d
	star.Element = "*"
	if err := s.SaveDeclaration(ctx, &star); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("\"*\" beside Cu: err = %v, want ECONFLICT", err)
	}
	if ds, err := s.ListDeclarations(ctx, "C-1", "urn:lot:2"); err != nil || len(ds) != 1 || ds[0].Month != 1 {
		t.Errorf("after refused declarations: ListDeclarations = %+v, %v; want Cu month 1", ds, err)
	}
	d.Redeclare = true
	if err := s.SaveDeclaration(ctx, d); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ListDeclarations(ctx, "C-1", "urn:lot:2")
	if err != nil || len(ds) != 1 || ds[0].Month != 2 || ds[0].Party != "buyer" {
		t.Errorf("ListDeclarations = %+v, %v", ds, err)
	}
}

// testTradeRace checks that the database, not the caller's check before
// writing, holds the Trade invariants when writers race (several servers
// on one store; issue 13's new-user check found two provisional invoices of
// one lot under two contracts, both 201):
//
//   - eight provisional invoices of one lot under eight contracts, saved at
//     once: exactly one is stored, seven get ECONFLICT;
//   - eight payments of 30.00 against an invoice of 100.00, at once: the
//     sum may not pass |total|, so 3 × 30 = 90 ≤ 100 are stored and the
//     fourth (120 > 100) and the rest get ECONFLICT; the stored sum is 90.
func testTradeRace(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c := fmt.Sprintf("C-%d", i)
			errs[i] = s.SaveInvoice(ctx, &critmin.StoredInvoice{ID: "INV-" + c + "-P", Contract: c, Lot: "urn:lot:race", Kind: "provisional", Currency: "USD",
				Total: "100.00", IssuedAt: at, DueDate: "2025-09-07", EventID: "urn:uuid:" + c, Body: json.RawMessage(`{}`)})
		}()
	}
	close(start)
	wg.Wait()
	var won string
	for i, err := range errs {
		switch {
		case err == nil && won != "":
			t.Errorf("contracts %s and C-%d both invoiced lot urn:lot:race (double billing)", won, i)
		case err == nil:
			won = fmt.Sprintf("C-%d", i)
		case critmin.ErrorCode(err) != critmin.ECONFLICT:
			t.Errorf("invoice under C-%d: err = %v, want ECONFLICT", i, err)
		}
	}
	// Each loser names the winning invoice and the contract it is under.
	for i, err := range errs {
		if err != nil && won != "" && !strings.Contains(err.Error(), "provisional invoice INV-"+won+"-P under contract "+won) {
			t.Errorf("invoice under C-%d: %v; want it to name INV-%s-P under contract %s", i, err, won, won)
		}
	}
	invs, err := s.ListInvoices(ctx, critmin.InvoiceFilter{Lot: "urn:lot:race"})
	if err != nil || len(invs) != 1 {
		t.Fatalf("ListInvoices = %d invoices, %v; want the one provisional", len(invs), err)
	}
	start = make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.SavePayment(ctx, &critmin.TradePayment{ID: fmt.Sprintf("PAY-%d", i), Invoice: invs[0].ID, Amount: "30.00", PaidOn: "2025-09-08"})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		if err == nil {
			ok++
		} else if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("payment %d: err = %v, want ECONFLICT", i, err)
		}
	}
	pays, err := s.ListPayments(ctx, invs[0].ID)
	if err != nil || ok != 3 || len(pays) != 3 {
		t.Errorf("%d payments accepted, %d stored (%v); want 3 of 30.00 against 100.00", ok, len(pays), err)
	}
	// Payments without an id are numbered in the write transaction: the
	// three already stored make the next ones 4, 5, 6 … whatever their
	// order. Numbered from a count read before writing, all n racing
	// took PAY-R-4 and all but one got ECONFLICT ("already recorded").
	// n payments of 0.01 against the 10.00 left (100.00 − 3 × 30.00).
	start = make(chan struct{})
	ps := make([]*critmin.TradePayment, n)
	for i := range n {
		ps[i] = &critmin.TradePayment{IDPrefix: "PAY-R-", Invoice: invs[0].ID, Amount: "0.01", PaidOn: "2025-09-09"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.SavePayment(ctx, ps[i])
		}()
	}
	close(start)
	wg.Wait()
	ids := map[string]bool{}
	for i, err := range errs {
		if err != nil {
			t.Errorf("numbered payment %d: %v", i, err)
			continue
		}
		ids[ps[i].ID] = true
	}
	for k := 4; k < 4+n; k++ {
		if id := fmt.Sprintf("PAY-R-%d", k); !ids[id] {
			t.Errorf("no payment %s among %v", id, ids)
		}
	}
}

// race2 runs a and b at once (released together) and returns their errors.
func race2(a, b func() error) (errA, errB error) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); <-start; errA = a() }()
	go func() { defer wg.Done(); <-start; errB = b() }()
	close(start)
	wg.Wait()
	return errA, errB
}

// tradeRaceRounds is how many times each two-party race is run: each
// round may go either way, and both ways are checked.
const tradeRaceRounds = 16

// testTradeRaceTerms: a term-sheet edit racing an invoice (issue 13). A
// contract with invoices keeps its terms, and an invoice is stored only on
// the terms it was computed from (InvoiceBasis.Terms). In each round
// contract T-r holds body v1; at once, one goroutine saves v2 and another
// saves the provisional invoice of lot urn:lot:terms-r computed on v1.
// Exactly one may win: either the contract is v2 and has no invoice, or it
// is still v1 and has the one invoice. Both winning is an invoice resting
// on replaced terms (later refused when served); neither is a lost write.
func testTradeRaceTerms(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)
	wins := map[string]int{}
	for r := range tradeRaceRounds {
		c := fmt.Sprintf("T-%d", r)
		lot := fmt.Sprintf("urn:lot:terms-%d", r)
		v1, v2 := fmt.Sprintf(`{"id":%q,"tc":"80"}`, c), fmt.Sprintf(`{"id":%q,"tc":"95"}`, c)
		if err := s.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradeContract, ID: c, Body: json.RawMessage(v1), SavedAt: at}); err != nil {
			t.Fatal(err)
		}
		read, err := s.FindTradeDoc(ctx, critmin.TradeContract, c)
		if err != nil {
			t.Fatal(err)
		}
		editErr, invErr := race2(
			func() error {
				return s.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradeContract, ID: c, Body: json.RawMessage(v2), SavedAt: at.Add(time.Hour)})
			},
			func() error {
				return s.SaveInvoice(ctx, &critmin.StoredInvoice{ID: "INV-" + c + "-P", Contract: c, Lot: lot, Kind: "provisional", Currency: "USD", Total: "100.00",
					IssuedAt: at, DueDate: "2025-09-07", EventID: "urn:uuid:" + c, Body: json.RawMessage(`{}`), Basis: &critmin.InvoiceBasis{Terms: read.Body}})
			})
		got, err := s.FindTradeDoc(ctx, critmin.TradeContract, c)
		if err != nil {
			t.Fatal(err)
		}
		invs, err := s.ListInvoices(ctx, critmin.InvoiceFilter{Contract: c})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case editErr == nil && invErr == nil:
			t.Errorf("round %d: the edit and the invoice both succeeded: the invoice rests on replaced terms", r)
		case editErr == nil:
			if critmin.ErrorCode(invErr) != critmin.ECONFLICT || !jsonSame(got.Body, v2) || len(invs) != 0 {
				t.Errorf("round %d: edit won; invoice err = %v (want ECONFLICT), contract %s (want v2), %d invoices (want 0)", r, invErr, got.Body, len(invs))
			}
			wins["edit"]++
		case invErr == nil:
			if critmin.ErrorCode(editErr) != critmin.ECONFLICT || !jsonSame(got.Body, v1) || len(invs) != 1 {
				t.Errorf("round %d: invoice won; edit err = %v (want ECONFLICT), contract %s (want v1), %d invoices (want 1)", r, editErr, got.Body, len(invs))
			}
			wins["invoice"]++
		default:
			t.Errorf("round %d: neither won: edit %v, invoice %v", r, editErr, invErr)
		}
	}
	t.Logf("winners over %d rounds: %v", tradeRaceRounds, wins)

	// A price series the invoice was settled on, back-filled before the
	// invoice is saved (an assessment inside a closed period), refuses it.
	if err := s.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradePrices, ID: "AGENCY-SB", Body: json.RawMessage(`{"2025-09-01":50000}`), SavedAt: at}); err != nil {
		t.Fatal(err)
	}
	series, err := s.FindTradeDoc(ctx, critmin.TradePrices, "AGENCY-SB")
	if err != nil {
		t.Fatal(err)
	}
	terms, err := s.FindTradeDoc(ctx, critmin.TradeContract, "T-0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradePrices, ID: "AGENCY-SB", Body: json.RawMessage(`{"2025-09-01":50000,"2025-08-29":51000}`), SavedAt: at}); err != nil {
		t.Fatal(err)
	}
	err = s.SaveInvoice(ctx, &critmin.StoredInvoice{ID: "INV-SB-P", Contract: "T-0", Lot: "urn:lot:sb", Kind: "provisional", Currency: "USD", Total: "1.00",
		IssuedAt: at, DueDate: "2025-09-07", EventID: "urn:uuid:sb", Body: json.RawMessage(`{}`), Basis: &critmin.InvoiceBasis{Terms: terms.Body, Prices: []*critmin.TradeDoc{series}}})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("invoice settled on a price series changed since: err = %v, want ECONFLICT", err)
	}
	if invs, _ := s.ListInvoices(ctx, critmin.InvoiceFilter{Lot: "urn:lot:sb"}); len(invs) != 0 {
		t.Errorf("refused invoice stored: %d invoices", len(invs))
	}
}

func jsonSame(a []byte, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	ca, _ := json.Marshal(x)
	cb, _ := json.Marshal(y)
	return string(ca) == string(cb)
}

// testTradeRacePrices: imports into one price series at once (issue 13).
// A price import is one UpdateTradeDocs: read, merge, write under the
// trade lock. The series body here is a JSON object of day → price.
//
//   - eight imports at once, each adding its own day (2025-10-01 … 08) to
//     series S: all eight days are stored (a read-modify-write outside
//     the transaction keeps only some: the last writer's view);
//   - then eight imports at once, import i adding its day 2025-12-0i to
//     series S2 and quoting 2025-11-03 in S at price 100+i: the first one
//     to run stores both; every later one finds 2025-11-03 quoted
//     differently and is refused whole (ECONFLICT), so S ends with 9 days
//     (8 + 2025-11-03 at the winner's price) and S2 with the winner's one
//     day: no loser's day is written (nothing partial).
func testTradeRacePrices(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)
	const n = 8
	merge := func(old map[string]*critmin.TradeDoc, id string, add map[string]int) (*critmin.TradeDoc, error) {
		days := map[string]int{}
		if d := old[id]; d != nil {
			if err := json.Unmarshal(d.Body, &days); err != nil {
				return nil, err
			}
		}
		for day, p := range add {
			if have, ok := days[day]; ok && have != p {
				return nil, critmin.Errorf(critmin.ECONFLICT, "series %s already has %d on %s; the file says %d", id, have, day, p)
			}
			days[day] = p
		}
		b, _ := json.Marshal(days)
		return &critmin.TradeDoc{Kind: critmin.TradePrices, ID: id, Body: b, SavedAt: at}, nil
	}
	series := func(id string) map[string]int {
		d, err := s.FindTradeDoc(ctx, critmin.TradePrices, id)
		if err != nil {
			t.Fatalf("series %s: %v", id, err)
		}
		days := map[string]int{}
		if err := json.Unmarshal(d.Body, &days); err != nil {
			t.Fatal(err)
		}
		return days
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.UpdateTradeDocs(ctx, critmin.TradePrices, []string{"S"}, func(_ context.Context, old map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error) {
				d, err := merge(old, "S", map[string]int{fmt.Sprintf("2025-10-%02d", i+1): 100 + i})
				return []*critmin.TradeDoc{d}, err
			})
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("import %d of its own day: %v", i, err)
		}
	}
	if days := series("S"); len(days) != n {
		t.Fatalf("series S has %d days after %d imports of one new day each, want %d (days lost): %v", len(days), n, n, days)
	}

	start = make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.UpdateTradeDocs(ctx, critmin.TradePrices, []string{"S2", "S"}, func(_ context.Context, old map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error) {
				d2, err := merge(old, "S2", map[string]int{fmt.Sprintf("2025-12-%02d", i+1): 200 + i})
				if err != nil {
					return nil, err
				}
				d, err := merge(old, "S", map[string]int{"2025-11-03": 100 + i})
				if err != nil {
					return nil, err
				}
				return []*critmin.TradeDoc{d2, d}, nil
			})
		}()
	}
	close(start)
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Errorf("imports %d and %d both stored 2025-11-03 at different prices", won, i)
		case err == nil:
			won = i
		case critmin.ErrorCode(err) != critmin.ECONFLICT:
			t.Errorf("import %d: err = %v, want ECONFLICT", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no import of 2025-11-03 was stored")
	}
	s1, s2 := series("S"), series("S2")
	if len(s1) != n+1 || s1["2025-11-03"] != 100+won {
		t.Errorf("series S = %v; want the %d October days and 2025-11-03 at %d (import %d's)", s1, n, 100+won, won)
	}
	if want := fmt.Sprintf("2025-12-%02d", won+1); len(s2) != 1 || s2[want] != 200+won {
		t.Errorf("series S2 = %v; want only import %d's day %s (a refused import writes nothing)", s2, won, want)
	}
}

// testTradeRaceDeclaration: a QP declaration racing the final invoice
// (issue 13). A declaration is refused once the lot has its final invoice
// (EINVALID on lot), and a final invoice is stored only on the
// declarations it was computed from (InvoiceBasis.Declarations). In each
// round lot urn:lot:qp-r has its provisional invoice under contract Q-r
// and no declaration; at once, the buyer declares Cu for month +1 and the
// final invoice computed with no declaration is saved. Exactly one wins:
// the declaration is stored and there is no final invoice, or the final
// invoice is stored and there is no declaration.
func testTradeRaceDeclaration(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)
	wins := map[string]int{}
	for r := range tradeRaceRounds {
		c := fmt.Sprintf("Q-%d", r)
		lot := fmt.Sprintf("urn:lot:qp-%d", r)
		if err := s.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradeContract, ID: c, Body: json.RawMessage(`{"id":"` + c + `"}`), SavedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveInvoice(ctx, &critmin.StoredInvoice{ID: "INV-" + c + "-P", Contract: c, Lot: lot, Kind: "provisional", Currency: "USD", Total: "90.00",
			IssuedAt: at, DueDate: "2025-09-07", EventID: "urn:uuid:" + c + "-P", Body: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
		terms, err := s.FindTradeDoc(ctx, critmin.TradeContract, c)
		if err != nil {
			t.Fatal(err)
		}
		decl, err := s.ListDeclarations(ctx, c, lot)
		if err != nil || len(decl) != 0 {
			t.Fatalf("declarations before the race: %v, %v", decl, err)
		}
		declErr, invErr := race2(
			func() error {
				return s.SaveDeclaration(ctx, &critmin.QPDeclaration{Contract: c, Lot: lot, Element: "Cu", Month: 1, Party: "buyer", DeclaredAt: at})
			},
			func() error {
				return s.SaveInvoice(ctx, &critmin.StoredInvoice{ID: "INV-" + c + "-F", Contract: c, Lot: lot, Kind: "final", Currency: "USD", Total: "12.00",
					IssuedAt: at.Add(24 * time.Hour), DueDate: "2025-10-07", EventID: "urn:uuid:" + c + "-F", Body: json.RawMessage(`{}`),
					Basis: &critmin.InvoiceBasis{Terms: terms.Body, Declarations: decl}})
			})
		ds, err := s.ListDeclarations(ctx, c, lot)
		if err != nil {
			t.Fatal(err)
		}
		invs, err := s.ListInvoices(ctx, critmin.InvoiceFilter{Contract: c, Lot: lot})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case declErr == nil && invErr == nil:
			t.Errorf("round %d: the declaration and the final invoice both succeeded: the invoice ignores a declaration made before it", r)
		case declErr == nil:
			if critmin.ErrorCode(invErr) != critmin.ECONFLICT || len(ds) != 1 || len(invs) != 1 {
				t.Errorf("round %d: declaration won; invoice err = %v (want ECONFLICT), %d declarations (want 1), %d invoices (want the provisional)", r, invErr, len(ds), len(invs))
			}
			wins["declaration"]++
		case invErr == nil:
			if critmin.ErrorCode(declErr) != critmin.EINVALID || len(ds) != 0 || len(invs) != 2 {
				t.Errorf("round %d: final invoice won; declaration err = %v (want EINVALID), %d declarations (want 0), %d invoices (want 2)", r, declErr, len(ds), len(invs))
			}
			wins["final invoice"]++
		default:
			t.Errorf("round %d: neither won: declaration %v, invoice %v", r, declErr, invErr)
		}
	}
	t.Logf("winners over %d rounds: %v", tradeRaceRounds, wins)
}

// testTradeLotEvents: an invoice's basis includes the lot's events
// (critmin.InvoiceBasis.LotEvents). An event captured on the lot after
// the settlement read them refuses the invoice (ECONFLICT naming the lot
// and the new event) and stores nothing; the keys read again are accepted.
func testTradeLotEvents(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	lot := "urn:critmin:lot:le-1"
	MustCapture(t, svc, docOf(commissionEv("urn:uuid:00000000-0000-4000-8000-0000000000e1", "2025-09-01T08:00:00Z", lot, "20000", "ree_concentrate", "PAK")))
	at := time.Date(2025, 9, 5, 0, 0, 0, 0, time.UTC)
	if err := s.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradeContract, ID: "T-LE", Body: json.RawMessage(`{"id":"T-LE"}`), SavedAt: at}); err != nil {
		t.Fatal(err)
	}
	terms, err := s.FindTradeDoc(ctx, critmin.TradeContract, "T-LE")
	if err != nil {
		t.Fatal(err)
	}
	read, err := critmin.FindLotEventKeys(ctx, s, lot)
	if err != nil || len(read) != 1 {
		t.Fatalf("lot event keys: %v %v, want one", read, err)
	}
	// Captured between the settlement's read and the write.
	MustCapture(t, svc, docOf(`{"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000000000e2", "eventTime": "2025-09-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
	 "action": "OBSERVE", "bizStep": "inspecting", "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}]}`))
	inv := func(keys []string) *critmin.StoredInvoice {
		return &critmin.StoredInvoice{ID: "INV-LE-P", Contract: "T-LE", Lot: lot, Kind: "provisional", Currency: "USD", Total: "1.00",
			IssuedAt: at, DueDate: "2025-09-07", EventID: "urn:uuid:le", Body: json.RawMessage(`{}`),
			Basis: &critmin.InvoiceBasis{Terms: terms.Body, LotEvents: &critmin.LotEventSet{Lot: lot, Keys: keys}}}
	}
	err = s.SaveInvoice(ctx, inv(read))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "events of lot "+lot+" changed") || !strings.Contains(err.Error(), "0000000000e2") {
		t.Errorf("invoice on the lot's events before a capture: err = %v, want ECONFLICT naming the lot and event e2", err)
	}
	if invs, _ := s.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot}); len(invs) != 0 {
		t.Errorf("refused invoice stored: %d invoices", len(invs))
	}
	now, err := critmin.FindLotEventKeys(ctx, s, lot)
	if err != nil || len(now) != 2 {
		t.Fatalf("lot event keys after the capture: %v %v, want two", now, err)
	}
	if err := s.SaveInvoice(ctx, inv(now)); err != nil {
		t.Errorf("invoice on the lot's current events: %v", err)
	}
}

// testTradeCaseTwin checks that a trade document id differing only in
// case from a stored one of its kind is refused in the write transaction
// (critmin.TradeIDCaseTwin, EINVALID), by SaveTradeDoc and by
// UpdateTradeDocs, nothing written; another kind may use it. Eight
// writers racing with eight spellings of one id: exactly one is stored
// (before, the check read outside the transaction and every writer that
// read before another committed passed it).
func testTradeCaseTwin(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	at := time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)
	doc := func(kind, id string) *critmin.TradeDoc {
		return &critmin.TradeDoc{Kind: kind, ID: id, Body: json.RawMessage(`{"id":"` + id + `"}`), SavedAt: at}
	}
	twin := func(what string, err error, stored string) {
		t.Helper()
		var tw *critmin.TradeIDCaseTwin
		if !errors.As(err, &tw) || tw.Stored != stored || critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: err = %v, want a case twin of %s (EINVALID)", what, err, stored)
		}
	}
	if err := s.SaveTradeDoc(ctx, doc(critmin.TradeContract, "CT-A")); err != nil {
		t.Fatal(err)
	}
	twin("contract ct-a", s.SaveTradeDoc(ctx, doc(critmin.TradeContract, "ct-a")), "CT-A")
	if err := s.SaveTradeDoc(ctx, doc(critmin.TradeContract, "CT-A")); err != nil {
		t.Errorf("the stored id itself: %v", err)
	}
	if err := s.SaveTradeDoc(ctx, doc(critmin.TradeAgreement, "ct-a")); err != nil {
		t.Errorf("another kind: %v", err)
	}
	if err := s.UpdateTradeDocs(ctx, critmin.TradePrices, []string{"PX"}, func(context.Context, map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error) {
		return []*critmin.TradeDoc{doc(critmin.TradePrices, "PX")}, nil
	}); err != nil {
		t.Fatal(err)
	}
	twin("series px", s.UpdateTradeDocs(ctx, critmin.TradePrices, []string{"px", "PY"}, func(context.Context, map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error) {
		return []*critmin.TradeDoc{doc(critmin.TradePrices, "PY"), doc(critmin.TradePrices, "px")}, nil
	}), "PX")
	for _, id := range []string{"ct-a", "px", "PY"} {
		kind := critmin.TradePrices
		if id == "ct-a" {
			kind = critmin.TradeContract
		}
		if _, err := s.FindTradeDoc(ctx, kind, id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s %s stored (%v)", kind, id, err)
		}
	}
	spellings := []string{"RACE-CASE", "race-case", "Race-Case", "rACE-CASE", "RaCe-CaSe", "rAcE-cAsE", "RACE-case", "race-CASE"}
	errs := make([]error, len(spellings))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range spellings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.SaveTradeDoc(ctx, doc(critmin.TradeContract, id))
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		var tw *critmin.TradeIDCaseTwin
		switch {
		case err == nil:
			ok++
		case !errors.As(err, &tw):
			t.Errorf("%s: %v, want stored or a case twin", spellings[i], err)
		}
	}
	list, err := s.ListTradeDocs(ctx, critmin.TradeContract)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range list {
		if strings.EqualFold(d.ID, "race-case") {
			n++
		}
	}
	if ok != 1 || n != 1 {
		t.Errorf("racing spellings: %d stored, %d saves succeeded; want one", n, ok)
	}
}
