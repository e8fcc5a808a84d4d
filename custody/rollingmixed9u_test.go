package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestRollingAverageShortOfWindowAndBalance (fix9u): a rolling-average
// claim left short of both its window share and its balance by a late
// assay is short, per origin, by the larger of the two, on one row whose
// share of the deficit adds up to the line's deficit (fix9ap), and the
// statement passes CheckStatement. Site mb rolling average, factor 0.9,
// carry-forward 0; feeds at Nd 4 % + Pr 1 %:
//
//	RA1 (Oct 5): PK 10 t (Pakistan, 0.5 t) + CN 10 t (China, 0.5 t) →
//	  O1 1 t at 80 % (0.8 t): credit min(0.9, 0.8) = 0.8 t, PAK 0.4.
//	RA2 (Oct 6): MM + MM2 20 t each (Myanmar, 1.0 t each) → O2 2 t.
//	RA3 (Oct 7): MM3 100 t (5 t) → OK 5 t at 80 % = 4 t claiming
//	  Pakistan 6 % = 0.24 t: window 0.5 / 8 = 6.25 % ≥ 6 %, balance
//	  0.4 ≥ 0.24 → accepted.
//	AS (dated Oct 2, recorded Oct 9): PK at Nd 1 % (Pr 1 %): 0.2 t.
//	  RA1 credits PAK 0.2 × 0.9 = 0.18, CHN 0.45 (0.63 ≤ 0.8): PAK
//	  closes 0.18 − 0.24 = −0.06 t, OK's deficit share 0.06 t. Window
//	  0.2 / 7.7 = 2.5974 %: window shortfall 4 × (0.06 − 0.2/7.7) =
//	  0.136104 t. OK is short max(0.06, 0.136104) = 0.136104 t.
func TestRollingAverageShortOfWindowAndBalance(t *testing.T) {
	db, svc := mbfxRolling9u(t, mbfxREE("MM3", "MMR", 100))
	mbfxCapture(t, svc, "2025-10-07T01:00:00Z", "RA3", run9p("RA3", "t3", "2025-10-07T00:00:00Z", []string{"MM3:100"}, "OK", 5, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.06}]`))
	mbfxCapture(t, svc, "2025-10-09T00:00:00Z", "AS", `{"type": "ObjectEvent", "eventID": "urn:t:ev:AS", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:PK"}], "readPoint": {"id": "urn:t:site:mine-PAK"},
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 1, "uom": "P1", "cm:basis": "dry"}]}]}`)
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	window := 4 * (0.06 - 0.2/7.7) // 0.136104 t
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.18, 0.24, 0, -0.06)
	// One row (fix9ap): short of its window share and of the balance,
	// its shortfall the larger, its share of the deficit 0.06 t named
	// (before, two rows: 0.06 + 0.136104 against a 0.06 t deficit).
	rows := 0
	for _, r := range st.Refused {
		if r.Lot != "urn:t:lot:OK" {
			continue
		}
		rows++
		if r.Status != custody.ClaimNotCovered || r.ShortOf != custody.ShortOfWindowShare || math.Abs(r.Shortfall-window) > 1e-9 || math.Abs(r.DeficitShare-0.06) > 1e-9 {
			t.Errorf("OK's row %+v, want not covered, window share, shortfall %v, deficit share 0.06", r, window)
		}
		// The row says both, not two identical reasons with different
		// shortfalls.
		if want := "share of that deficit is 0.06 t"; !strings.Contains(r.Error, want) {
			t.Errorf("OK's row reads %q, want %q", r.Error, want)
		}
		if got := strings.Join(r.Reasons, "; "); got != "short of the balance by 0.06 t; above its origin's share of the rolling window by 0.136104 t" {
			t.Errorf("OK's reasons %q", got)
		}
	}
	if rows != 1 {
		t.Errorf("OK has %d rows, want 1: %+v", rows, st.Refused)
	}
	for _, e := range line9gEntries(st, "claim") {
		if e.Lot == "urn:t:lot:OK" && (e.Status != custody.ClaimNotCovered || math.Abs(e.Shortfall-window) > 1e-9) {
			t.Errorf("OK's entry %+v, want not_covered, shortfall %v (the larger)", e, window)
		}
	}
	o, err := custody.OriginOf(context.Background(), db, "urn:t:lot:OK", false)
	if err != nil || o.Claimed == nil || o.Claimed.Status != custody.ClaimNotCovered || math.Abs(o.Claimed.Shortfall-window) > 1e-9 {
		t.Errorf("OK's claim %+v %v, want not_covered, shortfall %v", o.Claimed, err, window)
	}
}
