package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestLotCountsReadAsWords (fix15f item 7): one lot is "1 lot", not
// "1 lots". The demo holds one NdPr oxide lot (NDPR-2025-001).
func TestLotCountsReadAsWords(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots?commodity=ndpr_oxide", viewerSecret, nil, nil)
	if page := string(b); !strings.Contains(page, `<p class="muted">1 lot · `) || strings.Contains(page, "1 lots") {
		t.Errorf("the lots page with one lot does not say \"1 lot\":\n%s", page)
	}
}
