package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

func (s *Server) epcisRoutes() {
	s.route("POST /epcis/capture", accessWrite, s.handleCapture)
	s.route("GET /epcis/capture", accessRead, s.handleCaptureJobList, "perPage", "nextPageToken")
	s.route("GET /epcis/capture/{captureID}", accessRead, s.handleCaptureJob)
	s.route("POST /epcis/events", accessWrite, s.handleCaptureEvent)
	s.route("GET /epcis/events", accessRead, s.handleEvents, EPCISQueryParams...)
	s.route("GET /epcis/events/{eventID}", accessRead, s.handleEvent)
	s.route("GET /epcis/eventTypes", accessRead, s.vocabList(critmin.VocabEventType), "perPage", "nextPageToken")
	s.route("GET /epcis/eventTypes/{value}/events", accessRead, s.vocabEvents("eventType"), EPCISQueryParams...)
	s.route("GET /epcis/bizSteps", accessRead, s.vocabList(critmin.VocabBizStep), "perPage", "nextPageToken")
	s.route("GET /epcis/bizSteps/{value}/events", accessRead, s.vocabEvents("EQ_bizStep"), EPCISQueryParams...)
	s.route("GET /epcis/bizLocations", accessRead, s.vocabList(critmin.VocabBizLocation), "perPage", "nextPageToken")
	s.route("GET /epcis/bizLocations/{value}/events", accessRead, s.vocabEvents("EQ_bizLocation"), EPCISQueryParams...)
	s.route("GET /epcis/readPoints", accessRead, s.vocabList(critmin.VocabReadPoint), "perPage", "nextPageToken")
	s.route("GET /epcis/readPoints/{value}/events", accessRead, s.vocabEvents("EQ_readPoint"), EPCISQueryParams...)
	s.route("GET /epcis/dispositions", accessRead, s.vocabList(critmin.VocabDisposition), "perPage", "nextPageToken")
	s.route("GET /epcis/dispositions/{value}/events", accessRead, s.vocabEvents("EQ_disposition"), EPCISQueryParams...)
	s.route("GET /epcis/epcs", accessRead, s.vocabList(critmin.VocabEPC), "perPage", "nextPageToken")
	s.route("GET /epcis/epcs/{value}/events", accessRead, s.vocabEvents("MATCH_anyEPC"), EPCISQueryParams...)
	s.queryRoutes()
	s.epcisResourceRoutes()
	s.epcisOptionsRoutes()
}

// epcisHeaders sets the version and capture-limit headers the REST
// binding defines, on every capture response.
func (s *Server) epcisHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("GS1-EPCIS-Version", "2.0.0")
	h.Set("GS1-CBV-Version", "2.0.0")
	h.Set("GS1-EPCIS-Capture-Limit", strconv.Itoa(s.Ledger.Limits.MaxEvents))
	h.Set("GS1-EPCIS-Capture-File-Size-Limit", strconv.FormatInt(s.Ledger.Limits.MaxBytes, 10))
	h.Set("GS1-Capture-Error-Behaviour", "rollback, proceed")
}

// readCaptureBody checks the media type and reads the body within the
// file-size limit.
func (s *Server) readCaptureBody(w http.ResponseWriter, r *http.Request) ([]byte, bool, bool) {
	isXML, ok := s.captureMediaType(w, r)
	if !ok {
		return nil, false, false
	}
	limit := s.Ledger.Limits.MaxBytes
	what := "capture file-size limit"
	if isXML {
		// One XML event is mapped as a whole tree: its own, smaller limit.
		limit, what = s.Ledger.XMLLimit(), "XML event limit"
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.Error(w, r, critmin.Errorf(critmin.ETOOLARGE, "document is over the %s of %s bytes (GS1-EPCIS-Capture-File-Size-Limit is %s)", what, units.Int(limit), units.Int(s.Ledger.Limits.MaxBytes)))
		return nil, false, false
	} else if err != nil {
		s.Error(w, r, critmin.Errorf(critmin.EINVALID, "cannot read request body: %v", err))
		return nil, false, false
	}
	return body, isXML, true
}

// captureMediaType checks that a capture body is EPCIS JSON or JSON-LD,
// or EPCIS 2.0 or 1.2 XML, and says whether it is XML.
func (s *Server) captureMediaType(w http.ResponseWriter, r *http.Request) (isXML, ok bool) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isXML = mt == "application/xml" || mt == "text/xml"
	if err == nil && !utf8Charset(params) {
		s.problem(w, r, http.StatusUnsupportedMediaType, "send the document in UTF-8 (charset=utf-8 or no charset)", []critmin.FieldError{{Pointer: "Content-Type", Reason: fmt.Sprintf("charset %q is not supported: only UTF-8 is read", params["charset"])}})
		return false, false
	}
	if err != nil || (mt != "application/json" && mt != "application/ld+json" && !isXML) {
		s.problem(w, r, http.StatusUnsupportedMediaType, "send EPCIS 2.0 JSON or JSON-LD as application/json or application/ld+json, or EPCIS 2.0 or 1.2 XML as application/xml", []critmin.FieldError{{Pointer: "Content-Type", Reason: fmt.Sprintf("%q is not supported", r.Header.Get("Content-Type"))}})
		return false, false
	}
	return isXML, true
}

func tokenName(r *http.Request) string {
	if t := tokenOf(r); t != nil {
		return t.Name
	}
	return ""
}

// handleCapture captures an EPCIS document. It validates and stores the
// document before answering, so 202 means the events are durable; the
// capture job records the outcome. POST /epcis/capture
func (s *Server) handleCapture(w http.ResponseWriter, r *http.Request) {
	s.epcisHeaders(w)
	isXML, ok := s.captureMediaType(w, r)
	if !ok {
		return
	}
	// A JSON document is read as a stream (the ledger enforces the
	// file-size limit as it reads), never held whole in memory; an XML
	// document is read whole within the same limit and converted.
	// While the body keeps arriving its deadlines move on (captureBody).
	s.captureBody(w, r)
	job, err := s.Ledger.Capture(r.Context(), ledger.CaptureRequest{Reader: r.Body, Behaviour: r.Header.Get("GS1-Capture-Error-Behaviour"), Token: tokenName(r), XML: isXML})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.metrics.addCaptured(job.Stored)
	s.captured()
	w.Header().Set("Location", "/epcis/capture/"+job.CaptureID)
	writeJSON(w, http.StatusAccepted, job)
}

// handleCaptureEvent captures one event. POST /epcis/events
func (s *Server) handleCaptureEvent(w http.ResponseWriter, r *http.Request) {
	s.epcisHeaders(w)
	body, isXML, ok := s.readCaptureBody(w, r)
	if !ok {
		return
	}
	job, err := s.Ledger.Capture(r.Context(), ledger.CaptureRequest{Body: body, SingleEvent: true, Token: tokenName(r), XML: isXML})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.metrics.addCaptured(job.Stored)
	s.captured()
	if len(job.EventIDs) == 1 {
		w.Header().Set("Location", "/epcis/events/"+url.PathEscape(job.EventIDs[0]))
	} else if len(job.Duplicates) == 1 {
		w.Header().Set("Location", "/epcis/events/"+url.PathEscape(job.Duplicates[0]))
	}
	writeJSON(w, http.StatusCreated, job)
}

// handleCaptureJob returns a capture job. GET /epcis/capture/{captureID}
func (s *Server) handleCaptureJob(w http.ResponseWriter, r *http.Request) {
	job, err := s.Store.FindCaptureJob(r.Context(), r.PathValue("captureID"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, job)
}

// captureListMaxBytes bounds one page of GET /epcis/capture: a page
// stops before the job that would take its JSON past this many bytes,
// and its Link rel="next" continues from there. Summaries are small
// (their errors and duplicates are counted, not listed), so this only
// bites at very large perPage values; it keeps a page bounded whatever
// the jobs hold.
const captureListMaxBytes = 256 << 10

// captureJobSummary is a capture job as GET /epcis/capture lists it:
// its errors and duplicate eventIDs counted, not listed — a job may
// hold a thousand errors — with Href, the job's own resource, which
// shows them.
type captureJobSummary struct {
	CaptureID             string     `json:"captureID"`
	Href                  string     `json:"href"`
	CreatedAt             time.Time  `json:"createdAt"`
	FinishedAt            *time.Time `json:"finishedAt,omitempty"`
	Running               bool       `json:"running"`
	Success               bool       `json:"success"`
	CaptureErrorBehaviour string     `json:"captureErrorBehaviour"`
	EventCount            int        `json:"eventCount"`
	Stored                int        `json:"stored"`
	// ErrorCount is how many errors the job found; ErrorsOmitted how
	// many of them its own resource leaves out (as on the job).
	ErrorCount     int `json:"errorCount"`
	ErrorsOmitted  int `json:"errorsOmitted"`
	DuplicateCount int `json:"duplicateCount"`
}

// handleCaptureJobList lists capture jobs, the newest first, as
// summaries (captureJobSummary), paged as the EPCIS lists are: perPage
// (default 30, at most 1000) and a signed nextPageToken, with a Link
// rel="next" header while more jobs remain; a page is also cut at
// captureListMaxBytes. GET /epcis/capture
func (s *Server) handleCaptureJobList(w http.ResponseWriter, r *http.Request) {
	per := epcis.DefaultPerPage
	var after *critmin.PageCursor
	for k, v := range r.URL.Query() {
		switch k {
		case "perPage":
			n, reason := critmin.IntInRange(v[0], 1, epcis.MaxPerPage)
			if reason != "" {
				s.queryError(w, r, critmin.FieldErrorf("perPage", "%s", reason))
				return
			}
			per = n
		case "nextPageToken":
			c, err := epcis.DecodeSignedPageToken(v[0], time.Now(), s.pageKey)
			if err != nil {
				s.queryError(w, r, critmin.FieldErrorf("nextPageToken", "not a valid token: %v", err))
				return
			}
			after = c
		default:
			s.queryError(w, r, critmin.FieldErrorf(k, "unknown query parameter"))
			return
		}
	}
	jobs, err := s.Store.ListCaptureJobs(r.Context(), after, per+1)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := []captureJobSummary{}
	more := len(jobs) > per
	size := 4 // "[", "\n]" and writeJSON's final newline
	for i, j := range jobs {
		if i == per {
			break
		}
		sum := captureJobSummary{
			CaptureID: j.CaptureID, Href: "/epcis/capture/" + url.PathEscape(j.CaptureID),
			CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt, Running: j.Running, Success: j.Success,
			CaptureErrorBehaviour: j.CaptureErrorBehaviour, EventCount: j.EventCount, Stored: j.Stored,
			ErrorCount: j.ErrorCount, ErrorsOmitted: j.ErrorsOmitted, DuplicateCount: j.DuplicateCount,
		}
		// Its size as writeJSON indents it inside the array: "\n  ",
		// the object with every line indented by two more spaces, ",".
		b, err := json.MarshalIndent(sum, "  ", "  ")
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if len(out) > 0 && size+len(b)+4 > captureListMaxBytes {
			more = true
			break
		}
		size += len(b) + 4
		out = append(out, sum)
	}
	if more && len(out) > 0 {
		last := jobs[len(out)-1]
		expires := time.Now().Add(epcis.PageTokenLifetime)
		tok := epcis.SignPageToken(&critmin.PageCursor{Key: last.CaptureID, PK: last.CreatedAt.UnixMicro()}, expires, s.pageKey)
		next := url.Values{"perPage": {strconv.Itoa(per)}, "nextPageToken": {tok}}
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
		w.Header().Set("GS1-Next-Page-Token-Expires", epcis.PageTokenExpiry(expires))
	}
	writeJSON(w, http.StatusOK, out)
}

// queryEvents runs a SimpleEventQuery from URL parameters and writes an
// EPCISQueryDocument with a Link header to the next page.
func (s *Server) queryEvents(w http.ResponseWriter, r *http.Request, params url.Values) {
	s.runQuery(w, r, params, "SimpleEventQuery", params)
}

// queryEventsNamed answers a named query: the next-page link carries only
// the paging parameters, the query itself being named by the path.
func (s *Server) queryEventsNamed(w http.ResponseWriter, r *http.Request, params url.Values, name string) {
	link := url.Values{}
	if v, ok := params["perPage"]; ok {
		link["perPage"] = v
	}
	s.runQuery(w, r, params, name, link)
}

// runQuery runs params and writes the result under queryName; the
// next-page link repeats linkParams with the new nextPageToken.
func (s *Server) runQuery(w http.ResponseWriter, r *http.Request, params url.Values, queryName string, linkParams url.Values) {
	mediaType, ok := s.resultMediaType(w, r)
	if !ok {
		return
	}
	format, ok := s.epcFormat(w, r)
	if !ok {
		return
	}
	f, err := epcis.ParseQuerySigned(params, s.prefixSource(r), s.pageKey)
	if err != nil {
		s.queryError(w, r, err)
		return
	}
	// eventCountLimit caps the whole result across pages; the cursor
	// carries what is left of it.
	remaining := f.EventCountLimit
	if f.After != nil && f.After.Remaining > 0 {
		remaining = f.After.Remaining
	}
	if remaining > 0 && remaining < f.Limit {
		f.Limit = remaining
	}
	page, err := s.Store.FindEvents(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if remaining > 0 && page.Next != nil {
		if left := remaining - len(page.Events); left > 0 {
			page.Next.Remaining = left
		} else {
			page.Next = nil
		}
	}
	events, err := s.translateEvents(page.Events, format)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	asXML := isXMLType(mediaType)
	var doc []byte
	if asXML {
		doc, err = epcis.QueryDocumentXML(events, queryName, time.Now(), cbvXMLFormat(r))
	} else {
		doc, err = epcis.QueryDocument(events, queryName, time.Now())
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("GS1-EPCIS-Version", "2.0.0")
	h.Set("GS1-CBV-Version", "2.0.0")
	if page.Next != nil {
		next := url.Values{}
		for k, v := range linkParams {
			next[k] = v
		}
		expires := time.Now().Add(epcis.PageTokenLifetime)
		page.Next.Query = epcis.QueryFingerprint(params)
		next.Set("nextPageToken", epcis.SignPageToken(page.Next, expires, s.pageKey))
		h.Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
		h.Set("GS1-Next-Page-Token-Expires", epcis.PageTokenExpiry(expires))
	}
	h.Set("Content-Type", mediaType)
	h.Add("Vary", "Accept")
	s.metrics.addQuery(len(page.Events))
	_, _ = w.Write(doc)
}

// resultMediaType is the type of query result the request accepts
// (resultType), or a 406 NotAcceptableException naming Accept, written,
// and false.
func (s *Server) resultMediaType(w http.ResponseWriter, r *http.Request) (string, bool) {
	mt, ok := resultType(r)
	if !ok {
		s.epcisHeaders(w)
		msg := fmt.Sprintf("%q: query results are application/ld+json, application/json or application/xml (text/xml), and this Accept header gives each of them q=0 or leaves it out", r.Header.Get("Accept"))
		s.problemTyped(w, r, http.StatusNotAcceptable, "epcisException:NotAcceptableException", "Accept: "+msg, []critmin.FieldError{{Pointer: "Accept", Reason: msg}})
		return "", false
	}
	return mt, true
}

// handleEvents queries events. GET /epcis/events
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	s.queryEvents(w, r, r.URL.Query())
}

// handleEvent returns one event in an EPCISQueryDocument, as the REST
// binding specifies for both JSON and XML (openapi.yaml
// /events/{eventID}: 200EPCISQueryDocumentSinglePage); when it was
// declared in error, it carries the declaration's errorDeclaration and a
// Link header points at all its records. GET /epcis/events/{eventID}
func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) {
	mediaType, ok := s.resultMediaType(w, r)
	if !ok {
		return
	}
	format, ok := s.epcFormat(w, r)
	if !ok {
		return
	}
	evs, err := s.Store.FindEventsByID(r.Context(), r.PathValue("eventID"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// The event itself, not a declaration of it, even when the
	// declaration was captured first.
	for i, e := range evs {
		if e.ErrorDeclaration == nil {
			evs[0], evs[i] = evs[i], evs[0]
			break
		}
	}
	if evs, err = s.translateEvents(evs, format); err != nil {
		s.Error(w, r, err)
		return
	}
	asXML := isXMLType(mediaType)
	var body []byte
	if asXML {
		// The XML binding has no stand-alone event document: one event
		// travels as an EPCISQueryDocument holding it.
		body, err = epcis.EventXML(evs[0], time.Now(), cbvXMLFormat(r))
	} else {
		body, err = epcis.EventDocument(evs[0], time.Now())
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if len(evs) > 1 {
		w.Header().Set("Link", fmt.Sprintf(`</epcis/events?EQ_eventID=%s>; rel="related"`, url.QueryEscape(evs[0].EventID)))
	}
	w.Header().Add("Vary", "Accept")
	w.Header().Set("Content-Type", mediaType)
	_, _ = w.Write(body)
}

// vocabList lists the values of one top-level resource as a JSON-LD
// Collection, paged with perPage and nextPageToken.
// GET /epcis/{eventTypes,bizSteps,bizLocations,readPoints,dispositions,epcs}
func (s *Server) vocabList(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		per := 30
		for k, v := range q {
			switch k {
			case "perPage":
				n, reason := critmin.IntInRange(v[0], 1, epcis.MaxPerPage)
				if reason != "" {
					s.queryError(w, r, critmin.FieldErrorf("perPage", "%s", reason))
					return
				}
				per = n
			case "nextPageToken":
			default:
				s.queryError(w, r, critmin.FieldErrorf(k, "unknown query parameter"))
				return
			}
		}
		after := ""
		if tok := q.Get("nextPageToken"); tok != "" {
			c, err := epcis.DecodeSignedPageToken(tok, time.Now(), s.pageKey)
			var expired *epcis.ExpiredTokenError
			if errors.As(err, &expired) {
				s.queryError(w, r, critmin.FieldErrorf("nextPageToken", "%s", expired.Error()))
				return
			} else if err != nil {
				s.queryError(w, r, critmin.FieldErrorf("nextPageToken", "not a token this server issued"))
				return
			}
			after = c.Key
		}
		vals, err := s.Store.Vocabulary(r.Context(), kind, after, per+1)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if len(vals) > per {
			vals = vals[:per]
			expires := time.Now().Add(epcis.PageTokenLifetime)
			next := url.Values{"perPage": {strconv.Itoa(per)}, "nextPageToken": {epcis.SignPageToken(&critmin.PageCursor{Key: vals[per-1]}, expires, s.pageKey)}}
			w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
			w.Header().Set("GS1-Next-Page-Token-Expires", epcis.PageTokenExpiry(expires))
		}
		if kind == critmin.VocabEPC || kind == critmin.VocabReadPoint || kind == critmin.VocabBizLocation {
			format, ok := s.epcFormat(w, r)
			if !ok {
				return
			}
			vals = s.translateValues(vals, format)
		}
		if vals == nil {
			vals = []string{}
		}
		w.Header().Set("Content-Type", "application/ld+json")
		writeJSON(w, http.StatusOK, map[string]any{"@context": epcis.StandardContext, "type": "Collection", "member": vals})
	}
}

// vocabEvents answers /epcis/{resource}/{value}/events as a query with
// one more parameter. GET /epcis/bizSteps/{bizStep}/events and the like
func (s *Server) vocabEvents(param string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if _, dup := q[param]; dup {
			s.queryError(w, r, critmin.FieldErrorf(param, "already given by the path"))
			return
		}
		q.Set(param, strings.ReplaceAll(r.PathValue("value"), "|", "%7C"))
		s.queryEvents(w, r, q)
	}
}

// prefixSource reads the prefixes captured documents (events or master
// data) declared, for the CURIEs of extension-field query parameters,
// with critmin's own extension prefix, cm, which every response
// advertises in GS1-Extensions (cm=ledger.Namespace): it resolves before
// any event uses it.
func (s *Server) prefixSource(r *http.Request) epcis.PrefixSource {
	return func() (map[string][]string, error) {
		out, err := s.Store.DeclaredPrefixes(r.Context())
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out["cm"], ledger.Namespace) {
			if out == nil {
				out = map[string][]string{}
			}
			out["cm"] = append(slices.Clone(out["cm"]), ledger.Namespace)
			sort.Strings(out["cm"])
		}
		return out, nil
	}
}
