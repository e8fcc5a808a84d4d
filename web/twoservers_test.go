package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/web"
)

// TestTwoServersOnOnePostgres runs two servers — each with its own
// connection pool and memory, as two processes behind a load balancer
// would — on one PostgreSQL database. Both capture concurrently; a capture
// job made through one is read through the other; a browser session
// started on one is honoured by the other; and afterwards the log
// verifies and every derived table matches a rebuild from the events.
func TestTwoServersOnOnePostgres(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	ctx := context.Background()
	var urls []string
	var stores []critmin.Store
	for i := 0; i < 2; i++ {
		store, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, store)
		srv, err := critminhttp.NewServer(store, ledger.NewService(store), slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		if err != nil {
			t.Fatal(err)
		}
		if err := web.Mount(srv); err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		urls = append(urls, srv.URL())
		t.Cleanup(func() {
			c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(c)
			store.Close()
		})
	}
	secret, _, err := critmin.IssueToken(ctx, stores[0], "ops", critmin.RoleOperator, time.Time{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// 2 servers × 3 clients × 4 documents of 5 events, each document on
	// its own lot and eventIDs, captured at once.
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	jobs := make(chan string, 24)
	for s := 0; s < 2; s++ {
		for c := 0; c < 3; c++ {
			wg.Add(1)
			go func(s, c int) {
				defer wg.Done()
				for d := 0; d < 4; d++ {
					resp, body := post(t, urls[s]+"/epcis/capture", secret, twoServerDoc(s, c, d))
					if resp.StatusCode != http.StatusAccepted {
						errs <- fmt.Errorf("server %d: %d %s", s, resp.StatusCode, body)
						return
					}
					jobs <- resp.Header.Get("Location")
				}
			}(s, c)
		}
	}
	wg.Wait()
	close(errs)
	close(jobs)
	for err := range errs {
		t.Fatal(err)
	}
	// Every capture job is visible through either server.
	n := 0
	for loc := range jobs {
		n++
		for _, u := range urls {
			req, _ := http.NewRequest("GET", u+loc, nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("job %s through %s: %d", loc, u, resp.StatusCode)
			}
		}
	}
	if count, _ := stores[1].CountEvents(ctx); n != 24 || count != 120 {
		t.Fatalf("%d jobs, %d events; want 24 and 120", n, count)
	}
	// A session made on server 0 works on server 1.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(urls[0]+"/login", url.Values{"token": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == critminhttp.SessionCookie {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie from server 0")
	}
	req, _ := http.NewRequest("GET", urls[1]+"/api/v1/lots", nil)
	req.AddCookie(cookie)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("session of server 0 on server 1: %d", resp.StatusCode)
	}
	// The log verifies and every projection matches a rebuild.
	scratch, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := db.Verify(ctx, scratch, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Records != 120 {
		t.Errorf("verify after concurrent captures on two servers: %d records, problem %v, difference %v", rep.Records, rep.Problem, rep.Difference)
	}
}

func post(t *testing.T, u, token string, body []byte) (*http.Response, []byte) {
	req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/ld+json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return &http.Response{StatusCode: 0}, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// twoServerDoc is a document of 5 events on one lot: commissioned at a
// mine, then observed four times.
func twoServerDoc(s, c, d int) []byte {
	lot := fmt.Sprintf("urn:critmin:test:lot:%d-%d-%d", s, c, d)
	var evs []string
	for i := 0; i < 5; i++ {
		step, action := "inspecting", "OBSERVE"
		if i == 0 {
			step, action = "commissioning", "ADD"
		}
		evs = append(evs, fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:critmin:test:event:%d-%d-%d-%d", "eventTime": "2025-09-0%dT10:00:00Z", "eventTimeZoneOffset": "+05:00", "action": %q, "bizStep": %q,
			"quantityList": [{"epcClass": %q, "quantity": 1000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:test:site:mine"}}`, s, c, d, i, i+1, action, step, lot))
	}
	return []byte(`{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-01T00:00:00Z",
		"epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`)
}
