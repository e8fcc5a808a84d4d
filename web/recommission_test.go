package web_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordCommissionExistingLotRefused (issue 15): commissioning the
// demo's consumed lot REE-2025-002 again as "antimony ore, AFG, 1 kg"
// was accepted and rewrote the lot. The preview names the lot as
// existing, with its commissioning date and event; a capture posted
// anyway is refused; the lot keeps its identity and status.
func TestRecordCommissionExistingLotRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-002"
	before, err := ts.Store.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ts.Store.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := commissionForm()
	v.Set("lot", lot)
	v.Set("commodity", "antimony_ore")
	v.Set("country", "PAK") // the mine (loe-shilman) is in PAK: another country is refused first (origin/mine contradiction)
	v.Set("mass", "1")
	for _, step := range []string{"preview", "capture"} {
		v.Set("step", step)
		v.Set("created", "2025-11-20T04:00:00.000Z")
		v.Set("eventID", "urn:uuid:6b1f3c2e-0000-4000-8000-00000000a015")
		resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
		page := html.UnescapeString(withIDs(string(b)))
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "lot "+lot+" already exists") ||
			!strings.Contains(page, "commissioned on "+before.FirstEventAt.UTC().Format("2006-01-02")+" by event ") {
			t.Errorf("%s: %d; want 409 (a conflict with the record) naming the lot as existing, commissioned on its date by its event\n%s", step, resp.StatusCode, page)
		}
		if strings.Contains(page, `id="confirm-form"`) {
			t.Errorf("%s: a second commissioning offers a confirmation", step)
		}
		// New-user check 3: the error is under the Lot field, and no raw
		// JSON pointer is shown on the form page.
		if i := strings.Index(page, `id="f-lot"`); i < 0 || !strings.Contains(page[i:i+strings.Index(page[i:], "</div>")], "already exists") {
			t.Errorf("%s: the lot-exists error is not under the Lot field", step)
		}
		if strings.Contains(page, "<code>/epcisBody") {
			t.Errorf("%s: the form page shows a raw JSON pointer", step)
		}
	}
	after, err := ts.Store.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	if after.Commodity != before.Commodity || after.OriginCountry != before.OriginCountry || after.Status != before.Status || after.WetTonnes != before.WetTonnes {
		t.Errorf("lot changed: %+v → %+v", before, after)
	}
	if m, err := ts.Store.CountEvents(ctx); err != nil || m != n {
		t.Errorf("%d events after the refusals, want %d (%v)", m, n, err)
	}
}
