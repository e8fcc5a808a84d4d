package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestOperatorStatesMassChangeReason (issue 15, fix15m item 8): the
// stated reason for a weighing outside tolerance (cm:massChangeReason)
// is no longer API-only. The Receive form's "Reason for a weight change"
// and the weighbridge import's optional "Reason for a weight change"
// column put it on the event, and the preview shows it.
func TestOperatorStatesMassChangeReason(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	reason := "screened: 1.2 t of oversize removed"
	v := url.Values{"step": {"preview"}, "lots": {"urn:critmin:demo:lot:REE-2025-001 24000 KGM"}, "bol": {"urn:critmin:demo:bol:KHI-HOU-2025-0901"},
		"mass_reason": {reason}, "time": {"2025-11-20T09:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}}
	_, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
	page := html.UnescapeString(string(b))
	if !strings.Contains(page, `name="mass_reason"`) || !strings.Contains(page, `"cm:massChangeReason": "`+reason+`"`) {
		t.Errorf("the Receive form's preview lacks the field or the event's cm:massChangeReason %q", reason)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg),Reason\nKHI-WB-WHY-1,urn:critmin:demo:lot:REE-2025-001,2025-09-01 08:00,24000," + reason + "\n"
	w := weighbridgeMapping("preview")
	w.Set("csv", csv)
	w.Del("col_gross_kg")
	w.Del("col_tare_kg")
	w.Del("col_moisture_pct")
	w.Set("col_mass_reason", "Reason")
	_, out := postImport(t, ts, w)
	out = html.UnescapeString(out)
	if !strings.Contains(out, `"cm:massChangeReason": "`+reason+`"`) && !strings.Contains(out, `"cm:massChangeReason":"`+reason+`"`) {
		t.Errorf("the import preview lacks cm:massChangeReason %q:\n%s", reason, out)
	}
}
