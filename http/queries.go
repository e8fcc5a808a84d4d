package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/notify"
)

// Named queries and subscriptions: EPCIS 2.0 REST binding, /queries.
func (s *Server) queryRoutes() {
	s.route("POST /epcis/queries", accessWrite, s.handleQueryCreate)
	s.route("GET /epcis/queries", accessRead, s.handleQueryList, "perPage", "nextPageToken")
	s.route("GET /epcis/queries/{queryName}", accessRead, s.handleQueryGet)
	s.route("DELETE /epcis/queries/{queryName}", accessWrite, s.handleQueryDelete)
	s.route("GET /epcis/queries/{queryName}/events", accessRead, s.handleQueryEvents, namedQueryEventParams...)
	s.route("POST /epcis/queries/{queryName}/subscriptions", accessWrite, s.handleSubscriptionCreate)
	s.route("GET /epcis/queries/{queryName}/subscriptions", accessRead, s.handleSubscriptionList, "perPage", "nextPageToken")
	s.route("GET /epcis/queries/{queryName}/subscriptions/{subscriptionID}", accessRead, s.handleSubscriptionGet)
	s.route("DELETE /epcis/queries/{queryName}/subscriptions/{subscriptionID}", accessWrite, s.handleSubscriptionDelete)
}

// Exception types of the binding for these resources.
const (
	excAlreadyExists = "epcisException:ResourceAlreadyExistsException"
	excSubscription  = "epcisException:SubscriptionControlsException"
	// excQueryParameter: EPCIS 2.0 §8.2.7 (and the REST binding's 400
	// responses of the query endpoints) — a query parameter that is
	// unknown, malformed or names an unknown field.
	excQueryParameter = "epcisException:QueryParameterException"
)

// queryError reports an error of a query's parameters as the standard's
// QueryParameterException; any other error as usual.
func (s *Server) queryError(w http.ResponseWriter, r *http.Request, err error) {
	if critmin.ErrorCode(err) == critmin.EINVALID {
		s.epcisError(w, r, err, excQueryParameter)
		return
	}
	s.Error(w, r, err)
}

// readJSONBody reads a JSON request body of at most limit bytes; a body
// that is not application/json is a 415.
func (s *Server) readJSONBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/ld+json") || !utf8Charset(params) {
		s.problem(w, r, http.StatusUnsupportedMediaType, "send application/json in UTF-8", []critmin.FieldError{{Pointer: "Content-Type", Reason: fmt.Sprintf("%q is not supported", r.Header.Get("Content-Type"))}})
		return nil, false
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		s.Error(w, r, err)
		return nil, false
	}
	return b, true
}

// decodeKnown decodes one JSON object into v (a pointer to a struct),
// returning its unknown top-level keys, every one, as field errors apart
// from a decoding error: the caller checks the known fields too and
// reports all problems at once (withFields).
func decodeKnown(b []byte, v any) ([]critmin.FieldError, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, critmin.FieldErrorf("/", "not a JSON object of the expected shape: %v", err)
	}
	known := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = t.Field(i).Name
		}
		known[name] = true
	}
	var unknown []critmin.FieldError
	for k := range keys {
		if !known[k] {
			unknown = append(unknown, critmin.FieldError{Pointer: "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k), Reason: "unknown field"})
		}
	}
	sort.Slice(unknown, func(i, j int) bool { return unknown[i].Pointer < unknown[j].Pointer })
	if err := json.Unmarshal(b, v); err != nil {
		return unknown, shapeError(err)
	}
	return unknown, nil
}

// shapeError is a JSON decoding error as a field error: a value of the
// wrong type is named by its JSON Pointer ({"schedule": {"hour": 13}} is
// "/schedule/hour: must be a string, not a number"), anything else is
// the whole body's.
func shapeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		ptr := ""
		for _, seg := range strings.Split(te.Field, ".") {
			ptr += "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(seg)
		}
		return critmin.FieldErrorf(ptr, "must be %s, not %s", jsonKind(te.Type), aJSON(te.Value))
	}
	return critmin.FieldErrorf("/", "not a JSON object of the expected shape: %v", err)
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

// aJSON names a JSON value kind as encoding/json reports it ("number",
// "string", "bool", "array", "object") with its article.
func aJSON(v string) string {
	switch {
	case v == "array" || v == "object":
		return "an " + v
	case v == "bool":
		return "a boolean"
	case strings.HasPrefix(v, "number"):
		return "a number"
	default:
		return "a " + v
	}
}

// withFields returns err with the field errors fields before its own; a
// nil err with fields becomes an EINVALID error listing them.
func withFields(fields []critmin.FieldError, err error) error {
	if len(fields) == 0 {
		return err
	}
	var e *critmin.Error
	if err != nil && !errors.As(err, &e) {
		return err
	}
	all := append([]critmin.FieldError(nil), fields...)
	if e != nil {
		all = append(all, e.Fields...)
	}
	return &critmin.Error{Code: critmin.EINVALID, Message: all[0].Pointer + ": " + all[0].Reason, Fields: all}
}

// decodeStrict decodes one JSON object into v, refusing unknown keys and
// trailing data.
func decodeStrict(b []byte, v any) error {
	if err := jsonstrict.Check(b, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := err.Error()
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			return critmin.FieldErrorf("/"+strings.Trim(f, `"`), "unknown field")
		}
		return shapeError(err)
	}
	if dec.More() {
		return critmin.FieldErrorf("/", "trailing data after the JSON object")
	}
	return nil
}

const queryBodyLimit = 64 << 10

// namedQueryJSON is a named query as the binding shows it.
type namedQueryJSON struct {
	Name  string          `json:"name"`
	Query json.RawMessage `json:"query"`
}

// parseNamedQuery checks a query object as GET /events would, with
// errors at /query/<parameter>.
func (s *Server) parseNamedQuery(r *http.Request, raw json.RawMessage) (critmin.EventFilter, url.Values, error) {
	params, err := epcis.NamedQueryParams(raw)
	if err != nil {
		return critmin.EventFilter{}, nil, err
	}
	f, err := epcis.ParseQuerySigned(params, s.prefixSource(r), s.pageKey)
	if err != nil {
		var e *critmin.Error
		if errors.As(err, &e) {
			for i := range e.Fields {
				e.Fields[i].Pointer = "/query/" + e.Fields[i].Pointer
			}
			e.Message = "/query/" + e.Message
		}
		return f, nil, err
	}
	return f, params, nil
}

// handleQueryCreate creates a named query; 201 with its Location, 409
// when the name is taken. POST /epcis/queries
func (s *Server) handleQueryCreate(w http.ResponseWriter, r *http.Request) {
	b, ok := s.readJSONBody(w, r, queryBodyLimit)
	if !ok {
		return
	}
	var in namedQueryJSON
	if err := decodeStrict(b, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := epcis.CheckQueryName(in.Name); err != nil {
		s.Error(w, r, err)
		return
	}
	if len(in.Query) == 0 {
		s.Error(w, r, critmin.FieldErrorf("/query", "missing: a named query needs its query object"))
		return
	}
	if _, _, err := s.parseNamedQuery(r, in.Query); err != nil {
		s.queryError(w, r, err)
		return
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, in.Query)
	q := &critmin.NamedQuery{Name: in.Name, Query: compact.Bytes(), CreatedAt: time.Now().UTC()}
	if err := s.Store.CreateNamedQuery(r.Context(), q); err != nil {
		s.epcisError(w, r, err, excAlreadyExists)
		return
	}
	s.epcisVersionHeaders(w)
	w.Header().Set("Location", "/epcis/queries/"+url.PathEscape(q.Name))
	writeJSON(w, http.StatusCreated, namedQueryJSON{Name: q.Name, Query: q.Query})
}

func (s *Server) epcisVersionHeaders(w http.ResponseWriter) {
	w.Header().Set("GS1-EPCIS-Version", "2.0.0")
	w.Header().Set("GS1-CBV-Version", "2.0.0")
}

// handleQueryList lists named queries, paged with perPage and
// nextPageToken. GET /epcis/queries
func (s *Server) handleQueryList(w http.ResponseWriter, r *http.Request) {
	per, after, ok := s.listPaging(w, r)
	if !ok {
		return
	}
	qs, err := s.Store.ListNamedQueries(r.Context(), after, per+1)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if len(qs) > per {
		qs = qs[:per]
		expires := time.Now().Add(epcis.PageTokenLifetime)
		next := url.Values{"perPage": {strconv.Itoa(per)}, "nextPageToken": {epcis.SignPageToken(&critmin.PageCursor{Key: qs[per-1].Name}, expires, s.pageKey)}}
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
		w.Header().Set("GS1-Next-Page-Token-Expires", epcis.PageTokenExpiry(expires))
	}
	out := make([]namedQueryJSON, len(qs))
	for i, q := range qs {
		out[i] = namedQueryJSON{Name: q.Name, Query: q.Query}
	}
	s.epcisVersionHeaders(w)
	writeJSON(w, http.StatusOK, out)
}

// listPaging reads perPage and nextPageToken (a name cursor) and refuses
// any other parameter.
func (s *Server) listPaging(w http.ResponseWriter, r *http.Request) (per int, after string, ok bool) {
	per = epcis.DefaultPerPage
	for k, v := range r.URL.Query() {
		switch k {
		case "perPage":
			n, reason := critmin.IntInRange(v[0], 1, epcis.MaxPerPage)
			if reason != "" {
				s.queryError(w, r, critmin.FieldErrorf("perPage", "%s", reason))
				return 0, "", false
			}
			per = n
		case "nextPageToken":
			c, err := epcis.DecodeSignedPageToken(v[0], time.Now(), s.pageKey)
			if err != nil {
				s.queryError(w, r, critmin.FieldErrorf("nextPageToken", "not a valid token: %v", err))
				return 0, "", false
			}
			after = c.Key
		default:
			s.queryError(w, r, critmin.FieldErrorf(k, "unknown query parameter"))
			return 0, "", false
		}
	}
	return per, after, true
}

// handleQueryGet returns a named query. GET /epcis/queries/{queryName}
func (s *Server) handleQueryGet(w http.ResponseWriter, r *http.Request) {
	q, err := s.Store.FindNamedQuery(r.Context(), r.PathValue("queryName"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.epcisVersionHeaders(w)
	writeJSON(w, http.StatusOK, namedQueryJSON{Name: q.Name, Query: q.Query})
}

// handleQueryDelete removes a named query and its subscriptions; open
// WebSocket subscriptions to it are closed at their next poll.
// DELETE /epcis/queries/{queryName}
func (s *Server) handleQueryDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.DeleteNamedQuery(r.Context(), r.PathValue("queryName")); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// subscriptionParams are the parameters of a WebSocket subscription on
// /queries/{queryName}/events (REST binding GS1-Query-* parameters).
// namedQueryEventParams are what GET /epcis/queries/{queryName}/events
// accepts: paging, and on a WebSocket upgrade the subscription parameters
// (the handler tells which goes with which).
var namedQueryEventParams = []string{"perPage", "nextPageToken", "stream", "reportIfEmpty", "initialRecordTime",
	"second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek"}

var subscriptionParams = map[string]bool{"stream": true, "reportIfEmpty": true, "initialRecordTime": true,
	"second": true, "minute": true, "hour": true, "dayOfMonth": true, "month": true, "dayOfWeek": true}

// handleQueryEvents answers a named query: one page of events (perPage,
// nextPageToken), or, on a WebSocket upgrade, a subscription whose
// notifications are sent over the socket.
// GET /epcis/queries/{queryName}/events
func (s *Server) handleQueryEvents(w http.ResponseWriter, r *http.Request) {
	q, err := s.Store.FindNamedQuery(r.Context(), r.PathValue("queryName"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	params, err := epcis.NamedQueryParams(q.Query)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		s.streamQuery(w, r, q)
		return
	}
	for k, v := range r.URL.Query() {
		switch {
		case k == "perPage" || k == "nextPageToken":
			params[k] = v
		case subscriptionParams[k]:
			s.epcisError(w, r, critmin.FieldErrorf(k, "subscription parameters need a WebSocket upgrade (Upgrade: websocket)"), excSubscription)
			return
		default:
			s.queryError(w, r, critmin.FieldErrorf(k, "not a parameter of a named query's events: give perPage or nextPageToken, or change the query"))
			return
		}
	}
	s.queryEventsNamed(w, r, params, q.Name)
}

// subscriptionJSON is a subscription as the binding shows it
// (AbstractQuerySubscriptionResponse with QueryScheduleSubscription or
// QueryStreamSubscription), never with its signatureToken, plus its
// delivery state.
type subscriptionJSON struct {
	SubscriptionID    string            `json:"subscriptionID"`
	QueryName         string            `json:"queryName"`
	Dest              string            `json:"dest"`
	Stream            bool              `json:"stream,omitempty"`
	Schedule          *critmin.Schedule `json:"schedule,omitempty"`
	ReportIfEmpty     bool              `json:"reportIfEmpty,omitempty"`
	InitialRecordTime *time.Time        `json:"initialRecordTime,omitempty"`
	EPCFormat         string            `json:"epcFormat"`
	CreatedAt         time.Time         `json:"createdAt"`
	LastNotifiedAt    *time.Time        `json:"lastNotifiedAt,omitempty"`
	Signed            bool              `json:"signed"`
	Delivery          deliveryJSON      `json:"delivery"`
}

type deliveryJSON struct {
	Delivered int        `json:"delivered"`
	Pending   int        `json:"pending"`
	Failures  int        `json:"failures"`
	LastError string     `json:"lastError,omitempty"`
	NextRun   *time.Time `json:"nextRun,omitempty"`
}

// forCaller is sub as the request's caller may see it: whole for an
// admin, else with its destination redacted (critmin.RedactDest).
func forCaller(r *http.Request, sub *critmin.Subscription) *critmin.Subscription {
	if t := tokenOf(r); t != nil && t.Role == critmin.RoleAdmin {
		return sub
	}
	return sub.Redacted()
}

func toSubscriptionJSON(sub *critmin.Subscription) subscriptionJSON {
	return subscriptionJSON{SubscriptionID: sub.ID, QueryName: sub.QueryName, Dest: sub.Dest, Stream: sub.Stream, Schedule: sub.Schedule,
		ReportIfEmpty: sub.ReportIfEmpty, InitialRecordTime: sub.InitialRecordTime, EPCFormat: string(mustFormat(sub.EPCFormat)), CreatedAt: sub.CreatedAt, LastNotifiedAt: sub.LastNotifiedAt,
		Signed: sub.Secret != "", Delivery: deliveryJSON{Delivered: sub.Delivered, Pending: sub.Pending, Failures: sub.Failures, LastError: sub.LastError, NextRun: sub.NextRun}}
}

// subscriptionRequest is the body of POST …/subscriptions.
type subscriptionRequest struct {
	Dest              string            `json:"dest"`
	SignatureToken    string            `json:"signatureToken"`
	Stream            *bool             `json:"stream"`
	Schedule          *critmin.Schedule `json:"schedule"`
	ReportIfEmpty     bool              `json:"reportIfEmpty"`
	InitialRecordTime string            `json:"initialRecordTime"`
	EPCFormat         string            `json:"epcFormat"`
}

// checkSubscription applies the binding's rules to a subscription: an
// absolute http(s) dest; stream true or a schedule, not both; a valid
// schedule; initialRecordTime a date-time. Every problem at once.
func checkSubscription(in *subscriptionRequest) (*critmin.Subscription, error) {
	var errs []critmin.FieldError
	fail := func(p, format string, args ...any) {
		errs = append(errs, critmin.FieldError{Pointer: p, Reason: fmt.Sprintf(format, args...)})
	}
	u, err := url.Parse(in.Dest)
	switch {
	case in.Dest == "":
		fail("/dest", "missing: the URL notifications are sent to")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		// The value is not repeated: a webhook URL often holds its
		// secret (userinfo, a path token, a key parameter).
		fail("/dest", "not an absolute http or https URL: it needs the scheme http or https and a host (the value is not repeated here, since a webhook URL may hold a secret)")
	}
	stream := in.Stream != nil && *in.Stream
	switch {
	case stream && in.Schedule != nil:
		fail("/stream", "give stream or schedule, not both")
	case !stream && in.Schedule == nil:
		fail("/schedule", "missing: set stream to true or give a schedule, so the server knows when to notify")
	}
	if stream && in.ReportIfEmpty {
		fail("/reportIfEmpty", "applies to scheduled subscriptions only")
	}
	if in.Schedule != nil {
		if _, err := epcis.ParseSchedule(in.Schedule, "/schedule"); err != nil {
			errs = append(errs, critmin.ErrorFields(err)...)
		}
	}
	if len(in.SignatureToken) > 1024 {
		fail("/signatureToken", "longer than 1024 characters")
	}
	sub := &critmin.Subscription{Dest: in.Dest, Secret: in.SignatureToken, Stream: stream, Schedule: in.Schedule, ReportIfEmpty: in.ReportIfEmpty}
	if in.InitialRecordTime != "" {
		t, err := time.Parse(time.RFC3339Nano, in.InitialRecordTime)
		if err != nil {
			fail("/initialRecordTime", "%q is not an RFC 3339 date-time", in.InitialRecordTime)
		} else {
			t = t.UTC()
			sub.InitialRecordTime = &t
		}
	}
	if _, err := epcis.ParseEPCFormat(in.EPCFormat); err != nil {
		fail("/epcFormat", "%q is not one of Always_GS1_Digital_Link, Always_EPC_URN, Never_Translates, No_Preference", in.EPCFormat)
	}
	sub.EPCFormat = in.EPCFormat
	if len(errs) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: errs[0].Pointer + ": " + errs[0].Reason, Fields: errs}
	}
	return sub, nil
}

// handleSubscriptionCreate subscribes a webhook to a named query; 201
// with the subscription (without its secret) and its Location.
// POST /epcis/queries/{queryName}/subscriptions
func (s *Server) handleSubscriptionCreate(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("queryName")
	if _, err := s.Store.FindNamedQuery(r.Context(), name); err != nil {
		s.Error(w, r, err)
		return
	}
	b, ok := s.readJSONBody(w, r, queryBodyLimit)
	if !ok {
		return
	}
	var in subscriptionRequest
	// Unknown keys are reported with the problems of the known ones
	// (a missing dest, say): every error at once.
	unknown, err := decodeKnown(b, &in)
	if err != nil {
		s.epcisError(w, r, withFields(unknown, err), excSubscription)
		return
	}
	if h := r.Header.Get("GS1-EPC-Format"); h != "" && in.EPCFormat == "" {
		in.EPCFormat = h // the binding's header parameter of this POST
	}
	sub, err := checkSubscription(&in)
	if err = withFields(unknown, err); err != nil {
		s.epcisError(w, r, err, excSubscription)
		return
	}
	now := time.Now().UTC()
	sub.ID, sub.QueryName, sub.CreatedAt = newSubscriptionID(), name, now
	if sub.InitialRecordTime == nil || sub.InitialRecordTime.After(now) {
		// Without initialRecordTime, or with one still to come, the
		// events captured from now on (notify.ApplySubscription: a
		// future initialRecordTime does not hold back later events).
		if sub.LastSeq, err = s.Store.MaxSeq(r.Context()); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	if sub.Schedule != nil {
		sched, _ := epcis.ParseSchedule(sub.Schedule, "/schedule")
		if t, ok := sched.Next(now); ok {
			sub.NextRun = &t
		}
	}
	if err := s.Store.CreateSubscription(r.Context(), sub); err != nil {
		s.Error(w, r, err)
		return
	}
	if s.Notifier != nil {
		s.Notifier.Kick()
	}
	s.epcisVersionHeaders(w)
	w.Header().Set("Location", "/epcis/queries/"+url.PathEscape(name)+"/subscriptions/"+url.PathEscape(sub.ID))
	writeJSON(w, http.StatusCreated, toSubscriptionJSON(sub))
}

func mustFormat(s string) epcis.EPCFormat {
	f, err := epcis.ParseEPCFormat(s)
	if err != nil {
		return epcis.EPCFormat(s)
	}
	return f
}

func newSubscriptionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// handleSubscriptionList lists a query's subscriptions, paged with
// perPage and nextPageToken.
// GET /epcis/queries/{queryName}/subscriptions
func (s *Server) handleSubscriptionList(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("queryName")
	if _, err := s.Store.FindNamedQuery(r.Context(), name); err != nil {
		s.Error(w, r, err)
		return
	}
	per, after, ok := s.listPaging(w, r)
	if !ok {
		return
	}
	// Paged by subscription ID in the store: a page reads per + 1 rows
	// however many subscriptions the query has (before, every request
	// read them all and paged in memory).
	subs, err := s.Store.ListSubscriptionsPage(r.Context(), name, after, per+1)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Owing().AddOwed(r.Context(), subs[:min(len(subs), per)], time.Now()); err != nil {
		s.Error(w, r, err)
		return
	}
	if len(subs) > per {
		subs = subs[:per]
		expires := time.Now().Add(epcis.PageTokenLifetime)
		next := url.Values{"perPage": {strconv.Itoa(per)}, "nextPageToken": {epcis.SignPageToken(&critmin.PageCursor{Key: subs[per-1].ID}, expires, s.pageKey)}}
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, next.Encode()))
		w.Header().Set("GS1-Next-Page-Token-Expires", epcis.PageTokenExpiry(expires))
	}
	out := make([]subscriptionJSON, len(subs))
	for i, sub := range subs {
		out[i] = toSubscriptionJSON(forCaller(r, sub))
	}
	s.epcisVersionHeaders(w)
	writeJSON(w, http.StatusOK, out)
}

// handleSubscriptionGet returns one subscription.
// GET /epcis/queries/{queryName}/subscriptions/{subscriptionID}
func (s *Server) handleSubscriptionGet(w http.ResponseWriter, r *http.Request) {
	sub, err := s.Store.FindSubscription(r.Context(), r.PathValue("queryName"), r.PathValue("subscriptionID"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// Pending counts the notifications owed but not queued yet too.
	if err := s.Owing().AddOwed(r.Context(), []*critmin.Subscription{sub}, time.Now()); err != nil {
		s.Error(w, r, err)
		return
	}
	s.epcisVersionHeaders(w)
	writeJSON(w, http.StatusOK, toSubscriptionJSON(forCaller(r, sub)))
}

// handleSubscriptionDelete unsubscribes.
// DELETE /epcis/queries/{queryName}/subscriptions/{subscriptionID}
func (s *Server) handleSubscriptionDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.DeleteSubscription(r.Context(), r.PathValue("queryName"), r.PathValue("subscriptionID")); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// WebSocketPoll is how often a WebSocket subscription looks for new
// events when no capture on this server woke it.
var WebSocketPoll = time.Second

// streamQuery serves a WebSocket subscription to a named query (REST
// binding, GET /queries/{queryName}/events with Upgrade: websocket):
// stream=true sends each batch of matching events as they are captured,
// a schedule (second … dayOfWeek) sends the events captured since the
// last run at the scheduled times (with reportIfEmpty, also when there
// are none). Each message is an EPCISQueryDocument. The socket closes
// when the query is deleted. A WebSocket subscription lives as long as
// its connection: a client that reconnects gives initialRecordTime to
// resume.
func (s *Server) streamQuery(w http.ResponseWriter, r *http.Request, q *critmin.NamedQuery) {
	// Which events the socket is sent, from which sequence number on, is
	// decided on the primary, never a lagging replica (serve --db-read):
	// as the webhook dispatcher's (notify.Dispatcher.Run; fix14q).
	r = r.WithContext(critmin.PrimaryReads(r.Context()))
	v := r.URL.Query()
	for k := range v {
		if !subscriptionParams[k] {
			s.epcisError(w, r, critmin.FieldErrorf(k, "not a subscription parameter"), excSubscription)
			return
		}
	}
	// The socket is the destination; dest only passes the checks.
	in := subscriptionRequest{Dest: "http://websocket.invalid/", InitialRecordTime: v.Get("initialRecordTime"), ReportIfEmpty: v.Get("reportIfEmpty") == "true"}
	if st := v.Get("stream"); st != "" {
		b := st == "true"
		in.Stream = &b
	}
	sched := critmin.Schedule{Second: v.Get("second"), Minute: v.Get("minute"), Hour: v.Get("hour"), DayOfMonth: v.Get("dayOfMonth"), Month: v.Get("month"), DayOfWeek: v.Get("dayOfWeek")}
	if sched != (critmin.Schedule{}) {
		in.Schedule = &sched
	}
	sub, err := checkSubscription(&in)
	if err != nil {
		s.epcisError(w, r, err, excSubscription)
		return
	}
	format, ok := s.epcFormat(w, r)
	if !ok {
		return
	}
	params, err := epcis.NamedQueryParams(q.Query)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f, err := epcis.ParseQuerySigned(params, s.prefixSource(r), s.pageKey)
	if err != nil {
		s.queryError(w, r, err)
		return
	}
	sub.ID, sub.QueryName, sub.CreatedAt = "ws-"+newSubscriptionID(), q.Name, time.Now().UTC()
	if sub.InitialRecordTime == nil || sub.InitialRecordTime.After(sub.CreatedAt) {
		if sub.LastSeq, err = s.Store.MaxSeq(r.Context()); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	// The connection outlives the server's write and read timeouts.
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.SetReadDeadline(time.Time{})
	conn, err := s.acceptWebSocket(w, r)
	if err != nil {
		return // acceptWebSocket has answered
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(context.WithoutCancel(r.Context()))
	var schedule *epcis.Schedule
	var next time.Time
	if sub.Schedule != nil {
		schedule, _ = epcis.ParseSchedule(sub.Schedule, "schedule")
		next, _ = schedule.Next(time.Now())
	}
	wake := s.captureSignal()
	ticker := time.NewTicker(WebSocketPoll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			conn.Close(websocket.StatusGoingAway, "server shutting down")
			return
		case <-ticker.C:
		case <-wake():
		}
		if _, err := s.Store.FindNamedQuery(ctx, q.Name); critmin.ErrorCode(err) == critmin.ENOTFOUND {
			conn.Close(websocket.StatusNormalClosure, "query deleted")
			return
		}
		now := time.Now()
		if schedule != nil && now.Before(next) {
			continue
		}
		maxSeq, err := s.Store.MaxSeq(ctx)
		if err != nil || (schedule == nil && maxSeq <= sub.LastSeq) {
			continue
		}
		run := f
		notify.ApplySubscription(&run, sub, maxSeq)
		send := func(doc []byte) error {
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			return conn.Write(wctx, websocket.MessageText, doc)
		}
		sent := 0
		err = notify.Pages(ctx, s.Store.FindEvents, run, notify.DefaultBatch, func(page []*critmin.Event, last bool) error {
			if len(page) == 0 && !(sent == 0 && last && schedule != nil && sub.ReportIfEmpty) {
				return nil
			}
			events, err := s.translateEvents(page, format)
			if err != nil {
				return err
			}
			doc, err := epcis.SubscriptionDocument(events, q.Name, sub.ID, now)
			if err != nil {
				return err
			}
			sent++
			return send(doc)
		})
		if critmin.ErrorCode(err) == critmin.EQUERYTOOLARGE {
			// maxEventCount exceeded: the run's answer is the exception.
			doc, merr := notify.ExceptionDocument(err, q.Name, sub.ID)
			if merr != nil {
				return
			}
			err = send(doc)
		}
		if err != nil {
			conn.Close(websocket.StatusInternalError, "query failed")
			return
		}
		sub.LastSeq = maxSeq
		if schedule != nil {
			next, _ = schedule.Next(now)
		}
	}
}

// refusalCatcher holds back an error answer that websocket.Accept writes
// itself (http.Error's text/plain) so that it can be sent as problem+json
// like every other HTTP error; the 101 of an accepted upgrade, and the
// hijack after it, pass through (Unwrap).
type refusalCatcher struct {
	http.ResponseWriter
	status int
	text   strings.Builder
}

func (c *refusalCatcher) WriteHeader(status int) {
	if status >= 400 {
		c.status = status
		return
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *refusalCatcher) Write(b []byte) (int, error) {
	if c.status != 0 {
		return c.text.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *refusalCatcher) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// acceptWebSocket upgrades the request; a refused upgrade — a cross-origin
// request above all, or a malformed handshake — is answered as problem+json
// (fix14q: the cross-origin refusal was text/plain).
func (s *Server) acceptWebSocket(w http.ResponseWriter, r *http.Request) (*websocket.Conn, error) {
	c := &refusalCatcher{ResponseWriter: w}
	conn, err := websocket.Accept(c, r, nil)
	if err == nil || c.status == 0 {
		return conn, err
	}
	detail := strings.TrimSpace(c.text.String())
	if c.status == http.StatusForbidden {
		if origin := r.Header.Get("Origin"); origin != "" {
			detail = fmt.Sprintf("a cross-origin WebSocket upgrade is refused: Origin %q is not this server's host %q", origin, r.Host)
		}
	}
	s.problem(w, r, c.status, detail, nil)
	return nil, err
}
