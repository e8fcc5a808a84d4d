package storetest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// orderDocs hold events that differ in three extension fields of the
// namespace https://example.org/ord/: rank (numbers, as JSON numbers or as
// numeric text the way XML carries them, and one word), at (date-times
// with different offsets) and code (words differing in case). The second
// document binds that namespace to the prefix q, and one event spells the
// field as its full IRI: all are one field.
var orderDoc1 = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/ord/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-01T08:00:00Z",
  "epcisBody": {"eventList": [` +
	ordEvent(1, `"ex:rank": 10, "ex:at": "2025-01-01T06:00:00Z", "ex:code": "b"`) + `,` +
	ordEvent(2, `"ex:rank": 9.5, "ex:at": "2025-01-01T10:00:00+05:00", "ex:code": "B"`) + `,` +
	ordEvent(3, `"ex:other": 1`) + `,` +
	ordEvent(4, `"ex:rank": -2, "ex:at": "2025-01-01T05:00:00-02:00", "ex:code": "ab"`) + `]}}`

var orderDoc2 = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"q": "https://example.org/ord/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-02T08:00:00Z",
  "epcisBody": {"eventList": [` +
	ordEvent(5, `"q:rank": 100`) + `,` +
	ordEvent(6, `"q:other": 2`) + `,` +
	ordEvent(7, `"https://example.org/ord/rank": 50, "q:code": "a"`) + `,` +
	ordEvent(8, `"q:rank": "20"`) + `,` +
	ordEvent(9, `"q:rank": "high"`) + `]}}`

func ordEvent(n int, fields string) string {
	d := string(rune('0' + n))
	return `{"type": "ObjectEvent", "eventID": "urn:uuid:0d000000-0000-4000-8000-00000000000` + d + `", "eventTime": "2025-03-01T10:00:0` + d + `Z",
	  "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.` + d + `"], ` + fields + `}`
}

// testOrderByExtension: orderBy on an extension field (EPCIS 2.0
// §8.2.7.1), read page by page (perPage=2, following each page's cursor)
// in both directions, by CURIE and by full IRI. Expected orders, worked
// by hand from the documents above (events are captured in order 1…9, so
// store keys rise with the number):
//
//	rank ASC:  4 (-2), 2 (9.5), 1 (10), 8 ("20", numeric text), 7 (50),
//	           5 (100), 9 ("high": text after numbers), then 3, 6 (no
//	           rank: last, by store key)
//	rank DESC: 9, 5, 7, 8, 1, 2, 4, then 3, 6
//	at ASC:    2 (10:00+05:00 = 05:00Z), 1 (06:00Z), 4 (05:00-02:00 =
//	           07:00Z) — instants, not the text order 4, 1, 2 — then 3,
//	           5, 6, 7, 8, 9
//	code ASC:  2 ("B", 0x42), 7 ("a"), 4 ("ab"), 1 ("b") — byte order,
//	           case-sensitive — then 3, 5, 6, 8, 9
func testOrderByExtension(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, orderDoc1)
	MustCapture(t, svc, orderDoc2)
	ctx := context.Background()
	prefixes := func() (map[string][]string, error) { return s.DeclaredPrefixes(ctx) }
	for params, want := range map[string]string{
		"orderBy=ex:rank&orderDirection=ASC":                                          "4 2 1 8 7 5 9 3 6",
		"orderBy=q:rank&orderDirection=ASC":                                           "4 2 1 8 7 5 9 3 6",
		"orderBy=https://example.org/ord/rank&orderDirection=ASC":                     "4 2 1 8 7 5 9 3 6",
		"orderBy=ex:rank&orderDirection=DESC":                                         "9 5 7 8 1 2 4 3 6",
		"orderBy=ex:rank":                                                             "9 5 7 8 1 2 4 3 6", // DESC by default
		"orderBy=ex:at&orderDirection=ASC":                                            "2 1 4 3 5 6 7 8 9",
		"orderBy=ex:at&orderDirection=DESC":                                           "4 1 2 3 5 6 7 8 9",
		"orderBy=ex:code&orderDirection=ASC":                                          "2 7 4 1 3 5 6 8 9",
		"orderBy=ex:rank&orderDirection=ASC&GE_ex:rank=10":                            "1 8 7 5",
		"orderBy=ex:rank&orderDirection=DESC&EQ_action=OBSERVE&eventType=ObjectEvent": "9 5 7 8 1 2 4 3 6",
	} {
		for _, per := range []string{"2", "4", "30"} {
			q, err := url.ParseQuery(params + "&perPage=" + per)
			if err != nil {
				t.Fatal(err)
			}
			f, err := epcis.ParseQueryWith(q, prefixes)
			if err != nil {
				t.Fatalf("%s: %v", params, err)
			}
			var got []string
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatalf("%s perPage=%s: no end of pages", params, per)
				}
				page, err := s.FindEvents(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", params, err)
				}
				for _, ev := range page.Events {
					got = append(got, ev.EventID[len(ev.EventID)-1:])
				}
				if page.Next == nil {
					break
				}
				f.After = page.Next
			}
			if g := strings.Join(got, " "); g != want {
				t.Errorf("%s perPage=%s: %s, want %s", params, per, g, want)
			}
		}
	}
	// A page token of another order is refused, not misread.
	f, _ := epcis.ParseQueryWith(url.Values{"orderBy": {"ex:rank"}}, prefixes)
	f.After = &critmin.PageCursor{Key: "1735711200000000", PK: 1}
	if _, err := s.FindEvents(ctx, f); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("recordTime cursor on an extension order: %v, want EINVALID", err)
	}
	// An unknown prefix is a 400 naming orderBy.
	_, err := epcis.ParseQueryWith(url.Values{"orderBy": {"zz:rank"}}, prefixes)
	if fe := critmin.ErrorFields(err); len(fe) != 1 || fe[0].Pointer != "orderBy" {
		t.Errorf("orderBy=zz:rank: %v", err)
	}
}
