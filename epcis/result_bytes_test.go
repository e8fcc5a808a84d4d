package epcis

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestQueryDocumentBytesUnchanged: queryDocument copies stored events into
// the result instead of letting json.Marshal compact them again; its
// output must be byte for byte what the former implementation
// (queryDocumentBefore, kept below as it was) wrote, for events as capture
// stores them (every official JSON example, decoded by the capture
// validator), for events holding what json.Marshal escapes or keeps
// (<, >, &, U+2028, U+2029, spaces and escapes inside strings, non-ASCII),
// for events TranslateEvent rewrote (its encoder does not escape HTML),
// for events not compact (pretty-printed), for an event whose context
// clashes (written with its own @context), and with a subscriptionID.
// compactEscaped is checked on its own cases too.
func TestQueryDocumentBytesUnchanged(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	var events []*critmin.Event
	files, _ := filepath.Glob("../testdata/epcis/examples/*.jsonld")
	more, _ := filepath.Glob("../testdata/epcis/examples/*/*.jsonld")
	files = append(files, more...)
	if len(files) < 10 {
		t.Fatalf("%d official examples found", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ParseDocument(b, false)
		if err != nil {
			continue // examples the capture refuses whole have no stored form
		}
		for i := range d.Events {
			if ev, e := d.Decode(i, now); e == nil {
				events = append(events, ev)
			}
		}
	}
	if len(events) < 40 {
		t.Fatalf("%d events decoded from the examples", len(events))
	}
	stored := len(events)
	ctx := json.RawMessage(`["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"cmtest":"https://cmtest.example/"}]`)
	clash := json.RawMessage(`["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"cmtest":"https://other.example/"}]`)
	for _, raw := range []string{
		`{"eventID":"e1","cmtest:note":"a <b> & c","type":"ObjectEvent"}`,
		`{"eventID":"e2","cmtest:note":"line\u2028sep\u2029par","type":"ObjectEvent"}`,
		"{\"eventID\":\"e3\",\"cmtest:note\":\"raw \u2028 and \u2029\",\"type\":\"ObjectEvent\"}",
		`{"eventID":"e4","cmtest:note":"Port Qasim \"quoted\" back\\slash \t tab","type":"ObjectEvent"}`,
		`{"eventID":"e5","cmtest:note":"Lahore – Karachi → 中文 é 🚢","type":"ObjectEvent"}`,
		`{ "eventID": "e6", "type": "ObjectEvent",
		  "epcList": [ "urn:epc:id:sgtin:0614141.107346.2018" ] }`,
		`{"eventID":"e7","cmtest:n":1.50,"cmtest:e":1e3,"cmtest:b":true,"cmtest:z":null,"cmtest:l":[],"cmtest:o":{},"type":"ObjectEvent"}`,
		`{"eventID":"e8","cmtest:note":"\u003c already escaped \u0026","type":"ObjectEvent"}`,
	} {
		events = append(events, &critmin.Event{Raw: json.RawMessage(raw), Context: ctx})
	}
	// A translated event: TranslateEvent writes "&" unescaped.
	tr, err := TranslateEvent(json.RawMessage(`{"eventID":"e9","epcList":["urn:epc:id:sgtin:0614141.107346.2018"],"cmtest:q":"a&b","type":"ObjectEvent"}`), AlwaysDigitalLink, nil)
	if err != nil || !bytes.Contains(tr, []byte("a&b")) {
		t.Fatalf("translated event %s, %v: want a&b unescaped", tr, err)
	}
	events = append(events, &critmin.Event{Raw: tr, Context: ctx})
	events = append(events, &critmin.Event{Raw: json.RawMessage(`{"eventID":"e10","cmtest:note":"<clash>","type":"ObjectEvent"}`), Context: clash})
	for _, c := range []struct {
		name   string
		events []*critmin.Event
		sub    string
	}{
		{"none", nil, ""},
		{"stored", events[:stored], ""},
		{"all", events, ""},
		{"all, subscription", events, "sub-1 <&>"},
	} {
		got, err := queryDocument(c.events, "SimpleEventQuery", c.sub, now)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want, err := queryDocumentBefore(c.events, "SimpleEventQuery", c.sub, now)
		if err != nil {
			t.Fatalf("%s: before: %v", c.name, err)
		}

		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s: output differs at byte %d:\n got  …%s\n want …%s", c.name, i, clip(got[i:]), clip(want[i:]))
		}
	}
	// Only the clashing event is written with its own @context (an event
	// with one starts {"@context":…); the others must reach the copy this
	// test is about.
	all, _ := queryDocument(events, "q", "", now)
	for _, start := range []string{`{"eventID":"e1"`, `{"eventID":"e2"`, `{"eventID":"e3"`, `{"eventID":"e4"`, `{"eventID":"e5"`, `{"eventID":"e6"`, `{"eventID":"e7"`, `{"eventID":"e8"`, `{"cmtest:q":"a\u0026b"`} {
		if !bytes.Contains(all, []byte(start)) {
			t.Errorf("event %s written with its own @context, or not at all: %s", start, all)
		}
	}
	if !bytes.Contains(all, []byte(`"eventID":"e10"`)) || bytes.Contains(all, []byte(`{"eventID":"e10"`)) {
		t.Errorf("event e10 not written with its own @context: %s", all)
	}
	// Every stored event takes the fast path (else the change saves
	// nothing); the others are each refused by it for their reason.
	fast := 0
	for _, ev := range events[:stored] {
		if compactEscaped(ev.Raw) {
			fast++
		}
	}
	if fast != stored {
		t.Errorf("%d of %d stored events take the fast path", fast, stored)
	}
	for raw, want := range map[string]bool{
		`{"a":"x y"}`:         true,
		`{"a":"\\"}`:          true,
		`{"a":"\"<"}`:         false,
		`{"a":"–"}`:           true,
		"{\"a\":\"\u2028\"}":  false,
		`{"a": "x"}`:          false,
		"{\"a\":\"x\"}\n":     false,
		`["a"]`:               false,
		`{"a":"unterminated}`: false,
		`{"a":"\u0026"}`:      true,
	} {
		if got := compactEscaped([]byte(raw)); got != want {
			t.Errorf("compactEscaped(%s) = %v, want %v", raw, got, want)
		}
	}
}

func clip(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return strings.ToValidUTF8(string(b), "?")
}

// queryDocumentBefore is queryDocument as it was before 2026-11-30: the
// document as a map, marshalled whole by json.Marshal.
func queryDocumentBefore(events []*critmin.Event, queryName, subscriptionID string, now time.Time) ([]byte, error) {
	defs := map[string]json.RawMessage{}
	var remote []string
	seenRemote := map[string]bool{}
	eventList := make([]json.RawMessage, 0, len(events))
	var inline = make([]bool, len(events))
	// Events of one capture share its context: each distinct context is
	// read once (reading it again for every event was 7 % of the CPU
	// under mixed load, docs/benchmarks.md). The terms maps are only read.
	type entries struct {
		urls  []string
		terms map[string]json.RawMessage
	}
	read := map[string]entries{}
	for i, ev := range events {
		e, ok := read[string(ev.Context)]
		if !ok {
			e.urls, e.terms = contextEntries(ev.Context)
			read[string(ev.Context)] = e
		}
		urls, terms := e.urls, e.terms
		for t, d := range terms {
			if old, ok := defs[t]; ok && !bytes.Equal(old, d) {
				inline[i] = true
				break
			}
			// A standard prefix given another meaning must not reach the
			// document's context, where it would change every other
			// event's fields that use the standard one.
			if std, ok := standardPrefixes[t]; ok {
				var iri string
				if json.Unmarshal(d, &iri) != nil || iri != std {
					inline[i] = true
					break
				}
			}
		}
		if inline[i] {
			continue
		}
		for t, d := range terms {
			defs[t] = d
		}
		for _, u := range urls {
			if !seenRemote[u] {
				seenRemote[u] = true
				remote = append(remote, u)
			}
		}
	}
	for i, ev := range events {
		raw := ev.Raw
		if inline[i] && len(ev.Context) > 0 {
			var m map[string]any
			if err := json.Unmarshal(ev.Raw, &m); err != nil {
				return nil, err
			}
			m["@context"] = json.RawMessage(ev.Context)
			b, err := json.Marshal(m)
			if err != nil {
				return nil, err
			}
			raw = b
		}
		eventList = append(eventList, raw)
	}
	ctx := []any{StandardContext}
	for _, u := range remote {
		ctx = append(ctx, u)
	}
	if len(defs) > 0 {
		ctx = append(ctx, defs)
	}
	doc := map[string]any{
		"@context":      ctx,
		"type":          "EPCISQueryDocument",
		"schemaVersion": "2.0",
		"creationDate":  now.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		"epcisBody": map[string]any{
			"queryResults": map[string]any{
				"queryName":   queryName,
				"resultsBody": map[string]any{"eventList": eventList},
			},
		},
	}
	if subscriptionID != "" {
		doc["epcisBody"].(map[string]any)["queryResults"].(map[string]any)["subscriptionID"] = subscriptionID
	}
	return json.Marshal(doc)
}
