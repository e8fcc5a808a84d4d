package web_test

import (
	"testing"

	critminhttp "github.com/critmin/critmin/http"
)

// TestPrimaryReadPagesAreRegistered: every page that reads the primary
// (http.PrimaryReadPages: a lot's certificate page, a site's mass-balance
// page) is a page this package registers, so a renamed page cannot fall
// back to a lagging replica unnoticed (issue 14, third new-user check).
func TestPrimaryReadPagesAreRegistered(t *testing.T) {
	ts := MustServe(t, false, nil)
	registered := map[string]bool{}
	for _, p := range ts.Routes() {
		registered[p] = true
	}
	pages := critminhttp.PrimaryReadPages()
	if len(pages) == 0 {
		t.Fatal("no primary-read pages listed")
	}
	for _, p := range pages {
		if !registered[p] {
			t.Errorf("http.PrimaryReadPages names %q, which is not a registered page", p)
		}
	}
}
