package plan

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestDemoExcludedOriginsCoverDFARS: every excluded_origins list of the
// demo corridor's planning file (its DFARS magnet buyers, the Defense
// Logistics Agency and the stockpile, in contracts, stockpiles and
// scenario measures) names at least the covered countries of the default
// rule pack's dfars-covered-countries rule (DFARS 225.003: China with
// Hong Kong and Macau, Russia, North Korea, Iran). Before, the lists
// lacked HKG and MAC, so the demo plan could deliver oxide of Hong Kong
// origin to a buyer the rule pack would fail it for.
func TestDemoExcludedOriginsCoverDFARS(t *testing.T) {
	raw, err := os.ReadFile("../custody/rulepacks/default.json")
	if err != nil {
		t.Fatal(err)
	}
	var pack struct {
		Rules []struct {
			ID        string   `json:"id"`
			Countries []string `json:"countries"`
		} `json:"rules"`
	}
	if err := json.Unmarshal(raw, &pack); err != nil {
		t.Fatal(err)
	}
	var covered []string
	for _, r := range pack.Rules {
		if r.ID == "dfars-covered-countries" {
			covered = r.Countries
		}
	}
	if len(covered) == 0 {
		t.Fatal("default pack has no dfars-covered-countries rule")
	}
	var doc any
	if err := json.Unmarshal(demoJSON, &doc); err != nil {
		t.Fatal(err)
	}
	lists := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "excluded_origins" {
					lists++
					var got []string
					for _, c := range x.([]any) {
						got = append(got, c.(string))
					}
					for _, c := range covered {
						if !slices.Contains(got, c) {
							t.Errorf("%s/excluded_origins %v lacks %s", path, got, c)
						}
					}
					continue
				}
				walk(path+"/"+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"/[]", x)
			}
		}
	}
	walk("", doc)
	if lists < 4 {
		t.Errorf("found %d excluded_origins lists in demo.json, want the 4 of its DFARS buyers, stockpile and scenario", lists)
	}
}
