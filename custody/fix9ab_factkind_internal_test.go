package custody

import (
	"testing"

	"github.com/critmin/critmin"
)

// TestLateFactNamedByBizStep (issue 9, fix9ab L2; nu9e G2): an event
// stating a lot's quantity recorded after a claim is named in the claim's
// not-covered reason by its movement's business step — a shipment of
// 0.5 t is "shipping", its receipt "receiving" — and only an event that
// weighs the lot (an inspection, no step, a Mass report) is "weighing".
func TestLateFactNamedByBizStep(t *testing.T) {
	q := 0.5
	qty := []critmin.QuantityElement{{EPCClass: "urn:t:lot:O", Quantity: &q, UOM: "TNE"}}
	for _, c := range []struct{ step, want string }{
		{"shipping", "shipping"},
		{"urn:epcglobal:cbv:bizstep:receiving", "receiving"},
		{"inspecting", "weighing"},
		{"", "weighing"},
	} {
		ev := &critmin.Event{Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: c.step, Quantities: qty}
		if got := lateFactKind(ev); got != c.want {
			t.Errorf("bizStep %q: %q, want %q", c.step, got, c.want)
		}
	}
}
