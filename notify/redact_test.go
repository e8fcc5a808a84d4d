package notify

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestDeliveryErrorHidesURLSecrets (issue 14, fix14 item 1): a webhook
// URL with userinfo leaked through the last delivery error, because Go's
// *url.Error writes the password as "xxxxx" (so a text match on the
// destination failed) but keeps the user name and the query. Real
// client errors — a refused connection, a redirect to another URL with
// its own token — and a message stored before the fix must come out
// with none of the URL's secrets, raw or percent-decoded.
func TestDeliveryErrorHidesURLSecrets(t *testing.T) {
	// Port 1 on loopback: the connection is refused.
	const dest = "http://alice-user:pa55-s3cret@127.0.0.1:1/hook/T0KEN-path?key=k3y-value&sig=%73ig-Secret"
	secrets := []string{"alice-user", "pa55-s3cret", "T0KEN-path", "k3y-value", "%73ig-Secret", "sig-Secret", "xxxxx", "signing-key-1"}
	check := func(name, got string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(got, s) {
				t.Errorf("%s: %q shows %q", name, got, s)
			}
		}
	}
	post := func(url string) error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader([]byte("{}")))
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("post %s: no error", url)
		}
		return err
	}

	err := post(dest)
	got := DeliveryError(err, dest, "signing-key-1")
	check("refused", got)
	// Still useful: what failed and where.
	if !strings.HasPrefix(got, `Post "http://127.0.0.1:1/…": `) || !strings.Contains(got, "refused") {
		t.Errorf("refused: %q, want the method, scheme and host and the cause", got)
	}

	// A redirect to another URL with its own secrets: Go's error quotes
	// the redirect's URL, which no text match on dest would find.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://bob-user:r3direct-pw@127.0.0.1:1/next?token=R3DIRECT-TOKEN", http.StatusTemporaryRedirect)
	}))
	defer hook.Close()
	redirDest := strings.Replace(hook.URL, "http://", "http://alice-user:pa55-s3cret@", 1) + "/hook/T0KEN-path?key=k3y-value"
	err = post(redirDest)
	got = DeliveryError(err, redirDest, "")
	secrets = append(secrets, "bob-user", "r3direct-pw", "R3DIRECT-TOKEN", "next")
	check("redirect", got)
	if !strings.Contains(got, "http://127.0.0.1:1/…") {
		t.Errorf("redirect: %q, want the redirect's host", got)
	}

	// A message stored before the fix, as Go wrote it: redacted when shown.
	old := `Post "http://alice-user:xxxxx@127.0.0.1:1/hook/T0KEN-path?key=k3y-value&sig=%73ig-Secret": dial tcp 127.0.0.1:1: connect: connection refused`
	shown := (&critmin.Subscription{Dest: dest, LastError: old}).Redacted().LastError
	check("stored", shown)
	if want := `Post "http://127.0.0.1:1/…": dial tcp 127.0.0.1:1: connect: connection refused`; shown != want {
		t.Errorf("stored: %q, want %q", shown, want)
	}
	// A secret outside any URL (a proxy or a server echoing it), raw or
	// decoded, and a host that shares a word with the path.
	msg := `webhook said: key k3y-value and sig-Secret refused for alice-user`
	check("bare", critmin.RedactDeliveryError(msg, dest, ""))
	if got := critmin.RedactDeliveryError(`Post "https://hooks.example.com/hooks/abc?t=1": EOF`, "https://hooks.example.com/hooks/abc?t=1", ""); got != `Post "https://hooks.example.com/…": EOF` {
		t.Errorf("host sharing a path word: %q", got)
	}
}
