package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

const (
	fwoParty     = "urn:critmin:demo:party:fwo"
	ussmParty    = "urn:critmin:demo:party:ussm"
	smelterParty = "urn:critmin:test:party:smelter"
	traderParty  = "urn:critmin:test:party:trader"
)

// ownedLot captures a 100 000 kg copper lot (8 % moisture, Cu 24 %,
// Au 4 g/t): commissioned on 25 Aug 2025 owned by owner (owning_party
// destination; none when owner is ""), shipped on the B/L of 2 Sep 2025,
// then the ownership transfers given (at, from → to; an EPCIS ObjectEvent
// OBSERVE with owning_party source and destination, CBV §8.3.5). tag makes
// the event ids unique.
func ownedLot(t *testing.T, s *commercial.Service, lot, tag, owner string, transfers ...[3]string) {
	t.Helper()
	comm := map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:0a1e0000-0000-4000-8000-" + tag + "00000001", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
		"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
			map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
			map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}}
	if owner != "" {
		comm["destinationList"] = []any{map[string]any{"type": "owning_party", "destination": owner}}
	}
	events := []map[string]any{comm,
		{"type": "ObjectEvent", "eventID": "urn:uuid:0a1e0000-0000-4000-8000-" + tag + "00000002", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:OWN-" + tag}}}}
	for i, tr := range transfers {
		step := "holding"
		if strings.HasPrefix(tr[0], "2025-10-01") {
			step = "receiving"
		}
		events = append(events, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:0a1e0000-0000-4000-8000-" + tag + "0000001" + string(rune('0'+i)), "eventTime": tr[0], "eventTimeZoneOffset": "+00:00",
			"action": "OBSERVE", "bizStep": step, "quantityList": qty(lot, 100000),
			"sourceList":      []any{map[string]any{"type": "owning_party", "source": tr[1]}},
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": tr[2]}}})
	}
	capture(t, s, events...)
}

// The seller invoices a lot it owned at delivery — the contract's
// Incoterms point, read from the ledger — not one it owns now, nor one it
// owned once. The demo copper terms are CIF Houston (delivery at the bill
// of lading, 2 Sep 2025 07:00 UTC), seller FWO. Lot OWN-L:
//
//	25 Aug  commissioned, owning_party FWO        → owner FWO
//	 2 Sep  B/L (delivery under CIF)              → owner at delivery FWO
//	 1 Oct  received at Houston, FWO → USSM       → owner USSM
//	10 Nov  sold on, USSM → smelter               → owner now: smelter
//
// FWO invoices OWN-L (it owned it at delivery, though the smelter owns it
// now). Under a copy of the terms whose seller is the smelter (T-SMELTER)
// or USSM (T-USSM) — parties that acquired the lot after delivery — the
// invoice is refused naming FWO as the owner at delivery. Before, both
// were issued: the seller only had to appear somewhere in the chain.
//
// Lot OWN-T: commissioned for FWO, sold to a trader on 30 Aug, before the
// B/L: the owner at delivery is the trader, so FWO — which owned it once
// — may not invoice it (before: issued), and the trader may (T-TRADER).
func TestInvoiceByTheOwnerAtDelivery(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	at := time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)
	for id, seller := range map[string]string{"T-SMELTER": smelterParty, "T-USSM": ussmParty, "T-TRADER": traderParty} {
		termsFrom(t, s, "demo/cu-2025.json", id, func(m map[string]any) { m["seller"], m["buyer"] = seller, "urn:critmin:test:party:end-buyer" })
	}
	ownedLot(t, s, "urn:critmin:test:lot:OWN-L", "01", fwoParty,
		[3]string{"2025-10-01T10:00:00Z", fwoParty, ussmParty}, [3]string{"2025-11-10T09:00:00Z", ussmParty, smelterParty})
	ownedLot(t, s, "urn:critmin:test:lot:OWN-T", "02", fwoParty, [3]string{"2025-08-30T09:00:00Z", fwoParty, traderParty})

	for _, c := range []struct{ contract, lot, owner string }{
		{"T-SMELTER", "urn:critmin:test:lot:OWN-L", fwoParty},
		{"T-USSM", "urn:critmin:test:lot:OWN-L", fwoParty},
		{"FWO-USSM-CU-2025", "urn:critmin:test:lot:OWN-T", traderParty},
	} {
		_, err := s.IssueAt(ctx, c.contract, c.lot, commercial.Provisional, at)
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("%s on %s: err = %v, want a conflict", c.contract, c.lot, err)
			continue
		}
		for _, want := range []string{c.lot, "did not own it at delivery", "shipment under CIF (bill of lading event", "2025-09-02T07:00:00Z", "names as its owner then only " + c.owner} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s on %s: %q lacks %q", c.contract, c.lot, err, want)
			}
		}
		if invs, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: c.lot}); err != nil || len(invs) != 0 {
			t.Errorf("refused invoice left %d invoices (%v)", len(invs), err)
		}
	}
	if _, err := s.IssueAt(ctx, "FWO-USSM-CU-2025", "urn:critmin:test:lot:OWN-L", commercial.Provisional, at); err != nil {
		t.Errorf("FWO's invoice of the lot it owned at delivery, sold on since: %v", err)
	}
	if _, err := s.IssueAt(ctx, "T-TRADER", "urn:critmin:test:lot:OWN-T", commercial.Provisional, at); err != nil {
		t.Errorf("the trader's invoice of the lot it owned at delivery: %v", err)
	}
}

// Under a D rule of Incoterms 2020 the seller delivers at destination:
// the owner at delivery is read at the receipt. Terms T-DAP are the demo
// copper terms at DAP Houston, seller FWO. Lot OWN-D: commissioned for
// FWO on 25 Aug, B/L 2 Sep, sold to a trader on 20 Sep while at sea,
// received on 1 Oct (trader → USSM). At delivery (1 Oct 10:00) the owner
// is the trader — the receipt transfers it from the trader — so FWO, the
// owner at the B/L, may not invoice it under DAP, but may under CIF
// (delivery at the B/L): lot OWN-C has the same history and FWO invoices
// it under the demo CIF terms.
func TestInvoiceOwnerAtArrivalUnderDTerms(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	at := time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)
	termsFrom(t, s, "demo/cu-2025.json", "T-DAP", func(m map[string]any) {
		m["delivery"] = map[string]any{"incoterm": "DAP", "place": "Houston, USHOU"}
	})
	for lot, tag := range map[string]string{"urn:critmin:test:lot:OWN-D": "03", "urn:critmin:test:lot:OWN-C": "04"} {
		ownedLot(t, s, lot, tag, fwoParty, [3]string{"2025-09-20T09:00:00Z", fwoParty, traderParty}, [3]string{"2025-10-01T10:00:00Z", traderParty, ussmParty})
	}
	_, err := s.IssueAt(ctx, "T-DAP", "urn:critmin:test:lot:OWN-D", commercial.Provisional, at)
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("DAP invoice by the owner at the B/L: err = %v, want a conflict", err)
	}
	for _, want := range []string{"arrival under DAP (receipt event", "2025-10-01T10:00:00Z", "names as its owner then only " + traderParty} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if _, err := s.IssueAt(ctx, "FWO-USSM-CU-2025", "urn:critmin:test:lot:OWN-C", commercial.Provisional, at); err != nil {
		t.Errorf("CIF invoice by the owner at the B/L: %v", err)
	}
}

// A lot whose chain of custody names no owner — no owning_party on any
// event, no supplier, no lot it was made from that names one — is not
// invoiced: the seller must be shown to own it at delivery. Before, such
// a lot was invoiced by any seller (the check had nothing to compare).
// Nothing is stored; once an event records the seller's ownership before
// the B/L the same lot is invoiced.
func TestInvoiceOfAnOwnerlessLotRefused(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:OWN-N"
	ownedLot(t, s, lot, "05", "")
	_, err := s.IssueAt(ctx, "FWO-USSM-CU-2025", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC))
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("ownerless lot: err = %v, want a conflict", err)
	}
	for _, want := range []string{lot, "no owner in its chain of custody", fwoParty, "the seller must own the lot at delivery", "owning_party destination " + fwoParty} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if invs, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot}); err != nil || len(invs) != 0 {
		t.Errorf("refused invoice left %d invoices (%v)", len(invs), err)
	}
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:0a1e0000-0000-4000-8000-050000000009", "eventTime": "2025-08-26T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "bizStep": "holding", "quantityList": qty(lot, 100000),
		"destinationList": []any{map[string]any{"type": "owning_party", "destination": fwoParty}}})
	if _, err := s.IssueAt(ctx, "FWO-USSM-CU-2025", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("the lot, its ownership recorded: %v", err)
	}
}
