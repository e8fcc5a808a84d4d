package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestCaptureXMLFiles: critmin capture reads EPCIS 2.0 and 1.2 XML files
// (recognised by their first character), stores their events, and names
// the element of an invalid one.
func TestCaptureXMLFiles(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "c.db")}
	files := []string{"../testdata/epcis/xml/XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml", "../testdata/epcis/xml/XSL/1.2/XML/TransformationEvent.xml"}
	out, _, err := run(t, env, append([]string{"capture"}, files...)...)
	if err != nil || !strings.Contains(out, "stored 2") || !strings.Contains(out, "stored 1") {
		t.Fatalf("capture XML: %v\n%s", err, out)
	}
	out, _, err = run(t, env, "events", "eventType=TransformationEvent")
	if err != nil || !strings.Contains(out, "TransformationEvent") {
		t.Errorf("events: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.xml")
	doc := "\xef\xbb\xbf  <epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" creationDate=\"2025-01-01T00:00:00Z\"><EPCISBody><EventList>" +
		"<ObjectEvent><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>ADD</action></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"
	if err := os.WriteFile(bad, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, env, "capture", bad)
	if err == nil || !strings.Contains(cli.Describe(err), "/EPCISDocument/EPCISBody/EventList/ObjectEvent/eventTime") {
		t.Errorf("bad XML capture: %v", cli.Describe(err))
	}
}
