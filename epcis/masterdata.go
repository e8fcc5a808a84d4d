package epcis

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
)

// cbvMDA is the namespace of the CBV master-data attributes (CBV 2.0 §10),
// in the form NormalizeAttrName gives them.
const cbvMDA = "urn:epcglobal:cbv:mda:"

// decimalRe is an xsd:decimal literal (XML Schema 1.1 Part 2 §3.3.3).
var decimalRe = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// mdaCheck validates the value of one CBV master-data attribute; it
// returns the reason the value is wrong, or "".
type mdaCheck func(v any) string

// degrees checks a decimal number of degrees within [-lim, lim]: CBV 2.0
// §10 gives latitude and longitude as xsd:decimal degrees (WGS84), given
// as a JSON number or, as XML carries it, its text.
func degrees(lim int64) mdaCheck {
	return func(v any) string {
		s := scalarString(v)
		if _, isObj := v.(map[string]any); isObj || !decimalRe.MatchString(s) {
			return fmt.Sprintf("%.40q is not a decimal number of degrees", s)
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok || r.Cmp(big.NewRat(-lim, 1)) < 0 || r.Cmp(big.NewRat(lim, 1)) > 0 {
			return fmt.Sprintf("%s is outside [-%d, %d] degrees", s, lim, lim)
		}
		return ""
	}
}

// alpha2 checks an ISO 3166-1 alpha-2 country code.
func alpha2(v any) string {
	s, ok := v.(string)
	if !ok || !country.ValidAlpha2(s) {
		return fmt.Sprintf("%.40q is not an ISO 3166-1 alpha-2 country code", scalarString(v))
	}
	return ""
}

// xsdDate checks an xsd:date (YYYY-MM-DD, optionally with a time zone).
func xsdDate(v any) string {
	s, _ := v.(string)
	for _, layout := range []string{"2006-01-02", "2006-01-02Z07:00"} {
		if _, err := time.Parse(layout, s); err == nil {
			return ""
		}
	}
	return fmt.Sprintf("%.40q is not an xsd:date (YYYY-MM-DD)", scalarString(v))
}

// text checks a string-valued attribute: a string or a number written as
// one, never a structure.
func text(v any) string {
	switch v.(type) {
	case map[string]any, []any:
		return "must be text, not a structure"
	}
	return ""
}

// mdaChecks are the CBV 2.0 §10 master-data attributes whose values have a
// type critmin can check: location (§10.2: name, address, countryCode,
// latitude/longitude, sub-site detail) and trade item (countryOfOrigin and
// the xsd:date attributes). Attributes of the namespace not listed here
// are accepted as they are.
var mdaChecks = map[string]mdaCheck{
	"latitude":           degrees(90),
	"longitude":          degrees(180),
	"countryCode":        alpha2,
	"countryOfOrigin":    alpha2,
	"name":               text,
	"streetAddressOne":   text,
	"streetAddressTwo":   text,
	"streetAddressThree": text,
	"city":               text,
	"state":              text,
	"postalCode":         text,
	"ssd":                text,
	"bestBeforeDate":     xsdDate,
	"itemExpirationDate": xsdDate,
	"sellByDate":         xsdDate,
	"firstFreezeDate":    xsdDate,
	"harvestStartDate":   xsdDate,
	"harvestEndDate":     xsdDate,
}

// masterDataErrors checks the meaning of the header's master data (the
// JSON schema checks its shape): CBV attribute values (mdaChecks), that
// every attribute id is an IRI or a CURIE whose prefix is declared (the
// rule of event extensions, EPCIS 2.0 §7.1.2; Context.Expand), and that
// the children hierarchy of each vocabulary has no cycle — no element its
// own child or descendant (EPCIS 2.0 §7.2: children form a hierarchy).
// Every error is returned with its JSON pointer.
func masterDataErrors(obj map[string]any, ctx *Context) []critmin.FieldError {
	hdr, _ := obj["epcisHeader"].(map[string]any)
	md, _ := hdr["epcisMasterData"].(map[string]any)
	vl, _ := md["vocabularyList"].([]any)
	var fields []critmin.FieldError
	fail := func(ptr, format string, args ...any) {
		fields = append(fields, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(format, args...)})
	}
	type edge struct {
		child string
		ptr   string
	}
	for j, v := range vl {
		voc, _ := v.(map[string]any)
		vp := fmt.Sprintf("/epcisHeader/epcisMasterData/vocabularyList/%d", j)
		els, _ := voc["vocabularyElementList"].([]any)
		graph := map[string][]edge{}
		var order []string
		for k, e := range els {
			el, _ := e.(map[string]any)
			ep := fmt.Sprintf("%s/vocabularyElementList/%d", vp, k)
			id, _ := el["id"].(string)
			attrs, _ := el["attributes"].([]any)
			for a, x := range attrs {
				at, _ := x.(map[string]any)
				ap := fmt.Sprintf("%s/attributes/%d", ep, a)
				aid, _ := at["id"].(string)
				if aid == "" {
					continue
				}
				if ctx != nil {
					if _, ok := ctx.Expand(aid); !ok {
						fail(ap+"/id", "attribute %q is not in a declared namespace: declare its prefix in @context or use a full IRI (EPCIS 2.0 §7.1.2)", aid)
						continue
					}
				}
				name, isMDA := strings.CutPrefix(AttrIRI(ctx, aid), cbvMDA)
				if check := mdaChecks[name]; isMDA && check != nil {
					if why := check(at["attribute"]); why != "" {
						fail(ap+"/attribute", "%s: %s (CBV 2.0 §10)", aid, why)
					}
				}
			}
			children, _ := el["children"].([]any)
			if id != "" {
				if _, seen := graph[id]; !seen {
					order = append(order, id)
				}
			}
			for c, x := range children {
				cs, _ := x.(string)
				cp := fmt.Sprintf("%s/children/%d", ep, c)
				if cs == id && id != "" {
					fail(cp, "%q is listed as its own child: children must form a hierarchy (EPCIS 2.0 §7.2)", id)
					continue
				}
				graph[id] = append(graph[id], edge{cs, cp})
			}
		}
		// A cycle through several elements: depth-first search from each
		// element; the child entry that closes a cycle is reported once.
		const (
			white = iota
			grey
			black
		)
		colour := map[string]int{}
		var path []string
		var visit func(id string)
		visit = func(id string) {
			colour[id] = grey
			path = append(path, id)
			for _, e := range graph[id] {
				switch colour[e.child] {
				case grey:
					i := len(path) - 1
					for path[i] != e.child {
						i--
					}
					fail(e.ptr, "%q makes a cycle in the children hierarchy: %s → %s (EPCIS 2.0 §7.2)", e.child, strings.Join(path[i:], " → "), e.child)
				case white:
					visit(e.child)
				}
			}
			path = path[:len(path)-1]
			colour[id] = black
		}
		for _, id := range order {
			if colour[id] == white {
				visit(id)
			}
		}
	}
	return fields
}
