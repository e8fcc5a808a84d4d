package web_test

import (
	"net/url"
	"regexp"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestDemoPagesNumbersReadable (issue 15, fix15zi) sweeps the demo
// corridor's pages as a person reads them: no figure is a run of five or
// more digits without its thousands grouped, and none is in Go's
// exponent form (unreadableNumber). The shipment pages of every bill of
// lading and the lot pages of every lot are read, with the overview and
// the lists.
func TestDemoPagesNumbersReadable(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	html := map[string]string{"Accept": "text/html"}
	paths := []string{"/", "/lots", "/shipments", "/events"}
	seen := map[string]bool{}
	for _, list := range []struct{ path, href string }{{"/shipments", `href="(/shipments/[^"]+)"`}, {"/lots", `href="(/lots/urn[^"]+)"`}} {
		_, b := do(t, "GET", ts.URL+list.path, operatorSecret, nil, html)
		for _, m := range regexp.MustCompile(list.href).FindAllStringSubmatch(string(b), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				paths = append(paths, m[1])
			}
		}
	}
	if len(paths) < 8 {
		t.Fatalf("only %d pages to read: %v", len(paths), paths)
	}
	for _, p := range paths {
		u, err := url.Parse(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp, b := do(t, "GET", u.String(), operatorSecret, nil, html)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
			continue
		}
		// A vessel's IMO number (seven digits, IMO Res. A.1078(28)) is an
		// identifier, not a figure.
		text := regexp.MustCompile(`IMO \d{7}`).ReplaceAllString(pageText(string(b)), "IMO")
		if m := unreadableNumber.FindString(text); m != "" {
			t.Errorf("%s shows %q", p, m)
		}
	}
}
