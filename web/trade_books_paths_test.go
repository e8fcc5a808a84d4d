package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// Issue 13, new-user check (fix13k, 3): with an open contract of two
// other parties beside the demo's, /trade/exposure answered 400 ("the
// open contracts share no party … name the party") and offered no way to
// pick a book. It now lists the books as links; the API's 400 lists them.
func TestExposurePageOffersTheBooks(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	mine, smelter := "urn:critmin:test:party:mine", "urn:critmin:test:party:smelter"
	raw, err := os.ReadFile("../commercial/demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["id"], m["seller"], m["buyer"] = "T-OTHER", mine, smelter
	delete(m, "assay_exchange")
	body, _ := json.Marshal(m)
	if _, err := ts.Trade().SaveContract(ctx, body); err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:test:lot:OTHER-A"
	qty := []any{map[string]any{"epcClass": lot, "quantity": 100000, "uom": "KGM"}}
	doc, _ := json.Marshal(map[string]any{"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
		"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-02T08:00:00Z", "epcisBody": map[string]any{"eventList": []any{
			map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13e0000-0000-4000-8000-000000000001", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
				"action": "ADD", "bizStep": "commissioning", "quantityList": qty,
				"destinationList": []any{map[string]any{"type": "owning_party", "destination": mine}},
				"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
					map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
					map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
			map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13e0000-0000-4000-9000-000000000001", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
				"quantityList": qty, "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:OTHER-1"}}}}}})
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: doc, Token: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Trade().IssueAt(ctx, "T-OTHER", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/exposure?as_of=2025-10-15", viewerSecret, nil, nil)
	page := string(b)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="exposure-books"`) ||
		!strings.Contains(page, `href="/trade/exposure?book=urn%3acritmin%3atest%3aparty%3asmelter&amp;as_of=2025-10-15"`) &&
			!strings.Contains(page, `href="/trade/exposure?book=urn%3Acritmin%3Atest%3Aparty%3Asmelter&amp;as_of=2025-10-15"`) {
		t.Errorf("exposure page without a book: %d, want the books offered as links\n%s", resp.StatusCode, page)
	}
	resp, b = do(t, "GET", ts.URL+"/trade/exposure?as_of=2025-10-15&book="+smelter, viewerSecret, nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `title="urn:critmin:demo:party:ussm">`) || strings.Contains(string(b), "urn:critmin:demo:party:ussm</a>") {
		// The other book is linked by its party's name, the URN in the
		// link's title (fix15q: no raw identifiers where names are read).
		t.Errorf("smelter's exposure page: %d, want the other books linked", resp.StatusCode)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/exposure?as_of=2025-10-15", viewerSecret, nil, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), mine) || !strings.Contains(string(b), "urn:critmin:demo:party:ussm") {
		t.Errorf("API exposure without a book: %d %s; want 400 listing the parties", resp.StatusCode, b)
	}
}

// Issue 13, new-user check (fix13k, 8): GET /trade/invoices answered 405
// (only the form's POST was routed); every /trade address a user may
// type answers a page (or leads to one), never 405.
func TestTradeAddressesAnswerGET(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, p := range []string{"/trade", "/trade/contracts", "/trade/invoices", "/trade/agreement", "/trade/exposure", "/trade/nsr", "/trade/settlement"} {
		resp, _ := do(t, "GET", ts.URL+p, viewerSecret, nil, nil)
		if resp.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("GET %s: 405", p)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/trade/invoices", viewerSecret, nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="invoices"`) {
		t.Errorf("GET /trade/invoices: %d, want the trade page's invoice list", resp.StatusCode)
	}
}
