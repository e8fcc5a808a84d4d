package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordUnknownPartyAndEveryErrorAtOnce (fix15f item 5): an owner
// not in master data (urn:critmin:demo:party:nobody) is refused under
// Owner with the known parties, like a site; and a form with three faults
// — a port as the mine, the unknown owner, a date in 2030 — shows all
// three at once, each under its field, nothing stored.
func TestRecordUnknownPartyAndEveryErrorAtOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	v := commissionForm()
	v.Set("step", "preview")
	v.Set("owner", "urn:critmin:demo:party:nobody")
	resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
	if block := fieldBlock(string(b), "owner"); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(block, "party urn:critmin:demo:party:nobody is not in master data (known parties: urn:critmin:demo:party:") {
		t.Errorf("unknown owner: %d; Owner shows %q", resp.StatusCode, block)
	}
	v.Set("mine", "urn:critmin:demo:site:karachi")
	v.Set("time", "2030-01-01T09:00")
	_, b = do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
	for _, field := range []string{"mine", "owner", "time"} {
		if block := fieldBlock(string(b), field); !strings.Contains(block, `class="field-error"`) ||
			field == "time" && !strings.Contains(block, "the event time 2030-01-01T04:00:00Z is after now") {
			t.Errorf("port as mine + unknown owner + future date: %s shows no error: %q", field, block)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by previews", after-before)
	}
}
