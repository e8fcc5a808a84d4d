package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/ledger"
)

// TestCaptureJobCountsOmittedErrors (issue 14, fix14 item 4): a job's
// error list stops at ledger.MaxReportedErrors, and the job said nothing
// of the errors past it. 3 good events and 1,200 events with one fault
// each (an impossible eventTime), captured with proceed: 3 stored; 1,200
// errors in all = 1,000 listed + 200 omitted — on the job returned and
// on the job read back from the store.
func TestCaptureJobCountsOmittedErrors(t *testing.T) {
	const good, bad = 3, 1200
	db := openStore(t)
	svc := ledger.NewService(db)
	svc.Limits = ledger.Limits{MaxBytes: 64 << 20}
	var b bytes.Buffer
	if err := bench.NewGenerator(3).WriteDocument(&b, good); err != nil {
		t.Fatal(err)
	}
	var bads []string
	for i := range bad {
		bads = append(bads, fmt.Sprintf(`{"type":"ObjectEvent","eventID":"urn:critmin:test:bad:%d","action":"OBSERVE","eventTime":"2025-13-45T00:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["urn:critmin:test:c"]}`, i))
	}
	doc := append(bytes.TrimSuffix(b.Bytes(), []byte("]}}")), ","+strings.Join(bads, ",")+"]}}"...)
	job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: doc, Behaviour: critmin.BehaviourProceed})
	if err != nil {
		t.Fatal(err)
	}
	check := func(where string, j *critmin.CaptureJob) {
		t.Helper()
		if j.Stored != good || j.Success || len(j.Errors) != ledger.MaxReportedErrors || j.ErrorCount != bad || j.ErrorsOmitted != bad-ledger.MaxReportedErrors {
			t.Errorf("%s: stored %d, success %v, %d listed, errorCount %d, errorsOmitted %d; want %d stored, 1000 listed, 1200 in all, 200 omitted",
				where, j.Stored, j.Success, len(j.Errors), j.ErrorCount, j.ErrorsOmitted, good)
		}
	}
	check("returned", job)
	stored, err := db.FindCaptureJob(context.Background(), job.CaptureID)
	if err != nil {
		t.Fatal(err)
	}
	check("stored", stored)
}
