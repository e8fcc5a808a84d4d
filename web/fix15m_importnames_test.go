package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportSummaryNamesReadably (issue 15, fix15m item 5): the import
// preview's summary sentence (rows: "1 conflicts with the record: row 2
// — …") and each row's mass sentence name identifiers as the rest of
// the page does — "event 3153394f…", the URN in the title — never a bare
// urn:… in the text. Ticket KHI-WB-1001, imported at 24,950 kg, is
// previewed again at 24,960 kg: a conflict with the record naming the
// stored event.
func TestImportSummaryNamesReadably(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	c := weighbridgeMapping("capture")
	c.Set("behaviour", "proceed")
	if resp, _ := send(t, "POST", ts.URL+"/import", []byte(c.Encode()), map[string]string{"Content-Type": formHeader["Content-Type"], "Authorization": "Bearer " + operatorSecret}); resp.StatusCode != 303 {
		t.Fatalf("import: %d", resp.StatusCode)
	}
	v := weighbridgeMapping("preview")
	v.Set("csv", "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg),Moisture %\nKHI-WB-1001,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,39960,15000,24960,8.0\n")
	_, b := send(t, "POST", ts.URL+"/import", []byte(v.Encode()), map[string]string{"Content-Type": formHeader["Content-Type"], "Authorization": "Bearer " + operatorSecret})
	page := string(b)
	kinds := regexp.MustCompile(`(?s)<span id="import-kinds">(.*?)</span>\)`).FindStringSubmatch(page)
	if kinds == nil || !strings.Contains(kinds[1], "conflicts with the record") {
		i := strings.Index(page, "import-summary")
		if i < 0 {
			i = strings.Index(page, "import-message")
		}
		t.Fatalf("no conflict in the summary: %.1500s", page[max(i, 0):])
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(kinds[1], "")
	if strings.Contains(text, "urn:critmin:demo:lot:") || !strings.Contains(kinds[1], `<abbr class="ref" title="urn:uuid:`) {
		t.Errorf("the summary shows a bare URN, not a readable name with the URN in a title: %s", kinds[1])
	}
	for _, m := range regexp.MustCompile(`<p class="row-mass"[^>]*>(.*?)</p>`).FindAllStringSubmatch(page, -1) {
		if strings.Contains(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], ""), "urn:") {
			t.Errorf("a row's mass sentence shows a URN: %s", m[1])
		}
	}
}
