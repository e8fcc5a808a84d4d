package ledger_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestShippedFromRetractedReceipt (issue 8 §2, fixJj item 1): lot W,
// 10 t at K, shipped whole K→H under B/L A on day 2, received at H on
// day 5, shipped whole H→S under B/L B on day 6. The receipt is then
// declared in error on its own: nothing of the lot stood at H when B
// left (its body was at sea from K), so B ships from the receipt
// declared in error. Not so while the receipt stands, nor of A (it left
// K, where the lot stood), nor when another receipt at H stands, nor
// when the lot's body left from H itself (its own trip continuing).
func TestShippedFromRetractedReceipt(t *testing.T) {
	t.Parallel()
	const id, k, h, s = "urn:lot:W", "urn:site:K", "urn:site:H", "urn:site:S"
	declared := func(e *critmin.Event) *critmin.Event {
		c := *e
		c.DeclaredInError = &critmin.ErrorDeclaration{Reason: "incorrect_data", DeclarationTime: at(7)}
		return &c
	}
	c := noBodyCommission(id, k, 10000)
	a := noBodyEv(id, "a", 2, "shipping", k, h, "A", kg(10000))
	r := noBodyEv(id, "r", 5, "receiving", h, "", "", kg(10000))
	b := noBodyEv(id, "b", 6, "shipping", h, s, "B", kg(10000))
	if got := ledger.ShippedFromRetractedReceipt(id, []*critmin.Event{c, a, r, b}, b); got != nil {
		t.Errorf("receipt standing: B flagged from %s; want not flagged", got.EventID)
	}
	rd := declared(r)
	if got := ledger.ShippedFromRetractedReceipt(id, []*critmin.Event{c, a, rd, b}, b); got == nil || got.EventID != "r" {
		t.Errorf("receipt declared: B flagged from %v; want the receipt r", got)
	}
	if got := ledger.ShippedFromRetractedReceipt(id, []*critmin.Event{c, a, rd, b}, a); got != nil {
		t.Errorf("A (from K, where the lot stood) flagged from %s", got.EventID)
	}
	r2 := noBodyEv(id, "r2", 4, "receiving", h, "", "", kg(10000))
	if got := ledger.ShippedFromRetractedReceipt(id, []*critmin.Event{c, a, r2, rd, b}, b); got != nil {
		t.Errorf("another receipt at H standing: B flagged from %s", got.EventID)
	}
	// The body shipped from H (a commissioning there), received there
	// in error, and shipped on from H: its own trip continuing.
	ch := noBodyCommission(id, h, 10000)
	a2 := noBodyEv(id, "a", 2, "shipping", h, s, "A", kg(10000))
	if got := ledger.ShippedFromRetractedReceipt(id, []*critmin.Event{ch, a2, rd, b}, b); got != nil {
		t.Errorf("body's trip from H continuing: B flagged from %s", got.EventID)
	}
}
