package web

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/critmin/critmin"
)

func (s *site) subscriptionRoutes() {
	s.route("GET /subscriptions", accessRead, s.handleSubscriptions, "after")
}

// subscriptionsView is one named query with its subscriptions.
type subscriptionsView struct {
	Query *critmin.NamedQuery
	Subs  []*critmin.Subscription
}

// subscriptionsPerPage is how many subscriptions a page of /subscriptions
// shows.
const subscriptionsPerPage = 200

// handleSubscriptions lists the named queries and the subscriptions
// with their delivery state — last notified, delivered, pending, failed
// attempts, last error, next scheduled run — as stored in the database,
// so every server shows the same: up to subscriptionsPerPage
// subscriptions a page, by ID, with a link to the next (?after=ID), and
// the totals of all of them (Store.SubscriptionTotals). Before, every
// view read every subscription. GET /subscriptions[?after=ID]
func (s *site) handleSubscriptions(w http.ResponseWriter, r *http.Request) {
	after := r.URL.Query().Get("after")
	queries, err := s.Store.ListNamedQueries(r.Context(), "", 1000)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	subs, err := s.Store.ListSubscriptionsPage(r.Context(), "", after, subscriptionsPerPage+1)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if after != "" && len(subs) == 0 {
		// A position past the last subscription (a typo, a stale or
		// made-up link) is refused, not shown as an empty page.
		s.renderError(w, r, critmin.FieldErrorf("after", "no subscription comes after %q: follow the page's Next link, or leave after out for the first page", after))
		return
	}
	totals, err := s.Store.SubscriptionTotals(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Pending counts the notifications owed but not queued yet too (a
	// run due, as after a restart): notify.Owed, from the stored state.
	now := time.Now()
	if err := s.Owing().AddOwed(r.Context(), subs, now); err != nil {
		s.renderError(w, r, err)
		return
	}
	owed, err := s.Owing().OwedTotal(r.Context(), now)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	totals.Pending += owed
	var next template.URL
	if len(subs) > subscriptionsPerPage {
		subs = subs[:subscriptionsPerPage]
		next = template.URL("/subscriptions?" + url.Values{"after": {subs[len(subs)-1].ID}}.Encode())
	}
	// Destinations are an admin's to see whole; the path and query of a
	// webhook URL often hold its secret.
	if tok, _ := s.Authenticate(r); tok == nil || tok.Role != critmin.RoleAdmin {
		for i, sub := range subs {
			subs[i] = sub.Redacted()
		}
	}
	byQuery := map[string][]*critmin.Subscription{}
	for _, sub := range subs {
		byQuery[sub.QueryName] = append(byQuery[sub.QueryName], sub)
	}
	views := make([]subscriptionsView, len(queries))
	for i, q := range queries {
		views[i] = subscriptionsView{Query: q, Subs: byQuery[q.Name]}
	}
	s.render(w, r, http.StatusOK, "subscriptions", "Subscriptions", "subscriptions", map[string]any{
		"Queries": views, "Subscriptions": totals.Subscriptions, "Pending": totals.Pending, "Failures": totals.Failures,
		"Shown": len(subs), "Partial": after != "" || next != "", "Next": next,
	})
}
