package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Shared set-up of the `critmin massbalance` tests at site mb. It holds no
// figure of its own: each test states and checks its figures.

// mbDocCLIEvents is site mb's document (mbDocCLI's header and master
// data) holding events alone (none: master data only).
func mbDocCLIEvents(events ...string) string {
	head, _, _ := strings.Cut(mbDocCLI, `"eventList": [`)
	return head + `"eventList": [` + strings.Join(events, ",") + `]}}`
}

// mbCaptureCLI is one capture of mbStoreCLI: doc (an EPCIS document)
// captured with the clock at day of October 2025; what names it when the
// capture fails.
type mbCaptureCLI struct {
	what string
	day  int
	doc  string
}

// mbStoreCLI is the environment (CRITMIN_DB in a fresh folder) of a store
// where `critmin init`, the capture of master (site mb's master data) and
// `massbalance declare` of decl (JSON) at site mb ran at declaredOct20,
// then each capture in order.
func mbStoreCLI(t *testing.T, master, decl string, captures ...mbCaptureCLI) map[string]string {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "m.db")}
	write := func(name, body string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	masterFile, declFile := write("master.jsonld", master), write("decl.json", decl)
	for _, args := range [][]string{{"init"}, {"capture", masterFile}, {"massbalance", "declare", "--site", "urn:t:site:mb", "--file", declFile}} {
		if out, _, err := runAt(t, env, declaredOct20, args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	for i, c := range captures {
		f := write(fmt.Sprintf("capture%d.jsonld", i), c.doc)
		at := time.Date(2025, 10, c.day, 0, 0, 0, 0, time.UTC)
		if out, _, err := runAt(t, env, func() time.Time { return at }, "capture", f); err != nil {
			t.Fatalf("%s: %v %s", c.what, err, out)
		}
	}
	return env
}
