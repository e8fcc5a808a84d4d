package web

import "strings"

// SetTradeLotChoices sets how many lots the NSR form lists by name
// (tradeLotChoices) and returns the function that restores it.
func SetTradeLotChoices(n int) (restore func()) {
	old := tradeLotChoices
	tradeLotChoices = n
	return func() { tradeLotChoices = old }
}

// FormErrorKeys is, for each /record form, the field names its errors
// may be filed under from its tables: the pointers' fields, the
// requiredWith pairs and its fields (valueErrors files each under its
// own name).
func FormErrorKeys() map[string][]string {
	out := map[string][]string{}
	for _, f := range recordForms {
		for _, p := range f.fields {
			out[f.ID] = append(out[f.ID], p.field)
		}
		for _, rw := range f.requiredWith {
			out[f.ID] = append(out[f.ID], rw[0], rw[1])
		}
		for _, fl := range f.Fields {
			out[f.ID] = append(out[f.ID], fl.Name)
		}
	}
	return out
}

// FormLabel is the label of form id's field name, "" when it has none.
func FormLabel(id, name string) string {
	if f := findForm(id); f != nil {
		for _, fl := range f.Fields {
			if fl.Name == name {
				return fl.Label
			}
		}
	}
	return ""
}

// FormTerms is, for each /record form, the extension terms its pointers
// end in ("cm:massChangeReason") and the field each fills.
func FormTerms() map[string][][2]string {
	out := map[string][][2]string{}
	for _, f := range recordForms {
		for _, p := range f.fields {
			if i := strings.LastIndex(p.prefix, "/cm:"); i >= 0 && !strings.Contains(p.prefix[i+1:], "/") {
				out[f.ID] = append(out[f.ID], [2]string{p.prefix[i+1:], p.field})
			}
		}
	}
	return out
}

// FormReason is reason as form id's page words a capture check's reason
// (termsAsLabels).
func FormReason(id, reason string) string {
	f := findForm(id)
	return termsAsLabels(f.fields, f.termLabel, reason)
}

// ImportErrorKeys is, for each import kind, the field names its row
// errors may be filed under from its tables (the pointers' fields and
// the reading), and ImportLabel the label of one.
func ImportErrorKeys() map[string][]string {
	out := map[string][]string{}
	for _, k := range importKinds {
		for _, p := range k.fields {
			out[k.ID] = append(out[k.ID], p.field)
		}
		out[k.ID] = append(out[k.ID], k.reading)
	}
	return out
}

// ImportLabel is the label of import kind's field name, "" when none.
func ImportLabel(kind, name string) string {
	for _, k := range importKinds {
		if k.ID == kind {
			for _, f := range k.Fields {
				if f.Name == name {
					return f.Label
				}
			}
		}
	}
	return ""
}
