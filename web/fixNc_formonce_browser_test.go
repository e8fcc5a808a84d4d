package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
)

// TestBrowserRecordFormOnce (issue 15, fixNc item 1) in headless
// Chromium: an operator fills the sample form, previews and confirms it
// (one sampling stored), then sends the same page again — what the
// browser's back button and "Check and preview" send: the form's fields
// and its hidden key as they were — and confirms that too. The second
// round shows the event the first stored, marked already recorded, and
// offers no confirmation; the store holds one sampling more than before,
// not two.
func TestBrowserRecordFormOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := commissionForm()
	v.Set("step", "capture")
	if resp, b := send(t, "POST", ts.URL+"/record/commission", []byte(v.Encode()), map[string]string{"Content-Type": formHeader["Content-Type"], "Authorization": "Bearer " + operatorSecret}); resp.StatusCode != 303 {
		t.Fatalf("commission: %d\n%s", resp.StatusCode, b)
	}
	before, err := ts.Store.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("sign in", chromedp.Navigate(ts.URL+"/login?next=%2Frecord%2Fsample"))
	p.waitFor(`input[name="token"]`)
	p.do("sign in", chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret), chromedp.Submit(chromedp.CSS(`input[name="token"]`)))
	p.waitFor("#record-form")
	p.do("fill the sample form",
		chromedp.SetValue(chromedp.CSS("#in-lot"), "urn:critmin:demo:lot:REE-2025-900"),
		chromedp.SetValue(chromedp.CSS("#in-lab"), "urn:critmin:demo:lab:gsp-peshawar"),
		chromedp.SetValue(chromedp.CSS("#in-assays"), "TREO 12.4 %"),
		chromedp.SetValue(chromedp.CSS("#in-time"), "2025-11-21T09:00"),
		chromedp.SetValue(chromedp.CSS("#in-tz"), "+05:00"),
		chromedp.SetValue(chromedp.CSS("#in-site"), "urn:critmin:demo:site:loe-shilman"),
	)
	// The page as the back button finds it: its fields and hidden key.
	eval[bool](p, `(sessionStorage.setItem("sent", JSON.stringify([...new FormData(document.querySelector("#record-form"))])), true)`)
	p.do("preview", chromedp.Click(chromedp.CSS("#preview-button")))
	p.waitFor("#confirm-button")
	p.do("confirm", chromedp.Click(chromedp.CSS("#confirm-button")))
	p.waitURL("/events/")
	id, _ := url.PathUnescape(eval[string](p, `location.pathname.slice("/events/".length)`))
	// Back to the form as it was, "Check and preview" again, then
	// "Confirm" on what that shows (it offers nothing to confirm).
	p.do("the same form again", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.createElement("form"); f.method = "post"; f.action = "/record/sample";
		for (const [k, v] of JSON.parse(sessionStorage.getItem("sent"))) { const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; f.append(i); }
		const s = document.createElement("input"); s.type = "hidden"; s.name = "step"; s.value = "preview"; f.append(s);
		document.body.append(f); f.submit();
	})()`))
	// The answer, whatever it is: already recorded, or (the defect) a
	// preview to confirm, or errors.
	p.waitFor("#already-recorded, #preview-ok, #form-errors")
	if p.n("#confirm-button") != 0 {
		// Confirmed, as an operator would.
		p.do("confirm again", chromedp.Click(chromedp.CSS("#confirm-button")))
		p.waitURL("/events/")
	}
	if p.n("#already-recorded") == 0 {
		t.Errorf("the form sent again is not shown as already recorded")
	} else if got := p.text("#already-recorded"); !strings.Contains(got, "already recorded") || !strings.Contains(got, "nothing was captured again") {
		t.Errorf("the form sent again reads %q", got)
	}
	if href := eval[string](p, `(document.querySelector('a[href^="/events/"]') || {}).getAttribute?.("href") || ""`); href != "/events/"+url.PathEscape(id) {
		t.Errorf("the already-recorded page links %q; want the stored event %s", href, id)
	}
	after, err := ts.Store.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after-before != 1 {
		t.Errorf("%d events stored by the form sent twice; want 1", after-before)
	}
}
