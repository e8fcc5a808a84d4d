package commercial

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
)

// Sides of a term sheet in the plan (ContractShadow.Side).
const (
	ShadowSale     = "sale"     // a planning contract (plan.Contract.Terms)
	ShadowPurchase = "purchase" // a supply priced at the terms (plan.SupplyPrice.Terms)
)

// ContractShadow is a plan's shadow price of what a term sheet prices in
// it, shown next to the terms (issue 13 §6): a sale — a planning contract
// naming the terms, its minimum and maximum (plan.RowContractMin/Max) — or
// a purchase — a supply the plan priced at the terms
// (commercial.PriceSupplies), its offer (plan.RowSupplyMax: what one more
// tonne offered would add to the margin, net of its price at the terms).
// Periods counts the periods with a nonzero dual, Largest and Mean are in
// money per tonne over those periods. NotAtTerms is the plan's warning
// when it priced a planning contract at the planning file's price instead
// of the terms: that shadow price is not the terms'.
type ContractShadow struct {
	Scenario   string  `json:"scenario"`
	Side       string  `json:"side"`
	Contract   string  `json:"planning_ref"`
	Kind       string  `json:"constraint"`
	Periods    int     `json:"periods"`
	Largest    float64 `json:"largest"`
	Mean       float64 `json:"mean"`
	NotAtTerms string  `json:"not_at_terms,omitempty"`
}

// ContractShadows returns, for term sheet id, the nonzero shadow prices in
// plans (one finished job's scenarios) of the planning contracts of n that
// name it (sales) and of the supplies each plan priced at it (purchases),
// and the planning references it prices (sorted; empty when neither does:
// then no plan prices the terms). A reference with no entry has shadow
// price 0 in every period: none of its bounds binds.
func ContractShadows(plans []*plan.Plan, n *plan.Network, id string) ([]ContractShadow, []string) {
	sales := map[string]bool{}
	refs := map[string]bool{}
	if n != nil {
		for _, c := range n.Contracts {
			if c.Terms == id {
				sales[c.ID], refs[c.ID] = true, true
			}
		}
	}
	out := []ContractShadow{}
	for _, p := range plans {
		if p == nil {
			continue
		}
		buys := map[string]bool{}
		for _, sp := range p.SupplyPrices {
			if sp.Terms == id {
				buys[sp.Supply], refs[sp.Supply] = true, true
			}
		}
		for _, sh := range plan.SummariseShadowPrices(p) {
			switch {
			case sales[sh.Ref] && sh.Kind != plan.RowSupplyMax:
				// ApplyTerms warns "contract ID: …" for each contract it
				// left at the file's price.
				notAt := ""
				for _, w := range p.Warnings {
					if strings.HasPrefix(w, "contract "+sh.Ref+": ") && strings.Contains(w, id) {
						notAt = w
					}
				}
				out = append(out, ContractShadow{Scenario: p.Scenario, Side: ShadowSale, Contract: sh.Ref, Kind: sh.Kind, Periods: sh.Periods, Largest: shadowCents(sh.Largest), Mean: shadowCents(sh.Mean), NotAtTerms: notAt})
			case buys[sh.Ref] && sh.Kind == plan.RowSupplyMax:
				out = append(out, ContractShadow{Scenario: p.Scenario, Side: ShadowPurchase, Contract: sh.Ref, Kind: sh.Kind, Periods: sh.Periods, Largest: shadowCents(sh.Largest), Mean: shadowCents(sh.Mean)})
			}
		}
	}
	ids := make([]string, 0, len(refs))
	for r := range refs {
		ids = append(ids, r)
	}
	sort.Strings(ids)
	return out, ids
}

// shadowCents rounds a shadow price (money per tonne, a solver's dual
// carrying float noise such as 40.7198999999996) to the cent, the
// precision docs/trade.md states for shadow prices beside terms.
func shadowCents(v float64) float64 {
	r := math.Round(v*100) / 100
	if r == 0 {
		return 0 // never -0
	}
	return r
}

// PlanShadows are a term sheet's shadow prices in one finished plan job:
// Priced are the planning references the terms price (sales and
// purchases; ContractShadows), Prices their nonzero shadow prices. Job is
// empty when no plan job has finished: then nothing is priced yet.
type PlanShadows struct {
	Job    string           `json:"plan_job,omitempty"`
	Priced []string         `json:"priced"`
	Prices []ContractShadow `json:"prices"`
}

// NewPlanShadows is ContractShadows of a job's plans as PlanShadows.
func NewPlanShadows(job string, plans []*plan.Plan, n *plan.Network, id string) *PlanShadows {
	out := &PlanShadows{Job: job, Priced: []string{}, Prices: []ContractShadow{}}
	if job == "" {
		return out
	}
	out.Prices, out.Priced = ContractShadows(plans, n, id)
	return out
}

// planJobReader is the part of a store that keeps plan jobs.
type planJobReader interface {
	FindPlanJob(ctx context.Context, id string) (*critmin.PlanJob, error)
	ListPlanJobs(ctx context.Context, limit int) ([]*critmin.PlanJob, error)
}

// StoredContractShadows reads term sheet id's shadow prices from the
// newest successful plan job in the store (its plans and the network it
// planned, as the server saved them) — what the contract page shows, for
// the CLI, which runs no planner.
func StoredContractShadows(ctx context.Context, store any, id string) (*PlanShadows, error) {
	pj, ok := store.(planJobReader)
	if !ok {
		return NewPlanShadows("", nil, nil, id), nil
	}
	jobs, err := pj.ListPlanJobs(ctx, 100)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if j.Status != critmin.PlanSuccess {
			continue
		}
		rec, err := pj.FindPlanJob(ctx, j.ID)
		if err != nil {
			return nil, err
		}
		var plans []*plan.Plan
		if len(rec.Result) > 0 {
			if err := json.Unmarshal(rec.Result, &plans); err != nil {
				return nil, fmt.Errorf("plan job %s: stored result: %w", j.ID, err)
			}
		}
		var n *plan.Network
		if len(rec.Input) > 0 && string(rec.Input) != "null" {
			n = &plan.Network{}
			if err := json.Unmarshal(rec.Input, n); err != nil {
				return nil, fmt.Errorf("plan job %s: stored network: %w", j.ID, err)
			}
		}
		return NewPlanShadows(j.ID, plans, n, id), nil
	}
	return NewPlanShadows("", nil, nil, id), nil
}
