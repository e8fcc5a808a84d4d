package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestUnpackForm (issue 15, n15 item 2): there was no form for an
// unpacking (AggregationEvent DELETE, CBV unpacking), and the Pack form's
// refusal of a lot already in a container pointed the operator at
// writing that event in JSON-LD. Lot CO, 10,000 kg, is packed whole into
// C at the mine (fixPcDoc); D is another container.
//   - Pack CO into D: refused 409 under Lots packed, pointing at the
//     Unpack form, not at "AggregationEvent DELETE";
//   - Unpack 12,000 kg of CO from C: refused at preview, 409, as at capture
//     (C holds 10,000 kg: 12 t > 10 t);
//   - Unpack 4,000 kg of CO from C: the preview shows a DELETE, business
//     step unpacking, parentID C and CO's 4,000 kg; captured (303);
//   - Unpack C with no lot line (everything: the 10 − 4 = 6 t left):
//     captured, with no childQuantityList;
//   - Pack CO, 10,000 kg, into D: now taken at preview (nothing of CO is
//     in C: 4 + 6 = 10 t unpacked).
func TestUnpackForm(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, d, mine, port = "urn:epc:id:sscc:0614141.5000000066", "urn:epc:id:sscc:0614141.5000000073", "urn:t:site:mine-PAK", "urn:t:site:port"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPcDoc(c, mine, port))}); err != nil {
		t.Fatal(err)
	}
	if _, b := do(t, "GET", ts.URL+"/record", operatorSecret, nil, nil); !strings.Contains(string(b), `href="/record/unpack"`) {
		t.Errorf("/record does not link the Unpack form")
	}
	post := func(form, step, id string, v url.Values) (int, string) {
		v.Set("step", step)
		v.Set("eventID", id)
		resp, b := do(t, "POST", ts.URL+"/record/"+form, operatorSecret, []byte(v.Encode()), formHeader)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	packD := url.Values{"container": {d}, "lots": {"urn:t:lot:CO 10000 KGM"}, "time": {"2025-10-04T08:00"}, "tz": {"+00:00"}, "site": {mine}}
	code, page := post("pack", "preview", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000004d0", packD)
	if got := fieldText(page, "lots"); code != http.StatusConflict || !strings.Contains(got, "Unpack form") || strings.Contains(got, "AggregationEvent DELETE") {
		t.Errorf("CO packed into D while in C: %d, Lots field %q; want 409 pointing at the Unpack form, not at an AggregationEvent DELETE", code, got)
	}
	unpack := func(lots string) url.Values {
		return url.Values{"container": {c}, "lots": {lots}, "time": {"2025-10-03T08:00"}, "tz": {"+00:00"}, "site": {mine}}
	}
	code, page = post("unpack", "preview", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000004d1", unpack("urn:t:lot:CO 12000 KGM"))
	if code != http.StatusConflict || !strings.Contains(fieldText(page, "lots"), "line 1") {
		t.Errorf("12 t of CO unpacked from C holding 10 t: %d, Lots field %q; want 409 on line 1", code, fieldText(page, "lots"))
	}
	code, page = post("unpack", "preview", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000004d2", unpack("urn:t:lot:CO 4000 KGM"))
	for _, want := range []string{`"type": "AggregationEvent"`, `"action": "DELETE"`, `"bizStep": "unpacking"`, `"parentID": "` + c + `"`, `"quantity": 4000`} {
		if code != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("4 t of CO unpacked from C, preview: %d %s; want %s", code, fieldErrorText(page), want)
		}
	}
	if code, page = post("unpack", "capture", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000004d2", unpack("urn:t:lot:CO 4000 KGM")); code != http.StatusSeeOther && code != http.StatusOK {
		t.Fatalf("4 t of CO unpacked from C, capture: %d %s", code, fieldErrorText(page))
	}
	code, page = post("unpack", "preview", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000004d3", unpack(""))
	if code != http.StatusOK || strings.Contains(page, "childQuantityList") {
		t.Errorf("C unpacked of everything, preview: %d %s; want a DELETE with no childQuantityList", code, fieldErrorText(page))
	}
	if code, page = post("unpack", "capture", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000004d3", unpack("")); code != http.StatusSeeOther && code != http.StatusOK {
		t.Fatalf("C unpacked of everything, capture: %d %s", code, fieldErrorText(page))
	}
	if code, page = post("pack", "preview", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000004d4", packD); code != http.StatusOK {
		t.Errorf("CO packed into D after C was unpacked: %d %s; want the preview", code, fieldErrorText(page))
	}
}
