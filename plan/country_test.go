package plan

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// Every country code of a planning file is an ISO 3166-1 alpha-3 code,
// checked at the reader with the JSON pointer of the bad entry: a
// lower-case "chn" or an unassigned "XXX" in an exclusion list would
// otherwise match no origin and exclude nothing.
func TestParseRefusesCodesThatAreNotISO3166(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(m map[string]any)
		ptr    string
		reason string
	}{
		{"stockpile exclusion lower case", func(m map[string]any) {
			sp := m["stockpiles"].([]any)[0].(map[string]any)
			sp["excluded_origins"] = []any{"CHN", "chn"}
		}, "/stockpiles/0/excluded_origins/1", `(codes are upper case: "CHN")`},
		{"stockpile exclusion unassigned", func(m map[string]any) {
			sp := m["stockpiles"].([]any)[0].(map[string]any)
			sp["excluded_origins"] = []any{"XXX", "chn"}
		}, "/stockpiles/0/excluded_origins/0", `"XXX" is not an ISO 3166-1 alpha-3`},
		{"contract exclusion", func(m map[string]any) {
			c := m["contracts"].([]any)[0].(map[string]any)
			c["excluded_origins"] = []any{"CHN", "rus"}
		}, "/contracts/0/excluded_origins/1", "not an ISO 3166-1"},
		{"supply origin", func(m map[string]any) {
			m["supplies"].([]any)[0].(map[string]any)["origin_country"] = "aus"
		}, "/supplies/0/origin_country", `(codes are upper case: "AUS")`},
		{"supply origin missing", func(m map[string]any) {
			delete(m["supplies"].([]any)[1].(map[string]any), "origin_country")
		}, "/supplies/1/origin_country", "is required"},
		{"supply origin shares", func(m map[string]any) {
			m["supplies"].([]any)[0].(map[string]any)["origin_shares"] = map[string]any{"PAK": 0.9, "Myanmar": 0.1}
		}, "/supplies/0/origin_shares/Myanmar", "not an ISO 3166-1"},
		{"site country", func(m map[string]any) {
			m["sites"].([]any)[2].(map[string]any)["country"] = "Pakistan"
		}, "/sites/2/country", "not an ISO 3166-1"},
		{"scenario's new contract", func(m map[string]any) {
			c := map[string]any{"buyer": "B", "site": "magnet-tx", "commodity": "ndpr_oxide", "max_t": 1, "price_per_t": 1, "excluded_origins": []any{"CHN", "prk"}}
			m["scenarios"] = []any{map[string]any{"id": "x", "title": "x", "measures": []any{map[string]any{"kind": "new_contract", "from": "2026-01-05", "target": "b2", "contract": c}}}}
		}, "/scenarios/0/measures/0/contract/excluded_origins/1", "not an ISO 3166-1"},
		{"scenario's export restriction", func(m map[string]any) {
			m["scenarios"] = []any{map[string]any{"id": "x", "title": "x", "measures": []any{map[string]any{"kind": "export_restriction", "from": "2026-01-05", "country": "pak", "commodities": []any{"rare earths"}, "share": 1}}}}
		}, "/scenarios/0/measures/0/country", "not an ISO 3166-1"},
		{"scenario's commodity", func(m map[string]any) {
			m["scenarios"] = []any{map[string]any{"id": "x", "title": "x", "measures": []any{map[string]any{"kind": "export_restriction", "from": "2026-01-05", "country": "PAK", "commodities": []any{"rare-earths"}, "share": 1}}}}
		}, "/scenarios/0/measures/0/commodities/0", "neither a commodity id nor a commodity family"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(demoJSON, &m); err != nil {
				t.Fatal(err)
			}
			c.edit(m)
			b, _ := json.Marshal(m)
			_, err := Parse(b)
			if err == nil {
				t.Fatal("accepted")
			}
			f := critmin.ErrorFields(err)
			if len(f) == 0 || f[0].Pointer != c.ptr || !strings.Contains(f[0].Reason, c.reason) {
				t.Fatalf("error %v (fields %+v); want pointer %s and a reason containing %q", err, f, c.ptr, c.reason)
			}
		})
	}
	// UNK (unknown origin) is the one non-ISO origin code, and may be
	// excluded.
	var m map[string]any
	_ = json.Unmarshal(demoJSON, &m)
	m["supplies"].([]any)[0].(map[string]any)["origin_country"] = UnknownOrigin
	m["stockpiles"].([]any)[0].(map[string]any)["excluded_origins"] = []any{"CHN", UnknownOrigin}
	b, _ := json.Marshal(m)
	if _, err := Parse(b); err != nil {
		t.Fatalf("UNK refused: %v", err)
	}
}

// A network that bypassed the reader with D's exclusion written "chn":
// the model matches codes, so nothing is excluded and D (1000/t against
// O's 600/t) takes the CHN campaign's oxide. By hand (blendNetwork): CHN
// campaign 2 t and PAK campaign 2 t of oxide; S takes 1 t PAK (saves the
// 1500 penalty), D the other 3 t at 1000: margin 3000. Check must refuse
// the plan — not match strings and pass it — and Run, which checks every
// plan it solves, must not publish it.
func TestCheckRefusesExclusionsThatAreNotCodes(t *testing.T) {
	var solved *Plan
	solvedHook = func(p *Plan) { solved = p }
	defer func() { solvedHook = nil }()
	n := blendNetwork()
	n.Contracts[0].ExcludedOrigins = []string{"chn"}
	_, err := Run(context.Background(), n, Baseline, Options{})
	if err == nil || !strings.Contains(err.Error(), `contract d excludes "chn"`) {
		t.Fatalf("Run: %v; want it to refuse the exclusion \"chn\"", err)
	}
	if solved == nil || !near(solved.Objective, 3000) {
		t.Fatalf("solved plan %+v, want objective 3000 (the misspelt exclusion excludes nothing)", solved)
	}
	if err := Check(n, solved); err == nil || !strings.Contains(err.Error(), `contract d excludes "chn"`) {
		t.Fatalf("Check: %v; want it to refuse the exclusion \"chn\"", err)
	}
	n = blendNetwork()
	n.Supplies[1].OriginCountry = "chn"
	_, err = Run(context.Background(), n, Baseline, Options{})
	if err == nil || !strings.Contains(err.Error(), `supply c has origin "chn"`) {
		t.Fatalf("Run: %v; want it to refuse the origin \"chn\"", err)
	}
}
