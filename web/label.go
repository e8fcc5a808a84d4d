package web

import (
	"strings"
	"unicode"
)

// termLabels are the words of EPCIS 2.0 and CBV 2.0 terms (and critmin's
// own) that do not read from their spelling: business transaction types
// (CBV 2.0 §8.5), source and destination types (§8.6), and the GS1
// Web Vocabulary's document types as critmin's demo uses them.
var termLabels = map[string]string{
	"bol":              "Bill of lading",
	"cert":             "Certificate",
	"desadv":           "Despatch advice",
	"inv":              "Invoice",
	"pedigree":         "Pedigree",
	"po":               "Purchase order",
	"poc":              "Purchase order confirmation",
	"prodorder":        "Production order",
	"recadv":           "Receiving advice",
	"rma":              "Return authorisation",
	"testprd":          "Test procedure",
	"owning_party":     "Owning party",
	"possessing_party": "Possessing party",
	"epc":              "Object",
	"epcClass":         "Class",
	"eta":              "Expected arrival (ETA)",
}

// humanTerm is an EPCIS, CBV or critmin term as a person reads it: its
// namespace or CURIE prefix dropped ("btt:assayCertificate",
// "https://ref.gs1.org/cbv/BizStep-shipping"), then its label from
// termLabels, or its words: camelCase and snake_case split, the first
// letter capital ("assayCertificate" → "Assay certificate",
// "sensor_reporting" → "Sensor reporting", "MassConcentration" → "Mass
// concentration"). A term in capitals (an action such as OBSERVE, a unit
// such as KGM) is kept as it is. Pages show the raw term in a title.
func humanTerm(term string) string {
	t := term[strings.LastIndexAny(term, ":/#")+1:]
	if i := strings.LastIndex(t, "-"); i >= 0 && strings.HasPrefix(strings.ToLower(term), "https://ref.gs1.org/cbv/") {
		t = t[i+1:]
	}
	if t == "" {
		return term
	}
	if l, ok := termLabels[t]; ok {
		return l
	}
	if strings.ToUpper(t) == t {
		return t
	}
	var words []string
	var cur []rune
	rs := []rune(t)
	for i, r := range rs {
		switch {
		case r == '_' || r == ' ' || r == '-':
			if len(cur) > 0 {
				words, cur = append(words, string(cur)), nil
			}
			continue
		case unicode.IsUpper(r) && len(cur) > 0 && (unicode.IsLower(cur[len(cur)-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))):
			words, cur = append(words, string(cur)), nil
		}
		cur = append(cur, r)
	}
	if len(cur) > 0 {
		words = append(words, string(cur))
	}
	for i, w := range words {
		// An acronym inside a term (ILMD, ETA) keeps its capitals.
		if strings.ToUpper(w) != w || len(w) == 1 {
			words[i] = strings.ToLower(w)
		}
	}
	out := strings.Join(words, " ")
	r := []rune(out)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
