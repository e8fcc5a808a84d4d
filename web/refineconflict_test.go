package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRefineFormOverdrawIsAConflict (issue 15, fix15r item 1): the demo's
// REE-2025-003 is 30,000 kg, received whole at Houston (receiveDemo003).
// A run there feeding 31,000 kg asks 31 t where 30 t remain: 31 > 30 +
// 30 × 0.5 % = 30.15 t. The request is well formed; it conflicts with the
// record, so the form answers 409 with a readable message naming the
// conflict, and the API answers 409 problem+json naming the lot, what
// remains (30 t) and what was asked (31 t). Nothing is stored. A run
// with an unreadable mass ("3o000") is malformed: 400.
func TestRefineFormOverdrawIsAConflict(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	receiveDemo003(t, ts)
	before, _ := ts.Store.CountEvents(ctx)
	const lot = "urn:critmin:demo:lot:REE-2025-003"
	run := func(step, kg string) url.Values {
		return url.Values{"step": {step}, "time": {"2025-11-21T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"},
			"run": {"urn:critmin:demo:run:MO-REE-015"}, "inputs": {lot + " " + kg + " KGM"}, "outputs": {"urn:critmin:demo:lot:NDPR-2025-015 1000 KGM"},
			"commodity": {"ndpr_oxide"}, "moisture": {"0"}, "assays": {"Nd2O3 74 %\nPr6O11 25 %"}}
	}
	for _, step := range []string{"preview", "capture"} {
		resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(run(step, "31000").Encode()), formHeader)
		page := html.UnescapeString(withIDs(string(b)))
		block := fieldBlock(string(b), "inputs")
		if resp.StatusCode != http.StatusConflict || !strings.Contains(block, "31 t consumed here but only 30 t of its 30 t remain") {
			t.Errorf("%s of 31 t where 30 t remain: %d; Lots fed shows %q", step, resp.StatusCode, block)
		}
		if !strings.Contains(page, "conflicts with the record") {
			t.Errorf("%s: the page's message does not say the run conflicts with the record:\n%s", step, excerpt(page, "form-errors"))
		}
	}
	resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(run("preview", "3o000").Encode()), formHeader)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unreadable mass: %d, want 400; Lots fed shows %q", resp.StatusCode, fieldBlock(string(b), "inputs"))
	}
	// The API: the same event as the form's document.
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T17:00:00Z",
	 "epcisBody": {"eventList": [{"type": "TransformationEvent", "eventID": "urn:t:ev:refine-015", "eventTime": "2025-11-21T10:00:00-06:00", "eventTimeZoneOffset": "-06:00",
	  "bizStep": "commissioning", "disposition": "active", "transformationID": "urn:critmin:demo:run:MO-REE-015",
	  "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": 31000, "uom": "KGM"}],
	  "outputQuantityList": [{"epcClass": "urn:critmin:demo:lot:NDPR-2025-015", "quantity": 1000, "uom": "KGM"}],
	  "readPoint": {"id": "urn:critmin:demo:site:houston"}, "bizLocation": {"id": "urn:critmin:demo:site:houston"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 74, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil)
	if resp.StatusCode != http.StatusConflict || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("API capture of 31 t where 30 t remain: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	for _, want := range []string{lot, "31 t consumed here", "only 30 t of its 30 t remain"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("API problem lacks %q: %s", want, b)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused runs", after-before)
	}
}
