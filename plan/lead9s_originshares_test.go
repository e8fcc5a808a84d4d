package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSupplyOriginSharesChecked (issue 9 §5): a planning file's supply
// may carry the physical origin the ledger gives a lot (origin_shares by
// origin_basis, as PullLedger writes it, with the supply named
// lot-SEGMENT@SITE-OWNER and its holding). Parse and
// plan/network.schema.json accept the same such supplies and refuse the
// same bad ones, each naming the field:
//   - a share outside [0, 1] (PAK 1.5);
//   - shares all 0 (CHN 0): the planner would read the supply as
//     origin_country alone and the covered country listed at 0 would no
//     longer decide its class;
//   - a basis that is not one of the lot page's four;
//   - a basis without shares.
func TestSupplyOriginSharesChecked(t *testing.T) {
	good := map[string]any{"id": "lot-B@houston-ussm", "site": "houston", "commodity": "ree_conc", "origin_country": "CHN",
		"origin_shares": map[string]any{"PAK": 1, "CHN": 0}, "origin_basis": "contained_value", "holding": "received parts at Houston, owner USSM",
		"grade": map[string]any{}, "tonnes": 20, "lot": "urn:t:lot:B"}
	file := func(edit func(s map[string]any)) []byte {
		n := Demo()
		n.Supplies = nil
		b, _ := json.Marshal(n)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		s := map[string]any{}
		for k, v := range good {
			s[k] = v
		}
		// The demo's first commodity and site, so that only the edited
		// field can be wrong.
		s["commodity"] = n.Commodities[0].ID
		s["site"] = n.Sites[0].ID
		edit(s)
		m["supplies"] = []any{s}
		out, _ := json.Marshal(m)
		return out
	}
	schema := func(raw []byte) error {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return validateAgainstSchema(v)
	}
	ok := file(func(map[string]any) {})
	if _, err := Parse(ok); err != nil {
		t.Fatalf("Parse refused a pulled supply: %v", err)
	}
	if err := schema(ok); err != nil {
		t.Fatalf("schema refused a pulled supply: %v", err)
	}
	for _, c := range []struct {
		name, field, reason string
		edit                func(s map[string]any)
	}{
		{"share above 1", "/supplies/0/origin_shares/PAK", "from 0 to 1", func(s map[string]any) { s["origin_shares"] = map[string]any{"PAK": 1.5} }},
		{"negative share", "/supplies/0/origin_shares/CHN", "from 0 to 1", func(s map[string]any) { s["origin_shares"] = map[string]any{"PAK": 1, "CHN": -0.1} }},
		{"every share 0", "/supplies/0/origin_shares", "every share is 0", func(s map[string]any) { s["origin_shares"] = map[string]any{"CHN": 0} }},
		{"unknown basis", "/supplies/0/origin_basis", "must be one of", func(s map[string]any) { s["origin_basis"] = "wet_mass" }},
		{"basis without shares", "/supplies/0/origin_basis", "without origin_shares", func(s map[string]any) { delete(s, "origin_shares") }},
	} {
		raw := file(c.edit)
		_, err := Parse(raw)
		if err == nil || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: Parse %v; want %s: %s", c.name, err, c.field, c.reason)
		}
		// "every share 0" is Parse's own rule (the schema cannot sum
		// shares); every other case the schema refuses too.
		if c.name != "every share 0" {
			if err := schema(raw); err == nil {
				t.Errorf("%s: the schema accepted it", c.name)
			}
		}
	}
}
