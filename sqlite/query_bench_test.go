package sqlite_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// BenchmarkQueryFamilies measures the SimpleEventQuery over 10,000
// events: an indexed parameter, a document-evaluated one whose first page
// comes early (GT_ex:grade, half the events match), and a selective one
// that reads every candidate (EQ_ex:grade, one event matches).
//
//	go test -run '^$' -bench QueryFamilies ./sqlite
func BenchmarkQueryFamilies(b *testing.B) {
	s := MustOpen(b)
	svc := ledger.NewService(s)
	ctx := context.Background()
	const docs, per = 20, 500
	for d := range docs {
		var evs []string
		for i := range per {
			n := d*per + i
			step := "shipping"
			if n%2 == 1 {
				step = "receiving"
			}
			evs = append(evs, fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-%012d", "eventTime": "2025-06-01T10:00:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": %q, "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"], "ex:grade": %d}`, n, step, n, n))
		}
		doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/ns/"}], "type": "EPCISDocument",
 "schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			b.Fatal(err)
		}
	}
	prefixes := func() (map[string][]string, error) { return s.DeclaredPrefixes(ctx) }
	for _, q := range []string{"EQ_bizStep=shipping", "GT_ex:grade=5000", "EQ_ex:grade=7777"} {
		b.Run(q, func(b *testing.B) {
			v, _ := url.ParseQuery(q)
			for b.Loop() {
				f, err := epcis.ParseQueryWith(v, prefixes)
				if err != nil {
					b.Fatal(err)
				}
				page, err := s.FindEvents(ctx, f)
				if err != nil || len(page.Events) == 0 {
					b.Fatal(err, len(page.Events))
				}
			}
		})
	}
}
