package cli

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestNumericFlagErrorsSayWhy (issue 14, fix14q item 6): a bad value of an
// integer, float, duration or boolean flag was `--cycles: "x" is not a
// valid value` (naming the flag but not why), its range error "(value out
// of range)". Each is now one sentence naming the flag and the reason by
// the flag's type, through parse, which every command uses.
func TestNumericFlagErrorsSayWhy(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "soak", "--cycles", "x"}, `--cycles: "x" is not a whole number`},
		// 10^20 - 1 > 2^63 - 1 = 9223372036854775807.
		{[]string{"bench", "soak", "--cycles", "99999999999999999999"}, `--cycles: "99999999999999999999" is too large: at most 9,223,372,036,854,775,807`},
		{[]string{"bench", "soak", "--cycles", "-99999999999999999999"}, `is too small: at least -9,223,372,036,854,775,808`},
		{[]string{"bench", "soak", "--seed", "-1"}, `--seed: "-1" is below 0`},
		{[]string{"bench", "soak", "--min-up", "5"}, `--min-up: "5" is not a duration: give a number with its unit, such as 30s`},
		{[]string{"bench", "plan", "--gap", "half"}, `--gap: "half" is not a number`},
		{[]string{"bench", "plan", "--skip-large=maybe"}, `--skip-large: "maybe" is not true or false`},
		{[]string{"risk", "corridor", "--year", "2024.5"}, `--year: "2024.5" is not a whole number`},
	} {
		env := &Env{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(string) string { return "" }, Executable: "/nonexistent/critmin"}
		err := Run(context.Background(), env, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "not a valid value") {
			t.Errorf("%v: %v; want %q", c.args, err, c.want)
		}
	}
}

// TestBenchFlagErrorsInWords (issue 14, fix14q item 5): soak's duration
// errors printed Go durations ("--max-up 1m0s is shorter than --min-up
// 2m0s"), and bench plan and load named every flag at once ("--runs and
// --scenarios must be positive, …"). Each names the one flag at fault with
// its value in human units.
func TestBenchFlagErrorsInWords(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "soak", "--min-up", "2s", "--max-up", "1s"}, "--min-up 2 s is above --max-up 1 s"},
		{[]string{"bench", "soak", "--min-up", "2m", "--max-up", "60s"}, "--min-up 2 min is above --max-up 1 min"},
		{[]string{"bench", "soak", "--min-up", "-1500ms"}, "--min-up -1.5 s: give a duration above 0"},
		{[]string{"bench", "plan", "--time-limit", "-90s"}, "--time-limit -90 s: give a duration above 0"},
		{[]string{"bench", "plan", "--runs", "0"}, "--runs 0: give 1 or more"},
		{[]string{"bench", "plan", "--gap", "1"}, "--gap 1: give a relative gap"},
		{[]string{"bench", "load", "--duration", "0s"}, "--duration 0 s: give a duration above 0"},
		{[]string{"bench", "load", "--think", "-500ms"}, "--think -500 ms: give a pause of 0 s or more"},
		{[]string{"bench", "load", "--clients", "0"}, "--clients 0: give 1 or more"},
		{[]string{"plan", "demo", "--time-limit", "-1h"}, "--time-limit -1 h: give a duration above 0"},
	} {
		env := &Env{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(string) string { return "" }, Executable: "/nonexistent/critmin"}
		err := Run(context.Background(), env, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "m0s") {
			t.Errorf("%v: %v; want %q", c.args, err, c.want)
		}
	}
	// durationWords: the largest whole unit, else seconds with decimals.
	for d, want := range map[time.Duration]string{0: "0 s", time.Second: "1 s", time.Minute: "1 min", 90 * time.Second: "90 s",
		2 * time.Hour: "2 h", 250 * time.Millisecond: "250 ms", 1500 * time.Millisecond: "1.5 s"} {
		if got := durationWords(d); got != want {
			t.Errorf("durationWords(%v) = %q, want %q", d, got, want)
		}
	}
}
