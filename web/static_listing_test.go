package web_test

import (
	"strings"
	"testing"
)

// /static/ serves files, not a listing of them: /static/ listed the
// directory. A file is still served.
func TestStaticDirectoryNotListed(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, p := range []string{"/static/", "/static"} {
		resp, b := do(t, "GET", ts.URL+p, "", nil, nil)
		if resp.StatusCode != 404 || strings.Contains(string(b), "<pre>") {
			t.Errorf("%s: %d %.200s; want 404", p, resp.StatusCode, b)
		}
	}
	resp, _ := do(t, "GET", ts.URL+"/static/critmin.css", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Errorf("/static/critmin.css: %d", resp.StatusCode)
	}
}
