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
		`{"id": "x", "title": "t", "measures": []}`:                  "/measures",
		`{"id": "x", "title": "t", "colour": "red", "measures": []}`: "",
	}
	for in, ptr := range cases {
		_, err := scenario.Parse([]byte(in))
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fs) == 0 || fs[0].Pointer != ptr {
			t.Errorf("%s: %v; want an error at %q", strings.TrimSpace(in)[:40], err, ptr)
		}
	}
}
