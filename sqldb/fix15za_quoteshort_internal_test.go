package sqldb

import (
	"strings"
	"testing"
)

// TestQuoteShortGroupsLength (issue 15, fix15za item 2): a verify or
// rebuild report cuts a long value to its first 200 bytes and names its
// full length, which read "(1500 bytes)". 1,500 bytes of "a": the first
// 200 quoted, then "… (1,500 bytes)".
func TestQuoteShortGroupsLength(t *testing.T) {
	got := quoteShort(strings.Repeat("a", 1500))
	if want := `"` + strings.Repeat("a", 200) + `"… (1,500 bytes)`; got != want {
		t.Errorf("quoteShort(1,500 × a) = …%q; want …%q", got[max(0, len(got)-20):], want[len(want)-20:])
	}
}
