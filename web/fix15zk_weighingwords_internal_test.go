package web

import (
	"strings"
	"testing"
)

// TestFlaggedShipmentWordedFromDeclaredKind (issue 15, fix15zk): the
// declaration preview of a weighing whose later shipment it leaves
// shipping from nothing said the shipment would be flagged "ships from a
// receipt declared in error" and that "a corrected receipt" would let it
// ship again — no receipt was declared. A weighing's (or a
// commissioning's) dependent is worded from the weighing; a receipt's
// keeps the flag's words.
func TestFlaggedShipmentWordedFromDeclaredKind(t *testing.T) {
	why := "nothing of the lot stands at Karachi then"
	for _, kind := range []string{"weighing", "commissioning", "inspection"} {
		got := flaggedShipmentText(kind, "B/L ZK-2 (event urn:t:zk2:s)", "5", "urn:t:lot:ZK-2", "", "Karachi", why)
		if strings.Contains(got, "receipt") || !strings.Contains(got, "once this "+kind+" is declared in error") || !strings.Contains(got, "a corrected "+kind) || !strings.Contains(got, why) {
			t.Errorf("%s: %q; want it worded from the %s, naming no receipt", kind, got, kind)
		}
	}
	got := flaggedShipmentText("receipt", "B/L NUB-3 (event urn:t:nub:s3)", "6", "urn:t:lot:NU-B1", " from the holding of USSM", "Karachi", why)
	if !strings.Contains(got, `flagged "ships from a receipt declared in error"`) || !strings.Contains(got, "a corrected receipt") {
		t.Errorf("receipt: %q; want the flag's words", got)
	}
}
