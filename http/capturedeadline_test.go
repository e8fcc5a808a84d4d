package http_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// serveWithTimeouts is MustServe with the server's deadlines shortened.
func serveWithTimeouts(tb testing.TB, t critminhttp.Timeouts) *testServer {
	tb.Helper()
	ctx := context.Background()
	dbPath := filepath.Join(tb.TempDir(), "critmin.db")
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	if err := store.CreateToken(ctx, &critmin.Token{Name: "operator", Role: critmin.RoleOperator, Hash: critminhttp.HashToken(operatorSecret), CreatedAt: time.Now()}); err != nil {
		tb.Fatal(err)
	}
	svc := ledger.NewService(store)
	srv, err := critminhttp.NewServer(store, svc, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		tb.Fatal(err)
	}
	srv.Timeouts = &t
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		store.Close()
	})
	return &testServer{Server: srv, URL: srv.URL(), Store: store, Svc: svc, DBPath: dbPath}
}

// trickleDoc is an EPCIS document of n ObjectEvents.
func trickleDoc(n int) string {
	var b strings.Builder
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"ObjectEvent","eventTime":"2025-10-01T08:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["urn:epc:id:sgtin:0614141.107346.%d"],"action":"OBSERVE","bizStep":"inspecting"}`, i)
	}
	b.WriteString(`]}}`)
	return b.String()
}

// trickle posts doc to /epcis/capture in chunks, sleeping pause before
// each chunk (and stall before the second half, when set).
func trickle(t *testing.T, ts *testServer, doc string, chunks int, pause, stall time.Duration) (int, error) {
	pr, pw := io.Pipe()
	go func() {
		size := (len(doc) + chunks - 1) / chunks
		for i := 0; i < len(doc); i += size {
			if stall > 0 && i >= len(doc)/2 && i < len(doc)/2+size {
				time.Sleep(stall)
			}
			time.Sleep(pause)
			if _, err := pw.Write([]byte(doc[i:min(i+size, len(doc))])); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	req, err := http.NewRequest("POST", ts.URL+"/epcis/capture", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+operatorSecret)
	req.Header.Set("Content-Type", "application/ld+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// TestCaptureProgressOutlivesServerTimeouts: a capture whose body keeps
// arriving is not cut by the server's read and write timeouts (issue 14:
// a 32 MiB capture under load hit the 90 s limit). With Read and Write of
// 1 s, a body trickled in 25 chunks 120 ms apart (3 s in all) is stored
// whole; a body that pauses longer than CaptureStall mid-way, or one that
// arrives more slowly than CaptureMinRate once Read has passed, is cut
// and stores nothing.
func TestCaptureProgressOutlivesServerTimeouts(t *testing.T) {
	t.Parallel()
	timeouts := critminhttp.Timeouts{ReadHeader: 5 * time.Second, Read: time.Second, Write: time.Second, Idle: 5 * time.Second,
		CaptureStall: 2 * time.Second, CaptureMinRate: 1, CaptureMax: time.Minute}
	doc := trickleDoc(20)

	ts := serveWithTimeouts(t, timeouts)
	status, err := trickle(t, ts, doc, 25, 120*time.Millisecond, 0)
	if err != nil || status != http.StatusAccepted {
		t.Fatalf("progressing capture: status %d, err %v; want 202", status, err)
	}
	if n := eventCount(t, ts.Store); n != 20 {
		t.Fatalf("progressing capture stored %d events, want 20", n)
	}

	// Stalled for 4 s (twice CaptureStall) half-way: cut, nothing stored.
	ts = serveWithTimeouts(t, timeouts)
	status, err = trickle(t, ts, doc, 10, 10*time.Millisecond, 4*time.Second)
	if err == nil && status == http.StatusAccepted {
		t.Errorf("stalled capture answered 202")
	}
	if n := eventCount(t, ts.Store); n != 0 {
		t.Errorf("stalled capture stored %d events, want 0", n)
	}

	// Progressing, but far below the minimum rate (1 MiB/s here) once
	// the 1 s Read has been spent waiting: cut, nothing stored.
	slow := timeouts
	slow.CaptureMinRate = 1 << 20
	ts = serveWithTimeouts(t, slow)
	status, err = trickle(t, ts, doc, 40, 120*time.Millisecond, 0)
	if err == nil && status == http.StatusAccepted {
		t.Errorf("capture below the minimum rate answered 202")
	}
	if n := eventCount(t, ts.Store); n != 0 {
		t.Errorf("capture below the minimum rate stored %d events, want 0", n)
	}
}
