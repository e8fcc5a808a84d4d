package epcis

// hashDL converts a value naming a GS1 key to the constrained canonical
// GS1 Digital Link URI the event hash uses (CBV 2.0 §8.9, rule "EPC URIs,
// EPC class URIs and EPC pattern URIs are converted to canonical GS1
// Digital Link URIs"): host id.gs1.org, numeric AIs, the finest level of
// identification, no CPV and no query string. The key is read by ParseKey
// and written by Key.digitalLink, the same translation the store uses for
// matching (digitallink.go); only the percent-encoding differs
// (hashEncode). A pattern that names a single class (every serial of one
// GTIN, GRAI asset type, GDTI document type, …) becomes the URI of that
// class. Values that are not GS1 keys come back unchanged with ok false.
func hashDL(s string) (string, bool) {
	k, ok := ParseKey(s)
	if !ok {
		return s, false
	}
	return k.digitalLink(hashEncode), true
}

// hashEncode percent-encodes an AI value as the CBV 2.0 §8.9 pre-hash
// writes it, which differs from the stored form (dlEncode) in one point:
// the RFC 3986 sub-delimiters "'", ";" and "=" stay literal. CBV 2.0 §8.9
// converts an EPC URI by keeping its components, whose TDS 2.0 Table 5-1
// escapes (" % & / < > ?, and # in a CPI) are already %XX, and encoding
// the characters GS1 Digital Link 1.2 Table 7-1 lists (! ( ) * + , :);
// "'", ";" and "=" are in neither list and are legal in a path segment
// (RFC 3986 §3.3 pchar). This is the rendering of the algorithm's
// reference implementation (testdata/epcis/hash-vectors; the TDS 2.0 UPUI
// example 51qIgY)%3C%26Jp3*j7'SDB hashes as 51qIgY%29%3C%26Jp3%2Aj7'SDB).
// Every other byte is encoded as in dlEncode, with upper-case hex, so a
// URN escape written in lower case (%2f) hashes as %2F.
func hashEncode(v string) string { return pctEncode(v, "';=") }
