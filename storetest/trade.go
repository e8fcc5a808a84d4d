package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testTrade checks the Trade store: documents replace by kind and id, one
// invoice per contract, lot and kind, payments against known invoices
// only, declarations replaced per element.
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
	if err := s.SaveInvoice(ctx, &dup); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("second provisional invoice: err = %v, want ECONFLICT", err)
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

	d := &critmin.QPDeclaration{Contract: "C-1", Lot: "urn:lot:1", Element: "Cu", Month: 1, Party: "buyer", DeclaredAt: at}
	if err := s.SaveDeclaration(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.Month = 2
	if err := s.SaveDeclaration(ctx, d); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ListDeclarations(ctx, "C-1", "urn:lot:1")
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
}
