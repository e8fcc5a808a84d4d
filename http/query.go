package http

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/scenario"
	"github.com/critmin/critmin/units"
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
// A parameter may be given once. Given twice (?limit=1&limit=50) it is
// refused, "given 2 times", rather than one value winning silently; a
// name declared with the suffix "+" ("grades+") is a list and may repeat.
//
// A declared name may carry a vocabulary after a colon ("status:lot-status",
// "commodity:lot-commodity"): each value given must then be in it (see
// queryVocabularies), or the request is refused with a 400 naming the
// parameter and listing the allowed values — a misspelt or miscased value
// would otherwise match nothing and answer an empty 200. A vocabulary
// may also be listed inline, its values joined by "|" ("format:json|csv").
// The names in enumeratedParams (format, element) must carry one wherever
// they are declared: a route declaring them bare panics at registration.
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
	lists    map[string]bool       // names that may repeat ("+")
	vocab    map[string]queryVocab // names whose values are enumerated
	list     []string              // the names (without vocabulary and "+"), for messages
	declared []string              // the names with "+" for lists, for RouteQuery
}

// enumeratedParams are the parameter names whose values are always drawn
// from a closed list, so a route may not declare them without their
// vocabulary (issue 14: ?element=Xx answered as if it named an element
// no period accounts; ?format=xml fell back to JSON).
var enumeratedParams = map[string]bool{"format": true, "element": true}

func newQueryDecl(decl []string) *queryDecl {
	d := &queryDecl{names: map[string]bool{}, lists: map[string]bool{}, vocab: map[string]queryVocab{}}
	for _, n := range decl {
		// "!name": recognised only to be refused with the handler's own
		// message (a token in /login's address): not dropped, not an
		// "unknown" parameter, and never listed as accepted (fix14p:
		// /login's message listed token as accepted).
		if r, ok := strings.CutPrefix(n, "!"); ok {
			d.names[r] = true
			d.declared = append(d.declared, r)
			continue
		}
		n, vname, hasVocab := strings.Cut(n, ":")
		switch {
		case hasVocab && strings.Contains(vname, "|"):
			d.vocab[strings.TrimSuffix(n, "+")] = listVocab("a value of "+n, strings.Split(vname, "|")...)
		case hasVocab:
			v, ok := queryVocabularies[vname]
			if !ok {
				panic("http: query declaration " + n + ": unknown vocabulary " + vname)
			}
			d.vocab[strings.TrimSuffix(n, "+")] = v
		case enumeratedParams[strings.TrimSuffix(n, "+")]:
			panic("http: query declaration " + n + ": an enumerated parameter needs its vocabulary (" + n + ":…)")
		}
		if base, ok := strings.CutSuffix(n, "+"); ok {
			d.lists[base] = true
		}
		d.declared = append(d.declared, n)
		d.list = append(d.list, strings.TrimSuffix(n, "+"))
	}
	for _, n := range d.list {
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

// repeatedError is the EINVALID error naming every parameter given more
// than once that the route does not declare as a list.
func (d *queryDecl) repeatedError(q url.Values) error {
	var names []string
	for k, v := range q {
		if len(v) > 1 && !d.lists[k] {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	e := &critmin.Error{Code: critmin.EINVALID}
	for _, n := range names {
		reason := fmt.Sprintf("given %d times; give it once", len(q[n]))
		e.Fields = append(e.Fields, critmin.FieldError{Pointer: n, Reason: reason})
	}
	e.Message = names[0] + ": " + e.Fields[0].Reason
	return e
}

// vocabError is the EINVALID error naming every enumerated parameter
// whose value is not in its vocabulary, with the allowed values.
func (d *queryDecl) vocabError(q url.Values) error {
	e := &critmin.Error{Code: critmin.EINVALID}
	names := make([]string, 0, len(d.vocab))
	for n := range d.vocab {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := d.vocab[n]
		for _, val := range q[n] {
			if val == "" || v.accepts(val) {
				continue
			}
			e.Fields = append(e.Fields, critmin.FieldError{Pointer: n, Reason: fmt.Sprintf("%q is not %s (allowed: %s)", val, v.what, strings.Join(v.allowed(), ", "))})
		}
	}
	if len(e.Fields) == 0 {
		return nil
	}
	e.Message = e.Fields[0].Pointer + ": " + e.Fields[0].Reason
	return e
}

// queryVocab is an enumerated parameter's vocabulary.
type queryVocab struct {
	what    string            // "a lot status", for messages
	allowed func() []string   // the values, sorted, for messages
	accepts func(string) bool // whether a value is in it
}

func listVocab(what string, values ...string) queryVocab {
	sorted := slices.Clone(values)
	sort.Strings(sorted)
	return queryVocab{what: what, allowed: func() []string { return sorted }, accepts: func(v string) bool { return slices.Contains(sorted, v) }}
}

// queryVocabularies are the vocabularies a declaration may name.
var queryVocabularies = map[string]queryVocab{
	// A lot's status (critmin.Lot.Status): every status a lot list
	// prints (critmin.LotStatuses, not_in_record with them, fixSs).
	"lot-status": listVocab("a lot status", critmin.LotStatuses...),
	// A lot's commodity: a code of the mineral extension (ledger.Commodities,
	// exact case) or, as the extension allows for unlisted materials, an
	// absolute URI.
	"lot-commodity": {what: "a commodity code of the mineral extension or an absolute URI",
		allowed: func() []string {
			codes := make([]string, 0, len(ledger.Commodities)+1)
			for c := range ledger.Commodities {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			return append(codes, "an absolute URI")
		},
		accepts: func(v string) bool {
			if _, ok := ledger.Commodities[v]; ok {
				return true
			}
			u, err := url.Parse(v)
			return err == nil && u.IsAbs() && strings.Contains(v, ":") && !strings.ContainsAny(v, " \t")
		}},
	// A chemical element: an IUPAC symbol in exact case (units.IsElement),
	// or several distinct symbols joined by "+" for an element group
	// ("Nd+Pr"; in a URL the "+" is written %2B, since a bare + reads as
	// a space).
	"element": {what: "an element symbol (IUPAC, exact case) or distinct symbols joined by + (Nd+Pr, written Nd%2BPr in a URL)",
		allowed: func() []string { return []string{"the 118 IUPAC symbols, e.g. Nd, Pr, Sb, Cu", "groups such as Nd+Pr"} },
		accepts: elementGroup},
	// A country: an ISO 3166-1 alpha-3 code, upper case (country.Valid).
	"iso3-country": {what: "an ISO 3166-1 alpha-3 country code",
		allowed: func() []string { return []string{"ISO 3166-1 alpha-3 codes in upper case, e.g. AUS, CHN, PAK, USA"} },
		accepts: country.Valid},
	// A risk scenario's commodity (scenario.KnownCommodity: the USGS List
	// of Critical Minerals, lower case).
	"scenario-commodity": {what: "a critical mineral of the USGS list, lower case",
		allowed: scenario.CriticalMinerals, accepts: scenario.KnownCommodity},
}

// elementGroup reports whether v is an element symbol or distinct symbols
// joined by "+".
func elementGroup(v string) bool {
	seen := map[string]bool{}
	for _, e := range strings.Split(v, "+") {
		if !units.IsElement(e) || seen[e] {
			return false
		}
		seen[e] = true
	}
	return true
}

// checkQuery refuses a request with an undeclared query parameter. A page
// (registered through Route) answers with the web UI's error page when one
// is set (PageError), an API route with problem+json.
func (s *Server) checkQuery(pattern string, page bool, names []string, h http.HandlerFunc) http.HandlerFunc {
	d := newQueryDecl(names)
	if s.queries == nil {
		s.queries = map[string][]string{}
	}
	s.queries[pattern] = d.declared
	if s.enumerated == nil {
		s.enumerated = map[string][]string{}
	}
	for n := range d.vocab {
		s.enumerated[pattern] = append(s.enumerated[pattern], n)
	}
	sort.Strings(s.enumerated[pattern])
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
			// A query parameter's fault: QueryParameterException on
			// /epcis (EPCIS 2.0 §8.2.7), a plain 400 elsewhere (fix14o:
			// a repeated or unknown parameter was a ValidationException).
			s.queryError(w, r, err)
			return
		}
		q := r.URL.Query()
		err := d.repeatedError(q)
		if err == nil {
			err = d.vocabError(q)
		}
		if err != nil {
			if page && s.PageError != nil {
				s.PageError(w, r, err)
				return
			}
			// A query parameter's fault: QueryParameterException on
			// /epcis (EPCIS 2.0 §8.2.7), a plain 400 elsewhere (fix14o:
			// a repeated or unknown parameter was a ValidationException).
			s.queryError(w, r, err)
			return
		}
		h(w, r)
	}
}

// RouteEnumerated is, for each registered route, the declared query
// parameters whose values are checked against a vocabulary.
func (s *Server) RouteEnumerated() map[string][]string {
	out := make(map[string][]string, len(s.enumerated))
	for k, v := range s.enumerated {
		out[k] = slices.Clone(v)
	}
	return out
}

// RouteQuery is the query parameters each registered route declared.
func (s *Server) RouteQuery() map[string][]string {
	out := make(map[string][]string, len(s.queries))
	for k, v := range s.queries {
		out[k] = slices.Clone(v)
	}
	return out
}
