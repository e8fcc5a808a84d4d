package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// dlSpellingDoc is one event naming lot LOT-A of GTIN 09521234543213
// (check digit: 0·3+9+5·3+2+1·3+2+3·3+4+5·3+4+3·3+2+1·3 = 77 → 3) as epc
// class, and serial S-1 of the same GTIN as epc, each spelt as given.
func dlSpellingDoc(n, class, epc string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000000dl00` + n + `", "eventTime": "2025-03-0` + n + `T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "epcList": ["` + epc + `"], "quantityList": [{"epcClass": "` + class + `", "quantity": 5, "uom": "KGM"}]}]}}`
}

// testDigitalLinkSpellingsOneLot: one batch spelt three ways — the Digital
// Link, the same with a percent-encoded unreserved letter (%41 is "A",
// RFC 3986 §6.2.2.2) and the LGTIN URN — is one lot whose three events
// count together (3 events; each OBSERVE states the lot's 5 KGM, so the
// lot holds 5 KGM, not 15 as three lots of 5 would add up to), found by every spelling, and
// every query by any spelling finds all three events; runs consuming it
// in two spellings are its two children. Spellings the
// standard does not allow — qualifiers out of their order, a qualifier on
// a key that takes none, a character that must be percent-encoded, an
// upper-case EPC scheme — are refused at capture naming the field and the
// rule, and nothing is stored.
func testDigitalLinkSpellingsOneLot(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const lot = "https://id.gs1.org/01/09521234543213/10/LOT-A"
	spellings := []struct{ class, epc string }{
		{lot, "https://id.gs1.org/01/09521234543213/21/S-1"},
		{"https://id.gs1.org/01/09521234543213/10/LOT-%41", "https://id.gs1.org/01/09521234543213/21/%53-1"},
		{"urn:epc:class:lgtin:9521234.054321.LOT-A", "URN:EPC:id:sgtin:9521234.054321.S-1"},
	}
	for i, sp := range spellings {
		MustCapture(t, svc, dlSpellingDoc(string(rune('1'+i)), sp.class, sp.epc))
	}
	lots, total, err := s.FindLots(ctx, critmin.LotFilter{Limit: 10})
	if err != nil || total != 1 || len(lots) != 1 || lots[0].ID != lot {
		t.Fatalf("lots: %v, total %d, %v; want the one lot %s", err, total, lots, lot)
	}
	for _, sp := range spellings {
		l, err := s.FindLot(ctx, sp.class)
		if err != nil || l.ID != lot || l.EventCount != 3 || l.Quantity != 5 {
			t.Errorf("lot %s: %v %+v; want %s with 3 events, 5 KGM", sp.class, err, l, lot)
		}
		for _, q := range []string{"MATCH_epcClass=" + urlq(sp.class), "MATCH_epc=" + urlq(sp.epc), "MATCH_anyEPC=" + urlq(sp.epc)} {
			if got := query(t, s, q); len(got) != 3 {
				t.Errorf("%s: %v; want the 3 events", q, got)
			}
		}
	}
	// Genealogy: a run that consumes the batch in its %41 spelling and one
	// that consumes it as the LGTIN URN both link to the one lot.
	for i, in := range []string{"https://id.gs1.org/01/09521234543213/10/LOT-%41", "urn:epc:class:lgtin:9521234.054321.LOT-A"} {
		n := string(rune('4' + i))
		MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [{"type": "TransformationEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000000dl00`+n+`", "eventTime": "2025-03-0`+n+`T10:00:00Z", "eventTimeZoneOffset": "+00:00",
   "inputQuantityList": [{"epcClass": "`+in+`", "quantity": 1, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:out-`+n+`", "quantity": 1, "uom": "KGM"}]}]}}`)
		out, err := s.FindLot(ctx, "urn:t:lot:out-"+n)
		if err != nil {
			t.Fatalf("run consuming %s: %v", in, err)
		}
		if len(out.Parents) != 1 || out.Parents[0] != lot {
			t.Errorf("run consuming %s: parents %v; want %s", in, out.Parents, lot)
		}
	}
	if l, err := s.FindLot(ctx, lot); err != nil || len(l.Children) != 2 {
		t.Errorf("lot %s: %v %+v; want the two runs' outputs as children", lot, err, l)
	}
	for _, c := range []struct{ field, class, epc, want string }{
		{"epcList/0", lot, "https://id.gs1.org/01/09521234543213/21/S-1/10/LOT-A", "comes after AI 21"},
		{"epcList/0", lot, "https://id.gs1.org/8004/0952123ABC/21/S-1", "takes no key qualifier"},
		{"quantityList/0/epcClass", "https://id.gs1.org/01/09521234543213/10/L&T", "https://id.gs1.org/01/09521234543213/21/S-1", "percent-encoded as %26"},
		{"epcList/0", lot, "urn:epc:id:SGTIN:9521234.054321.S-1", "lower case"},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(dlSpellingDoc("9", c.class, c.epc))})
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: %v; want EINVALID", c.want, err)
			continue
		}
		found := false
		for _, f := range critmin.ErrorFields(err) {
			if strings.HasSuffix(f.Pointer, c.field) && strings.Contains(f.Reason, c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: fields %+v; want %s named with %q", c.want, critmin.ErrorFields(err), c.field, c.want)
		}
	}
	if n, _ := s.CountEvents(ctx); n != 5 {
		t.Errorf("%d events stored; the refused captures stored something", n)
	}
}

func urlq(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "#", "%23").Replace(s)
}
