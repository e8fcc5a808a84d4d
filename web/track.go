package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

func (s *site) uiRoutes() {
	static, _ := fs.Sub(staticFS, "static")
	s.HandlePublic("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.route("GET /{$}", accessRead, s.handleOverview)
	s.route("GET /lots", accessRead, s.handleLotsPage)
	s.route("GET /lots/{id}", accessRead, s.handleLotPage)
	s.route("GET /events", accessRead, s.handleEventsPage)
	s.route("GET /capture", accessRead, s.handleCapturePage)
	s.route("POST /capture", accessWrite, s.handleCaptureSubmit)
	s.route("GET /capture/{captureID}", accessRead, s.handleJobPage)
	s.route("GET /login", accessPublic, s.handleLoginPage)
	s.route("POST /login", accessPublic, s.handleLogin)
	s.route("POST /logout", accessPublic, s.handleLogout)
}

func (s *site) siteMap(r *http.Request) (map[string]*critmin.Site, error) {
	sites, err := s.Store.FindSites(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]*critmin.Site, len(sites))
	for _, st := range sites {
		m[st.ID] = st
	}
	return m, nil
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
	s.render(w, r, http.StatusOK, "overview", "Overview", "overview", map[string]any{
		"Stats": st, "Sites": sites, "Map": corridorMap(st.Sites, st.Flows), "Demo": demo, "Events": st.RecentEvents,
	})
}

// corridorMap draws sites with coordinates and the flows between them as
// an inline SVG, scaled to the sites' bounding box.
func corridorMap(sites []*critmin.Site, flows []critmin.Flow) template.HTML {
	const W, H, pad = 1100.0, 420.0, 40.0
	var placed []*critmin.Site
	minLon, maxLon, minLat, maxLat := 180.0, -180.0, 90.0, -90.0
	for _, s := range sites {
		if s.Lat == nil || s.Lon == nil {
			continue
		}
		placed = append(placed, s)
		minLon, maxLon = math.Min(minLon, *s.Lon), math.Max(maxLon, *s.Lon)
		minLat, maxLat = math.Min(minLat, *s.Lat), math.Max(maxLat, *s.Lat)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="map" id="corridor-map" viewBox="0 0 %g %g" role="img" aria-label="Corridor map">`, W, H)
	if len(placed) == 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g">No site has coordinates in master data yet.</text></svg>`, pad, H/2)
		return template.HTML(b.String())
	}
	minLon, maxLon = minLon-10, maxLon+10
	minLat, maxLat = math.Max(minLat-8, -85), math.Min(maxLat+8, 85)
	x := func(lon float64) float64 { return pad + (lon-minLon)/(maxLon-minLon)*(W-2*pad) }
	y := func(lat float64) float64 { return H - pad - (lat-minLat)/(maxLat-minLat)*(H-2*pad) }
	for lon := math.Ceil(minLon/30) * 30; lon <= maxLon; lon += 30 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#e6ebf1"/><text x="%.1f" y="%g" fill="#9fb3c8">%g°</text>`, x(lon), pad/2, x(lon), H-pad/2, x(lon)+3, H-pad/2-2, lon)
	}
	for lat := math.Ceil(minLat/15) * 15; lat <= maxLat; lat += 15 {
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#e6ebf1"/>`, pad/2, y(lat), W-pad/2, y(lat))
	}
	pos := map[string][2]float64{}
	for _, s := range placed {
		pos[s.ID] = [2]float64{x(*s.Lon), y(*s.Lat)}
	}
	maxT := 0.0
	for _, f := range flows {
		maxT = math.Max(maxT, f.Tonnes)
	}
	for _, f := range flows {
		a, okA := pos[f.From]
		c, okC := pos[f.To]
		if !okA || !okC {
			continue
		}
		width := 1.5
		if maxT > 0 {
			width = 1.5 + 8*math.Sqrt(f.Tonnes/maxT)
		}
		mx, my := (a[0]+c[0])/2, (a[1]+c[1])/2-math.Min(120, math.Hypot(c[0]-a[0], c[1]-a[1])/4)
		fmt.Fprintf(&b, `<path class="flow" d="M%.1f %.1f Q%.1f %.1f %.1f %.1f" fill="none" stroke="#0b6e69" stroke-opacity=".55" stroke-width="%.1f"><title>%s → %s: %s t</title></path>`,
			a[0], a[1], mx, my, c[0], c[1], width, template.HTMLEscapeString(f.From), template.HTMLEscapeString(f.To), formatNum(f.Tonnes, 1))
	}
	colours := map[string]string{critmin.SiteMine: "#b54708", critmin.SitePort: "#175cd3", critmin.SiteRefinery: "#6941c6", critmin.SiteCustomer: "#067647", critmin.SiteWarehouse: "#475467"}
	sort.Slice(placed, func(i, j int) bool { return *placed[i].Lat > *placed[j].Lat })
	for i, s := range placed {
		p := pos[s.ID]
		col := colours[s.Kind]
		if col == "" {
			col = "#344054"
		}
		name := s.Name
		if name == "" {
			name = shortID(s.ID)
		}
		dy := -9.0
		if i%2 == 1 {
			dy = 16
		}
		// Labels on the right half run leftwards so that they stay inside.
		anchor, dx := "start", 7.0
		if p[0] > W*0.6 {
			anchor, dx = "end", -7
		}
		fmt.Fprintf(&b, `<circle class="site" cx="%.1f" cy="%.1f" r="5.5" fill="%s"><title>%s (%s)</title></circle><text x="%.1f" y="%.1f" text-anchor="%s">%s</text>`,
			p[0], p[1], col, template.HTMLEscapeString(name), template.HTMLEscapeString(s.Kind), p[0]+dx, p[1]+dy, anchor, template.HTMLEscapeString(name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// handleLotsPage lists lots with filters. GET /lots
func (s *site) handleLotsPage(w http.ResponseWriter, r *http.Request) {
	f, err := critminhttp.LotFilterOf(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	lots, total, err := s.Store.FindLots(r.Context(), f)
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
	s.render(w, r, http.StatusOK, "lots", "Lots", "lots", map[string]any{
		"Lots": lots, "Total": total, "Filter": f, "Sites": sites, "Commodities": codes,
		"Statuses": []string{critmin.LotInStock, critmin.LotInTransit, critmin.LotConsumed},
	})
}

type assayRow struct {
	critmin.Assay
	Contained    float64
	HasContained bool
}

// handleLotPage shows one lot: identity, mass, assays, origin, custody,
// genealogy links and its event timeline. GET /lots/{id}
func (s *site) handleLotPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l, err := s.Store.FindLot(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	evs, err := s.LotEvents(r, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sites, err := s.siteMap(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var rows []assayRow
	for _, a := range l.Assays {
		row := assayRow{Assay: a}
		if a.Basis == "dry" {
			if c, err := units.Contained(l.DryTonnes, a.Value, a.Unit); err == nil {
				row.Contained, row.HasContained = c, true
			}
		}
		rows = append(rows, row)
	}
	parties, err := s.Store.FindParties(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pm := make(map[string]*critmin.Party, len(parties))
	for _, p := range parties {
		pm[p.ID] = p
	}
	data := map[string]any{"Lot": l, "Events": evs, "Sites": sites, "Parties": pm, "Assays": rows}
	tr, err := custody.TraceLot(r.Context(), s.Store, id, custody.Backward, 0)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data["Trace"], data["Graph"] = tr, genealogyGraph(tr)
	if c, err := custody.Origin(r.Context(), s.Store, id); err == nil {
		data["Origin"], data["OriginChart"] = c, originBars(c)
	} else {
		data["OriginError"] = critmin.ErrorMessage(err)
	}
	if vs, err := custody.Evaluate(r.Context(), s.Store, id, s.RulePack()); err == nil {
		data["Verdicts"] = vs
	} else {
		data["OriginError"] = critmin.ErrorMessage(err)
	}
	s.render(w, r, http.StatusOK, "lot", ledger.CommodityName(l.Commodity)+" lot", "lots", data)
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
	f, err := epcis.ParseQuery(params)
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
			next.Set("nextPageToken", epcis.EncodePageToken(page.Next))
			data["Next"] = template.URL("/events?" + next.Encode())
		}
	}
	s.render(w, r, status, "events", "Events", "events", data)
}

func (s *site) captureData(r *http.Request) (map[string]any, error) {
	jobs, err := s.Store.ListCaptureJobs(r.Context(), 20)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Jobs": jobs, "MaxEvents": s.Ledger.Limits.MaxEvents, "MaxBytes": s.Ledger.Limits.MaxBytes}, nil
}

// handleCapturePage shows the upload form and recent jobs. GET /capture
func (s *site) handleCapturePage(w http.ResponseWriter, r *http.Request) {
	data, err := s.captureData(r)
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
	r.Body = http.MaxBytesReader(w, r.Body, s.Ledger.Limits.MaxBytes+1<<20)
	if err := r.ParseMultipartForm(s.Ledger.Limits.MaxBytes); err != nil {
		s.renderError(w, r, critmin.Errorf(critmin.ETOOLARGE, "cannot read the upload: %v", err))
		return
	}
	body := []byte(r.FormValue("document"))
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if b, err := io.ReadAll(f); err == nil && len(b) > 0 {
			body = b
		}
	}
	data, err := s.captureData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		data["Message"], data["Errors"] = "Nothing to capture.", []critmin.FieldError{{Pointer: "document", Reason: "choose a file or paste a document"}}
		s.render(w, r, http.StatusBadRequest, "capture", "Capture", "capture", data)
		return
	}
	job, err := s.Ledger.Capture(r.Context(), ledger.CaptureRequest{Body: body, Behaviour: r.FormValue("behaviour"), Token: critminhttp.TokenName(r)})
	if err != nil {
		if critmin.ErrorCode(err) == critmin.EINTERNAL {
			s.renderError(w, r, err)
			return
		}
		fields := critmin.ErrorFields(err)
		if len(fields) == 0 {
			fields = []critmin.FieldError{{Pointer: "document", Reason: critmin.ErrorMessage(err)}}
		}
		data["Message"], data["Errors"], data["Document"] = critmin.ErrorMessage(err), fields, string(body)
		s.render(w, r, critminhttp.StatusOf(err), "capture", "Capture", "capture", data)
		return
	}
	s.CountCaptured(job.Stored)
	http.Redirect(w, r, "/capture/"+job.CaptureID, http.StatusSeeOther)
}

// handleJobPage shows a capture job. GET /capture/{captureID}
func (s *site) handleJobPage(w http.ResponseWriter, r *http.Request) {
	job, err := s.Store.FindCaptureJob(r.Context(), r.PathValue("captureID"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "job", "Capture job", "capture", map[string]any{"Job": job})
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string { return critminhttp.LocalPath(next) }

// handleLoginPage asks for a token. GET /login
func (s *site) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "Sign in", "", map[string]string{"Next": safeNext(r.URL.Query().Get("next"))})
}

// handleLogin checks a token and starts a server-side session; the cookie
// holds only the session's random ID. POST /login
func (s *site) handleLogin(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.FormValue("next"))
	if _, err := s.SignIn(w, r, r.FormValue("token")); err != nil {
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
	if err := s.SignOut(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
