package http_test

import (
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

// TestMasterDataExtensionAttributes: HASATTR_ and EQ_ATTR_ match master
// data attributes whose names are extensions, whichever spelling capture
// and query use: a CURIE through a prefix the capture declared
// ("ex:grade" with ex = https://ex.example/md/) or the full IRI it
// stands for. Site A has ex:grade "A" (captured as a CURIE), site B has
// grade "B" (captured as the full IRI) and ex:audited (a CURIE), site C
// has no attribute.
func TestMasterDataExtensionAttributes(t *testing.T) {
	srv := MustServe(t, false, nil)
	const iri = "https://ex.example/md/"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "` + iri + `"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "urn:critmin:site:a", "attributes": [{"id": "ex:grade", "attribute": "A"}]},
  {"id": "urn:critmin:site:b", "attributes": [{"id": "` + iri + `grade", "attribute": "B"}, {"id": "ex:audited", "attribute": "true"}]}]}]}},
 "epcisBody": {"eventList": [` + extEvent("1", "a") + `, ` + extEvent("2", "b") + `, ` + extEvent("3", "c") + `]}}`
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	for q, want := range map[string][]string{
		"HASATTR_bizLocation=ex:grade":                 {"1", "2"},
		"HASATTR_bizLocation=" + iri + "grade":         {"1", "2"},
		"HASATTR_bizLocation=ex:audited":               {"2"},
		"HASATTR_bizLocation=" + iri + "audited":       {"2"},
		"EQ_ATTR_bizLocation_ex:grade=A":               {"1"},
		"EQ_ATTR_bizLocation_" + iri + "grade=A":       {"1"},
		"EQ_ATTR_bizLocation_ex:grade=B":               {"2"},
		"EQ_ATTR_bizLocation_" + iri + "grade=B":       {"2"},
		"EQ_ATTR_bizLocation_ex:grade=A%7CB":           {"1", "2"},
		"EQ_ATTR_bizLocation_ex:grade=C":               {},
		"HASATTR_bizLocation=" + iri + "nothing":       {},
		"EQ_ATTR_bizLocation_" + iri + "audited=false": {},
		"HASATTR_readPoint=ex:grade":                   {},
	} {
		name, val, _ := strings.Cut(q, "=")
		u := srv.URL + "/epcis/events?" + url.QueryEscape(name) + "=" + strings.ReplaceAll(url.QueryEscape(val), "%257C", "%7C")
		resp, body := do(t, "GET", u, viewerSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
			continue
		}
		d, err := epcis.ParseDocument(body, false)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, e := range d.Events {
			id := e.(map[string]any)["eventID"].(string)
			got = append(got, id[len(id)-1:])
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: events %v, want %v", q, got, want)
		}
	}
	// A prefix no capture declared is a 400 naming the parameter, never
	// an empty result.
	for _, q := range []string{"HASATTR_bizLocation=zz:grade", "EQ_ATTR_bizLocation_zz:grade=A"} {
		name, val, _ := strings.Cut(q, "=")
		resp, body := do(t, "GET", srv.URL+"/epcis/events?"+url.QueryEscape(name)+"="+url.QueryEscape(val), viewerSecret, nil, nil)
		if p := mustProblem(t, resp, body, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != name {
			t.Errorf("%s: %s", q, body)
		}
	}
}

func extEvent(n, site string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:uuid:5d000000-0000-4000-8000-00000000000` + n + `", "eventTime": "2025-10-01T08:00:0` + n + `Z", "eventTimeZoneOffset": "+00:00",
  "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.500` + n + `"], "bizLocation": {"id": "urn:critmin:site:` + site + `"}}`
}
