package web_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestREADMEWalkthroughRow4 (new-user finding nu37b-5): the README's
// walkthrough says what the import of web/testdata/weighbridge-karachi.csv
// shows: row 4 has two errors — its net mass "2999O" is not a number,
// and its ticket (2025-08-29) predates REE-2025-003's commissioning —
// and the README says both (it said "row 4's error").
func TestREADMEWalkthroughRow4(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	resp, page := postImport(t, ts, weighbridgeMapping("capture"))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("capture of a file with a bad row: %d", resp.StatusCode)
	}
	var errs []string
	for _, m := range regexp.MustCompile(`(?s)<tr><td class="num"><a href="#row-(\d+)">\d+</a></td><td>(.*?)</td><td>(.*?)</td></tr>`).FindAllStringSubmatch(page, -1) {
		if m[1] != "4" {
			t.Errorf("row %s has an error: %s", m[1], visibleText(m[3]))
		}
		errs = append(errs, m[2]+": "+visibleText(m[3]))
	}
	if len(errs) != 2 || !strings.Contains(errs[0]+errs[1], "is not a number") || !strings.Contains(errs[0]+errs[1], "commission") {
		t.Errorf("row 4's errors %q; want two: the net mass and the commissioning", errs)
	}
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	if strings.Contains(readme, "row 4's error ") || !strings.Contains(readme, "row 4's two errors") {
		t.Error("README does not say row 4 has two errors")
	}
}
