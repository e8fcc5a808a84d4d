package epcis_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
)

// examplesDir is the shared copy of the GS1 examples; tests that read it
// fail when it is missing rather than skip.
const examplesDir = "../testdata/epcis/examples"

// officialExamples lists every official example document except the query
// document, which is a response shape rather than a capture.
func officialExamples(tb testing.TB) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(examplesDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".jsonld") && filepath.Base(p) != "EPCISQueryDocument.jsonld" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("read examples: %v", err)
	}
	if len(files) < 30 {
		tb.Fatalf("found only %d example documents in %s", len(files), examplesDir)
	}
	return files
}

func TestOfficialExamplesDecode(t *testing.T) {
	for _, f := range officialExamples(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := epcis.ParseDocument(body, false)
			if filepath.Base(f) == "AssociationEvent-h.jsonld" {
				// GS1's example gives its event's eventID twice (a ni: hash,
				// then a urn:uuid); a repeated member name is refused (issue
				// 14), since which one counts is not defined (RFC 8259 §4).
				if err == nil || !strings.Contains(err.Error(), "/epcisBody/eventList/0/eventID") {
					t.Fatalf("repeated eventID: got %v, want a refusal at /epcisBody/eventList/0/eventID", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("document rejected: %v", err)
			}
			if len(doc.Events) == 0 {
				t.Fatal("no events")
			}
			for i := range doc.Events {
				ev, verr := doc.Decode(i, time.Now())
				if verr != nil {
					t.Fatalf("event %d rejected: %v", i, verr)
				}
				if ev.EventID == "" || ev.RecordTime.IsZero() {
					t.Errorf("event %d: eventID %q recordTime %v not assigned", i, ev.EventID, ev.RecordTime)
				}
			}
		})
	}
}
