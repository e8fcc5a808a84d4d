package web

import (
	"strings"
	"testing"
)

// TestReadableNamesHashEventIDs (fix15j item 1): an event whose ID is
// its hash (CBV 2.0 §8.9, ni:///sha-256;…?ver=CBV2.0) is named on a
// page, as a UUID event is, by "event" and the first eight hex digits,
// the full ID kept in the title; a URN event ID by its tail.
func TestReadableNamesHashEventIDs(t *testing.T) {
	id := "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0"
	got := string(refNames{}.readable("no event " + id + "; nothing stored"))
	want := `no event <abbr class="ref" title="` + id + `" data-id="` + id + `">df7bb3c3…</abbr>; nothing stored` // "no event df7bb3c3…", not "no event event …"
	if got != want {
		t.Errorf("readable:\n%s\nwant:\n%s", got, want)
	}
	if ids := refIDs("events " + id + " and urn:critmin:demo:event:001."); len(ids) != 2 || ids[0] != id || ids[1] != "urn:critmin:demo:event:001" {
		t.Errorf("refIDs = %q", ids)
	}
	if strings.Contains(string(refNames{}.readable("urn:uuid:0f8e7d6c-1111-2222-3333-444455556666")), ">urn:") {
		t.Error("a UUID event ID shown raw")
	}
}
