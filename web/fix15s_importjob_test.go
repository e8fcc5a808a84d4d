package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportJobSaysWhatProceedLeftOut (issue 15, fix15s item 5): a file
// of 3 tickets, 2 of them bad (row 3 an unknown lot, row 4 net 12,000 kg
// ≠ gross − tare = 28,000 − 15,000 = 13,000 kg), imported with proceed:
// the capture job it opens read "Behaviour rollback, 1 of 1 stored" and
// said nothing of the 2 rows left out. It now says that 2 of the file's
// 3 rows had errors and were not sent, and that the 1 valid row was
// captured all together or none (rollback). A job page reached without
// an import (the same URL by hand, or figures that do not add up to the
// job: 5 − 2 ≠ 1 event) says nothing of rows.
func TestImportJobSaysWhatProceedLeftOut(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	file := "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg)\n" +
		"J1,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,39950,15000,24950\n" +
		"J2,urn:critmin:demo:lot:NU-NOPE,2025-08-29 14:30,30000,15000,15000\n" +
		"J3,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:40,28000,15000,12000\n"
	v := url.Values{"source": {"fix15s-job"}, "kind": {"weighbridge"}, "csv": {file}, "step": {"capture"}, "behaviour": {"proceed"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"}, "col_gross_kg": {"Gross (kg)"}, "col_tare_kg": {"Tare (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}, "def_decimal": {"point"}}
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("proceed: %d\n%s", resp.StatusCode, page)
	}
	loc := resp.Header.Get("Location")
	outcome := func(path string) string {
		_, b := do(t, "GET", ts.URL+path, operatorSecret, nil, map[string]string{"Accept": "text/html"})
		return visibleText(regexp.MustCompile(`(?s)<h1>.*?<h2|<h1>.*`).FindString(string(b)))
	}
	got := outcome(loc)
	for _, want := range []string{"2 of the file's 3 rows had errors and were not sent", "its 1 valid row was captured all together or none (rollback)", "1 of 1 event stored"} {
		if !strings.Contains(got, want) {
			t.Errorf("job page after proceed lacks %q:\n%s", want, got)
		}
	}
	id := jobIDOf(resp)
	for _, path := range []string{"/capture/" + id, "/capture/" + id + "?rows=5&refused=2"} {
		if got := outcome(path); strings.Contains(got, "rows") {
			t.Errorf("%s speaks of rows:\n%s", path, got)
		}
	}
}

// jobIDOf is the capture job an import's redirect opens (its Location,
// /capture/{id}, without the ?rows=…&refused=… of an import with
// proceed).
func jobIDOf(resp *http.Response) string {
	loc, _, _ := strings.Cut(resp.Header.Get("Location"), "?")
	return strings.TrimPrefix(loc, "/capture/")
}
