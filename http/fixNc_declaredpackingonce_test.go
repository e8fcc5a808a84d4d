package http_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/critmin/critmin/storetest"
)

// TestLotEventsDeclaredPackingOnce (issue 8, fixNc item 3): lot YP
// commissioned, then packed into a container by an AggregationEvent ADD
// (urn:t:ev:yp-pack) that is declared in error. GET
// /api/v1/lots/{id}/events listed the packing twice. Each eventID once:
// the commissioning and the packing, 2 entries, the packing marked
// declared in error.
func TestLotEventsDeclaredPackingOnce(t *testing.T) {
	ts := MustServe(t, true, nil)
	for i, doc := range storetest.DeclaredPackingDocuments {
		if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
			t.Fatalf("document %d: %d %s", i, resp.StatusCode, b)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:YP")+"/events", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lot events: %d %s", resp.StatusCode, b)
	}
	var got struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, ev := range got.Events {
		seen[ev["eventID"].(string)]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s listed %d times; want once", id, n)
		}
	}
	if len(got.Events) != 2 || seen["urn:t:ev:yp-pack"] == 0 {
		t.Errorf("lot YP's events: %s; want its commissioning and its packing (declared in error), once each", b)
	}
}
