package http_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// Issue 13, fifth new-user check through the API. On 1 Dec 2025 the
// magnet maker's book is the demo NdPr oxide lot (1 150 kg product,
// 100 % payable: 1 150 kg long); the REE contract it is no party to is
// left out and listed (before: 400 naming book). A basket lot's payable
// TREO is its basis_kg, never a key of long_kg. The REE contract's open
// lots left out are 3: two invoiced provisionally and REE-2025-003,
// shipped under it and not yet invoiced (fix13t: exposure before the
// invoice).
func TestTradeAPIExposureBookOnSomeContracts(t *testing.T) {
	ts := MustTradeDemo(t)
	resp, b := do(t, "GET", ts.URL+"/api/v1/trade/exposure?as_of=2025-12-01&book="+url.QueryEscape("urn:critmin:demo:party:magnet-maker"), viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("exposure: %d %s", resp.StatusCode, b)
	}
	var ex commercial.Exposure
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex.LeftOut) != 1 || ex.LeftOut[0].Contract != "FWO-USSM-REE-2025" || ex.LeftOut[0].Lots != 3 || ex.LeftOut[0].Reason == "" {
		t.Errorf("left_out = %+v", ex.LeftOut)
	}
	if got := ex.Long["NdPr oxide"].String(); got != "1150" {
		t.Errorf("long NdPr oxide = %s, want 1150", got)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/exposure?as_of=2025-10-15", viewerSecret, nil, nil)
	var all map[string]map[string]any
	_ = json.Unmarshal(b, &all)
	if resp.StatusCode != 200 || all["long_kg"] == nil || all["long_kg"]["TREO"] != nil {
		t.Errorf("long_kg = %v (%d)", all["long_kg"], resp.StatusCode)
	}
}
