package epcis_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// TestQueryDocumentContexts: events of captures whose contexts agree share
// the result's @context; an event whose context gives a term another
// meaning keeps its own @context inline, whichever events share a context
// before and after it (the result reads each distinct context once).
func TestQueryDocumentContexts(t *testing.T) {
	a := json.RawMessage(`["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://a.example/"}]`)
	b := json.RawMessage(`["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://b.example/"}]`)
	ev := func(id string, ctx json.RawMessage) *critmin.Event {
		return &critmin.Event{EventID: id, Context: ctx, Raw: json.RawMessage(`{"type":"ObjectEvent","eventID":"` + id + `","ex:f":"1"}`)}
	}
	out, err := epcis.QueryDocument([]*critmin.Event{ev("e1", a), ev("e2", b), ev("e3", a), ev("e4", b)}, "SimpleEventQuery", time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Context   []json.RawMessage `json:"@context"`
		EPCISBody struct {
			QueryResults struct {
				ResultsBody struct {
					EventList []map[string]json.RawMessage `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Context) != 2 || string(doc.Context[1]) != `{"ex":"https://a.example/"}` {
		t.Errorf("document context %s", out)
	}
	list := doc.EPCISBody.QueryResults.ResultsBody.EventList
	if len(list) != 4 {
		t.Fatalf("%d events", len(list))
	}
	for i, inline := range []bool{false, true, false, true} {
		if _, has := list[i]["@context"]; has != inline {
			t.Errorf("event %d: inline @context %v, want %v", i+1, has, inline)
		}
	}
}
