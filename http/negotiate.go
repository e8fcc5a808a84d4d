package http

import (
	"mime"
	"regexp"
	"strconv"
	"strings"
)

// mediaRange is one element of an Accept header (RFC 9110 §12.5.1).
type mediaRange struct {
	typ, sub string  // "*" for a wildcard
	q        float64 // the weight, 0 to 1
	params   int     // parameters other than q, for precedence
	order    int     // position in the header
}

// qvalueRe is RFC 9110 §12.4.2's qvalue: 0 to 1 with at most three
// decimals.
var qvalueRe = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// parseAccept reads an Accept header's media ranges. An element that is
// not a media range, or whose q is not a qvalue, is left out (the
// header's other elements still count).
func parseAccept(h string) []mediaRange {
	var out []mediaRange
	for i, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok || typ == "*" && sub != "*" {
			continue
		}
		r := mediaRange{typ: typ, sub: sub, q: 1, order: i}
		if q, has := params["q"]; has {
			if !qvalueRe.MatchString(q) {
				continue
			}
			r.q, _ = strconv.ParseFloat(q, 64)
			delete(params, "q")
		}
		r.params = len(params)
		out = append(out, r)
	}
	return out
}

// specificity ranks a range matching a type: type/subtype with
// parameters, type/subtype, type/*, */* (RFC 9110 §12.5.1: "media ranges
// can be overridden by more specific media ranges or specific media
// types").
func (r mediaRange) specificity() int {
	switch {
	case r.typ == "*":
		return 0
	case r.sub == "*":
		return 1
	}
	return 2 + min(r.params, 1)
}

func (r mediaRange) matches(typ, sub string) bool {
	return r.typ == "*" || r.typ == typ && (r.sub == "*" || r.sub == sub)
}

// negotiateMedia chooses, of offers (media types in the server's order of
// preference), the one an Accept header weighs highest (RFC 9110
// §12.5.1): each offer takes the q of the most specific range that
// matches it; q=0, or no matching range, makes it not acceptable. Of
// equal weights the one the client named first wins, then the server's
// order. ok is false when no offer is acceptable; an empty header (or one
// with no valid element) accepts the first offer.
func negotiateMedia(accept string, offers []string) (string, bool) {
	ranges := parseAccept(accept)
	if len(ranges) == 0 {
		return offers[0], true
	}
	best, bestQ, bestOrder := "", 0.0, 0
	for _, offer := range offers {
		typ, sub, _ := strings.Cut(offer, "/")
		var m *mediaRange
		for i := range ranges {
			r := &ranges[i]
			if r.matches(typ, sub) && (m == nil || r.specificity() > m.specificity()) {
				m = r
			}
		}
		if m == nil || m.q <= 0 {
			continue
		}
		if best == "" || m.q > bestQ || m.q == bestQ && m.order < bestOrder {
			best, bestQ, bestOrder = offer, m.q, m.order
		}
	}
	return best, best != ""
}

// Representations of EPCIS resources. Query results (events, one event,
// a named query's events, a value's events) are JSON-LD or XML; the
// other EPCIS resources are JSON-LD, and a problem is problem+json.
var (
	queryResultTypes = []string{"application/ld+json", "application/json", "application/xml", "text/xml"}
	// epcisTypes are the types some EPCIS route produces; an Accept
	// admitting none of them is a 406 on every EPCIS route.
	epcisTypes = []string{"application/ld+json", "application/json", "application/xml", "text/xml", "application/problem+json", "text/html"}
)
