package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/cli"
)

// run runs the CLI with an empty environment plus env.
func run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runAt(t, env, nil, args...)
}

// declaredOct20 is the clock of mass-balance declarations in tests:
// 20 October 2025, before the 2025-10 and 2025-11 claim periods end (a
// declaration opens no ended period).
func declaredOct20() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }

// runAt runs the CLI with the capture clock now (nil: the wall clock).
func runAt(t *testing.T, env map[string]string, now func() time.Time, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &cli.Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string { return env[k] }, Now: now}
	initFirst(t, e, env, args)
	err = cli.Run(context.Background(), e, args)
	return out.String(), errb.String(), err
}

// initFirst runs critmin init on the new SQLite database a test's local
// capture or data import writes to, as a user must first (capture
// refuses a database that does not exist; TestWritersRefuseMissingDatabase
// checks that with runRaw).
func initFirst(t *testing.T, e *cli.Env, env map[string]string, args []string) {
	t.Helper()
	if len(args) == 0 || !(args[0] == "capture" || (args[0] == "data" && len(args) > 1 && args[1] == "import")) {
		return
	}
	db := env["CRITMIN_DB"]
	for i, a := range args {
		switch {
		case a == "--url" || strings.HasPrefix(a, "--url=") || a == "--help" || a == "-h":
			return
		case a == "--db" && i+1 < len(args):
			db = args[i+1]
		case strings.HasPrefix(a, "--db="):
			db = strings.TrimPrefix(a, "--db=")
		}
	}
	if db == "" {
		return
	}
	// A PostgreSQL database is created empty by the test (init is
	// idempotent); a SQLite file is initialised only when missing.
	if isPG := strings.Contains(db, "://") || strings.Contains(db, "="); !isPG {
		if _, err := os.Stat(db); err == nil {
			return
		}
	}
	quiet := &cli.Env{Stdout: io.Discard, Stderr: io.Discard, Stdin: strings.NewReader(""), Getenv: e.Getenv}
	if err := cli.Run(context.Background(), quiet, []string{"init", "--db", db}); err != nil {
		t.Fatalf("init %s: %v", db, err)
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"token", "create", "--help"}, {"capture", "--help"}, {"events", "--help"}, {"lot", "show", "--help"}, {"bench", "--help"}, {"bench", "capture", "--help"}, {"bench", "query", "--help"}, {"data", "--help"}, {"data", "list", "--help"}, {"data", "import", "--help"}, {"risk", "--help"}, {"risk", "concentration", "--help"}, {"risk", "stockpile", "--help"}, {"epcis", "--help"}, {"epcis", "hash", "--help"}, {"plan", "--help"}, {"solve", "--help"}, {"bench", "plan", "--help"}, {"log", "--help"}, {"log", "prove", "--help"}, {"verify", "--help"}, {"bench", "verify", "--help"}} {
		out, _, err := run(t, nil, args...)
		if err != nil || !strings.Contains(out, "Usage: critmin") {
			t.Errorf("%v: err %v, output %q", args, err, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	cases := [][]string{
		{},
		{"frobnicate"},
		{"token", "create", "--db", db, "--name", "a", "--role", "superuser"},
		{"token", "create", "--db", db, "--role", "admin"},
		{"capture", "--db", db},
		{"capture", "--db", db, "--behaviour", "maybe", "x.json"},
		{"capture", "--url", "http://127.0.0.1:1", "x.json"},
		{"events", "--db", db, "EQ_bizStep"},
		{"events", "--db", db, "--format", "xml"},
		{"lot", "show", "--db", db},
		{"serve", "--db", db, "extra"},
		{"serve", "--db", "mysql://x"},
	}
	for _, c := range cases {
		_, _, err := run(t, nil, c...)
		if err == nil || !cli.UsageError(err) {
			t.Errorf("%v: err %v; want a usage error", c, err)
		}
	}
}

// TestCaptureQueryAndShow captures the demo documents from files into a
// fresh database named by CRITMIN_DB, then queries and shows a lot.
func TestCaptureQueryAndShow(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "c.db")}
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if len(files) != 3 {
		t.Fatalf("demo files: %v", files)
	}
	out, _, err := run(t, env, append([]string{"capture"}, files...)...)
	if err != nil || strings.Count(out, "stored") != 3 {
		t.Fatalf("capture: %v\n%s", err, out)
	}
	out, _, err = run(t, env, "events", "EQ_bizStep=shipping", "orderBy=eventTime", "orderDirection=ASC")
	if err != nil || strings.Count(out, "shipping") != 4 {
		t.Errorf("events: %v\n%s", err, out)
	}
	out, _, err = run(t, env, "events", "--format", "json", "EQ_eventID=urn:critmin:demo:event:001")
	if err != nil || !strings.Contains(out, `"type":"EPCISQueryDocument"`) || !strings.Contains(out, "urn:critmin:demo:event:001") {
		t.Errorf("events json: %v\n%s", err, out)
	}
	_, _, err = run(t, env, "events", "EQ_bizstep=shipping")
	if err == nil || !strings.Contains(cli.Describe(err), "EQ_bizstep") {
		t.Errorf("unknown parameter: %v", err)
	}
	out, _, err = run(t, env, "lot", "show", "urn:critmin:demo:lot:REE-2025-001")
	if err != nil || !strings.Contains(out, "Rare-earth concentrate") || !strings.Contains(out, "24.950 wmt, 22.954 dmt") || !strings.Contains(out, "NDPR-2025-001") {
		t.Errorf("lot show: %v\n%s", err, out)
	}
	if _, _, err := run(t, env, "lot", "show", "urn:no:lot"); err == nil || !strings.Contains(cli.Describe(err), "no lot") {
		t.Errorf("missing lot: %v", err)
	}
	// A rejected file under rollback stores nothing and says why.
	bad := filepath.Join(dir, "bad.jsonld")
	if err := os.WriteFile(bad, []byte(`{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTimeZoneOffset": "+00:00", "action": "ADD"}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, env, "capture", bad)
	if err == nil || !strings.Contains(cli.Describe(err), "/epcisBody/eventList/0/eventTime") {
		t.Errorf("bad capture: %v", err)
	}
}

func TestSplitDocument(t *testing.T) {
	body, err := os.ReadFile("../demo/corridor/01-pakistan-mines-to-ports.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	chunks, total, err := cli.SplitDocument(body, 5)
	if err != nil {
		t.Fatal(err)
	}
	// 13 events in chunks of 5: 5, 5, 3.
	if total != 13 || len(chunks) != 3 || chunks[0].Events != 5 || chunks[2].Events != 3 {
		t.Fatalf("total %d, %d chunks", total, len(chunks))
	}
	if !bytes.Contains(chunks[0].Body, []byte("epcisMasterData")) || bytes.Contains(chunks[1].Body, []byte("epcisMasterData")) {
		t.Error("master data should travel with the first chunk only")
	}
	if !bytes.Contains(chunks[2].Body, []byte("https://ns.critmin.org/mineral/v1/")) {
		t.Error("later chunks lost the @context")
	}
}

// TestRiskConcentrationJSON checks the documented JSON shape of
// `critmin risk concentration --format json` and its hand-worked values.
func TestRiskConcentrationJSON(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "r.db")}
	// Read-only commands refuse a database that does not exist.
	if _, _, err := run(t, env, "init"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "risk", "concentration", "--commodity", "antimony", "--stage", "mine", "--year", "2024", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"commodity", "stage", "year", "edition", "hhi", "top1_share", "top3_share", "shares"} {
		if _, ok := v[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	if v["commodity"] != "antimony" || v["edition"] != "MCS2026" || v["year"] != float64(2024) {
		t.Errorf("identity %v %v %v", v["commodity"], v["edition"], v["year"])
	}
	sh := v["shares"].([]any)[0].(map[string]any)
	for _, k := range []string{"iso3", "country", "quantity", "share"} {
		if _, ok := sh[k]; !ok {
			t.Errorf("share key %q missing", k)
		}
	}
	// 40,000 of 118,990 t: shares are fractions.
	if s := sh["share"].(float64); s < 0.336 || s > 0.3362 {
		t.Errorf("top share %v", s)
	}
	// Imports: a bad file leaves nothing; a good one is listed.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("commodity,country,iso3,quantity,unit,source\nantimony,Atlantis,ATL,5,t,x\n"), 0o644)
	if _, _, err := run(t, env, "data", "import", "--edition", "MCS2027", bad); err == nil || !strings.Contains(cli.Describe(err), "line 2, column iso3") {
		t.Errorf("bad import: %v", err)
	}
	good := filepath.Join(t.TempDir(), "good.csv")
	os.WriteFile(good, []byte("commodity,country,iso3,quantity,unit,source\nantimony,China,CHN,650000,t Sb,MCS2027 test\n"), 0o644)
	if out, _, err := run(t, env, "data", "import", good, "--edition", "MCS2027"); err != nil || !strings.Contains(out, "imported 1 rows of usgs_reserves as edition MCS2027") {
		t.Errorf("good import: %v %s", err, out)
	}
	out, _, _ = run(t, env, "data", "list")
	if !strings.Contains(out, "usgs_reserves") || !strings.Contains(out, "MCS2027") {
		t.Errorf("data list:\n%s", out)
	}
}

// TestEPCISHash prints one hash per event, the reference vectors' hashes.
func TestEPCISHash(t *testing.T) {
	out, _, err := run(t, nil, "epcis", "hash", "../testdata/epcis/hash-vectors/ReferenceEventHashAlgorithm3.jsonld")
	want, _ := os.ReadFile("../testdata/epcis/hash-vectors/ReferenceEventHashAlgorithm3.hashes")
	if err != nil || strings.TrimSpace(out) != strings.TrimSpace(string(want)) {
		t.Errorf("hash: %v\n%s\nwant %s", err, out, want)
	}
	out, _, _ = run(t, nil, "epcis", "hash", "../demo/corridor/02-voyage-and-us-receipt.jsonld")
	if n := strings.Count(out, "ni:///sha-256;"); n != 4 {
		t.Errorf("%d hashes for the 4 events", n)
	}
	if _, _, err := run(t, nil, "epcis", "hash", "/nonexistent"); err == nil {
		t.Error("missing file accepted")
	}
}

// TestReadOnlyCommandsRefuseMissingDatabase gives read-only commands a
// mistyped --db: each must say there is no database there and must not
// create the file or its directory (export among them, which opened the
// store read-write); init then creates it.
func TestReadOnlyCommandsRefuseMissingDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	db := filepath.Join(dir, "critmin.db")
	key := filepath.Join(t.TempDir(), "k.key")
	if _, _, err := run(t, nil, "keygen", "--out", key); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"export", "--db", db, "--key", key, "--out", filepath.Join(t.TempDir(), "b.json")},
		{"log", "checkpoint", "--db", db, "--key", key},
		{"massbalance", "show", "--db", db, "--site", "urn:epc:id:sgln:0614141.00001.0"},
		{"refinery", "yields", "--db", db, "--site", "urn:epc:id:sgln:0614141.00001.0", "--period", "2025-01"},
		{"trade", "contract", "list", "--db", db},
		{"trade", "exposure", "--db", db},
		{"token", "list", "--db", db},
		{"lot", "show", "--db", db, "urn:x"},
		{"events", "--db", db, "EQ_bizStep=shipping"},
		{"verify", "--db", db},
		{"token", "create", "--db", db, "--name", "a", "--role", "viewer"},
		// new-user check 14f item 8: risk answered from the embedded
		// reference data alone (exit 0) for a mistyped --db.
		{"risk", "concentration", "--db", db, "--commodity", "antimony", "--stage", "mine", "--year", "2024"},
		{"risk", "exposure", "--db", db},
		{"risk", "stockpile", "--db", db, "--example", "--commodity", "antimony"},
		{"data", "list", "--db", db},
	} {
		_, _, err := run(t, nil, args...)
		if err == nil || !strings.Contains(cli.Describe(err), "no database at "+db) {
			t.Errorf("%v: err %v; want no database at %s", args, err, db)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("%v created %s", args, dir)
		}
	}
	if out, _, err := run(t, nil, "init", "--db", db); err != nil || !strings.Contains(out, "database ready") {
		t.Fatalf("init: %v %q", err, out)
	}
	if _, _, err := run(t, nil, "events", "--db", db, "EQ_bizStep=shipping"); err != nil {
		t.Errorf("events after init: %v", err)
	}
}

// TestTokenCommands creates a token with an expiry, lists it without its
// secret, revokes it and refuses a second revocation.
func TestTokenCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "token", "create", "--db", db, "--name", "lab", "--role", "viewer", "--expires", "48h")
	if err != nil || !strings.Contains(out, "expires ") {
		t.Fatalf("create: %v %q", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	out, _, err = run(t, nil, "token", "list", "--db", db)
	if err != nil || !strings.Contains(out, "lab") || !strings.Contains(out, "active") || strings.Contains(out, secret) {
		t.Errorf("list: %v %q", err, out)
	}
	if _, _, err := run(t, nil, "token", "create", "--db", db, "--name", "x", "--role", "viewer", "--expires", "soon"); !cli.UsageError(err) {
		t.Errorf("bad --expires: %v", err)
	}
	if out, _, err := run(t, nil, "token", "revoke", "--db", db, "lab"); err != nil || !strings.Contains(out, "revoked") {
		t.Errorf("revoke: %v %q", err, out)
	}
	if out, _, _ := run(t, nil, "token", "list", "--db", db); !strings.Contains(out, "revoked") {
		t.Errorf("list after revoke: %q", out)
	}
	if _, _, err := run(t, nil, "token", "revoke", "--db", db, "lab"); err == nil || !strings.Contains(cli.Describe(err), "revoked") {
		t.Errorf("second revoke: %v", err)
	}
}

// TestLotShowJSONCarriesOrigin: `lot show --format json` prints the API's
// lot view, with the physical origin headline from the one origin function
// (the demo's REE-2025-001 is 100 % Pakistan).
func TestLotShowJSONCarriesOrigin(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "o.db")}
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	if _, _, err := run(t, env, append([]string{"capture"}, files...)...); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "lot", "show", "--format", "json", "urn:critmin:demo:lot:REE-2025-001")
	var v struct {
		ID     string `json:"id"`
		Origin *struct {
			ByCountry []struct {
				Key   string  `json:"key"`
				Share float64 `json:"share"`
			} `json:"byCountry"`
		} `json:"origin"`
	}
	if err != nil || json.Unmarshal([]byte(out), &v) != nil || v.ID != "urn:critmin:demo:lot:REE-2025-001" || v.Origin == nil ||
		len(v.Origin.ByCountry) != 1 || v.Origin.ByCountry[0].Key != "PAK" || v.Origin.ByCountry[0].Share != 1 {
		t.Errorf("lot show json: %v\n%s", err, out)
	}
}

// TestBadFlagIsOneSentence (issue 15): an unknown flag or a bad flag
// value is one sentence naming the flag, with neither the flag
// package's own message nor the whole usage printed.
func TestBadFlagIsOneSentence(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"events", "--limit=-1"}, "events has no flag --limit"},
		{[]string{"risk", "corridor", "--frob"}, "risk corridor has no flag --frob"},
		{[]string{"risk", "corridor", "--year=abc"}, `--year: "abc" is not a whole number`},
	} {
		out, errOut, err := run(t, nil, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v; want %q", c.args, err, c.want)
		}
		if strings.Contains(out+errOut, "flag provided but not defined") || strings.Contains(out+errOut, "Usage:") || strings.Contains(out+errOut, "invalid value") {
			t.Errorf("%v printed the flag package's output:\n%s%s", c.args, out, errOut)
		}
	}
}
