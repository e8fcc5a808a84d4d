package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/ledger"
)

// TestBrowserCaptureOversizedDocument is an operator in headless
// Chromium choosing a 48 MiB document, 48 times the capture limit (1 MiB
// here, so the page's limit is 2 MiB), on the /capture page and pressing
// Capture with uploads throttled to 4 MiB/s: the browser must show the
// readable 413 page naming the limit, not a connection reset. Go stops
// reading at the limit, answers, half-closes the connection and waits
// (net/http's RST avoidance) before closing it, which is what lets the
// browser read the page while it is still sending. Nothing is stored.
func TestBrowserCaptureOversizedDocument(t *testing.T) {
	ts := MustServe(t, false, &ledger.Limits{MaxEvents: 10000, MaxBytes: 1 << 20, MaxXMLBytes: 1 << 20})
	doc := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(doc, []byte(`{"x":"`+strings.Repeat("a", 48<<20)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("sign in", chromedp.Navigate(ts.URL+"/login?next=/capture"))
	p.poll("sign-in form", func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && document.querySelector('input[name="token"]') !== null`))
	})
	p.do("sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
	)
	p.poll("capture form", func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && document.querySelector('#capture-form') !== null`))
	})
	// Uploads leave the browser at 4 MiB/s, as over a real link: the
	// server has answered and stopped reading long before the browser
	// has sent the 48 MiB (on loopback the kernel's buffers would
	// swallow the rest and hide the reset).
	p.do("throttle uploads", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: 4 << 20}}})
		return chromedp.Void{}, err
	})
	p.do("choose the document", chromedp.SetUploadFiles(chromedp.CSS(`#capture-form input[name="file"]`), []string{doc}))
	p.do("capture", chromedp.Click(chromedp.CSS(`#capture-form button`)))
	p.poll("the answer", func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && location.pathname === "/capture" && document.querySelector('#capture-form') === null`))
	})
	title := eval[string](p, `document.title`)
	body := eval[string](p, `document.body.innerText`)
	if !strings.Contains(title, "Upload too large") || !strings.Contains(body, "over the capture limit of 1 MiB") || !strings.Contains(body, "nothing was stored") {
		t.Errorf("after an oversized capture the browser shows %q:\n%.600s", title, body)
	}
	if n, err := ts.Store.CountEvents(t.Context()); err != nil || n != 0 {
		t.Errorf("%d events stored (%v)", n, err)
	}
}
