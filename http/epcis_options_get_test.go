package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestEPCISOptionsAgreesWithGet walks every registered /epcis path that
// answers GET and checks that OPTIONS answers 404 exactly where GET does,
// for a resource that exists and one that does not, with the discovery's
// GS1 headers either way: an unknown capture job or event is a 404 (it
// was a 204), the events of a value no event carries are a 200 empty
// result for GET and so a 204 for OPTIONS (it was a 404).
func TestEPCISOptionsAgreesWithGet(t *testing.T) {
	ts := MustServe(t, false, nil)
	createQuery(t, ts.URL, "opts", `{}`)
	resp, b := do(t, "POST", ts.URL+"/epcis/queries/opts/subscriptions", operatorSecret, []byte(`{"dest": "http://127.0.0.1:9/", "schedule": {"hour": "1"}}`), jsonCT)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	var sub struct {
		SubscriptionID string `json:"subscriptionID"`
	}
	_ = json.Unmarshal(b, &sub)
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(resourceDoc), nil)
	if resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	captureID := strings.TrimPrefix(resp.Header.Get("Location"), "/epcis/capture/")
	existing := map[string]string{"queryName": "opts", "subscriptionID": sub.SubscriptionID, "captureID": captureID,
		"eventID": "urn:uuid:7a000000-0000-4000-8000-000000000001"}
	missing := map[string]string{"queryName": "nope", "subscriptionID": "nope", "captureID": "nope",
		"eventID": "urn:uuid:7a000000-0000-4000-8000-00000000ffff", "value": "urn:epc:id:sgln:0614141.99999.0"}
	get := map[string]bool{}
	for _, r := range ts.Routes() {
		if m, p, _ := strings.Cut(r, " "); m == "GET" && strings.HasPrefix(p, "/epcis") {
			get[p] = true
		}
	}
	param := regexp.MustCompile(`\{([^}$]+)\}`)
	checked := 0
	for path := range get {
		for _, vals := range []map[string]string{existing, missing} {
			p := strings.Replace(path, "{$}", "", 1)
			p = param.ReplaceAllStringFunc(p, func(m string) string {
				name := m[1 : len(m)-1]
				v, ok := vals[name]
				if !ok && name == "value" {
					res, _, _ := strings.Cut(strings.TrimPrefix(path, "/epcis/"), "/")
					v = optionValues[res]
				}
				return url.PathEscape(v)
			})
			gr, gb := do(t, "GET", ts.URL+p, viewerSecret, nil, nil)
			or, ob := do(t, "OPTIONS", ts.URL+p, "", nil, nil)
			checked++
			switch {
			case gr.StatusCode == http.StatusNotFound && or.StatusCode != http.StatusNotFound:
				t.Errorf("%s: GET 404 (%s) but OPTIONS %d", p, gb, or.StatusCode)
			case gr.StatusCode != http.StatusNotFound && or.StatusCode != http.StatusNoContent:
				t.Errorf("%s: GET %d but OPTIONS %d %s", p, gr.StatusCode, or.StatusCode, ob)
			}
			for _, h := range []string{"GS1-EPCIS-Version", "GS1-CBV-Version", "GS1-EPCIS-Capture-Limit"} {
				if or.Header.Get(h) == "" {
					t.Errorf("OPTIONS %s (%d) lacks %s", p, or.StatusCode, h)
				}
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d paths checked", checked)
	}
}
