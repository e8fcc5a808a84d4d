package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRefineFormStatesProductOwner (new-user finding nu37b-6): the
// Refine form had no owner field, so its product lots read "Owner not
// stated" where Commission's lots state theirs. It has one ("Owner of
// the products"), a party from master data, and the product lot is
// owned by it.
func TestRefineFormStatesProductOwner(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, b := do(t, "GET", ts.URL+"/record/refine", operatorSecret, nil, map[string]string{"Accept": "text/html"}); !strings.Contains(string(b), `name="owner"`) {
		t.Fatal("the Refine form has no owner field")
	}
	const product = "urn:critmin:demo:lot:X2-OUT"
	c := url.Values{"step": {"capture"}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000fa000"}, "lot": {"urn:critmin:demo:lot:FEED-1"}, "commodity": {"ree_concentrate"},
		"mass": {"2000"}, "uom": {"KGM"}, "moisture": {"8"}, "assays": {"TREO 12 %"}, "country": {"PAK"}, "mine": {"urn:critmin:demo:site:loe-shilman"},
		"owner": {"urn:critmin:demo:party:ussm"}, "time": {"2025-12-17T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:refinery-mo"}}
	if resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(c.Encode()), formHeader); resp.StatusCode != http.StatusOK || strings.Contains(string(b), "field-error") {
		t.Fatalf("commission: %d\n%s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	v := url.Values{"step": {"capture"}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000fa001"}, "run": {"urn:critmin:demo:run:X2"},
		"inputs": {"urn:critmin:demo:lot:FEED-1 1000 KGM"}, "outputs": {product + " 500 KGM"}, "commodity": {"ree_carbonate"},
		"owner": {"urn:critmin:demo:party:ussm"}, "time": {"2025-12-18T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:refinery-mo"}}
	resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(v.Encode()), formHeader)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(b), "field-error") {
		t.Fatalf("refine: %d\n%s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	_, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape(product), operatorSecret, nil, nil)
	var lot struct {
		Owner string `json:"owner"`
	}
	if err := json.Unmarshal(b, &lot); err != nil || lot.Owner != "urn:critmin:demo:party:ussm" {
		t.Errorf("product owner %q (%v); want urn:critmin:demo:party:ussm\n%s", lot.Owner, err, b)
	}
}
