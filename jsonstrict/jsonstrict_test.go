package jsonstrict

import (
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

type inner struct {
	Grade float64 `json:"grade"`
}

type req struct {
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	ExpiresIn string  `json:"expires_in"`
	Lots      []inner `json:"lots"`
	Extra     map[string]any
}

// TestCheck: each bad body is refused with the pointer of the offending
// member; a good one passes.
func TestCheck(t *testing.T) {
	cases := []struct{ body, ptr, reason string }{
		{`{"name":"d1","role":"viewer","role":"admin"}`, "/role", "given twice"},
		{`{"name":"d2","Role":"admin"}`, "/Role", "case-sensitive"},
		{`{"role":"viewer","expires_in":"1h","EXPIRES_IN":""}`, "/EXPIRES_IN", "case-sensitive"},
		{`{"lots":[{"grade":1},{"grade":1,"grade":2}]}`, "/lots/1/grade", "given twice"},
		{`{"Extra":{"a":1,"a":2}}`, "/Extra/a", "given twice"},
		{`{"nope":1}`, "/nope", "unknown field"},
	}
	for _, c := range cases {
		err := Check([]byte(c.body), &req{})
		var ce *critmin.Error
		if !errors.As(err, &ce) || len(ce.Fields) == 0 || ce.Fields[0].Pointer != c.ptr || !strings.Contains(ce.Fields[0].Reason, c.reason) {
			t.Errorf("%s: got %v, want %s %q", c.body, err, c.ptr, c.reason)
		}
	}
	if err := Check([]byte(`{"name":"a","role":"viewer","lots":[{"grade":1}],"Extra":{"A":1,"a":2}}`), &req{}); err != nil {
		t.Errorf("good body refused: %v", err)
	}
	// Without a target only repeats are refused (the EPCIS capture rule).
	if err := Check([]byte(`{"epcisBody":{"eventList":[{"bizStep":"shipping","bizStep":"receiving"}]}}`), nil); err == nil || !strings.Contains(err.Error(), "/epcisBody/eventList/0/bizStep") {
		t.Errorf("capture repeat: %v", err)
	}
}
