package notify

import (
	"testing"
	"time"
)

// TestSign: RFC 4231 test case 2 (key "Jefe", data "what do ya want for
// nothing?"), HMAC-SHA-256.
func TestSign(t *testing.T) {
	const want = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	body := []byte("what do ya want for nothing?")
	if got := Sign("Jefe", body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if !Verify("Jefe", body, want) || Verify("jefe", body, want) || Verify("Jefe", append(body, '!'), want) {
		t.Error("Verify accepts a wrong key or body, or refuses the right one")
	}
}

// TestBackoff: base 2 s doubling per failed attempt, capped: 2, 4, 8, 16,
// 32 s, then the 60 s cap.
func TestBackoff(t *testing.T) {
	d := &Dispatcher{BackoffBase: 2 * time.Second, BackoffMax: time.Minute}
	want := []time.Duration{2, 4, 8, 16, 32, 60, 60}
	for i, w := range want {
		if got := d.backoff(i + 1); got != w*time.Second {
			t.Errorf("attempt %d: wait %v, want %v", i+1, got, w*time.Second)
		}
	}
}
