package commercial_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Issue 13 (fix13j, 7): the /trade page's lots under contract read each
// lot once (its events, its owners at delivery, the invoices), not once
// per lot × contract, and list exactly the pairings the one-by-one check
// gives: a lot invoiced under a contract under it alone, a lot not yet
// invoiced under each contract that could invoice it (Deliverable). The
// demo plus a copy of the REE contract with another seller (who never
// owned a lot: no REE lot is deliverable under it) and one with the same
// seller (REE-2025-003, not invoiced, is deliverable under it too).
func TestLotPairingsEqualOneByOneCheck(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	ts, err := s.Contract(ctx, "FWO-USSM-REE-2025")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, seller string }{{"COPY-REE-SAME", ts.Seller}, {"COPY-REE-OTHER", "urn:critmin:demo:party:trader-ru"}} {
		cp := *ts
		cp.ID, cp.Seller = c.id, c.seller
		body, _ := json.Marshal(&cp)
		if _, err := s.SaveContract(ctx, body); err != nil {
			t.Fatal(err)
		}
	}
	contracts, err := s.Contracts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	under, err := s.InvoicedUnder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []commercial.LotPairing
	for _, ts := range contracts {
		lots, _, err := s.Store.FindLots(ctx, critmin.LotFilter{Commodity: ts.Commodity, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lots {
			row := commercial.LotPairing{Contract: ts.ID, Lot: l.ID, Commodity: l.Commodity}
			if c, ok := under[l.ID]; ok {
				if c != ts.ID {
					continue
				}
				row.Invoiced = true
			} else if ok, err := s.Deliverable(ctx, ts, l); err != nil {
				t.Fatal(err)
			} else if !ok {
				continue
			}
			want = append(want, row)
		}
	}
	got, n, err := s.LotPairings(ctx, contracts, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) || !reflect.DeepEqual(got, want) {
		t.Errorf("LotPairings = %d rows %v\nthe one-by-one check = %d rows %v", n, got, len(want), want)
	}
	has := map[string]bool{}
	for _, r := range got {
		has[r.Contract+" "+r.Lot] = true
	}
	if !has["COPY-REE-SAME urn:critmin:demo:lot:REE-2025-003"] || has["COPY-REE-OTHER urn:critmin:demo:lot:REE-2025-003"] {
		t.Errorf("pairings %v: want REE-2025-003 under the same seller's copy and not under the other seller's", has)
	}
	// A page of one row after the first: the second row, the count all.
	page, n2, err := s.LotPairings(ctx, contracts, 1, 1)
	if err != nil || n2 != n || len(page) != 1 || page[0] != want[1] {
		t.Errorf("page [1,2) = %v (%d, %v); want %v of %d", page, n2, err, want[1], n)
	}
}
