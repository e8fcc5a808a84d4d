package http_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

// TestOrderByExtensionPaged: GET /epcis/events?orderBy=<extension field>
// pages through the Link header in the field's order, with
// GS1-Next-Page-Token-Expires on each page, and eventCountLimit takes the
// first N in that order. Worked order (ASC by ex:purity): 3 (0.5),
// 1 (2), 4 (10), 2 (11), then 5 (no purity); DESC: 2, 4, 1, 3, then 5.
func TestOrderByExtensionPaged(t *testing.T) {
	srv := MustServe(t, false, nil)
	ev := func(n, fields string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:uuid:0e000000-0000-4000-8000-00000000000` + n + `", "eventTime": "2025-03-01T10:00:0` + n + `Z",
		  "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.` + n + `"]` + fields + `}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://ex.example/assay/"}],
	  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-01T08:00:00Z", "epcisBody": {"eventList": [` +
		ev("1", `, "ex:purity": 2`) + `,` + ev("2", `, "ex:purity": 11`) + `,` + ev("3", `, "ex:purity": 0.5`) + `,` + ev("4", `, "ex:purity": 10`) + `,` + ev("5", ``) + `]}}`
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	for q, want := range map[string]string{
		"orderBy=ex:purity&orderDirection=ASC&perPage=2":                                                   "3 1 4 2 5",
		"orderBy=" + url.QueryEscape("https://ex.example/assay/purity") + "&orderDirection=DESC&perPage=2": "2 4 1 3 5",
		"orderBy=ex:purity&orderDirection=ASC&perPage=2&eventCountLimit=3":                                 "3 1 4",
	} {
		next := "/epcis/events?" + q
		var got []string
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatalf("%s: pages do not end", q)
			}
			resp, body := do(t, "GET", srv.URL+next, viewerSecret, nil, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", q, resp.StatusCode, body)
			}
			d, err := epcis.ParseDocument(body, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range d.Events {
				id := e.(map[string]any)["eventID"].(string)
				got = append(got, id[len(id)-1:])
			}
			next = ""
			if m := linkNext.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
				next = m[1]
				if resp.Header.Get("GS1-Next-Page-Token-Expires") == "" {
					t.Errorf("%s: a next page without GS1-Next-Page-Token-Expires", q)
				}
			}
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("%s: %s, want %s", q, g, want)
		}
	}
	resp, body := do(t, "GET", srv.URL+"/epcis/events?orderBy=zz:purity", viewerSecret, nil, nil)
	if p := mustProblem(t, resp, body, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "orderBy" {
		t.Errorf("orderBy=zz:purity: %s", body)
	}
}
