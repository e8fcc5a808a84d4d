package web

import (
	"net/http"
	"net/url"
)

// handleMassBalancePage shows a mass-balance site's declaration and its
// statement for a claim period: per category and origin, opening,
// credits, claims, expired and closing, the events behind each line, an
// ended period's restatement after its close (custody.Restatement: each
// changed line as at close → now and the declarations in error that
// changed it) and the refused claims. GET /sites/{id}/mass-balance?period=ID
func (s *site) handleMassBalancePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := s.Store.FindMassBalance(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	st, err := s.MassBalanceStatement(r, id, r.URL.Query().Get("period"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sites, err := s.siteMap(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// A refused claim's reason names lots and events as the pages do.
	names, err := s.refNames(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "massbalance", "Mass balance", "lots", map[string]any{
		"Declaration": d, "Statement": st, "Sites": sites, "SiteID": id, "Names": names, "API": "/api/v1/sites/" + url.PathEscape(id) + "/mass-balance/statement?period=" + url.QueryEscape(st.Period.ID)})
}
