package sqldb

import (
	"fmt"
	"slices"
	"testing"
)

// TestXMLNameHitsAnyOrder: verify's rebuild gives every record to the
// collector of NonXMLNameKeys in chain order, which need not be the
// order of event keys the SQL scan reads in. Whatever the order, the
// report is the MaxXMLNameReports (100) events of lowest key, in key
// order, and the number of the others.
//
// Worked example: 130 events with keys 1…130 hold a key that is no XML
// name ("ex:1st"), given from key 130 down to key 1, with an event of
// clean keys (key 500) in between. Listed: keys 1…100 in that order;
// counted: 130 − 100 = 30; the clean event neither listed nor counted.
func TestXMLNameHitsAnyOrder(t *testing.T) {
	raw := func(key string) string { return `{"type": "ObjectEvent", "` + key + `": "a"}` }
	var h xmlNameHits
	for pk := int64(130); pk >= 1; pk-- {
		h.add(pk, fmt.Sprintf("e%d", pk), raw("ex:1st"), "")
		if pk == 65 {
			h.add(500, "clean", raw("ex:first"), "")
		}
	}
	got, more := h.result()
	var want []string
	for pk := 1; pk <= 100; pk++ {
		want = append(want, fmt.Sprintf("e%d: ex:1st", pk))
	}
	if !slices.Equal(got, want) || more != 30 {
		t.Fatalf("got %q (+%d); want e1 … e100 (+30)", got, more)
	}
	// In key order (the SQL scan), the same.
	var k xmlNameHits
	for pk := int64(1); pk <= 130; pk++ {
		k.add(pk, fmt.Sprintf("e%d", pk), raw("ex:1st"), "")
	}
	if got, more := k.result(); !slices.Equal(got, want) || more != 30 {
		t.Fatalf("in key order: got %q (+%d); want e1 … e100 (+30)", got, more)
	}
}
