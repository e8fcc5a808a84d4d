package cli_test

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/postgres/pgtest"
)

// TestRefusedServeLeavesNoFile (fix1213c item 6): a critmin serve that is
// refused — a bad flag combination, a flag naming a missing or bad file,
// an address already in use (refused after the database was migrated and
// its signing key made, with and without the demo loaded) — leaves no
// file or directory behind: the data directory it would have made does
// not exist afterwards. A refused start on an existing database keeps
// that database (and, refused for its address, makes it no key: the
// address is bound first, fix15s).
func TestRefusedServeLeavesNoFile(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tmp := t.TempDir()
	badKey := filepath.Join(tmp, "bad.key")
	if err := os.WriteFile(badKey, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	badRules := filepath.Join(tmp, "rules.json")
	if err := os.WriteFile(badRules, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"replica on SQLite", []string{"--db-read", "postgres://127.0.0.1/x"}},
		{"missing signing key", []string{"--signing-key", filepath.Join(tmp, "none.key")}},
		{"bad signing key", []string{"--signing-key", badKey}},
		{"bad rules", []string{"--rules", badRules}},
		{"missing plan", []string{"--plan", filepath.Join(tmp, "none.json")}},
		{"bad stockpile flag", []string{"--stockpile-running", "0"}},
		{"address in use", []string{"--addr", busy.Addr().String()}},
		{"address in use with demo", []string{"--addr", busy.Addr().String(), "--demo"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			db := filepath.Join(data, "sub", "critmin.db")
			args := append([]string{"serve", "--db", db}, c.args...)
			if c.name != "address in use" && c.name != "address in use with demo" {
				args = append(args, "--addr", "127.0.0.1:0")
			}
			if _, _, err := run(t, nil, args...); err == nil {
				t.Fatalf("serve %v started", c.args)
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				var left []string
				_ = filepath.Walk(data, func(p string, _ os.FileInfo, _ error) error { left = append(left, p); return nil })
				t.Errorf("a refused start left %v", left)
			}
		})
	}
	// An existing database is kept, with its key.
	db := filepath.Join(t.TempDir(), "kept.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "serve", "--db", db, "--addr", busy.Addr().String()); err == nil {
		t.Fatal("serve on a busy address started")
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the existing database was removed: %v", err)
	}
	// The address is bound before the key is made (fix15s): the refused
	// start made none for the existing database.
	if _, err := os.Stat(db + ".signing.key"); !os.IsNotExist(err) {
		t.Errorf("a start refused for its address made a signing key: %v", err)
	}
}

// TestTradeInvoiceOverdueCLI (fix1213c item 1): trade invoice list and
// show take the payment status as of --as-of: on 2025-12-01 the demo's
// unpaid invoices due before are "overdue N days", N = 2025-12-01 − the
// due date (commercial TestInvoiceStatusOverdue works the status and
// interest by hand); on its due date the same invoice is open.
func TestTradeInvoiceOverdueCLI(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "invoice", "list", "--as-of", "2025-12-01")
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "overdue ") {
			id = strings.Fields(line)[0]
			break
		}
	}
	if id == "" {
		t.Fatalf("no overdue invoice on 2025-12-01:\n%s", out)
	}
	js, _, err := run(t, env, "trade", "invoice", "show", id, "--as-of", "2025-12-01", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var inv struct {
		DueDate     string      `json:"due_date"`
		Status      string      `json:"status"`
		DaysOverdue int         `json:"days_overdue"`
		Balance     json.Number `json:"balance"`
	}
	if err := json.Unmarshal([]byte(js), &inv); err != nil {
		t.Fatal(err)
	}
	due, _ := time.Parse(time.DateOnly, inv.DueDate)
	days := int(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC).Sub(due).Hours() / 24)
	if inv.Status != "overdue" || inv.DaysOverdue != days || days <= 0 {
		t.Errorf("%s on 2025-12-01: %+v, want overdue %d days", id, inv, days)
	}
	if !strings.Contains(out, fmt.Sprintf("overdue %d day", days)) {
		t.Errorf("list lacks overdue %d days:\n%s", days, out)
	}
	js, _, err = run(t, env, "trade", "invoice", "show", id, "--as-of", inv.DueDate, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	inv.Status, inv.DaysOverdue = "", 0
	if err := json.Unmarshal([]byte(js), &inv); err != nil || inv.Status != "open" || inv.DaysOverdue != 0 {
		t.Errorf("%s on its due date: %+v (%v), want open", id, inv, err)
	}
	if _, _, err := run(t, env, "trade", "invoice", "list", "--as-of", "1 Dec"); err == nil || !strings.Contains(err.Error(), "--as-of") {
		t.Errorf("a bad --as-of: %v", err)
	}
}

// pgName is the database name of a postgres:// DSN (its path).
func pgName(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || len(u.Path) < 2 {
		t.Fatalf("no database name in the test DSN: %v", err)
	}
	return u.Path[1:]
}

// TestPostgresSigningKeyPerDatabase (fix1213c item 5): two PostgreSQL
// databases used from one data directory get two installation keys,
// DATA/postgres-NAME.signing.key each, and a close on each verifies with
// its own; a database that pinned the legacy DATA/signing.key (one file
// for every PostgreSQL database before) keeps using it and makes no new
// file, while a new database beside it gets its own key, not the legacy
// one.
func TestPostgresSigningKeyPerDatabase(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CRITMIN_DATA": data}
	site := "urn:critmin:demo:site:refinery-mo"
	corridor := []string{"../demo/corridor/01-pakistan-mines-to-ports.jsonld", "../demo/corridor/02-voyage-and-us-receipt.jsonld", "../demo/corridor/03-correction-refinery-and-next-lot.jsonld"}
	closeOn := func(db string) {
		t.Helper()
		if _, _, err := run(t, env, append([]string{"capture", "--db", db}, corridor...)...); err != nil {
			t.Fatal(err)
		}
		if out, errOut, err := run(t, env, "refinery", "close", "--db", db, "--site", site, "--period", "2025-10", "--operator", "ops", "--accept", "no redundant measurements this month", "corridor"); err != nil {
			t.Fatalf("close on %s: %v\n%s%s", pgName(t, db), err, out, errOut)
		}
	}
	pub := func(file string) string {
		t.Helper()
		k, err := custody.LoadPrivateKey(file)
		if err != nil {
			t.Fatalf("key %s: %v", file, err)
		}
		return custody.PublicKeyIDOf(k.Public().(ed25519.PublicKey))
	}
	a, b := pgtest.MustCreateDatabase(t), pgtest.MustCreateDatabase(t)
	closeOn(a)
	closeOn(b)
	ka := filepath.Join(data, "postgres-"+pgName(t, a)+".signing.key")
	kb := filepath.Join(data, "postgres-"+pgName(t, b)+".signing.key")
	if pub(ka) == pub(kb) {
		t.Errorf("databases %s and %s share one key", pgName(t, a), pgName(t, b))
	}
	if _, err := os.Stat(filepath.Join(data, "signing.key")); !os.IsNotExist(err) {
		t.Errorf("a shared signing.key was made in the data directory")
	}
	for _, db := range []string{a, b} {
		if out, errOut, err := run(t, env, "refinery", "reopen", "--db", db, "--site", site, "--period", "2025-10", "--admin", "boss", "--reason", "late assay"); err != nil {
			t.Errorf("reopen on %s with its own key: %v\n%s%s", pgName(t, db), err, out, errOut)
		}
	}

	// A store from before: its key is the legacy DATA/signing.key, pinned
	// by a server that signed with it.
	legacyData := t.TempDir()
	legacy := filepath.Join(legacyData, "signing.key")
	if _, _, err := run(t, nil, "keygen", "--out", legacy); err != nil {
		t.Fatal(err)
	}
	old := pgtest.MustCreateDatabase(t)
	mustServeOnce(t, old, legacy)
	env = map[string]string{"CRITMIN_DATA": legacyData}
	closeOn(old)
	if made, _ := filepath.Glob(filepath.Join(legacyData, "postgres-*.signing.key")); len(made) > 0 {
		t.Errorf("the store that pinned the legacy key got a new one: %v", made)
	}
	fresh := pgtest.MustCreateDatabase(t)
	closeOn(fresh)
	kf := filepath.Join(legacyData, "postgres-"+pgName(t, fresh)+".signing.key")
	if _, err := os.Stat(kf); err != nil || pub(kf) == pub(legacy) {
		t.Errorf("a new database beside the legacy key did not get its own: %v", err)
	}
}
