package http

import (
	"testing"
	"time"
)

// TestTouchOncePerTokenAndMinute: of the requests that find a token's
// last use over a minute old, one per token and minute writes it; the
// others do not queue for the store's writer (docs/benchmarks.md, bench
// load).
func TestTouchOncePerTokenAndMinute(t *testing.T) {
	var tc touches
	t0 := time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	if !tc.claim(1, t0) {
		t.Fatal("first request of token 1 does not record its use")
	}
	if tc.claim(1, t0.Add(59*time.Second)) {
		t.Error("a second request within the minute records it again")
	}
	if !tc.claim(2, t0.Add(time.Second)) {
		t.Error("another token is held back by token 1")
	}
	if !tc.claim(1, t0.Add(61*time.Second)) {
		t.Error("a request after the minute does not record it")
	}
	if !tc.claim(1, t0.Add(-time.Hour)) {
		t.Error("a clock set back blocks recording")
	}
}
