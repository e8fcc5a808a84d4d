package http_test

import (
	"strings"
	"testing"
)

// TestDeclaredTwiceInOneDocument409 (issue 9, fix9i, 2): one document
// declaring event S in error twice (events 2 and 3, on 2025-10-06
// incorrect_data and 2025-10-07 did_not_occur) is refused 409
// problem+json with its own detail — "declared in error twice in this
// document: events 2 and 3" — and each declaration's JSON pointer,
// /epcisBody/eventList/2/errorDeclaration and …/3/errorDeclaration;
// never "already declared in error (declaration of 2025-10-06 …)" as if
// the document's own first declaration were stored, under a bare
// errorDeclaration pointer. Nothing is stored: the lot is unknown after.
func TestDeclaredTwiceInOneDocument409(t *testing.T) {
	ts := MustServe(t, true, nil)
	ship := func(decl string) string {
		ev := `{"type": "ObjectEvent", "eventID": "urn:t:ev:twice-S", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:TW1", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"}`
		if decl != "" {
			ev += `, "errorDeclaration": ` + decl
		}
		return ev + `}`
	}
	body := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-08T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:ev:twice-C", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:TW1", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}},
 ` + ship("") + `,
 ` + ship(`{"declarationTime": "2025-10-06T00:00:00Z", "reason": "incorrect_data"}`) + `,
 ` + ship(`{"declarationTime": "2025-10-07T00:00:00Z", "reason": "did_not_occur"}`) + `]}}`
	resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(body), nil)
	p := mustProblem(t, resp, rb, 409)
	if !strings.Contains(p.Detail, "event urn:t:ev:twice-S is declared in error twice in this document: events 2 and 3") || strings.Contains(p.Detail, "already declared") {
		t.Errorf("409 detail: %s; want declared in error twice in this document: events 2 and 3", p.Detail)
	}
	var ptrs []string
	for _, e := range p.Errors {
		ptrs = append(ptrs, e.Pointer)
	}
	if got := strings.Join(ptrs, " "); got != "/epcisBody/eventList/2/errorDeclaration /epcisBody/eventList/3/errorDeclaration" {
		t.Errorf("409 errors name %q, want /epcisBody/eventList/2/errorDeclaration and …/3/errorDeclaration", got)
	}
	if resp, rb := do(t, "GET", ts.URL+"/api/v1/lots/urn:t:lot:TW1", operatorSecret, nil, nil); resp.StatusCode != 404 {
		t.Errorf("lot TW1 after the refusal: %d %s, want 404 (nothing stored)", resp.StatusCode, rb)
	}
}
