package cli

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestPgCommandKeepsPasswordOffArgv: the argv built for pg_dump and
// pg_restore never holds the password (visible to every local user in
// /proc/PID/cmdline); it travels in PGPASSWORD.
func TestPgCommandKeepsPasswordOffArgv(t *testing.T) {
	for _, dsn := range []string{
		"postgres://postgres:S3CRETPW@127.0.0.1:5432/nu14?sslmode=disable",
		"postgres://postgres@127.0.0.1:5432/nu14?password=S3CRETPW&sslmode=disable",
	} {
		for _, tool := range []string{"/usr/bin/pg_dump", "/usr/bin/pg_restore"} {
			cmd, err := pgCommand(context.Background(), tool, dsn, "--format=custom")
			if err != nil {
				t.Fatal(err)
			}
			argv := strings.Join(cmd.Args, " ")
			if strings.Contains(argv, "S3CRETPW") {
				t.Errorf("%s argv holds the password: %s", tool, argv)
			}
			if !strings.Contains(argv, "postgres@127.0.0.1:5432/nu14") || !strings.Contains(argv, "sslmode=disable") {
				t.Errorf("%s argv lost the user, host or options: %s", tool, argv)
			}
			n := 0
			for _, e := range cmd.Env {
				if strings.HasPrefix(e, "PGPASSWORD=") {
					n++
					if e != "PGPASSWORD=S3CRETPW" {
						t.Errorf("%s env %q", tool, e)
					}
				}
			}
			if n != 1 {
				t.Errorf("%s: %d PGPASSWORD entries, want 1", tool, n)
			}
		}
	}
	cmd, _ := pgCommand(context.Background(), "/usr/bin/pg_dump", "postgres://postgres@127.0.0.1/x")
	for _, e := range cmd.Env {
		if strings.HasPrefix(e, "PGPASSWORD=") && e != "PGPASSWORD="+envPGPassword() {
			t.Errorf("no password in the DSN, yet env %q", e)
		}
	}
}

func envPGPassword() string {
	for _, e := range os.Environ() {
		if v, ok := strings.CutPrefix(e, "PGPASSWORD="); ok {
			return v
		}
	}
	return ""
}

// TestSolveWorkerTakesDefaultSIGTERM: a solver worker leaves SIGTERM to
// its default action (exit at once) — it ignored SIGTERM for seconds
// while CBC solved on — and every other command shuts down gracefully.
func TestSolveWorkerTakesDefaultSIGTERM(t *testing.T) {
	for args, want := range map[string]bool{"solve --gap 0 m.mps": false, "serve": true, "": true, "plan demo": true} {
		if got := HandlesSignals(strings.Fields(args)); got != want {
			t.Errorf("HandlesSignals(%q) = %v; want %v", args, got, want)
		}
	}
}
