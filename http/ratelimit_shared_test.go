package http_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqlite"
)

// TestTakeRateHandWorked checks the GCRA of sqldb.TakeRate at fixed
// times (interval 1 s, burst 10): ten requests at t=0 pass (the tenth
// leaves TAT = 10 s, 10 − 0 ≤ 10); the eleventh would make TAT 11 s > 10
// and is refused with a wait of 11 − 0 − 10 = 1 s; at t=1 s one more
// passes (max(10, 1) + 1 − 1 = 10 ≤ 10) and the next is refused again;
// another key has its own allowance.
func TestTakeRateHandWorked(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Unix(1_800_000_000, 0)
	take := func(key string, at time.Time) (bool, time.Duration) {
		ok, wait, err := db.TakeRate(ctx, key, at, time.Second, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ok, wait
	}
	for i := 1; i <= 10; i++ {
		if ok, _ := take("token:a", t0); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	if ok, wait := take("token:a", t0); ok || wait != time.Second {
		t.Errorf("11th at t=0: ok=%v wait=%v; want refused, 1s", ok, wait)
	}
	if ok, _ := take("token:a", t0.Add(time.Second)); !ok {
		t.Error("at t=1s: refused; want allowed")
	}
	if ok, wait := take("token:a", t0.Add(time.Second)); ok || wait != time.Second {
		t.Errorf("second at t=1s: ok=%v wait=%v; want refused, 1s", ok, wait)
	}
	if ok, _ := take("token:b", t0); !ok {
		t.Error("another key refused")
	}
}

// TestRateLimitSharedAcrossServers starts two servers on one PostgreSQL
// database and spends a viewer's burst of expensive requests on the
// first: the second then refuses the same viewer with 429 (with limits
// in each process's memory, two servers allowed twice the rate).
func TestRateLimitSharedAcrossServers(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	ctx := context.Background()
	var urls [2]string
	for i := range urls {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := st.CreateToken(ctx, &critmin.Token{Name: "viewer", Role: critmin.RoleViewer, Hash: critminhttp.HashToken(viewerSecret), CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		srv, err := critminhttp.NewServer(st, ledger.NewService(st), slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		urls[i] = srv.URL()
		t.Cleanup(func() {
			c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(c)
			st.Close()
		})
	}
	body := []byte(`{"commodity": "antimony", "start_year": 2026, "years": 1, "demand": [{"name": "x", "tonnes": {"value": 1}, "growth": {"value": 0}}], "import_loss": {"value": 0.5}, "disrupted_years": 1, "draws": 1}`)
	allowed := 0
	for i := 0; i < critminhttp.ExpensiveBurst; i++ {
		resp, b := do(t, "POST", urls[0]+"/api/v1/risk/stockpile", viewerSecret, body, jsonCT)
		if resp.StatusCode == 200 {
			allowed++
		} else if resp.StatusCode != 429 {
			t.Fatalf("A: %d %s", resp.StatusCode, b)
		}
	}
	// The burst is spent on A (less what refilled while the requests ran,
	// at 1 a second); B, whose own memory would allow a full burst, must
	// refuse within one.
	refused := false
	for i := 0; i < critminhttp.ExpensiveBurst && !refused; i++ {
		resp, b := do(t, "POST", urls[1]+"/api/v1/risk/stockpile", viewerSecret, body, jsonCT)
		switch resp.StatusCode {
		case 429:
			refused = resp.Header.Get("Retry-After") != ""
		case 200:
		default:
			t.Fatalf("B: %d %s", resp.StatusCode, b)
		}
	}
	if allowed < critminhttp.ExpensiveBurst-1 || !refused {
		t.Errorf("A allowed %d of %d; B refused: %v — want B to share A's spent allowance", allowed, critminhttp.ExpensiveBurst, refused)
	}
}
