package http

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin"
)

// Query parameter declarations. Every route names, where it is
// registered, the query parameters it accepts (route's and Route's
// trailing arguments); a request with any other parameter is refused
// before its handler runs: 400 problem+json naming the parameter for the
// API, a 400 HTML page naming it for the web UI's pages. A route that
// declares nothing accepts no parameter, so a route added without a
// declaration cannot drop an unknown parameter silently (issue 14: "an
// unknown or malformed parameter is never dropped silently").
//
// A declared name ending in "*" is a family: "EQ_*" accepts every name
// that begins with "EQ_". The handler still validates what it reads (a
// family admits EQ_bizStep and EQ_nonsense alike; the EPCIS query parser
// then refuses the latter, naming it).

// EPCISQueryParams are the parameters of an EPCIS events query (EPCIS 2.0
// §8.2.7.1 SimpleEventQuery as the REST binding takes them, plus paging):
// the families are admitted here and validated, name by name, by
// epcis.ParseQuery.
var EPCISQueryParams = []string{
	"eventType", "orderBy", "orderDirection", "eventCountLimit", "maxEventCount", "perPage", "nextPageToken",
	"EQ_*", "GT_*", "GE_*", "LT_*", "LE_*", "MATCH_*", "EXISTS_*", "HASATTR_*", "WD_*",
}

// queryDecl is one route's accepted query parameters.
type queryDecl struct {
	names    map[string]bool
	prefixes []string
	list     []string // as declared, for messages and RouteQuery
}

func newQueryDecl(names []string) *queryDecl {
	d := &queryDecl{names: map[string]bool{}, list: slices.Clone(names)}
	for _, n := range names {
		if p, ok := strings.CutSuffix(n, "*"); ok {
			d.prefixes = append(d.prefixes, p)
		} else {
			d.names[n] = true
		}
	}
	return d
}

func (d *queryDecl) accepts(name string) bool {
	if d.names[name] {
		return true
	}
	for _, p := range d.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// unknown returns the request's parameters the route does not declare,
// sorted.
func (d *queryDecl) unknown(q url.Values) []string {
	var out []string
	for k := range q {
		if !d.accepts(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// queryError is the EINVALID error naming every undeclared parameter.
func (d *queryDecl) queryError(names []string) error {
	allowed := "none"
	if len(d.list) > 0 {
		allowed = strings.Join(d.list, ", ")
	}
	e := &critmin.Error{Code: critmin.EINVALID}
	for _, n := range names {
		e.Fields = append(e.Fields, critmin.FieldError{Pointer: n, Reason: "unknown query parameter (this route accepts: " + allowed + ")"})
	}
	e.Message = names[0] + ": unknown query parameter (this route accepts: " + allowed + ")"
	return e
}

// checkQuery refuses a request with an undeclared query parameter. A page
// (registered through Route) answers with the web UI's error page when one
// is set (PageError), an API route with problem+json.
func (s *Server) checkQuery(pattern string, page bool, names []string, h http.HandlerFunc) http.HandlerFunc {
	d := newQueryDecl(names)
	if s.queries == nil {
		s.queries = map[string][]string{}
	}
	s.queries[pattern] = d.list
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			h(w, r)
			return
		}
		if bad := d.unknown(r.URL.Query()); len(bad) > 0 {
			err := d.queryError(bad)
			if page && s.PageError != nil {
				s.PageError(w, r, err)
				return
			}
			s.Error(w, r, err)
			return
		}
		h(w, r)
	}
}

// RouteQuery is the query parameters each registered route declared.
func (s *Server) RouteQuery() map[string][]string {
	out := make(map[string][]string, len(s.queries))
	for k, v := range s.queries {
		out[k] = slices.Clone(v)
	}
	return out
}
