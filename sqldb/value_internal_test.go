package sqldb

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
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
	if !strings.HasSuffix(got, "… (6,000 bytes)") || len(got) > 260 {
		t.Errorf("long value shown as %d bytes: %.80s…", len(got), got)
	}
}

// TestIndexValues: the values master_data_attrs indexes for EQ_ATTR_
// (EPCIS 2.0 §8.2.7.1): a capture's recorded values, deduplicated; for a
// capture from before they were recorded, the elements of a JSON-array
// value (how a repeated attribute was stored), numbers as written.
func TestIndexValues(t *testing.T) {
	el := func(vals map[string][]string) critmin.MasterDataElement {
		return critmin.MasterDataElement{AttributeValues: vals}
	}
	for _, c := range []struct {
		name string
		m    critmin.MasterDataElement
		val  string
		want []string
	}{
		{"recorded", el(map[string][]string{"a": {"x", "y", "x"}}), `["x","y","x"]`, []string{"x", "y"}},
		{"recorded literal", el(map[string][]string{"a": {`["x"]`}}), `["x"]`, []string{`["x"]`}},
		{"scalar", el(nil), "x", []string{"x"}},
		{"legacy array", el(nil), `["x", 45001, 2.50]`, []string{"x", "45001", "2.50"}},
		{"legacy not an array", el(nil), `[x`, []string{"[x"}},
	} {
		if got := indexValues(c.m, "a", c.val); strings.Join(got, "\x00") != strings.Join(c.want, "\x00") {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestIDSet: the replay's set of stored eventIDs holds what was added,
// and only that, with ids that differ in one byte or only in length.
func TestIDSet(t *testing.T) {
	var none *idSet
	if none.has("urn:uuid:1") {
		t.Fatal("a nil set holds an id")
	}
	s := newIDSet()
	added := []string{"urn:uuid:1", "urn:uuid:10", "", "urn:critmin:bench:event:0000000001"}
	for _, id := range added {
		s.add(id)
	}
	for _, id := range added {
		if !s.has(id) {
			t.Errorf("%q added but not held", id)
		}
	}
	for _, id := range []string{"urn:uuid:2", "urn:uuid:1 ", "urn:uuid:100", "urn:critmin:bench:event:0000000002", "URN:UUID:1"} {
		if s.has(id) {
			t.Errorf("%q held but never added", id)
		}
	}
	if len(s.m) != len(added) {
		t.Errorf("%d entries for %d ids", len(s.m), len(added))
	}
}
