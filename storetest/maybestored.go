package storetest

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
)

// eventIDsMaybeStored is the store method custody's capture-time check
// asks which of a document's packings and runs the store may hold
// (sqldb.DB.EventIDsMaybeStored).
type eventIDsMaybeStored interface {
	EventIDsMaybeStored(ctx context.Context, ids []string) (map[string]bool, error)
}

// testEventIDsMaybeStored: EventIDsMaybeStored is true for every eventID
// FindEventsByID finds, in any spelling, and false for one no record
// bears in any spelling FindEventsByID reads. Stored: the commissioning
// M-1 (canonical), the shipment ef…01 rewritten to the older version's
// spelling URN:UUID:EF…01, the hash ID of a third event and a declaration
// of M-1 (so M-1 has two records). Asked, with FindEventsByID's answer:
//
//	urn:critmin:event:M-1, URN:CRITMIN:event:M-1           found (canonically equal)
//	urn:uuid:ef…01, Urn:Uuid:eF…01, URN:UUID:EF…01           found (the legacy spelling)
//	ni:///sha-256;<hex> without ?ver=CBV2.0, with capital hex found
//	urn:critmin:event:m-1 (another NSS), urn:uuid:ef…02       not found
//	a text with a NUL (not storable)                         not found
//
// and every id asked is compared with FindEventsByID, one by one.
func testEventIDsMaybeStored(t *testing.T, open Opener) {
	s := open(t)
	ms, ok := s.(eventIDsMaybeStored)
	if !ok {
		t.Fatalf("store %T has no EventIDsMaybeStored", s)
	}
	ctx := context.Background()
	const (
		comm   = "urn:critmin:event:M-1"
		ship   = "urn:uuid:ef000000-0000-4000-8000-000000000001"
		legacy = "URN:UUID:EF000000-0000-4000-8000-000000000001"
		hashID = "ni:///sha-256;0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef?ver=CBV2.0"
	)
	obj := func(id, when, step string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
  "epcList": ["urn:t:c:M"], "bizLocation": {"id": "urn:t:site:mine-a"}}`
	}
	svc := service(s)
	MustCapture(t, svc, docOf(obj(comm, "2025-10-01T00:00:00Z", "inspecting"), obj(ship, "2025-10-02T00:00:00Z", "inspecting"), obj(hashID, "2025-10-03T00:00:00Z", "inspecting")))
	MustCapture(t, svc, docOf(`{"type": "ObjectEvent", "eventID": "`+comm+`", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
  "epcList": ["urn:t:c:M"], "bizLocation": {"id": "urn:t:site:mine-a"},
  "errorDeclaration": {"declarationTime": "2025-10-04T00:00:00Z", "reason": "incorrect_data"}}`))
	tamper(t, s, `UPDATE events SET event_id = '`+legacy+`', raw = REPLACE(raw, '`+ship+`', '`+legacy+`') WHERE event_id = '`+ship+`'`)
	found := []string{comm, "URN:CRITMIN:event:M-1", ship, "Urn:Uuid:eF000000-0000-4000-8000-000000000001", legacy,
		"ni:///sha-256;0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"}
	missing := []string{"urn:critmin:event:m-1", "urn:uuid:ef000000-0000-4000-8000-000000000002", "urn:critmin:event:M-1\x00"}
	got, err := ms.EventIDsMaybeStored(ctx, append(append([]string(nil), found...), missing...))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range found {
		evs, err := s.FindEventsByID(ctx, id)
		if err != nil || len(evs) == 0 {
			t.Errorf("FindEventsByID(%q): %v, %v; the fixture wants it found", id, evs, err)
		}
		if !got[id] {
			t.Errorf("EventIDsMaybeStored: %q false; FindEventsByID finds it, want true", id)
		}
	}
	for _, id := range missing {
		if _, err := s.FindEventsByID(ctx, id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("FindEventsByID(%q): %v; the fixture wants it not found", id, err)
		}
		if got[id] {
			t.Errorf("EventIDsMaybeStored: %q true; no record bears it in any spelling, want false", id)
		}
	}
	if empty, err := ms.EventIDsMaybeStored(ctx, nil); err != nil || len(empty) != 0 {
		t.Errorf("EventIDsMaybeStored(nil): %v, %v; want empty", empty, err)
	}
}
