package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportNamesAnUnknownLotOnce (issue 15, fix15s item 1): a ticket
// naming a lot no event recorded (NU-NOPE), weighed at Loe Shilman (a
// site whose master data declares a custody model, where capture's
// check of unrecorded lots applies too),
// was listed twice: "lot not known" under the Lot column, then capture's
// "lot not known … step sensor_reporting" under the Net column. One
// fault, one error, under the column of the field at fault: the row has
// exactly one error, under Lot, and the Net column has none. The valid
// row beside it (REE-2025-001 at Loe Shilman, where it was commissioned
// on 2025-08-20, 39,950 − 15,000 = 24,950 kg) has none.
func TestImportNamesAnUnknownLotOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	file := "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg)\n" +
		"S1,urn:critmin:demo:lot:REE-2025-001,2025-08-25 10:00,39950,15000,24950\n" +
		"S2,urn:critmin:demo:lot:NU-NOPE,2025-08-25 10:30,30000,15000,15000\n"
	v := url.Values{"source": {"fix15s-once"}, "kind": {"weighbridge"}, "csv": {file}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"}, "col_gross_kg": {"Gross (kg)"}, "col_tare_kg": {"Tare (kg)"},
		"def_site": {"urn:critmin:demo:site:loe-shilman"}, "def_tz": {"+05:00"}, "def_decimal": {"point"}}
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d\n%s", resp.StatusCode, page)
	}
	table, _, _ := strings.Cut(page[strings.Index(page, `id="row-errors"`)+1:], "</table>")
	rows := regexp.MustCompile(`<tr><td class="num">(?:<a href="#row-\d+">)?(\d+)(?:</a>)?</td><td>([^<]*)</td><td>(.*?)</td></tr>`).FindAllStringSubmatch(table, -1)
	var got []string
	for _, r := range rows {
		got = append(got, "row "+r[1]+", "+r[2]+": "+visibleText(r[3]))
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "row 3, Lot No: lot not known") {
		t.Errorf("errors %q; want one, row 3 under Lot No (lot not known)", got)
	}
}
