package jsonstrict_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/jsonstrict"
)

// TestDecodeNamesField: every input error of a decoded file or request
// names the member by JSON Pointer and the reason (fix9b item 5), never
// encoding/json's "json: cannot unmarshal …".
func TestDecodeNamesField(t *testing.T) {
	type cat struct {
		ID     string  `json:"id"`
		Factor float64 `json:"conversionFactor"`
	}
	type decl struct {
		Carry      int   `json:"carryForward"`
		Categories []cat `json:"categories"`
	}
	for _, tc := range []struct{ name, body, ptr, reason string }{
		{"string for number", `{"categories": [{"id": "a"}, {"conversionFactor": "0.9"}]}`, "/categories/1/conversionFactor", "must be a number, not a JSON string"},
		{"fraction for integer", `{"carryForward": 1.5}`, "/carryForward", "must be an integer, not 1.5"},
		{"object for list", `{"categories": {}}`, "/categories", "must be a list, not a JSON object"},
		{"unknown field", `{"carry": 1}`, "/carry", `unknown field "carry": this object takes "carryForward", "categories"`},
		{"trailing", `{} {}`, "body", "trailing data after the JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d decl
			err := jsonstrict.Decode([]byte(tc.body), &d)
			f := critmin.ErrorFields(err)
			if critmin.ErrorCode(err) != critmin.EINVALID || len(f) != 1 || f[0].Pointer != tc.ptr || f[0].Reason != tc.reason {
				t.Errorf("%s: %v (%+v), want %s: %s", tc.body, err, f, tc.ptr, tc.reason)
			}
		})
	}
}
