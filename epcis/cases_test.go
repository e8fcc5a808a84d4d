package epcis

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

func decodeCase(t *testing.T, name string) (*Document, error) {
	t.Helper()
	b, err := os.ReadFile("../testdata/cases/" + name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDocument(b, false)
	if err != nil {
		return nil, err
	}
	if _, e := d.Decode(0, time.Now()); e != nil {
		return d, e
	}
	return d, errors.New("accepted")
}

// Case 14 (testdata/cases/14-validation-reports-all-errors.expect.md): three
// independent schema violations of one event, each reported at its own
// pointer with a reason naming the field, none other.
func TestCase14AllErrorsAtOnce(t *testing.T) {
	_, err := decodeCase(t, "14-validation-reports-all-errors.jsonld")
	var e *critmin.Error
	if !errors.As(err, &e) {
		t.Fatalf("case 14: %v", err)
	}
	fields := e.Fields
	want := map[string][]string{
		"/epcisBody/eventList/0/certificationInfo":           {"certificationInfo", "not valid uri"},
		"/epcisBody/eventList/0/persistentDisposition/set/1": {"persistentDisposition.set[1]", "made_up_value", "must be one of"},
		"/epcisBody/eventList/0/sensorElementList/0/type":    {"sensorElementList[0].type", `field "type" is not allowed`, "sensorReport"},
	}
	if len(fields) != len(want) {
		t.Errorf("%d errors, want %d: %v", len(fields), len(want), e.Error())
	}
	for _, f := range fields {
		parts, ok := want[f.Pointer]
		if !ok {
			t.Errorf("unexpected error %s: %s", f.Pointer, f.Reason)
			continue
		}
		for _, p := range parts {
			if !strings.Contains(f.Reason, p) {
				t.Errorf("%s: reason %q lacks %q", f.Pointer, f.Reason, p)
			}
		}
		// The misleading alternative of certificationInfo's anyOf (an
		// array of URIs) is not what is wrong with a string.
		if strings.Contains(f.Reason, "want array") {
			t.Errorf("%s: reason %q blames the type", f.Pointer, f.Reason)
		}
		delete(want, f.Pointer)
	}
	for p := range want {
		t.Errorf("no error at %s", p)
	}
}

// Rule errors and schema errors of one event are reported together: a bad
// eventTimeZoneOffset (a rule) beside case 14's schema violations.
func TestRuleAndSchemaErrorsTogether(t *testing.T) {
	b, err := os.ReadFile("../testdata/cases/14-validation-reports-all-errors.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), `"eventTimeZoneOffset": "+00:00"`, `"eventTimeZoneOffset": "+25:00"`, 1))
	d, err := ParseDocument(b, false)
	if err != nil {
		t.Fatal(err)
	}
	_, e := d.Decode(0, time.Now())
	if e == nil {
		t.Fatal("accepted")
	}
	got := map[string]bool{}
	for _, f := range e.Fields {
		got[f.Pointer] = true
	}
	for _, p := range []string{"eventTimeZoneOffset", "certificationInfo", "persistentDisposition/set/1", "sensorElementList/0/type"} {
		if !got["/epcisBody/eventList/0/"+p] {
			t.Errorf("no error at %s: %v", p, e.Fields)
		}
	}
	// The rule's problem is reported once, not again by the schema.
	n := 0
	for _, f := range e.Fields {
		if strings.HasSuffix(f.Pointer, "/eventTimeZoneOffset") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("eventTimeZoneOffset reported %d times: %v", n, e.Fields)
	}
}

// Case 04 (testdata/cases/04-nested-ilmd-bare-children.expect.md): an ILMD
// element whose children have bare names is accepted, its children kept;
// a bare name at the top of ilmd is still refused.
func TestCase04NestedILMD(t *testing.T) {
	b, err := os.ReadFile("../testdata/cases/04-nested-ilmd-bare-children.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDocument(b, false)
	if err != nil {
		t.Fatal(err)
	}
	ev, e := d.Decode(0, time.Now())
	if e != nil {
		t.Fatalf("case 04 refused: %v", e)
	}
	assay, ok := ev.ILMDTree["https://ns.example.com/epcis/assay"].(map[string]any)
	if !ok || assay["grade"] != "1.2" || assay["method"] != "XRF" {
		t.Errorf("ILMD tree %v", ev.ILMDTree)
	}
	bad := strings.Replace(string(b), `"ex:assay"`, `"assay"`, 1)
	d, err = ParseDocument([]byte(bad), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, e := d.Decode(0, time.Now()); e == nil || !strings.Contains(e.Error(), "ilmd/assay") {
		t.Errorf("bare top-level ILMD name: %v", e)
	}
}
