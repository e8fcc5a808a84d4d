package epcis

import (
	"strconv"
	"strings"
)

// hashDL converts a value naming a GS1 key to the constrained canonical
// GS1 Digital Link URI the event hash uses (CBV 2.0 §8.9, rule "EPC URIs,
// EPC class URIs and EPC pattern URIs are converted to canonical GS1
// Digital Link URIs"): host id.gs1.org, numeric AIs, the finest level of
// identification, no CPV and no query string. EPC URIs follow the GS1 Tag
// Data Standard 2.0 (§6 EPC URI, §12 TDS/GS1 key correspondence, §8 EPC
// pattern URI); a pattern that names a single class (every serial of one
// GTIN, GRAI asset type, GDTI document type, ...) becomes the URI of that
// class. Values that are not GS1 keys come back unchanged with ok false.
func hashDL(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "urn:epc:"); ok {
		return epcURNToDL(rest)
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return NormaliseGS1(s)
	}
	return s, false
}

// hashDLEscape percent-encodes the characters of an EPC URI component that
// GS1 Digital Link 1.2 Table 7-1 requires encoded in a path segment.
var hashDLEscape = strings.NewReplacer("!", "%21", "(", "%28", ")", "%29", "*", "%2A", "+", "%2B", ",", "%2C", ":", "%3A")

// gs1Check appends the GS1 mod-10 check digit (GS1 General Specifications
// §7.9.1) to a digit string.
func gs1Check(digits string) string {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return digits + strconv.Itoa((10-sum%10)%10)
}

// epcURNToDL converts "id:scheme:…", "class:lgtin:…" or "idpat:scheme:…"
// (the part after "urn:epc:").
func epcURNToDL(s string) (string, bool) {
	kind, rest, _ := strings.Cut(s, ":")
	scheme, body, ok := strings.Cut(rest, ":")
	if !ok {
		return "", false
	}
	// The last component (serial, extension) may itself contain dots.
	parts := map[string]int{"itip": 5, "sscc": 2, "pgln": 2, "gsrn": 2, "gsrnp": 2, "gsin": 2, "giai": 2, "ginc": 2}[scheme]
	if parts == 0 {
		parts = 3
	}
	f := strings.SplitN(body, ".", parts)
	cp := f[0]
	if len(cp) < 6 || len(cp) > 12 || !allDigits(cp) {
		return "", false
	}
	const base = "https://id.gs1.org/"
	// key joins the company prefix and a numeric reference of a fixed
	// total length; indicator moves the reference's first digit in front
	// (GTIN, SSCC); check adds the check digit.
	key := func(ref string, total int, indicator bool) (string, bool) {
		if len(cp)+len(ref) != total || (ref != "" && !allDigits(ref)) {
			return "", false
		}
		if indicator {
			if ref == "" {
				return "", false
			}
			return gs1Check(ref[:1] + cp + ref[1:]), true
		}
		return gs1Check(cp + ref), true
	}
	n := len(f)
	switch kind + ":" + scheme {
	case "id:sgtin", "class:lgtin", "idpat:sgtin", "id:upui", "idpat:upui":
		if n != 3 {
			return "", false
		}
		g, ok := key(f[1], 13, true)
		if !ok || f[2] == "" {
			return "", false
		}
		switch {
		case kind == "idpat" && f[2] == "*":
			return base + "01/" + g, true
		case kind == "idpat":
			return "", false
		case scheme == "lgtin":
			return base + "01/" + g + "/10/" + hashDLEscape.Replace(f[2]), true
		case scheme == "upui":
			return base + "01/" + g + "/235/" + hashDLEscape.Replace(f[2]), true
		}
		return base + "01/" + g + "/21/" + hashDLEscape.Replace(f[2]), true
	case "id:itip", "idpat:itip":
		if n != 5 || len(f[2]) != 2 || len(f[3]) != 2 || !allDigits(f[2]+f[3]) || f[4] == "" {
			return "", false
		}
		g, ok := key(f[1], 13, true)
		if !ok {
			return "", false
		}
		if kind == "idpat" {
			if f[4] != "*" {
				return "", false
			}
			return base + "8006/" + g + f[2] + f[3], true
		}
		return base + "8006/" + g + f[2] + f[3] + "/21/" + hashDLEscape.Replace(f[4]), true
	case "id:sscc":
		if n != 2 {
			return "", false
		}
		g, ok := key(f[1], 17, true)
		return base + "00/" + g, ok
	case "id:sgln":
		if n != 3 || f[2] == "" {
			return "", false
		}
		g, ok := key(f[1], 12, false)
		if !ok {
			return "", false
		}
		if f[2] == "0" {
			return base + "414/" + g, true
		}
		return base + "414/" + g + "/254/" + hashDLEscape.Replace(f[2]), true
	case "id:pgln":
		if n != 2 {
			return "", false
		}
		g, ok := key(f[1], 12, false)
		return base + "417/" + g, ok
	case "id:grai", "idpat:grai", "id:gdti", "idpat:gdti", "id:sgcn", "idpat:sgcn":
		// Serialised class keys: GRAI (AI 8003, a leading 0 before the
		// 13-digit key), GDTI (AI 253), GCN (AI 255).
		if n != 3 || f[2] == "" {
			return "", false
		}
		g, ok := key(f[1], 12, false)
		if !ok {
			return "", false
		}
		ai := map[string]string{"grai": "8003/", "gdti": "253/", "sgcn": "255/"}[scheme]
		if scheme == "grai" {
			g = gs1Check("0" + cp + f[1])
		}
		if kind == "idpat" {
			if f[2] != "*" {
				return "", false
			}
			return base + ai + g, true
		}
		if scheme == "sgcn" && !allDigits(f[2]) {
			return "", false
		}
		return base + ai + g + hashDLEscape.Replace(f[2]), true
	case "id:giai", "id:ginc":
		if n != 2 || f[1] == "" {
			return "", false
		}
		ai := map[string]string{"giai": "8004/", "ginc": "401/"}[scheme]
		return base + ai + cp + hashDLEscape.Replace(f[1]), true
	case "id:gsrn", "id:gsrnp":
		if n != 2 {
			return "", false
		}
		g, ok := key(f[1], 17, false)
		ai := map[string]string{"gsrn": "8018/", "gsrnp": "8017/"}[scheme]
		return base + ai + g, ok
	case "id:gsin":
		if n != 2 {
			return "", false
		}
		g, ok := key(f[1], 16, false)
		return base + "402/" + g, ok
	case "id:cpi", "idpat:cpi":
		if n != 3 || f[1] == "" || f[2] == "" {
			return "", false
		}
		if kind == "idpat" {
			if f[2] != "*" {
				return "", false
			}
			return base + "8010/" + cp + f[1], true
		}
		if !allDigits(f[2]) {
			return "", false
		}
		return base + "8010/" + cp + f[1] + "/8011/" + f[2], true
	}
	return "", false
}
