package web_test

import (
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"

	critminhttp "github.com/critmin/critmin/http"
)

// TestWebhookSecretsNeverShown (issue 14, fix14c item 5): a webhook URL's
// userinfo, path token, query values and fragment, and the subscription's
// signature token, appear in no delivery error, log line, API answer or
// page — except the destination itself, whole, for an admin. A delivery
// to the URL fails (port 1 on loopback refuses the connection); the
// failure is logged (at info) and stored as the subscription's last
// error. The whole server log, the API's subscription (viewer, operator,
// admin) and the subscriptions page (viewer, admin: with the destination
// itself taken out) are searched for every secret piece, raw and
// percent-decoded. A dest refused at creation is not echoed back either.
func TestWebhookSecretsNeverShown(t *testing.T) {
	t.Parallel()
	srv, logs := serveLogged(t, func(s *critminhttp.Server) {
		s.Notifier.Interval = 20 * time.Millisecond
		s.Notifier.BackoffBase = time.Hour // one failed attempt is enough
	})
	base := srv.URL()
	const dest = "http://alice-user:pa55-s3cret@127.0.0.1:1/hook/T0KEN-path?key=k3y-value&sig=%73ig-Secret#frag-s3cret"
	secrets := []string{"alice-user", "pa55-s3cret", "T0KEN-path", "k3y-value", "%73ig-Secret", "sig-Secret", "frag-s3cret", "xxxxx", "signing-t0ken"}
	check := func(where, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s shows %q", where, s)
			}
		}
	}
	op := map[string]string{"Authorization": "Bearer " + operatorSecret, "Content-Type": "application/json"}
	if resp, b := send(t, "POST", base+"/epcis/queries", []byte(`{"name": "all", "query": {}}`), op); resp.StatusCode != 201 {
		t.Fatalf("create query: %d %s", resp.StatusCode, b)
	}
	// A destination refused at creation: the 400 names /dest, not the value.
	resp, b := send(t, "POST", base+"/epcis/queries/all/subscriptions", []byte(`{"dest": "alice-user:pa55-s3cret@hooks/T0KEN-path?key=k3y-value", "stream": true}`), op)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "/dest") {
		t.Errorf("relative dest: %d %s; want 400 naming /dest", resp.StatusCode, b)
	}
	check("the refusal of a bad dest", string(b))
	body, _ := json.Marshal(map[string]any{"dest": dest, "stream": true, "signatureToken": "signing-t0ken"})
	if resp, b := send(t, "POST", base+"/epcis/queries/all/subscriptions", body, op); resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-01T08:00:00Z",
	  "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-06-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}]}}`
	if resp, b := send(t, "POST", base+"/epcis/capture", []byte(doc), op); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	type sub struct {
		Dest     string `json:"dest"`
		Delivery struct {
			Failures  int    `json:"failures"`
			LastError string `json:"lastError"`
		} `json:"delivery"`
	}
	list := func(token string) ([]sub, string) {
		t.Helper()
		resp, b := send(t, "GET", base+"/epcis/queries/all/subscriptions", nil, map[string]string{"Authorization": "Bearer " + token})
		var subs []sub
		if err := json.Unmarshal(b, &subs); err != nil || resp.StatusCode != 200 || len(subs) != 1 {
			t.Fatalf("list subscriptions: %d %s", resp.StatusCode, b)
		}
		return subs, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		subs, _ := list(adminSecret)
		if subs[0].Delivery.LastError != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no delivery failure recorded within 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	subs, _ := list(adminSecret)
	if subs[0].Dest != dest {
		t.Errorf("admin: dest %q; want it whole", subs[0].Dest)
	}
	check("the stored delivery error (admin)", subs[0].Delivery.LastError)
	if !strings.Contains(subs[0].Delivery.LastError, "127.0.0.1:1") || !strings.Contains(subs[0].Delivery.LastError, "refused") {
		t.Errorf("delivery error %q: want the host and the cause kept", subs[0].Delivery.LastError)
	}
	for _, tok := range []string{viewerSecret, operatorSecret} {
		_, raw := list(tok)
		check("the API's subscription for a non-admin", raw)
	}
	for _, c := range []struct{ who, token string }{{"viewer", viewerSecret}, {"admin", adminSecret}} {
		resp, b := send(t, "GET", base+"/subscriptions", nil, map[string]string{"Authorization": "Bearer " + c.token, "Accept": "text/html"})
		page := string(b)
		if resp.StatusCode != 200 || !strings.Contains(page, "refused") {
			t.Fatalf("%s: subscriptions page %d without the delivery error", c.who, resp.StatusCode)
		}
		if c.who == "admin" {
			page = strings.ReplaceAll(strings.ReplaceAll(page, html.EscapeString(dest), ""), dest, "")
		}
		check("the subscriptions page for "+c.who, page)
	}
	log := logs.String()
	if !strings.Contains(log, "notification not delivered") {
		t.Fatalf("the failed delivery was not logged:\n%.800s", log)
	}
	check("the server log", log)
}
