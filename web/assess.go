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
	"github.com/critmin/critmin/worldmap"
)

// scenarioRun pairs a library scenario with its run for the dashboard.
type scenarioRun struct {
	Scenario *scenario.Scenario
	Result   *risk.DisruptionResult
}

func (s *site) riskRoutes() {
	s.route("GET /risk", accessRead, s.handleRiskPage)
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

	var bars []bar
	for i, sh := range c.Shares {
		if i == 10 {
			break
		}
		bars = append(bars, bar{Label: sh.Country, Value: sh.Share})
	}
	bars = append(bars, bar{Label: "Other countries", Value: c.OtherShare})
	pct := func(v float64) string { return formatNum(v*100, 1) + " %" }
	data["Bars"] = barChart("share-bars", bars, pct)
	byISO := map[string]risk.Share{}
	for _, sh := range c.Shares {
		byISO[sh.ISO3] = sh
	}
	m, err := worldmap.SVG("share-map", worldmap.Projection{Width: 900, Height: 355}, func(iso string) (string, string) {
		sh, ok := byISO[iso]
		if !ok || sh.Quantity <= 0 {
			return "", ""
		}
		return shareColour(sh.Share), fmt.Sprintf("%s: %s %s (%s)", country.Name(iso), formatNum(sh.Quantity, 0), c.Unit, pct(sh.Share))
	}, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data["Map"] = m

	if sr, err := s.Risk.SeriesOf(commodity, stage); err == nil {
		var hhi, top series
		hhi = series{Name: "HHI", Colour: "#0b6e69"}
		top = series{Name: "top-1 share × 10,000", Colour: "#6941c6"}
		for _, pt := range sr.Points {
			hhi.X, hhi.Y = append(hhi.X, float64(pt.Year)), append(hhi.Y, pt.HHI)
			top.X, top.Y = append(top.X, float64(pt.Year)), append(top.Y, pt.Top1Share*10000)
		}
		data["Series"] = sr
		data["SeriesChart"] = lineChart("hhi-chart", []series{hhi, top}, nil, map[float64]string{1500: "1,500: moderately concentrated", 2500: "2,500: highly concentrated"}, "HHI")
	}
	if exp, err := s.Exposure(r, commodity); err == nil {
		data["Exposure"] = exp
	} else if critmin.ErrorCode(err) != critmin.ENOTFOUND {
		s.renderError(w, r, err)
		return
	}

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
		before, after := series{Name: "HHI now", Colour: "#98a2b3"}, series{Name: "HHI with the corridor", Colour: "#0b6e69"}
		for _, y := range cr.Years {
			before.X, before.Y = append(before.X, float64(y.Year)), append(before.Y, y.HHIBefore)
			after.X, after.Y = append(after.X, float64(y.Year)), append(after.Y, y.HHIAfter)
		}
		data["CorridorChart"] = lineChart("corridor-chart", []series{before, after}, nil, nil, "HHI")
	} else {
		data["CorridorError"] = critmin.ErrorMessage(err)
	}

	lib, err := scenario.Library()
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var runs []scenarioRun
	var lines []series
	colours := []string{"#b42318", "#175cd3", "#b54708", "#6941c6", "#067647"}
	for i, sc := range lib {
		res, err := s.Risk.RunDisruption(sc, commodity, 2024, 2027, usImports)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		runs = append(runs, scenarioRun{Scenario: sc, Result: res})
		ln := series{Name: sc.ID, Colour: colours[i%len(colours)]}
		for _, y := range res.Years {
			ln.X, ln.Y = append(ln.X, float64(y.Year)), append(ln.Y, y.USShare*100)
		}
		lines = append(lines, ln)
	}
	data["Scenarios"] = runs
	data["ScenarioChart"] = lineChart("scenario-chart", lines, nil, nil, "% of US imports withheld")

	if in, err := risk.ExampleStockpile(commodity); err == nil {
		res, err := risk.Stockpile(in)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		data["Stockpile"] = res
		det := series{Name: "shortfall (central case)", Colour: "#b42318"}
		med := series{Name: "median of draws", Colour: "#0b6e69"}
		bd := band{}
		for _, y := range res.Years {
			x := float64(y.Year)
			det.X, det.Y = append(det.X, x), append(det.Y, y.Shortfall)
			med.X, med.Y = append(med.X, x), append(med.Y, y.Band.P50)
			bd.X, bd.Low, bd.High = append(bd.X, x), append(bd.Low, y.Band.P5), append(bd.High, y.Band.P95)
		}
		data["StockpileChart"] = lineChart("stockpile-chart", []series{det, med}, []band{bd}, nil, "t/y short")
	}
	s.render(w, r, http.StatusOK, "risk", "Risk — "+strings.ToUpper(commodity[:1])+commodity[1:], "risk", data)
}
