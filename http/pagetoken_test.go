package http_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
)

// TestNextPageTokenExpires: a paged result carries GS1-Next-Page-Token-Expires
// (RFC 3339, EPCIS 2.0 REST binding components/headers), and the time it
// names is the one the server enforces on the token of the Link header; a
// last page carries neither; an expired token is a 400 naming
// nextPageToken.
func TestNextPageTokenExpires(t *testing.T) {
	ts := MustServe(t, true, nil)
	captureCorridor(t, ts)
	key, err := ts.Store.ServerKey(context.Background(), epcis.PageTokenKeyName)
	if err != nil {
		t.Fatal(err)
	}
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
		if _, err := epcis.DecodeSignedPageToken(tok, exp.Add(-time.Second), key); err != nil {
			t.Errorf("%s: token refused before the advertised expiry: %v", path, err)
		}
		var ex *epcis.ExpiredTokenError
		if _, err := epcis.DecodeSignedPageToken(tok, exp, key); !errors.As(err, &ex) {
			t.Errorf("%s: token accepted at the advertised expiry %s: %v", path, hdr, err)
		}
	}
	// The last page: no Link, no expiry.
	resp, b := do(t, "GET", ts.URL+"/epcis/events?perPage=1000", "", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Link") != "" || resp.Header.Get("GS1-Next-Page-Token-Expires") != "" {
		t.Errorf("single page: %d Link %q expires %q", resp.StatusCode, resp.Header.Get("Link"), resp.Header.Get("GS1-Next-Page-Token-Expires"))
	}
	// A token past its expiry.
	stale := epcis.SignPageToken(&critmin.PageCursor{Key: "0", PK: 1}, time.Unix(1767225600, 0), key)
	for _, path := range []string{"/epcis/events?perPage=2&nextPageToken=", "/epcis/bizSteps?perPage=1&nextPageToken="} {
		resp, b = do(t, "GET", ts.URL+path+stale, "", nil, nil)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != "nextPageToken" || !strings.Contains(p.Errors[0].Reason, "expired at 2026-01-01T00:00:00Z") {
			t.Errorf("%s stale token: %s", path, b)
		}
	}
}

// TestNextPageTokenTamper: nextPageToken values are signed with the
// store's key (HMAC-SHA256), so a client cannot push back a token's
// expiry ("x") or move its cursor: an edited token, an unsigned one, and
// one signed with another key are each a 400 naming nextPageToken; a
// second server over the same store accepts the first one's tokens.
func TestNextPageTokenTamper(t *testing.T) {
	ts := MustServe(t, true, nil)
	captureCorridor(t, ts)
	for _, path := range []string{"/epcis/events?perPage=2", "/epcis/bizSteps?perPage=1"} {
		resp, b := do(t, "GET", ts.URL+path, "", nil, nil)
		m := linkNext.FindStringSubmatch(resp.Header.Get("Link"))
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		u, _ := url.Parse(m[1])
		tok := u.Query().Get("nextPageToken")
		body, sig, ok := strings.Cut(tok, ".")
		if !ok {
			t.Fatalf("%s: token %q is not signed", path, tok)
		}
		raw, err := base64.RawURLEncoding.DecodeString(body)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatal(err)
		}
		fields["x"] = 4102444800 // 2100-01-01: a later expiry
		edited, _ := json.Marshal(fields)
		forged := base64.RawURLEncoding.EncodeToString(edited)
		otherKey := epcis.SignPageToken(&critmin.PageCursor{Key: "0", PK: 1}, time.Now().Add(time.Hour), []byte("another store's key"))
		for name, bad := range map[string]string{"edited expiry": forged + "." + sig, "unsigned": forged, "other key": otherKey} {
			p, _ := url.Parse(ts.URL + path)
			q := p.Query()
			q.Set("nextPageToken", bad)
			p.RawQuery = q.Encode()
			resp, b := do(t, "GET", p.String(), "", nil, nil)
			pr := mustProblem(t, resp, b, 400)
			if len(pr.Errors) == 0 || pr.Errors[0].Pointer != "nextPageToken" {
				t.Errorf("%s %s: %s", path, name, b)
			}
		}
		// The genuine token works on a second server of the same store.
		srv2, err := critminhttp.NewServer(ts.Store, ts.Svc, slog.New(slog.NewTextHandler(io.Discard, nil)), true)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv2.Handler().ServeHTTP(rec, httptest.NewRequest("GET", m[1], nil))
		if rec.Code != 200 {
			t.Errorf("%s: second server refused the first one's token: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// TestNextPageTokenBoundToQuery: a nextPageToken pages only the query that
// issued it. Named query "objects"'s token given to named query "all", or
// an ad-hoc query's token given with other parameters, is a 400 naming
// nextPageToken; the same token on its own query (with another perPage)
// pages on.
func TestNextPageTokenBoundToQuery(t *testing.T) {
	ts := MustServe(t, true, nil)
	captureCorridor(t, ts)
	createQuery(t, ts.URL, "objects", `{"eventType": ["ObjectEvent"]}`)
	createQuery(t, ts.URL, "all", `{}`)
	token := func(path string) string {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+path, operatorSecret, nil, nil)
		m := linkNext.FindStringSubmatch(resp.Header.Get("Link"))
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("%s: %d, Link %q: %s", path, resp.StatusCode, resp.Header.Get("Link"), b)
		}
		u, _ := url.Parse(m[1])
		return u.Query().Get("nextPageToken")
	}
	named := token("/epcis/queries/objects/events?perPage=1")
	adhoc := token("/epcis/events?eventType=ObjectEvent&perPage=1")
	for _, c := range []struct {
		path string
		want int
	}{
		{"/epcis/queries/objects/events?perPage=2&nextPageToken=" + named, 200},
		{"/epcis/queries/all/events?perPage=1&nextPageToken=" + named, 400},
		{"/epcis/events?eventType=ObjectEvent&perPage=1&nextPageToken=" + adhoc, 200},
		{"/epcis/events?eventType=AggregationEvent&perPage=1&nextPageToken=" + adhoc, 400},
		{"/epcis/events?perPage=1&nextPageToken=" + adhoc, 400},
	} {
		resp, b := do(t, "GET", ts.URL+c.path, operatorSecret, nil, nil)
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d: %s", c.path, resp.StatusCode, c.want, b)
			continue
		}
		if c.want == 400 {
			if p := mustProblem(t, resp, b, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "nextPageToken" || !strings.Contains(p.Errors[0].Reason, "issued for another query") {
				t.Errorf("%s: %s", c.path, b)
			}
		}
	}
}
