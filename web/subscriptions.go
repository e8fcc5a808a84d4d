package web

import (
	"net/http"

	"github.com/critmin/critmin"
)

func (s *site) subscriptionRoutes() {
	s.route("GET /subscriptions", accessRead, s.handleSubscriptions)
}

// subscriptionsView is one named query with its subscriptions.
type subscriptionsView struct {
	Query *critmin.NamedQuery
	Subs  []*critmin.Subscription
}

// handleSubscriptions lists the named queries and every subscription with
// its delivery state — last notified, delivered, pending, failed
// attempts, last error, next scheduled run — as stored in the database,
// so every server shows the same. GET /subscriptions
func (s *site) handleSubscriptions(w http.ResponseWriter, r *http.Request) {
	queries, err := s.Store.ListNamedQueries(r.Context(), "", 1000)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	subs, err := s.Store.ListSubscriptions(r.Context(), "")
	if err != nil {
		s.renderError(w, r, err)
		return
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
	pending, failures := 0, 0
	for i, q := range queries {
		views[i] = subscriptionsView{Query: q, Subs: byQuery[q.Name]}
	}
	for _, sub := range subs {
		pending += sub.Pending
		failures += sub.Failures
	}
	s.render(w, r, http.StatusOK, "subscriptions", "Subscriptions", "subscriptions", map[string]any{
		"Queries": views, "Subscriptions": len(subs), "Pending": pending, "Failures": failures,
	})
}
