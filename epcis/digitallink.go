package epcis

import (
	"regexp"
	"strconv"
	"strings"
)

// GS1 Digital Link normalisation for the event hash (CBV 2.0 §8.9): every
// EPC URI, EPC class or EPC pattern URI naming a GS1 key becomes the
// canonical GS1 Digital Link URI on id.gs1.org, at its finest level of
// identification, without query string or CPV. Other URIs are returned
// unchanged with ok false.

// checkDigit returns the GS1 mod-10 check digit of a digit string.
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

// dlEscape percent-encodes the characters GS1 Digital Link (Table 7-1)
// requires that EPC URIs may carry.
var dlEscape = strings.NewReplacer("!", "%21", "(", "%28", ")", "%29", "*", "%2A", "+", "%2B", ",", "%2C", ":", "%3A")

var (
	reEPC     = regexp.MustCompile(`^urn:epc:(id|class|idpat):([a-z]+):(\d+)\.([^.]*)(?:\.(.*))?$`)
	reDL      = regexp.MustCompile(`^https?://[^/?#]+(/.*?)?/(01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai)/([^/?#]+)((?:/[^/?#]+/[^/?#]+)*)/?(?:[?#].*)?$`)
	shortKeys = map[string]string{"gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417", "gsrnp": "8017", "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10", "ser": "21"}
)

// NormaliseGS1 converts a URI naming a GS1 key to its canonical Digital
// Link form; ok is false for any other URI.
func NormaliseGS1(uri string) (string, bool) {
	if m := reEPC.FindStringSubmatch(uri); m != nil {
		return epcToDL(m[1], m[2], m[3], m[4], m[5])
	}
	if m := reDL.FindStringSubmatch(uri); m != nil {
		return dlCanonical(m[2], m[3], m[4])
	}
	return uri, false
}

func epcToDL(kind, scheme, prefix, ref, rest string) (string, bool) {
	base := "https://id.gs1.org/"
	if len(prefix) < 6 || len(prefix) > 12 {
		return "", false
	}
	gtin := func() (string, bool) {
		if len(prefix)+len(ref) != 13 || !allDigits(ref) {
			return "", false
		}
		raw := ref[:1] + prefix + ref[1:]
		return raw + checkDigit(raw), true
	}
	twelve := func(r string) (string, bool) { // GLN-like keys: 12 digits + check
		if len(prefix)+len(r) != 12 || !allDigits(r) {
			return "", false
		}
		raw := prefix + r
		return raw + checkDigit(raw), true
	}
	switch kind + ":" + scheme {
	case "id:sgtin":
		g, ok := gtin()
		if !ok || rest == "" {
			return "", false
		}
		return base + "01/" + g + "/21/" + dlEscape.Replace(rest), true
	case "class:lgtin":
		g, ok := gtin()
		if !ok || rest == "" {
			return "", false
		}
		return base + "01/" + g + "/10/" + dlEscape.Replace(rest), true
	case "idpat:sgtin":
		g, ok := gtin()
		if !ok || rest != "*" {
			return "", false
		}
		return base + "01/" + g, true
	case "id:sscc":
		if len(prefix)+len(ref) != 17 || !allDigits(ref) || rest != "" {
			return "", false
		}
		raw := ref[:1] + prefix + ref[1:]
		return base + "00/" + raw + checkDigit(raw), true
	case "id:sgln":
		g, ok := twelve(ref)
		if !ok || rest == "" {
			return "", false
		}
		if rest == "0" {
			return base + "414/" + g, true
		}
		return base + "414/" + g + "/254/" + dlEscape.Replace(rest), true
	case "id:pgln":
		g, ok := twelve(ref)
		if !ok || rest != "" {
			return "", false
		}
		return base + "417/" + g, true
	case "id:grai":
		if len(prefix)+len(ref) != 12 || !allDigits(ref) {
			return "", false
		}
		raw := "0" + prefix + ref
		return base + "8003/" + raw + checkDigit(raw) + dlEscape.Replace(rest), true
	case "id:giai":
		if rest != "" {
			ref += "." + rest
		}
		return base + "8004/" + prefix + dlEscape.Replace(ref), true
	case "id:gdti":
		g, ok := twelve(ref)
		if !ok {
			return "", false
		}
		return base + "253/" + g + dlEscape.Replace(rest), true
	case "id:gsrn", "id:gsrnp":
		if len(prefix)+len(ref) != 17 || !allDigits(ref) {
			return "", false
		}
		ai := "8018/"
		if scheme == "gsrnp" {
			ai = "8017/"
		}
		raw := prefix + ref
		return base + ai + raw + checkDigit(raw), true
	case "id:sgcn":
		g, ok := twelve(ref)
		if !ok {
			return "", false
		}
		return base + "255/" + g + rest, true
	case "id:ginc":
		return base + "401/" + prefix + dlEscape.Replace(ref), true
	case "id:gsin":
		if len(prefix)+len(ref) != 16 || !allDigits(ref) {
			return "", false
		}
		raw := prefix + ref
		return base + "402/" + raw + checkDigit(raw), true
	case "id:cpi":
		return base + "8010/" + dlEscape.Replace(prefix+ref) + "/8011/" + rest, true
	}
	return "", false
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// dlCanonical rebuilds a Digital Link URI on id.gs1.org with AI numbers,
// a 14-digit GTIN, no CPV, and the lot dropped where a serial is present.
func dlCanonical(key, value, qualifiers string) (string, bool) {
	if ai, ok := shortKeys[key]; ok {
		key = ai
	}
	if key == "01" {
		if !allDigits(value) {
			return "", false
		}
		for len(value) < 14 {
			value = "0" + value
		}
	}
	var pairs [][2]string
	parts := strings.Split(strings.Trim(qualifiers, "/"), "/")
	for i := 0; i+1 < len(parts); i += 2 {
		k := parts[i]
		if ai, ok := shortKeys[k]; ok {
			k = ai
		}
		pairs = append(pairs, [2]string{k, parts[i+1]})
	}
	hasSerial := false
	for _, p := range pairs {
		if p[0] == "21" {
			hasSerial = true
		}
	}
	out := "https://id.gs1.org/" + key + "/" + value
	for _, p := range pairs {
		if p[0] == "22" || (p[0] == "10" && hasSerial) {
			continue
		}
		out += "/" + p[0] + "/" + p[1]
	}
	return out, true
}
