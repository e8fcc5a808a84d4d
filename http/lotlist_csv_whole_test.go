package http_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

// manyLotsDoc commissions n lots of 10 t each.
func manyLotsDoc(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"cm":"https://ns.critmin.org/mineral/v1/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"ObjectEvent","eventID":"urn:t:ev:%d","eventTime":"2025-10-01T00:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"commissioning","quantityList":[{"epcClass":"urn:t:lot:%d","quantity":10,"uom":"TNE"}],"bizLocation":{"id":"urn:t:site:mine"},"ilmd":{"cm:commodity":"ree_concentrate","cm:originCountry":"PAK"}}`, i, i)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// The lots CSV the lot page links to (no ?limit=) is every matching lot,
// not the first 100; a CSV cut by ?limit= says so: X-Total-Count and a
// Link rel="next" to the rest. 128 lots: the CSV is 1 header + 128 rows;
// ?limit=3 is 3 rows, X-Total-Count 128, next offset 3; ?limit=3&offset=126
// is rows 127–128 (2 = 128 − 126) and no next link.
func TestLotCSVWholeOrSaysMore(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, manyLotsDoc(128), nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	rows := func(b []byte) int {
		recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return len(recs) - 1
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots?format=csv", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || rows(b) != 128 || resp.Header.Get("X-Total-Count") != "128" {
		t.Errorf("whole CSV: %d, %d rows, X-Total-Count %q; want 128 rows", resp.StatusCode, rows(b), resp.Header.Get("X-Total-Count"))
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?limit=3&format=csv", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || rows(b) != 3 || resp.Header.Get("X-Total-Count") != "128" ||
		!strings.Contains(resp.Header.Get("Link"), `offset=3`) || !strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Errorf("limit=3 CSV: %d, %d rows, X-Total-Count %q, Link %q", resp.StatusCode, rows(b), resp.Header.Get("X-Total-Count"), resp.Header.Get("Link"))
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?limit=3&offset=126&format=csv", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || rows(b) != 2 || strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Errorf("last page: %d, %d rows, Link %q", resp.StatusCode, rows(b), resp.Header.Get("Link"))
	}
}
