package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Title may pass to the contract's own buyer before delivery (in
// transit, or on provisional payment): the seller still invoices the lot
// it sold that buyer. Terms T-DAP-B are the demo copper terms at DAP
// Houston (seller FWO, buyer USSM). Lot OWN-B: commissioned for FWO on
// 25 Aug, B/L 2 Sep, title FWO → USSM on 20 Sep at sea, received on
// 1 Oct: the owner at delivery (the receipt) is USSM, the contract's
// buyer, which acquired it from FWO: FWO invoices it (before: refused
// with 409, "the ledger names as its owner then only USSM"). The same
// under CIF for lot OWN-P, title FWO → USSM on 1 Sep (on provisional
// payment, before the B/L).
//
// A buyer that acquired the lot from a third party is no evidence of the
// seller's sale: lot OWN-Q goes FWO → trader (20 Sep) → USSM (25 Sep),
// and FWO's DAP invoice is refused; so is one where the owner at delivery
// is a third party (TestInvoiceOwnerAtArrivalUnderDTerms).
func TestSellerInvoicesLotTitledToItsBuyer(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	at := time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)
	termsFrom(t, s, "demo/cu-2025.json", "T-DAP-B", func(m map[string]any) {
		m["delivery"] = map[string]any{"incoterm": "DAP", "place": "Houston, USHOU"}
	})
	ownedLot(t, s, "urn:critmin:test:lot:OWN-B", "11", fwoParty,
		[3]string{"2025-09-20T09:00:00Z", fwoParty, ussmParty}, [3]string{"2025-10-01T10:00:00Z", ussmParty, ussmParty})
	ownedLot(t, s, "urn:critmin:test:lot:OWN-P", "12", fwoParty, [3]string{"2025-09-01T09:00:00Z", fwoParty, ussmParty})
	ownedLot(t, s, "urn:critmin:test:lot:OWN-Q", "13", fwoParty,
		[3]string{"2025-09-20T09:00:00Z", fwoParty, traderParty}, [3]string{"2025-09-25T09:00:00Z", traderParty, ussmParty},
		[3]string{"2025-10-01T10:00:00Z", ussmParty, ussmParty})

	if _, err := s.IssueAt(ctx, "T-DAP-B", "urn:critmin:test:lot:OWN-B", commercial.Provisional, at); err != nil {
		t.Errorf("DAP: the seller's invoice of a lot titled to its buyer in transit: %v", err)
	}
	if _, err := s.IssueAt(ctx, "FWO-USSM-CU-2025", "urn:critmin:test:lot:OWN-P", commercial.Provisional, at); err != nil {
		t.Errorf("CIF: the seller's invoice of a lot titled to its buyer before the B/L: %v", err)
	}
	_, err := s.IssueAt(ctx, "T-DAP-B", "urn:critmin:test:lot:OWN-Q", commercial.Provisional, at)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "did not own it at delivery") {
		t.Fatalf("buyer acquired from a trader: err = %v, want a conflict", err)
	}
	if invs, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: "urn:critmin:test:lot:OWN-Q"}); err != nil || len(invs) != 0 {
		t.Errorf("refused invoice left %d invoices (%v)", len(invs), err)
	}
}
