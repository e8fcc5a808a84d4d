package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/risk"
	"github.com/critmin/critmin/scenario"
)

// scenarioRun pairs a library scenario with its run for the dashboard.
type scenarioRun struct {
	Scenario *scenario.Scenario
	Result   *risk.DisruptionResult
}

func (s *site) riskRoutes() {
	s.route("GET /risk", accessRead, s.handleRiskPage, "commodity", "stage", "year", "tonnes", "us_imports", "stockpile_target", "country:iso3-country")
}

// handleRiskPage is the risk dashboard: concentration by country (bars and
// world map), HHI over the years, US exposure, the corridor what-if,
// disruption shortfalls and stockpile sizing, each with its CSV.
// GET /risk
func (s *site) handleRiskPage(w http.ResponseWriter, r *http.Request) {
	p := critminhttp.ReadParams(r, "commodity", "stage", "year", "tonnes", "us_imports", "stockpile_target", "country")
	commodity := p.Str("commodity", "rare earths")
	stage := p.Str("stage", risk.StageMine)
	years := s.Risk.Years(commodity, stage)
	def := 0
	if len(years) > 0 {
		def = years[len(years)-1]
		for _, y := range years {
			if y == 2024 {
				def = 2024
			}
		}
	}
	year := p.Int("year", def)
	tonnesRaw := p.Str("tonnes", "1000,2000,4000")
	tonnes := p.Floats("tonnes")
	if tonnes == nil {
		tonnes = []float64{1000, 2000, 4000}
	}
	usImports, target := p.Float("us_imports"), p.Float("stockpile_target")
	cc := p.Str("country", "PAK")
	if err := p.Err(); err != nil {
		s.renderError(w, r, err)
		return
	}
	c, err := s.Risk.Concentration(commodity, stage, year, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data := map[string]any{"C": c, "Commodity": commodity, "Stage": stage, "Year": year, "Years": years, "Commodities": s.Risk.Commodities(),
		"Stages": s.Risk.Stages(commodity), "Tonnes": tonnesRaw, "USImports": usImports, "Target": target, "Country": cc}
	base := url.Values{"commodity": {commodity}, "stage": {stage}}
	csvURL := func(path string, extra url.Values) template.URL {
		q := url.Values{"format": {"csv"}}
		for k, v := range extra {
			q[k] = v
		}
		return template.URL(path + "?" + q.Encode())
	}
	data["ConcCSV"] = csvURL("/api/v1/risk/concentration", url.Values{"commodity": {commodity}, "stage": {stage}, "year": {strconv.Itoa(year)}})
	data["SeriesCSV"] = csvURL("/api/v1/risk/series", base)
	data["ExposureCSV"] = csvURL("/api/v1/risk/exposure", url.Values{"commodity": {commodity}})

	colour := commodityColour(commodity)
	var labels []string
	var values []float64
	// The ten largest, then the rest of the named countries in one bar
	// that names them (issue 15: Vietnam and Malaysia, 11th and 12th, were
	// dropped from the chart while "Other countries", USGS's unnamed row,
	// stood beside them as if it held them).
	const barsShown = 10
	pct := func(v float64) string { return formatNum(v*100, 1) + " %" }
	for i, sh := range c.Shares {
		if i == barsShown {
			break
		}
		labels, values = append(labels, sh.Country), append(values, sh.Share)
	}
	if rest := c.Shares[min(barsShown, len(c.Shares)):]; len(rest) > 0 {
		var names []string
		var share float64
		for _, sh := range rest {
			names, share = append(names, sh.Country), share+sh.Share
		}
		label := strings.Join(names, ", ")
		if len(rest) > 3 {
			label = fmt.Sprintf("%d more countries", len(rest))
			// The note under the chart names them all.
			data["BarsRest"] = fmt.Sprintf("%s: %s (%s together).", label, strings.Join(names, ", "), pct(share))
		}
		labels, values = append(labels, label), append(values, share)
	}
	labels, values = append(labels, "Other countries (not named by USGS)"), append(values, c.OtherShare)
	bars := barChart("share-bars", "", Axis{Name: "share of " + stage + " production " + strconv.Itoa(year), Unit: "%", Type: "value"}, labels, values, nil)
	bars.Series[0].Colour, bars.CSVURL = colour, data["ConcCSV"].(template.URL)
	data["Bars"] = bars.HTML()
	// The colour scale's name and unit (Y): its ends read "0 %" and the
	// top share in %, with the name under the scale.
	m := Chart{ID: "share-map", Kind: "map", Title: "", Colour: colour, Y: Axis{Name: "share of " + stage + " production " + strconv.Itoa(year), Unit: "%", Type: "value"}, Header: []string{"country", "quantity (" + c.Unit + ")", "share (%)"}, CSVURL: data["ConcCSV"].(template.URL)}
	for _, sh := range c.Shares {
		if sh.Quantity <= 0 {
			continue
		}
		m.Regions = append(m.Regions, Region{ISO: sh.ISO3, Value: sh.Share, Title: fmt.Sprintf("%s: %s %s (%s)", country.Name(sh.ISO3), formatNum(sh.Quantity, 0), c.Unit, pct(sh.Share))})
		m.Max = max(m.Max, sh.Share)
		m.Rows = append(m.Rows, []string{country.Name(sh.ISO3), formatNum(sh.Quantity, 0), formatNum(sh.Share*100, 1)})
	}
	data["Map"] = m.HTML()

	yearAxis := Axis{Name: "year", Type: "year"}
	if sr, err := s.Risk.SeriesOf(commodity, stage); err == nil {
		var xs []any
		var hhi, top []float64
		for _, pt := range sr.Points {
			xs, hhi, top = append(xs, pt.Year), append(hhi, pt.HHI), append(top, pt.Top1Share*10000)
		}
		data["Series"] = sr
		ch := lineChart("hhi-chart", "", yearAxis, Axis{Name: "HHI", Unit: "0–10,000", Type: "value"},
			[]Series{lineSeries("HHI", colour, xs, hhi), lineSeries("top-1 share × 10,000", otherColours[1], xs, top)}, nil,
			[]Ref{{1500, "1,500: moderately concentrated"}, {2500, "2,500: highly concentrated"}})
		ch.CSVURL = data["SeriesCSV"].(template.URL)
		data["SeriesChart"] = ch.HTML()
	}
	if exp, err := s.Exposure(r, commodity); err == nil {
		data["Exposure"] = exp
	} else if critmin.ErrorCode(err) != critmin.ENOTFOUND {
		s.renderError(w, r, err)
		return
	}

	status := http.StatusOK
	cin := risk.CorridorInput{Commodity: commodity, Stage: stage, BaseYear: year, Country: cc, Tonnes: tonnes, USImports: usImports, StockpileTarget: target}
	if cr, err := s.Risk.Corridor(cin); err == nil {
		data["Corridor"] = cr
		q := url.Values{"commodity": {commodity}, "stage": {stage}, "base_year": {strconv.Itoa(year)}, "country": {cc}, "tonnes": {tonnesRaw}}
		if usImports > 0 {
			q.Set("us_imports", strconv.FormatFloat(usImports, 'f', -1, 64))
		}
		if target > 0 {
			q.Set("stockpile_target", strconv.FormatFloat(target, 'f', -1, 64))
		}
		data["CorridorCSV"] = csvURL("/api/v1/risk/corridor", q)
		var xs []any
		var before, after []float64
		for _, y := range cr.Years {
			xs, before, after = append(xs, y.Year), append(before, y.HHIBefore), append(after, y.HHIAfter)
		}
		ch := lineChart("corridor-chart", "", yearAxis, Axis{Name: "HHI", Unit: "0–10,000", Type: "value"},
			[]Series{lineSeries("HHI now", "#98a2b3", xs, before), lineSeries("HHI with the corridor", colour, xs, after)}, nil, nil)
		ch.CSVURL = data["CorridorCSV"].(template.URL)
		data["CorridorChart"] = ch.HTML()
	} else {
		data["CorridorError"] = corridorFormError(err)
		if critmin.ErrorCode(err) == critmin.EINVALID {
			// A refused parameter is a 400, as NaN in tonnes is: the
			// page is still shown, with the reason beside the form.
			status = http.StatusBadRequest
		}
	}

	lib, err := scenario.Library()
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var runs []scenarioRun
	var lines []Series
	for i, sc := range lib {
		if !sc.Touches(commodity) {
			continue
		}
		res, err := s.Risk.RunDisruption(sc, commodity, 2024, 2027, usImports)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		runs = append(runs, scenarioRun{Scenario: sc, Result: res})
		var xs []any
		var ys []float64
		for _, y := range res.Years {
			xs, ys = append(xs, y.Year), append(ys, y.USShare*100)
		}
		lines = append(lines, lineSeries(sc.ID, otherColours[i%len(otherColours)], xs, ys))
	}
	data["Scenarios"] = runs
	data["ScenarioChart"] = lineChart("scenario-chart", "", yearAxis, Axis{Name: "US imports withheld", Unit: "%", Type: "value"}, lines, nil, nil).HTML()

	if in, err := risk.ExampleStockpile(commodity); err == nil {
		// The same bound as the API's runs (Server.StockpileGate): when
		// it is full the page is shown without the sizing, saying why.
		release, err := s.StockpileGate.Enter(r.Context())
		if critmin.ErrorCode(err) == critmin.EBUSY {
			data["StockpileBusy"] = critmin.ErrorMessage(err)
			s.render(w, r, status, "risk", "Risk — "+strings.ToUpper(commodity[:1])+commodity[1:], "risk", data)
			return
		} else if err != nil {
			s.renderError(w, r, err)
			return
		}
		res, err := risk.StockpileContext(r.Context(), in)
		release()
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		data["Stockpile"] = res
		var xs []any
		var det, med []float64
		bd := Band{Name: "5th–95th percentile of draws", Colour: colour}
		for _, y := range res.Years {
			xs, det, med = append(xs, y.Year), append(det, y.Deterministic.Shortfall), append(med, y.Band.P50)
			bd.Low, bd.Width = append(bd.Low, point(y.Year, y.Band.P5)), append(bd.Width, point(y.Year, y.Band.P95-y.Band.P5))
		}
		ch := lineChart("stockpile-chart", "", yearAxis, Axis{Name: "shortfall", Unit: "t/y", Type: "value"},
			[]Series{lineSeries("median of draws", colour, xs, med), lineSeries("deterministic case", otherColours[1], xs, det)}, []Band{bd}, nil)
		for i, y := range res.Years {
			ch.Rows[i] = append(ch.Rows[i], formatNum(y.Band.P5, 2), formatNum(y.Band.P95, 2))
		}
		ch.Header = append(ch.Header, "5th percentile (t/y)", "95th percentile (t/y)")
		data["StockpileChart"] = ch.HTML()
	}
	s.render(w, r, status, "risk", "Risk — "+strings.ToUpper(commodity[:1])+commodity[1:], "risk", data)
}

// corridorFormError says why the corridor what-if was refused in the
// risk page's own terms: risk.Corridor names risk.CorridorInput's fields
// (tonnes_per_year/0, us_imports_per_year, base_year), the form has
// tonnes (comma-separated, counted from 1), us_imports and year.
func corridorFormError(err error) string {
	fields := critmin.ErrorFields(err)
	if len(fields) == 0 {
		return critmin.ErrorMessage(err)
	}
	f := fields[0]
	name, rest, _ := strings.Cut(f.Pointer, "/")
	switch name {
	case "tonnes_per_year":
		if i, err := strconv.Atoi(rest); err == nil {
			return fmt.Sprintf("tonnes: value %d: %s", i+1, f.Reason)
		}
		return "tonnes: " + f.Reason
	case "us_imports_per_year":
		return "us_imports: " + f.Reason
	case "base_year":
		return "year: " + f.Reason
	case "":
		return f.Reason
	}
	return f.Pointer + ": " + f.Reason
}
