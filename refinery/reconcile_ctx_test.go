package refinery_test

import (
	"context"
	"errors"
	"testing"

	"github.com/critmin/critmin/refinery"
)

// TestReconcileContextCancelled: a reconciliation whose request context
// is already done (a client that disconnected) stops with the context's
// error instead of solving.
func TestReconcileContextCancelled(t *testing.T) {
	p, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := refinery.ReconcileContext(ctx, p); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v; want context.Canceled", err)
	}
	if _, err := refinery.ReconcileContext(context.Background(), p); err != nil {
		t.Errorf("live context: %v", err)
	}
}
