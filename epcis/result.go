package epcis

import (
	"encoding/json"
	"time"

	"github.com/critmin/critmin"
)

// QueryDocument writes events as an EPCIS 2.0 EPCISQueryDocument (EPCIS
// 2.0 §8.2.7; REST binding). The document's @context is the standard one
// plus the prefix definitions the events were captured with; an event
// whose prefixes clash with another's keeps its own @context inline so
// that every extension field still expands to the IRI it was captured as.
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
	prefixes := map[string]string{}
	eventList := make([]json.RawMessage, 0, len(events))
	var inline = make([]bool, len(events))
	for i, ev := range events {
		c := parseStored(ev.Context)
		for p, ns := range c.prefixes {
			if old, ok := prefixes[p]; ok && old != ns {
				inline[i] = true
				break
			}
		}
		if !inline[i] {
			for p, ns := range c.prefixes {
				prefixes[p] = ns
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
	if len(prefixes) > 0 {
		ctx = append(ctx, prefixes)
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

func parseStored(raw json.RawMessage) *Context {
	var v any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &v)
	}
	return parseContext(v)
}
