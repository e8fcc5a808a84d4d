package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordMassUnits (issue 15, fix15b 1): lot lines and the unit of
// mass take only Rec 20 mass codes the ledger converts. Receiving the
// demo's REE-2025-003 (30,000 kg under BQM-HOU-2025-1112) as "30 MT" is
// refused under the lots with "write TNE"; "30 MTQ" (cubic metres,
// not a mass) is refused; the commission form's unit "MT" is refused under
// Unit of mass. "30 TNE" (30 t = the 30,000 kg shipped) previews. Nothing
// is stored.
func TestRecordMassUnits(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	receive := func(lots string) url.Values {
		return url.Values{"step": {"preview"}, "lots": {lots}, "bol": {"urn:critmin:demo:bol:BQM-HOU-2025-1112"},
			"time": {"2025-12-10T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}}
	}
	for _, c := range []struct{ unit, want string }{
		{"MT", `line 1: unit "MT" is not a UN/ECE Rec 20 mass unit: write TNE`},
		{"MTQ", `line 1: unit "MTQ" is not a UN/ECE Rec 20 mass unit critmin converts`},
	} {
		v := receive("urn:critmin:demo:lot:REE-2025-003 30 " + c.unit)
		resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
		if block := fieldBlock(string(b), "lots"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, c.want) {
			t.Errorf("30 %s: %d; lots shows %q, want %q", c.unit, resp.StatusCode, block, c.want)
		}
	}
	v := commissionForm()
	v.Set("step", "preview")
	v.Set("uom", "MT")
	resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
	if block := fieldBlock(string(b), "uom"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, "write TNE") {
		t.Errorf("commission in MT: %d; Unit of mass shows %q", resp.StatusCode, block)
	}
	v = receive("urn:critmin:demo:lot:REE-2025-003 30 TNE")
	if resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Errorf("30 TNE: %d\n%s", resp.StatusCode, b)
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by previews", after-before)
	}
}

// TestRecordFutureDate (issue 15, fix15b 5): the Commission form dated
// 2031-01-01, years after the server's clock, is refused under Date and
// time by the capture check the API shares (5 min of clock skew allowed);
// nothing is stored.
func TestRecordFutureDate(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	before, _ := ts.Store.CountEvents(ctx)
	v := commissionForm()
	v.Set("step", "capture")
	v.Set("time", "2031-01-01T08:00")
	resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
	if block := fieldBlock(string(b), "time"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, "by more than the allowed clock skew of 5 minutes") {
		t.Errorf("a commissioning in 2031: %d; Date and time shows %q", resp.StatusCode, block)
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored", after-before)
	}
}
