package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// An invoice is the seller's: a lot whose chain of custody (owning_party
// on its events, its supplier, its inputs' owners) never names the
// contract's seller is refused with a conflict naming the lot, the seller
// and the owner the ledger does name, and nothing is stored. Before, it
// was issued (API 201). The same lot owned by the seller is invoiced.
func TestInvoiceNeedsTheSellerToOwnTheLot(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	ts, err := s.Contract(ctx, "FWO-USSM-CU-2025")
	if err != nil {
		t.Fatal(err)
	}
	lotOf := func(lot, owner string) {
		capture(t, s, map[string]any{"type": "ObjectEvent", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": owner}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
			map[string]any{"type": "ObjectEvent", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
				"quantityList": qty(lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:" + lot[len(lot)-5:]}}})
	}
	other := "urn:critmin:test:party:someone-else"
	lotOf("urn:critmin:test:lot:OWN-X", other)
	lotOf("urn:critmin:test:lot:OWN-S", ts.Seller)

	_, err = s.Issue(ctx, ts.ID, "urn:critmin:test:lot:OWN-X", commercial.Provisional)
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("invoice of a lot the seller never owned: err = %v, want a conflict", err)
	}
	for _, want := range []string{"urn:critmin:test:lot:OWN-X", ts.Seller, other} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if invs, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: "urn:critmin:test:lot:OWN-X"}); err != nil || len(invs) != 0 {
		t.Errorf("refused invoice left %d invoices (%v)", len(invs), err)
	}
	if _, err := s.Issue(ctx, ts.ID, "urn:critmin:test:lot:OWN-S", commercial.Provisional); err != nil {
		t.Errorf("invoice of the seller's own lot: %v", err)
	}
}
