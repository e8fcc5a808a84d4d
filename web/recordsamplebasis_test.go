package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordSampleBasisDryByDefault (fix15f item 4): a result line with
// no basis ("TREO 11.9 %") is written with cm:basis dry, as the Commission
// form does and docs/forms.md says; a line stating as_received keeps it.
// Two reports: one dry (defaulted), one as_received.
func TestRecordSampleBasisDryByDefault(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-001"}, "assays": {"TREO 11.9 %\nNd2O3 2.55 % as_received"},
		"moisture": {"8"}, "time": {"2025-08-20T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
	resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, page)
	}
	if n := len(regexp.MustCompile(`"cm:basis":\s*"dry"`).FindAllString(page, -1)); n != 1 {
		t.Errorf("the preview writes cm:basis dry %d times, want 1 (the TREO line, no basis given)\n%s", n, page)
	}
	if n := len(regexp.MustCompile(`"cm:basis":\s*"as_received"`).FindAllString(page, -1)); n != 1 {
		t.Errorf("the preview writes cm:basis as_received %d times, want 1", n)
	}
}
