package storetest

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// planner is what a store offers to show how it looks events up by ID.
type planner interface {
	EventIDLookupPlans(ctx context.Context) (map[string][]string, error)
}

// fullScan matches a plan line that reads the whole event table: SQLite's
// "SCAN e" / "SCAN events" (with or without a covering index, which still
// reads every entry) and PostgreSQL's "Seq Scan on events".
var fullScan = regexp.MustCompile(`^\s*(SCAN (e|d|events)\b|.*Seq Scan on events\b)`)

// testEventIDLookupUsesIndex checks the plans of GET /epcis/events/{eventID}
// and EQ_eventID (issue 11 §7): both must reach the event through an index
// on event_id, never by scanning the event table.
func testEventIDLookupUsesIndex(t *testing.T, open Opener) {
	st := open(t)
	p, ok := st.(planner)
	if !ok {
		t.Fatalf("%T does not report its event-ID lookup plans", st)
	}
	plans, err := p.EventIDLookupPlans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"byID", "EQ_eventID"} {
		lines := plans[name]
		if len(lines) == 0 {
			t.Fatalf("%s: no plan", name)
		}
		all := strings.Join(lines, "\n")
		for _, l := range lines {
			if fullScan.MatchString(l) {
				t.Errorf("%s scans the event table:\n%s", name, all)
			}
		}
		if !strings.Contains(all, "events_event_id_any") {
			t.Errorf("%s does not use events_event_id_any:\n%s", name, all)
		}
		t.Logf("%s plan:\n%s", name, all)
	}
	// The look-ups of other letter cases (migration 0065): eventIDs through
	// events_event_id_lower; correctiveEventIDs through an index limited
	// to the corrective rows (event_attrs_corrective_lower, or SQLite's
	// covering event_attrs_value on kind = 'corrective'), never a scan of
	// all of event_attrs.
	if all := strings.Join(plans["anyCase"], "\n"); fullScan.MatchString(all) || !strings.Contains(all, "events_event_id_lower") {
		t.Errorf("anyCase does not use events_event_id_lower:\n%s", all)
	}
	all := strings.Join(plans["anyCaseCorrective"], "\n")
	if len(plans["anyCaseCorrective"]) == 0 || attrsScan.MatchString(all) || !strings.Contains(all, "event_attrs_corrective_lower") && !strings.Contains(all, "event_attrs_value (kind=?)") {
		t.Errorf("anyCaseCorrective scans event_attrs:\n%s", all)
	}
	t.Logf("anyCase plans:\n%s\n%s", strings.Join(plans["anyCase"], "\n"), all)
}

// attrsScan is a plan line reading the whole of event_attrs.
var attrsScan = regexp.MustCompile(`(?m)^\s*(SCAN event_attrs\b|.*Seq Scan on event_attrs\b)`)
