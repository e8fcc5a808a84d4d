package http_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// TestRevocationAndLocationThroughALaggingReplica is the issue 14
// new-user check over HTTP: a server whose read pool is a replica that
// lags (here a copy of the store taken before the requests below,
// sqldb.DB.UseReadPool). On the replica, DELETE /api/v1/tokens/operator
// left the operator's token accepted, a token just created answered 401
// "unknown token", and GET of the Location of a capture answered 404.
func TestRevocationAndLocationThroughALaggingReplica(t *testing.T) {
	url, _, _ := laggingReplicaServer(t, func(setup *sqldb.DB) {
		for name, tk := range map[string][2]string{"admin": {adminSecret, critmin.RoleAdmin}, "operator": {operatorSecret, critmin.RoleOperator}} {
			if err := setup.CreateToken(context.Background(), &critmin.Token{Name: name, Role: tk[1], Hash: critminhttp.HashToken(tk[0]), CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	})

	if resp, b := do(t, "GET", url+"/api/v1/lots", operatorSecret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("operator before revocation: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, "DELETE", url+"/api/v1/tokens/operator", adminSecret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
	if resp, _ := do(t, "GET", url+"/api/v1/lots", operatorSecret, nil, nil); resp.StatusCode != 401 {
		t.Errorf("revoked token: %d; want 401 at once", resp.StatusCode)
	}
	resp, b := do(t, "POST", url+"/api/v1/tokens", adminSecret, []byte(`{"name": "fresh", "role": "operator"}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 201 {
		t.Fatalf("create token: %d %s", resp.StatusCode, b)
	}
	var created struct{ Secret string }
	if err := json.Unmarshal(b, &created); err != nil || created.Secret == "" {
		t.Fatalf("create token: %s, %v", b, err)
	}
	if resp, b := do(t, "GET", url+"/api/v1/lots", created.Secret, nil, nil); resp.StatusCode != 200 {
		t.Errorf("token just created: %d %s; want 200", resp.StatusCode, b)
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "arriving",
	  "quantityList": [{"epcClass": "urn:t:lot:R1", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:m"}}]}}`
	resp, b = do(t, "POST", url+"/epcis/capture", adminSecret, []byte(doc), nil)
	if resp.StatusCode/100 != 2 || resp.Header.Get("Location") == "" {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, "GET", url+resp.Header.Get("Location"), adminSecret, nil, nil); resp.StatusCode != 200 {
		t.Errorf("GET %s, the capture's Location: %d %s; want 200", resp.Request.URL.Path, resp.StatusCode, b)
	}
}

// TestCertificateReadsThePrimaryUnderALaggingReplica (issue 14, new-user
// recheck): with serve --db-read, GET /api/v1/lots/{id}/certificate
// signed a certificate whose lot came from the primary and whose origin
// came from the lagging replica. Lot P was commissioned in Pakistan and
// lot C in China, both before the replica's copy; then P's commissioning
// was declared in error and corrected by a recommissioning in China (a
// run naming P as its output did this before fix9s; a lot is now made
// once). On the replica P is still Pakistan 100 %, so the certificate
// passed dfars-covered-countries; on the primary P is Chinese, and the
// covered-country rule fails. A certificate is a signed write: it must
// rest on the primary alone.
func TestCertificateReadsThePrimaryUnderALaggingReplica(t *testing.T) {
	lots := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:C", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:plant"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "CHN"}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:P", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:plant"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}]}}`
	url, _, _ := laggingReplicaServer(t, func(setup *sqldb.DB) {
		ctx := context.Background()
		if err := setup.CreateToken(ctx, &critmin.Token{Name: "admin", Role: critmin.RoleAdmin, Hash: critminhttp.HashToken(adminSecret), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := custody.NewService(setup).Capture(ctx, ledger.CaptureRequest{Body: []byte(lots)}); err != nil {
			t.Fatal(err)
		}
	})
	correction := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-02T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:P", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:plant"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"},
   "errorDeclaration": {"declarationTime": "2025-11-02T08:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:P2"]}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:P2", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:plant"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "CHN"}}]}}`
	if resp, b := do(t, "POST", url+"/epcis/capture", adminSecret, []byte(correction), nil); resp.StatusCode/100 != 2 {
		t.Fatalf("capture of the correction: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "POST", url+"/api/v1/lots/urn:t:lot:P/certificate", adminSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("certificate: %d %s", resp.StatusCode, b)
	}
	var cert struct {
		CredentialSubject struct {
			Claims []struct {
				ID          string `json:"id"`
				Conformance bool   `json:"conformance"`
			} `json:"conformityClaim"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(b, &cert); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range cert.CredentialSubject.Claims {
		if r.ID == "dfars-covered-countries" {
			found = true
			if r.Conformance {
				t.Errorf("certificate signed dfars-covered-countries as passing for a lot recommissioned in China (its origin read from the lagging replica):\n%s", b)
			}
		}
	}
	if !found {
		t.Fatalf("no dfars-covered-countries rule in the certificate:\n%s", b)
	}
}

// laggingReplicaServer serves a SQLite store whose read pool is a copy of
// it taken after seed ran (sqldb.DB.UseReadPool): a replica that lags
// every write made through the server afterwards. It returns the
// server's URL, the replica's store (closing its Read pool stops the
// replica) and the primary's file (another store opened on it writes
// what the server's primary reads and its replica does not).
func laggingReplicaServer(t *testing.T, seed func(*sqldb.DB)) (string, *sqldb.DB, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	primary, replica := filepath.Join(dir, "primary.db"), filepath.Join(dir, "replica.db")
	setup, err := sqlite.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	seed(setup)
	if _, err := setup.Write.ExecContext(ctx, `VACUUM INTO ?`, replica); err != nil {
		t.Fatal(err)
	}
	setup.Close()
	store, err := sqlite.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := sqlite.Open(ctx, replica)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stale.Close() })
	store.UseReadPool(stale.Read)
	srv, err := critminhttp.NewServer(store, custody.NewService(store), slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		store.Close()
	})
	return srv.URL(), stale, primary
}

// TestMassBalanceReadBackThroughALaggingReplica (issue 14, third
// new-user check): with the replica lagging, a mass-balance declaration
// just accepted by PUT (200, version 1) read back 404 "has no
// mass-balance declaration" from GET /api/v1/sites/{id}/mass-balance and
// its page. A declaration is a look-up by key that a write returns, so
// it reads the primary (http.primaryReadRoutes), as the certificate of a
// lot and its page do.
func TestMassBalanceReadBackThroughALaggingReplica(t *testing.T) {
	ctx := context.Background()
	base, _, primary := laggingReplicaServer(t, func(setup *sqldb.DB) {
		if err := setup.CreateToken(ctx, &critmin.Token{Name: "operator", Role: critmin.RoleOperator, Hash: critminhttp.HashToken(operatorSecret), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		// The site's master data, on the replica too: only the
		// declaration is written after the copy.
		if _, err := custody.NewService(setup).Capture(ctx, ledger.CaptureRequest{Body: []byte(mbMaster)}); err != nil {
			t.Fatal(err)
		}
	})
	// The declaration is written to the primary (as a PUT through any
	// server of the deployment writes it), after the replica's copy.
	writer, err := sqlite.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	var d critmin.MassBalanceDeclaration
	if err := json.Unmarshal([]byte(strings.Replace(mbDecl, "%s", "0.9", 1)), &d); err != nil {
		t.Fatal(err)
	}
	d.Site = "urn:t:site:mb"
	if err := custody.DeclareMassBalance(ctx, writer, &d, time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	writer.Close()
	site := "/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance"
	if resp, b := do(t, "GET", base+"/api/v1"+site, operatorSecret, nil, nil); resp.StatusCode != 200 {
		t.Errorf("GET /api/v1%s after the declaration, replica lagging: %d %.300s; want 200 (read from the primary)", site, resp.StatusCode, b)
	}
}

// TestWebSocketStreamReadsThePrimaryUnderALaggingReplica (issue 14,
// fix14q item 4): a WebSocket subscription decided what to send on the
// server's read pool, so with the replica lagging an event captured
// through the server was never sent while the replica stayed behind (the
// newest sequence number it saw did not move). It reads the primary, as
// the webhook dispatcher does (notify
// TestDispatcherReadsThePrimaryUnderALaggingReplica).
func TestWebSocketStreamReadsThePrimaryUnderALaggingReplica(t *testing.T) {
	base, _, _ := laggingReplicaServer(t, func(setup *sqldb.DB) {
		ctx := context.Background()
		if err := setup.CreateToken(ctx, &critmin.Token{Name: "admin", Role: critmin.RoleAdmin, Hash: critminhttp.HashToken(adminSecret), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := setup.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "all", Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/epcis/queries/all/events?stream=true",
		&websocket.DialOptions{HTTPHeader: nethttp.Header{"Authorization": {"Bearer " + adminSecret}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	  "quantityList": [{"epcClass": "urn:t:lot:W1", "quantity": 10, "uom": "TNE"}]}]}}`
	if resp, b := do(t, "POST", base+"/epcis/capture", adminSecret, []byte(doc), nil); resp.StatusCode/100 != 2 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	_, msg, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(msg), "urn:t:ev:W1") {
		t.Errorf("WebSocket message after a capture, replica lagging: %v %.300s; want the event urn:t:ev:W1 (read from the primary)", err, msg)
	}
}
