package http_test

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestErrorDeclarationCase07 runs testdata/cases/07 as its .expect.md
// says: the three declaration parameters return the declaration, GET by
// eventID shows it, and the lot no longer relies on the retracted shipment.
func TestErrorDeclarationCase07(t *testing.T) {
	ts := MustServe(t, true, nil)
	body, err := os.ReadFile("../testdata/cases/07-error-declaration-retraction.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, rb)
	}
	const id = "urn:uuid:0b7d5f3e-1a2b-4c3d-9e8f-001122334455"
	for _, q := range []string{"EXISTS_errorDeclaration=true", "EXISTS_errorDeclaration", "EQ_errorReason=incorrect_data",
		"EQ_correctiveEventID=" + url.QueryEscape("urn:uuid:0b7d5f3e-1a2b-4c3d-9e8f-66778899aabb")} {
		resp, rb := do(t, "GET", ts.URL+"/epcis/events?"+q, "", nil, nil)
		var doc struct {
			EpcisBody struct {
				QueryResults struct {
					ResultsBody struct {
						EventList []map[string]any `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(rb, &doc) != nil {
			t.Fatalf("%s: %d %s", q, resp.StatusCode, rb)
		}
		list := doc.EpcisBody.QueryResults.ResultsBody.EventList
		if len(list) != 1 || list[0]["eventID"] != id || list[0]["errorDeclaration"] == nil {
			t.Errorf("%s: %d events %v; want the declaration", q, len(list), list)
		}
	}
	// The OpenAPI binding types it as a boolean: false is as if left out;
	// any other value is refused.
	resp, rb := do(t, "GET", ts.URL+"/epcis/events?EXISTS_errorDeclaration=no", "", nil, nil)
	mustProblem(t, resp, rb, 400)
	resp, rb = do(t, "GET", ts.URL+"/epcis/events?EXISTS_errorDeclaration=false", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Errorf("EXISTS_errorDeclaration=false: %d %s; want 200, every event", resp.StatusCode, rb)
	}
	resp, rb = do(t, "GET", ts.URL+"/epcis/events/"+url.PathEscape(id), "", nil, nil)
	var doc struct {
		EPCISBody struct {
			QueryResults struct {
				ResultsBody struct {
					EventList []struct {
						ErrorDeclaration struct {
							DeclarationTime    string   `json:"declarationTime"`
							Reason             string   `json:"reason"`
							CorrectiveEventIDs []string `json:"correctiveEventIDs"`
						} `json:"errorDeclaration"`
					} `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(rb, &doc) != nil || len(doc.EPCISBody.QueryResults.ResultsBody.EventList) != 1 {
		t.Fatalf("GET event: %d %s", resp.StatusCode, rb)
	}
	ev := doc.EPCISBody.QueryResults.ResultsBody.EventList[0]
	if ev.ErrorDeclaration.Reason != "incorrect_data" ||
		ev.ErrorDeclaration.DeclarationTime != "2025-03-02T10:00:00.000Z" || len(ev.ErrorDeclaration.CorrectiveEventIDs) != 1 {
		t.Errorf("GET event: %d %s", resp.StatusCode, rb)
	}
	// LOT-D's only event was the retracted shipment: it is no longer a lot
	// in transit at the retracted location.
	resp, rb = do(t, "GET", ts.URL+"/api/v1/lots?commodity=&status=in_transit", "", nil, nil)
	if resp.StatusCode != 200 || strings.Contains(string(rb), "LOT-D") {
		t.Errorf("lots in transit: %d %s", resp.StatusCode, rb)
	}
	// Its every event declared in error, the lot is withdrawn: 410 Gone
	// naming the declaration, not 404 (fix15x item 3, docs/epcis.md).
	resp, rb = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:epc:class:lgtin:4012345.011111.LOT-D"), "", nil, nil)
	if p := mustProblem(t, resp, rb, 410); !strings.Contains(p.Detail, "declared in error") {
		t.Errorf("withdrawn LOT-D: %s", rb)
	}
}

// TestCertificateSuperseded: a certificate issued before a declaration
// that touches its evidence is reported superseded; one issued after it no
// longer rests on the declared event.
func TestCertificateSuperseded(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	nd := "/api/v1/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")
	_, cert := do(t, "POST", ts.URL+nd+"/certificate", operatorSecret, nil, nil)
	status := func(cert []byte) (bool, []string) {
		resp, rb := do(t, "POST", ts.URL+"/api/v1/certificates/status", "", cert, nil)
		var st struct {
			Superseded   bool `json:"superseded"`
			SupersededBy []struct {
				EventID string `json:"eventID"`
				Reason  string `json:"reason"`
			} `json:"supersededBy"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(rb, &st) != nil {
			t.Fatalf("status: %d %s", resp.StatusCode, rb)
		}
		var ids []string
		for _, s := range st.SupersededBy {
			ids = append(ids, s.EventID+" "+s.Reason)
		}
		return st.Superseded, ids
	}
	if sup, _ := status(cert); sup {
		t.Fatal("a fresh certificate is superseded")
	}
	// Declare the first evidence event in error, re-sending it with an
	// errorDeclaration (EPCIS 2.0 §7.4.1.2).
	var c struct {
		CredentialSubject struct {
			TraceabilityInformation []struct {
				TraceabilityEvents []struct {
					LinkName string `json:"linkName"`
				} `json:"traceabilityEvents"`
			} `json:"traceabilityInformation"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(cert, &c); err != nil || len(c.CredentialSubject.TraceabilityInformation) == 0 {
		t.Fatalf("certificate: %v", err)
	}
	// An evidence event whose declaration leaves no later event standing
	// on nothing: the demo's first commissioning, once the first
	// evidence event here, is refused (409) for the inspection and the
	// shipments that rest on it (issue 15, fix15zk), so the first
	// evidence event that can be declared alone is.
	var links []string
	for _, ti := range c.CredentialSubject.TraceabilityInformation {
		for _, te := range ti.TraceabilityEvents {
			links = append(links, te.LinkName)
		}
	}
	evID := ""
	for i := 0; i < len(links) && evID == ""; i++ {
		_, evBody := do(t, "GET", ts.URL+"/epcis/events/"+url.PathEscape(links[i]), "", nil, nil)
		var evDoc struct {
			Context   any `json:"@context"`
			EPCISBody struct {
				QueryResults struct {
					ResultsBody struct {
						EventList []map[string]any `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		if err := json.Unmarshal(evBody, &evDoc); err != nil || len(evDoc.EPCISBody.QueryResults.ResultsBody.EventList) != 1 {
			t.Fatalf("GET event: %v %s", err, evBody)
		}
		ev := evDoc.EPCISBody.QueryResults.ResultsBody.EventList[0]
		ev["@context"] = evDoc.Context
		delete(ev, "recordTime")
		ev["errorDeclaration"] = map[string]any{"declarationTime": "2025-12-01T00:00:00Z", "reason": "did_not_occur"}
		decl, _ := json.Marshal(ev)
		resp, rb := do(t, "POST", ts.URL+"/epcis/events", operatorSecret, decl, nil)
		switch resp.StatusCode {
		case 201:
			evID = links[i]
		case 409:
			if !strings.Contains(string(rb), "standing on nothing") {
				t.Fatalf("declaration of %s: 409 %s", links[i], rb)
			}
		default:
			t.Fatalf("declaration of %s: %d %s", links[i], resp.StatusCode, rb)
		}
	}
	if evID == "" {
		t.Fatalf("no evidence event of %v could be declared in error", links)
	}
	if sup, by := status(cert); !sup || len(by) != 1 || by[0] != evID+" did_not_occur" {
		t.Errorf("old certificate: superseded %v by %v; want by %s", sup, by, evID)
	}
	_, fresh := do(t, "POST", ts.URL+nd+"/certificate", operatorSecret, nil, nil)
	if strings.Contains(string(fresh), `"linkName": "`+evID+`"`) {
		t.Errorf("a new certificate still rests on the declared event %s", evID)
	}
	if sup, _ := status(fresh); sup {
		t.Error("a certificate issued after the declaration is superseded")
	}
	resp, rb := do(t, "POST", ts.URL+"/api/v1/certificates/status", "", []byte("not json"), nil)
	mustProblem(t, resp, rb, 400)
}
