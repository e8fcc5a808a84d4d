package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/cli"
)

// badDocument writes n generated events with the events at bad given an
// eventTime that is not a time.
func badDocument(t *testing.T, file string, n int, bad ...int) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(bench.NewGenerator(7).Document(n), &doc); err != nil {
		t.Fatal(err)
	}
	list := doc["epcisBody"].(map[string]any)["eventList"].([]any)
	for _, i := range bad {
		list[i].(map[string]any)["eventTime"] = "not a time"
	}
	b, _ := json.Marshal(doc)
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func countEvents(t *testing.T, db string) int64 {
	t.Helper()
	store, err := cli.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n, err := store.CountEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCaptureFileAllOrNothing (issue 15, fix15zf; nu15g item 11): a CLI
// capture of a 1,500-event file whose event 1,200 is invalid stored the
// first batch of 1,000 events and refused the second with "nothing was
// stored (rollback)" and the pointer /epcisBody/eventList/200 (counted
// from the batch). A refused file leaves nothing: by default the file is
// one capture (one transaction); with --batch 1000 the whole file is
// checked before the first batch is stored. Either way 0 events are
// stored, and the pointer is 1200 (1,000 of the first batch + 200).
func TestCaptureFileAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "events.json")
	badDocument(t, file, 1500, 1200)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"whole", nil},
		{"batch 1000", []string{"--batch", "1000"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "")+".db")
			args := append(append([]string{"capture", "--db", db}, c.args...), file)
			out, errOut, err := run(t, nil, args...)
			if err == nil {
				t.Fatalf("capture of a file with an invalid event: no error\n%s", out)
			}
			if n := countEvents(t, db); n != 0 {
				t.Errorf("%d events stored after a refused file; want 0 (all or nothing)", n)
			}
			all := errOut + cli.Describe(err)
			if !strings.Contains(all, "/epcisBody/eventList/1200/eventTime") || strings.Contains(all, "/epcisBody/eventList/200/") {
				t.Errorf("pointer not counted from the file (want /epcisBody/eventList/1200):\nstderr %s\nerror %s", errOut, cli.Describe(err))
			}
		})
	}
}

// TestCaptureErrorsOnePerLine (issue 15, fix15zf; nu15g item 11): 10,000
// invalid events printed as one line of 88,001 characters. Each error is
// printed on a line of its own, the first 100 of 250 then "… and 150
// more errors" (250 − 100 = 150); --all-errors prints all 250; the
// returned error is a short summary.
func TestCaptureErrorsOnePerLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "events.json")
	bad := make([]int, 250)
	for i := range bad {
		bad[i] = i
	}
	badDocument(t, file, 250, bad...)
	lines := func(errOut string) int {
		n := 0
		for _, l := range strings.Split(errOut, "\n") {
			if strings.HasPrefix(l, file+": /epcisBody/eventList/") && strings.Contains(l, "/eventTime") {
				n++
			}
		}
		return n
	}
	_, errOut, err := run(t, nil, "capture", "--db", filepath.Join(dir, "a.db"), file)
	if err == nil {
		t.Fatal("no error")
	}
	if n := lines(errOut); n != 100 || !strings.Contains(errOut, "… and 150 more errors") {
		t.Errorf("%d error lines; want 100 then \"… and 150 more errors\":\n%.2000s", n, errOut)
	}
	if d := cli.Describe(err); len(d) > 400 {
		t.Errorf("the error is %d characters on one line; want a short summary: %.500s", len(d), d)
	}
	_, errOut, err = run(t, nil, "capture", "--db", filepath.Join(dir, "b.db"), "--all-errors", file)
	if err == nil {
		t.Fatal("no error")
	}
	if n := lines(errOut); n != 250 {
		t.Errorf("--all-errors: %d error lines; want 250", n)
	}
}

// TestCaptureProceedBatchPointers (issue 15, fix15zf; nu15g item 11):
// under proceed with --batch 1000 the second job's error for the file's
// event 1,200 was printed as /epcisBody/eventList/200 (its place in the
// job). It is printed counted from the file: 1,000 + 200 = 1200.
func TestCaptureProceedBatchPointers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "events.json")
	badDocument(t, file, 1500, 1200)
	_, errOut, err := run(t, nil, "capture", "--db", filepath.Join(dir, "p.db"), "--behaviour", "proceed", "--batch", "1000", file)
	if err == nil {
		t.Fatal("no error for a rejected event")
	}
	if !strings.Contains(errOut, file+": /epcisBody/eventList/1200/eventTime") || strings.Contains(errOut, "/epcisBody/eventList/200/") {
		t.Errorf("pointer not counted from the file (want /epcisBody/eventList/1200):\n%s", errOut)
	}
}

// TestCaptureURLBatchSaysWhatIsStored (issue 15, fix15zf; nu15g item
// 11): through --url a file cannot be checked whole before its first
// batch, so with --batch 1000 a server that stores the first batch (job
// cap-first) and refuses the second (the file's event 1,200, the
// batch's 200) leaves events 0–999 stored. The refusal says exactly
// that — "events 1,000–1,499 … none of them was stored; events 0–999
// were stored before, as cap-first" — with the pointer counted from the
// file (1,000 + 200 = 1200). Before, it read "capture FILE (events
// 1000–1499): … nothing was stored (rollback) … /eventList/200".
func TestCaptureURLBatchSaysWhatIsStored(t *testing.T) {
	calls := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, `{"captureID":"cap-first","success":true,"stored":1000}`)
			return
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"title":"invalid","status":400,"detail":"1 of 500 events are invalid; nothing was stored (rollback). First: /epcisBody/eventList/200/eventTime: bad","errors":[{"pointer":"/epcisBody/eventList/200/eventTime","reason":"bad"}]}`)
	}))
	defer ts.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "events.json")
	badDocument(t, file, 1500, 1200)
	_, errOut, err := run(t, nil, "capture", "--url", ts.URL, "--token", "t", "--batch", "1000", file)
	if err == nil {
		t.Fatal("no error")
	}
	d := cli.Describe(err)
	for _, want := range []string{"events 1,000–1,499 of " + file, "none of them was stored", "events 0–999 were stored before, as cap-first, and stay stored", "/epcisBody/eventList/1200/eventTime"} {
		if !strings.Contains(d, want) {
			t.Errorf("refusal lacks %q:\n%s", want, d)
		}
	}
	if !strings.Contains(errOut, file+": /epcisBody/eventList/1200/eventTime: bad\n") {
		t.Errorf("stderr lacks the error counted from the file:\n%s", errOut)
	}
}
