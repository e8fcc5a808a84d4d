package epcis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
)

// TestTimeZoneOffsetRangeNamed (issue 15, fix15zm item 3): an
// eventTimeZoneOffset outside -14:00 … +14:00 is refused at the field, and
// the reason states the range (the EPCIS 2.0 schema's pattern); the ends
// of the range pass. "+15:00" and "-14:30" are past an end; "+5:00" has
// one hour digit.
func TestTimeZoneOffsetRangeNamed(t *testing.T) {
	doc := func(tz string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "` + tz + `", "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"], "action": "OBSERVE"}]}}`
	}
	for _, tz := range []string{"+15:00", "-14:30", "+5:00"} {
		d, err := epcis.ParseDocument([]byte(doc(tz)), false)
		if err != nil {
			t.Fatalf("%s: %v", tz, err)
		}
		_, ferr := d.Decode(0, time.Now())
		found := false
		if ferr != nil {
			for _, f := range ferr.Fields {
				found = found || strings.HasSuffix(f.Pointer, "/eventTimeZoneOffset") && strings.Contains(f.Reason, "eventTimeZoneOffset \""+tz+"\"") && strings.Contains(f.Reason, "-14:00 to +14:00")
			}
		}
		if !found {
			t.Errorf("%s: %v; want a refusal at eventTimeZoneOffset stating the range -14:00 to +14:00", tz, ferr)
		}
	}
	for _, tz := range []string{"+14:00", "-14:00", "+05:45"} {
		d, err := epcis.ParseDocument([]byte(doc(tz)), false)
		if err != nil {
			t.Fatalf("%s: %v", tz, err)
		}
		if _, ferr := d.Decode(0, time.Now()); ferr != nil {
			t.Errorf("%s refused: %v", tz, ferr)
		}
	}
}
