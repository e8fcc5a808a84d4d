package http_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	critmin "github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
)

// replicaDownPG serves a PostgreSQL store whose --db-read replica is the
// same database reached through a proxy; stop the proxy and only the
// replica is down. It returns the server's URL and the proxy.
func replicaDownPG(t *testing.T) (string, *tcpProxy) {
	t.Helper()
	dsn := pgtest.MustCreateDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startTCPProxy(t, u.Host)
	ru := *u
	ru.Host = proxy.ln.Addr().String()
	ctx := context.Background()
	store, err := postgres.OpenWithReadPool(ctx, dsn, ru.String(), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateToken(ctx, &critmin.Token{Name: "operator", Role: critmin.RoleOperator, Hash: critminhttp.HashToken(operatorSecret), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
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
	return srv.URL(), proxy
}

// TestReplicaDownPlanListIs503 (issue 14 final check, fix14p): with only
// the replica down GET /api/v1/plans answered 200 with {"jobs": []} — the
// stored jobs' read failed and was logged and dropped. A read that fails
// is a 503 (RFC 9110 §15.6.4), never a shorter answer.
func TestReplicaDownPlanListIs503(t *testing.T) {
	base, proxy := replicaDownPG(t)
	if resp, b := do(t, "GET", base+"/api/v1/plans", operatorSecret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/plans with the replica up: %d %s", resp.StatusCode, b)
	}
	proxy.stop()
	resp, b := do(t, "GET", base+"/api/v1/plans", operatorSecret, nil, nil)
	if resp.StatusCode != 503 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("GET /api/v1/plans with the replica down: %d %s, want 503 problem+json", resp.StatusCode, b)
	}
}

// TestReplicaDownWritesReadPrimary (issue 14 final check, fix14p): the
// reads that decide a write read the primary (docs/security.md, "Several
// servers"). With only the replica down, a capture of a commissioning
// event with cm: ILMD answered 503 (its master data was read from the
// replica — a lagging one could decide it from stale master data), and a
// plan job failed reading the lots ("count lots") from the replica.
func TestReplicaDownWritesReadPrimary(t *testing.T) {
	base, proxy := replicaDownPG(t)
	// Master data stored while the replica is up; the next capture's
	// check reads it.
	md := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:t:site:mine", "attributes": [{"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "PK"}, {"id": "cm:siteKind", "attribute": "mine"}]}]}]}},
 "epcisBody": {"eventList": []}}`
	if resp, b := do(t, "POST", base+"/epcis/capture", operatorSecret, []byte(md), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 202 {
		t.Fatalf("capture of master data, replica up: %d %s", resp.StatusCode, b)
	}
	proxy.stop()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:R1", "quantity": 1000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}]}}`
	resp, b := do(t, "POST", base+"/epcis/capture", operatorSecret, []byte(doc), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 202 {
		t.Fatalf("capture with ILMD, only the replica down: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, "GET", base+"/api/v1/lots/"+url.PathEscape("urn:t:lot:R1"), operatorSecret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("the captured lot (a primary read): %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "POST", base+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 202 {
		t.Fatalf("plan start, only the replica down: %d %s", resp.StatusCode, b)
	}
	var job struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal(b, &job); err != nil || job.ID == "" {
		t.Fatalf("plan start answer %s: %v", b, err)
	}
	// Wait for the job to end (a bound, not a measurement).
	for i := 0; i < 600 && (job.Status == "running" || job.Status == ""); i++ {
		time.Sleep(100 * time.Millisecond)
		resp, b = do(t, "GET", base+"/api/v1/plans/"+job.ID, operatorSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("GET the plan job: %d %s", resp.StatusCode, b)
		}
		if err := json.Unmarshal(b, &job); err != nil {
			t.Fatal(err)
		}
	}
	if job.Status != critmin.PlanSuccess || strings.Contains(job.Error, "count lots") {
		t.Fatalf("plan job with only the replica down: status %q error %q, want %q", job.Status, job.Error, critmin.PlanSuccess)
	}
}
