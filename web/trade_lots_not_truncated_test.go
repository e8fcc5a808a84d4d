package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/web"
)

// TestTradeLotListsAreNotTruncated: the trade page's lots under contract
// are paged with their count, never cut silently, and the NSR form past
// its list of lots says how many there are and takes any lot's id.
//
// With limit=2 the demo's rows (each lot of each contract's commodity,
// once per contract: N = Σ over contracts of the commodity's lot count)
// come 2 a page; following "next" from the first page visits all N rows,
// each once. With the NSR form listing 2 lots, it names the total and
// still compares a lot that is not among the 2 listed.
func TestTradeLotListsAreNotTruncated(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	contracts, err := ts.Trade().Contracts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, c := range contracts {
		ls, _, err := ts.Store.FindLots(ctx, critmin.LotFilter{Commodity: c.Commodity, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			want[c.ID+" "+l.ID] = true
		}
	}
	if len(want) < 3 {
		t.Fatalf("only %d rows in the demo: paging by 2 checks nothing", len(want))
	}
	row := regexp.MustCompile(`/trade/settlement\?contract=([^&]+)&amp;lot=([^"]+)"`)
	next := regexp.MustCompile(`<a rel="next" href="([^"]+)"`)
	got := map[string]bool{}
	path, pages := "/trade?limit=2", 0
	for path != "" {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, nil)
		page := string(b)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if !strings.Contains(page, `id="trade-lots-count">`+strconv.Itoa(len(want))+` in all`) {
			t.Errorf("%s does not give the count %d", path, len(want))
		}
		i := strings.Index(page, `id="trade-lots"`)
		table := page[i : i+strings.Index(page[i:], "</table>")]
		rows := row.FindAllStringSubmatch(table, -1)
		if len(rows) > 2 {
			t.Errorf("%s shows %d rows, want at most 2", path, len(rows))
		}
		for _, m := range rows {
			lot, _ := url.QueryUnescape(html.UnescapeString(m[2]))
			k := m[1] + " " + lot
			if got[k] {
				t.Errorf("row %s shown twice", k)
			}
			got[k] = true
		}
		path = ""
		if m := next.FindStringSubmatch(page); m != nil {
			path = html.UnescapeString(m[1])
		}
		if pages++; pages > len(want) {
			t.Fatal("paging does not end")
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("row %s never shown", k)
		}
	}
	if resp, b := do(t, "GET", ts.URL+"/trade?limit=0", viewerSecret, nil, nil); resp.StatusCode != 400 || !strings.Contains(string(b), "limit") {
		t.Errorf("limit=0: %d, want 400 naming limit", resp.StatusCode)
	}

	defer web.SetTradeLotChoices(2)()
	_, b := do(t, "GET", ts.URL+"/trade/nsr", viewerSecret, nil, nil)
	form := string(b)
	if !strings.Contains(form, `id="nsr-lots-cut"`) || !strings.Contains(form, `<input name="lot" list="nsr-lots"`) {
		t.Fatalf("NSR form with 2 of more lots listed: no count and no free lot field:\n%s", form)
	}
	list := form[strings.Index(form, `<datalist id="nsr-lots">`):]
	list = list[:strings.Index(list, "</datalist>")]
	if strings.Count(list, "<option ") != 2 {
		t.Error("datalist does not suggest 2 lots")
	}
	// A lot the list does not suggest is still compared by its id.
	unlisted := ""
	for k := range want {
		if lot := k[strings.Index(k, " ")+1:]; !strings.Contains(list, `value="`+lot+`"`) {
			unlisted = lot
			break
		}
	}
	if unlisted == "" {
		t.Fatal("every lot is suggested: the list was not cut")
	}
	_, b = do(t, "GET", ts.URL+"/trade/nsr?as_of=2025-11-28&lot="+url.QueryEscape(unlisted), viewerSecret, nil, nil)
	if !strings.Contains(string(b), `id="nsr-subject"`) || !strings.Contains(string(b), `value="`+unlisted+`"`) {
		t.Errorf("lot %s, not in the list, is not compared or not kept in the form", unlisted)
	}
}
