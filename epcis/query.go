package epcis

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/critmin/critmin"
)

// Paging limits of GET /epcis/events. perPage defaults to 30 as in the
// REST binding and is capped so that one response stays small.
const (
	DefaultPerPage = 30
	MaxPerPage     = 1000
)

var (
	epcRoles     = []string{critmin.RoleEPC, critmin.RoleChild}
	anyEPCRoles  = []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput, critmin.RoleParent}
	classRoles   = []string{critmin.RoleEPC, critmin.RoleChild}
	anyClassRole = []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}
)

// MaxListValues is the most values one query parameter may list
// (v1|v2|…): enough for any real lookup, and a bound on the SQL a single
// request can make the store run.
const MaxListValues = 1000

// ParseQuery turns the query parameters of GET /epcis/events (EPCIS 2.0
// §8.2.7.1 SimpleEventQuery, REST binding style: lists pipe-delimited)
// into an event filter. An unknown parameter or a bad value is an
// EINVALID error naming the parameter.
//
// Only the standard context's prefixes resolve CURIEs in parameter names;
// ParseQueryWith resolves those declared at capture too.
func ParseQuery(q url.Values) (critmin.EventFilter, error) {
	return ParseQueryWith(q, nil)
}

// ParseQueryWith is ParseQuery with the prefixes declared by captured
// documents (prefixes is called at most once, and only when a parameter
// names an extension field by CURIE): a CURIE whose prefix no capture
// declared is a 400 naming the parameter, never a silent empty result.
func ParseQueryWith(q url.Values, prefixes PrefixSource) (critmin.EventFilter, error) {
	return ParseQuerySigned(q, prefixes, nil)
}

// ParseQuerySigned is ParseQueryWith for a server whose nextPageToken
// values are signed under tokenKey (SignPageToken): an altered token is a
// 400 naming nextPageToken.
func ParseQuerySigned(q url.Values, prefixes PrefixSource, tokenKey []byte) (critmin.EventFilter, error) {
	f := critmin.EventFilter{OrderBy: "recordTime", OrderAscending: true, Limit: DefaultPerPage}
	var errs []critmin.FieldError
	fail := func(param, format string, args ...any) {
		errs = append(errs, critmin.FieldError{Pointer: param, Reason: sprintf(format, args...)})
	}
	p := &queryParser{source: prefixes, fail: fail}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	orderDirSet := false
	for _, name := range keys {
		vals := q[name]
		if len(vals) != 1 {
			fail(name, "given %d times; give it once, with values separated by |", len(vals))
			continue
		}
		raw := vals[0]
		if strings.HasPrefix(name, "EXISTS_") {
			// EPCIS 2.0 §8.2.7.1: an EXISTS_ parameter's value is void; the
			// REST binding sends it bare or as "true".
			// The OpenAPI binding types EXISTS_errorDeclaration as a
			// boolean: false (like leaving it out) returns events
			// whether or not they carry a declaration.
			if name == "EXISTS_errorDeclaration" && raw == "false" {
				continue
			}
			if raw != "" && raw != "true" {
				// Reported, and the name checked all the same: every
				// independent error at once.
				fail(name, "%q: give it without a value or as true", raw)
			}
			if name == "EXISTS_errorDeclaration" {
				f.ErrorDeclarationExists = true
			} else if !p.exists(name) {
				fail(name, "unknown query parameter")
			}
			continue
		}
		if raw == "" {
			fail(name, "empty value")
			continue
		}
		if !utf8.ValidString(name+raw) || strings.IndexByte(name+raw, 0) >= 0 {
			fail(name, "not valid UTF-8, or holds a NUL character")
			continue
		}
		list := strings.Split(raw, "|")
		if len(list) > MaxListValues {
			fail(name, "%d values; at most %d may be given in one query", len(list), MaxListValues)
			continue
		}
		if name != "nextPageToken" && slices.Contains(list, "") {
			// "shipping|", "||": an empty element of a "|"-separated list
			// (the REST binding's list syntax) is refused as an empty
			// value is, in every parameter, never read as no constraint.
			fail(name, "%q has an empty element: give values separated by single | characters, none empty", raw)
			continue
		}
		switch {
		case name == "eventType":
			for _, t := range list {
				if _, ok := typeKeys[t]; !ok && !isAbsoluteURI(t) {
					fail(name, "unknown event type %q", t)
				}
			}
			f.EventTypes = list
		case name == "GE_eventTime", name == "LT_eventTime", name == "GE_recordTime", name == "LT_recordTime":
			t, err := time.Parse(time.RFC3339Nano, raw)
			if err != nil {
				fail(name, "%q is not an RFC 3339 date-time with offset", raw)
				continue
			}
			switch name {
			case "GE_eventTime":
				f.GEEventTime = &t
			case "LT_eventTime":
				f.LTEventTime = &t
			case "GE_recordTime":
				f.GERecordTime = &t
			default:
				f.LTRecordTime = &t
			}
		case name == "EQ_action":
			for _, a := range list {
				if a != "ADD" && a != "OBSERVE" && a != "DELETE" {
					fail(name, "%q is not one of ADD, OBSERVE, DELETE", a)
				}
			}
			f.Actions = list
		case name == "EQ_bizStep":
			for _, v := range list {
				if msg, bad := bareNotCBV(v, bizStepVocab, "business step"); bad {
					fail(name, "%s", msg)
				}
			}
			f.BizSteps = mapList(list, NormalizeBizStep)
		case name == "EQ_disposition":
			for _, v := range list {
				if msg, bad := bareNotCBV(v, dispositionVocab, "disposition"); bad {
					fail(name, "%s", msg)
				}
			}
			f.Dispositions = mapList(list, NormalizeDisposition)
		case name == "EQ_readPoint":
			f.ReadPoints = list
		case name == "EQ_bizLocation":
			f.BizLocations = list
		case name == "EQ_transformationID":
			f.TransformationIDs = list
		case name == "EQ_eventID":
			f.EventIDs = EventIDSpellings(list)
		case name == "EQ_errorReason":
			// CBV 2.0 §7.5: bare, URN, CURIE or Web URI of a reason.
			f.ErrorReasons = mapList(list, func(s string) string { b, _ := errReasonVocab.normalize(s); return b })
		case name == "EQ_correctiveEventID":
			f.CorrectiveEventIDs = EventIDSpellings(list)
		case name == "MATCH_epc":
			f.EPCMatches = append(f.EPCMatches, critmin.EPCMatch{Roles: epcRoles, Patterns: patterns(list)})
		case name == "MATCH_parentID":
			f.EPCMatches = append(f.EPCMatches, critmin.EPCMatch{Roles: []string{critmin.RoleParent}, Patterns: patterns(list)})
		case name == "MATCH_inputEPC":
			f.EPCMatches = append(f.EPCMatches, critmin.EPCMatch{Roles: []string{critmin.RoleInput}, Patterns: patterns(list)})
		case name == "MATCH_outputEPC":
			f.EPCMatches = append(f.EPCMatches, critmin.EPCMatch{Roles: []string{critmin.RoleOutput}, Patterns: patterns(list)})
		case name == "MATCH_anyEPC":
			f.EPCMatches = append(f.EPCMatches, critmin.EPCMatch{Roles: anyEPCRoles, Patterns: patterns(list)})
		case name == "MATCH_epcClass":
			f.ClassMatches = append(f.ClassMatches, critmin.EPCMatch{Roles: classRoles, Patterns: patterns(list)})
		case name == "MATCH_inputEPCClass":
			f.ClassMatches = append(f.ClassMatches, critmin.EPCMatch{Roles: []string{critmin.RoleInput}, Patterns: patterns(list)})
		case name == "MATCH_outputEPCClass":
			f.ClassMatches = append(f.ClassMatches, critmin.EPCMatch{Roles: []string{critmin.RoleOutput}, Patterns: patterns(list)})
		case name == "MATCH_anyEPCClass":
			f.ClassMatches = append(f.ClassMatches, critmin.EPCMatch{Roles: anyClassRole, Patterns: patterns(list)})
		case quantityParam.MatchString(name):
			// EQ_quantity takes a list (query-schema.json); any value
			// matching is enough. EQ_quantity_KGM … keep that unit.
			uom := ""
			if i := strings.LastIndexByte(name, '_'); i > len("EQ_quantity")-1 {
				uom = name[i+1:]
			}
			if name[:2] != "EQ" && len(list) > 1 {
				fail(name, "give one number")
				continue
			}
			op := map[string]string{"EQ": "=", "GT": ">", "GE": ">=", "LT": "<", "LE": "<="}[name[:2]]
			var eqs []critmin.QuantityBound
			for _, s := range list {
				v, err := critmin.ParseDecimal(s)
				if err != nil {
					fail(name, "%v", err)
					continue
				}
				if math.IsNaN(v) || math.IsInf(v, 0) {
					fail(name, "%q is not a finite number", s)
					continue
				}
				eqs = append(eqs, critmin.QuantityBound{Op: op, Value: v, UOM: uom})
			}
			if len(eqs) == 1 {
				f.QuantityBounds = append(f.QuantityBounds, eqs[0])
			} else if len(eqs) > 1 {
				f.QuantityAnyOf = append(f.QuantityAnyOf, eqs)
			}
		case strings.HasPrefix(name, "EQ_source_"):
			f.Sources = addTyped(f.Sources, NormalizeSourceDestType(strings.TrimPrefix(name, "EQ_source_")), list)
		case strings.HasPrefix(name, "EQ_destination_"):
			f.Destinations = addTyped(f.Destinations, NormalizeSourceDestType(strings.TrimPrefix(name, "EQ_destination_")), list)
		case strings.HasPrefix(name, "EQ_bizTransaction_"):
			f.BizTxns = addTyped(f.BizTxns, NormalizeBizTransactionType(strings.TrimPrefix(name, "EQ_bizTransaction_")), list)
		case strings.HasPrefix(name, "WD_"):
			// EPCIS 2.0 §8.2.7.1: the value or any direct or indirect
			// descendant of it in the master-data hierarchy.
			switch strings.TrimPrefix(name, "WD_") {
			case "readPoint":
				f.WDReadPoints = append(f.WDReadPoints, list...)
			case "bizLocation":
				f.WDBizLocations = append(f.WDBizLocations, list...)
			default:
				fail(name, "WD_ applies to readPoint and bizLocation (EPCIS 2.0 §8.2.7.1)")
			}
		case strings.HasPrefix(name, "HASATTR_"):
			field := strings.TrimPrefix(name, "HASATTR_")
			if !masterFields[field] {
				fail(name, "HASATTR_ applies to a vocabulary field: readPoint, bizLocation, bizStep or disposition")
				continue
			}
			var attrs []string
			for _, a := range list {
				if iris, ok := p.attrIRIs(name, a); ok {
					attrs = append(attrs, iris...)
				}
			}
			f.MasterAttrs = append(f.MasterAttrs, critmin.MasterAttrMatch{Field: field, Attrs: attrs})
		case strings.HasPrefix(name, "EQ_ATTR_"):
			// EQ_ATTR_fieldname_attrname: field names hold no "_", so the
			// attribute name is everything after the first one.
			field, attr, found := strings.Cut(strings.TrimPrefix(name, "EQ_ATTR_"), "_")
			if !found || attr == "" || !masterFields[field] {
				fail(name, "expected EQ_ATTR_fieldname_attrname with fieldname one of readPoint, bizLocation, bizStep, disposition")
				continue
			}
			if iris, ok := p.attrIRIs(name, attr); ok {
				f.MasterAttrs = append(f.MasterAttrs, critmin.MasterAttrMatch{Field: field, Attrs: iris, Values: list})
			}
		case name == "orderBy":
			switch raw {
			case "eventTime", "recordTime":
				f.OrderBy = raw
			default:
				if strings.Contains(raw, ":") {
					// EPCIS 2.0 §8.2.7.1: an extension field, named as
					// for EQ_fieldname (a CURIE through the prefixes
					// declared at capture, or the full IRI).
					if iris, ok := p.resolve(name, raw); ok {
						f.OrderKey = &orderByField{iris: iris, m: &matcher{}}
					}
				} else {
					fail(name, "%q: order by eventTime, recordTime or an extension field (a CURIE or full IRI)", raw)
				}
			}
		case name == "orderDirection":
			switch raw {
			case "ASC":
				f.OrderAscending = true
			case "DESC":
				f.OrderAscending = false
			default:
				fail(name, "%q: use ASC or DESC", raw)
			}
			orderDirSet = true
		case name == "eventCountLimit", name == "perPage", name == "maxEventCount":
			// perPage is capped at MaxPerPage, the counts only by int's
			// range; a value past either names that cap (IntInRange).
			hi := math.MaxInt
			if name == "perPage" {
				hi = MaxPerPage
			}
			n, reason := critmin.IntInRange(raw, 1, hi)
			if reason != "" {
				fail(name, "%s", reason)
				continue
			}
			if name == "perPage" {
				f.Limit = n
			} else if name == "maxEventCount" {
				f.MaxEventCount = n
			} else {
				f.EventCountLimit = n
			}
		case name == "nextPageToken":
			c, err := DecodeSignedPageToken(raw, time.Now(), tokenKey)
			var expired *ExpiredTokenError
			if errors.As(err, &expired) {
				fail(name, "%s", expired.Error())
				continue
			} else if errors.Is(err, ErrPageTokenSignature) {
				fail(name, "%s", err.Error())
				continue
			} else if err != nil {
				fail(name, "not a token this server issued")
				continue
			}
			if c.Query != QueryFingerprint(q) {
				fail(name, "issued for another query: a nextPageToken pages only the query that returned it; repeat that query's parameters with it, or run this query without nextPageToken")
				continue
			}
			f.After = c
		default:
			if !p.family(name, raw, list) {
				fail(name, "unknown query parameter")
			}
		}
	}
	// EPCIS 2.0 §8.2.7.1 (eventCountLimit, maxEventCount): the two are
	// mutually exclusive, and eventCountLimit needs orderBy
	// (QueryParameterException, a 400 in the REST binding).
	if _, has := q["eventCountLimit"]; has {
		if _, both := q["maxEventCount"]; both {
			fail("maxEventCount", "give eventCountLimit or maxEventCount, not both")
		}
		if _, ordered := q["orderBy"]; !ordered {
			fail("eventCountLimit", "needs orderBy, which decides which events come first")
		}
	}
	if len(p.preds) > 0 {
		f.Residual = &matcher{preds: p.preds, needs: p.needs}
	}
	// EPCIS 2.0 §8.2.7.1: with orderBy and no orderDirection, DESC.
	if _, has := q["orderBy"]; has && !orderDirSet {
		f.OrderAscending = false
	}
	if len(errs) > 0 {
		return f, &critmin.Error{Code: critmin.EINVALID, Message: errs[0].Pointer + ": " + errs[0].Reason, Fields: errs}
	}
	return f, nil
}

// masterFields are the event fields whose values are vocabulary elements
// HASATTR_ and EQ_ATTR_ look up in master data.
var masterFields = map[string]bool{"readPoint": true, "bizLocation": true, "bizStep": true, "disposition": true}

// NormalizeAttrName is the form master-data attribute names are stored and
// queried in: a CURIE of a standard prefix expanded ("cbvmda:sst" →
// "urn:epcglobal:cbv:mda:sst"), and the EPCIS 1.x "#" form of the CBV
// master-data namespace ("urn:epcglobal:cbv:mda#sst") written with ":".
// Other names are kept as written.
func NormalizeAttrName(s string) string {
	return normalizeAttr(s)
}

// AttrIRI is the IRI a master-data attribute name stands for in a capture
// whose @context is ctx: a CURIE expanded through the context's prefixes
// (or the standard ones), then in NormalizeAttrName's form. A name whose
// prefix no context declares is kept as written.
func AttrIRI(ctx *Context, name string) string {
	if ctx != nil {
		if iri, ok := ctx.Expand(name); ok {
			return normalizeAttr(iri)
		}
	}
	return normalizeAttr(name)
}

func normalizeAttr(s string) string {
	if rest, ok := strings.CutPrefix(s, "urn:epcglobal:cbv:mda#"); ok {
		return "urn:epcglobal:cbv:mda:" + rest
	}
	if prefix, local, found := strings.Cut(s, ":"); found {
		if ns, ok := standardPrefixes[prefix]; ok {
			return ns + local
		}
	}
	return s
}

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

func mapList(list []string, fn func(string) string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fn(s)
	}
	return out
}

func addTyped(m map[string][]string, typ string, vals []string) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	m[typ] = append(m[typ], vals...)
	return m
}

// patterns turns EPC pattern URIs (EPCIS 2.0 §8.2.7.1.1: urn:epc:idpat:…
// with trailing "*" fields) into identifier prefixes ending in "*"; plain
// URIs match exactly.
func patterns(list []string) []string {
	out := make([]string, 0, len(list))
	for _, p := range list {
		if _, ok := PatternMatch(p); ok {
			out = append(out, p) // matched over canonical forms by the store
			continue
		}
		if rest, ok := strings.CutPrefix(p, "urn:epc:idpat:"); ok {
			p = "urn:epc:id:" + rest
			if strings.HasSuffix(p, ".*") {
				for strings.HasSuffix(p, ".*") {
					p = strings.TrimSuffix(p, ".*")
				}
				p += ".*"
			}
		}
		out = append(out, p)
	}
	return out
}

// EncodePageToken makes an opaque nextPageToken from a keyset cursor.
func EncodePageToken(c *critmin.PageCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodePageToken reads a token made by EncodePageToken or
// EncodePageTokenUntil; see DecodePageTokenAt.
func DecodePageToken(s string) (*critmin.PageCursor, error) {
	return DecodePageTokenAt(s, time.Now())
}

// QueryFingerprint identifies a query by its parameters other than
// nextPageToken and perPage (a client may change the page size between
// pages): the SHA-256 of the sorted name=value lines, its first 16 bytes
// in hex. A nextPageToken carries the fingerprint of the query that
// issued it, so that it is refused on another query (the cursor of one
// result set means nothing in another).
func QueryFingerprint(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "nextPageToken" && k != "perPage" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		for _, v := range q[k] {
			fmt.Fprintf(h, "%s=%s\n", k, v)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// bareNotCBV says why v, a value of EQ_bizStep or EQ_disposition, can
// match nothing: a bare word that is not a CBV value of voc. EPCIS 2.0
// (§7.3.2, the JSON schema's bizStep and disposition: a CBV bare value
// or a URI) lets an event state only a CBV value bare; any other value is
// a URI of its owner's namespace. So a bare word outside the CBV
// ("shippin") is a misspelling, refused 400 naming the parameter and
// the nearest CBV value (new-user finding nu37b-6: it answered 200 "No
// events"); a URI, standard or not, is a query as given.
func bareNotCBV(v string, voc *vocabulary, what string) (string, bool) {
	if _, ok := voc.normalize(v); ok || isAbsoluteURI(v) {
		return "", false
	}
	best, dist := "", -1
	for _, c := range voc.Values() {
		if d := editDistance(strings.ToLower(v), strings.ToLower(c)); dist < 0 || d < dist {
			best, dist = c, d
		}
	}
	msg := fmt.Sprintf("%q is not a CBV %s (such as %s) nor a URI: an event states a %s as a CBV value or a URI of its own namespace, so no event has it", v, what, voc.Values()[0], what)
	if best != "" && dist <= len(v)/2+1 {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return msg, true
}
