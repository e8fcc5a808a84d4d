package http

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// The REST binding's discovery resources (EPCIS 2.0 OpenAPI, testdata/
// epcis/rest-bindings/openapi.yaml): the root "/", one value of a
// top-level resource ("/bizSteps/{bizStep}" and the like) and
// "/nextPageToken/{token}".

// topLevelResources are the members of GET /epcis/, in the order of the
// binding's 200SupportedTopLevel example.
var topLevelResources = []string{"queries", "capture", "events", "eventTypes", "epcs", "readPoints", "bizLocations", "dispositions", "bizSteps"}

// vocabResource is one top-level resource whose values are resources:
// the path's spelling of the value (the binding's path parameter) and the
// SimpleEventQuery parameter its /events sub-resource adds.
type vocabResource struct{ pathParam, queryParam string }

// vocabResources maps each top-level resource to its query parameter; the
// /{value} and /{value}/events routes both use it.
var vocabResources = map[string]vocabResource{
	"eventTypes":   {"eventType", "eventType"},
	"epcs":         {"epc", "MATCH_anyEPC"},
	"bizSteps":     {"bizStep", "EQ_bizStep"},
	"bizLocations": {"bizLocation", "EQ_bizLocation"},
	"readPoints":   {"readPoint", "EQ_readPoint"},
	"dispositions": {"disposition", "EQ_disposition"},
}

// subResources are the members of GET /epcis/{resource}/{value}: the
// binding's 200TopLevelOrEventTypeSubResource ("at least events").
var subResources = []string{"events"}

func (s *Server) epcisResourceRoutes() {
	s.route("GET /epcis/{$}", accessRead, s.handleEPCISRoot)
	s.route("GET /epcis", accessRead, s.handleEPCISRoot)
	for res := range vocabResources {
		s.route("GET /epcis/"+res+"/{value}", accessRead, s.handleVocabValue)
	}
	s.route("DELETE /epcis/nextPageToken/{token}", accessRead, s.handlePageTokenDelete)
}

// noQueryParams answers 400 problem+json naming every query parameter of
// a route that takes none, and reports whether there were any.
func (s *Server) noQueryParams(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	if len(q) == 0 {
		return false
	}
	var errs []critmin.FieldError
	for k := range q {
		errs = append(errs, critmin.FieldError{Pointer: k, Reason: "unknown query parameter: this resource takes none"})
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Pointer < errs[j].Pointer })
	s.epcisError(w, r, withFields(errs, nil), excQueryParameter)
	return true
}

// collection writes a JSON-LD Collection of resource names with the
// binding's GS1-EPCIS-Version, GS1-CBV-Version and GS1-Extensions headers.
func (s *Server) collection(w http.ResponseWriter, members []string) {
	h := w.Header()
	h.Set("GS1-EPCIS-Version", epcisMax)
	h.Set("GS1-CBV-Version", cbvMax)
	h.Set("GS1-Extensions", "cm="+ledger.Namespace)
	writeJSONType(w, http.StatusOK, "application/ld+json", "  ", map[string]any{"@context": epcis.StandardContext, "type": "Collection", "member": members})
}

// handleEPCISRoot lists the top-level resources of the repository
// (binding: GET /, 200SupportedTopLevel). GET /epcis/ and GET /epcis
func (s *Server) handleEPCISRoot(w http.ResponseWriter, r *http.Request) {
	if s.noQueryParams(w, r) {
		return
	}
	s.collection(w, append([]string(nil), topLevelResources...))
}

// handleVocabValue lists the sub-resources of one value of a top-level
// resource — ["events"] — or answers 404 NoSuchResourceException when no
// stored event carries the value. The value is read as the /events
// sub-resource reads it (a URN, a GS1 Digital Link or a CBV short name,
// canonicalised by the query engine), so a value answered here has events
// there. GET /epcis/{eventTypes,epcs,bizSteps,bizLocations,readPoints,dispositions}/{value}
func (s *Server) handleVocabValue(w http.ResponseWriter, r *http.Request) {
	if s.noQueryParams(w, r) {
		return
	}
	if err := s.vocabValueExists(r); err != nil {
		s.queryError(w, r, err)
		return
	}
	s.collection(w, append([]string(nil), subResources...))
}

// vocabValueExists checks the {value} of a /epcis/{resource}/{value}...
// path: EINVALID naming the binding's path parameter when the query engine
// refuses it (an unknown event type, say), ENOTFOUND when no event has it.
// It is nil on any other path.
func (s *Server) vocabValueExists(r *http.Request) error {
	value := r.PathValue("value")
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/epcis/"), "/", 2)
	res, ok := vocabResources[parts[0]]
	if value == "" || !ok {
		return nil
	}
	q := url.Values{res.queryParam: {strings.ReplaceAll(value, "|", "%7C")}, "perPage": {"1"}}
	f, err := epcis.ParseQuerySigned(q, s.prefixSource(r), s.pageKey)
	if err != nil {
		var e *critmin.Error
		if errors.As(err, &e) {
			for i := range e.Fields {
				if e.Fields[i].Pointer == res.queryParam {
					e.Fields[i].Pointer = res.pathParam
				}
			}
			e.Message = strings.Replace(e.Message, res.queryParam, res.pathParam, 1)
		}
		return err
	}
	page, err := s.Store.FindEvents(r.Context(), f)
	if err != nil {
		return err
	}
	if len(page.Events) == 0 {
		return critmin.Errorf(critmin.ENOTFOUND, "%s: no event has %s %q", parts[0], res.pathParam, value)
	}
	return nil
}

// handlePageTokenDelete is the binding's optional on-demand release of a
// nextPageToken (DELETE /nextPageToken/{token}; 204 or 501). critmin's
// tokens are signed, self-contained cursors that hold no server resource
// and lapse at their GS1-Next-Page-Token-Expires time, so there is nothing
// to release: a token this server issued and that has not expired answers
// 501 ImplementationException saying so; any other token is a 400 naming
// it, an expired one saying when it expired.
// DELETE /epcis/nextPageToken/{token}
func (s *Server) handlePageTokenDelete(w http.ResponseWriter, r *http.Request) {
	if s.noQueryParams(w, r) {
		return
	}
	_, err := epcis.DecodeSignedPageToken(r.PathValue("token"), time.Now(), s.pageKey)
	var expired *epcis.ExpiredTokenError
	switch {
	case errors.As(err, &expired):
		s.queryError(w, r, critmin.FieldErrorf("token", "%s", expired.Error()))
	case err != nil:
		s.queryError(w, r, critmin.FieldErrorf("token", "not a page token this server issued"))
	default:
		s.epcisHeaders(w)
		s.problemTyped(w, r, http.StatusNotImplemented, "epcisException:ImplementationException",
			"page tokens hold no server resource to release: each is a signed cursor that lapses at its GS1-Next-Page-Token-Expires time", nil)
	}
}
