package storetest

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// testEmptyListsExplicit (new-user check 14f items 1–2): a filter built
// with an empty list says what it means. A MATCH_ with no roles matches
// any role — the shipments page looks a lot up that way; it built
// "role IN ()", which SQLite read as false and PostgreSQL refused as a
// syntax error. A bizTransaction type with no values matches nothing, on
// both backends, without an error. Lot ree-1 of the corridor document is
// in the quantity lists of events 1, 2 and 3 and the input list of run 4.
func testEmptyListsExplicit(t *testing.T, open Opener) {
	s := open(t)
	MustCapture(t, service(s), corridorDoc)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		f    critmin.EventFilter
		want []string
	}{
		{"any role", critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Patterns: []string{"urn:critmin:lot:ree-1"}, Exact: true}}}, []string{"1", "2", "3", "4"}},
		{"no bill of lading", critmin.EventFilter{BizTxns: map[string][]string{"bol": {}}}, nil},
		{"no EPC", critmin.EventFilter{EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}}}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.f.OrderBy, c.f.OrderAscending = "eventTime", true
			page, err := s.FindEvents(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(page.Events)
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got events %v, want %v", got, c.want)
			}
		})
	}
}

// testThousandValueQueries (new-user check 14f item 6): every list
// parameter takes up to epcis.MaxListValues (1,000) values on both
// backends. SQLite answered 500 to 498 or more EPC patterns ("Expression
// tree is too large", an OR per pattern form) and to some 600 WD_ values
// ("too many terms in compound SELECT"). Each query lists 999 values that
// match nothing and one that matches, so the answer is that one's events
// (the same as testQueryParameters and testMasterDataQueries give for it
// alone).
func testThousandValueQueries(t *testing.T, open Opener) {
	s := open(t)
	MustCapture(t, service(s), corridorDoc)
	ctx := context.Background()
	list := func(format, match string) string {
		vals := make([]string, 0, epcis.MaxListValues)
		for i := 0; i < epcis.MaxListValues-1; i++ {
			vals = append(vals, fmt.Sprintf(format, 200000+i))
		}
		return url.QueryEscape(strings.Join(append(vals, match), "|"))
	}
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"MATCH_epc idpat", "MATCH_epc=" + list("urn:epc:idpat:sgtin:0614141.%06d.*", "urn:epc:idpat:sgtin:0614141.107346.*"), []string{"5"}},
		{"MATCH_anyEPC idpat", "MATCH_anyEPC=" + list("urn:epc:idpat:sgtin:0614141.%06d.*", "urn:epc:idpat:sgtin:0614141.107346.*"), []string{"5"}},
		{"MATCH_anyEPCClass prefix", "MATCH_anyEPCClass=" + list("urn:critmin:lot:x%d-*", "urn:critmin:lot:ndpr-*"), []string{"4", "5"}},
		{"EQ_eventID", "EQ_eventID=" + list("urn:uuid:00000000-0000-4000-8000-%012d", "urn:uuid:00000000-0000-4000-8000-000000000003"), []string{"3"}},
		{"WD_bizLocation", "WD_bizLocation=" + list("urn:critmin:site:none-%d", "urn:critmin:site:refinery"), []string{"4", "5"}},
		{"WD_readPoint", "WD_readPoint=" + list("urn:critmin:site:none-%d", "urn:critmin:site:pkkhi"), []string{"2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := url.ParseQuery(c.query + "&orderBy=eventTime&orderDirection=ASC")
			if err != nil {
				t.Fatal(err)
			}
			f, err := epcis.ParseQueryWith(v, func() (map[string][]string, error) { return s.DeclaredPrefixes(ctx) })
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			page, err := s.FindEvents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(page.Events); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got events %v, want %v", got, c.want)
			}
		})
	}
}
