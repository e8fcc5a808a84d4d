package scenario_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/scenario"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestLibraryMatchesSchema(t *testing.T) {
	raw, err := os.ReadFile("scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("s.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("s.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("library/*.json")
	if len(files) < 4 {
		t.Fatalf("%d library scenarios", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	lib, err := scenario.Library()
	if err != nil || len(lib) != len(files) {
		t.Fatalf("library: %d, %v", len(lib), err)
	}
	for _, s := range lib {
		for _, m := range s.Measures {
			if m.Kind == scenario.ExportRestriction && m.Basis == "" {
				t.Errorf("%s: an export restriction without the basis of its share", s.ID)
			}
		}
		if len(s.Sources) == 0 {
			t.Errorf("%s cites no source", s.ID)
		}
	}
}

func TestActiveFraction(t *testing.T) {
	m := scenario.Measure{Kind: scenario.ExportRestriction, From: "2024-12-03", To: "2025-11-09"}
	// 2024 is a leap year: 3 Dec → 1 Jan is 29 of 366 days.
	if f := m.ActiveFraction(2024); f != 29.0/366 {
		t.Errorf("2024: %v", f)
	}
	if f := m.ActiveFraction(2025); f != 312.0/365 {
		t.Errorf("2025: %v", f)
	}
	if f := m.ActiveFraction(2026); f != 0 {
		t.Errorf("2026: %v", f)
	}
	open := scenario.Measure{From: "2025-04-04"}
	if f := open.ActiveFraction(2030); f != 1 {
		t.Errorf("open-ended 2030: %v", f)
	}
}

func TestParseRejects(t *testing.T) {
	cases := map[string]string{
		`{"id": "x", "title": "t", "measures": [{"kind": "embargo", "from": "2025-01-01"}]}`:                                                                                 "/measures/0/kind",
		`{"id": "x", "title": "t", "measures": [{"kind": "export_restriction", "country": "CHN", "commodities": ["antimony"], "share": 2, "from": "2025-01-01"}]}`:           "/measures/0/share",
		`{"id": "x", "title": "t", "measures": [{"kind": "export_restriction", "country": "XXX", "commodities": ["antimony"], "share": 1, "from": "2025-01-01"}]}`:           "/measures/0/country",
		`{"id": "x", "title": "t", "measures": [{"kind": "price_shock", "price_factor": 1.2, "from": "2025-13-01"}]}`:                                                        "/measures/0",
		`{"id": "x", "title": "t", "measures": [{"kind": "supply_addition", "country": "PAK", "commodities": ["antimony"], "tonnes_per_year": [-1], "from": "2026-01-01"}]}`: "/measures/0/tonnes_per_year/0",
		`{"id": "x", "title": "t", "measures": [{"kind": "price_shock", "price_factor": 1.2, "price_per_t": 110000, "from": "2025-01-01"}]}`:                                 "/measures/0/price_per_t",
		`{"id": "x", "title": "t", "measures": [{"kind": "price_shock", "price_per_t": -5, "from": "2025-01-01"}]}`:                                                          "/measures/0/price_per_t",
		`{"id": "x", "title": "t", "measures": [{"kind": "price_shock", "from": "2025-01-01"}]}`:                                                                             "/measures/0/price_factor",
		`{"id": "x", "title": "t", "measures": []}`:                  "/measures",
		`{"id": "x", "title": "t", "colour": "red", "measures": []}`: "/colour",
	}
	for in, ptr := range cases {
		_, err := scenario.Parse([]byte(in))
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) == 0 || fs[0].Pointer != ptr {
			t.Errorf("%s: %v; want an error at %q", strings.TrimSpace(in)[:40], err, ptr)
		}
	}
}

// The library's dates are the ones data/facts.md §2 gives (copied here
// with their rows): licensing effective 15 Sep 2024; the US ban 3 Dec 2024
// (Announcement 46/2024), suspended 9 Nov 2025; the medium/heavy REE
// controls 4 Apr 2025 (Announcement 18/2025), still in force; the October
// 2025 expansion's element controls due 8 Nov 2025 and its 0.1 % rule 1
// Dec 2025, both suspended on 7 Nov 2025 until 10 Nov 2026 — so that
// scenario is a counterfactual that withholds nothing before 8 Nov 2025.
// Every scenario cites a source for each and lists what it touches.
func TestLibraryDatesMatchFacts(t *testing.T) {
	want := map[string][][2]string{
		"cn-antimony-licensing-2024": {{"2024-09-15", ""}},
		"cn-us-ban-ga-ge-sb-2024":    {{"2024-12-03", "2025-11-09"}},
		"cn-ree-medium-heavy-2025":   {{"2025-04-04", ""}},
		"cn-ree-expansion-2025-10":   {{"2025-11-08", "2026-11-10"}, {"2025-12-01", "2026-11-10"}},
	}
	lib, err := scenario.Library()
	if err != nil {
		t.Fatal(err)
	}
	if len(lib) != len(want) {
		t.Fatalf("%d library scenarios, want %d", len(lib), len(want))
	}
	for _, sc := range lib {
		w, ok := want[sc.ID]
		if !ok || len(sc.Measures) != len(w) {
			t.Fatalf("%s: measures %+v", sc.ID, sc.Measures)
		}
		for i, m := range sc.Measures {
			if m.From != w[i][0] || m.To != w[i][1] {
				t.Errorf("%s measure %d: %s – %s, want %s – %s", sc.ID, i, m.From, m.To, w[i][0], w[i][1])
			}
			if m.Basis == "" {
				t.Errorf("%s measure %d has no basis", sc.ID, i)
			}
		}
		if len(sc.Sources) == 0 || len(sc.Commodities) == 0 {
			t.Errorf("%s: sources %v commodities %v", sc.ID, sc.Sources, sc.Commodities)
		}
	}
	exp, _ := scenario.Find("cn-ree-expansion-2025-10")
	for _, m := range exp.Measures {
		if f := m.ActiveFraction(2025); f > 54.0/365+1e-9 {
			t.Errorf("the suspended expansion is in force for %v of 2025 (at most 8 Nov–31 Dec)", f)
		}
	}
}

// Every commodity a library scenario names is on the critical-minerals
// list; a misspelt one is refused with its pointer.
func TestCommoditiesAreKnown(t *testing.T) {
	lib, err := scenario.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range lib {
		if err := s.CheckCommodities(scenario.KnownCommodity, "list"); err != nil {
			t.Errorf("%s: %v", s.ID, err)
		}
	}
	s := scenario.Scenario{ID: "x", Measures: []scenario.Measure{{Kind: scenario.ExportRestriction, Commodities: []string{"antimony", "rare-earths"}}}}
	err = s.CheckCommodities(scenario.KnownCommodity, "list")
	if f := critmin.ErrorFields(err); len(f) != 1 || f[0].Pointer != "/measures/0/commodities/1" || !strings.Contains(f[0].Reason, `"rare-earths"`) {
		t.Errorf("misspelt commodity: %v", err)
	}
}
