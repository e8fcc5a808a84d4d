package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTokenNameRefusesControlAndBidi: names with a newline, NUL, ESC, a
// right-to-left override (U+202E) or a zero-width joiner could spoof the
// token listing; each is refused with a 400 naming the field.
func TestTokenNameRefusesControlAndBidi(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for _, name := range []string{"a\nadmin  admin", "nul\x00x", "esc\x1b[2J", "evil\u202etxt.exe", "zw\u200dj", "ls\u2028x"} {
		body, _ := json.Marshal(map[string]string{"name": name, "role": "viewer"})
		resp, b := do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, body, jsonCT)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Pointer, "name") || !strings.Contains(p.Errors[0].Reason, "control, format or bidirectional") {
			t.Errorf("name %q: %s", name, b)
		}
	}
	// An ordinary non-ASCII name is still accepted.
	resp, b := do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, []byte(`{"name": "Tōkyō port – ops", "role": "viewer"}`), jsonCT)
	if resp.StatusCode != 201 {
		t.Errorf("plain non-ASCII name: %d %s", resp.StatusCode, b)
	}
}
