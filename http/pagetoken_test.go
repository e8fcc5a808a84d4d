package http_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// TestNextPageTokenExpires: a paged result carries GS1-Next-Page-Token-Expires
// (RFC 3339, EPCIS 2.0 REST binding components/headers), and the time it
// names is the one the server enforces on the token of the Link header; a
// last page carries neither; an expired token is a 400 naming
// nextPageToken.
func TestNextPageTokenExpires(t *testing.T) {
	ts := MustServe(t, true, nil)
	captureCorridor(t, ts)
	for _, path := range []string{"/epcis/events?perPage=2", "/epcis/bizSteps?perPage=1", "/epcis/epcs?perPage=1"} {
		resp, b := do(t, "GET", ts.URL+path, "", nil, nil)
		m := linkNext.FindStringSubmatch(resp.Header.Get("Link"))
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("%s: %d, Link %q: %s", path, resp.StatusCode, resp.Header.Get("Link"), b)
		}
		hdr := resp.Header.Get("GS1-Next-Page-Token-Expires")
		exp, err := time.Parse(time.RFC3339, hdr)
		if err != nil || !strings.HasSuffix(hdr, "Z") {
			t.Fatalf("%s: GS1-Next-Page-Token-Expires %q: %v", path, hdr, err)
		}
		u, _ := url.Parse(m[1])
		tok := u.Query().Get("nextPageToken")
		if _, err := epcis.DecodePageTokenAt(tok, exp.Add(-time.Second)); err != nil {
			t.Errorf("%s: token refused before the advertised expiry: %v", path, err)
		}
		var ex *epcis.ExpiredTokenError
		if _, err := epcis.DecodePageTokenAt(tok, exp); !errors.As(err, &ex) {
			t.Errorf("%s: token accepted at the advertised expiry %s: %v", path, hdr, err)
		}
	}
	// The last page: no Link, no expiry.
	resp, b := do(t, "GET", ts.URL+"/epcis/events?perPage=1000", "", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Link") != "" || resp.Header.Get("GS1-Next-Page-Token-Expires") != "" {
		t.Errorf("single page: %d Link %q expires %q", resp.StatusCode, resp.Header.Get("Link"), resp.Header.Get("GS1-Next-Page-Token-Expires"))
	}
	// A token past its expiry.
	stale := epcis.EncodePageTokenUntil(&critmin.PageCursor{Key: "0", PK: 1}, time.Unix(1767225600, 0))
	for _, path := range []string{"/epcis/events?perPage=2&nextPageToken=", "/epcis/bizSteps?perPage=1&nextPageToken="} {
		resp, b = do(t, "GET", ts.URL+path+stale, "", nil, nil)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != "nextPageToken" || !strings.Contains(p.Errors[0].Reason, "expired at 2026-01-01T00:00:00Z") {
			t.Errorf("%s stale token: %s", path, b)
		}
	}
}
