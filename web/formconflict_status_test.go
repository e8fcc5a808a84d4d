package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// fw19Doc commissions FW-19 (issue 15, fix15w item 1): 19,000 kg of
// antimony ore at Karachi on 2025-11-01.
const fw19Doc = `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:fw19:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 19000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}
 ]}}`

// TestFormConflictsAre409AsOnTheAPI (issue 15, fix15w item 1): a form
// whose event conflicts with the record answers 409, as the API does for
// the same event; a malformed one 400. The lot FW-19 holds 19 t at
// Karachi (fw19Doc).
//   - Pack 31,000 kg of it: 31 t > 19 t + 19 × 0.5 % = 19.095 t, more
//     than the lot holds: 409 on preview and capture, and on the API.
//   - Ship 31,000 kg of it: the same over-claim by the Ship form: 409.
//   - Sample it at Houston on 2025-11-05: the lot stands at Karachi
//     (whereabouts differ): 409 on preview and capture.
//   - Pack "3l000" kg (a letter l): malformed, 400.
//
// Nothing is stored by any of them.
func TestFormConflictsAre409AsOnTheAPI(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fw19Doc)}); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	const lot = "urn:critmin:demo:lot:FW-19"
	pack := func(kg string) url.Values {
		return url.Values{"container": {"urn:critmin:demo:container:NUXU0000190"}, "lots": {lot + " " + kg + " KGM"},
			"time": {"2025-11-03T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}}
	}
	ship := func(kg string) url.Values {
		return url.Values{"lots": {lot + " " + kg + " KGM"}, "bol": {"urn:critmin:demo:bol:FW-19-1"},
			"destination": {"urn:critmin:demo:site:houston"}, "time": {"2025-11-03T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}}
	}
	sample := url.Values{"lot": {lot}, "assays": {"Sb 21 %"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"},
		"time": {"2025-11-05T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}}
	for _, c := range []struct {
		name, form string
		v          url.Values
		field      string
		want       int
	}{
		{"pack 31 t of 19 t", "pack", pack("31000"), "lots", http.StatusConflict},
		{"ship 31 t of 19 t", "ship", ship("31000"), "lots", http.StatusConflict},
		{"sample at Houston of a lot at Karachi", "sample", sample, "site", http.StatusConflict},
		{"pack an unreadable mass", "pack", pack("3l000"), "lots", http.StatusBadRequest},
	} {
		for _, step := range []string{"preview", "capture"} {
			v := url.Values{}
			for k, x := range c.v {
				v[k] = x
			}
			v.Set("step", step)
			resp, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(v.Encode()), formHeader)
			if resp.StatusCode != c.want || fieldBlock(string(b), c.field) == "" {
				t.Errorf("%s, %s: %d, want %d with %s marked; %s shows %q; errors: %q", c.name, step, resp.StatusCode, c.want, c.field, c.field, fieldBlock(string(b), c.field), errorSpans(string(b)))
			}
			if c.want == http.StatusConflict && !strings.Contains(string(b), "conflicts with the record") {
				t.Errorf("%s, %s: the page does not say the event conflicts with the record", c.name, step)
			}
		}
	}
	// The API, for the pack of 31 t: the same code.
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T17:00:00Z",
	 "epcisBody": {"eventList": [{"type": "AggregationEvent", "eventID": "urn:t:ev:fw19-pack", "eventTime": "2025-11-03T10:00:00+05:00", "eventTimeZoneOffset": "+05:00",
	  "action": "ADD", "bizStep": "packing", "disposition": "in_progress", "parentID": "urn:critmin:demo:container:NUXU0000190",
	  "childQuantityList": [{"epcClass": "` + lot + `", "quantity": 31000, "uom": "KGM"}],
	  "readPoint": {"id": "urn:critmin:demo:site:karachi"}, "bizLocation": {"id": "urn:critmin:demo:site:karachi"}}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("API capture of a pack of 31 t of 19 t: %d %s", resp.StatusCode, b)
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused requests", after-before)
	}
}

// errorSpans lists a form page's field errors, for a failure.
func errorSpans(page string) []string {
	var out []string
	for _, part := range strings.Split(page, `class="field-error">`)[1:] {
		out = append(out, part[:strings.Index(part, "<")])
	}
	return out
}
