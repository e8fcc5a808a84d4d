package http_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/sqldb"
)

// TestLookUpsByIDWorkWithTheReplicaDown (fix14o item 2): docs/security.md
// says the look-ups by ID (a lot, an event by eventID, a capture job, …)
// read the primary and keep working while only the replica is down. GET
// /api/v1/lots/{id} answered 503: the lot came from the primary, but its
// origin mix, events and anomalies were read from the replica. Every read
// behind a look-up by ID now goes to the primary; a list still reads the
// replica and answers 503, so the replica is really down.
func TestLookUpsByIDWorkWithTheReplicaDown(t *testing.T) {
	base, stale, _ := laggingReplicaServer(t, func(setup *sqldb.DB) {
		if err := setup.CreateToken(context.Background(), &critmin.Token{Name: "admin", Role: critmin.RoleAdmin, Hash: critminhttp.HashToken(adminSecret), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	})
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:R1", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:m"}}]}}`
	resp, b := do(t, "POST", base+"/epcis/capture", adminSecret, []byte(doc), nil)
	if resp.StatusCode/100 != 2 || resp.Header.Get("Location") == "" {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	job := resp.Header.Get("Location")
	waitUntil(t, "the capture job to finish", func() bool {
		_, b := do(t, "GET", base+job, adminSecret, nil, nil)
		return strings.Contains(string(b), `"success"`)
	})
	// The replica stops: its pool is closed, as a replica that was shut
	// down no longer answers.
	stale.Read.Close()
	if resp, _ := do(t, "GET", base+"/api/v1/lots", adminSecret, nil, nil); resp.StatusCode != 503 {
		t.Fatalf("a list with the replica down: %d; want 503 (the replica is down)", resp.StatusCode)
	}
	for _, p := range []string{
		"/api/v1/lots/" + url.PathEscape("urn:t:lot:R1"),
		"/epcis/events/" + url.PathEscape("urn:t:ev:R1"),
		job,
	} {
		if resp, b := do(t, "GET", base+p, adminSecret, nil, nil); resp.StatusCode != 200 {
			t.Errorf("GET %s with only the replica down: %d %.300s; want 200 (a look-up by ID reads the primary)", p, resp.StatusCode, b)
		}
	}
}
