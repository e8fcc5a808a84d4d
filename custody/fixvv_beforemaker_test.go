package custody_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestRecordBeforeMakerRefused (fixVv, issue 9): every door that
// captures through custody.NewService — the API, the CLI import, the
// forms' Validate preview — refuses an event dated before the stored
// event that makes its lot. W is commissioned at mine pk on 10-05
// stating PAK; a receipt of W with a quantity at warehouse cnw dated
// 10-02 is refused 409 at its eventTime, naming W, the commissioning W0
// and its time, nothing stored; W still reads Pakistan. Before, the
// receipt was stored 202 and W read Pakistan 100 % although it was held
// in China three days before it was "made" in Pakistan.
func TestRecordBeforeMakerRefused(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := custody.NewService(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fix9avDocOf(fixuuAdd("W0", "W", "pk", "commissioning", 5, `"cm:originCountry": "PAK",`)))}); err != nil {
		t.Fatal(err)
	}
	back := []byte(fix9avDocOf(fixuuAdd("W1", "W", "cnw", "receiving", 2, "")))
	wants := []string{"urn:t:lot:W", "event urn:t:ev:W0, at 2025-10-05T00:00:00Z", "urn:t:ev:W1", "date the event after 2025-10-05T00:00:00Z"}
	errs, err := svc.Validate(ctx, back)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || len(errs[0]) != 1 || errs[0][0].Pointer != "/epcisBody/eventList/0/eventTime" || !errs[0][0].Conflict {
		t.Fatalf("preview of W1: %+v, want one conflict at /epcisBody/eventList/0/eventTime", errs)
	}
	for _, w := range wants {
		if !strings.Contains(errs[0][0].Reason, w) {
			t.Errorf("preview of W1: %q does not name %q", errs[0][0].Reason, w)
		}
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: back})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("capture of W1: %v, want 409", err)
	}
	if got, _ := db.FindEventsByID(ctx, "urn:t:ev:W1"); len(got) != 0 {
		t.Errorf("refused W1 stored")
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:W", false)
	if err != nil {
		t.Fatal(err)
	}
	if o.Country() != "PAK" {
		t.Errorf("W: country %q, want PAK", o.Country())
	}
}
