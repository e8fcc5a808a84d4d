package epcis

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestFastChecksAgree holds the walks that let the common event skip the
// field-by-field checks (allFinite before finiteNumbers, xmlNamesValid
// before xmlNames) to the checks they stand for: a walk answers true
// exactly when its check would name no field, on events with every kind
// of number and key, at every depth.
func TestFastChecksAgree(t *testing.T) {
	ctx := parseStored(json.RawMessage(`["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.com/ex/", "cm": "https://ns.critmin.org/mineral/v1/"}]`))
	cases := []struct {
		name          string
		doc           string
		finite, names bool // what both walks answer
	}{
		{"plain", `{"eventID": "urn:x:1", "quantityList": [{"epcClass": "urn:x:lot", "quantity": 25000, "uom": "KGM"}], "ilmd": {"cm:moisture": 8.5}}`, true, true},
		{"nested numbers", `{"ex:a": {"ex:b": [1, 2.5e10, {"ex:c": -0.0}]}}`, true, true},
		{"overflow at depth", `{"ex:a": {"ex:b": [1, {"ex:c": 1e400}]}}`, false, true},
		{"overflow top", `{"quantityList": [{"epcClass": "urn:x:lot", "quantity": -1.8e309}]}`, false, true},
		{"underflow", `{"ex:a": [1e-400]}`, false, true},
		{"zero spelled long", `{"ex:a": [0.000e-400, 0]}`, true, true},
		{"number under @context", `{"@context": [{"ex:n": 1e999}], "ex:a": 1}`, false, true},
		{"key not a name at depth", `{"ex:a": {"ex:1st": "x"}}`, true, false},
		{"key not a name in list", `{"ex:a": [{"ok": 1}, {"ex:a b": 2}]}`, true, false},
		{"key not a name top", `{"ex:1st": "x"}`, true, false},
		{"JSON-LD keyword keys", `{"@type": "x", "@id": "y", "ex:a": {"@value": "z"}}`, true, true},
		{"unicode key", `{"ex:grädé": 1, "ex:ok": {"ex:日本": 2}}`, true, true},
		{"empty", `{}`, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := json.NewDecoder(strings.NewReader(c.doc))
			d.UseNumber()
			var obj map[string]any
			if err := d.Decode(&obj); err != nil {
				t.Fatalf("fixture: %v", err)
			}
			v := &validator{ctx: ctx}
			v.finiteNumbers(obj, "")
			if got, want := allFinite(obj), len(v.errs) == 0; got != want || got != c.finite {
				t.Errorf("allFinite %v; finiteNumbers named %d fields (%v)", got, len(v.errs), v.errs)
			}
			v = &validator{ctx: ctx}
			v.xmlNames(obj, "")
			if got, want := xmlNamesValid(ctx, obj), len(v.errs) == 0; got != want || got != c.names {
				t.Errorf("xmlNamesValid %v; xmlNames named %d fields (%v)", got, len(v.errs), v.errs)
			}
		})
	}
}
