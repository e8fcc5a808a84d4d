package http

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// Timeouts are a server's connection deadlines (the constants of
// security.go by default; tests shorten them). Read bounds a request's
// arrival, body included, Write its answer; a streamed capture instead
// runs under CaptureStall, CaptureMinRate and CaptureMax (progressBody).
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
	// CaptureStall is how long a capture's client may pause between
	// bytes of the body while the server waits for them.
	CaptureStall time.Duration
	// CaptureMinRate is the slowest average rate, in bytes a second of
	// the time the server spent waiting for the body, at which a
	// capture's deadlines keep moving once Read has passed.
	CaptureMinRate int64
	// CaptureMax bounds a capture request however it progresses.
	CaptureMax time.Duration
}

// Streamed capture deadlines (issue 14: a 32 MiB capture that was
// arriving and being stored could be cut by the 90 s read and 120 s write
// timeouts when the server was loaded). While a capture's body keeps
// arriving, its read deadline is CaptureStallTimeout from each moment the
// server starts waiting for more, and its write deadline WriteTimeout
// after that, so time the server spends validating and storing batches
// never counts against the client; after ReadTimeout of waiting, the body
// must have averaged CaptureMinRate over the waiting time or the
// deadlines stop moving; and nothing extends a capture past
// CaptureMaxDuration (plus WriteTimeout to answer).
const (
	CaptureStallTimeout = 30 * time.Second
	CaptureMinRate      = 64 << 10 // 64 KiB/s: 32 MiB in about 8½ minutes of waiting
	CaptureMaxDuration  = 15 * time.Minute
)

// DefaultTimeouts are the deadlines of a server that was not given others.
var DefaultTimeouts = Timeouts{ReadHeader: ReadHeaderTimeout, Read: ReadTimeout, Write: WriteTimeout, Idle: IdleTimeout,
	CaptureStall: CaptureStallTimeout, CaptureMinRate: CaptureMinRate, CaptureMax: CaptureMaxDuration}

// progressBody is a capture's request body whose connection deadlines
// move on while it arrives (see CaptureStallTimeout).
type progressBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	t     Timeouts
	start time.Time
	mu    sync.Mutex
	// waited is the time spent inside Read (the client's share of the
	// request), got the bytes read.
	waited time.Duration
	got    int64
	done   bool
}

// captureBody makes r's body extend its deadlines while it progresses.
func (s *Server) captureBody(w http.ResponseWriter, r *http.Request) {
	r.Body = &progressBody{ReadCloser: r.Body, rc: http.NewResponseController(w), t: s.timeouts(), start: time.Now()}
}

func (b *progressBody) Read(p []byte) (int, error) {
	t0 := time.Now()
	b.extend(t0)
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.waited += time.Since(t0)
	b.got += int64(n)
	if err == io.EOF && !b.done {
		// The whole body is in: the answer has WriteTimeout from now
		// (the last batch and the commit), within CaptureMax.
		b.done = true
		_ = b.rc.SetWriteDeadline(minTime(time.Now().Add(b.t.Write), b.start.Add(b.t.CaptureMax+b.t.Write)))
	}
	b.mu.Unlock()
	return n, err
}

// extend moves the deadlines on before the server waits for more of the
// body, unless the body has been too slow or the capture too long.
func (b *progressBody) extend(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	if b.waited > b.t.Read && float64(b.got) < (b.waited-b.t.Read).Seconds()*float64(b.t.CaptureMinRate) {
		return // too slow: the deadlines set last stand
	}
	end := b.start.Add(b.t.CaptureMax)
	rd := minTime(now.Add(b.t.CaptureStall), end)
	if !rd.After(now) {
		return
	}
	_ = b.rc.SetReadDeadline(rd)
	_ = b.rc.SetWriteDeadline(minTime(rd.Add(b.t.Write), end.Add(b.t.Write)))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
