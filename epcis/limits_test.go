package epcis_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

func oneEvent(extra string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
  "creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z",
  "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", ` + extra + `}]}}`
}

// decodeErr parses a document and decodes its first event, returning the
// first field at fault ("" when valid).
func decodeErr(t *testing.T, body string) string {
	t.Helper()
	doc, err := epcis.ParseDocument([]byte(body), false)
	if err != nil {
		if f := critmin.ErrorFields(err); len(f) > 0 {
			return f[0].Pointer + ": " + f[0].Reason
		}
		t.Fatalf("%v", err)
	}
	if _, e := doc.Decode(0, time.Now()); e != nil {
		return e.Fields[0].Pointer + ": " + e.Fields[0].Reason
	}
	return ""
}

func TestNumberLimits(t *testing.T) {
	for extra, want := range map[string]string{
		`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": 1.7e308, "uom": "KGM"}]`: "/epcisBody/eventList/0/quantityList/0/quantity: 1.7e308 KGM is over the mass limit of 1,000,000,000,000 kg",
		`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": 1e309, "uom": "KGM"}]`:   "/epcisBody/eventList/0/quantityList/0/quantity: 1e309 is not a finite number",
		`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": 1e12, "uom": "KGM"}]`:    "",
		// One mass limit whatever the unit (issue 15, W5): 10^12 kg. 1e12
		// TNE is 1e12 × 1,000 kg = 1e15 kg, over (it was stored); 1e9 TNE
		// is 1e12 kg, at the limit; 1.1e12 KGM is over; a count (EA) keeps
		// the 1e12 bound in its own unit.
		`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": 1e12, "uom": "TNE"}]`:                                            "/epcisBody/eventList/0/quantityList/0/quantity: 1e12 TNE is 1,000,000,000,000,000 kg, over the mass limit of 1,000,000,000,000 kg (1,000,000,000 t)",
		`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": 1e9, "uom": "TNE"}]`:                                             "",
		`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": 1.1e12, "uom": "KGM"}]`:                                          "/epcisBody/eventList/0/quantityList/0/quantity: 1.1e12 KGM is 1,100,000,000,000 kg, over the mass limit",
		`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": 1e12, "uom": "EA"}]`:                                             "",
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 1e999, "uom": "CEL"}]}]`:                         "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/value: 1e999 is not a finite number",
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "maxValue": -1e999, "uom": "CEL"}]}]`:                     "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/maxValue: -1e999 is not a finite number",
		`"epcList": ["urn:x:e"], "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": -40.5, "uom": "CEL"}]}]`: "",
		// A standard deviation must be > 0 and a percentile rank in [0, 100].
		`"sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 5, "uom": "TNE", "sDev": 0}]}]`:                           "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/sDev: sDev must be > 0",
		`"sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 5, "uom": "TNE", "sDev": -0.1}]}]`:                        "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/sDev: sDev must be > 0",
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 5, "uom": "CEL", "percRank": 101}]}]`:              "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/percRank: percRank is a percentile rank",
		`"epcList": ["urn:x:e"], "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 5, "uom": "TNE", "sDev": 0.1}]}]`: "",
		// Every sensor value within ±10^12 in its unit (epcis.MaxSensorValue,
		// issue 8 §5, fixIi): 1e308 is finite but no reading; 1e12 is at
		// the limit, 1.000001e12 over it.
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 1e308, "uom": "CEL"}]}]`:                                           "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/value: 1e308 is beyond the limit of ±1,000,000,000,000 for a sensor value",
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 5, "sDev": 1e308, "uom": "CEL"}]}]`:                                "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/sDev: 1e308 is beyond the limit",
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "minValue": -1e13, "uom": "CEL"}]}]`:                                        "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/minValue: -1e13 is beyond the limit",
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "maxValue": 1000000000001, "uom": "CEL"}]}]`:                                "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/maxValue: 1,000,000,000,001 is beyond the limit",
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "meanValue": 1e300, "uom": "CEL"}]}]`:                                       "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/meanValue: 1e300 is beyond the limit",
		`"sensorElementList": [{"sensorReport": [{"type": "Temperature", "percRank": 50, "percValue": -1e308, "uom": "CEL"}]}]`:                      "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/percValue: -1e308 is beyond the limit",
		`"epcList": ["urn:x:e"], "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 1e12, "minValue": -1e12, "uom": "CEL"}]}]`: "",
	} {
		got := decodeErr(t, oneEvent(extra))
		if (want == "") != (got == "") || !strings.HasPrefix(got, want) {
			t.Errorf("%s:\n got %q\nwant %q…", extra, got, want)
		}
	}
}

func TestLengthLimitFields(t *testing.T) {
	id := "urn:x:" + strings.Repeat("a", epcis.MaxIdentifierBytes-6)
	name := "urn:x:" + strings.Repeat("b", epcis.MaxNameBytes-6)
	for extra, want := range map[string]string{
		`"epcList": ["` + id + `"], "eventID": "` + name + `"`:                    "",
		`"epcList": ["` + id + `a"]`:                                              "/epcisBody/eventList/0/epcList/0: is 1,025 bytes long; the limit is 1,024 bytes",
		`"eventID": "` + name + `b"`:                                              "/epcisBody/eventList/0/eventID: is 257 bytes long; the limit is 256 bytes",
		`"readPoint": {"id": "` + id + `a"}`:                                      "/epcisBody/eventList/0/readPoint/id: is 1,025 bytes long",
		`"sourceList": [{"type": "` + name + `b", "source": "urn:x:p"}]`:          "/epcisBody/eventList/0/sourceList/0/type: is 257 bytes long",
		`"bizTransactionList": [{"type": "po", "bizTransaction": "` + id + `a"}]`: "/epcisBody/eventList/0/bizTransactionList/0/bizTransaction: is 1,025 bytes long",
		`"quantityList": [{"epcClass": "` + id + `a"}]`:                           "/epcisBody/eventList/0/quantityList/0/epcClass: is 1,025 bytes long",
		`"epcList": ["urn:x:\u0000"]`:                                             "/epcisBody/eventList/0/epcList/0: contains a NUL character",
		`"epcList": ["urn:x:a"], "ex:\u0000": 1`:                                  "/epcisBody/eventList/0/ex:\x00: field name contains a NUL",
		`"epcList": ["urn:x:\udfff"]`:                                             ": body escapes a lone UTF-16 surrogate",
		"\"epcList\": [\"urn:x:\xc3\"]":                                           ": body is not valid UTF-8",
	} {
		got := decodeErr(t, oneEvent(extra))
		if (want == "") != (got == "") || !strings.HasPrefix(got, want) {
			t.Errorf("%.80s:\n got %q\nwant %q…", extra, got, want)
		}
	}
}

func TestQueryRefusesBadText(t *testing.T) {
	for _, q := range []url.Values{
		{"MATCH_epc": {"urn:x:\xff"}}, {"EQ_bizLocation": {"urn:x:\x00"}}, {"EQ_quantity": {"NaN"}}, {"GT_quantity": {"1e999"}}, {"LT_quantity": {"Inf"}},
	} {
		if _, err := epcis.ParseQuery(q); critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%q: %v, want EINVALID", q, err)
		}
	}
}

// TestNestedNumbersFinite: a number out of float64's range anywhere in an
// event — a nested ILMD or extension value, a sensor report's own
// extension — is refused naming its JSON pointer (nu8f item 5), once
// even where a specific check also reads it; 1.5e308 nested is finite
// and kept.
func TestNestedNumbersFinite(t *testing.T) {
	for extra, want := range map[string]string{
		`"epcList": ["urn:x:e"], "ilmd": {"https://ns.x.org/extra": {"https://ns.x.org/v": 1e400}}`:                                                           "/epcisBody/eventList/0/ilmd/https:~1~1ns.x.org~1extra/https:~1~1ns.x.org~1v: 1e400 is not a finite number",
		`"epcList": ["urn:x:e"], "https://ns.x.org/ext": [{"https://ns.x.org/v": [1, -1e999]}]`:                                                               "/epcisBody/eventList/0/https:~1~1ns.x.org~1ext/0/https:~1~1ns.x.org~1v/1: -1e999 is not a finite number",
		`"epcList": ["urn:x:e"], "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 5, "uom": "CEL", "https://ns.x.org/raw": 1e309}]}]`: "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/https:~1~1ns.x.org~1raw: 1e309 is not a finite number",
		`"epcList": ["urn:x:e"], "ilmd": {"https://ns.x.org/extra": {"https://ns.x.org/v": 1.5e308}}`:                                                         "",
	} {
		body := oneEvent(extra)
		if strings.Contains(extra, "ilmd") {
			body = strings.Replace(body, "OBSERVE", "ADD", 1) // ILMD comes with ADD
		}
		got := decodeErr(t, body)
		if (want == "") != (got == "") || !strings.HasPrefix(got, want) {
			t.Errorf("%s:\n got %q\nwant %q…", extra, got, want)
		}
	}
	// The quantity's own check names it; the walk does not add a second.
	doc, err := epcis.ParseDocument([]byte(oneEvent(`"quantityList": [{"epcClass": "urn:x:lot:1", "quantity": 1e309, "uom": "KGM"}]`)), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, e := doc.Decode(0, time.Now()); e == nil || len(e.Fields) != 1 {
		t.Errorf("quantity 1e309: %v; want one field error", e)
	}
}

// A streamed event (capture's path: StreamDocument, then DecodeRaw) with
// a NUL in a value or a member name is refused at that place, and one
// whose text merely spells a backslash before u0000 (an escaped
// backslash, no NUL) is accepted: the NUL walk is skipped only for text
// that cannot hold one (perf11x).
func TestStreamedEventNUL(t *testing.T) {
	for extra, want := range map[string]string{
		`"epcList": ["urn:x:\u0000"]`:                                    "/epcisBody/eventList/0/epcList/0: contains a NUL character",
		`"epcList": ["urn:x:a"], "ex:\u0000": 1`:                         "/epcisBody/eventList/0/ex:\x00: field name contains a NUL",
		`"epcList": ["urn:x:a"], "https://example.org/note": "a\\u0000"`: "",
		`"epcList": ["urn:x:a"]`:                                         "",
	} {
		got := ""
		_, err := epcis.StreamDocument(strings.NewReader(oneEvent(extra)), func(d *epcis.Document, e epcis.StreamEvent) error {
			if _, verr := d.DecodeRaw(e, time.Now()); verr != nil {
				got = verr.Fields[0].Pointer + ": " + verr.Fields[0].Reason
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", extra, err)
		}
		if (want == "") != (got == "") || !strings.HasPrefix(got, want) {
			t.Errorf("%.80s:\n got %q\nwant %q…", extra, got, want)
		}
	}
}
