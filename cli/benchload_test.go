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
