package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportAmbiguousThousands (issue 15, fix15 item 1): a file separated
// by semicolons is what a spreadsheet in a decimal-comma locale writes,
// where "24.950" is 24,950 kg (a point between thousands) but a
// point-locale reader takes it for 24.95 kg — 1,000 times less. With no
// decimal mark stated the cell is refused naming its row and column and
// both readings; nothing is stored. Stated as comma, "24.950" reads
// 24950 kg and "24950,5" 24950.5 kg (both rows valid).
func TestImportAmbiguousThousands(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	semi := "Ticket;Lot No;Weighed at;Net (kg)\n" +
		"A1;urn:critmin:demo:lot:REE-2025-001;2025-08-29 14:10;24.950\n" +
		"A2;urn:critmin:demo:lot:REE-2025-001;2025-08-29 14:20;24950,5\n"
	form := url.Values{"source": {"de-weighbridge"}, "kind": {"weighbridge"}, "csv": {semi}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	resp, page := postImport(t, ts, form)
	page = html.UnescapeString(withIDs(page))
	want := `<a href="#row-2">2</a></td><td>Net (kg)</td><td>"24.950" is ambiguous in a file separated by semicolons`
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) || !strings.Contains(page, "it is 24950 if the mark separates thousands, 24.95 if it is the decimal mark") {
		t.Errorf("24.950 in a ;-file is not refused on row 2 with both readings: %d\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `<a href="#row-3">3</a></td><td>Net (kg)</td><td>"24950,5" looks like a number with a decimal comma: use a decimal point (24950.5), or choose decimal mark ","`) {
		t.Errorf("24950,5 is not refused on row 3 without a stated decimal mark")
	}
	form.Set("step", "capture")
	form.Set("behaviour", "proceed")
	postImport(t, ts, form)
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored from a file whose every row is refused", after-before)
	}

	form.Set("step", "preview")
	form.Del("behaviour")
	form.Set("def_decimal", "comma")
	resp, page = postImport(t, ts, form)
	page = html.UnescapeString(withIDs(page))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>2 valid</strong>") {
		t.Errorf("with the decimal mark stated as comma: %d; want 2 valid rows\n%s", resp.StatusCode, page)
	}
	// The events carry the numbers with a decimal point: 24.950 → 24950,
	// 24950,5 → 24950.5.
	for _, q := range []string{`"quantity": 24950,`, `"quantity": 24950.5,`} {
		if !strings.Contains(page, q) {
			t.Errorf("preview lacks %s", q)
		}
	}
}

// TestImportOffsetWording (fix15 item 8): a file's time zone "+5" is
// refused as the file's offset, saying the form it takes and what to
// write (+05:00), not as an unreadable date and time.
func TestImportOffsetWording(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg)\nB1,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,24950\n"
	_, page := postImport(t, ts, url.Values{"source": {"tz-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+5"}})
	page = html.UnescapeString(withIDs(page))
	if !strings.Contains(page, `Time zone offset: offset "+5" is not ±hh:mm, a sign, two digits of hours, a colon and two of minutes (+05:00 for Pakistan, -06:00 for Houston): write +05:00`) {
		t.Errorf("+5 is not refused as the offset with +05:00 to write\n%s", page)
	}
}

// TestImportSameInstantAcrossCaptures (fix15 item 2): weighbridge source
// A stores a weighing of REE-2025-001 at 2025-08-29 14:10 +05:00, 24,950
// kg. Source B's ticket of the same lot and instant with 24,900 kg is
// refused on its row, naming A's event; nothing more is stored. B's
// ticket with the same 24,950 kg is accepted (the same reading again).
func TestImportSameInstantAcrossCaptures(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	form := func(source, net string) url.Values {
		csv := "Ticket,Lot No,Weighed at,Net (kg)\nT1,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10," + net + "\n"
		return url.Values{"source": {source}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"capture"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	before, _ := ts.Store.CountEvents(ctx)
	postImport(t, ts, form("weighbridge-a", "24950"))
	mid, _ := ts.Store.CountEvents(ctx)
	if mid != before+1 {
		t.Fatalf("source A stored %d events; want 1", mid-before)
	}
	_, page := postImport(t, ts, form("weighbridge-b", "24900"))
	page = html.UnescapeString(withIDs(page))
	if !strings.Contains(page, "lot urn:critmin:demo:lot:REE-2025-001 already has a wet mass reading of 24,950 kg at 2025-08-29T14:10:00+05:00 (event urn:uuid:") || !strings.Contains(page, "this one says 24,900 kg") {
		t.Errorf("a different weighing at the same instant is not refused naming the first:\n%s", page)
	}
	if n, _ := ts.Store.CountEvents(ctx); n != mid {
		t.Errorf("%d events stored from a refused file", n-mid)
	}
	postImport(t, ts, form("weighbridge-b", "24950"))
	if n, _ := ts.Store.CountEvents(ctx); n != mid+1 {
		t.Errorf("the same reading from source B: %d events stored; want 1", n-mid)
	}
}
