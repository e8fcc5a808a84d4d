package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestSupersededAssayNamedReadably (new-user finding nu37b-6): the lot
// page named the assay that superseded another by its raw event ID
// ("superseded by urn:uuid:ee3…"), against docs/identity.md's rule that
// pages name things readably. It reads "superseded by the Pr assay of
// 2025-10-05", linked to that event's page, the ID in the link's title.
func TestSupersededAssayNamedReadably(t *testing.T) {
	ts := MustServe(t, true, nil)
	const id = "urn:uuid:ee3b6a2c-1d4e-4f5a-8b6c-7d8e9f0a1b2c"
	doc := strings.Replace(supersededDoc, "urn:t:ev:S1", id, 1)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:S"), "", nil, map[string]string{"Accept": "text/html"})
	m := regexp.MustCompile(`(?s)<span class="muted superseded">(.*?)</span>`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("no superseded assay")
	}
	if got := visibleText(m[1]); got != "superseded by the Pr assay of 2025-10-05" || !strings.Contains(m[1], `href="/events/`+id+`"`) {
		t.Errorf("superseded note %q (%s); want \"superseded by the Pr assay of 2025-10-05\" linked to %s", got, m[1], id)
	}
}
