package web

import (
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/plan"
)

func (s *site) planRoutes() {
	s.route("GET /plans", accessRead, s.handlePlansPage)
	s.route("POST /plans", accessWrite, s.handlePlansForm)
	s.route("GET /plans/{id}", accessRead, s.handlePlanPage)
}

// handlePlansPage lists jobs and offers to run scenarios. When no job has
// run yet, it starts one over every scenario of the network so a first
// visitor sees a plan a few seconds later. GET /plans
func (s *site) handlePlansPage(w http.ResponseWriter, r *http.Request) {
	if len(s.PlanJobs()) == 0 {
		_, _ = s.StartPlan(critminhttp.PlanRequest{})
	}
	s.render(w, r, http.StatusOK, "plans", "Plans", "plans", map[string]any{"Jobs": s.PlanJobs(), "Network": s.PlanNetwork()})
}

// handlePlansForm starts a job from the page's form. POST /plans
func (s *site) handlePlansForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	req := critminhttp.PlanRequest{Scenarios: r.PostForm["scenario"], Elastic: r.PostForm.Get("elastic") == "on"}
	if g := r.PostForm.Get("gap"); g != "" {
		v, err := strconv.ParseFloat(g, 64)
		if err != nil {
			s.renderError(w, r, critmin.FieldErrorf("gap", "%q is not a number", g))
			return
		}
		req.Gap = v / 100
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
		if j := s.LatestPlanJob(); j != nil {
			id = j.ID
		}
	}
	j := s.FindPlanJob(id)
	if j == nil {
		s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "no plan job %q", id))
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
		data["Compare"] = compareRows(j.Plans)
		data["Flow"] = flowDiagram(n, p, period).HTML()
		data["Charts"] = planCharts(n, p)
		data["Shadows"] = plan.SummariseShadowPrices(p)
	}
	s.render(w, r, http.StatusOK, "plan", "Plan "+j.ID, "plans", data)
}

// compareRow is one KPI across scenarios.
type compareRow struct {
	Name   string
	Values []string
}

// compareRows are the KPIs of each scenario, each row named with its
// unit (the plan's currency, t or s).
func compareRows(plans []*plan.Plan) []compareRow {
	m := func(v float64) string { return formatNum(v, 0) }
	cur := ""
	if len(plans) > 0 {
		cur = " (" + plans[0].Currency + ")"
	}
	rows := []compareRow{{Name: "status"}, {Name: "margin" + cur}, {Name: "Δ margin vs first" + cur}, {Name: "revenue" + cur}, {Name: "transport" + cur}, {Name: "processing" + cur}, {Name: "holding" + cur}, {Name: "fixed" + cur}, {Name: "penalties" + cur}, {Name: "sold (t)"}, {Name: "unmet (t)"}, {Name: "solve time (s)"}}
	ids := map[string]bool{}
	for _, p := range plans {
		for id := range p.KPIs.ContractTonnes {
			ids[id] = true
		}
	}
	contracts := slices.Sorted(maps.Keys(ids))
	for _, c := range contracts {
		rows = append(rows, compareRow{Name: "delivered to " + c + " (t)"})
	}
	for _, p := range plans {
		k := p.KPIs
		vals := []string{string(p.Status), m(k.Margin), m(k.Margin - plans[0].KPIs.Margin), m(k.Revenue), m(k.Costs["transport"]), m(k.Costs["processing"]), m(k.Costs["holding"]), m(k.Costs["fixed"]), m(k.Costs["penalty"]), m(k.SoldT), m(k.Unmet), formatNum(p.SolveSeconds, 2)}
		for _, c := range contracts {
			vals = append(vals, formatNum(k.ContractTonnes[c], 1))
		}
		for i, v := range vals {
			rows[i].Values = append(rows[i].Values, v)
		}
	}
	return rows
}
