package sqldb

import (
	"strings"
	"testing"
)

// TestValueString: verify reports integers as integers (a microsecond time
// 1796016567154451, not 1.796016567154451e+15), fractions as they are, and
// cuts a long text to 200 bytes naming its length.
func TestValueString(t *testing.T) {
	for _, c := range []struct {
		v    value
		want string
	}{
		{value{num: true, f: 1796016567154451}, "1796016567154451"},
		{value{num: true, f: -3}, "-3"},
		{value{num: true, f: 0.25}, "0.25"},
		{value{null: true}, "NULL"},
		{value{s: "PAK"}, `"PAK"`},
	} {
		if got := c.v.String(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.v, got, c.want)
		}
	}
	long := value{s: strings.Repeat("é", 3000)} // 6,000 bytes
	got := long.String()
	if !strings.HasSuffix(got, "… (6000 bytes)") || len(got) > 260 {
		t.Errorf("long value shown as %d bytes: %.80s…", len(got), got)
	}
}
