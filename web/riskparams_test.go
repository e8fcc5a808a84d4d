package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestRiskPageRefusedParameterIs400 (issue 14 new-user check): every
// refused parameter of the risk page answers 400 with a readable page
// naming the form's field and the reason. /risk?tonnes=-5 answered 200
// with the corridor's error inside the page (in risk.Corridor's terms,
// tonnes_per_year/0) while tonnes=NaN answered 400; tonnes=1e-400 was
// refused as "not a finite number" though its fault is that it rounds
// to 0.
func TestRiskPageRefusedParameterIs400(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	hdr := map[string]string{"Authorization": "Bearer " + viewerSecret, "Accept": "text/html"}
	for q, want := range map[string]string{
		"tonnes=-5":           "tonnes: value 1: -5 is not 0 to",
		"tonnes=1000,-5":      "tonnes: value 2: -5 is not 0 to",
		"tonnes=NaN":          "tonnes: value 1: &#34;NaN&#34; is not a decimal number",
		"tonnes=1e-400":       "tonnes: value 1: &#34;1e-400&#34; is too small to be told from 0",
		"tonnes=1e400":        "tonnes: value 1: &#34;1e400&#34; is too large",
		"us_imports=-1":       "us_imports: &#34;-1&#34; is below 0",
		"stockpile_target=-1": "stockpile_target: &#34;-1&#34; is below 0",
		// /risk?year=-1 answered 404 "no mine antimony data for -1".
		"year=-1":    "year: -1 is not a year from 1900 to 2200",
		"year=0":     "year: 0 is not a year from 1900 to 2200",
		"year=99999": "year: 99999 is not a year from 1900 to 2200",
		"year=abc":   "year",
	} {
		v, err := url.ParseQuery("commodity=antimony&" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp, b := send(t, "GET", ts.URL+"/risk?"+v.Encode(), nil, hdr)
		if resp.StatusCode != 400 || !strings.Contains(string(b), want) || !strings.Contains(string(b), "</html>") {
			t.Errorf("/risk?%s: %d %q; want 400, a page saying %q", q, resp.StatusCode, errorsOf(string(b)), want)
		}
	}
	// The default corridor is still a 200.
	if resp, _ := send(t, "GET", ts.URL+"/risk?commodity=antimony&tonnes=1000,2000", nil, hdr); resp.StatusCode != 200 {
		t.Errorf("/risk?tonnes=1000,2000: %d; want 200", resp.StatusCode)
	}
}

// errorsOf is the part of a page around its errors, for a failure message.
func errorsOf(page string) string {
	for _, mark := range []string{`class="errors"`, `id="error-detail"`} {
		if i := strings.Index(page, mark); i >= 0 {
			return page[i:min(len(page), i+300)]
		}
	}
	return page[:min(len(page), 300)]
}
