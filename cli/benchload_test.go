package cli_test

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/bench"
)

// TestBenchLoadSmall runs `critmin bench load` at a tiny size — 1,000
// events, 4 clients, 2 s — and checks that it runs and counts (never its
// timings): every kind is exercised, the per-kind counts add up to the
// total, no request failed, and the store reused by a second run holds
// the first run's events plus what its captures stored.
func TestBenchLoadSmall(t *testing.T) {
	db := filepath.Join(t.TempDir(), "load.db")
	first := runLoad(t, "--events", "1000", "--clients", "4", "--duration", "2s", "--db", db, "--capture-share", "0.3")
	if first["reused"] != "false" || first["store_events"] != "1000" {
		t.Errorf("first run: %v; want a built store of 1000 events", first)
	}
	second := runLoad(t, "--events", "1000", "--clients", "4", "--duration", "1s", "--db", db, "--capture-share", "0.3")
	stored := 1000 + atoi(t, first["captured_events"])
	if second["reused"] != "true" || atoi(t, second["store_events"]) != stored {
		t.Errorf("second run: %v; want the reused store of %d events", second, stored)
	}
}

var kv = regexp.MustCompile(`(\w+)=("[^"]*"|\S+)`)

func runLoad(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out, _, err := run(t, nil, append([]string{"bench", "load"}, args...)...)
	if err != nil {
		t.Fatalf("bench load: %v\n%s", err, out)
	}
	got := map[string]string{}
	sum := 0
	kinds := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := map[string]string{}
		for _, m := range kv.FindAllStringSubmatch(line, -1) {
			fields[m[1]] = m[2]
		}
		if k, ok := fields["kind"]; ok && fields["count"] != "" {
			kinds[k] = true
			sum += atoi(t, fields["count"])
			if fields["errors"] != "0" {
				t.Errorf("kind %s: %s errors\n%s", k, fields["errors"], out)
			}
			continue
		}
		for k, v := range fields {
			got[k] = v
		}
	}
	if got["errors"] != "0" || atoi(t, got["requests"]) == 0 || sum != atoi(t, got["requests"]) {
		t.Errorf("requests %s, errors %s, per-kind sum %d\n%s", got["requests"], got["errors"], sum, out)
	}
	for _, k := range bench.LoadKinds {
		if !kinds[k] {
			t.Errorf("kind %s never ran\n%s", k, out)
		}
	}
	if c := atoi(t, got["captured_events"]); c%bench.EventsPerLot != 0 {
		t.Errorf("captured %d events, not whole documents of %d", c, bench.EventsPerLot)
	}
	return got
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

// TestBenchLoadOpenLoop runs `critmin bench load --rate 20,40` at a tiny
// size and checks that both rates run on the one store built for the
// first (never their timings): each run's per-kind counts add up to its
// requests with no error, the second run reuses the store holding the
// first run's captures, and the summary names a rate or none.
func TestBenchLoadOpenLoop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "load.db")
	out, _, err := run(t, nil, "bench", "load", "--events", "1000", "--clients", "4", "--duration", "2s", "--db", db, "--capture-share", "0.3", "--rate", "20,40")
	if err != nil {
		t.Fatalf("bench load --rate: %v\n%s", err, out)
	}
	var runs []map[string]string
	sums := []int{}
	summary := ""
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := map[string]string{}
		for _, m := range kv.FindAllStringSubmatch(line, -1) {
			fields[m[1]] = m[2]
		}
		switch {
		case fields["rate"] != "":
			runs = append(runs, map[string]string{})
			sums = append(sums, 0)
		case fields["highest_rate_query_p99_under_50ms"] != "":
			summary = fields["highest_rate_query_p99_under_50ms"]
			continue
		}
		if len(runs) == 0 {
			t.Fatalf("output before the first rate= line: %q\n%s", line, out)
		}
		if fields["kind"] != "" && fields["count"] != "" {
			sums[len(sums)-1] += atoi(t, fields["count"])
			if fields["errors"] != "0" {
				t.Errorf("kind %s: %s errors\n%s", fields["kind"], fields["errors"], out)
			}
			continue
		}
		for k, v := range fields {
			runs[len(runs)-1][k] = v
		}
	}
	if len(runs) != 2 || runs[0]["rate"] != "20" || runs[1]["rate"] != "40" {
		t.Fatalf("runs %v, want rates 20 and 40\n%s", runs, out)
	}
	for i, r := range runs {
		if r["errors"] != "0" || atoi(t, r["requests"]) == 0 || sums[i] != atoi(t, r["requests"]) {
			t.Errorf("run %d: requests %s, errors %s, per-kind sum %d\n%s", i, r["requests"], r["errors"], sums[i], out)
		}
	}
	if runs[0]["reused"] != "false" || runs[1]["reused"] != "true" || atoi(t, runs[1]["store_events"]) != 1000+atoi(t, runs[0]["captured_events"]) {
		t.Errorf("second run %v: want the first run's store, 1000 + %s events", runs[1], runs[0]["captured_events"])
	}
	if summary != "20" && summary != "40" && summary != "none" {
		t.Errorf("summary %q, want 20, 40 or none\n%s", summary, out)
	}
	// --rate with --think, or a rate that is no positive number, is refused.
	for _, bad := range [][]string{{"--rate", "20", "--think", "1s"}, {"--rate", "0"}, {"--rate", "20,x"}} {
		if _, _, err := run(t, nil, append([]string{"bench", "load", "--events", "10", "--db", db}, bad...)...); err == nil || !strings.Contains(err.Error(), "--") {
			t.Errorf("bench load %v: %v, want a refusal naming the flag", bad, err)
		}
	}
}
