package web_test

import (
	"strings"
	"testing"
)

// TestLoginUnknownParameterListsNoToken (issue 14 final check, fix14p):
// GET /login with an unknown parameter listed `token` among the accepted
// ones, though a token in the address is refused (tokenInAddress). A
// parameter recognised only to be refused is not offered as accepted.
func TestLoginUnknownParameterListsNoToken(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/login?zz=1", "", nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "accepts: next") || strings.Contains(string(b), "token)") || strings.Contains(string(b), "next, token") {
		t.Errorf("GET /login?zz=1: %d %q; want 400 listing next only", resp.StatusCode, aroundWord(string(b), "accept"))
	}
	// The token in the address is still refused with its own message.
	resp, b = do(t, "GET", ts.URL+"/login?token=x", "", nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "A token in the address is refused") {
		t.Errorf("GET /login?token=x: %d %.300s", resp.StatusCode, b)
	}
}

// aroundWord is s around the first word, for a failure message.
func aroundWord(s, word string) string {
	i := strings.Index(s, word)
	if i < 0 {
		return "(no " + word + ")"
	}
	return s[max(0, i-150):min(len(s), i+150)]
}
