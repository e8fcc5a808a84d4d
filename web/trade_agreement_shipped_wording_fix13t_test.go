package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// fix13t item 6c: the agreement page said "Shipped is the settled value of
// the lots invoiced" while its shipped figure counted REE-2025-003, a lot
// shipped and not invoiced (at a what-if value). The sentence now says
// so whenever such lots are counted, with their number.
func TestAgreementShippedWordingCountsUninvoiced(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	p, err := ts.Trade().Progress(ctx, "USSM-FWO-MOU-2025", ts.Trade().Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ShippedNotInvoiced) == 0 {
		t.Fatal("the demo agreement counts no lot shipped and not invoiced; the test needs one")
	}
	_, body := do(t, "GET", ts.URL+"/trade/agreement", viewerSecret, nil, nil)
	page := string(body)
	want := "shipped under them and not yet invoiced at a what-if value"
	if !strings.Contains(page, want) {
		t.Errorf("agreement page does not say that shipped counts lots not invoiced (%q)", want)
	}
}
