package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

type queryDoc struct {
	EpcisBody struct {
		QueryResults struct {
			ResultsBody struct {
				EventList []struct {
					BizStep      string   `json:"bizStep"`
					EPCList      []string `json:"epcList"`
					QuantityList []struct {
						EPCClass string `json:"epcClass"`
					} `json:"quantityList"`
					ReadPoint struct {
						ID string `json:"id"`
					} `json:"readPoint"`
					SourceList []struct {
						Source string `json:"source"`
					} `json:"sourceList"`
				} `json:"eventList"`
			} `json:"resultsBody"`
		} `json:"queryResults"`
	} `json:"epcisBody"`
}

func captureCase01(t *testing.T, ts *testServer) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "testdata", "cases", "01-dl-urn-equivalent-query.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %d %s", resp.StatusCode, rb)
	}
}

func getQuery(t *testing.T, u string, headers map[string]string) (*http.Response, queryDoc) {
	t.Helper()
	resp, b := do(t, "GET", u, viewerSecret, nil, headers)
	var d queryDoc
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	} else {
		t.Fatalf("%s: status %d %s", u, resp.StatusCode, b)
	}
	return resp, d
}

// TestCase01EquivalentSpellings: case 01 through the REST binding — every
// query and top-level resource finds both events whichever spelling it
// uses, and the lot view shows one lot.
func TestCase01EquivalentSpellings(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	captureCase01(t, ts)
	for _, path := range []string{
		"/epcis/events?MATCH_epc=" + url.QueryEscape("urn:epc:id:sgtin:4012345.011111.1001"),
		"/epcis/events?MATCH_epc=" + url.QueryEscape("https://id.gs1.org/01/04012345111118/21/1001"),
		"/epcis/events?MATCH_epcClass=" + url.QueryEscape("urn:epc:class:lgtin:4012345.011111.LOT-A"),
		"/epcis/events?MATCH_epcClass=" + url.QueryEscape("https://id.gs1.org/01/04012345111118/10/LOT-A"),
		"/epcis/events?EQ_readPoint=" + url.QueryEscape("urn:epc:id:sgln:4012345.00001.0"),
		"/epcis/events?EQ_readPoint=" + url.QueryEscape("https://id.gs1.org/414/4012345000016"),
		"/epcis/events?EQ_bizLocation=" + url.QueryEscape("urn:epc:id:sgln:4012345.00001.0"),
		"/epcis/events?EQ_bizLocation=" + url.QueryEscape("https://id.gs1.org/414/4012345000016"),
		"/epcis/events?EQ_source_owning_party=" + url.QueryEscape("urn:epc:id:pgln:4012345.00001"),
		"/epcis/events?EQ_source_owning_party=" + url.QueryEscape("https://id.gs1.org/417/4012345000016"),
		"/epcis/bizLocations/" + url.PathEscape("urn:epc:id:sgln:4012345.00001.0") + "/events",
		"/epcis/bizLocations/" + url.PathEscape("https://id.gs1.org/414/4012345000016") + "/events",
		"/epcis/readPoints/" + url.PathEscape("https://id.gs1.org/414/4012345000016") + "/events",
		"/epcis/epcs/" + url.PathEscape("urn:epc:id:sgtin:4012345.011111.1001") + "/events",
		"/epcis/epcs/" + url.PathEscape("https://id.gs1.org/01/04012345111118/21/1001") + "/events",
	} {
		_, d := getQuery(t, ts.URL+path, nil)
		var steps []string
		for _, e := range d.EpcisBody.QueryResults.ResultsBody.EventList {
			steps = append(steps, e.BizStep)
		}
		sort.Strings(steps)
		if strings.Join(steps, ",") != "receiving,shipping" {
			t.Errorf("%s: events %v, want receiving and shipping", path, steps)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots", viewerSecret, nil, nil)
	var lots struct {
		Lots []struct {
			ID string `json:"id"`
		} `json:"lots"`
		Total int `json:"total"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &lots) != nil {
		t.Fatalf("lots: %d %s", resp.StatusCode, b)
	}
	if lots.Total != 1 || len(lots.Lots) != 1 || lots.Lots[0].ID != "https://id.gs1.org/01/04012345111118/10/LOT-A" {
		t.Errorf("lots %s, want one: GTIN 04012345111118 lot LOT-A", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:epc:class:lgtin:4012345.011111.LOT-A"), viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "https://id.gs1.org/01/04012345111118/10/LOT-A") {
		t.Errorf("lot by URN spelling: %d %s", resp.StatusCode, b)
	}
}

// TestEPCFormatHeader: GS1-EPC-Format chooses the form of identifiers in
// query results (default Always_GS1_Digital_Link) and is echoed.
func TestEPCFormatHeader(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	captureCase01(t, ts)
	q := ts.URL + "/epcis/events?EQ_bizStep=shipping"
	// The shipping event was captured with URNs.
	for _, c := range []struct {
		header, echo, epc, class, readPoint, source string
	}{
		{"", "Always_GS1_Digital_Link", "https://id.gs1.org/01/04012345111118/21/1001", "https://id.gs1.org/01/04012345111118/10/LOT-A", "https://id.gs1.org/414/4012345000016", "https://id.gs1.org/417/4012345000016"},
		{"Always_GS1_Digital_Link", "Always_GS1_Digital_Link", "https://id.gs1.org/01/04012345111118/21/1001", "https://id.gs1.org/01/04012345111118/10/LOT-A", "https://id.gs1.org/414/4012345000016", "https://id.gs1.org/417/4012345000016"},
		{"Never_Translates", "Never_Translates", "urn:epc:id:sgtin:4012345.011111.1001", "urn:epc:class:lgtin:4012345.011111.LOT-A", "urn:epc:id:sgln:4012345.00001.0", "urn:epc:id:pgln:4012345.00001"},
		{"No_Preference", "No_Preference", "urn:epc:id:sgtin:4012345.011111.1001", "urn:epc:class:lgtin:4012345.011111.LOT-A", "urn:epc:id:sgln:4012345.00001.0", "urn:epc:id:pgln:4012345.00001"},
		{"Always_EPC_URN", "Always_EPC_URN", "urn:epc:id:sgtin:4012345.011111.1001", "urn:epc:class:lgtin:4012345.011111.LOT-A", "urn:epc:id:sgln:4012345.00001.0", "urn:epc:id:pgln:4012345.00001"},
	} {
		h := map[string]string{}
		if c.header != "" {
			h["GS1-EPC-Format"] = c.header
		}
		resp, d := getQuery(t, q, h)
		if got := resp.Header.Get("GS1-EPC-Format"); got != c.echo {
			t.Errorf("%q: echoed %q, want %q", c.header, got, c.echo)
		}
		evs := d.EpcisBody.QueryResults.ResultsBody.EventList
		if len(evs) != 1 {
			t.Fatalf("%q: %d events", c.header, len(evs))
		}
		e := evs[0]
		if e.EPCList[0] != c.epc || e.QuantityList[0].EPCClass != c.class || e.ReadPoint.ID != c.readPoint || e.SourceList[0].Source != c.source {
			t.Errorf("%q: %+v", c.header, e)
		}
	}
	// Always_EPC_URN writes a Digital Link as a URN when the GCP length is
	// known (GCP 4012345: 7 digits), and leaves it a Digital Link otherwise.
	q = ts.URL + "/epcis/events?EQ_bizStep=receiving"
	_, d := getQuery(t, q, map[string]string{"GS1-EPC-Format": "Always_EPC_URN"})
	if e := d.EpcisBody.QueryResults.ResultsBody.EventList[0]; e.EPCList[0] != "https://id.gs1.org/01/04012345111118/21/1001" {
		t.Errorf("URN without a GCP length table: %+v", e)
	}
	gcp, err := epcis.LoadGCPLengths(strings.NewReader(`<GCPPrefixFormatList><entry prefix="401" gcpLength="7"/></GCPPrefixFormatList>`))
	if err != nil {
		t.Fatal(err)
	}
	ts.GCPLengths = gcp
	_, d = getQuery(t, q, map[string]string{"GS1-EPC-Format": "Always_EPC_URN"})
	if e := d.EpcisBody.QueryResults.ResultsBody.EventList[0]; e.EPCList[0] != "urn:epc:id:sgtin:4012345.011111.1001" ||
		e.QuantityList[0].EPCClass != "urn:epc:class:lgtin:4012345.011111.LOT-A" || e.ReadPoint.ID != "urn:epc:id:sgln:4012345.00001.0" || e.SourceList[0].Source != "urn:epc:id:pgln:4012345.00001" {
		t.Errorf("URN with a GCP length table: %+v", e)
	}
	resp, b := do(t, "GET", q, viewerSecret, nil, map[string]string{"GS1-EPC-Format": "Always_URN"})
	p := mustProblem(t, resp, b, http.StatusBadRequest)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "GS1-EPC-Format" {
		t.Errorf("bad header: %+v", p)
	}
	// Top-level resources list identifiers in the asked form, once each.
	resp, b = do(t, "GET", ts.URL+"/epcis/bizLocations", viewerSecret, nil, nil)
	var coll struct {
		Member []string `json:"member"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &coll) != nil || len(coll.Member) != 1 || coll.Member[0] != "https://id.gs1.org/414/4012345000016" {
		t.Errorf("bizLocations: %d %s", resp.StatusCode, b)
	}
	// Each format lists one member per key (case 01 spells the SGTIN and
	// the location once as URN, once as Digital Link); Always_EPC_URN gives
	// the captured URN spelling, even without a GCP length table.
	ts.GCPLengths = nil
	members := func(path, format string) []string {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, map[string]string{"GS1-EPC-Format": format})
		var coll struct {
			Member []string `json:"member"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(b, &coll) != nil {
			t.Fatalf("%s %s: %d %s", path, format, resp.StatusCode, b)
		}
		return coll.Member
	}
	for _, f := range []string{"Always_GS1_Digital_Link", "Always_EPC_URN", "Never_Translates", "No_Preference"} {
		epcs := members("/epcis/epcs", f)
		seen := map[string]bool{}
		for _, e := range epcs {
			if seen[epcis.Canonical(e)] {
				t.Errorf("%s: /epcis/epcs lists %s twice: %v", f, epcis.Canonical(e), epcs)
			}
			seen[epcis.Canonical(e)] = true
		}
		if !seen["https://id.gs1.org/01/04012345111118/21/1001"] {
			t.Errorf("%s: /epcis/epcs misses the SGTIN: %v", f, epcs)
		}
		locs := members("/epcis/bizLocations", f)
		want := "urn:epc:id:sgln:4012345.00001.0"
		if f == "Always_GS1_Digital_Link" {
			want = "https://id.gs1.org/414/4012345000016"
		}
		if len(locs) != 1 || locs[0] != want {
			t.Errorf("%s: /epcis/bizLocations %v, want [%s]", f, locs, want)
		}
	}
}

// TestCaptureRefusesOverflow: a quantity of 1.7e308 (stored as infinity
// before, after which the lot API answered 200 with an empty body) is
// refused with 400 naming the field, and no lot appears.
func TestCaptureRefusesOverflow(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	body := []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
  "creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z",
  "eventTimeZoneOffset": "+00:00", "action": "ADD", "quantityList": [{"epcClass": "urn:critmin:lot:big", "quantity": 1.7e308, "uom": "TNE"}]}]}}`)
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
	p := mustProblem(t, resp, b, http.StatusBadRequest)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/epcisBody/eventList/0/quantityList/0/quantity" {
		t.Errorf("problem %+v does not name the quantity", p)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:critmin:lot:big"), viewerSecret, nil, nil)
	mustProblem(t, resp, b, http.StatusNotFound)
}
