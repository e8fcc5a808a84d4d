package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestImportShortRowSaysOnlyItsCells (issue 15, n15 item 4): a weighbridge
// row cut short (4 cells under a header of 6: no tare, no net) was also
// judged as a weighing of nothing — a "−100 %" mass change of lot CO
// (10,000 kg → 0) with the internal label "mass change reason". Row 3 is
// cut short; row 2 is whole (40,000 − 30,000 = 10,000 kg, CO's mass) and
// valid. The table has one error for row 3, "row 3 has 4 cells where the
// header has 6", and none that speaks of a mass change.
func TestImportShortRowSaysOnlyItsCells(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000080", "urn:t:site:mine-PAK", "urn:t:site:port"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPcDoc(c, mine, port))}); err != nil {
		t.Fatal(err)
	}
	file := "Ticket,Lot,Time,Gross,Tare,Net\n" +
		"W1,urn:t:lot:CO,2025-10-03 08:00,40000,30000,10000\n" +
		"W2,urn:t:lot:CO,2025-10-03 09:00,40000\n"
	v := url.Values{"source": {"short"}, "kind": {"weighbridge"}, "csv": {file}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot"}, "col_time": {"Time"}, "col_gross_kg": {"Gross"}, "col_tare_kg": {"Tare"}, "col_net_kg": {"Net"},
		"def_site": {mine}, "def_tz": {"+00:00"}}
	resp, page := postImport(t, ts, v)
	rows := regexp.MustCompile(`<td class="num"><a href="#row-3">3</a></td><td>[^<]*</td><td>[^<]*`).FindAllString(page, -1)
	if len(rows) != 1 || !strings.Contains(rows[0], "row 3 has 4 cells where the header has 6") {
		t.Errorf("row 3 cut short: %d, its errors %q; want one, \"row 3 has 4 cells where the header has 6\"", resp.StatusCode, rows)

	}
	for _, bad := range []string{"100.0 %", "mass change reason"} {
		if strings.Contains(strings.Join(rows, "\n"), bad) {
			t.Errorf("page speaks of %q for a row cut short", bad)
		}
	}
}
