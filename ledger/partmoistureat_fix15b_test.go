package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestPartMoistureAtIsMassWeighted (issue 15, fix15b item 4): two parts
// of lot L received at one port, 5 t at 8 % and 3 t at 4 % (the body,
// 12 t at 10 %, at the mine), stand there as 8 t of dry 5 × 0.92 +
// 3 × 0.96 = 4.6 + 2.88 = 7.48 t: moisture 1 − 7.48 / 8 = 6.5 % — what a
// run there takes, not the first part's 8 %. When runs there took 2 t of
// the first part, 3 t at 8 % + 3 t at 4 % are left: dry 2.76 + 2.88 =
// 5.64 t of 6 t, 6 %. When nothing is left of them the first part's
// moisture stands; at the mine, where the body stands, ok is false.
func TestPartMoistureAtIsMassWeighted(t *testing.T) {
	m := func(v float64) *float64 { return &v }
	const mine, port = "urn:t:site:mine", "urn:t:site:port"
	lot := func(taken1, taken2 float64) *critmin.Lot {
		return &critmin.Lot{ID: "urn:t:lot:L", Quantity: 20, UOM: "TNE", WetTonnes: 20, Location: mine, Moisture: m(0.10), Status: critmin.LotInStock,
			Parts: []critmin.LotPart{
				{Tonnes: 5, To: port, Status: critmin.PartReceived, Moisture: m(0.08), TakenTonnes: taken1},
				{Tonnes: 3, To: port, Status: critmin.PartReceived, Moisture: m(0.04), TakenTonnes: taken2},
			}}
	}
	for _, c := range []struct {
		name           string
		taken1, taken2 float64
		want           float64
	}{
		{"both whole", 0, 0, 0.065},            // 1 − (4.6 + 2.88)/8
		{"2 t taken of the first", 2, 0, 0.06}, // 1 − (2.76 + 2.88)/6
		{"nothing left", 5, 3, 0.08},           // the first part's
	} {
		got, ok := ledger.PartMoistureAt(lot(c.taken1, c.taken2), port)
		if !ok || got == nil || math.Abs(*got-c.want) > 1e-9 {
			t.Errorf("%s: PartMoistureAt(port) = %v, %v; want %.4f", c.name, fix15bDeref(got), ok, c.want)
		}
	}
	if _, ok := ledger.PartMoistureAt(lot(0, 0), mine); ok {
		t.Errorf("at the mine, where the body stands: ok, want false")
	}
}

func fix15bDeref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
