package custody_test

import (
	"strings"
	"testing"
)

// TestRefusedBackdatedWeighingDoesNotCount (issue 15, fix15n item 2): a
// back-dated weighing refused in a document does not count for the
// document's next one. Lot N, 20 t (no moisture) on Nov 20, weighed
// 19 950 kg on Nov 24 (the record's latest). One document holds:
//
//   - n23, 19 100 kg dated Nov 23: (19.1 − 20) / 20 = −4.5 %, within at its
//     own time, but the recorded Nov 24 weighing would then be a gain of
//     (19.95 − 19.1) / 19.1 = +4.45 % > 0.5 % → refused, naming Nov 24;
//   - n21, 20 000 kg dated Nov 21: 0 % against the 20 t that stood then,
//     and the Nov 24 weighing against it (19.95 − 20) / 20 = −0.25 %,
//     within → valid, judged without the refused n23 (before, it was
//     blamed for n23's +4.45 %).
//
// n21 alone is then taken.
func TestRefusedBackdatedWeighingDoesNotCount(t *testing.T) {
	_, svc := mbSvc(t)
	const lot = "urn:t:lot:N"
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:nc", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": 20, "uom": "TNE"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}`
	if err := capture(svc, commission, objectEv("n24", "2025-11-24T00:00:00Z", lot, "OBSERVE", massReport("19950"))); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, objectEv("n23", "2025-11-23T00:00:00Z", lot, "OBSERVE", massReport("19100")),
		objectEv("n21", "2025-11-21T00:00:00Z", lot, "OBSERVE", massReport("20000")))
	if err == nil || !strings.Contains(err.Error(), "event urn:t:ev:n23, dated 2025-11-23T00:00:00Z, is dated before the recorded event urn:t:ev:n24") ||
		!strings.Contains(err.Error(), "+4.5 %") || strings.Contains(err.Error(), "event urn:t:ev:n21, dated") {
		t.Fatalf("n23 then n21 in one document: %v; want n23 refused naming n24, n21 not blamed", err)
	}
	if err := capture(svc, objectEv("n21", "2025-11-21T00:00:00Z", lot, "OBSERVE", massReport("20000"))); err != nil {
		t.Fatalf("n21 alone: %v", err)
	}
}
