package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// sublotReport is one party's assay-exchange certificate line: Nd2O3 at
// pct % (dry) of sublot sub, reported by party (the cm:assayParty and
// cm:sublot extensions commercial's exchange events carry).
func sublotReport(party, sub, pct string) string {
	return `, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd2O3", "value": ` + pct + `, "uom": "P1", "cm:basis": "dry", "cm:assayParty": "` + party + `", "cm:sublot": "` + sub + `", "cm:sublotDMT": "5"}]}]`
}

// TestSublotCertificatesAtOneInstant (fix13q item 4): the fact an
// exchange result states is lot + sublot + party + time (docs/trade.md),
// so the seller's certificate for sublot A (12 %) and for sublot B (11 %)
// dated at the same instant are two readings, both accepted — as is the
// buyer's for sublot A (12.2 %) at that instant, another party's result.
// A second, different seller result for sublot A at that instant (12.5 %)
// is still one quantity with two values, and is refused naming the first.
func TestSublotCertificatesAtOneInstant(t *testing.T) {
	_, svc := mbSvc(t)
	if err := capture(svc, commissionR("s0", "2025-11-20T00:00:00Z", "urn:t:lot:S1")); err != nil {
		t.Fatal(err)
	}
	const at = "2025-11-21T11:00:00Z"
	for _, c := range []struct{ id, party, sub, pct string }{{"sa", "seller", "A", "12"}, {"sb", "seller", "B", "11"}, {"ba", "buyer", "A", "12.2"}} {
		if err := capture(svc, objectEv(c.id, at, "urn:t:lot:S1", "OBSERVE", sublotReport(c.party, c.sub, c.pct))); err != nil {
			t.Errorf("the %s's certificate for sublot %s at the instant of the others: %v", c.party, c.sub, err)
		}
	}
	err := capture(svc, objectEv("sa2", at, "urn:t:lot:S1", "OBSERVE", sublotReport("seller", "A", "12.5")))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "reading of 12 % at 2025-11-21T11:00:00Z (event urn:t:ev:sa)") {
		t.Errorf("a second seller result for sublot A at one instant: %v", err)
	}
	_ = context.Background()
}
