package epcis

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
)

// GS1 key translation between EPC URNs and GS1 Digital Link URIs, after
// the GS1 Tag Data Standard 2.0 (TDS) §6 (EPC URI schemes), §7 (GS1 key
// ↔ EPC correspondence) and §8 (EPC pattern URIs), and GS1 Digital Link
// URI Syntax 1.2 §6 (key and key qualifiers, canonical form on
// id.gs1.org).
//
// The canonical form critmin stores for matching is the Digital Link one,
// built by Canonical: https://id.gs1.org/{primary AI}/{key}[/{qualifier
// AI}/{value}]… with numeric AIs, a 14-digit GTIN, every AI value percent-
// encoded except RFC 3986 unreserved characters, no query string, no
// consumer product variant (AI 22), and no lot (AI 10) where a serial (AI
// 21) identifies the instance. It needs no GS1 Company Prefix length,
// which the Digital Link does not carry; turning a Digital Link back into
// an EPC URN does (ToURN takes it).

// dlBase is the canonical Digital Link resolver (GS1 Digital Link 1.2 §4.6).
const dlBase = "https://id.gs1.org/"

// checkDigit returns the GS1 mod-10 check digit of a digit string (GS1
// General Specifications §7.9.1): from the rightmost digit leftwards the
// weights are 3, 1, 3, 1, …; the check digit brings the weighted sum up to
// a multiple of 10.
func checkDigit(digits string) string {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return strconv.Itoa((10 - sum%10) % 10)
}

// validCheck reports whether the last digit of s is its GS1 check digit.
func validCheck(s string) bool {
	return len(s) > 1 && allDigits(s) && checkDigit(s[:len(s)-1]) == s[len(s)-1:]
}

// checkDigitLengths are the GS1 keys of fixed length that end in a
// mod-10 check digit (GS1 General Specifications §3.2), by AI.
var checkDigitLengths = map[string][]int{"00": {18}, "01": {8, 12, 13, 14}, "414": {13}, "417": {13}, "402": {17}, "8017": {18}, "8018": {18}}

// checkedPrefix are the GS1 keys whose value starts with a fixed-length
// part ending in a check digit, followed by a serial or other part: the
// GRAI (8003: "0", 13 digits with check, serial), GDTI (253) and GCN (255)
// (13 digits with check, serial), ITIP (8006: a GTIN-14, then piece and
// total). start and n give that part (value[start:start+n]).
var checkedPrefix = map[string][2]int{"8003": {1, 13}, "253": {0, 13}, "255": {0, 13}, "8006": {0, 14}}

// DigitalLinkCheckDigit names the fault of a GS1 Digital Link URI whose
// primary key has a wrong check digit ("" when it has none, or is no
// Digital Link): such a URI names no GS1 key, and read as a plain URI it
// would become a second, misspelt site or product beside the real one.
// https://id.gs1.org/414/4012345000084 → `GLN 4012345000084: check digit
// 4 is wrong, 401234500008 needs 5`. The key is the first path segment
// naming a key AI (numeric or a Digital Link 1.0 short name) that is
// followed by its value and then only AI/value pairs of that key's
// qualifiers, so that an ordinary URL whose path happens to hold "01" is
// not read as a GTIN.
func DigitalLinkCheckDigit(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return ""
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	_, path, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		ai := segs[i]
		if n, ok := shortNames[ai]; ok {
			ai = n
		}
		order, isKey := qualifierOrder[ai]
		if !isKey || (len(segs)-i)%2 != 0 || !qualifiersOf(segs[i+2:], order) {
			continue
		}
		v, _ := unescape(segs[i+1])
		return keyCheckFault(ai, v)
	}
	return ""
}

// qualifiersOf reports whether segs are AI/value pairs whose AIs are all
// among order (a key's qualifiers).
func qualifiersOf(segs []string, order []string) bool {
	for j := 0; j+1 < len(segs); j += 2 {
		q := segs[j]
		if n, ok := shortNames[q]; ok {
			q = n
		}
		if !slices.Contains(order, q) {
			return false
		}
	}
	return true
}

// DigitalLinkPathFault names what makes a URI written as a GS1 Digital
// Link no valid one ("" when it is valid, and for any URI not written as a
// Digital Link), for the rules by which one key could otherwise be spelt
// two ways (GS1 Digital Link URI Syntax 1.2, §6 and its ABNF grammar):
//   - key qualifiers follow the key in the order the standard gives for it
//     (GTIN: 22, 10, 21; ITIP: 22, 10, 21; GLN: 254; CPID: 8011), each at
//     most once: /01/…/21/S/10/L is not a Digital Link, /01/…/10/L/21/S is;
//   - a key that takes no qualifier (SSCC, GIAI, GRAI, GDTI, GSRN, …) is
//     followed by none, and no other AI (a data attribute such as 17
//     belongs in the query string) stands in the path;
//   - an AI value holds letters, digits, "-", "." and "_" as they are and
//     every other character percent-encoded (XCHAR: "!" as %21, "'" as %27,
//     "/" as %2F, …); "%" begins a %XX escape. A percent-encoded letter,
//     digit, "-", "." or "_" (%41 for "A") is the same character (RFC 3986
//     §6.2.2.2) and is accepted: the stored canonical form decodes it.
//
// The path is judged as a Digital Link from the first segment naming a key
// AI (numeric, or a Digital Link 1.0 short name) whose value is a valid
// key and after which every other segment names an AI (a known short
// name, or 2 to 4 digits), so that an ordinary URL is not read as one.
func DigitalLinkPathFault(uri string) string {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return ""
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	_, path, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	aiOf := func(seg string) (string, bool) {
		if n, ok := shortNames[seg]; ok {
			return n, true
		}
		return seg, len(seg) >= 2 && len(seg) <= 4 && allDigits(seg)
	}
	for i := 0; i+1 < len(segs); i++ {
		key, _ := aiOf(segs[i])
		order, isKey := qualifierOrder[key]
		if !isKey || (len(segs)-i)%2 != 0 {
			continue
		}
		named := true
		for j := i + 2; j < len(segs); j += 2 {
			if _, ok := aiOf(segs[j]); !ok {
				named = false
			}
		}
		if !named {
			continue // an ordinary URL whose path holds a key-like segment
		}
		value, ok := unescape(segs[i+1])
		if !ok {
			return valueCharFault(key, segs[i+1])
		}
		if _, ok := canonicalKey(Key{AI: key, Value: value}, nil); !ok {
			continue // no valid key here (judged by the check digit and ParseKey)
		}
		if msg := valueCharFault(key, segs[i+1]); msg != "" {
			return msg
		}
		last, seen := -1, map[string]bool{}
		for j := i + 2; j+1 < len(segs); j += 2 {
			q, _ := aiOf(segs[j])
			at := slices.Index(order, q)
			switch {
			case at < 0 && slices.Contains(otherQualifiers[key], q):
				return "" // a path of Digital Link 1.2 critmin reads as no key (not judged here)
			case at < 0 && len(order) == 0:
				return fmt.Sprintf("%s (AI %s) takes no key qualifier, but AI %s follows it in the path (GS1 Digital Link URI Syntax 1.2 §6: a data attribute goes in the query string)", keyName(key), key, q)
			case at < 0:
				return fmt.Sprintf("AI %s is not a key qualifier of %s (AI %s), which takes %s in that order (GS1 Digital Link URI Syntax 1.2 §6: a data attribute goes in the query string)", q, keyName(key), key, strings.Join(order, ", "))
			case seen[q]:
				return fmt.Sprintf("key qualifier AI %s appears twice (GS1 Digital Link URI Syntax 1.2 §6)", q)
			case at < last:
				return fmt.Sprintf("key qualifier AI %s comes after AI %s, but %s (AI %s) takes its qualifiers in the order %s: write /%s/…/%s/… (GS1 Digital Link URI Syntax 1.2 §6)",
					q, order[last], keyName(key), key, strings.Join(order, ", "), q, order[last])
			}
			seen[q], last = true, at
			if msg := valueCharFault(q, segs[j+1]); msg != "" {
				return msg
			}
		}
		return ""
	}
	return ""
}

// valueCharFault names the first character of the raw (still encoded)
// value of AI ai in a Digital Link path that the standard's grammar
// writes percent-encoded, or a "%" that begins no %XX escape.
func valueCharFault(ai, raw string) string {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_':
		case c == '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return fmt.Sprintf("the value %q of AI %s holds a \"%%\" that begins no %%XX escape (a \"%%\" in a value is written %%25; GS1 Digital Link URI Syntax 1.2 §6)", raw, ai)
			}
			i += 2
		default:
			return fmt.Sprintf("the value %q of AI %s holds %q, which a GS1 Digital Link writes percent-encoded as %%%02X (GS1 Digital Link URI Syntax 1.2 §6: only letters, digits, \"-\", \".\" and \"_\" stand for themselves)", raw, ai, string(c), c)
		}
	}
	return ""
}

// otherQualifiers are qualifiers GS1 Digital Link 1.2 allows after a key
// that critmin's canonical form does not carry (the SRIN 8019 of a GSRN,
// the UIC extension 7040 of the EU tobacco identifiers): such a path is
// not refused, and stays the URI it is.
var otherQualifiers = map[string][]string{"8017": {"8019"}, "8018": {"8019"}, "414": {"7040"}, "417": {"7040"}, "8004": {"7040"}}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f' }

// keyName names a primary key AI in messages.
func keyName(ai string) string {
	if n, ok := map[string]string{"8004": "GIAI", "401": "GINC", "8010": "CPID"}[ai]; ok {
		return n
	}
	if n, ok := aiName[ai]; ok {
		return n
	}
	return "AI " + ai
}

// keyCheckFault names a wrong check digit in the value v of key ai ("" if
// the key carries none, or v is not digits of the key's length there: a
// malformed key is judged by ParseKey).
func keyCheckFault(ai, v string) string {
	part := ""
	if lengths, ok := checkDigitLengths[ai]; ok {
		if allDigits(v) && slices.Contains(lengths, len(v)) {
			part = v
		}
	} else if p, ok := checkedPrefix[ai]; ok && len(v) >= p[0]+p[1] && allDigits(v[p[0]:p[0]+p[1]]) {
		part = v[p[0] : p[0]+p[1]]
	}
	if part == "" || validCheck(part) {
		return ""
	}
	what := aiName[ai] + " " + v
	if part != v {
		what = fmt.Sprintf("%s %s (its %s %s)", aiName[ai], v, checkedPartName[ai], part)
	}
	return fmt.Sprintf("%s: check digit %s is wrong, %s needs %s (GS1 General Specifications §7.9.1)",
		what, part[len(part)-1:], part[:len(part)-1], checkDigit(part[:len(part)-1]))
}

// aiName names the keys of checkDigitLengths and checkedPrefix in messages.
var aiName = map[string]string{"00": "SSCC", "01": "GTIN", "414": "GLN", "417": "party GLN", "402": "GSIN", "8017": "GSRN-P", "8018": "GSRN",
	"8003": "GRAI", "253": "GDTI", "255": "GCN", "8006": "ITIP"}

// checkedPartName names the checked part of the keys of checkedPrefix.
var checkedPartName = map[string]string{"8003": "asset type", "253": "document type", "255": "coupon reference", "8006": "GTIN"}

// GS1KeyFault names the fault of an identifier that is written as a GS1
// key but names none ("" for a valid key, and for any identifier not
// written as a GS1 key): read as a plain URI it would be stored as a
// second, misspelt object, site or party beside the real one. It judges
//   - a Digital Link URI (any host): the primary key's check digit
//     (DigitalLinkCheckDigit: GTIN, SSCC, GLN, party GLN, GSIN, GSRN,
//     GSRN-P, and the checked part of GRAI, GDTI, GCN and ITIP); on
//     id.gs1.org, GS1's own resolver, also any path that is no valid key
//     (wrong length, letters in a numeric key, a qualifier the key does
//     not take);
//   - an EPC URN urn:epc:id:{scheme}:… or urn:epc:class:lgtin:… of a GS1
//     key scheme of TDS 2.0 §6.3 (sgtin, sscc, sgln, grai, giai, gsrn,
//     gdti, …): its components — company prefix of 6 to 12 digits and a
//     reference making up the key's length (an EPC URN carries no check
//     digit; the Digital Link it stands for gets one computed);
//
// Other URNs (urn:epc:id:bic, urn:epc:idpat patterns, urn:uuid, …) and
// URLs are not GS1 keys and are not judged. Nor is the CBV 1.2 business
// transaction URN urn:epcglobal:cbv:bt:{GLN}:{id}: it is a transaction
// identifier, not the GLN, and GS1's own EPCIS 2.0 examples
// (PersistentDisposition-example) write it with GLNs whose check digit is
// wrong (9520011111116, which needs 9).
func GS1KeyFault(uri string) string {
	if len(uri) > 8 && strings.EqualFold(uri[:8], "urn:epc:") {
		kind, rest, _ := strings.Cut(uri[8:], ":")
		scheme, _, _ := strings.Cut(rest, ":")
		// RFC 8141 §3.1: "urn" and the namespace "epc" compare ignoring
		// case (URN:EPC:id:sgtin:… is urn:epc:id:sgtin:…); the rest is
		// case-sensitive (TDS 2.0 §6: the EPC URI grammar writes the kind
		// and scheme in lower case), so urn:epc:ID:SGTIN:… names no key.
		lk, ls := strings.ToLower(kind), strings.ToLower(scheme)
		if (lk == "id" && urnArity[ls] > 0 || lk == "class" && ls == "lgtin" || lk == "idpat" && urnArity[ls] > 0) && (lk != kind || ls != scheme) {
			return fmt.Sprintf("the EPC URN part %q must be written in lower case, %q: after \"urn:epc:\" an EPC URI is case-sensitive (GS1 Tag Data Standard 2.0 §6; only \"urn\" and the namespace \"epc\" are case-insensitive, RFC 8141 §3.1)",
				kind+":"+scheme, lk+":"+ls)
		}
		if !(kind == "id" && urnArity[scheme] > 0) && !(kind == "class" && scheme == "lgtin") {
			return ""
		}
		if _, ok := ParseKey(uri); !ok {
			return fmt.Sprintf("not a valid EPC URN of scheme %s: the GS1 Company Prefix (6 to 12 digits) and the reference must together have the key's digits, in the number of components the scheme has (GS1 Tag Data Standard 2.0 §6.3)", scheme)
		}
		return ""
	}
	if msg := DigitalLinkPathFault(uri); msg != "" {
		return msg
	}
	if msg := DigitalLinkCheckDigit(uri); msg != "" {
		return msg
	}
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return ""
	}
	host, path, _ := strings.Cut(rest, "/")
	if strings.EqualFold(host, "id.gs1.org") && strings.Trim(path, "/") != "" {
		if _, ok := parseDL(uri); !ok {
			return "not a valid GS1 Digital Link on id.gs1.org: the path must be a GS1 key AI and its value (of the key's length, with a right check digit), then only that key's qualifiers (GS1 Digital Link URI Syntax 1.2 §6)"
		}
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// dlEncode percent-encodes an AI value for a Digital Link path segment:
// every byte but the RFC 3986 unreserved characters (A–Z a–z 0–9 - . _ ~)
// is written %XX with upper-case hex, so that "!" is %21, "/" is %2F and
// "'" is %27 (GS1 Digital Link 1.2 §6.5 and §7; RFC 3986 §2.3 and §6.2.2:
// unreserved characters are never encoded, so this is the one spelling of
// a value that needs no knowledge of which sub-delimiters a resolver
// treats as data). The stored canonical identifiers use it; changing it
// would change stored values.
func dlEncode(v string) string { return pctEncode(v, "") }

// pctEncode writes every byte of v but the RFC 3986 unreserved characters
// and those in keep as %XX with upper-case hex.
func pctEncode(v, keep string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// urnEscape escapes an AI value for an EPC URN component: TDS 2.0 §5
// (Table 5-1) writes " % & / < > ? as %22 %25 %26 %2F %3C %3E %3F and #
// (in CPI references) as %23; every other character of the GS1 AI
// character set stands for itself.
var urnEscape = strings.NewReplacer(`%`, "%25", `"`, "%22", `&`, "%26", `/`, "%2F", `<`, "%3C", `>`, "%3E", `?`, "%3F", `#`, "%23")

// unescape decodes %XX escapes; ok is false for a malformed escape.
func unescape(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	v, err := url.PathUnescape(s)
	return v, err == nil
}

// Key is one GS1 identifier decomposed into its Digital Link parts: the
// primary AI and key value, and the qualifiers in the order Digital Link
// writes them. Values are plain (not percent-encoded).
type Key struct {
	AI    string // "01", "00", "414", …
	Value string
	// Qualifiers are AI/value pairs after the key (AI 21 serial, 10 lot,
	// 254 GLN extension, 235 TPX, 8011 CPI serial).
	Qualifiers [][2]string
}

// DigitalLink writes k as a canonical Digital Link URI, the form critmin
// stores and matches (dlEncode).
func (k Key) DigitalLink() string { return k.digitalLink(dlEncode) }

// digitalLink writes k on id.gs1.org with its AI values percent-encoded by
// enc: dlEncode for the stored form, hashEncode for the CBV 2.0 §8.9
// event hash (hash_dl.go). It is the one place a Key becomes a URI.
func (k Key) digitalLink(enc func(string) string) string {
	s := dlBase + k.AI + "/" + enc(k.Value)
	for _, q := range k.Qualifiers {
		s += "/" + q[0] + "/" + enc(q[1])
	}
	return s
}

// qualifierOrder lists, per primary key AI, the qualifier AIs Digital Link
// allows in path order (GS1 Digital Link 1.2 Table 6-1 key qualifiers).
var qualifierOrder = map[string][]string{
	"01":   {"22", "10", "21", "235"},
	"8006": {"22", "10", "21"},
	"414":  {"254"},
	"8010": {"8011"},
	"00":   nil, "417": nil, "8003": nil, "8004": nil, "8017": nil, "8018": nil,
	"253": nil, "255": nil, "401": nil, "402": nil,
}

// shortNames are the short names GS1 Digital Link 1.0 allowed for AIs.
var shortNames = map[string]string{"gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417", "gsrnp": "8017", "gsrn": "8018",
	"gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10", "ser": "21",
	"glnx": "254", "tpx": "235", "cpsn": "8011"}

// Canonical returns the canonical Digital Link form of a URI naming a GS1
// key (any EPC URN, EPC class URN, GTIN-level EPC pattern, or Digital Link
// URI on any host); any other URN with its "urn" scheme and its NID in
// lower case (CanonicalURN); any other string unchanged. Two spellings of
// one key have the same canonical form.
func Canonical(uri string) string {
	if dl, ok := NormaliseGS1(uri); ok {
		return dl
	}
	return CanonicalURN(uri)
}

// CanonicalURN returns a URN with the "urn" scheme and its namespace
// identifier in lower case and its NSS as given, and a UUID URN wholly in
// lower case; any other string unchanged. RFC 8141 §3.1: the scheme and
// the NID are case-insensitive, the NSS is compared as its namespace
// says — byte for byte unless it says otherwise, as RFC 9562 §4 does for
// the hex digits of a UUID. So "URN:example:lot:1" and
// "urn:EXAMPLE:lot:1" are "urn:example:lot:1", and "urn:example:LOT:1"
// another identifier. It is CanonicalEventID's rule for URNs, applied to
// every identifier critmin matches. Called on every identifier captured
// or queried: an identifier already canonical costs no allocation.
func CanonicalURN(id string) string {
	if len(id) < 4 || !strings.EqualFold(id[:4], "urn:") {
		return id
	}
	// RFC 8141 §2: NID = alphanum 0*30(alphanum / "-") alphanum.
	end := strings.IndexByte(id[4:], ':')
	if end < 2 || end > 32 {
		return id
	}
	nid := id[4 : 4+end]
	lower := id[:4] == "urn:"
	for i := 0; i < len(nid); i++ {
		c := nid[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c >= 'A' && c <= 'Z':
			lower = false
		case c == '-' && i > 0 && i < len(nid)-1:
		default:
			return id
		}
	}
	if strings.EqualFold(nid, "uuid") {
		if l := strings.ToLower(id); l != id {
			return l
		}
		return id
	}
	if lower {
		return id
	}
	return "urn:" + strings.ToLower(nid) + id[4+end:]
}

// NormaliseGS1 converts a URI naming a GS1 key to its canonical Digital
// Link form (CBV 2.0 §8.9 uses the same form for the event hash); ok is
// false for any other URI, and for a key with a wrong check digit or
// length.
func NormaliseGS1(uri string) (string, bool) {
	k, ok := ParseKey(uri)
	if !ok {
		return uri, false
	}
	return k.DigitalLink(), true
}

// ParseKey decomposes an EPC URN (urn:epc:id:…, urn:epc:class:lgtin:…, or
// a single-class pattern such as urn:epc:idpat:sgtin:C.I.* or
// urn:epc:idpat:grai:C.A.*; see parseURN) or a Digital Link URI into a
// Key; ok is false for anything else. It is the one reader of GS1 keys for
// both the stored canonical form (Canonical) and the event hash (hashDL).
func ParseKey(uri string) (Key, bool) {
	if len(uri) > 8 && strings.EqualFold(uri[:8], "urn:epc:") {
		k, ok := parseURN(uri[8:])
		if !ok || !fitsAI(k.AI, k.Value) {
			return Key{}, false
		}
		for _, q := range k.Qualifiers {
			if !fitsAI(q[0], q[1]) {
				return Key{}, false
			}
		}
		return k, true
	}
	// The scheme is case-insensitive (RFC 3986 §3.1; the URN scheme and
	// the epc NID above likewise, RFC 8141 §3): HTTPS://… is https://….
	if len(uri) > 8 && strings.EqualFold(uri[:8], "https://") || len(uri) > 7 && strings.EqualFold(uri[:7], "http://") {
		return parseDL(uri)
	}
	return Key{}, false
}

// urnArity is the number of "."-separated components of each EPC scheme's
// body (TDS 2.0 §6.3, Table 6-1 grammar): the last component of a scheme
// whose last component is alphanumeric (a serial, extension, asset or
// consignment reference) may itself contain "." and is kept whole.
var urnArity = map[string]int{"sgtin": 3, "lgtin": 3, "upui": 3, "sscc": 2, "sgln": 3, "pgln": 2, "grai": 3, "giai": 2, "gsrn": 2, "gsrnp": 2,
	"gdti": 3, "sgcn": 3, "ginc": 2, "gsin": 2, "itip": 5, "cpi": 3}

// urnParts splits an EPC URN body into its scheme's components; ok is
// false for an unknown scheme or a wrong number of components.
func urnParts(scheme, body string) ([]string, bool) {
	n := urnArity[scheme]
	if n == 0 {
		return nil, false
	}
	parts := strings.SplitN(body, ".", n)
	return parts, len(parts) == n
}

// singleClass are the schemes whose pattern URI with only the last
// component "*" (TDS 2.0 §8) names one class of the GS1 key: every serial
// of one GTIN (sgtin, upui), ITIP piece (itip), GRAI asset type, GDTI
// document type, GCN coupon or CPI part. CBV 2.0 §8.9 writes such a
// pattern as the Digital Link URI of that class; patterns of other schemes
// (an SGLN with any extension, …) name no single key.
var singleClass = map[string]bool{"sgtin": true, "upui": true, "itip": true, "grai": true, "gdti": true, "sgcn": true, "cpi": true}

// parseURN reads "id:scheme:…", "class:lgtin:…" or a single-class pattern
// "idpat:scheme:…*" (the URN after "urn:epc:"), after TDS 2.0 §6.3 (EPC
// URI) and §7 (GS1 key correspondence). Numeric references are empty where
// the GS1 Company Prefix has 12 digits (urn:epc:id:grai:123456789012..5).
func parseURN(s string) (Key, bool) {
	kind, rest, _ := strings.Cut(s, ":")
	scheme, body, ok := strings.Cut(rest, ":")
	if !ok || (kind == "class") != (scheme == "lgtin") {
		return Key{}, false
	}
	parts, ok := urnParts(scheme, body)
	if !ok {
		return Key{}, false
	}
	last := len(parts) - 1
	class := false
	switch kind {
	case "id", "class":
	case "idpat":
		if !singleClass[scheme] || parts[last] != "*" {
			return Key{}, false
		}
		class = true
	default:
		return Key{}, false
	}
	cp := parts[0]
	if !allDigits(cp) || len(cp) < 6 || len(cp) > 12 {
		return Key{}, false
	}
	// ref reports whether component i is a numeric reference: digits, or
	// empty (a 12-digit company prefix leaves no room); the key's total
	// length is checked where the key is built.
	ref := func(i int) bool { return parts[i] == "" || allDigits(parts[i]) }
	// val decodes the escaped alphanumeric component i (TDS Table 5-1),
	// which must not be empty.
	val := func(i int) (string, bool) {
		v, ok := unescape(parts[i])
		return v, ok && v != ""
	}
	// gtin builds a GTIN-14 from company prefix and indicator+item
	// reference (TDS §7.1.2): indicator digit, company prefix, item
	// reference, check digit.
	gtin := func(iir string) (string, bool) {
		if len(cp)+len(iir) != 13 || !allDigits(iir) {
			return "", false
		}
		raw := iir[:1] + cp + iir[1:]
		return raw + checkDigit(raw), true
	}
	// twelve builds a 13-digit key (GLN, GDTI, GCN, GRAI body): company
	// prefix, reference, check digit.
	twelve := func(i int) (string, bool) {
		if len(cp)+len(parts[i]) != 12 || !ref(i) {
			return "", false
		}
		return cp + parts[i] + checkDigit(cp+parts[i]), true
	}
	// withQualifier adds the decoded last component to k as qualifier ai,
	// unless the URN is a class pattern.
	withQualifier := func(k Key, ai string) (Key, bool) {
		if class {
			return k, true
		}
		v, ok := val(last)
		if !ok {
			return Key{}, false
		}
		k.Qualifiers = [][2]string{{ai, v}}
		return k, true
	}
	switch scheme {
	case "sgtin", "lgtin", "upui": // C.I.S → 01 + 21; C.I.L → 01 + 10; C.I.X → 01 + 235
		g, ok := gtin(parts[1])
		if !ok {
			break
		}
		return withQualifier(Key{AI: "01", Value: g}, map[string]string{"sgtin": "21", "lgtin": "10", "upui": "235"}[scheme])
	case "itip": // C.I.P.T.S → 8006 (GTIN-14, piece, total) + 21
		g, ok := gtin(parts[1])
		if !ok || len(parts[2]) != 2 || len(parts[3]) != 2 || !allDigits(parts[2]+parts[3]) {
			break
		}
		return withQualifier(Key{AI: "8006", Value: g + parts[2] + parts[3]}, "21")
	case "cpi": // C.R.S → 8010 (company prefix + component reference) + 8011
		r, ok := val(1)
		if !ok || (!class && !allDigits(parts[2])) {
			break
		}
		return withQualifier(Key{AI: "8010", Value: cp + r}, "8011")
	case "sscc": // C.E → 00: extension digit, company prefix, serial reference, check
		if len(cp)+len(parts[1]) != 17 || !ref(1) {
			break
		}
		raw := parts[1][:1] + cp + parts[1][1:]
		return Key{AI: "00", Value: raw + checkDigit(raw)}, true
	case "sgln": // C.L.E → 414 (+ 254 unless the extension is 0)
		g, ok := twelve(1)
		ext, ok2 := val(2)
		if !ok || !ok2 {
			break
		}
		k := Key{AI: "414", Value: g}
		if ext != "0" {
			k.Qualifiers = [][2]string{{"254", ext}}
		}
		return k, true
	case "pgln": // C.P → 417
		g, ok := twelve(1)
		if !ok {
			break
		}
		return Key{AI: "417", Value: g}, true
	case "grai", "gdti", "sgcn":
		// C.A.S → 8003: "0", 13-digit asset type, serial; C.D.S → 253:
		// 13-digit GDTI, serial; C.R.S → 255: 13-digit GCN, numeric serial.
		g, ok := twelve(1)
		if !ok {
			break
		}
		ai := map[string]string{"grai": "8003", "gdti": "253", "sgcn": "255"}[scheme]
		if scheme == "grai" {
			g = "0" + g
		}
		if class {
			return Key{AI: ai, Value: g}, true
		}
		ser, ok := val(2)
		if !ok || (scheme == "sgcn" && !allDigits(parts[2])) {
			break
		}
		return Key{AI: ai, Value: g + ser}, true
	case "giai", "ginc": // C.A → 8004, C.R → 401: company prefix, reference
		r, ok := val(1)
		if !ok {
			break
		}
		return Key{AI: map[string]string{"giai": "8004", "ginc": "401"}[scheme], Value: cp + r}, true
	case "gsrn", "gsrnp": // C.S → 8018 / 8017: 17 digits + check
		if len(cp)+len(parts[1]) != 17 || !ref(1) {
			break
		}
		ai := "8018"
		if scheme == "gsrnp" {
			ai = "8017"
		}
		return Key{AI: ai, Value: cp + parts[1] + checkDigit(cp+parts[1])}, true
	case "gsin": // C.S → 402: 16 digits + check
		if len(cp)+len(parts[1]) != 16 || !ref(1) {
			break
		}
		return Key{AI: "402", Value: cp + parts[1] + checkDigit(cp+parts[1])}, true
	}
	return Key{}, false
}

// parseDL reads a Digital Link URI on any host, with an optional path
// prefix before the primary key, short or numeric AI names, and a query
// string or fragment that it drops. The key's check digit must be right.
func parseDL(uri string) (Key, bool) {
	u := uri
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	scheme := strings.Index(u, "://")
	slash := strings.IndexByte(u[scheme+3:], '/')
	if slash < 0 {
		return Key{}, false
	}
	segs := strings.Split(strings.Trim(u[scheme+3+slash:], "/"), "/")
	// The primary key is the first segment naming a key AI whose value
	// follows; a path prefix (a resolver's own path) may come before it.
	for i := 0; i+1 < len(segs); i++ {
		ai := segs[i]
		if n, ok := shortNames[ai]; ok {
			ai = n
		}
		order, isKey := qualifierOrder[ai]
		if !isKey {
			continue
		}
		if (len(segs)-i)%2 != 0 {
			continue // a path prefix may hold a segment named like an AI
		}
		value, ok := unescape(segs[i+1])
		if !ok {
			return Key{}, false
		}
		k := Key{AI: ai, Value: value}
		quals := map[string]string{}
		for j := i + 2; j+1 < len(segs); j += 2 {
			q := segs[j]
			if n, ok := shortNames[q]; ok {
				q = n
			}
			v, ok := unescape(segs[j+1])
			if !ok || !slices.Contains(order, q) || quals[q] != "" || v == "" {
				return Key{}, false
			}
			quals[q] = v
		}
		return canonicalKey(k, quals)
	}
	return Key{}, false
}

// canonicalKey checks the key value's form and check digit and keeps the
// qualifiers that identify (no CPV; no lot beside a serial).
func canonicalKey(k Key, q map[string]string) (Key, bool) {
	v := k.Value
	switch k.AI {
	case "01": // GTIN-8, -12, -13 or -14, padded to 14 digits
		if !allDigits(v) || (len(v) != 8 && len(v) != 12 && len(v) != 13 && len(v) != 14) {
			return Key{}, false
		}
		v = strings.Repeat("0", 14-len(v)) + v
		if !validCheck(v) {
			return Key{}, false
		}
	case "00":
		if len(v) != 18 || !validCheck(v) {
			return Key{}, false
		}
	case "414", "417":
		if len(v) != 13 || !validCheck(v) {
			return Key{}, false
		}
	case "8017", "8018":
		if len(v) != 18 || !validCheck(v) {
			return Key{}, false
		}
	case "402":
		if len(v) != 17 || !validCheck(v) {
			return Key{}, false
		}
	case "8003": // "0", GTIN-13-like asset type with check, optional serial
		if len(v) < 14 || v[0] != '0' || !validCheck(v[1:14]) {
			return Key{}, false
		}
	case "253", "255": // 13-digit key with check, then a serial
		if len(v) < 13 || !validCheck(v[:13]) || (k.AI == "255" && len(v) > 13 && !allDigits(v[13:])) {
			return Key{}, false
		}
	case "8006": // GTIN-14, piece, total
		if len(v) != 18 || !allDigits(v) || !validCheck(v[:14]) {
			return Key{}, false
		}
	case "8004", "401", "8010":
		if len(v) < 7 || !allDigits(v[:6]) {
			return Key{}, false
		}
	}
	k.Value = v
	if !fitsAI(k.AI, v) {
		return Key{}, false
	}
	for _, ai := range qualifierOrder[k.AI] {
		val, ok := q[ai]
		// A GLN extension of "0" is the GLN itself (TDS 2.0: the SGLN
		// extension 0 means "no extension").
		if !ok || ai == "22" || (ai == "10" && (q["21"] != "" || q["235"] != "")) || (ai == "254" && val == "0") {
			continue
		}
		if !fitsAI(ai, val) {
			return Key{}, false
		}
		k.Qualifiers = append(k.Qualifiers, [2]string{ai, val})
	}
	return k, true
}

// aiMaxLen is the longest value of each AI (GS1 General Specifications
// §3.2, Table 3.2-1 format column): a serial (21) or lot (10) is at most
// 20 characters, a GIAI 30, and so on.
var aiMaxLen = map[string]int{"21": 20, "10": 20, "254": 20, "235": 28, "8011": 12, "8003": 30, "8004": 30, "253": 30, "255": 25, "401": 30, "8010": 30}

// fitsAI reports whether v is a well-formed value of ai: within its
// length, and of the GS1 AI encodable character set 82 (General
// Specifications §7.11, Figure 7.11-1); CPID (8010) values use the
// smaller set 39 (# - / 0–9 A–Z) and CPI serials (8011) are digits.
func fitsAI(ai, v string) bool {
	if n, ok := aiMaxLen[ai]; ok && len(v) > n {
		return false
	}
	switch ai {
	case "8011":
		return allDigits(v)
	case "8010":
		for i := 0; i < len(v); i++ {
			c := v[i]
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '#' || c == '-' || c == '/') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(v); i++ {
		if !strings.ContainsRune(cset82, rune(v[i])) {
			return false
		}
	}
	return true
}

// cset82 is the GS1 AI encodable character set 82.
const cset82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// ToURN writes a GS1 key as its EPC URN (TDS 2.0 §6), given the length of
// its GS1 Company Prefix (6 to 12 digits), which the Digital Link does not
// carry. A GTIN with a serial is an SGTIN, with a lot an LGTIN class, with
// neither the class pattern urn:epc:idpat:sgtin:C.I.*. ok is false where
// no EPC scheme fits (a GRAI without serial, a GTIN with both lot and
// TPX) or the length does not fit the key.
func (k Key) ToURN(gcpLen int) (string, bool) {
	v := k.Value
	if gcpLen < 6 || gcpLen > 12 {
		return "", false
	}
	q := map[string]string{}
	for _, p := range k.Qualifiers {
		q[p[0]] = urnEscape.Replace(p[1])
	}
	// A 14-digit GTIN splits into indicator, company prefix, item reference
	// (check digit dropped); the URN writes prefix "." indicator+item.
	gtinParts := func(g string) string {
		return g[1:1+gcpLen] + "." + g[:1] + g[1+gcpLen:13]
	}
	// A 13-digit key (GLN, GDTI, GCN, GRAI body) splits into prefix and
	// reference, check digit dropped.
	thirteen := func(g string) string { return g[:gcpLen] + "." + g[gcpLen:12] }
	switch k.AI {
	case "01":
		switch {
		case q["21"] != "":
			return "urn:epc:id:sgtin:" + gtinParts(v) + "." + q["21"], true
		case q["235"] != "":
			return "urn:epc:id:upui:" + gtinParts(v) + "." + q["235"], true
		case q["10"] != "":
			return "urn:epc:class:lgtin:" + gtinParts(v) + "." + q["10"], true
		default:
			return "urn:epc:idpat:sgtin:" + gtinParts(v) + ".*", true
		}
	case "00":
		return "urn:epc:id:sscc:" + v[1:1+gcpLen] + "." + v[:1] + v[1+gcpLen:17], true
	case "414":
		ext := "0"
		if q["254"] != "" {
			ext = q["254"]
		}
		return "urn:epc:id:sgln:" + thirteen(v) + "." + ext, true
	case "417":
		return "urn:epc:id:pgln:" + thirteen(v), true
	case "8003":
		if len(v) == 14 {
			return "", false // a GRAI without serial names no single asset
		}
		return "urn:epc:id:grai:" + thirteen(v[1:14]) + "." + urnEscape.Replace(v[14:]), true
	case "8004":
		if len(v) <= gcpLen {
			return "", false
		}
		return "urn:epc:id:giai:" + v[:gcpLen] + "." + urnEscape.Replace(v[gcpLen:]), true
	case "8017", "8018":
		scheme := "gsrn"
		if k.AI == "8017" {
			scheme = "gsrnp"
		}
		return "urn:epc:id:" + scheme + ":" + v[:gcpLen] + "." + v[gcpLen:17], true
	case "253":
		if len(v) == 13 {
			return "", false
		}
		return "urn:epc:id:gdti:" + thirteen(v[:13]) + "." + urnEscape.Replace(v[13:]), true
	case "255":
		if len(v) == 13 {
			return "", false
		}
		return "urn:epc:id:sgcn:" + thirteen(v[:13]) + "." + v[13:], true
	case "401":
		if len(v) <= gcpLen {
			return "", false
		}
		return "urn:epc:id:ginc:" + v[:gcpLen] + "." + urnEscape.Replace(v[gcpLen:]), true
	case "402":
		return "urn:epc:id:gsin:" + v[:gcpLen] + "." + v[gcpLen:16], true
	case "8006":
		if q["21"] == "" {
			return "", false
		}
		return "urn:epc:id:itip:" + gtinParts(v[:14]) + "." + v[14:16] + "." + v[16:18] + "." + q["21"], true
	case "8010":
		if len(v) <= gcpLen || q["8011"] == "" {
			return "", false
		}
		return "urn:epc:id:cpi:" + v[:gcpLen] + "." + urnEscape.Replace(v[gcpLen:]) + "." + q["8011"], true
	}
	return "", false
}

// CompanyPrefix returns the part of the key that starts with the GS1
// Company Prefix (for a GTIN and SSCC, after the indicator or extension
// digit; for a GRAI, after its leading zero), for a GCP length lookup.
func (k Key) CompanyPrefix() string {
	switch k.AI {
	case "01", "00", "8006":
		return k.Value[1:]
	case "8003":
		return k.Value[1:]
	}
	return k.Value
}

// The "they differ in" list of a conflicting capture compares identifiers
// by their canonical form (critmin.EventDifferences).
func init() { critmin.CanonicalIdentifier = Canonical }

// LocationBase is the canonical form (Canonical) of the location a GLN
// sub-location lies in: for a GLN with a non-zero extension (an SGLN
// urn:epc:id:sgln:C.L.E with E not 0, or a Digital Link /414/GLN/254/E,
// in any spelling) the GLN itself, extension 0; "" for any other
// identifier. A GLN extension identifies a sub-location inside the
// physical location the GLN identifies (GS1 General Specifications
// §3.4.2, Digital Link AI 254), so it is in that location's country.
func LocationBase(id string) string {
	k, ok := ParseKey(Canonical(id))
	if !ok || k.AI != "414" || len(k.Qualifiers) == 0 {
		return ""
	}
	return Key{AI: "414", Value: k.Value}.DigitalLink()
}
