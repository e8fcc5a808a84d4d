package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
)

// TestBrowserFormTimeTypedWithOffset (issue 15, fix15c item 4): an
// operator types "2025-10-05 14:00 +05:00" into the Commission form's
// Date and time — keys, as a person does, not a value set by script —
// leaves the offset field empty, previews and confirms. The lot's event
// is captured at that offset: eventTime 2025-10-05T14:00:00+05:00, the
// instant 09:00 UTC, and eventTimeZoneOffset +05:00. The field's help
// says an offset may be typed in it. (With the field an
// <input type="datetime-local">, Chromium takes no such keys: the field
// stayed empty and the form was refused for want of a time.)
func TestBrowserFormTimeTypedWithOffset(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := t.Context()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("sign in", chromedp.Navigate(ts.URL+"/login?next=/record/commission"))
	p.waitFor(`input[name="token"]`)
	p.do("sign in", chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret), chromedp.Submit(chromedp.CSS(`input[name="token"]`)))
	p.waitFor("#record-form")
	if help := p.text("#f-time .note"); !strings.Contains(help, "2025-10-05 14:00 +05:00") {
		t.Errorf("the time field's help reads %q; want it to show a time typed with its offset", help)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-951"
	p.do("fill the form",
		chromedp.SetValue(chromedp.CSS("#in-lot"), lot),
		chromedp.SetValue(chromedp.CSS("#in-commodity"), "ree_concentrate"),
		chromedp.SetValue(chromedp.CSS("#in-mass"), "21000"),
		chromedp.SetValue(chromedp.CSS("#in-moisture"), "7.5"),
		chromedp.SetValue(chromedp.CSS("#in-assays"), "TREO 12.1 %"),
		chromedp.SetValue(chromedp.CSS("#in-country"), "PAK"),
		chromedp.SetValue(chromedp.CSS("#in-site"), "urn:critmin:demo:site:loe-shilman"),
		chromedp.Click(chromedp.CSS("#in-time")),
		chromedp.SendKeys(chromedp.CSS("#in-time"), "2025-10-05 14:00 +05:00"),
		chromedp.Click(chromedp.CSS("#preview-button")),
	)
	p.poll("the preview or the errors", func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && (document.querySelector("#preview") !== null || document.querySelector("#form-errors") !== null)`))
	})
	if eval[bool](p, `document.querySelector("#preview") === null`) {
		t.Fatalf("the form was refused; typed time %q\n%s", eval[string](p, `(document.querySelector("#in-time") || {}).value`), p.text("#form-errors"))
	}
	if doc := p.text("#preview"); !strings.Contains(doc, `"eventTime": "2025-10-05T14:00:00+05:00"`) || !strings.Contains(doc, `"eventTimeZoneOffset": "+05:00"`) {
		t.Errorf("the preview shows\n%s", doc)
	}
	p.do("confirm", chromedp.Click(chromedp.CSS("#confirm-button")))
	p.waitURL("/lots/")
	f, ok := ts.Store.(interface {
		LiveEventsOfLots(context.Context, []string) ([]*critmin.Event, error)
	})
	if !ok {
		t.Fatal("the test store cannot list a lot's events")
	}
	evs, err := f.LiveEventsOfLots(ctx, []string{lot})
	if err != nil || len(evs) != 1 {
		t.Fatalf("events of %s: %d, %v; want the one commissioning", lot, len(evs), err)
	}
	if at, off := evs[0].EventTime, evs[0].EventTimeZoneOffset; !at.Equal(time.Date(2025, 10, 5, 9, 0, 0, 0, time.UTC)) || off != "+05:00" {
		t.Errorf("captured eventTime %s, eventTimeZoneOffset %q; want 2025-10-05 09:00 UTC (14:00 +05:00) and +05:00", at.UTC(), off)
	}
}
