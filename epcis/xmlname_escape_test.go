package epcis

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestXMLNameEscapeRoundTrip: an event stored before capture refused
// extension keys that are no XML names ("ex:1st", "ex:a b", "ex:a/b", a
// prefix "1x") is served as well-formed XML, each such name escaped
// _xHHHH_, and reads back with its keys as stored; a key that merely looks
// like an escape ("ex:a_x0041_") is kept too. Before, "ex:1st" was written
// <ex:_st> (another key's name, and lost) and the prefix "1x" as
// xmlns:1x, which no XML parser reads.
func TestXMLNameEscapeRoundTrip(t *testing.T) {
	ctx := `["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/ex/", "1x": "https://example.org/one/"}]`
	raw := `{"type": "ObjectEvent", "eventID": "urn:uuid:5c000000-0000-4000-8000-000000000001", "eventTime": "2025-06-01T10:00:00Z",
	 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"],
	 "ex:1st": "a", "ex:_st": "b", "ex:a b": {"ex:c\u00e9/d": 1}, "ex:a_x0041_": "c", "1x:n": "d", "ex:😀": "e"}`
	ev := &critmin.Event{EventID: "urn:uuid:5c000000-0000-4000-8000-000000000001", Raw: json.RawMessage(raw), Context: json.RawMessage(ctx)}
	out, err := QueryDocumentXML([]*critmin.Event{ev}, "SimpleEventQuery", time.Unix(0, 0), CBVNoPreference)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(string(out)))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("XML result is not well-formed: %v\n%s", err, out)
		}
	}
	for _, want := range []string{"<ex:_x0031_st>", "<ex:_st>", "<ex:a_x0020_b>", "<ex:c\u00e9_x002F_d", "<ex:a_x005F_x0041_>", "<_x0031_x:n>", "<ex:_x0001F600_>"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("XML lacks %s:\n%s", want, out)
		}
	}
	x, err := FromXML(out, false)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(x.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	got := doc["epcisBody"].(map[string]any)["queryResults"].(map[string]any)["resultsBody"].(map[string]any)["eventList"].([]any)[0].(map[string]any)
	var want map[string]any
	_ = json.Unmarshal([]byte(raw), &want)
	for _, k := range []string{"ex:1st", "ex:_st", "ex:a b", "ex:a_x0041_", "1x:n", "ex:\U0001F600"} {
		w, g := want[k], got[k]
		if k == "ex:a b" {
			w = map[string]any{"ex:c\u00e9/d": "1"} // 1 typed xsd:decimal reads back as 1
			if m, ok := g.(map[string]any); ok {
				for kk, v := range m {
					if n, ok := v.(json.Number); ok {
						m[kk] = n.String()
					} else if f, ok := v.(float64); ok && f == 1 {
						m[kk] = "1"
					}
				}
			}
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("key %q: %#v read back as %#v", k, want[k], g)
		}
	}
	ctxs, _ := json.Marshal(doc["@context"])
	if !strings.Contains(string(ctxs), `"1x":"https://example.org/one/"`) {
		t.Errorf("prefix 1x not read back: %s", ctxs)
	}
	// Another writer's name that merely holds the pattern is kept.
	for in, want := range map[string]string{"_x0041_bc": "_x0041_bc", "a_x0020_b": "a b", "a_x005F_x0041_": "a_x0041_", "_x0031_st": "1st", "ab_x41_": "ab_x41_"} {
		if got := xmlNameDecode(in); got != want {
			t.Errorf("xmlNameDecode(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		key string
		ok  bool
	}{{"ex:a_x0041_", true}, {"ex:1st", false}, {"ex:a b", false}, {"ex:ok", true}} {
		if _, ok := XMLLocalName(parseStored(json.RawMessage(ctx)), c.key); ok != c.ok {
			t.Errorf("XMLLocalName(%q) ok = %v, want %v", c.key, ok, c.ok)
		}
	}
}
