package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/bench"
)

// TestProgressOnStderrOnly: the long commands print progress on stderr
// with --progress (stderr here is not a terminal, so without the flag
// they print none), and their stdout is the same either way: TSV lines
// for capture, one JSON document for verify --format json.
func TestProgressOnStderrOnly(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "events.json")
	if err := os.WriteFile(file, bench.NewGenerator(7).Document(2500), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "a.db")
	tsv := regexp.MustCompile(`^\S+\tcapture cap-[0-9a-f]+\tstored \d+\tduplicates \d+\terrors 0$`)

	// 2,500 events in batches of 1,000: three jobs, progress at 40 %,
	// 80 % and 100 % of the file (1,000, 2,000, 2,500 of 2,500).
	out, errOut, err := run(t, nil, "capture", "--db", db, "--batch", "1000", "--progress", file)
	if err != nil {
		t.Fatalf("capture: %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("stdout has %d lines; want one per job:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if !tsv.MatchString(l) {
			t.Errorf("stdout line is not the job's TSV: %q", l)
		}
	}
	for _, want := range []string{file + " 0 of 2,500 (0 %)", file + " 1,000 of 2,500 (40 %)", file + " 2,000 of 2,500 (80 %)", file + " 2,500 of 2,500 (100 %)"} {
		if !strings.Contains(errOut, "capture: "+want+"\n") {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	// One document in one job: its validation and storing, in tenths.
	db2 := filepath.Join(dir, "b.db")
	out2, errOut, err := run(t, nil, "capture", "--db", db2, "--batch", "10000", "--progress", file)
	if err != nil || !tsv.MatchString(strings.TrimSpace(out2)) {
		t.Fatalf("capture in one job: %v\n%s", err, out2)
	}
	// A document is read as a stream in batches: its validation is
	// reported as a count (the total is known at its end), then the
	// commit of all its events.
	for _, want := range []string{`validate 1,000`, `stored 2,500 of 2,500 \(100 %\)`} {
		if !regexp.MustCompile("(?m)^capture: " + want + "$").MatchString(errOut) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	// Without --progress (and stderr not a terminal): nothing on stderr.
	db3 := filepath.Join(dir, "c.db")
	out3, errOut, err := run(t, nil, "capture", "--db", db3, "--batch", "1000", file)
	if err != nil || errOut != "" || len(strings.Split(strings.TrimSpace(out3), "\n")) != 3 {
		t.Errorf("quiet capture: %v, stderr %q, stdout\n%s", err, errOut, out3)
	}

	// verify: the chain and the rebuild on stderr, the report on stdout.
	out, errOut, err = run(t, nil, "verify", "--db", db, "--format", "json", "--progress")
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, errOut)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Errorf("verify --format json --progress: stdout is not JSON: %v\n%s", err, out)
	}
	if !strings.Contains(errOut, "verify: chain ") || !regexp.MustCompile(`verify: chain and rebuild \S+ of \S+ \(100 %\)\n`).MatchString(errOut) {
		t.Errorf("verify progress:\n%s", errOut)
	}
	if _, errOut, _ = run(t, nil, "verify", "--db", db); errOut != "" {
		t.Errorf("quiet verify wrote to stderr: %q", errOut)
	}

	// backup and restore: their steps on stderr; restore's verify too.
	bak := filepath.Join(dir, "a.bak")
	out, errOut, err = run(t, nil, "backup", "--db", db, "--progress", bak)
	if err != nil || out != "backup written to "+bak+"\n" || !strings.Contains(errOut, "backup: writing "+bak) || !strings.Contains(errOut, "backup: wrote ") {
		t.Errorf("backup: %v\nstdout %q\nstderr %q", err, out, errOut)
	}
	out, errOut, err = run(t, nil, "restore", "--db", filepath.Join(dir, "r.db"), "--progress", bak)
	// The staging copy is verified before it is swapped in, so the verify
	// report comes first on stdout and "restored" last.
	if err != nil || !strings.HasPrefix(out, "ok: ") || !strings.HasSuffix(out, "restored "+bak+" into "+filepath.Join(dir, "r.db")+", a new database\n") || !strings.Contains(errOut, "restore: restoring ") || !strings.Contains(errOut, "verify: chain ") {
		t.Errorf("restore: %v\nstdout %q\nstderr %q", err, out, errOut)
	}

	// data import: its step on stderr, the outcome on stdout.
	csv := filepath.Join(dir, "reserves.csv")
	os.WriteFile(csv, []byte("commodity,country,iso3,quantity,unit,source\nantimony,China,CHN,650000,t Sb,MCS2027 test\n"), 0o644)
	out, errOut, err = run(t, nil, "data", "import", "--db", db, "--edition", "MCS2027", "--progress", csv)
	if err != nil || !strings.HasPrefix(out, "imported 1 rows") || !strings.Contains(errOut, "data import: read "+csv) {
		t.Errorf("data import: %v\nstdout %q\nstderr %q", err, out, errOut)
	}
}
