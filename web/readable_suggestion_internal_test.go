package web

import (
	"strings"
	"testing"
)

// TestReadableShowsSuggestion (issue 15, r15a item 3): an identifier a
// message suggests writing ("… as a URN, such as urn:critmin:bol:TEST-1")
// is shown whole, not shortened to its tail with the suggestion only in a
// hover title: the Ship form's bill-of-lading error read "such as TEST-1".
// The same for "e.g." and "for example"; an identifier named as a fact
// ("lot urn:…:REE-2025-003") keeps its short label.
func TestReadableShowsSuggestion(t *testing.T) {
	for _, lead := range []string{"write the bill of lading as a URN, such as ", "give a URI, e.g. ", "a URN, for example "} {
		got := string(refNames{}.readable(`"TEST-1" is not a URI: ` + lead + "urn:critmin:bol:TEST-1"))
		if !strings.Contains(got, `">urn:critmin:bol:TEST-1</abbr>`) {
			t.Errorf("%q: the suggestion is not visible:\n%s", lead, got)
		}
	}
	got := string(refNames{}.readable("lot urn:critmin:demo:lot:REE-2025-003 is at sea"))
	if !strings.Contains(got, `">REE-2025-003</abbr>`) {
		t.Errorf("a named lot lost its label:\n%s", got)
	}
}
