package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
)

// Charts are drawn in the browser by Apache ECharts (vendored under
// static/vendor/echarts, see scripts/vendor-assets) from a spec the server
// writes into the chart's data-chart attribute; static/charts.js turns the
// spec into ECharts options (axes with their units, round ticks chosen by
// ECharts, date axes, one legend above the plot). The same numbers are in
// a table under each chart, open when JavaScript does not run, and in a
// CSV the chart links to. Handlers do the maths; a Chart only carries
// values.

// Chart is one chart: its spec for the browser and its table.
type Chart struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"` // line, bar, sankey, map, geo or graph
	Title string `json:"title"`
	// TitleHint, if set, is the caption's title attribute (the
	// identifier behind a name shown in Title).
	TitleHint string `json:"-"`
	X         Axis   `json:"x"`
	Y         Axis   `json:"y"`
	// Series are the lines (kind line) or the one series of bars.
	Series []Series `json:"series,omitempty"`
	Bands  []Band   `json:"bands,omitempty"`
	Refs   []Ref    `json:"refs,omitempty"`
	// Nodes and Links are the sites of a Sankey diagram or a map, and the
	// lots and edges of a genealogy graph.
	Nodes   []Node       `json:"nodes,omitempty"`
	Links   []Link       `json:"links,omitempty"`
	Regions []Region     `json:"regions,omitempty"`
	Kinds   []Kind       `json:"kinds,omitempty"`
	Bounds  [][2]float64 `json:"bounds,omitempty"` // geo: [[west, north], [east, south]]
	// Lanes, on a map, are the commodities its lines are coloured by
	// (the legend's entries; a Link's Label names its commodity).
	Lanes []Kind `json:"lanes,omitempty"`
	// Layers, on a graph, are its node kinds in their layer order (the
	// genealogy's lot, epc, voyage, run): each kind is drawn on ranks of
	// its own, cycling in that order, so that every line runs forward
	// and none crosses a box it does not join (static/charts.js,
	// kindRanks).
	Layers []string `json:"layers,omitempty"`
	Max    float64  `json:"max,omitempty"`    // map: top of the colour scale
	Colour string   `json:"colour,omitempty"` // map: colour of the top of the scale
	// CSVURL is the API's CSV of the same numbers, if there is one; the
	// chart's own table is offered as CSV otherwise.
	CSVURL template.URL `json:"-"`
	Header []string     `json:"-"`
	Rows   [][]string   `json:"-"`
	// CSVRows, if set, are the CSV's rows instead of Rows (full
	// identifiers where the table shows short ones); see csvData.
	CSVRows [][]string `json:"-"`
	// CSVHeader, if set, heads CSVRows instead of Header: a chart whose
	// CSV holds more than its table (the corridor map's sites, and the
	// routes and flows it draws) has its own columns.
	CSVHeader []string `json:"-"`
	// RowLinks, if set, link each row's first cell.
	RowLinks []string `json:"-"`
}

// Axis describes an axis: its name, unit and type (time for ISO dates,
// year, value or category).
type Axis struct {
	Name       string   `json:"name"`
	Unit       string   `json:"unit,omitempty"`
	Type       string   `json:"type"`
	Categories []string `json:"categories,omitempty"`
	Max        *float64 `json:"max,omitempty"`
}

// Series is one line ([x, y] points) or one set of bars (values in the
// order of the category axis, each optionally in its own colour).
type Series struct {
	Name    string    `json:"name"`
	Colour  string    `json:"colour"`
	Data    any       `json:"data"`
	Colours []string  `json:"colours,omitempty"`
	xs      []any     // for the table
	ys      []float64 // for the table
}

// Band is a shaded range between two curves (Monte Carlo percentiles),
// sent as the lower curve and the width above it.
type Band struct {
	Name   string  `json:"name"`
	Colour string  `json:"colour"`
	Low    [][]any `json:"low"`
	Width  [][]any `json:"width"`
}

// Ref is a horizontal reference line (the HHI thresholds).
type Ref struct {
	Value float64 `json:"value"`
	Label string  `json:"label"`
}

// Node is a site of a Sankey or map, or a lot or container of a graph.
type Node struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Label  string  `json:"label,omitempty"`
	Sub    string  `json:"sub,omitempty"`
	Kind   string  `json:"kind,omitempty"`
	Colour string  `json:"colour,omitempty"`
	Href   string  `json:"href,omitempty"`
	Lat    float64 `json:"lat,omitempty"`
	Lon    float64 `json:"lon,omitempty"`
}

// Link is a flow (tonnes) between two nodes or an edge of a graph.
type Link struct {
	From   string  `json:"from"`
	To     string  `json:"to"`
	Value  float64 `json:"value,omitempty"`
	Colour string  `json:"colour,omitempty"`
	Note   string  `json:"note,omitempty"`
	Label  string  `json:"label,omitempty"`
	Kind   string  `json:"kind,omitempty"`
	Href   string  `json:"href,omitempty"`
	Title  string  `json:"title,omitempty"`
	// Segments, on a map, are the route's pieces as [lon, lat] points:
	// one piece, or two for a route that crosses the antimeridian (split
	// at ±180°, routeSegments), drawn without a curve.
	Segments [][][2]float64 `json:"segments,omitempty"`
	// Lane, on a map, is the place of the line's commodity in the legend
	// (Chart.Lanes): each commodity is curved a little further.
	Lane int `json:"lane,omitempty"`
}

// Region is a country of a choropleth, keyed by ISO 3166-1 alpha-3.
type Region struct {
	ISO   string  `json:"iso"`
	Value float64 `json:"value"`
	Title string  `json:"title"`
}

// Kind is a class of map markers (mine, port …) with its colour.
type Kind struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Colour string `json:"colour"`
	Symbol string `json:"symbol"` // an ECharts symbol: circle, triangle …
}

// point makes a series point; x is a date string, a year or a number.
func point(x any, y float64) []any { return []any{x, y} }

// lineSeries builds a line from x values and y values.
func lineSeries(name, colour string, xs []any, ys []float64) Series {
	data := make([][]any, len(xs))
	for i := range xs {
		data[i] = point(xs[i], ys[i])
	}
	return Series{Name: name, Colour: colour, Data: data, xs: xs, ys: ys}
}

// lineChart is a line chart over shared x values; its table has one row
// per x and one column per line.
func lineChart(id, title string, x, y Axis, lines []Series, bands []Band, refs []Ref) Chart {
	c := Chart{ID: id, Kind: "line", Title: title, X: x, Y: y, Series: lines, Bands: bands, Refs: refs}
	c.Header = []string{axisLabel(x)}
	var keys []string
	rows := map[string][]string{}
	for _, s := range lines {
		c.Header = append(c.Header, s.Name+unitSuffix(y.Unit))
	}
	for li, s := range lines {
		for i, xv := range s.xs {
			k := fmt.Sprint(xv)
			if _, ok := rows[k]; !ok {
				keys = append(keys, k)
				rows[k] = make([]string, len(lines))
			}
			rows[k][li] = formatNum(s.ys[i], 2)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return lessKey(keys[i], keys[j]) })
	for _, k := range keys {
		c.Rows = append(c.Rows, append([]string{k}, rows[k]...))
	}
	return c
}

// lessKey orders table rows by number when both keys are numbers, else
// as text (ISO dates sort as text).
func lessKey(a, b string) bool {
	x, e1 := strconv.ParseFloat(a, 64)
	y, e2 := strconv.ParseFloat(b, 64)
	if e1 == nil && e2 == nil {
		return x < y
	}
	return a < b
}

// barChart draws horizontal bars: one bar per label, its value on an
// axis with unit (for "%" the values are fractions shown × 100).
func barChart(id, title string, valueAxis Axis, labels []string, values []float64, colours []string) Chart {
	shown := make([]float64, len(values))
	for i, v := range values {
		if valueAxis.Unit == "%" {
			v *= 100
		}
		shown[i] = math.Round(v*100) / 100
	}
	c := Chart{ID: id, Kind: "bar", Title: title, X: valueAxis, Y: Axis{Type: "category", Categories: labels},
		Series: []Series{{Name: valueAxis.Name, Data: shown, Colours: colours, Colour: noCommodityColour}}}
	c.Header = []string{"", axisLabel(valueAxis)}
	for i, l := range labels {
		c.Rows = append(c.Rows, []string{l, formatNum(shown[i], 2)})
	}
	return c
}

func axisLabel(a Axis) string {
	if a.Unit == "" {
		return a.Name
	}
	return a.Name + " (" + a.Unit + ")"
}

func unitSuffix(u string) string {
	if u == "" {
		return ""
	}
	return " (" + u + ")"
}

// csvData is the table as CSV text for reuse in a spreadsheet or a
// script: the rows of CSVRows if set (full identifiers where the table
// shortens them), else the table's; and every column whose cells are all
// numbers as the table shows them ("2,200", "24,950 kg", "1,196.04 t")
// written as plain numbers (2200, 24950, 1196.04) with the unit in the
// header ("mass (kg)"). A column whose cells carry different units keeps
// the plain number and gets a unit column after it ("quantity",
// "quantity unit"). An empty or "—" cell is empty.
func (c Chart) csvData() string {
	rows := c.CSVRows
	if rows == nil {
		rows = c.Rows
	}
	header := append([]string(nil), c.Header...)
	if c.CSVHeader != nil {
		header = append([]string(nil), c.CSVHeader...)
	}
	ncol := len(header)
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	for len(header) < ncol {
		header = append(header, "")
	}
	type col struct {
		numeric bool
		unit    string // the one unit of every cell
		mixed   bool   // cells carry different units
	}
	cols := make([]col, ncol)
	for j := range cols {
		cols[j].numeric = true
		seen := false
		for _, r := range rows {
			if j >= len(r) || blankCell(r[j]) {
				continue
			}
			_, u, ok := cellNumber(r[j])
			if !ok {
				cols[j].numeric = false
				break
			}
			if !seen {
				cols[j].unit, seen = u, true
			} else if u != cols[j].unit {
				cols[j].mixed = true
			}
		}
		if !seen {
			cols[j].numeric = false
		}
	}
	var outHeader []string
	for j, h := range header {
		switch {
		case cols[j].numeric && cols[j].mixed:
			outHeader = append(outHeader, h, strings.TrimSpace(h+" unit"))
		case cols[j].numeric && cols[j].unit != "" && !strings.Contains(h, "("+cols[j].unit+")") && !strings.HasSuffix(h, " "+cols[j].unit):
			outHeader = append(outHeader, h+" ("+cols[j].unit+")")
		default:
			outHeader = append(outHeader, h)
		}
	}
	var b bytes.Buffer
	w := critmin.NewCSVWriter(&b)
	_ = w.Write(outHeader)
	for _, r := range rows {
		var out []string
		for j := range ncol {
			cell := ""
			if j < len(r) {
				cell = r[j]
			}
			if !cols[j].numeric {
				out = append(out, cell)
				continue
			}
			v, u, _ := cellNumber(cell)
			if blankCell(cell) {
				v, u = "", ""
			}
			out = append(out, v)
			if cols[j].mixed {
				out = append(out, u)
			}
		}
		_ = w.Write(out)
	}
	w.Flush()
	return b.String()
}

// blankCell is a table cell with no value.
func blankCell(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "—" || s == "-"
}

// cellRE is a number as the tables show it (formatNum: thousands
// separated by commas, a negative one after the true minus sign U+2212
// or, from other formatting, a hyphen-minus), optionally followed by a
// unit.
var cellRE = regexp.MustCompile(`^([-−]?\d{1,3}(?:,\d{3})*(?:\.\d+)?|[-−]?\d+(?:\.\d+)?)(?:\s*(%|[A-Za-z/µ°][A-Za-z0-9/µ°.·$ ]*))?$`)

// cellNumber reads a table cell as a plain number and its unit; the
// number is ASCII, its sign the hyphen-minus, as a spreadsheet or a
// script reads a CSV.
func cellNumber(s string) (num, unit string, ok bool) {
	m := cellRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", "", false
	}
	return strings.NewReplacer(",", "", trueMinus, "-").Replace(m[1]), strings.TrimSpace(m[2]), true
}

var chartTemplate = template.Must(template.New("chart").Parse(`<figure class="chart-box" id="{{.ID}}-box">` +
	`{{if .Title}}<figcaption{{if .TitleHint}} title="{{.TitleHint}}"{{end}}>{{.Title}}</figcaption>{{end}}` +
	`<div class="echart kind-{{.Kind}}" id="{{.ID}}" data-chart="{{.Spec}}" role="img" aria-label="{{.Title}}"></div>` +
	`<details class="chart-data" open><summary>Table</summary><div class="scroll"><table class="chart-table" id="{{.ID}}-table">` +
	`<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>` +
	`{{range $i, $r := .Rows}}<tr>{{range $j, $v := $r}}<td{{if $j}} class="num"{{end}}>{{if and (eq $j 0) (index $.Links $i)}}<a href="{{index $.Links $i}}">{{$v}}</a>{{else}}{{$v}}{{end}}</td>{{end}}</tr>{{end}}` +
	`</table></div></details><p class="note"><a class="csv" href="{{.CSV}}" download="{{.ID}}.csv">CSV</a></p></figure>`))

// HTML renders the chart's container, table and CSV link.
func (c Chart) HTML() template.HTML {
	spec, err := json.Marshal(c)
	if err != nil {
		return template.HTML(template.HTMLEscapeString(err.Error()))
	}
	csvURL := c.CSVURL
	if csvURL == "" {
		// A data: URL keeps the chart's CSV without a round trip; the
		// download attribute names the file.
		csvURL = template.URL("data:text/csv;charset=utf-8," + url.PathEscape(c.csvData()))
	}
	links := make([]string, len(c.Rows))
	copy(links, c.RowLinks)
	var b strings.Builder
	if err := chartTemplate.Execute(&b, map[string]any{"ID": c.ID, "Kind": c.Kind, "Title": c.Title, "TitleHint": c.TitleHint, "Spec": string(spec),
		"Header": c.Header, "Rows": c.Rows, "Links": links, "CSV": csvURL}); err != nil {
		return template.HTML(template.HTMLEscapeString(err.Error()))
	}
	return template.HTML(b.String())
}
