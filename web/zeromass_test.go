package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordCommissionZeroAndTinyMass (nu15f item 14): the commission
// form accepted a lot of 0 kg; it is refused on the mass field. A lot of
// 0.0000001 kg (1e-10 t = 0.0001 g) previews with its significant
// digits, "0.0001 g (0.0000001 kg)", never "0 t (0 kg)".
func TestRecordCommissionZeroAndTinyMass(t *testing.T) {
	ts := MustServe(t, false, nil)
	// The form's sites are the demo's master data (fix15 item 5).
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	for _, mass := range []string{"0", "-5"} {
		v := commissionForm()
		v.Set("step", "preview")
		v.Set("mass", mass)
		v.Set("uom", "KGM")
		resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
		page := html.UnescapeString(string(b))
		i := strings.Index(page, `id="f-mass"`)
		if resp.StatusCode != http.StatusBadRequest || i < 0 || !strings.Contains(page[i:i+strings.Index(page[i:], "</div>")], "must be more than 0") && mass == "0" {
			t.Errorf("mass %s kg: %d; want 400 with the mass refused", mass, resp.StatusCode)
		}
	}
	v := commissionForm()
	v.Set("step", "preview")
	v.Set("mass", "0.0000001")
	v.Set("uom", "KGM")
	resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
	page := string(b)
	if resp.StatusCode != http.StatusOK || strings.Contains(page, "0 t (0 kg)") || !strings.Contains(page, "0.0001 g (0.0000001 kg)") {
		t.Errorf("tiny mass: %d\n%s", resp.StatusCode, page)
	}
}
