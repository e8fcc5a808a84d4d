package refdata_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/refdata"
)

// TestEmbeddedDatasets loads every embedded dataset; the row counts are
// those shared/data/README.md gives.
func TestEmbeddedDatasets(t *testing.T) {
	cat, err := refdata.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"usgs_mine_production": 121, "usgs_mine_production_supplement": 41, "usgs_reserves": 42, "processing_production": 80,
		"us_import_reliance": 68, "prices": 65, "hs_codes": 54, "ports": 25, "sea_distances": 20}
	for name, n := range want {
		eds := cat.Editions[name]
		if len(eds) != 1 || len(eds[0].Rows) != n {
			t.Errorf("%s: %d editions, %d rows; want 1 and %d", name, len(eds), len(eds[0].Rows), n)
		}
		for _, r := range eds[0].Rows {
			if r.Get("source") == "" && r.Get("source_or_caveat") == "" {
				t.Errorf("%s line %d has no source", name, r.Line)
				break
			}
		}
	}
}

func TestRowEdition(t *testing.T) {
	cases := map[string]string{
		"mine production, REO equivalent; MCS2026 (2024 revised)": "MCS2026",
		"SUPERSEDED by MCS2026: MCS2025 estimate (2024e)":         "MCS2025",
		"USGS salient statistics":                                 "",
	}
	for basis, want := range cases {
		r := refdata.Row{Fields: map[string]string{"basis": basis}}
		if got := refdata.RowEdition(r); got != want {
			t.Errorf("%q → %q, want %q", basis, got, want)
		}
	}
	if s, ok := refdata.Detect([]byte("unlocode,alt_unlocode,name,alternate_name,country,iso3,lat,lon,wpi_number,harbor_size,role,source\nX")); !ok || s.Name != "ports" {
		t.Errorf("Detect ports: %v %v", s.Name, ok)
	}
}

// TestDatasetCSVWithByteOrderMarkParses: a dataset edition saved from
// Excel starts with a byte-order mark; Detect already knew the header,
// and Parse must read the same header (it reported the first column as
// missing).
func TestDatasetCSVWithByteOrderMarkParses(t *testing.T) {
	body := "\ufeffunlocode,alt_unlocode,name,alternate_name,country,iso3,lat,lon,wpi_number,harbor_size,role,source\n" +
		"USHOU,,Houston,,United States,USA,29.75,-95.36,,L,import,NGA WPI\n"
	s, ok := refdata.Detect([]byte(body))
	if !ok {
		t.Fatal("Detect: header not recognised")
	}
	rows, errs := refdata.Parse(s, []byte(body))
	if len(errs) > 0 || len(rows) != 1 || rows[0].Get("unlocode") != "USHOU" {
		t.Fatalf("Parse = %+v, %v", rows, errs)
	}
}
