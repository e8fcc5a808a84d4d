package epcis

import (
	"regexp"
	"strings"
	"testing"
)

// unifiedCases are the EPC URIs on which the stored translation (Canonical,
// PatternMatch) and the event-hash translation (hashDL) used to differ:
// serials containing ".", numeric references left empty by a 12-digit GS1
// Company Prefix, single-class pattern URIs of every scheme that has them,
// and characters that Digital Link may or must percent-encode. stored is
// the canonical form critmin stores; hash the CBV 2.0 §8.9 pre-hash form.
// Check digits (GS1 GenSpecs §7.9.1, weights 3,1,3,… from the right):
//   - 061414112345 (GLN, GDTI, GRAI body): 5·3+4+3·3+2+1·3+1+4·3+1+4·3+1+6·3+0 = 78 → 2.
//   - 123456789012: 2·3+1+0·3+9+8·3+7+6·3+5+4·3+3+2·3+1 = 92 → 8.
//   - GTIN 8061414112345: 102 → 8; 0401234512345: 64 → 6; 0123456789456: 120 → 0.
//   - GCN 401234567890: 89 → 1.
var unifiedCases = []struct {
	name, urn, stored, hash string
}{
	{"SGTIN dotted serial", "urn:epc:id:sgtin:0614141.812345.a.b", "https://id.gs1.org/01/80614141123458/21/a.b", "https://id.gs1.org/01/80614141123458/21/a.b"},
	{"SGTIN serial of dots", "urn:epc:id:sgtin:0614141.812345...", "https://id.gs1.org/01/80614141123458/21/..", "https://id.gs1.org/01/80614141123458/21/.."},
	{"LGTIN dotted lot", "urn:epc:class:lgtin:0614141.812345.L.2025.1", "https://id.gs1.org/01/80614141123458/10/L.2025.1", "https://id.gs1.org/01/80614141123458/10/L.2025.1"},
	{"SGLN dotted extension", "urn:epc:id:sgln:0614141.12345.4.1", "https://id.gs1.org/414/0614141123452/254/4.1", "https://id.gs1.org/414/0614141123452/254/4.1"},
	{"GIAI dotted reference", "urn:epc:id:giai:0614141.A.B-7", "https://id.gs1.org/8004/0614141A.B-7", "https://id.gs1.org/8004/0614141A.B-7"},
	{"GRAI dotted serial", "urn:epc:id:grai:0614141.12345.4.0", "https://id.gs1.org/8003/006141411234524.0", "https://id.gs1.org/8003/006141411234524.0"},
	{"ITIP dotted serial", "urn:epc:id:itip:4012345.012345.01.02.9.8", "https://id.gs1.org/8006/040123451234560102/21/9.8", "https://id.gs1.org/8006/040123451234560102/21/9.8"},
	// A 12-digit company prefix leaves the numeric reference empty (TDS 2.0 §6.3).
	{"GRAI empty asset type", "urn:epc:id:grai:123456789012..5", "https://id.gs1.org/8003/012345678901285", "https://id.gs1.org/8003/012345678901285"},
	{"GDTI empty document type", "urn:epc:id:gdti:123456789012..D1", "https://id.gs1.org/253/1234567890128D1", "https://id.gs1.org/253/1234567890128D1"},
	{"SGCN empty coupon reference", "urn:epc:id:sgcn:123456789012..77", "https://id.gs1.org/255/123456789012877", "https://id.gs1.org/255/123456789012877"},
	{"SGLN empty location reference", "urn:epc:id:sgln:123456789012..0", "https://id.gs1.org/414/1234567890128", "https://id.gs1.org/414/1234567890128"},
	{"PGLN empty party reference", "urn:epc:id:pgln:123456789012.", "https://id.gs1.org/417/1234567890128", "https://id.gs1.org/417/1234567890128"},
	// Single-class patterns (TDS 2.0 §8): the URI of the class.
	{"idpat sgtin", "urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456", "https://id.gs1.org/01/04012345123456"},
	{"idpat upui", "urn:epc:idpat:upui:1234567.089456.*", "https://id.gs1.org/01/01234567894560", "https://id.gs1.org/01/01234567894560"},
	{"idpat itip", "urn:epc:idpat:itip:4012345.012345.01.02.*", "https://id.gs1.org/8006/040123451234560102", "https://id.gs1.org/8006/040123451234560102"},
	{"idpat grai", "urn:epc:idpat:grai:0614141.12345.*", "https://id.gs1.org/8003/00614141123452", "https://id.gs1.org/8003/00614141123452"},
	{"idpat grai empty asset type", "urn:epc:idpat:grai:123456789012..*", "https://id.gs1.org/8003/01234567890128", "https://id.gs1.org/8003/01234567890128"},
	{"idpat gdti", "urn:epc:idpat:gdti:0614141.12345.*", "https://id.gs1.org/253/0614141123452", "https://id.gs1.org/253/0614141123452"},
	{"idpat sgcn", "urn:epc:idpat:sgcn:4012345.67890.*", "https://id.gs1.org/255/4012345678901", "https://id.gs1.org/255/4012345678901"},
	{"idpat cpi", "urn:epc:idpat:cpi:0614141.123ABC.*", "https://id.gs1.org/8010/0614141123ABC", "https://id.gs1.org/8010/0614141123ABC"},
	// Characters: "'" ";" "=" are %XX when stored (dlEncode), literal in
	// the hash (hashEncode, CBV 2.0 §8.9); all others alike in both.
	{"apostrophe", "urn:epc:id:sgtin:0614141.812345.O'Brien", "https://id.gs1.org/01/80614141123458/21/O%27Brien", "https://id.gs1.org/01/80614141123458/21/O'Brien"},
	{"semicolon and equals", "urn:epc:id:sgtin:0614141.812345.a;b=c", "https://id.gs1.org/01/80614141123458/21/a%3Bb%3Dc", "https://id.gs1.org/01/80614141123458/21/a;b=c"},
	{"Table 7-1 characters", "urn:epc:id:sgtin:0614141.812345.!()*+,:", "https://id.gs1.org/01/80614141123458/21/%21%28%29%2A%2B%2C%3A", "https://id.gs1.org/01/80614141123458/21/%21%28%29%2A%2B%2C%3A"},
	{"URN escapes", "urn:epc:id:sgtin:0614141.812345.%22%25%26%2F%3C%3E%3F", "https://id.gs1.org/01/80614141123458/21/%22%25%26%2F%3C%3E%3F", "https://id.gs1.org/01/80614141123458/21/%22%25%26%2F%3C%3E%3F"},
	{"lower-case URN escape", "urn:epc:id:giai:0614141.A%2fB", "https://id.gs1.org/8004/0614141A%2FB", "https://id.gs1.org/8004/0614141A%2FB"},
	{"dotted serial with apostrophe", "urn:epc:id:sgtin:0614141.812345.a.'b", "https://id.gs1.org/01/80614141123458/21/a.%27b", "https://id.gs1.org/01/80614141123458/21/a.'b"},
	{"GDTI serial with apostrophe", "urn:epc:id:gdti:0614141.12345.x'1", "https://id.gs1.org/253/0614141123452x%271", "https://id.gs1.org/253/0614141123452x'1"},
}

// TestMatchingAndHashingAgree: the stored form and the hash form of each
// URN come from one translation. Both spellings (URN and stored Digital
// Link, and the hash form read back) name one key: each canonicalises to
// the same stored form and hashes to the same pre-hash form, so an event
// hashes alike whichever spelling it carries, and a query by either
// spelling finds the stored identifier.
func TestMatchingAndHashingAgree(t *testing.T) {
	for _, c := range unifiedCases {
		for _, in := range []string{c.urn, c.stored, c.hash} {
			if got := Canonical(in); got != c.stored {
				t.Errorf("%s: Canonical(%s) = %s, want %s", c.name, in, got, c.stored)
			}
			if got, ok := hashDL(in); !ok || got != c.hash {
				t.Errorf("%s: hashDL(%s) = %s (%v), want %s", c.name, in, got, ok, c.hash)
			}
		}
		k, ok := ParseKey(c.urn)
		if !ok {
			t.Errorf("%s: %s not parsed", c.name, c.urn)
			continue
		}
		if k.DigitalLink() != c.stored || k.digitalLink(hashEncode) != c.hash {
			t.Errorf("%s: Key renders %s / %s", c.name, k.DigitalLink(), k.digitalLink(hashEncode))
		}
	}
}

// likeMatch evaluates an IDMatch the way the SQL stores do: Exact by
// equality, Like with "%" any run, "_" one character, "\" escaping.
func likeMatch(m IDMatch, s string) bool {
	if m.Exact != "" {
		return m.Exact == s
	}
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(m.Like); i++ {
		switch c := m.Like[i]; c {
		case '\\':
			i++
			re.WriteString(regexp.QuoteMeta(m.Like[i : i+1]))
		case '%':
			re.WriteString(".*")
		case '_':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(s)
}

// TestPatternsMatchTheirClass: a single-class pattern used as a query
// matches the stored class identifier (the pattern itself, stored) and a
// member of the class whose serial contains "." or an apostrophe; a fully
// fixed pattern with a dotted serial matches that one identifier.
func TestPatternsMatchTheirClass(t *testing.T) {
	for _, c := range []struct{ pattern, member, other string }{
		{"urn:epc:idpat:sgtin:0614141.812345.*", "urn:epc:id:sgtin:0614141.812345.a.'b", "urn:epc:id:sgtin:0614141.812346.a"},
		{"urn:epc:idpat:upui:1234567.089456.*", "urn:epc:id:upui:1234567.089456.X.Y", "urn:epc:id:upui:1234567.089457.X"},
		{"urn:epc:idpat:itip:4012345.012345.01.02.*", "urn:epc:id:itip:4012345.012345.01.02.9.8", "urn:epc:id:itip:4012345.012345.01.03.9"},
		{"urn:epc:idpat:grai:123456789012..*", "urn:epc:id:grai:123456789012..5", "urn:epc:id:grai:123456789013..5"},
		{"urn:epc:idpat:gdti:0614141.12345.*", "urn:epc:id:gdti:0614141.12345.x'1", "urn:epc:id:gdti:0614141.12346.x"},
		{"urn:epc:idpat:sgcn:4012345.67890.*", "urn:epc:id:sgcn:4012345.67890.04711", "urn:epc:id:sgcn:4012345.67891.04711"},
		{"urn:epc:idpat:cpi:0614141.123ABC.*", "urn:epc:id:cpi:0614141.123ABC.1", "urn:epc:id:cpi:0614141.123ABD.1"},
		{"urn:epc:idpat:sgtin:0614141.812345.a.b", "urn:epc:id:sgtin:0614141.812345.a.b", "urn:epc:id:sgtin:0614141.812345.a.c"},
	} {
		ms, ok := PatternMatch(c.pattern)
		if !ok {
			t.Errorf("%s: not a pattern", c.pattern)
			continue
		}
		any := func(id string) bool {
			for _, m := range ms {
				if likeMatch(m, Canonical(id)) {
					return true
				}
			}
			return false
		}
		if !any(c.member) {
			t.Errorf("%s %v does not match %s", c.pattern, ms, Canonical(c.member))
		}
		if !strings.HasSuffix(c.pattern, ".a.b") && !any(c.pattern) {
			t.Errorf("%s %v does not match the stored class %s", c.pattern, ms, Canonical(c.pattern))
		}
		if any(c.other) {
			t.Errorf("%s %v matches %s", c.pattern, ms, Canonical(c.other))
		}
	}
}

// TestNeitherTranslates: URIs that name no single GS1 key are left as
// written by both translations.
func TestNeitherTranslates(t *testing.T) {
	for _, in := range []string{
		"urn:epc:idpat:sgln:0614141.12345.*",   // any extension of a GLN: no single class
		"urn:epc:idpat:sgtin:0614141.*.*",      // many GTINs
		"urn:epc:idpat:sgtin:0614141.812345.1", // a pattern with no "*" names an instance, not a class
		"urn:epc:id:lgtin:0614141.812345.L1",   // lgtin is a class scheme
		"urn:epc:class:sgtin:0614141.812345.1", // sgtin is an instance scheme
		"urn:epc:id:grai:0614141..5",           // 7-digit prefix, empty asset type: 12 digits short
		"urn:epc:id:grai:123456789012..",       // no serial
		"urn:epc:id:sgtin:0614141.812345.",     // empty serial
		"urn:epc:id:giai:0614141.",             // empty asset reference
		"urn:epc:id:sscc:0614141.123456789.0",  // dot in a numeric component
		"urn:epc:id:sgcn:4012345.67890.1.2",    // GCN serial is numeric
		"urn:epc:idpat:cpi:0614141.*.*",
	} {
		if got := Canonical(in); got != in {
			t.Errorf("Canonical(%s) = %s", in, got)
		}
		if got, ok := hashDL(in); ok {
			t.Errorf("hashDL(%s) = %s", in, got)
		}
	}
}

// TestEventHashSpellings: one event carrying its EPCs as URNs, and again as
// the stored Digital Link forms, has one pre-hash and one hash (CBV 2.0
// §8.9: the hash does not depend on the syntax of an identifier). The
// pre-hash is worked by hand from the rules: eventType, eventTime in UTC
// with milliseconds, the offset, then epcList with its values sorted.
func TestEventHashSpellings(t *testing.T) {
	doc := func(a, b, class string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
			"creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-01-01T00:00:00Z",
			"eventTimeZoneOffset": "+00:00", "epcList": ["` + a + `", "` + b + `"], "action": "OBSERVE",
			"quantityList": [{"epcClass": "` + class + `", "quantity": 2}]}]}}`)
	}
	want := "eventType=ObjectEventeventTime=2025-01-01T00:00:00.000ZeventTimeZoneOffset=+00:00" +
		"epcListepc=https://id.gs1.org/01/80614141123458/21/O'Brienepc=https://id.gs1.org/8003/012345678901285" +
		"quantityListquantityElementepcClass=https://id.gs1.org/8003/00614141123452quantity=2action=OBSERVE"
	var hashes []string
	for _, d := range [][]byte{
		doc("urn:epc:id:sgtin:0614141.812345.O'Brien", "urn:epc:id:grai:123456789012..5", "urn:epc:idpat:grai:0614141.12345.*"),
		doc("https://id.gs1.org/01/80614141123458/21/O%27Brien", "https://id.gs1.org/8003/012345678901285", "https://id.gs1.org/8003/00614141123452"),
	} {
		pre, h, err := HashDocument(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(pre) != 1 || pre[0] != want {
			t.Errorf("pre-hash %q,\nwant %q", pre, want)
		}
		hashes = append(hashes, h...)
	}
	if len(hashes) != 2 || hashes[0] != hashes[1] {
		t.Errorf("spellings hash differently: %v", hashes)
	}
}

// FuzzKeyTranslation: no input makes the translation panic, and whatever
// parses has one stored form and one hash form whichever of its three
// spellings (as given, stored, hash) is read.
func FuzzKeyTranslation(f *testing.F) {
	for _, c := range unifiedCases {
		f.Add(c.urn)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := ParseKey(s)
		if !ok {
			return
		}
		stored, hash := k.DigitalLink(), k.digitalLink(hashEncode)
		for _, in := range []string{stored, hash} {
			if got := Canonical(in); got != stored {
				t.Errorf("%q: Canonical(%s) = %s, want %s", s, in, got, stored)
			}
			if got, _ := hashDL(in); got != hash {
				t.Errorf("%q: hashDL(%s) = %s, want %s", s, in, got, hash)
			}
		}
	})
}
