package web_test

import (
	"fmt"
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
// captured all together or none (rollback). The figures are stored with
// the job (critmin.CaptureJob.Import; fix15t2 item 5): the redirect
// names the job alone, and figures written into a job page's address
// are never read — the import's job with ?rows=5&refused=2 still says
// 3 and 2, and a demo job of n events no import made, reached with
// ?rows=n+1&refused=1 (n + 1 − 1 = n, figures that add up to it), says
// nothing of rows (it said "1 of the file's n + 1 rows had errors").
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
	if loc != "/capture/"+id {
		t.Errorf("redirect to %q; want the job alone, /capture/%s", loc, id)
	}
	if got := outcome("/capture/" + id + "?rows=5&refused=2"); !strings.Contains(got, "2 of the file's 3 rows had errors") {
		t.Errorf("the import's job with figures in its address lacks its stored 2 of 3:\n%s", got)
	}
	jobs, err := ts.Store.ListCaptureJobs(t.Context(), nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	crafted := 0
	for _, j := range jobs {
		if j.CaptureID == id || j.EventCount < 1 {
			continue
		}
		path := fmt.Sprintf("/capture/%s?rows=%d&refused=1", url.PathEscape(j.CaptureID), j.EventCount+1)
		if got := outcome(path); strings.Contains(got, "rows") {
			t.Errorf("%s (a job of %d events no import made) speaks of rows:\n%s", path, j.EventCount, got)
		}
		if crafted++; crafted == 2 {
			break
		}
	}
	if crafted == 0 {
		t.Fatal("no demo capture job to open")
	}
}

// jobIDOf is the capture job an import's redirect opens (its Location,
// /capture/{id}).
func jobIDOf(resp *http.Response) string {
	loc, _, _ := strings.Cut(resp.Header.Get("Location"), "?")
	return strings.TrimPrefix(loc, "/capture/")
}
