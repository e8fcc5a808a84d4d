package web

import (
	"strings"
	"testing"
)

// TestSplitCommaHintBlamesTheLikelyPair: a weighbridge row of one cell
// too many, "45000,15000,30000,8,5", has its moisture 8,5 split by the
// comma separator (nu39c item 3). Joined at gross (45000.15), the row
// reads tare 30000, net 8: 45000.15 − 30000 ≠ 8, refused; joined at tare
// (15000.3): 45000 − 15000.3 ≠ 8, refused; joined at net (30000.8):
// 45000 − 15000 = 30000, within 1 kg of 30000.8, and moisture 5 reads;
// joined at moisture (8.5): 45000 − 15000 = 30000 = net, 8.5 % from 0 to
// 100 — the percentage column is preferred, so cells 7 and 8 are named.
// The message used to name cells 4 and 5 (45000 and 15000).
func TestSplitCommaHintBlamesTheLikelyPair(t *testing.T) {
	header := []string{"Ticket", "Lot No", "Weighed at", "Gross (kg)", "Tare (kg)", "Net (kg)", "Moisture %"}
	kinds := map[int]string{0: "ticket", 1: "lot", 2: "time", 3: "gross_kg", 4: "tare_kg", 5: "net_kg", 6: "moisture_pct"}
	rec := []string{"T-W-3", "urn:critmin:demo:lot:REE-2025-003", "2025-11-04 10:00", "45000", "15000", "30000", "8", "5"}
	got := splitCommaHint(rec, header, ',', kinds)
	if !strings.Contains(got, "most likely cells 7 and 8 (8 and 5) as Moisture % 8,5") || !strings.Contains(got, "use a decimal point (8.5)") || strings.Contains(got, "45000,15000") {
		t.Errorf("split moisture: %s", got)
	}
	// No percentage column mapped: the net (30000.8) and the last pair
	// (8.5 unmapped) both read, so both are listed, neither named as the one.
	kinds2 := map[int]string{0: "ticket", 1: "lot", 2: "time", 3: "gross_kg", 4: "tare_kg", 5: "net_kg"}
	got = splitCommaHint(rec, header, ',', kinds2)
	if strings.Contains(got, "most likely") || !strings.Contains(got, "may be any of cells 6 and 7 (30000 and 8) as Net (kg) 30000,8; cells 7 and 8 (8 and 5) as Moisture % 8,5") {
		t.Errorf("two candidates: %s", got)
	}
	// Net 29000 with gross 45000 and tare 15000: only a join at the net
	// could mend it (29000.150 is not 30000), and a moisture of 150.5 % is
	// not from 0 to 100: no pair reads, and the count alone is said ("").
	rec2 := []string{"T", "L", "2025-11-04 10:00", "45000", "15000", "29000", "150", "5"}
	if got := splitCommaHint(rec2, header, ',', kinds); got != "" {
		t.Errorf("no plausible pair: %s", got)
	}
}
