package http_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/refinery"
)

// TestRefineryReportNameAndCanonicalSite (nu12 cosmetic items): a
// report of a posted problem without site or period downloads as
// refinery-report.xlsx (not "refinery-report--.xlsx"); the recoveries of
// a closed period asked for with the site's URN in another case ("URN:"
// and the namespace upper-case, RFC 8141: case-insensitive) answer with
// the site as the close record files it.
func TestRefineryReportNameAndCanonicalSite(t *testing.T) {
	ts := MustServe(t, false, nil)
	base := ts.URL + "/api/v1/refinery"
	resp, b := do(t, "POST", base+"/report?format=xlsx", viewerSecret, []byte(flotationProblem), nil)
	if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != 200 || !strings.Contains(cd, `filename="refinery-report.xlsx"`) {
		t.Errorf("report download: %d %q %.200s", resp.StatusCode, cd, b)
	}
	_, body := do(t, "GET", base+"/demo", viewerSecret, nil, nil)
	if resp, b := do(t, "POST", base+"/close", operatorSecret, body, nil); resp.StatusCode != 201 {
		t.Fatalf("close: %d %s", resp.StatusCode, b)
	}
	demo, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	shouted := "URN:CRITMIN:" + strings.SplitN(demo.Site, ":", 3)[2]
	resp, b = do(t, "GET", base+"/recoveries?site="+url.QueryEscape(shouted)+"&element=Nd&period="+demo.Period, viewerSecret, nil, nil)
	var rs []refinery.Recovery
	if resp.StatusCode != 200 || json.Unmarshal(b, &rs) != nil || len(rs) == 0 {
		t.Fatalf("recoveries: %d %s", resp.StatusCode, b)
	}
	for _, r := range rs {
		if r.Site != demo.Site {
			t.Errorf("recovery site %q, want %q as filed", r.Site, demo.Site)
		}
	}
}
