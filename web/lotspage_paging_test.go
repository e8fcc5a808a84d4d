package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// The lot page says how much of the list it shows and links to the rest:
// 128 lots, 100 a page (the default) → "showing 1–100 of 128" and a next
// link to offset=100; that page shows 101–128 (28 = 128 − 100) with a
// previous link to offset=0 and no next link. It showed 100 rows under
// "128 lots" with no way on.
func TestLotsPageSaysItIsAPage(t *testing.T) {
	ts := MustServe(t, false, nil)
	var b strings.Builder
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"cm":"https://ns.critmin.org/mineral/v1/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[`)
	for i := 0; i < 128; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"ObjectEvent","eventID":"urn:t:ev:%d","eventTime":"2025-10-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"commissioning","quantityList":[{"epcClass":"urn:t:lot:%d","quantity":10,"uom":"TNE"}],"bizLocation":{"id":"urn:t:site:mine"},"ilmd":{"cm:commodity":"ree_concentrate","cm:originCountry":"PAK"}}`, i, i)
	}
	b.WriteString(`]}}`)
	if resp, body := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(b.String()), nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, body)
	}
	_, page := do(t, "GET", ts.URL+"/lots", viewerSecret, nil, nil)
	if s := string(page); !strings.Contains(s, "showing 1–100 of 128") || !strings.Contains(s, `rel="next"`) || !strings.Contains(s, "offset=100") || strings.Contains(s, `rel="prev"`) {
		t.Errorf("/lots: want \"showing 1–100 of 128\" and a next link to offset=100:\n%s", s)
	}
	_, page = do(t, "GET", ts.URL+"/lots?offset=100", viewerSecret, nil, nil)
	if s := string(page); !strings.Contains(s, "showing 101–128 of 128") || strings.Contains(s, `rel="next"`) || !strings.Contains(s, `rel="prev"`) || !strings.Contains(s, "offset=0") {
		t.Errorf("/lots?offset=100: want \"showing 101–128 of 128\", a previous link and no next:\n%s", s)
	}
	if n := strings.Count(string(page), `<tr><td class="lot">`); n != 28 {
		t.Errorf("/lots?offset=100: %d rows; want 28", n)
	}
}
