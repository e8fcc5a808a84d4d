package epcis

// addValue sets a key, turning repeated keys into an array.
func addValue(m map[string]any, k string, v any) {
	if prev, ok := m[k]; ok {
		if arr, isArr := prev.([]any); isArr {
			m[k] = append(arr, v)
		} else {
			m[k] = []any{prev, v}
		}
		return
	}
	m[k] = v
}

// xsiNamespace is the XML Schema instance namespace (xsi:type, xsi:nil).
const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"
