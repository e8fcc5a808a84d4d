package web

import (
	"net/http"
	"regexp"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/plan"
)

func (s *site) planRoutes() {
	s.route("GET /plans", accessRead, s.handlePlansPage)
	s.route("POST /plans", accessWrite, s.handlePlansForm)
	s.route("GET /plans/{id}", accessRead, s.handlePlanPage, "scenario", "period")
}

// handlePlansPage lists jobs and offers to run scenarios. When no job has
// run yet, it starts one over every scenario of the network so a first
// visitor sees a plan a few seconds later. GET /plans
func (s *site) handlePlansPage(w http.ResponseWriter, r *http.Request) {
	jobs, err := s.ListPlanJobs(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(jobs) == 0 {
		_, _ = s.StartPlan(critminhttp.PlanRequest{})
		if jobs, err = s.ListPlanJobs(r.Context()); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "plans", "Plans", "plans", map[string]any{"Jobs": jobs, "Network": s.PlanNetwork()})
}

// handlePlansForm starts a job from the page's form. POST /plans
func (s *site) handlePlansForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r, "scenario", "elastic", "gap"); err != nil {
		s.renderError(w, r, err)
		return
	}
	req := critminhttp.PlanRequest{Scenarios: r.PostForm["scenario"], Elastic: r.PostForm.Get("elastic") == "on", StartedBy: critminhttp.TokenName(r)}
	if g := r.PostForm.Get("gap"); g != "" {
		v, err := critmin.ParseDecimal(g)
		if err != nil {
			s.renderError(w, r, critmin.FieldErrorf("gap", "%v", err))
			return
		}
		g := v / 100
		req.Gap = &g
	}
	j, err := s.StartPlan(req)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/plans/"+j.ID, http.StatusSeeOther)
}

// handlePlanPage shows a job: progress while it runs, then the KPI
// comparison, and for the chosen scenario the flow diagram, per-period
// charts, shadow prices, binding constraints and what could not be met.
// GET /plans/{id}?scenario=ID&period=N
func (s *site) handlePlanPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "latest" {
		latest, err := s.LatestPlan(r.Context())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if latest != nil {
			id = latest.ID
		}
	}
	j, err := s.LookupPlanJob(r.Context(), id)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "no plan job %q", id))
		return
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	params := critminhttp.ReadParams(r, "scenario", "period")
	chosen := params.Str("scenario", "")
	period := params.Int("period", -1)
	if err := params.Err(); err != nil {
		s.renderError(w, r, err)
		return
	}
	data := map[string]any{"Job": j}
	if j.Status == "success" && len(j.Plans) > 0 {
		p := j.Plans[0]
		for _, q := range j.Plans {
			if q.Scenario == chosen {
				p = q
			}
		}
		if period < -1 || period >= len(p.Periods) {
			s.renderError(w, r, critmin.FieldErrorf("period", "must be between 0 and %d", len(p.Periods)-1))
			return
		}
		n := s.PlanNetwork()
		data["Plan"] = p
		data["Period"] = period
		data["Compare"] = signedCompare(plan.Compare(j.Plans))
		data["Origins"] = plan.OriginSummary(n, p)
		data["Flow"] = flowDiagram(n, p, period).HTML()
		data["Charts"] = planCharts(n, p)
		// Lines are called by name, their ids in a title attribute.
		lineNames := map[string]string{}
		for _, l := range n.Lines {
			lineNames[l.ID] = lineName(n, l)
		}
		data["LineNames"] = lineNames
		// A constraint's reference and detail name a site, line or
		// commodity of the plan by its ID: the tables show its name.
		refs := map[string]string{}
		for _, st := range n.Sites {
			if st.Name != "" {
				refs[st.ID] = st.Name
			}
		}
		for _, c := range n.Commodities {
			if c.Name != "" {
				refs[c.ID] = c.Name
			}
		}
		for id, name := range lineNames {
			refs[id] = name
		}
		data["RefNames"] = refs
		var codes []string
		for _, c := range n.Commodities {
			codes = append(codes, c.ID)
		}
		data["Key"] = commodityKey(codes)
		data["Shadows"] = plan.SummariseShadowPrices(p)
	}
	s.render(w, r, http.StatusOK, "plan", "Plan "+j.ID, "plans", data)
}

// leadingMinusRE is a hyphen-minus that signs a number: at the start of a
// text or after a space or an opening parenthesis, before a digit.
var leadingMinusRE = regexp.MustCompile(`(^|[\s(])-(\d)`)

// signedCompare is the scenario comparison with the true minus sign
// (U+2212) on its negative figures ("−1,234", a Δ margin below the
// baseline's), as every other figure of the plan page; words with a
// hyphen are left as they are.
func signedCompare(rows []plan.CompareRow) []plan.CompareRow {
	out := make([]plan.CompareRow, len(rows))
	for i, r := range rows {
		out[i] = plan.CompareRow{Name: r.Name, Values: make([]string, len(r.Values))}
		for j, v := range r.Values {
			out[i].Values[j] = leadingMinusRE.ReplaceAllString(v, "${1}−${2}")
		}
	}
	return out
}
