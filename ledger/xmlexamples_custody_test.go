package ledger_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

// TestOfficialXMLExamplesUnderServeChecks pins which official GS1 XML
// examples (testdata/epcis/xml) a server run as `critmin serve` runs its
// capture — with custody.CaptureClaimCheck — accepts into an empty store,
// as docs/epcis.md lists them: the six that are no valid capture document
// are refused for that; every other one is accepted, among them the eight
// whose receiving event names a lot no event recorded (GS1's examples
// show one event out of a supply chain): the receipt is the lot's first
// sighting, and the lot is then on record. (Until 2026-12-01 the custody
// rule refused those eight.)
func TestOfficialXMLExamplesUnderServeChecks(t *testing.T) {
	const lot77, lot76 = "https://id.gs1.org/01/04012345123456/10/998877", "https://id.gs1.org/01/04012345123456/10/998876"
	firstSightings := map[string]string{
		"XML/Mimasu/Example2.xml":                                              lot77,
		"XML/WithEventHashID/event_with_identical_hash_id_1.xml":               lot77,
		"XML/WithEventHashID/event_with_identical_hash_id_2.xml":               lot77,
		"XML/WithEventHashID/event_with_identical_hash_id_3.xml":               lot77,
		"XML/WithEventHashID/event_with_identical_hash_id_4.xml":               lot76,
		"XML/WithEventHashID/event_with_identical_hash_id_5.xml":               lot76,
		"XML/WithEventHashID/event_with_identical_hash_id_6.xml":               lot77,
		"XML/WithFullCombinationOfFields/object_event_all_possible_fields.xml": lot77,
	}
	notDocuments := map[string]bool{
		"XML/CaptureJob/Example-CaptureJobRunning.xml": true, "XML/CaptureJob/Example-CaptureJobSuccess.xml": true,
		"XML/CaptureJob/Example-CaptureJobWithErrorFile.xml": true, "XML/CaptureJob/Example-CaptureJobWithErrors.xml": true,
		"XSL/1.2/XML/ObjectEvent.xml": true, "XSL/1.2/XML/AssociationEvent.xml": true,
	}
	var files []string
	err := filepath.WalkDir("../testdata/epcis/xml", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 30 {
		t.Fatalf("official XML examples: %d found, err %v", len(files), err)
	}
	accepted := 0
	for _, f := range files {
		rel := strings.TrimPrefix(filepath.ToSlash(f), "../testdata/epcis/xml/")
		t.Run(rel, func(t *testing.T) {
			ctx := context.Background()
			store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			svc := ledger.NewService(store)
			svc.ClaimCheck = custody.CaptureClaimCheck(store) // as critmin serve runs it
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: body, XML: true})
			switch lot, first := firstSightings[rel]; {
			case first:
				if err != nil {
					t.Errorf("capture: %v; want accepted, the receipt the first sighting of lot %s", err, lot)
				}
				if _, err := store.FindLot(ctx, lot); err != nil {
					t.Errorf("lot %s after its first sighting: %v, want on record", lot, err)
				}
				accepted++
			case notDocuments[rel]:
				if critmin.ErrorCode(err) != critmin.EINVALID {
					t.Errorf("capture: %v; want refused", err)
				}
			default:
				if err != nil {
					t.Errorf("capture: %v; want accepted", err)
				}
				accepted++
			}
		})
	}
	if want := len(files) - len(notDocuments); accepted != want {
		t.Errorf("%d examples accepted, want %d", accepted, want)
	}
}
