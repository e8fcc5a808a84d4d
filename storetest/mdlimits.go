package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// random returns n bytes of incompressible text (hex of random bytes), so
// that PostgreSQL cannot compress an index row under its B-tree limit.
func random(tb testing.TB, n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)[:n]
}

// mdLimitsDoc has one master-data element (attribute name, attribute value,
// child) and one event declared in error with a reason, each indexed value
// of the given size.
func mdLimitsDoc(tb testing.TB, name, value, child, reason int) string {
	return fmt.Sprintf(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:t:site:md", "attributes": [{"id": "urn:t:%s", "attribute": "%s"}], "children": ["urn:t:%s"]}]}]}},
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:md", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "epcList": ["urn:t:epc:md"], "errorDeclaration": {"declarationTime": "2025-03-02T00:00:00Z", "reason": "urn:t:%s"}}]}}`,
		random(tb, name-len("urn:t:")), random(tb, value), random(tb, child-len("urn:t:")), random(tb, reason-len("urn:t:")))
}

// testMasterDataLimits: master-data attribute names, values and children,
// and errorDeclaration reasons, are indexed; at their documented limits
// (epcis.MaxNameBytes, epcis.MaxIdentifierBytes) they are stored on both
// backends, one byte over they are refused with EINVALID naming the field
// by JSON pointer with indexes — never PostgreSQL's "index row size" 500.
// The values are incompressible random text.
func testMasterDataLimits(t *testing.T, open Opener) {
	ctx := context.Background()
	N, I := epcis.MaxNameBytes, epcis.MaxIdentifierBytes
	s := open(t)
	MustCapture(t, service(s), mdLimitsDoc(t, N, I, I, I))
	if n, _ := s.CountEvents(ctx); n != 1 {
		t.Errorf("at the limits: %d events stored, want 1", n)
	}
	for _, c := range []struct {
		name                       string
		attr, value, child, reason int
		field                      string
	}{
		{"attribute name", N + 1, I, I, I, "/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/attributes/0/id"},
		{"attribute value", N, I + 1, I, I, "/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/attributes/0/attribute"},
		{"attribute value of 5,000 bytes", N, 5000, I, I, "/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/attributes/0/attribute"},
		{"child", N, I, 3000, I, "/epcisHeader/epcisMasterData/vocabularyList/0/vocabularyElementList/0/children/0"},
		{"reason", N, I, I, 3000, "/epcisBody/eventList/0/errorDeclaration/reason"},
	} {
		s := open(t)
		_, err := service(s).Capture(ctx, ledger.CaptureRequest{Body: []byte(mdLimitsDoc(t, c.attr, c.value, c.child, c.reason))})
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s over the limit: %v, want EINVALID", c.name, err)
			continue
		}
		fields := critmin.ErrorFields(err)
		if len(fields) != 1 || fields[0].Pointer != c.field || !strings.Contains(fields[0].Reason, "limit") {
			t.Errorf("%s over the limit: fields %+v, want one at %s", c.name, fields, c.field)
		}
		if n, _ := s.CountEvents(ctx); n != 0 {
			t.Errorf("%s over the limit: %d events stored", c.name, n)
		}
	}
}
