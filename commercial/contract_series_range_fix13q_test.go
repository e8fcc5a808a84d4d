package commercial_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// TestContractJudgesNewSeriesRange (fix13q item 1a): docs tell users to
// import prices before adding contracts, so an import cannot judge a
// new series against a contract that does not exist yet. NU-AU-G holds
// gold at 112.50–113 labelled USD/ozt — really per gram: 112.75 USD/g ×
// 31.1034768 g/ozt = 3 506.92 USD/ozt. Adding a contract whose Au payable
// prices from it judges every row against gold's 200–20 000 USD/ozt:
// all three rows are below it, refused at /payables/1/price/series naming
// the series, the row and the likely unit (USD/g); listed in "confirm"
// the contract is stored.
func TestContractJudgesNewSeriesRange(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	csv := "series,date,value,unit,currency,source,frequency\nNU-AU-G,2025-09-01,112.50,USD/ozt,USD,test,daily\nNU-AU-G,2025-09-02,112.75,USD/ozt,USD,test,daily\nNU-AU-G,2025-09-03,113,USD/ozt,USD,test,daily\n"
	if _, err := s.ImportPrices(ctx, strings.NewReader(csv), commercial.PriceSeries{}); err != nil {
		t.Fatalf("import (no contract prices from it yet): %v", err)
	}
	edit := func(m map[string]any) {
		m["payables"].([]any)[1].(map[string]any)["price"] = map[string]any{"series": "NU-AU-G", "unit": "USD/ozt"}
	}
	err := saveEdited2(t, s, "T-AUG", edit, nil)
	var reason string
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == "/payables/1/price/series" {
			reason = f.Reason
		}
	}
	if !strings.Contains(reason, "NU-AU-G") || !strings.Contains(reason, "3 of 3 rows") || !strings.Contains(reason, "USD/g") {
		t.Errorf("contract on a per-gram gold series: %q (%v); want the series, 3 of 3 rows and USD/g named", reason, err)
	}
	if err := saveEdited2(t, s, "T-AUG", edit, []any{"/payables/1/price/series"}); err != nil {
		t.Errorf("confirmed: %v", err)
	}
}

// TestContractJudgesSeriesAgainstDatedReference (fix13q item 1a, unit
// factors): a per-lb copper series labelled USD/kg stays inside copper's
// wide 1 000–50 000 USD/t range (4.45 USD/kg = 4 450 USD/t), so the range
// cannot catch it; the rows' year can. LME grade A cash copper averaged
// 440 USc/lb in 2025 (USGS MCS 2026, refdata prices.csv) = 4.40 USD/lb =
// 9.70 USD/kg. 4.45 "USD/kg" is 4.45 ÷ 9.70 = 0.459 of that — about
// 1 ÷ 2.2046, the kg/lb factor — while read as USD/lb it is 4.45 ÷ 4.40 =
// 1.01 of it: the series is most likely in USD/lb. Likewise antimony
// 26.50 "USD/kg" in 2025 against 25 USD/lb (= 55.12 USD/kg): 0.48, and
// 1.06 read per lb. A series near its year's average (9.60 USD/kg) is
// not judged a slip.
func TestContractJudgesSeriesAgainstDatedReference(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	csv := "series,date,value,unit,currency,source,frequency\n" +
		"NU-CU-LB,2025-09-01,4.45,USD/kg,USD,test,daily\nNU-CU-LB,2025-09-02,4.46,USD/kg,USD,test,daily\nNU-CU-LB,2025-09-03,4.44,USD/kg,USD,test,daily\n" +
		"NU-CU-KG,2025-09-01,9.60,USD/kg,USD,test,daily\nNU-CU-KG,2025-09-02,9.65,USD/kg,USD,test,daily\n"
	if _, err := s.ImportPrices(ctx, strings.NewReader(csv), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	on := func(series string) func(m map[string]any) {
		return func(m map[string]any) {
			m["payables"].([]any)[0].(map[string]any)["price"] = map[string]any{"series": series, "unit": "USD/kg"}
			delete(m, "tc")
			delete(m, "rc")
		}
	}
	err := saveEdited2(t, s, "T-CULB", on("NU-CU-LB"), nil)
	var reason string
	for _, f := range critmin.ErrorFields(err) {
		if f.Pointer == "/payables/0/price/series" {
			reason = f.Reason
		}
	}
	if !strings.Contains(reason, "NU-CU-LB") || !strings.Contains(reason, "USD/lb") || !strings.Contains(reason, "3 of 3") {
		t.Errorf("contract on a per-lb copper series labelled USD/kg: %q (%v); want the series, 3 of 3 and USD/lb", reason, err)
	}
	if err := saveEdited2(t, s, "T-CUKG", on("NU-CU-KG"), nil); err != nil {
		t.Errorf("a series at its year's level: %v", err)
	}
}

// TestContractJudgesAntimonySeriesAgainstDatedReference (fix13q item 1a):
// antimony 26.50 "USD/kg" in October 2025 against the 2025 average of 25
// USD/lb (USGS MCS 2026: 25 × 2.20462 = 55.12 USD/kg) is 26.50 ÷ 55.12 =
// 0.48 of it, and read per lb 26.50 ÷ 25 = 1.06: most likely USD/lb. The
// same contract on the series as USD/lb (26.50 USD/lb) is stored.
func TestContractJudgesAntimonySeriesAgainstDatedReference(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	csv := "series,date,value,unit,currency,source,frequency\n" +
		"NU-SB-KG,2025-10-01,26.50,USD/kg,USD,test,irregular\nNU-SB-KG,2025-10-08,26.40,USD/kg,USD,test,irregular\n" +
		"NU-SB-LB,2025-10-01,26.50,USD/lb,USD,test,irregular\nNU-SB-LB,2025-10-08,26.40,USD/lb,USD,test,irregular\n"
	if _, err := s.ImportPrices(ctx, strings.NewReader(csv), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	save := func(id, series, unit string) error {
		var m map[string]any
		if err := json.Unmarshal([]byte(mustFile(t, "demo/sb-2025.json")), &m); err != nil {
			t.Fatal(err)
		}
		m["id"] = id
		m["payables"].([]any)[0].(map[string]any)["price"] = map[string]any{"series": series, "unit": unit, "pct": 60}
		b, _ := json.Marshal(m)
		_, err := s.SaveContract(ctx, b)
		return err
	}
	err := save("T-SBKG", "NU-SB-KG", "USD/kg")
	if fe := critmin.ErrorFields(err); len(fe) == 0 || fe[0].Pointer != "/payables/0/price/series" || !strings.Contains(fe[0].Reason, "most likely in USD/lb") {
		t.Errorf("antimony per lb labelled USD/kg: %v; want /payables/0/price/series, most likely in USD/lb", err)
	}
	if err := save("T-SBLB", "NU-SB-LB", "USD/lb"); err != nil {
		t.Errorf("antimony 26.50 USD/lb: %v", err)
	}
}
