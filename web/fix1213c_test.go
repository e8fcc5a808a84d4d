package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestNSRPageInputSensitivity (fix1213c item 2): the NSR page shows, per
// contract, the NSR with each input alone scaled (commercial
// TestNSRInputSensitivity works the figures), one row per input: the
// price series and the analytes, the As penalty analyte among them.
func TestNSRPageInputSensitivity(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/nsr?terms=FWO-USSM-CU-2025&as_of=2025-11-01&grades="+url.QueryEscape("Cu:24%,Au:4g/t,Ag:50g/t,As:0.35%"), viewerSecret, nil, nil)
	page := string(b)
	i := strings.Index(page, `class="nsr-inputs"`)
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("nsr page %d without the input table:\n%s", resp.StatusCode, page)
	}
	table := page[i:]
	table = table[:strings.Index(table, "</table>")]
	for _, want := range []string{"<td>grade:As</td>", "<td>grade:Cu</td>", "<td>price:"} {
		if !strings.Contains(table, want) {
			t.Errorf("input table lacks %s:\n%s", want, table)
		}
	}
	if strings.Contains(table, "n/a") {
		t.Errorf("input table has a missing figure:\n%s", table)
	}
}
