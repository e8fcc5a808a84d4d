package epcis

import "strings"

// IDMatch is how a query value matches stored canonical identifiers: equal
// to Exact (when set), or LIKE Like (when set; "\" escapes "%" and "_").
type IDMatch struct {
	Exact string
	Like  string
}

// likeEscape escapes SQL LIKE wildcards with "\".
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// PatternMatch translates an EPC pattern URI (TDS 2.0 §8: urn:epc:idpat:
// scheme:… whose trailing components may be "*") into a match over the
// canonical Digital Link forms Canonical stores; ok is false for any
// other value, which then matches as written.
//
//   - All components fixed but the last (urn:epc:idpat:sgtin:C.I.*): the
//     key without that component. Where the component is a Digital Link
//     qualifier (SGTIN serial, SGLN extension, UPUI TPX, ITIP serial, CPI
//     serial) the pattern matches the key itself (a stored class-level
//     pattern such as the GTIN class) and every URI below it (…/21/…,
//     …/10/…); where it is part of the key value (GRAI, GDTI and SGCN
//     serials) every value that starts with the fixed part.
//   - Only the company prefix fixed (urn:epc:idpat:sgtin:C.*.*): every key
//     of that scheme's AI whose value has the prefix after the indicator
//     digit (GTIN, SSCC, ITIP) or leading zero (GRAI); without a GCP
//     length, a longer company prefix that starts with the same digits
//     matches too.
//   - Nothing fixed (urn:epc:idpat:sgtin:*.*.*): every key of the AI.
//
// A class key alone, in any spelling a GS1 key parses from (canonical
// Digital Link https://id.gs1.org/01/04012345111118, another host, a
// GTIN-13), is the same class-level pattern: a GTIN (AI 01) stands for
// urn:epc:idpat:sgtin:C.I.*, and likewise an ITIP (8006) without serial and
// a CPI (8010) without serial, so MATCH_epcClass, MATCH_anyEPCClass and
// MATCH_epc give the same events for either spelling (docs/identity.md,
// "Matching"). Keys that name an instance alone (a GLN, an SSCC) stay exact.
func PatternMatch(p string) ([]IDMatch, bool) {
	if len(p) < 14 || !strings.EqualFold(p[:14], "urn:epc:idpat:") {
		if k, ok := ParseKey(p); ok && len(k.Qualifiers) == 0 && classAIs[k.AI] {
			base := k.DigitalLink()
			return []IDMatch{{Exact: base}, {Like: likeEscape.Replace(base+"/") + "%"}}, true
		}
		if k, ok := ParseKey(p); ok && len(k.Qualifiers) == 0 && serialInValue[k.AI] == len(k.Value) {
			// The key without its serial (a GRAI, GDTI or SGCN class):
			// the same class as urn:epc:idpat:grai:C.A.*, every value
			// that starts with it.
			return []IDMatch{{Like: likeEscape.Replace(k.DigitalLink()) + "%"}}, true
		}
		return nil, false
	}
	scheme, body, ok := strings.Cut(p[14:], ":")
	if !ok {
		return nil, false
	}
	ai, lead := patternAI(scheme)
	parts, ok := urnParts(scheme, body) // a fixed serial may contain "."
	if ai == "" || !ok {
		return nil, false
	}
	fixed := 0
	for fixed < len(parts) && parts[fixed] != "*" {
		fixed++
	}
	for _, c := range parts[fixed:] {
		if c != "*" {
			return nil, false // "*" only in trailing components
		}
	}
	switch {
	case fixed == len(parts):
		k, ok := ParseKey("urn:epc:id:" + scheme + ":" + body)
		if !ok {
			return nil, false
		}
		return []IDMatch{{Exact: k.DigitalLink()}}, true
	case fixed == 0:
		return []IDMatch{{Like: likeEscape.Replace(dlBase+ai+"/") + "%"}}, true
	case fixed == 1:
		if !allDigits(parts[0]) {
			return nil, false
		}
		return []IDMatch{{Like: likeEscape.Replace(dlBase+ai+"/") + lead + parts[0] + "%"}}, true
	case fixed < len(parts)-1:
		return nil, false // TDS patterns fix all but the last, the prefix, or nothing
	}
	// All fixed but the last: parse with a placeholder serial.
	k, ok := ParseKey("urn:epc:id:" + scheme + ":" + strings.Join(parts[:len(parts)-1], ".") + ".1")
	if !ok {
		return nil, false
	}
	if len(k.Qualifiers) > 0 {
		k.Qualifiers = k.Qualifiers[:len(k.Qualifiers)-1]
		base := k.DigitalLink()
		return []IDMatch{{Exact: base}, {Like: likeEscape.Replace(base+"/") + "%"}}, true
	}
	k.Value = strings.TrimSuffix(k.Value, "1")
	return []IDMatch{{Like: likeEscape.Replace(k.DigitalLink()) + "%"}}, true
}

// classAIs are the GS1 keys that name a class of items, each refined by
// qualifiers into lots or instances (GS1 Digital Link 1.2 §4: GTIN → lot
// 10, serial 21, TPX 235; ITIP → serial 21; CPI → serial 8011).
var classAIs = map[string]bool{"01": true, "8006": true, "8010": true}

// serialInValue are the keys whose serial is part of the key value, not a
// qualifier, with the length of the value without it: GRAI (8003, "0" and
// the 13 digits of the asset type), GDTI (253) and SGCN (255), 13 digits
// each (GS1 General Specifications §3.9). Such a key of that length is
// the class the idpat pattern C.A.* names.
var serialInValue = map[string]int{"8003": 14, "253": 13, "255": 13}

// patternAI returns the Digital Link AI of an EPC scheme, what precedes
// the company prefix in its key value ("_": one indicator or extension
// digit; "0": the GRAI's leading zero); urnArity gives its number of URN
// components.
func patternAI(scheme string) (ai, lead string) {
	switch scheme {
	case "sgtin":
		return "01", "_"
	case "upui":
		return "01", "_"
	case "sscc":
		return "00", "_"
	case "sgln":
		return "414", ""
	case "pgln":
		return "417", ""
	case "grai":
		return "8003", "0"
	case "giai":
		return "8004", ""
	case "gsrn":
		return "8018", ""
	case "gsrnp":
		return "8017", ""
	case "gdti":
		return "253", ""
	case "sgcn":
		return "255", ""
	case "ginc":
		return "401", ""
	case "gsin":
		return "402", ""
	case "itip":
		return "8006", "_"
	case "cpi":
		return "8010", ""
	}
	return "", ""
}
