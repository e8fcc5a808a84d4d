package epcis

import (
	"bytes"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/critmin/critmin"
)

// QueryDocument writes events as an EPCIS 2.0 EPCISQueryDocument (EPCIS
// 2.0 §8.2.7; REST binding). The document's @context is the standard one,
// the remote contexts the events were captured with and their term
// definitions as captured (prefixes, and terms with @id/@type), so that
// every extension field reads as it was captured; an event whose
// definitions clash with another's keeps its own @context inline.
func QueryDocument(events []*critmin.Event, queryName string, now time.Time) ([]byte, error) {
	return queryDocument(events, queryName, "", now)
}

// SubscriptionDocument is the EPCISQueryDocument a subscription sends
// (EPCIS 2.0 §8.2.5, REST binding callback): QueryDocument with the
// subscriptionID in queryResults.
func SubscriptionDocument(events []*critmin.Event, queryName, subscriptionID string, now time.Time) ([]byte, error) {
	return queryDocument(events, queryName, subscriptionID, now)
}

func queryDocument(events []*critmin.Event, queryName, subscriptionID string, now time.Time) ([]byte, error) {
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
	size := 256
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
		size += len(raw) + 1
	}
	ctx := []any{StandardContext}
	for _, u := range remote {
		ctx = append(ctx, u)
	}
	if len(defs) > 0 {
		ctx = append(ctx, defs)
	}
	// The document is written as json.Marshal wrote it from a map (keys
	// sorted, compact, HTML-escaped), field by field, so that the events
	// can be copied as stored instead of compacted again by encoding/json
	// (8 % of a query's CPU under mixed load, docs/benchmarks.md).
	// TestQueryDocumentBytesUnchanged holds the output equal to
	// json.Marshal's.
	out := bytes.NewBuffer(make([]byte, 0, size))
	put := func(v any) error {
		b, err := json.Marshal(v)
		out.Write(b)
		return err
	}
	out.WriteString(`{"@context":`)
	if err := put(ctx); err != nil {
		return nil, err
	}
	out.WriteString(`,"creationDate":`)
	_ = put(now.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	out.WriteString(`,"epcisBody":{"queryResults":{"queryName":`)
	_ = put(queryName)
	out.WriteString(`,"resultsBody":{"eventList":[`)
	for i, raw := range eventList {
		if i > 0 {
			out.WriteByte(',')
		}
		if compactEscaped(raw) {
			out.Write(raw)
		} else if err := put(raw); err != nil {
			return nil, err
		}
	}
	out.WriteString(`]}`)
	if subscriptionID != "" {
		out.WriteString(`,"subscriptionID":`)
		_ = put(subscriptionID)
	}
	out.WriteString(`}},"schemaVersion":"2.0","type":"EPCISQueryDocument"}`)
	return out.Bytes(), nil
}

// compactEscaped reports whether raw, a JSON object, is already as
// json.Marshal writes a json.RawMessage: no whitespace outside strings,
// and no '<', '>', '&', U+2028 or U+2029 anywhere (json.Marshal writes
// them as \u escapes). Stored events are (decodeValue writes them with
// json.Marshal); an event written otherwise (TranslateEvent's encoder
// does not escape HTML) goes through json.Marshal, as before. raw must be
// valid JSON: stored events are json.Marshal's output, and the record
// hash covers them (critmin verify).
func compactEscaped(raw []byte) bool {
	if len(raw) == 0 || raw[0] != '{' {
		return false
	}
	in, esc := false, false
	for i, c := range raw {
		switch {
		case esc:
			esc = false
		case c == '<' || c == '>' || c == '&':
			return false
		case c == 0xE2 && i+2 < len(raw) && raw[i+1] == 0x80 && (raw[i+2] == 0xA8 || raw[i+2] == 0xA9):
			// U+2028, U+2029 (E2 80 A8/A9).
			return false
		case in:
			switch c {
			case '\\':
				esc = true
			case '"':
				in = false
			}
		case c == '"':
			in = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return !in
}

// EventDocument is the answer of GET /epcis/events/{eventID} in JSON: the
// REST binding's 200EPCISQueryDocumentSinglePage (openapi.yaml, path
// /events/{eventID}: "an EPCISQueryDocument enclosing the unique event and
// error declarations"), as the XML binding answers too (EventXML). An
// event declared in error carries the (first) declaration's
// errorDeclaration (EPCIS 2.0 §7.4.1.2).
func EventDocument(ev *critmin.Event, now time.Time) ([]byte, error) {
	one := *ev
	if d := ev.DeclaredInError; d != nil && len(d.Raw) > 0 {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(ev.Raw, &m); err != nil {
			return nil, err
		}
		if _, has := m["errorDeclaration"]; !has {
			m["errorDeclaration"] = d.Raw
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		one.Raw = raw
	}
	return QueryDocument([]*critmin.Event{&one}, "SimpleEventQuery", now)
}

// EventWithContext returns one stored event as a stand-alone JSON-LD
// object carrying its @context. An event declared in error carries the
// (first) declaration's errorDeclaration — declarationTime, reason,
// correctiveEventIDs — as EPCIS 2.0 §7.4.1.2 shapes a declared event.
func EventWithContext(ev *critmin.Event) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(ev.Raw, &m); err != nil {
		return nil, err
	}
	if d := ev.DeclaredInError; d != nil && len(d.Raw) > 0 {
		if _, has := m["errorDeclaration"]; !has {
			m["errorDeclaration"] = d.Raw
		}
	}
	if len(ev.Context) > 0 {
		m["@context"] = json.RawMessage(ev.Context)
	} else {
		m["@context"] = StandardContext
	}
	return json.Marshal(m)
}

// contextEntries splits a stored @context into its remote context URLs
// (the standard one left out) and its term definitions, as captured.
func contextEntries(raw json.RawMessage) (remote []string, terms map[string]json.RawMessage) {
	terms = map[string]json.RawMessage{}
	if len(raw) == 0 {
		return nil, terms
	}
	var list []json.RawMessage
	if raw[0] == '[' {
		_ = json.Unmarshal(raw, &list)
	} else {
		list = []json.RawMessage{raw}
	}
	for _, e := range list {
		var u string
		if json.Unmarshal(e, &u) == nil {
			if !isStandardContext(u) {
				remote = append(remote, u)
			}
			continue
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(e, &m) == nil {
			for k, d := range m {
				terms[k] = d
			}
		}
	}
	return remote, terms
}

func parseStored(raw json.RawMessage) *Context {
	if c, ok := storedContexts.Load(string(raw)); ok {
		return c.(*Context)
	}
	var v any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &v)
	}
	c := parseContext(v)
	// A store holds few distinct @contexts (a corridor repeats one), and
	// every stored event is decoded with one; a parsed context is never
	// changed (merge makes a new one), so it is shared. The cache is
	// bounded against a store of many.
	if storedContextCount.Add(1) <= 1024 {
		storedContexts.Store(string(raw), c)
	}
	return c
}

var (
	storedContexts     sync.Map // @context text → *Context
	storedContextCount atomic.Int64
)
