package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
)

// proseURNs are the raw identifiers (urn:…) left in a fragment's
// visible text, its JSON-LD blocks (<pre>), the user's own cells
// (details.row-values) and the event's own ID line left out: those are
// the raw record, not prose.
func proseURNs(fragment string) []string {
	for _, re := range []string{`(?s)<pre[^>]*>.*?</pre>`, `(?s)<details class="row-values">.*?</details>`, `(?s)<p class="mono" id="event-id">.*?</p>`, `(?s)<dd class="mono" id="event-hash">.*?</dd>`} {
		fragment = regexp.MustCompile(re).ReplaceAllString(fragment, "")
	}
	return regexp.MustCompile(`urn:[^\s<>"]+`).FindAllString(visibleText(fragment), -1)
}

// TestImportAndEventPagesNameNotURN (fix15x item 1): the import preview's
// event of each row and the event page name lots, sites, bills of lading
// and parties as operators know them — the lot's number, the site's
// master-data name, the CBV step's short name — never as raw URNs in
// their text; each identifier stays in a title.
func TestImportAndEventPagesNameNotURN(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	resp, b := send(t, "POST", ts.URL+"/import", []byte(weighbridgeMapping("preview").Encode()), map[string]string{"Content-Type": formHeader["Content-Type"], "Authorization": "Bearer " + operatorSecret})
	page := string(b)
	rows := regexp.MustCompile(`(?s)<ol class="import-rows" id="import-rows">.*?</ol>`).FindString(page)
	if resp.StatusCode >= 500 || rows == "" {
		t.Fatalf("import preview: %d, no rows", resp.StatusCode)
	}
	if u := proseURNs(rows); len(u) > 0 {
		t.Errorf("import preview rows print raw URNs: %q", u)
	}
	if !strings.Contains(rows, `title="urn:critmin:demo:lot:REE-2025-001"`) {
		t.Errorf("import preview rows keep no lot identifier in a title")
	}
	if msg := regexp.MustCompile(`(?s)<div class="errors" id="import-message">.*?</div>`).FindString(page); msg != "" {
		if u := proseURNs(msg); len(u) > 0 {
			t.Errorf("import message prints raw URNs: %q", u)
		}
	}
	// Every demo event's page.
	evs, err := ts.Store.FindEvents(context.Background(), critmin.EventFilter{Limit: 1000})
	if err != nil || len(evs.Events) == 0 {
		t.Fatalf("events: %v", err)
	}
	bad := 0
	for _, ev := range evs.Events {
		_, b := do(t, "GET", ts.URL+"/events/"+url.PathEscape(ev.EventID), operatorSecret, nil, map[string]string{"Accept": "text/html"})
		main := regexp.MustCompile(`(?s)<main.*?</main>`).FindString(string(b))
		if main == "" {
			main = string(b)
		}
		if u := proseURNs(main); len(u) > 0 && bad < 5 {
			bad++
			t.Errorf("event page of %s prints raw URNs: %q", ev.EventID, u)
		}
	}
}
