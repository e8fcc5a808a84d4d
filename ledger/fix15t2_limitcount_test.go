package ledger_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestCaptureLimitMessagesGroupThousands (issue 15, fix15t2 item 4):
// the capture limits are counts a person reads, grouped by thousands as
// every count on the pages is (units.Int): a document of 1,001 events
// over a limit of 1,000 reads "the document has more than 1,000 events"
// (it read "1000"); a 512 KiB file-size limit (512 × 1,024 = 524,288
// bytes) reads "524,288 bytes" (it read "524288") for a document of
// 1,500 events (about 766 kB).
func TestCaptureLimitMessagesGroupThousands(t *testing.T) {
	t.Parallel()
	db := openStore(t)
	svc := ledger.NewService(db)
	svc.Limits = ledger.Limits{MaxEvents: 1000, MaxBytes: 64 << 20}
	good := strings.Replace(badLast, "2025-13-45", "2025-12-30", 1)
	body := docWithLast(t, 1001, good)
	for _, c := range []struct {
		name string
		req  ledger.CaptureRequest
		want string
	}{
		{"body", ledger.CaptureRequest{Body: body}, "the document has more than 1,000 events, the capture limit"},
		{"reader", ledger.CaptureRequest{Reader: bytes.NewReader(body)}, "the document has more than 1,000 events, the capture limit"},
	} {
		_, err := svc.Capture(context.Background(), c.req)
		if critmin.ErrorCode(err) != critmin.ETOOLARGE || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want ETOOLARGE saying %q", c.name, err, c.want)
		}
	}
	svc.Limits = ledger.Limits{MaxEvents: 10000, MaxBytes: 1 << 19}
	big := docWithLast(t, 1500, good)
	for _, c := range []struct {
		name string
		req  ledger.CaptureRequest
	}{{"body", ledger.CaptureRequest{Body: big}}, {"reader", ledger.CaptureRequest{Reader: bytes.NewReader(big)}}} {
		_, err := svc.Capture(context.Background(), c.req)
		if critmin.ErrorCode(err) != critmin.ETOOLARGE || !strings.Contains(err.Error(), "file-size limit of 524,288 bytes") {
			t.Errorf("%s, %d bytes: %v; want ETOOLARGE naming the limit of 524,288 bytes", c.name, len(big), err)
		}
	}
	assertNothingStored(t, db)
}
