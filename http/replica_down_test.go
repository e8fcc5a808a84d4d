package http_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/web"
)

// tcpProxy forwards connections from a local port to target until
// stopped; stop closes the listener and every connection, as a replica
// that is shut down (or its host unplugged) does.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestReadReplicaDownIs503 is the issue 14 new-user check: with --db-read
// a replica stopped while the server ran made every read answer 500
// "internal error". A read store that does not answer is an outage the
// client can retry, not a fault of the request or the server: 503
// problem+json with Retry-After (RFC 9110 §15.6.4, §10.2.3), on every
// read route, and /readyz says so too (docs/security.md, "Several
// servers").
func TestReadReplicaDownIs503(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startTCPProxy(t, u.Host)
	ru := *u
	ru.Host = proxy.ln.Addr().String()
	ctx := context.Background()
	store, err := postgres.OpenWithReadPool(ctx, dsn, ru.String(), false)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := critminhttp.NewServer(store, custody.NewService(store), slog.New(slog.NewTextHandler(io.Discard, nil)), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.Mount(srv); err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		store.Close()
	})
	routes := []string{"/api/v1/lots", "/epcis/events", "/api/v1/transit", "/api/v1/sites", "/epcis/capture", "/api/v1/log/checkpoint"}
	get := func(path string) *http.Response {
		t.Helper()
		resp, err := http.Get(srv.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, p := range routes {
		resp := get(p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s with the replica up: %d, want 200", p, resp.StatusCode)
		}
	}
	pages := []string{"/lots", "/events", "/"}
	for _, p := range pages {
		resp := get(p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET page %s with the replica up: %d, want 200", p, resp.StatusCode)
		}
	}
	proxy.stop()
	for _, p := range pages {
		resp := get(p)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET page %s with the replica down: %d (Retry-After %q), want 503 with Retry-After", p, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if !strings.Contains(string(b), "does not answer") {
			t.Errorf("GET page %s: the page does not say the database does not answer:\n%.400s", p, b)
		}
	}
	for _, p := range append(routes, "/readyz") {
		resp := get(p)
		var prob critminhttp.Problem
		err := json.NewDecoder(resp.Body).Decode(&prob)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the replica down: %d, want 503", p, resp.StatusCode)
			continue
		}
		if p == "/readyz" {
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || err != nil {
			t.Errorf("GET %s: Content-Type %q (decode: %v), want application/problem+json", p, ct, err)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s: 503 without Retry-After", p)
		}
		if prob.Detail == "" || prob.Detail == "internal error" {
			t.Errorf("GET %s: detail %q does not say the database is unavailable", p, prob.Detail)
		}
	}
}
