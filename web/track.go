package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

func (s *site) uiRoutes() {
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	s.HandlePublic("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Files only: a directory (/static/, /static/vendor/) is a 404,
		// not a listing of what the server holds.
		// A directory or a missing file is the server's own 404 page, as
		// every other error, not the file server's text/plain "404 page
		// not found" (fix14q).
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if fi, err := fs.Stat(static, name); strings.HasSuffix(r.URL.Path, "/") || err != nil || fi.IsDir() {
			s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "no file at %s", r.URL.Path))
			return
		}
		files.ServeHTTP(w, r)
	}))
	s.route("GET /{$}", accessRead, s.handleOverview)
	s.route("GET /lots", accessRead, s.handleLotsPage, "commodity:lot-commodity", "status:lot-status", "location", "destination", "limit", "offset")
	s.route("GET /lots/{id}", accessRead, s.handleLotPage)
	s.route("GET /events", accessRead, s.handleEventsPage, critminhttp.EPCISQueryParams...)
	s.route("GET /capture", accessRead, s.handleCapturePage, "after")
	s.route("POST /capture", accessWrite, s.handleCaptureSubmit)
	s.route("GET /capture/{captureID}", accessRead, s.handleJobPage, "rows", "refused")
	s.route("GET /login", accessPublic, s.handleLoginPage, "next", "!token")
	s.route("POST /login", accessPublic, s.handleLogin, "token")
	s.route("POST /logout", accessPublic, s.handleLogout)
}

func (s *site) siteMap(r *http.Request) (map[string]*critmin.Site, error) {
	sites, err := s.Store.FindSites(r.Context())
	if err != nil {
		return nil, err
	}
	return sitesByID(sites), nil
}

// partyMap is the parties master data describes, by identifier.
// sitesAndParties reads the site and party master data a page names
// places and parties by (siteMap, partyMap), keyed by identifier.
func (s *site) sitesAndParties(r *http.Request) (map[string]*critmin.Site, map[string]*critmin.Party, error) {
	sites, err := s.siteMap(r)
	if err != nil {
		return nil, nil, err
	}
	parties, err := s.partyMap(r)
	return sites, parties, err
}

func (s *site) partyMap(r *http.Request) (map[string]*critmin.Party, error) {
	parties, err := s.Store.FindParties(r.Context())
	if err != nil {
		return nil, err
	}
	return partiesByID(parties), nil
}

// handleOverview shows the corridor: counts, map, flows, recent events. GET /
func (s *site) handleOverview(w http.ResponseWriter, r *http.Request) {
	st, err := s.Store.Stats(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sites := make(map[string]*critmin.Site, len(st.Sites))
	demo := false
	for _, x := range st.Sites {
		sites[x.ID] = x
		if strings.HasPrefix(x.ID, "urn:critmin:demo:") {
			demo = true
		}
	}
	// The events recorded last, shown by their event time (the table's
	// first column), newest first: a correction recorded today of a
	// September event sits among September's, not above November's.
	recent := slices.Clone(st.RecentEvents)
	sort.SliceStable(recent, func(i, j int) bool { return recent[i].EventTime.After(recent[j].EventTime) })
	// Shipments at sea are flows too: the demo's 91.05 t in transit
	// were on no line of "Flows between sites" (issue 15).
	evs, err := s.shippings(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	all, err := s.shipmentRows(r, evs, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var transit []shipmentRow
	var atSea []critmin.Flow
	for _, row := range all {
		if row.Status == "in transit" {
			transit = append(transit, row)
			f, err := s.transitFlow(r, evs, row)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			atSea = append(atSea, f)
		}
	}
	s.render(w, r, http.StatusOK, "overview", "Overview", "overview", map[string]any{
		"Stats": st, "Sites": sites, "Map": corridorMap(st.Sites, st.Flows, atSea), "Demo": demo, "Events": recent, "InTransit": transit,
	})
}

// transitFlow is a shipment at sea as a flow from its port to its
// destination, its tonnes split by the commodity of its lots (the map
// draws it dashed, one line per commodity).
func (s *site) transitFlow(r *http.Request, evs []*critmin.Event, row shipmentRow) (critmin.Flow, error) {
	f := critmin.Flow{From: row.From, To: row.To, Tonnes: row.Tonnes, Lots: row.Lots}
	var ship *critmin.Event
	for _, e := range evs {
		if e.EventID == row.EventID {
			ship = e
		}
	}
	if ship == nil {
		return f, nil
	}
	// With what the containers it names carried (withCargo, as the
	// shipments index counts its tonnes): a container shipped alone
	// carries its lots' commodities (issue 15, n15-2: its lane read
	// "commodity not stated").
	ship, err := s.withCargo(r.Context(), ship)
	if err != nil {
		return f, err
	}
	var ids []string
	for _, q := range ship.Quantities {
		ids = append(ids, q.EPCClass)
	}
	lots, err := s.Store.FindLotsByID(r.Context(), ids)
	if err != nil {
		return f, err
	}
	commodityOf := map[string]string{}
	for _, l := range lots {
		commodityOf[l.ID] = l.Commodity
	}
	by := map[string]float64{}
	for _, q := range ship.Quantities {
		if t, ok := tonnes(q); ok {
			by[commodityOf[q.EPCClass]] += t
		}
	}
	for c, t := range by {
		f.ByCommodity = append(f.ByCommodity, critmin.CommodityTonnes{Commodity: c, Tonnes: t})
	}
	sort.Slice(f.ByCommodity, func(i, j int) bool {
		a, b := f.ByCommodity[i], f.ByCommodity[j]
		return a.Tonnes > b.Tonnes || a.Tonnes == b.Tonnes && a.Commodity < b.Commodity
	})
	return f, nil
}

// siteKinds are the map's marker classes, told apart by shape in dark
// neutral tones: colours are kept for commodities.
var siteKinds = []Kind{
	{critmin.SiteMine, "mine", "#1d2939", "triangle"}, {critmin.SitePort, "port", "#1d2939", "circle"}, {critmin.SiteRefinery, "refinery", "#1d2939", "rect"},
	{critmin.SiteCustomer, "customer", "#1d2939", "diamond"}, {critmin.SiteWarehouse, "warehouse", "#475467", "roundRect"},
}

// corridorMap is the sites with coordinates on a world map, cropped to
// their bounding box, and the flows between them (line width grows with
// tonnes; a route across the antimeridian in two pieces). Each lane is
// drawn in its commodity's colour (commodityColour, as on every page),
// one line per commodity on a lane that carried several (each commodity
// with its own curve, so that they lie side by side), with the commodities
// in the legend; shipments in transit (atSea) are dashed lines from the
// port they left to their destination. Every site is
// labelled: static/charts.js (placeGeoLabels) places each label clear of
// the others; every name is in the table too.
//
// A site without coordinates cannot be drawn: it is named in a note
// under the map (with a link to the lots there) and keeps its row in the
// table, so that no site silently goes missing (unplacedNote).
func corridorMap(sites []*critmin.Site, flows, atSea []critmin.Flow) template.HTML {
	var placed, unplaced []*critmin.Site
	minLon, maxLon, minLat, maxLat := 180.0, -180.0, 90.0, -90.0
	for _, s := range sites {
		if s.Lat == nil || s.Lon == nil {
			unplaced = append(unplaced, s)
			continue
		}
		placed = append(placed, s)
		minLon, maxLon = math.Min(minLon, *s.Lon), math.Max(maxLon, *s.Lon)
		minLat, maxLat = math.Min(minLat, *s.Lat), math.Max(maxLat, *s.Lat)
	}
	if len(placed) == 0 {
		return template.HTML(`<p class="muted" id="corridor-map">No site has coordinates in master data yet.</p>`) + unplacedNote(unplaced)
	}
	// The table is the map's accessible alternative: every site, then
	// every line drawn between two sites with its commodity and tonnes
	// (fix15x item 5), as the CSV has them.
	c := Chart{ID: "corridor-map", Kind: "geo", Title: "", Kinds: siteKinds, Header: []string{"site or flow", "kind", "latitude", "longitude", "commodity", "tonnes (t)"},
		Bounds: mapBounds(minLon, maxLon, minLat, maxLat)}
	known := map[string]bool{}
	for _, k := range siteKinds {
		known[k.ID] = true
	}
	sort.Slice(placed, func(i, j int) bool { return placed[i].ID < placed[j].ID })
	pos := map[string]bool{}
	for _, s := range placed {
		name := s.Name
		if name == "" {
			name = shortID(s.ID)
		}
		kind := s.Kind
		if !known[kind] {
			kind = critmin.SiteWarehouse
		}
		pos[s.ID] = true
		c.Nodes = append(c.Nodes, Node{ID: s.ID, Name: name, Kind: kind, Lat: *s.Lat, Lon: *s.Lon})
		c.Rows = append(c.Rows, []string{name, s.Kind, formatNum(*s.Lat, 3), formatNum(*s.Lon, 3), "", ""})
		c.RowLinks = append(c.RowLinks, siteLotsHref(s.ID))
	}
	sort.Slice(unplaced, func(i, j int) bool { return unplaced[i].ID < unplaced[j].ID })
	for _, s := range unplaced {
		c.Rows = append(c.Rows, []string{siteDisplayName(s), s.Kind, "", "", "", ""})
		c.RowLinks = append(c.RowLinks, siteLotsHref(s.ID))
	}
	at := map[string][2]float64{}
	for _, s := range placed {
		at[s.ID] = [2]float64{*s.Lon, *s.Lat}
	}
	var codes []string
	lanes := func(flows []critmin.Flow, kind string) {
		for _, f := range flows {
			if !pos[f.From] || !pos[f.To] {
				continue
			}
			a, b := at[f.From], at[f.To]
			parts := f.ByCommodity
			if len(parts) == 0 {
				parts = []critmin.CommodityTonnes{{Tonnes: f.Tonnes}}
			}
			for _, p := range parts {
				codes = append(codes, p.Commodity)
				c.Links = append(c.Links, Link{From: f.From, To: f.To, Value: p.Tonnes, Colour: commodityColour(p.Commodity), Label: laneName(p.Commodity),
					Kind: kind, Segments: routeSegments(a[0], a[1], b[0], b[1])})
			}
		}
	}
	lanes(flows, "moved")
	lanes(atSea, "transit")
	names := map[string]string{}
	for _, n := range c.Nodes {
		names[n.ID] = n.Name
	}
	for _, l := range c.Links {
		kind := "moved"
		if l.Kind == "transit" {
			kind = "in transit"
		}
		c.Rows = append(c.Rows, []string{names[l.From] + " → " + names[l.To], kind, "", "", l.Label, formatNum(l.Value, 3)})
		c.RowLinks = append(c.RowLinks, "")
	}
	c.CSVHeader, c.CSVRows = corridorMapCSV(c, placed, unplaced)
	for _, k := range commodityKey(codes) {
		c.Lanes = append(c.Lanes, Kind{ID: k.Code, Name: k.Name, Colour: k.Colour})
	}
	if slices.Contains(codes, "") {
		c.Lanes = append(c.Lanes, Kind{Name: laneName(""), Colour: commodityColour("")})
	}
	// Each commodity has its own curve (its place in the legend): two
	// commodities' lines between neighbouring ports (Karachi and Port
	// Qasim to Houston) lie apart instead of one over the other.
	for i := range c.Links {
		for j, k := range c.Lanes {
			if k.Name == c.Links[i].Label {
				c.Links[i].Lane = j
			}
		}
	}
	return c.HTML() + unplacedNote(unplaced)
}

// corridorMapCSV is the map's CSV: everything the map draws, not only
// its table's sites. One row per site (its kind and coordinates; a site
// without coordinates is listed with none), then one row per line drawn:
// a route moved or in transit between two sites, with its commodity, its
// tonnes and the leg's points as drawn, written as WKT (OGC Simple
// Features): LINESTRING(lon lat, lon lat, …), a route across the
// antimeridian as MULTILINESTRING((…), (…)) — a cell that starts with a
// letter, so the spreadsheet formula guard leaves it alone (a route
// starting "-33.1" was written "'-33.1 …") and GIS tools read it
// (fix15m item 2), so that the CSV holds the map's full data (issue 15:
// every chart has its CSV).
func corridorMapCSV(c Chart, placed, unplaced []*critmin.Site) ([]string, [][]string) {
	header := []string{"record", "name", "kind", "latitude", "longitude", "from", "to", "commodity", "tonnes (t)", "route (WKT, lon lat)"}
	var rows [][]string
	names := map[string]string{}
	for _, s := range placed {
		names[s.ID] = siteDisplayName(s)
		rows = append(rows, []string{"site", siteDisplayName(s), s.Kind, formatNum(*s.Lat, 3), formatNum(*s.Lon, 3), "", "", "", "", ""})
	}
	for _, s := range unplaced {
		rows = append(rows, []string{"site", siteDisplayName(s), s.Kind, "", "", "", "", "", "", ""})
	}
	for _, l := range c.Links {
		kind := "moved"
		if l.Kind == "transit" {
			kind = "in transit"
		}
		rows = append(rows, []string{"route", names[l.From] + " → " + names[l.To], kind, "", "", names[l.From], names[l.To], l.Label, formatNum(l.Value, 3), routeWKT(l.Segments)})
	}
	return header, rows
}

// routeWKT is a route's points as WKT (lon lat, as GIS tools and GeoJSON
// order them): LINESTRING(61.5 29.1, 67.3 24.8) for one piece,
// MULTILINESTRING((…), (…)) for a route drawn in pieces (across the
// antimeridian), "" for none.
func routeWKT(segs [][][2]float64) string {
	var pieces []string
	for _, seg := range segs {
		var pts []string
		for _, pt := range seg {
			pts = append(pts, strconv.FormatFloat(pt[0], 'f', -1, 64)+" "+strconv.FormatFloat(pt[1], 'f', -1, 64))
		}
		if len(pts) > 0 {
			pieces = append(pieces, "("+strings.Join(pts, ", ")+")")
		}
	}
	switch len(pieces) {
	case 0:
		return ""
	case 1:
		return "LINESTRING" + pieces[0]
	}
	return "MULTILINESTRING(" + strings.Join(pieces, ", ") + ")"
}

// laneName is the name of a commodity on a map lane and its legend.
func laneName(code string) string {
	if code == "" {
		return "commodity not stated"
	}
	return ledger.CommodityName(code)
}

// siteDisplayName is a site's name, or the tail of its identifier when
// master data gives none.
func siteDisplayName(s *critmin.Site) string {
	if s.Name != "" {
		return s.Name
	}
	return shortID(s.ID)
}

// siteLotsHref is the lot list filtered to the lots at a site.
func siteLotsHref(id string) string { return "/lots?location=" + url.QueryEscape(id) }

var unplacedTemplate = template.Must(template.New("unplaced").Parse(`<p class="note" id="map-unplaced">Not on the map — no coordinates in master data ` +
	`(<code>latitude</code> and <code>longitude</code> of the site, docs/epcis.md): ` +
	`{{range $i, $s := .}}{{if $i}}, {{end}}<a href="{{$s.Href}}" title="{{$s.ID}}">{{$s.Name}}</a>{{if $s.Kind}} ({{$s.Kind}}){{end}}{{end}}. They are listed in the table.</p>`))

// unplacedNote names the sites the corridor map cannot draw for want of
// coordinates; empty when every site is drawn.
func unplacedNote(sites []*critmin.Site) template.HTML {
	if len(sites) == 0 {
		return ""
	}
	type entry struct{ ID, Name, Kind, Href string }
	var es []entry
	for _, s := range sites {
		es = append(es, entry{s.ID, siteDisplayName(s), s.Kind, siteLotsHref(s.ID)})
	}
	var b strings.Builder
	if err := unplacedTemplate.Execute(&b, es); err != nil {
		return template.HTML(template.HTMLEscapeString(err.Error()))
	}
	return template.HTML(b.String())
}

// routeSegments is a route from (lon1, lat1) to (lon2, lat2) as the
// pieces a map draws. A route whose ends lie more than 180° of longitude
// apart goes the short way, across the antimeridian: it is split at ±180°
// into two pieces (a single line would run across the whole map), the
// latitude at the crossing interpolated along the unwrapped longitude.
// Other routes are one piece.
func routeSegments(lon1, lat1, lon2, lat2 float64) [][][2]float64 {
	if math.Abs(lon2-lon1) <= 180 {
		return [][][2]float64{{{lon1, lat1}, {lon2, lat2}}}
	}
	edge, to := 180.0, lon2+360 // eastward across +180°
	if lon1 < lon2 {
		edge, to = -180, lon2-360 // westward across −180°
	}
	lat := lat1 + (edge-lon1)/(to-lon1)*(lat2-lat1)
	return [][][2]float64{{{lon1, lat1}, {edge, lat}}, {{-edge, lat}, {lon2, lat2}}}
}

// maxMapAspect is the widest a corridor map is drawn (width over height,
// after ECharts' geo aspect scale of 0.75): a corridor that spans half
// the globe east to west but little north to south (Pakistan–Texas) is
// given more latitude, so that its sites are not squeezed into a strip.
const maxMapAspect = 2.2

// mapBounds is the map's [[west, north], [east, south]]: the sites'
// box with a margin of 10° of longitude and 8° of latitude, then
// latitude added equally north and south until the drawn width is at
// most maxMapAspect times the height (within ±85°).
func mapBounds(minLon, maxLon, minLat, maxLat float64) [][2]float64 {
	west, east := math.Max(minLon-10, -180), math.Min(maxLon+10, 180)
	north, south := math.Min(maxLat+8, 85), math.Max(minLat-8, -85)
	if need := (east - west) * 0.75 / maxMapAspect; north-south < need {
		add := (need - (north - south)) / 2
		north, south = math.Min(north+add, 85), math.Max(south-add, -85)
	}
	return [][2]float64{{west, north}, {east, south}}
}

// handleLotsPage lists lots with filters: commodity, status and the
// destination an in-transit lot is bound for (the API's, through the
// same FindLots). GET /lots
func (s *site) handleLotsPage(w http.ResponseWriter, r *http.Request) {
	f, err := critminhttp.LotFilterOf(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	lots, _, total, err := s.FindLots(r, f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	dests, err := s.destinations(r, f.Destination)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sites, err := s.siteMap(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var codes []string
	for c := range ledger.Commodities {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	origins, err := custody.Origins(r.Context(), s.Store, lots)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, l := range lots {
		if l.Status == critmin.LotNotInRecord {
			delete(origins, l.ID) // not in the record: no origin (issue 8 §2, fixMm)
		}
	}
	// A lot at sea is where its latest shipping event sends it, not at
	// the port it left (its stored location, the last bizLocation).
	transits := map[string]*transit{}
	for _, l := range lots {
		if l.Status != critmin.LotInTransit {
			continue
		}
		evs, err := s.LotEvents(r, l.ID)
		if err == nil {
			// With the shipments of the containers it travels in,
			// naming only them (nu38a).
			evs, err = critminhttp.TransitEvents(r.Context(), s.Store, l.ID, evs)
		}
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if t := transitOf(timeline(l.ID, evs), sites, l); t != nil {
			transits[l.ID] = t
		}
	}
	s.render(w, r, http.StatusOK, "lots", "Lots", "lots", map[string]any{
		"Lots": lots, "Total": total, "Pager": pageOf(r, f.Offset, f.Limit, len(lots), total), "Filter": f, "Sites": sites, "Commodities": codes, "Origins": origins, "Transit": transits,
		"Destinations": dests,
		"Statuses":     critmin.LotStatuses, // every status the list prints (fixSs)
	})
}

type assayRow struct {
	critmin.Assay
	// DryValue is the grade on the dry basis (an as-received assay
	// converted with its moisture).
	DryValue float64
	HasDry   bool
	// Contained is the analyte's tonnes in what remains of what the
	// assay describes (ledger.AssayRecord.Contained), RemainingDry those
	// dry tonnes: what stands of it and what is at sea, never what runs
	// took (issue 15, fix15zh).
	Contained    float64
	RemainingDry float64
	HasContained bool
	// Reported is the grade as reported ("25,500 ppm") when its unit is
	// not %: the table's grades are all in %, the note under it gives
	// the figures as reported.
	Reported string
	// SupersededBy is the newer assay of the element that is in effect
	// (ledger.SupersededBy): the row is kept, marked, with no contained
	// figure — the element is counted once, by the assay in effect.
	SupersededBy *critmin.Assay
	// Site is where the part it was taken of stands, for an assay of a
	// part read at grades of its own (ledger.AssayRecord.Site; issue 15,
	// fix15a); "" for the lot's. PartLabel names that part, with its
	// owner where another part stands at the site (ledger.AssayPartLabel;
	// fix15v: two holdings at Port Qasim read as one row twice).
	Site      string
	PartLabel string
}

// gradePctText is a grade v in unit as a figure in % (25,500 ppm →
// "2.55"); a unit that is no grade unit keeps its figure and unit, so
// that nothing is shown in a unit it is not in.
func gradePctText(v float64, unit string) string {
	pct, err := units.ConvertGrade(v, unit, units.Percent)
	if err != nil {
		return nonZeroNum(v, 4) + " " + unit
	}
	return nonZeroNum(pct, gradeDecimals(pct))
}

// gradeDecimals is the decimals a grade in percent is shown with: four,
// or more for a grade below 0.01 %, so that it keeps three significant
// figures (n15 item 4: gold at 3.95 g/t is 0.000395 %, and at four
// decimals every gold assay of the demo read "0.0004"). At most ten.
func gradeDecimals(pct float64) int {
	a := math.Abs(pct)
	if a == 0 || a >= 0.01 || math.IsNaN(a) || math.IsInf(a, 0) {
		return 4
	}
	// 3 significant figures: the first lies at decimal −floor(log10 a).
	return min(10, max(4, 2-int(math.Floor(math.Log10(a)))))
}

// handleLotPage shows one lot: identity, mass, assays, origin, custody,
// genealogy links and its event timeline. GET /lots/{id}
func (s *site) handleLotPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l, err := s.Store.FindLot(r.Context(), id)
	if err != nil {
		// A lot that existed and whose every event was declared in
		// error is gone, not unknown: 410 with the declarations
		// (docs/epcis.md, "A withdrawn lot").
		if evs, ok := critminhttp.WithdrawnLotEvents(r.Context(), s.Store, id, err); ok {
			s.render(w, r, http.StatusGone, "lotgone", "Lot withdrawn", "lots", map[string]any{"ID": id, "Events": evs})
			return
		}
		s.renderError(w, r, err)
		return
	}
	evs, err := s.LotEvents(r, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// A lot whose making event is declared in error, while a run that
	// fed on it stands, is not in the record either: 410 naming the
	// declaration, as GET /api/v1/lots/{id} answers (custody.UnmadeLot;
	// issue 8 §2), never a page reading "consumed".
	// So is one whose standing making event is dated after an event
	// that acted on it (a corrective commissioning dated after the run
	// that drew on it; fixMm): the page names that event and the
	// earlier one.
	if u := custody.UnmadeLotOf(id, evs); u != nil {
		shown := []*critmin.Event{u.Maker}
		if u.Late != nil {
			shown = append(shown, u.Late, u.Acted)
		}
		s.render(w, r, http.StatusGone, "lotgone", "Lot not in the record", "lots", map[string]any{"ID": id, "Events": shown, "Unmade": true, "Late": u.Late != nil, "Words": u.Words(id)})
		return
	}
	sites, pm, err := s.sitesAndParties(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var rows []assayRow
	// Every assay the lot was given, an older one of the same analyte
	// and basis too, each marked if superseded (ledger.AssayRecords).
	for _, rec := range ledger.AssayRecords(l, evs) {
		a := rec.Assay
		row := assayRow{Assay: a, SupersededBy: rec.SupersededBy, Site: rec.Site,
			PartLabel: ledger.AssayPartLabel(rec, func(id string) string { return siteLabel(sites, id) }, func(id string) string { return partyLabel(pm, id) })}
		if u := strings.TrimSpace(a.Unit); u != "" && u != units.Percent {
			row.Reported = nonZeroNum(a.Value, 4) + " " + u
		}
		// Contained tonnes on the dry basis: an as-received assay is
		// converted with its moisture (ledger.DryValue), of what
		// remains of what the assay describes — the lot, less any part
		// assayed where it stands, or that part (issue 15, fix15a) —
		// what runs took gone (ledger.AssayRecord.Contained, the figure
		// `critmin lot show` and the lot API give; fix15zh).
		if v, ok := ledger.DryValue(a, rec.Moisture); ok {
			row.DryValue, row.HasDry = v, true
		}
		if c, ok := rec.Contained(); ok {
			row.Contained, row.RemainingDry, row.HasContained = c, rec.RemainingDryTonnes, true
		}
		rows = append(rows, row)
	}
	tl := timeline(id, evs)
	// The shipments and receipts of the containers it was packed in,
	// naming only the container (issue 8, issue 15 §2).
	moved, err := critminhttp.LotContainerEvents(r.Context(), s.Store, id, evs)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Names label the identifiers in anomaly texts and a refused claim's
	// reason (lots, sites and events, as the pages do: readable.go).
	names := namesOf(slices.Collect(maps.Values(sites)), mapValues(pm))
	data := map[string]any{"Lot": l, "Events": evs, "Timeline": withContainerMoves(tl, moved), "Sites": sites, "Parties": pm, "Assays": rows, "Names": names}
	if l.Status == critmin.LotInTransit {
		// A shipment of the containers it travels in, naming only them,
		// ships it as one naming it does (nu38a).
		data["Transit"] = transitOf(data["Timeline"].([]eventView), sites, l)
	}
	// Shipped and received weights of each shipment a receipt closed, as
	// GET /api/v1/lots/{id} gives them (ledger.Outturns).
	data["Outturns"] = ledger.Outturns(l.ID, critminhttp.FullEvents(evs))
	// Every site where something of the lot stands, the body and each
	// received part, as the API's standsAt (ledger.StandsAt): the
	// Remaining line named the body's site alone (nu15 F8b).
	data["StandsAt"] = ledger.StandsAt(l)
	// Why each part shipped from nothing takes nothing, worded from the
	// holdings that stood where it left when it left
	// (ledger.FromNothingText; issue 15, fix15zh: "nothing of the lot
	// stood there" where the smelter's 5 t stood), and whether runs
	// took of the parts, which the dry mass in parts counts while each
	// part's line gives what is left of it.
	fromNothing := map[string]string{}
	partsTaken := false
	for _, p := range l.Parts {
		if p.FromRetracted {
			fromNothing[p.ShipEventID] = ledger.FromNothingText(p.LeftFrom, p.From, p.Tonnes, func(id string) string { return siteLabel(sites, id) },
				func(id string) string { return partyLabel(pm, id) }, tonnesText)
		}
		partsTaken = partsTaken || (p.TakenTonnes > 0 && p.Status != critmin.PartRejoined)
	}
	data["FromNothing"], data["PartsTaken"] = fromNothing, partsTaken
	// Every holding's owner and custodian with its mass, one line per
	// site and one for what is in transit (ledger.Holders; issue 15,
	// fix15o, fix15u: a site's second owner was dropped when it was the
	// lot's, and the lot's owner led the line though its body held 0 t).
	data["OwnerLines"] = holdersView{Lines: ledger.Holders(l, false), Sites: sites, Parties: pm}
	data["CustodianLines"] = holdersView{Lines: ledger.Holders(l, true), Sites: sites, Parties: pm}
	// The lots it came from and went into, by ID, so that their links read
	// the batch and product, not the URN alone (fix15r).
	related := map[string]*critmin.Lot{}
	if ids := append(append([]string(nil), l.Parents...), l.Children...); len(ids) > 0 {
		ls, err := s.Store.FindLotsByID(r.Context(), ids)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, x := range ls {
			related[x.ID] = x
		}
	}
	data["Related"] = related
	tr, err := custody.TraceLot(r.Context(), s.Store, id, custody.Backward, 0)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// The graph draws downstream too (mine lots → containers → voyage →
	// refinery run → products): a mine lot's page showed its voyage but
	// not the run and products listed under "Went into".
	graph := tr
	if len(l.Children) > 0 {
		fw, err := custody.TraceLot(r.Context(), s.Store, id, custody.Forward, 0)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		graph = mergeTraces(tr, fw)
	}
	data["Trace"], data["Graph"] = tr, genealogyGraph(graph, sites, s.shipmentShippedBy(r), s.lotLegs(r))
	data["CameFromNothing"], data["WentIntoNothing"] = tookNothingOf(graph, id)
	var origin *custody.Composition
	if c, err := custody.Origin(r.Context(), s.Store, id); err == nil {
		origin = c
		data["Origin"], data["OriginChart"] = c, originBars(c, commodityColour(l.Commodity))
	} else {
		data["OriginError"] = s.readableMessage(r, critmin.ErrorMessage(err))
	}
	data["OriginMine"] = originMineOf(l, origin)
	if vs, err := custody.Evaluate(r.Context(), s.Store, id, s.RulePack()); err == nil {
		data["Verdicts"] = vs
	} else {
		data["OriginError"] = s.readableMessage(r, critmin.ErrorMessage(err))
	}
	s.render(w, r, http.StatusOK, "lot", ledger.CommodityName(l.Commodity)+" lot", "lots", data)
}

// tookNothingOf reads, from trace t of lot id, the input lots of id's
// runs that gave nothing to it (came, by input lot) and the products of
// runs that took nothing of id (went, by product): every transformation
// edge between the two took nothing (critmin.LotEdge.TookNothing), with
// why. The lot page's "Came from" and "Went into" say so beside the lot,
// as the graph draws the line dashed (issue 15, fix15za).
func tookNothingOf(t *custody.Trace, id string) (came, went map[string]string) {
	came, went = map[string]string{}, map[string]string{}
	if t == nil {
		return came, went
	}
	fed := map[string]bool{}
	for _, e := range t.Edges {
		if e.Kind != ledger.LinkTransformation {
			continue
		}
		var m map[string]string
		var other string
		switch id {
		case e.Child:
			m, other = came, e.Parent
		case e.Parent:
			m, other = went, e.Child
		default:
			continue
		}
		if e.TookNothing == "" {
			fed[other] = true
		} else if _, ok := m[other]; !ok {
			m[other] = e.TookNothing
		}
	}
	for other := range fed {
		delete(came, other)
		delete(went, other)
	}
	return came, went
}

// lotLegs gives the legs of a lot's holdings (custody.LotLegs), each
// lot's read once; false when they cannot be read (the graph then draws
// no voyage into a run).
func (s *site) lotLegs(r *http.Request) func(lot string) (ledger.HoldingLegs, bool) {
	cache := map[string]*ledger.HoldingLegs{}
	return func(lot string) (ledger.HoldingLegs, bool) {
		g, ok := cache[lot]
		if !ok {
			if legs, err := custody.LotLegs(r.Context(), s.Store, lot); err == nil {
				g = &legs
			} else {
				s.Logger.WarnContext(r.Context(), "genealogy: legs of a lot", "lot", lot, "err", err)
			}
			cache[lot] = g
		}
		if g == nil {
			return ledger.HoldingLegs{}, false
		}
		return *g, true
	}
}

// shipmentShippedBy is what a shipping event (by ID) stating no quantity
// of a lot shipped of it: what stood of the lot where it left, by the
// lot's events (ledger.ShippedBy), each lot's events read once.
func (s *site) shipmentShippedBy(r *http.Request) func(lot, eventID string) (float64, bool) {
	cache := map[string][]*critmin.Event{}
	return func(lot, eventID string) (float64, bool) {
		evs, ok := cache[lot]
		if !ok {
			levs, err := s.LotEvents(r, lot)
			if err == nil {
				evs = critminhttp.FullEvents(decoded(levs))
			}
			cache[lot] = evs
		}
		for _, e := range evs {
			if e.EventID == eventID && e.ErrorDeclaration == nil && e.BizStep == "shipping" {
				return ledger.ShippedBy(lot, evs, e)
			}
		}
		return 0, false
	}
}

// originMine is what a lot page says of the lot's origin mine: the mine
// the lot states; for a product of a transformation (a refinery run's
// output, which states no mine of its own), the mines of its feed with
// their shares of its dry mass, as the genealogy proves them; else that
// no mine is stated — never a bare dash.
type originMine struct {
	Mine    string          // the site the lot states
	Product bool            // made from other lots: its origin is its feed's
	Feed    []custody.Share // the feed's mines by share of dry mass (custody.Origin)
}

// originMineOf reads l's origin mine for its page; c is its physical
// origin (nil when it could not be computed). A share of the feed whose
// mine is not stated (custody.Unknown) is named so.
func originMineOf(l *critmin.Lot, c *custody.Composition) originMine {
	if l.OriginMine != "" {
		return originMine{Mine: l.OriginMine}
	}
	if len(l.Parents) == 0 {
		return originMine{}
	}
	m := originMine{Product: true}
	if c != nil {
		for _, sh := range c.Mass.ByMine {
			if sh.Key == custody.Unknown {
				sh.Name = "mine not stated"
			}
			m.Feed = append(m.Feed, sh)
		}
	}
	return m
}

// transit is where an in-transit lot is going, from its body's shipment
// (transitOf).
type transit struct {
	From, To string // site names
	BOL      string // bill of lading, if the event has one
	Shipment string // the shipment page's ID: the bill of lading, else the first container
	ETA      time.Time
	// Flag says the shipment left from a place only a receipt declared
	// in error put the lot (ledger.ShippedFromRetractedReceipt), in the
	// words of the shipment page and the lot API; Receipt is that
	// receipt's eventID (issue 8 §2, fixJj).
	Flag, Receipt string
}

// transitOf is lot l's transit from its timeline tl (time order): its
// body's shipment (ledger.BodyShipment over the timeline's events, those
// declared in error marked DeclaredInError), with that event's route
// (ledger.LegOf) named by sites, its bill of lading, else its first
// container, and its ETA; nil when none ships it.
func transitOf(tl []eventView, sites map[string]*critmin.Site, l *critmin.Lot) *transit {
	evs := make([]*critmin.Event, len(tl))
	for i, v := range tl {
		evs[i] = v.Event
	}
	e := ledger.BodyShipment(l, evs)
	if e == nil {
		return nil
	}
	g := ledger.LegOf(e)
	t := &transit{From: siteLabel(sites, g.From), BOL: g.BillOfLading, Shipment: g.BillOfLading}
	if g.To != "" {
		t.To = siteLabel(sites, g.To)
	}
	if t.Shipment == "" {
		if cs := containersOf(e); len(cs) > 0 {
			t.Shipment = cs[0]
		}
	}
	t.ETA, _ = extensionTime(e, "eta")
	if _, part := ledger.ShippedPart(l, e.EventID); !part {
		if rec := ledger.ShippedFromRetractedReceipt(l.ID, evs, e); rec != nil {
			t.Flag, t.Receipt = "ships from a receipt declared in error", rec.EventID
		}
	}
	return t
}

// handleEventsPage is the event browser: the standard filters as a form,
// run through the same parser as GET /epcis/events. GET /events
func (s *site) handleEventsPage(w http.ResponseWriter, r *http.Request) {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 && v[0] != "" {
			q[k] = v[:1]
		}
	}
	// Query strings go in as template.URL: html/template would otherwise
	// escape their "=" and "&" as data inside a URL.
	data := map[string]any{"Q": q, "Raw": q.Encode(), "QueryURL": template.URL("/epcis/events?" + q.Encode())}
	for kind, key := range map[string]string{critmin.VocabEventType: "EventTypes", critmin.VocabBizStep: "BizSteps", critmin.VocabDisposition: "Dispositions", critmin.VocabBizLocation: "Locations"} {
		vals, err := s.Store.Vocabulary(r.Context(), kind, "", 200)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		data[key] = vals
	}
	sites, err := s.siteMap(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data["Sites"] = sites
	params := url.Values{}
	for k, v := range q {
		params[k] = v
	}
	if _, ok := params["orderBy"]; !ok {
		params.Set("orderBy", "eventTime")
	}
	status := http.StatusOK
	f, err := epcis.ParseQueryWith(params, func() (map[string][]string, error) { return s.Store.DeclaredPrefixes(r.Context()) })
	if err != nil {
		data["Errors"] = critmin.ErrorFields(err)
		status = http.StatusBadRequest
	} else {
		page, err := s.Store.FindEvents(r.Context(), f)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		data["Events"] = page.Events
		if page.Next != nil {
			next := url.Values{}
			for k, v := range q {
				next[k] = v
			}
			page.Next.Query = epcis.QueryFingerprint(params)
			next.Set("nextPageToken", epcis.EncodePageToken(page.Next))
			data["Next"] = template.URL("/events?" + next.Encode())
		}
	}
	s.render(w, r, status, "events", "Events", "events", data)
}

// captureJobsPerPage is how many capture jobs a page of /capture lists.
const captureJobsPerPage = 20

// captureData is what the capture page shows: the limits and one page of
// capture jobs, newest first, as summaries (errors counted, never
// loaded: critmin.CaptureJobSummary) — before, the page read 20 whole
// jobs with up to 1,000 errors each on every view and every upload.
// after, when not empty, is the cursor of the last job of the page
// before (the page's "Older jobs" link, ?after=); a cursor that does not
// decode is refused naming "after".
func (s *site) captureData(r *http.Request, after string) (map[string]any, error) {
	var cur *critmin.PageCursor
	if after != "" {
		c, err := epcis.DecodePageToken(after)
		if err != nil || c.Key == "" {
			return nil, critmin.FieldErrorf("after", "not a position in the list of capture jobs: follow the page's Older jobs link, or leave after out for the newest")
		}
		cur = c
	}
	jobs, err := s.Store.ListCaptureJobs(r.Context(), cur, captureJobsPerPage+1)
	if err != nil {
		return nil, err
	}
	names, err := s.refNames(r)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"MaxEvents": s.Ledger.Limits.MaxEvents, "MaxBytes": s.Ledger.Limits.MaxBytes, "Names": names}
	if len(jobs) > captureJobsPerPage {
		jobs = jobs[:captureJobsPerPage]
		last := jobs[len(jobs)-1]
		data["Older"] = template.URL("/capture?" + url.Values{"after": {epcis.EncodePageToken(&critmin.PageCursor{Key: last.CaptureID, PK: last.CreatedAt.UnixMicro()})}}.Encode())
	}
	data["Jobs"], data["Paged"] = jobs, cur != nil
	return data, nil
}

// handleCapturePage shows the upload form and a page of capture jobs
// (captureData). GET /capture[?after=CURSOR]
func (s *site) handleCapturePage(w http.ResponseWriter, r *http.Request) {
	data, err := s.captureData(r, r.URL.Query().Get("after"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "capture", "Capture", "capture", data)
}

// handleCaptureSubmit captures an uploaded or pasted document and shows
// the job, or the errors with the document kept for correction.
// POST /capture
func (s *site) handleCaptureSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(s.Ledger.Limits.MaxBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if critminhttp.BodyStatus(r) == http.StatusRequestEntityTooLarge || errors.As(err, &tooBig) {
			s.captureTooLarge(w, r)
			return
		}
		s.renderError(w, r, critmin.FieldErrorf("document", "cannot read the upload: %v", err))
		return
	}
	if err := unknownFormFields(r, "document", "file", "behaviour"); err != nil {
		s.renderError(w, r, err)
		return
	}
	body := []byte(r.PostForm.Get("document"))
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if b, err := io.ReadAll(f); err == nil && len(b) > 0 {
			body = b
		}
	}
	data, err := s.captureData(r, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if max := s.Ledger.Limits.MaxBytes; max > 0 && int64(len(body)) > max {
		s.captureTooLarge(w, r)
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		data["Message"], data["Errors"] = "Nothing to capture.", []critmin.FieldError{{Pointer: "Document", Reason: "choose a file or paste a document"}}
		s.render(w, r, http.StatusBadRequest, "capture", "Capture", "capture", data)
		return
	}
	job, err := s.Ledger.Capture(r.Context(), ledger.CaptureRequest{Body: body, Behaviour: r.PostForm.Get("behaviour"), Token: critminhttp.TokenName(r)})
	if err != nil {
		if critmin.ErrorCode(err) == critmin.EINTERNAL {
			s.renderError(w, r, err)
			return
		}
		// Each error once: the headline without the first error it
		// quotes, then the list (critmin.ErrorHeadline).
		msg, fields := critmin.ErrorHeadline(err), critmin.ErrorList(err)
		if len(fields) == 0 {
			msg, fields = "", []critmin.FieldError{{Pointer: "Document", Reason: critmin.ErrorMessage(err)}}
		}
		if msg == "" {
			msg = "The document was refused; nothing was stored."
		}
		data["Message"], data["Errors"], data["Document"] = msg, fields, string(body)
		s.render(w, r, critminhttp.StatusOf(err), "capture", "Capture", "capture", data)
		return
	}
	s.CountCaptured(job.Stored)
	http.Redirect(w, r, "/capture/"+job.CaptureID, http.StatusSeeOther)
}

// captureTooLarge answers an upload over the capture limit with a
// readable page naming the limit in MiB, not a bare 413.
func (s *site) captureTooLarge(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusRequestEntityTooLarge, "error", "Upload too large", "capture", map[string]string{"Title": "Upload too large",
		"Detail": fmt.Sprintf("The document is over the capture limit of %s (GS1-EPCIS-Capture-File-Size-Limit); nothing was stored. "+
			"Split it into several documents of at most %s each, or send it to POST /epcis/capture, which reads a document as a stream within the same limit.",
			mebibytes(s.Ledger.Limits.MaxBytes), mebibytes(s.Ledger.Limits.MaxBytes))})
}

// mebibytes writes a byte count in MiB ("32 MiB", "1.5 MiB"), or in bytes
// below 1 MiB.
func mebibytes(n int64) string {
	if n < 1<<20 {
		return units.Int(n) + " bytes"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + " MiB"
}

// handleJobPage shows a capture job. GET /capture/{captureID}
func (s *site) handleJobPage(w http.ResponseWriter, r *http.Request) {
	job, err := s.Store.FindCaptureJob(r.Context(), r.PathValue("captureID"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names, err := s.refNames(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// The listed errors by kind: a malformed event (400) or one that
	// conflicts with the record (409, critmin.FieldError.Conflict).
	invalid, conflicts := 0, 0
	for _, e := range job.Errors {
		if e.Status == http.StatusConflict {
			conflicts++
		} else {
			invalid++
		}
	}
	data := map[string]any{"Job": job, "Names": names, "Invalid": invalid, "Conflicts": conflicts}
	if imp, ok := importOutcome(job); ok {
		data["Import"] = imp
	}
	s.render(w, r, http.StatusOK, "job", "Capture job", "capture", data)
}

// importRows is what an import with proceed left out of its capture
// job: the file's rows and those refused for their errors, never sent
// (the job holds the rest, Sent = Rows − Refused).
type importRows struct{ Rows, Refused, Sent int }

// importOutcome is what the import that made job with proceed left out
// of it, as stored with the job (critmin.CaptureJob.Import; handleImport)
// — never read from the page's address, which anyone can write (issue
// 15, fix15t2 item 5: /capture/{id}?rows=3&refused=2 put "2 of the
// file's 3 rows had errors" on any job of one event). ok is false for a
// job no such import made, and for stored figures that do not add up to
// the job (the rows sent are its events).
func importOutcome(job *critmin.CaptureJob) (importRows, bool) {
	imp := job.Import
	if imp == nil || imp.Refused <= 0 || imp.Sent() != job.EventCount {
		return importRows{}, false
	}
	return importRows{Rows: imp.Rows, Refused: imp.Refused, Sent: imp.Sent()}, true
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string { return critminhttp.LocalPath(next) }

// handleLoginPage asks for a token. GET /login
//
// A token in the address (/login?token=…, as a link or a bookmark might
// carry it) is refused with 400 and never tried: addresses reach server
// and proxy logs, browser history and other sites' Referer. The page says
// so and that the token should be revoked; the value is not echoed, and
// the request log records the path only.
func (s *site) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if r.URL.Query().Has("token") {
		s.render(w, r, http.StatusBadRequest, "login", "Sign in", "", map[string]string{"Next": next, "Error": tokenInAddress})
		return
	}
	s.render(w, r, http.StatusOK, "login", "Sign in", "", map[string]string{"Next": next})
}

// tokenInAddress explains the refusal of a token in a URL's query.
const tokenInAddress = "A token in the address is refused (addresses end up in logs, browser history and other sites' Referer headers): " +
	"send it in the form body, as this page does. That token is now exposed; revoke it and create a new one."

// handleLogin checks a token and starts a server-side session; the cookie
// holds only the session's random ID. POST /login
//
// The body is read first and its failures answered as such (413 past the
// limit, 408 too slow, 499 gone) rather than as a wrong token; a token in
// the URL's query, where it would reach logs and browser history, is
// refused without being tried.
func (s *site) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	// An unknown field is refused before the token is tried: no session
	// is started by a form that would have dropped a field.
	if err := unknownFormFields(r, "next", "token"); err != nil {
		s.renderError(w, r, err)
		return
	}
	if r.URL.Query().Has("token") {
		s.render(w, r, http.StatusBadRequest, "login", "Sign in", "", map[string]string{"Next": safeNext(r.PostForm.Get("next")),
			"Error": tokenInAddress})
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	if _, err := s.SignIn(w, r, r.PostForm.Get("token")); err != nil {
		if code := critmin.ErrorCode(err); code != critmin.EUNAUTHORIZED && code != critmin.EINVALID {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnauthorized, "login", "Sign in", "", map[string]string{"Next": next, "Error": "That token is not known to this server, or it has expired or been revoked."})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleLogout ends the session. POST /logout
func (s *site) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r); err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.SignOut(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// mergeTraces is the backward trace b with the nodes and edges of the
// forward trace f it lacks, for the lot page's graph (the Trace shown as
// data stays b).
func mergeTraces(b, f *custody.Trace) *custody.Trace {
	m := *b
	m.Nodes = slices.Clone(b.Nodes)
	m.Edges = slices.Clone(b.Edges)
	nodes := map[string]bool{}
	for _, n := range m.Nodes {
		nodes[n.ID] = true
	}
	edges := map[[3]string]bool{}
	for _, e := range m.Edges {
		edges[[3]string{e.Parent, e.Child, e.EventID}] = true
	}
	for _, n := range f.Nodes {
		if !nodes[n.ID] {
			nodes[n.ID] = true
			m.Nodes = append(m.Nodes, n)
		}
	}
	for _, e := range f.Edges {
		if k := [3]string{e.Parent, e.Child, e.EventID}; !edges[k] {
			edges[k] = true
			m.Edges = append(m.Edges, e)
		}
	}
	return &m
}

// holdersView is what the lot page's Owner or Custodian line reads
// (template "holders"): the lot's holders by site (ledger.Holders) and
// the master data naming sites and parties.
type holdersView struct {
	Lines   []ledger.HoldersAt
	Sites   map[string]*critmin.Site
	Parties map[string]*critmin.Party
}

// Sole says whether one party holds all of the lot at one place
// (ledger.SoleHolder): the line then names it alone (SoleParty).
func (v holdersView) Sole() bool { _, ok := ledger.SoleHolder(v.Lines); return ok }

// SoleParty is that party, "" when none is known.
func (v holdersView) SoleParty() string { p, _ := ledger.SoleHolder(v.Lines); return p }
