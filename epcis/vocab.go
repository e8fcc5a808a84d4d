package epcis

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"
)

// A vocabulary is one CBV 2.0 standard vocabulary. Its bare values (the
// form EPCIS 2.0 JSON uses, "shipping") are read from the enums of the
// official JSON Schemas so that they cannot drift from the standard. Each
// value also has a GS1 Web URI ("https://ref.gs1.org/cbv/BizStep-shipping")
// and an EPCIS 1.x URN ("urn:epcglobal:cbv:bizstep:shipping") form (CBV 2.0
// §6 and §8); Normalize maps all three to the bare form.
type vocabulary struct {
	file    string
	webPfx  string
	urnPfx  string
	once    sync.Once
	values  map[string]bool
	ordered []string
}

var (
	bizStepVocab     = &vocabulary{file: "schema/schemas/bizStep-JSON-Schema.json", webPfx: "https://ref.gs1.org/cbv/BizStep-", urnPfx: "urn:epcglobal:cbv:bizstep:"}
	dispositionVocab = &vocabulary{file: "schema/schemas/disposition-JSON-Schema.json", webPfx: "https://ref.gs1.org/cbv/Disp-", urnPfx: "urn:epcglobal:cbv:disp:"}
	bizTxnTypeVocab  = &vocabulary{file: "schema/schemas/bizTransaction-type-JSON-Schema.json", webPfx: "https://ref.gs1.org/cbv/BTT-", urnPfx: "urn:epcglobal:cbv:btt:"}
	srcDestTypeVocab = &vocabulary{file: "schema/schemas/source-dest-type-JSON-Schema.json", webPfx: "https://ref.gs1.org/cbv/SDT-", urnPfx: "urn:epcglobal:cbv:sdt:"}
	errReasonVocab   = &vocabulary{file: "schema/schemas/error-reason-JSON-Schema.json", webPfx: "https://ref.gs1.org/cbv/ER-", urnPfx: "urn:epcglobal:cbv:er:"}
)

func (v *vocabulary) load() {
	v.once.Do(func() {
		v.values = map[string]bool{}
		b, err := schemaFS.ReadFile(v.file)
		if err != nil {
			panic("epcis: embedded vocabulary missing: " + v.file)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			panic("epcis: embedded vocabulary unreadable: " + v.file)
		}
		var walk func(x any)
		walk = func(x any) {
			switch t := x.(type) {
			case map[string]any:
				if enum, ok := t["enum"].([]any); ok {
					for _, e := range enum {
						if s, ok := e.(string); ok && !v.values[s] {
							v.values[s] = true
							v.ordered = append(v.ordered, s)
						}
					}
				}
				for _, c := range t {
					walk(c)
				}
			case []any:
				for _, c := range t {
					walk(c)
				}
			}
		}
		walk(doc)
	})
}

// normalize returns the bare form of a standard value in any of its three
// forms; other values come back unchanged. ok reports whether the value is
// a standard one.
func (v *vocabulary) normalize(s string) (bare string, ok bool) {
	v.load()
	if v.values[s] {
		return s, true
	}
	for _, p := range []string{v.webPfx, strings.Replace(v.webPfx, "https://", "http://", 1), v.urnPfx, "cbv:" + strings.TrimPrefix(v.webPfx, "https://ref.gs1.org/cbv/")} {
		if rest, found := strings.CutPrefix(s, p); found && v.values[rest] {
			return rest, true
		}
	}
	return s, false
}

// Values lists the standard bare values of a vocabulary, in schema order.
func (v *vocabulary) Values() []string {
	v.load()
	return v.ordered
}

// NormalizeBizStep returns the bare CBV form of a business step, or the
// value unchanged if it is not a standard one.
func NormalizeBizStep(s string) string { b, _ := bizStepVocab.normalize(s); return b }

// NormalizeDisposition returns the bare CBV form of a disposition.
func NormalizeDisposition(s string) string { b, _ := dispositionVocab.normalize(s); return b }

// NormalizeBizTransactionType returns the bare CBV form of a business
// transaction type.
func NormalizeBizTransactionType(s string) string { b, _ := bizTxnTypeVocab.normalize(s); return b }

// NormalizeSourceDestType returns the bare CBV form of a source or
// destination type.
func NormalizeSourceDestType(s string) string { b, _ := srcDestTypeVocab.normalize(s); return b }

// isAbsoluteURI reports whether s is an absolute URI (it has a scheme), the
// form EPCIS requires of identifiers and user vocabulary.
func isAbsoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Opaque != "" || u.Host != "" || u.Path != "")
}

// measurementTypeVocab is the CBV 2.0 / GS1 Web Vocabulary measurement
// types (EPCIS 2.0 §7.3.7.2: a sensorReport's type).
var measurementTypeVocab = &vocabulary{file: "schema/schemas/measurement-type-JSON-Schema.json"}

// measurementTypePrefixes are the spellings of the GS1 Web Vocabulary namespace a
// measurement type is met under.
var measurementTypePrefixes = []string{"https://gs1.org/voc/", "http://gs1.org/voc/", "https://www.gs1.org/voc/", "http://www.gs1.org/voc/", "https://ref.gs1.org/voc/", "gs1:"}

// NormalizeMeasurementType returns the bare form of a GS1 measurement type
// ("MassConcentration") in each spelling it is met under: bare, the GS1
// Web Vocabulary term with its "MT-" prefix (the IRI the EPCIS 2.0 JSON-LD
// context expands the bare form to: gs1:MT-MassConcentration,
// https://gs1.org/voc/MT-MassConcentration) and without it
// (gs1:MassConcentration), and "MT-MassConcentration". ok is false for a
// value in the GS1 namespace that names no standard measurement type
// (gs1:MT-Moisture, gs1:MT-MassConcentraton): a reader that needs the
// report must refuse it rather than skip it. Any other value (a user
// vocabulary IRI) comes back unchanged with ok true.
func NormalizeMeasurementType(s string) (bare string, ok bool) {
	measurementTypeVocab.load()
	if measurementTypeVocab.values[s] {
		return s, true
	}
	rest, inGS1 := s, false
	for _, p := range measurementTypePrefixes {
		if r, found := strings.CutPrefix(s, p); found {
			rest, inGS1 = r, true
			break
		}
	}
	if r, found := strings.CutPrefix(rest, "MT-"); found {
		rest, inGS1 = r, true
	}
	if !inGS1 {
		return s, true
	}
	if measurementTypeVocab.values[rest] {
		return rest, true
	}
	return s, false
}

// URICharFault describes the first character of s that RFC 3986 (§2,
// Appendix A) allows nowhere in a URI — a space, a control character
// (U+0000–U+001F, U+007F) or one of " < > \ ^ ` { | } — or returns "" when
// there is none. Such a character must be percent-encoded (a space as
// %20); an identifier holding one is not the URI it looks like (EPCIS 2.0
// §7.3: every identifier is a URI), and two spellings of it would not
// compare. Characters beyond ASCII are left to the IRI rules (RFC 3987).
func URICharFault(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		var what string
		switch {
		case c == ' ':
			what = "a space"
		case c < 0x20 || c == 0x7f:
			what = fmt.Sprintf("the control character U+%04X", c)
		case strings.IndexByte("\"<>\\^`{|}", c) >= 0:
			what = fmt.Sprintf("the character %q", string(c))
		default:
			continue
		}
		return fmt.Sprintf("it contains %s at character %d, which RFC 3986 does not allow in a URI (percent-encode it, a space as %%20)", what, utf8.RuneCountInString(s[:i])+1)
	}
	return ""
}
