// Package web is critmin's browser UI: the HTML pages, their templates,
// static assets and charts, one file per job (track.go: overview, lots,
// events, capture; prove.go: genealogy, origin, certificates; plan.go;
// assess.go: supply risk). It mounts its routes on an http.Server, which
// keeps authentication, problem details, the EPCIS binding and the JSON
// API; pages read the store and the services through the same server.
package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
	"github.com/critmin/critmin/worldmap"
)

// site is the UI mounted on a server: handlers are its methods, and the
// server's store, ledger, risk service and logger are reached through it.
type site struct {
	*critminhttp.Server
	ui *ui
}

// Mount adds the web UI's routes to srv. It fails if an embedded template
// is missing or broken, so a bad build never starts.
func Mount(srv *critminhttp.Server) error {
	u, err := newUI()
	if err != nil {
		return err
	}
	s := &site{Server: srv, ui: u}
	srv.PageError = s.renderError
	s.uiRoutes()
	s.route("GET /web/world.geo.json", accessPublic, s.handleWorld)
	s.riskRoutes()
	s.proveRoutes()
	s.planRoutes()
	s.tradeRoutes()
	s.refineryRoutes()
	s.eventRoutes()
	s.declareRoutes()
	s.recordRoutes()
	s.importRoutes()
	s.tokenRoutes()
	s.subscriptionRoutes()
	return nil
}

// route registers a page with the access it needs and the query
// parameters it accepts (any other is a 400 page naming it).
func (s *site) route(pattern string, access int, h http.HandlerFunc, query ...string) {
	s.Route(pattern, access, h, query...)
}

const (
	accessPublic = critminhttp.AccessPublic
	accessRead   = critminhttp.AccessRead
	accessWrite  = critminhttp.AccessWrite
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the UI's page templates; each is parsed with the layout.
var pages = []string{"overview", "lots", "lot", "events", "capture", "job", "login", "error", "risk", "certificate", "plans", "plan", "refinery", "massbalance", "event", "shipment", "shipments", "tokens", "subscriptions", "record", "form", "formpreview", "import", "certissue", "lotgone", "declare"}

type ui struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"tonnes": tonnesText,
	"atSea":  ledger.AtSea,
	// partsStandingDry is the dry tonnes of a lot's received parts left
	// where they were received (ledger.PartsStanding): the lots list's
	// column beside the body's remainder.
	"partsStandingDry": func(l *critmin.Lot) float64 {
		_, dry := ledger.PartsStanding(l)
		return dry
	},
	// tonnesUnit is a mass in tonnes with its unit ("wmt", "dmt"), and
	// below 1 t the mass in the unit that shows it too (massText):
	// "0.0005 wmt (500 g)".
	"tonnesUnit": func(t float64, unit string) string {
		s := tonnesText(t) + " " + unit
		if t != 0 && math.Abs(t) < 1 {
			s += " (" + massText(t) + ")"
		}
		return s
	},
	// signedPct is a difference in per cent with its sign, two decimals
	// at most ("-0.67 %", "+0.2 %", "0 %").
	"signedPct": signedPct,
	// outturnPct is the outturn of shipped and received tonnes in % as a
	// loss or a gain; outturnPctText the figure alone, as the CLI prints
	// it (ledger.OutturnPercentText); signedTonnes a difference in
	// tonnes with its sign ("+0.016", "−0.01").
	"outturnPct":     outturnText,
	"outturnPctText": ledger.OutturnPercentText,
	"signedTonnes":   func(v float64) string { return signedNum(v, 3) },
	// dryGrades are a lot's grades on the dry basis, each with its unit.
	"dryGrades": dryGradeTexts,
	// readable is a message with its identifiers named as pages name
	// them, each identifier in a title (readable.go).
	"readable": func(n refNames, msg string) template.HTML { return n.readable(msg) },
	// refLabel is an identifier as people know it: its master-data name.
	"refLabel":     func(n refNames, id string) string { return n.refLabel(id) },
	"shipmentHref": shipmentHref,
	// idName is an identifier with no master-data name as people read
	// it (refLabel): a lot or bill of lading by its tail, an event as
	// "event 027" or "event 9be6e77f…"; the template keeps the
	// identifier in a title or link.
	"idName":    func(id string) string { return refNames(nil).refLabel(id) },
	"eventName": eventLabel,
	// planName is a plan's site, line or commodity by its name, the ID
	// in a title; another reference (a supply, a contract) as it is.
	"planName": func(names map[string]string, id string) template.HTML {
		name, ok := names[id]
		if !ok || id == "" {
			return template.HTML(template.HTMLEscapeString(id))
		}
		return template.HTML(`<span title="` + template.HTMLEscapeString(id) + `">` + template.HTMLEscapeString(name) + `</span>`)
	},
	// quantityName is a refinery measurement's quantity in words with
	// its unit: "mass t", "opening grade %" for mass_t, opening_grade_pct.
	"quantityName": func(q string) string {
		if b, ok := strings.CutSuffix(q, "_pct"); ok {
			return strings.ReplaceAll(b, "_", " ") + " %"
		}
		return strings.ReplaceAll(q, "_", " ")
	},
	// unitName is a flowsheet unit's or stream's name (unitNames).
	"unitName": func(names map[string]string, id string) template.HTML {
		name, ok := names[id]
		if !ok || id == "" {
			return template.HTML(template.HTMLEscapeString(id))
		}
		return template.HTML(`<span title="` + template.HTMLEscapeString(id) + `">` + template.HTMLEscapeString(name) + `</span>`)
	},
	// figure6 is a figure of the prove job at six decimals, trailing
	// zeros dropped (custody.Figure): the mass-balance statement's tonnes
	// of element, as its JSON, CSV and the CLI print them.
	"figure6":  func(v float64) string { return trueMinusFigure(custody.Figure(v)) },
	"massText": massText,
	"num0":     func(v float64) string { return formatNum(v, 0) },
	// int is a whole count of any integer type with its thousands
	// grouped ("1,003"): every count a page prints goes through it, a
	// bare {{.Events}} printing "1115" (issue 15, fix15zi).
	"int":  intText,
	"num1": func(v float64) string { return figure(v, 1) },
	// signed0 and signed1 are num0 and num1 (every page number has the
	// true minus sign, formatNum), named for the signed figures they
	// print: a plan's margins, duals and shadow prices.
	"signed0": func(v float64) string { return trueMinusFigure(formatNum(v, 0)) },
	"signed1": func(v float64) string { return trueMinusFigure(figure(v, 1)) },
	// lots is a count of lots with its noun: "1 lot", "2 lots".
	"lots": func(n int) string {
		if n == 1 {
			return "1 lot"
		}
		return strconv.Itoa(n) + " lots"
	},
	"pct1":             func(f float64) string { return formatPct(f, 1) },
	"statedText":       custody.StatedText,
	"refusedClaimText": custody.RefusedClaimText,
	"pct2":             func(f float64) string { return formatPct(f, 2) },
	"inc":              func(i int) int { return i + 1 },
	"num":              func(v float64) string { return nonZeroNum(v, 4) },
	// gradePct is a grade in % whatever unit it was reported in (ppm,
	// g/t, fraction …): a column of grades has one unit, named in its
	// header (lot assays, a shipment's lots).
	"gradePct": gradePctText,
	"pct":      func(f float64) string { return formatPct(f, 2) },
	// sharePct is a share printed from a rounded figure (a certificate's
	// massFraction, at six decimals) with the tonnes it stands for: a
	// fraction that rounded to 0 of non-zero tonnes is "< 0.1 %".
	"sharePct": func(f, tonnes any) string {
		fv, _ := f.(float64)
		if tv, _ := tonnes.(float64); fv == 0 && tv > 0 {
			return "< 0.1 %"
		}
		return formatPct(fv, 1)
	},
	"deref": func(p *float64) float64 { return *p },
	"term":  func(uri string) string { return uri[strings.LastIndexAny(uri, ":/#")+1:] },
	"when":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	// whenOwn is a time in its own offset, then UTC (an ETA, stated at
	// the destination).
	"whenOwn": timeOwnOffset,
	// human is an EPCIS, CBV or critmin term in words ("Assay
	// certificate" for btt:assayCertificate); lower lower-cases it.
	"human":           humanTerm,
	"substance":       substanceName,
	"unitText":        gradeUnit,
	"lower":           strings.ToLower,
	"commodity":       ledger.CommodityName,
	"country":         ledger.CountryName,
	"notInRecordText": func() string { return critminhttp.NotInRecordText },
	"status": func(s string) string {
		switch s {
		case critmin.LotInTransit:
			return "in transit"
		case critmin.LotInStock:
			return "in stock"
		case critmin.LotNotInRecord:
			return "not in the record"
		}
		return s
	},
	"canWrite":   critmin.CanWrite,
	"val":        func(v url.Values, k string) string { return v.Get(k) },
	"short":      shortID,
	"eventHref":  eventHref,
	"bytes":      byteSize,
	"pathEscape": url.PathEscape,

	// A stored token name, escaped when it holds control or bidi characters.
	"displayName": critmin.DisplayName,
	// A party or site no event names reads "not stated", as the lot page
	// words every unknown, not a bare "—" after its label ("owner —";
	// issue 15, fixCc item 5).
	"partyName": func(parties map[string]*critmin.Party, id string) string {
		if id == "" {
			return notStated
		}
		return partyLabel(parties, id)
	},
	"siteName": func(sites map[string]*critmin.Site, id string) string {
		if id == "" {
			return notStated
		}
		return siteLabel(sites, id)
	},
}

// notStated is what a page shows after a label whose value no event
// states.
const notStated = "not stated"

// shortID keeps the informative tail of a long URI for tables.
func shortID(id string) string {
	if len(id) <= 36 {
		return id
	}
	i := strings.LastIndexAny(id, ":/")
	if i > 0 && len(id)-i < 30 {
		return "…" + id[i:]
	}
	return id[:12] + "…" + id[len(id)-20:]
}

// pctValue is a per cent figure a template hands over as a float64 or
// a *float64 (nil or another type: 0).
func pctValue(p any) float64 {
	switch x := p.(type) {
	case float64:
		return x
	case *float64:
		if x != nil {
			return *x
		}
	}
	return 0
}

// signedPct prints a difference already in per cent with its sign and
// two decimals at most; one that rounds to zero is "0 %".
func signedPct(p any) string {
	v := pctValue(p)
	s := formatNum(v, 2)
	switch {
	case strings.Trim(s, "0.,") == "":
		return "0 %"
	case v > 0:
		return "+" + s + " %"
	}
	return s + " %"
}

// byteSize prints a size in bytes as KiB, MiB or GiB (IEC 80000-13).
func byteSize(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v, i = v/1024, i+1
	}
	return formatNum(v, 1) + " " + units[i]
}

// formatPct prints a share (a fraction) as a percentage with prec
// decimals at most, never as a false extreme: a share above 0 that rounds
// to 0 prints "< 0.1 %" ("< 0.01 %" at two decimals), one below 1 that
// rounds to 100 prints "> 99.9 %" (as custody.Percent does in text).
func formatPct(f float64, prec int) string {
	if b, ok := units.Bound(f*100, prec, 100); ok {
		return b + " %"
	}
	return formatNum(f*100, prec) + " %"
}

// figure prints a measured figure (tonnes, a shortfall) with prec
// decimals at most, never a non-zero one as "0": 0.0499 t below a
// contract minimum is "< 0.1" at one decimal (units.Bound, the rule the
// plan comparison and the percentages follow).
func figure(v float64, prec int) string {
	if b, ok := units.Bound(v, prec, 0); ok {
		return trueMinusFigure(b)
	}
	return formatNum(v, prec)
}

// tonnesText is a mass in tonnes for a page: to the kilogram (three
// decimals) from 1 t, and below 1 t with three significant digits, so
// that a lot of 0.5 kg reads 0.0005, not 0.001 (twice its mass) or
// "< 0.001" (issue 15, fix15z).
func tonnesText(t float64) string {
	t = units.Settled(t)
	prec := 3
	if a := math.Abs(t); a > 0 && a < 1 {
		prec = max(3, min(12, 2-int(math.Floor(math.Log10(a)))))
	}
	return figure(t, prec)
}

// massText is a mass given in tonnes, in the unit that shows it with
// significant digits: t from 1 t, kg from 1 kg, g below — never "0" for
// a mass that is not zero (4 g/t of gold in 20 t is 80 g, not 0 t).
func massText(t float64) string {
	t = units.Settled(t)
	a := math.Abs(t)
	switch {
	case t == 0:
		return "0 t"
	case a >= 1:
		return formatNum(t, 3) + " t"
	case a >= 0.001:
		return formatNum(t*1e3, 3) + " kg"
	case a >= 1e-6:
		return formatNum(t*1e6, 3) + " g"
	}
	return trueMinusFigure(units.Sig(t*1e6, 3)) + " g"
}

// intText is a count of any integer type (int, int64, uint…) with its
// thousands grouped, as units.Int writes it: 1115 → "1,115".
func intText(n any) string {
	switch v := reflect.ValueOf(n); v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strings.Replace(units.Int(v.Int()), "-", trueMinus, 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return units.Uint(v.Uint())
	}
	return fmt.Sprint(n)
}

// nonZeroNum is formatNum(v, prec), or, when that reads 0 for a v that
// is not zero (0.0000001 kg), v's shortest exact decimal: a quantity is
// never shown as 0 unless it is 0. A figure too small to write out
// (1e-300 kg: three hundred zeros) is a power of ten, "1 × 10⁻³⁰⁰"
// (units.Plain; issue 15, fix15zi).
func nonZeroNum(v float64, prec int) string {
	if s := formatNum(v, prec); v == 0 || strings.Trim(s, "0.,") != "" {
		return s
	}
	return trueMinusFigure(units.Plain(v))
}

// formatNum prints a number for a page: thousands separators, at most
// prec decimals with trailing zeros dropped, and a negative number's sign
// the true minus (U+2212, ISO 80000-1 §7.1.1's minus sign, as the trade
// pages' amounts) — every number a page shows is written by this rule.
// A number that rounds to zero is "0", never "−0". A chart's CSV reads
// the sign back as the ASCII hyphen-minus (cellNumber), for machines.
func formatNum(v float64, prec int) string {
	// Rounded as by hand, half away from zero on the decimal (0.25 at
	// one decimal is 0.3, not %.1f's 0.2), and beyond 2^53 the shortest
	// decimal that reads back as v, not the binary value's noise (1e30
	// kg as 1,000,000,000,000,000,019,884,624,838,656) (units.Fixed).
	s := units.Fixed(v, prec)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(out, "0.,") != "" {
		out = trueMinus + out
	}
	return out
}

func newUI() (*ui, error) {
	u := &ui{pages: map[string]*template.Template{}}
	for _, p := range pages {
		t, err := template.New(p).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/eventtable.html", "templates/declarefields.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", p, err)
		}
		u.pages[p] = t
	}
	return u, nil
}

// pageData is what every page template gets.
type pageData struct {
	Title string
	Nav   string
	Token *critmin.Token
	Data  any
}

func (s *site) render(w http.ResponseWriter, r *http.Request, status int, page, title, nav string, data any) {
	var buf bytes.Buffer
	tok, _ := s.Authenticate(r)
	if err := s.ui.pages[page].ExecuteTemplate(&buf, "layout", pageData{Title: title, Nav: nav, Token: tok, Data: data}); err != nil {
		s.Logger.Error("render", slog.String("page", page), slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.Copy(w, &buf)
}

// renderError shows a domain error as an HTML page with the right status.
func (s *site) renderError(w http.ResponseWriter, r *http.Request, err error) {
	// A body the server could not read (too large, too slow, client gone)
	// says so, whatever the handler made of the failed read.
	switch critminhttp.BodyStatus(r) {
	case critminhttp.StatusClientClosedRequest:
		s.Logger.Info("client closed the request", slog.String("method", r.Method), slog.String("path", r.URL.Path))
		w.WriteHeader(critminhttp.StatusClientClosedRequest)
		return
	case http.StatusRequestEntityTooLarge:
		s.render(w, r, http.StatusRequestEntityTooLarge, "error", "Request too large", "", map[string]string{"Title": "Request too large",
			"Detail": fmt.Sprintf("The form is over this page's limit of %s; nothing was changed.", mebibytes(critminhttp.BodyLimit(r)))})
		return
	case http.StatusRequestTimeout:
		s.Logger.Info("request body not received in time", slog.String("method", r.Method), slog.String("path", r.URL.Path))
		s.render(w, r, http.StatusRequestTimeout, "error", "Request timeout", "", map[string]string{"Title": "Request timeout",
			"Detail": fmt.Sprintf("The form did not arrive within %d seconds; nothing was changed.", int(critminhttp.ReadTimeout/time.Second))})
		return
	}
	// A database that does not answer (a stopped --db-read replica) is a
	// 503 page with Retry-After, as the API answers (Server.Unavailable).
	err = s.Unavailable(w, r, err)
	status := critminhttp.StatusOf(err)
	if critmin.ErrorCode(err) == critmin.EINTERNAL {
		s.Logger.Error("internal error", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	// The message names lots, sites and events as the other pages do
	// (readable.go), the identifiers listed under it. Without the names
	// (the store failing too) each identifier reads as its tail.
	msg := critmin.ErrorMessage(err)
	s.render(w, r, status, "error", http.StatusText(status), "", map[string]any{"Title": http.StatusText(status), "Detail": s.readableMessage(r, msg), "IDs": refIDs(msg)})
}

// readableMessage is an error message for a page, its identifiers named
// as the pages name them (refNames.readable); without the names (the
// store failing too) each identifier reads as its tail.
func (s *site) readableMessage(r *http.Request, msg string) template.HTML {
	names, err := s.refNames(r)
	if err != nil {
		names = refNames{}
	}
	return names.readable(msg)
}

var (
	worldOnce sync.Once
	worldJSON []byte
	worldErr  error
)

// handleWorld serves the world's countries as GeoJSON for the maps, from
// the embedded Natural Earth 1:110m outlines (package worldmap), each
// feature's "iso" the ISO 3166-1 alpha-3 code. GET /web/world.geo.json
func (s *site) handleWorld(w http.ResponseWriter, r *http.Request) {
	worldOnce.Do(func() {
		shapes, err := worldmap.Shapes()
		if err != nil {
			worldErr = err
			return
		}
		type feature struct {
			Type       string            `json:"type"`
			Properties map[string]string `json:"properties"`
			Geometry   struct {
				Type        string           `json:"type"`
				Coordinates [][][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		}
		fc := struct {
			Type     string    `json:"type"`
			Features []feature `json:"features"`
		}{Type: "FeatureCollection"}
		for _, sh := range shapes {
			f := feature{Type: "Feature", Properties: map[string]string{"iso": sh.Alpha3, "name": sh.Name}}
			f.Geometry.Type = "MultiPolygon"
			// Rings across the antimeridian cut at ±180° (a charting
			// library draws a ring as it is: a stripe across the map).
			for _, ring := range sh.Rings {
				for _, r := range worldmap.PlanarRings(ring) {
					if r[0] != r[len(r)-1] {
						r = append(r, r[0]) // a GeoJSON ring is closed (RFC 7946 §3.1.6)
					}
					f.Geometry.Coordinates = append(f.Geometry.Coordinates, [][][2]float64{r})
				}
			}
			fc.Features = append(fc.Features, f)
		}
		worldJSON, worldErr = json.Marshal(fc)
	})
	if worldErr != nil {
		s.renderError(w, r, worldErr)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(worldJSON)
}

// signedNum is formatNum with a "+" before a positive figure (a
// difference: "+0.04", "−0.04", "0").
func signedNum(v float64, prec int) string {
	s := formatNum(v, prec)
	if v > 0 && strings.Trim(s, "0.,") != "" {
		return "+" + s
	}
	return s
}
