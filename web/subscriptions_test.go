package web_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSubscriptionsPage: a subscription whose webhook refuses
// every delivery shows on the page with its notification pending, its
// failed attempts and the webhook's answer as the last error.
func TestBrowserSubscriptionsPage(t *testing.T) {
	ts := MustServe(t, true, nil)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer hook.Close()
	jsonCT := map[string]string{"Content-Type": "application/json"}
	if resp, b := do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, []byte(`{"name": "shipments", "query": {"EQ_bizStep": ["shipping"]}}`), jsonCT); resp.StatusCode != 201 {
		t.Fatalf("create query: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, "POST", ts.URL+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "`+hook.URL+`/cb", "stream": true}`), jsonCT); resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "bizStep": "shipping", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	waitUntil(t, "a failed delivery recorded", func() bool {
		subs, err := ts.Store.ListSubscriptions(t.Context(), "shipments")
		if err != nil {
			t.Fatal(err)
		}
		return len(subs) == 1 && subs[0].Failures >= 1
	})
	p := page{t: t, ctx: browser(t)}
	p.do("subscriptions page", chromedp.Navigate(ts.URL+"/subscriptions"), chromedp.WaitVisible(chromedp.CSS("table.subs")))
	if n := p.text("#subs-count"); n != "1" {
		t.Errorf("subscriptions: %q", n)
	}
	if got := p.text("table.subs .pending"); got != "1" {
		t.Errorf("pending: %q", got)
	}
	if n, err := strconv.Atoi(p.text("table.subs .failures")); err != nil || n < 1 {
		t.Errorf("failed attempts: %v %v", n, err)
	}
	if e := p.text("table.subs .last-error"); !strings.Contains(e, "503") {
		t.Errorf("last error %q", e)
	}
	if d, last := p.text("table.subs .delivered"), p.text("table.subs .last-notified"); d != "0" || last != "never" {
		t.Errorf("delivered %q, last notified %q", d, last)
	}
	if q := p.text(".query-name"); q != "shipments" {
		t.Errorf("query %q", q)
	}
}
