package web

import (
	"strings"
	"testing"
)

// TestMessagesNameEventListsOnce (issue 15, fix15b item 3): a message
// naming a list of events after the plural ("events urn:uuid:…, urn:uuid:…
// and urn:t:ev:7") read "events event 130a6d0a…, event 2b7c…": each label
// brought its own "event". After "events" (and through the list's ", ",
// " and ") the labels are the IDs' short forms alone; an event named on
// its own after other words keeps its "event".
func TestMessagesNameEventListsOnce(t *testing.T) {
	msg := "the shares changed after the run (it was 8 %; events urn:uuid:130a6d0a-1111-4111-8111-111111111111, urn:uuid:2b7c0000-1111-4111-8111-111111111111 and urn:critmin:demo:event:7): see urn:uuid:3c8d0000-1111-4111-8111-111111111111 and two stock surveys (events urn:critmin:demo:event:8 and urn:critmin:demo:event:9)"
	got := visible(string(refNames{}.readable(msg)))
	for _, bad := range []string{"events event", "event event", ", event 2b7c", "and event 7", "and event 9"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q in %q", bad, got)
		}
	}
	for _, want := range []string{"events 130a6d0a…, 2b7c0000… and 7)", "see event 3c8d0000…", "(events 8 and 9)"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not in %q", want, got)
		}
	}
}
