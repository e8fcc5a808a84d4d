package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportSameFileTwice (issue 15, fixNc item 1): the Karachi
// weighbridge file's two good rows (tickets KHI-WB-1001 and 1002)
// imported, then the same file imported again. The second import stores
// nothing (each row's eventID derives from its source and ticket, so the
// store holds them already) and says so on the import page — nothing new,
// the 2 rows already imported, each named with its event — rather than
// sending the operator to a job of skipped eventIDs. Events stored over
// the two imports: 2.
func TestImportSameFileTwice(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, err := ts.Store.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := weighbridgeMapping("capture")
	v.Set("csv", strings.Join(strings.Split(weighbridgeCSV, "\n")[:3], "\n")+"\n")
	if resp, page := postImport(t, ts, v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first import: %d\n%s", resp.StatusCode, page)
	}
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Nothing new to import: its 2 good rows were already imported from source karachi-weighbridge") ||
		strings.Count(page, `already recorded (<a href="/events/`) != 2 {
		t.Errorf("second import: %d; want 200 saying nothing new, the 2 rows already imported, each with its event\n%s", resp.StatusCode, excerpt(page, "import-summary"))
	}
	after, err := ts.Store.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after-before != 2 {
		t.Errorf("%d events stored by importing one file of 2 good rows twice; want 2", after-before)
	}
}
