package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/custody"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// Declaring an event in error from its page (issue 15, fix15z). EPCIS 2.0
// §7.4.1.2: the event is sent again, its content unchanged, with an
// errorDeclaration (declarationTime, a CBV 2.0 §7.5 reason, optional
// correctiveEventIDs). The form builds exactly that document from the
// stored event and passes it through the validator and the capture
// service POST /epcis/capture uses (ledger.Service.Validate, Capture): an
// operator never writes the declaration's JSON-LD by hand.

// declareReasons are the CBV 2.0 §7.5 error reasons the form offers;
// "other" takes a URI of the user's (EPCIS 2.0 allows any URI).
var declareReasons = [][2]string{
	{"incorrect_data", "Incorrect data: the event happened, but what it says is wrong"},
	{"did_not_occur", "Did not occur: the event never happened"},
	{"other", "Another reason (a URI)"},
}

// declareView is what the event page's form and the declaration preview
// get.
type declareView struct {
	Event   *critmin.Event
	Head    string
	Values  url.Values
	Reasons [][2]string
	Errors  map[string][]string
	Other   []string
	Message string
	Preview string
	Hidden  [][2]string
	// Lots are the lots the event names, with the event's quantity of
	// each: what the ledger stops counting once it is declared in error.
	Lots []declareLot
	// Effect says in words what the declaration changes.
	Effect []string
	// Dependents says, one sentence each, what becomes of the events
	// that depend on this one (ledger.DeclarationDependents): shipments
	// from what it received, receipts of what it shipped, runs that took
	// of what it received.
	Dependents []string
	// Notes: corrective events not recorded yet, and the like.
	Notes []string
	Names refNames
	// Also are the other events declared in error with Event (the form's
	// "also" field, one eventID a line; issue 15 §1): each with its
	// lots, what changes and what depends on it, as Event's above.
	Also []declareItem
}

// declareItem is one more event of a declaration of several.
type declareItem struct {
	Event      *critmin.Event
	Head       string
	Lots       []declareLot
	Effect     []string
	Dependents []string
}

type declareLot struct {
	ID, Role, Qty, Mass string
}

func (s *site) declareRoutes() {
	s.route("POST /events/{id}/declare", accessWrite, s.handleDeclare)
}

// declaration is the reason and corrective events of the form, checked
// for what a person types wrong; the validator decides the rest.
func declaration(v url.Values) (reason string, corrective []string, errs map[string][]string) {
	errs = map[string][]string{}
	switch r := strings.TrimSpace(v.Get("reason")); r {
	case "incorrect_data", "did_not_occur":
		reason = r
	case "other":
		reason = strings.TrimSpace(v.Get("reasonURI"))
		if reason == "" {
			errs["reasonURI"] = append(errs["reasonURI"], "required with another reason: a URI naming the reason (for example https://example.com/reasons/duplicate-ticket)")
		} else if u, err := url.Parse(reason); err != nil || u.Scheme == "" || strings.ContainsAny(reason, " \t") {
			errs["reasonURI"] = append(errs["reasonURI"], fmt.Sprintf("%q is not a URI: EPCIS 2.0 takes a CBV reason or a URI (urn:… or https://…)", reason))
		}
	case "":
		errs["reason"] = append(errs["reason"], "required: choose why the event is in error")
	default:
		errs["reason"] = append(errs["reason"], fmt.Sprintf("%q is not one of the offered reasons", r))
	}
	for i, line := range splitLines(v.Get("corrective")) {
		id := strings.TrimSpace(line)
		if u, err := url.Parse(id); err != nil || u.Scheme == "" || strings.ContainsAny(id, " \t") {
			errs["corrective"] = append(errs["corrective"], fmt.Sprintf("line %d: %q is not an event ID (urn:uuid:…, or the URI of an event)", i+1, id))
			continue
		}
		corrective = append(corrective, id)
	}
	return reason, corrective, errs
}

// declarationDocument is the EPCIS document that declares ev in error: the
// stored event as captured (its recordTime left out, which capture sets),
// with the errorDeclaration, under the event's own @context, so that its
// CBV 2.0 §8.9 hash is the stored event's.
//
// Several events (a declaration of several, issue 15 §1) are one
// document, one errorDeclaration each, so that they are captured all or
// nothing. The document's @context is the first event's; an event
// captured under another @context keeps its own, inline (JSON-LD 1.1
// §4.1: a context in a node object applies to it), so that each event's
// hash is its stored event's.
func declarationDocument(evs []*critmin.Event, declared, reason string, corrective []string, created string) ([]byte, error) {
	var context any = epcis.StandardContext
	if len(evs[0].Context) > 0 {
		context = json.RawMessage(evs[0].Context)
	}
	list := make([]any, 0, len(evs))
	for _, ev := range evs {
		dec := json.NewDecoder(bytes.NewReader(ev.Raw))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, critmin.Errorf(critmin.EINTERNAL, "event %s: stored JSON does not decode: %v", ev.EventID, err)
		}
		delete(m, "recordTime")
		delete(m, "@context")
		if !bytes.Equal(ev.Context, evs[0].Context) && len(ev.Context) > 0 {
			m["@context"] = json.RawMessage(ev.Context)
		}
		ed := map[string]any{"declarationTime": declared, "reason": reason}
		if len(corrective) > 0 {
			ed["correctiveEventIDs"] = corrective
		}
		m["errorDeclaration"] = ed
		list = append(list, m)
	}
	doc := map[string]any{"@context": context, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": created,
		"epcisBody": map[string]any{"eventList": list}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// handleDeclare previews, or on confirmation captures, the error
// declaration of an event, and of the other events the form's "also"
// field lists (one eventID a line; issue 15 §1): one document, one
// errorDeclaration per event with the same reason and corrective
// events, captured all or nothing (rollback). step=preview validates and
// shows what changes for each event; step=capture captures exactly the
// previewed declaration (its declarationTime fixed at preview, so a
// second confirmation is an idempotent duplicate). A refusal that
// concerns one event names it. POST /events/{id}/declare
func (s *site) handleDeclare(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("body", "the form cannot be read: %v", err))
		return
	}
	if err := unknownFormFields(r, "reason", "reasonURI", "corrective", "also", "declared", "created", "step"); err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := oneOf(r, "step", "preview", "capture"); err != nil {
		s.renderError(w, r, err)
		return
	}
	ev, decl, err := s.declarable(r, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if ev == nil {
		s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "event %s is not recorded (only a declaration of it is): there is nothing to declare in error", id))
		return
	}
	if decl != nil {
		s.renderError(w, r, critmin.Errorf(critmin.ECONFLICT, "event %s is already declared in error (on %s): its page says why; declare a corrective event in error instead if it is wrong too",
			id, decl.ErrorDeclaration.DeclarationTime.UTC().Format("2006-01-02 15:04 UTC")))
		return
	}
	v := url.Values{}
	for _, k := range []string{"reason", "reasonURI", "corrective", "also"} {
		v.Set(k, strings.ReplaceAll(r.PostForm.Get(k), "\r\n", "\n"))
	}
	now := s.Ledger.Now().UTC()
	step := r.PostForm.Get("step")
	declared, created := r.PostForm.Get("declared"), r.PostForm.Get("created")
	if _, perr := time.Parse(time.RFC3339Nano, declared); step != "capture" || perr != nil {
		declared = now.Format("2006-01-02T15:04:05.000Z")
	}
	if step != "capture" || created == "" {
		created = now.Format("2006-01-02T15:04:05.000Z")
	}
	sites, parties, err := s.sitesAndParties(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	view := &declareView{Event: ev, Head: eventHead(ev), Values: v, Reasons: declareReasons, Names: namesOf(mapValues(sites), mapValues(parties))}
	view.Lots, view.Effect = s.declareEffect(r, ev)
	reason, corrective, ferrs := declaration(v)
	view.Errors = ferrs
	also, conflict, err := s.alsoDeclared(r, ev, v.Get("also"), ferrs)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// The events declared in this document: a dependent among them is
	// worded as declared with it, not as refusing the declaration
	// (new-user finding nu38a item 3).
	together := map[string]bool{ev.EventID: true}
	for _, a := range also {
		together[a.EventID] = true
	}
	if view.Dependents, err = s.declareDependents(r, ev, sites, parties, together); err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, a := range also {
		item := declareItem{Event: a, Head: eventHead(a)}
		item.Lots, item.Effect = s.declareEffect(r, a)
		if item.Dependents, err = s.declareDependents(r, a, sites, parties, together); err != nil {
			s.renderError(w, r, err)
			return
		}
		view.Also = append(view.Also, item)
	}
	title := "Declare in error: " + view.Head
	if len(ferrs) > 0 {
		view.Message = "The declaration is not valid; nothing was captured. Correct the fields marked below."
		status := http.StatusBadRequest
		if conflict {
			status = http.StatusConflict // an event listed is declared already
		}
		s.render(w, r, status, "declare", title, "events", view)
		return
	}
	evs := append([]*critmin.Event{ev}, also...)
	doc, err := declarationDocument(evs, declared, reason, corrective, created)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	view.Preview = string(doc)
	var fieldErrs []critmin.FieldError
	if step == "capture" {
		job, cerr := s.Ledger.Capture(r.Context(), ledger.CaptureRequest{Body: doc, Behaviour: critmin.BehaviourRollback, Token: critminhttp.TokenName(r)})
		if cerr == nil {
			s.CountCaptured(job.Stored)
			http.Redirect(w, r, eventHref(ev.EventID), http.StatusSeeOther)
			return
		}
		if critmin.ErrorCode(cerr) == critmin.EINTERNAL {
			s.renderError(w, r, cerr)
			return
		}
		fieldErrs = critmin.ErrorList(cerr)
		if len(fieldErrs) == 0 {
			fieldErrs = []critmin.FieldError{{Pointer: "document", Reason: critmin.ErrorMessage(cerr)}}
		}
		view.Message = "The declaration was not captured: " + critmin.ErrorHeadline(cerr)
	} else {
		errs, verr := s.Ledger.Validate(r.Context(), doc)
		if verr != nil && critmin.ErrorCode(verr) == critmin.EINTERNAL {
			s.renderError(w, r, verr)
			return
		}
		if verr != nil {
			fieldErrs = critmin.ErrorList(verr)
			if len(fieldErrs) == 0 {
				fieldErrs = []critmin.FieldError{{Pointer: "document", Reason: critmin.ErrorMessage(verr)}}
			}
		} else {
			for _, e := range errs {
				fieldErrs = append(fieldErrs, e...)
			}
		}
	}
	seen := map[string]bool{}
	for _, fe := range fieldErrs {
		f := ""
		switch {
		case strings.Contains(fe.Pointer, "errorDeclaration/reason"):
			f = "reason"
			if v.Get("reason") == "other" {
				f = "reasonURI"
			}
		case strings.Contains(fe.Pointer, "errorDeclaration/correctiveEventIDs"):
			f = "corrective"
		}
		text := fe.Reason
		if len(evs) > 1 {
			// One reason and one list of corrective events serve every
			// event: said once. Any other refusal names its event.
			if e := declaredAt(fe.Pointer, evs); e != nil && f == "" {
				text = "Event " + e.EventID + ": " + text
			}
		}
		if seen[f+"\x00"+text] {
			continue
		}
		seen[f+"\x00"+text] = true
		if f == "" {
			view.Other = append(view.Other, text)
		} else {
			view.Errors[f] = append(view.Errors[f], text)
		}
	}
	if len(fieldErrs) > 0 {
		if view.Message == "" {
			view.Message = "The declaration is not valid; nothing was captured. Correct the fields marked below."
		}
		status := critminhttp.StatusOf(&critmin.Error{Code: critmin.RefusalCode(fieldErrs)})
		s.render(w, r, status, "declare", title, "events", view)
		return
	}
	for _, c := range corrective {
		if _, err := s.Store.FindEventsByID(r.Context(), c); critmin.ErrorCode(err) == critmin.ENOTFOUND {
			view.Notes = append(view.Notes, "The corrective event "+c+" is not recorded yet: it may be captured later (EPCIS 2.0 allows it), and its link works once it is.")
		} else if err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	for _, k := range []string{"reason", "reasonURI", "corrective", "also"} {
		view.Hidden = append(view.Hidden, [2]string{k, v.Get(k)})
	}
	view.Hidden = append(view.Hidden, [2]string{"declared", declared}, [2]string{"created", created})
	s.render(w, r, http.StatusOK, "declare", title, "events", view)
}

// declarable reads event id as recorded: the event (nil when only a
// declaration of it is) and its declaration in error, if any.
func (s *site) declarable(r *http.Request, id string) (ev, decl *critmin.Event, err error) {
	evs, err := s.Store.FindEventsByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range decoded(evs) {
		if e.ErrorDeclaration == nil && ev == nil {
			ev = e
		}
		if e.ErrorDeclaration != nil && decl == nil {
			decl = e
		}
	}
	return ev, decl, nil
}

// alsoDeclared reads the form's "also" field — the other events to
// declare in error with ev, one eventID a line, blank lines skipped —
// and returns them as recorded. A line that is no event ID, names ev or
// an event listed before (in any spelling of its eventID), an event not recorded, or one declared in
// error already is an error under "also" in errs, naming its line and
// eventID; conflict is true when one is declared already (409, as for
// the page's own event).
func (s *site) alsoDeclared(r *http.Request, ev *critmin.Event, field string, errs map[string][]string) (also []*critmin.Event, conflict bool, err error) {
	seen := map[string]bool{}   // canonical eventIDs listed
	stored := map[string]bool{} // the eventIDs of the events found
	for i, line := range splitLines(field) {
		id := strings.TrimSpace(line)
		if id == "" {
			continue
		}
		fail := func(f string, a ...any) {
			errs["also"] = append(errs["also"], fmt.Sprintf("line %d: ", i+1)+fmt.Sprintf(f, a...))
		}
		if u, perr := url.Parse(id); perr != nil || u.Scheme == "" || strings.ContainsAny(id, " \t") {
			fail("%q is not an event ID (urn:uuid:…, or the URI of an event)", id)
			continue
		}
		// One event in every spelling (epcis.CanonicalEventID: a UUID
		// URN or hash ID in any case, a URN's scheme and NID): the
		// page's own event or a repeat in other letters is refused at
		// its line, never declared twice in one document (fixSs).
		canon := epcis.CanonicalEventID(id)
		switch {
		case canon == epcis.CanonicalEventID(ev.EventID):
			fail("event %s is the event of this page: list only the other events to declare with it", id)
			continue
		case seen[canon]:
			fail("event %s is listed twice", id)
			continue
		}
		seen[canon] = true
		a, decl, ferr := s.declarable(r, id)
		switch {
		case critmin.ErrorCode(ferr) == critmin.ENOTFOUND || ferr == nil && a == nil && decl == nil:
			fail("event %s is not recorded: there is nothing to declare in error (check the eventID on its page)", id)
			continue
		case ferr != nil:
			return nil, false, ferr
		case decl != nil:
			conflict = true
			fail("event %s is already declared in error (on %s): leave it out", id, decl.ErrorDeclaration.DeclarationTime.UTC().Format("2006-01-02 15:04 UTC"))
			continue
		case a == nil:
			fail("event %s is not recorded (only a declaration of it is): there is nothing to declare in error", id)
			continue
		case a.EventID == ev.EventID:
			// The store found the page's event by a spelling it
			// matches that the canonical form does not unify.
			fail("event %s is the event of this page: list only the other events to declare with it", id)
			continue
		case stored[a.EventID]:
			fail("event %s is listed twice", id)
			continue
		}
		stored[a.EventID] = true
		also = append(also, a)
	}
	return also, conflict, nil
}

// declaredAt is the event of evs (the declaration document's, in order)
// that a refusal's pointer (/epcisBody/eventList/N/…) names, else nil.
func declaredAt(ptr string, evs []*critmin.Event) *critmin.Event {
	rest, ok := strings.CutPrefix(ptr, "/epcisBody/eventList/")
	if !ok {
		return nil
	}
	n, _, _ := strings.Cut(rest, "/")
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 || i >= len(evs) {
		return nil
	}
	return evs[i]
}

// eventHead is an event's type and business step in words.
func eventHead(ev *critmin.Event) string {
	head := humanTerm(ev.Type)
	if ev.BizStep != "" {
		head += " · " + humanTerm(ev.BizStep)
	}
	return head + " · " + ev.EventTime.UTC().Format("2006-01-02 15:04 UTC")
}

// declareEffect lists the lots an event names, with its quantity of each
// and the lot's mass as recorded now, and says in words what leaving the
// event out changes (the jobs that read the ledger skip a declared event:
// docs/epcis.md, "Retractions").
func (s *site) declareEffect(r *http.Request, ev *critmin.Event) ([]declareLot, []string) {
	ev = s.carried(r, ev)
	var lots []declareLot
	seen := map[string]bool{}
	for _, q := range ev.Quantities {
		l, err := s.Store.FindLot(r.Context(), q.EPCClass)
		if err != nil {
			continue
		}
		row := declareLot{ID: q.EPCClass, Role: humanTerm(string(q.Role)), Qty: quantityText(q), Mass: massText(l.WetTonnes) + " wet now"}
		if q.Role == "" {
			row.Role = "—"
		}
		seen[q.EPCClass] = true
		lots = append(lots, row)
	}
	var effect []string
	switch {
	case ev.Type == critmin.TransformationEvent:
		effect = append(effect, "The run no longer takes its inputs: their masses stand as before the run. Its products lose the origin and the mass-balance credit that came through it, and what was made of them since is judged again.")
	case ev.BizStep == "commissioning":
		effect = append(effect, "The lot's commissioning no longer counts: the mass, commodity and origin it stated are dropped, and the lot stands by its other events (a corrective commissioning may set them again).")
	case ev.Type == critmin.AggregationEvent:
		effect = append(effect, "The packing (or unpacking) no longer counts: the lots are not in (or out of) the container by it.")
	case ev.BizStep == "shipping" || ev.BizStep == "departing":
		effect = append(effect, "The shipment no longer counts: the lots are not in transit by it, and its shipment page marks it declared in error.")
	case ev.BizStep == "receiving" || ev.BizStep == "arriving":
		effect = append(effect, "The receipt no longer counts: the weights it found stop being the lots' masses, and the lots are not received by it.")
	case ev.BizStep == "sampling" || ev.BizStep == "inspecting":
		effect = append(effect, "The results no longer count: each lot's assays fall back to its previous results, and the contained masses and claims read from them change with them.")
	default:
		effect = append(effect, "Every job that reads the ledger leaves this event out.")
	}
	effect = append(effect, "The event stays recorded for the audit trail, marked declared in error on its page and on every timeline; the declaration is one more record of the ledger, which cannot be undone (a wrong declaration is corrected by capturing the event again under a new eventID).")
	return lots, effect
}

// declareDependents words, for each lot ev names, the events that
// depend on ev and what becomes of each once ev is declared in error
// (ledger.DeclarationDependents: the lot replayed from its live events
// with and without ev; EPCIS 2.0 §7.4.1.2). A shipment that shipped from
// what ev received — or named a source party whose holding there ev
// made — is flagged and counted nowhere; a receipt of what ev shipped
// receives nothing; a run naming that party takes nothing (issue 15, fix15q: declaring USSM's 12 t receipt at
// Karachi warned of none of the 6 t shipped from there in USSM's name).
func (s *site) declareDependents(r *http.Request, ev *critmin.Event, sites map[string]*critmin.Site, parties map[string]*critmin.Party, together map[string]bool) ([]string, error) {
	// unless words what a dependent (event id) asks of the declaration:
	// refused unless it is declared in error too — or, when it is
	// declared in this same document (together), that it is, and the
	// declaration is not refused for it.
	unless := func(id, refused string) string {
		if together[id] {
			return "it is declared in error in this same document too, so the declaration is not refused for it"
		}
		return refused
	}
	ev = s.carried(r, ev)
	var out []string
	seen := map[string]bool{}
	for _, q := range ev.Quantities {
		id := epcis.Canonical(q.EPCClass)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		levs, err := s.LotEvents(r, id)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		for _, d := range ledger.DeclarationDependents(q.EPCClass, critminhttp.FullEvents(levs), ev.EventID) {
			name := "event " + d.EventID
			if d.BillOfLading != "" {
				name = "B/L " + d.BillOfLading + " (event " + d.EventID + ")"
			}
			switch d.Kind {
			case ledger.DependentShipment:
				// Whose holding it drew on before the declaration (an
				// ownerless shipment names none: the holding it took
				// of), and what stands where it left once declared —
				// the holdings there then, never "nothing" where
				// another party's stood (issue 15, fix15zh).
				whose := ""
				if len(d.Owners) > 0 {
					names := make([]string, len(d.Owners))
					for i, o := range d.Owners {
						names[i] = partyLabel(parties, o)
					}
					holding := " from the holding of "
					if len(names) > 1 {
						holding = " from the holdings of "
					}
					whose = holding + strings.Join(names, " and ")
				}
				why := ledger.FromNothingText(d.LeftFrom, d.From, d.Tonnes, func(id string) string { return siteLabel(sites, id) },
					func(id string) string { return partyLabel(parties, id) }, quantityNum)
				out = append(out, flaggedShipmentText(ledger.EventKind(ev), name, quantityNum(d.Tonnes), q.EPCClass, whose, siteLabel(sites, d.From), why))
			case ledger.DependentRun:
				// A run naming the party whose holding there this event
				// made takes nothing once it is declared (issue 15,
				// fix15za: the preview listed nothing).
				out = append(out, fmt.Sprintf("The refinery run (event %s) stating %s t of lot %s at %s: once this event is declared in error it takes nothing of the lot — %s — so the lot keeps those tonnes and the genealogy draws the run as having taken 0 t of it.",
					d.EventID, quantityNum(d.Tonnes), q.EPCClass, siteLabel(sites, d.To), d.Reason))
			case ledger.DependentReceipt:
				out = append(out, fmt.Sprintf("The receipt %s of %s t of lot %s at %s: once this event is declared in error it receives nothing — the lot's mass, place and owner stand as its other events leave them, and its %s t are not counted as received.",
					name, quantityNum(d.Tonnes), q.EPCClass, siteLabel(sites, d.To), quantityNum(d.Tonnes)))
			}
		}
	}
	// A later weighing judged against the lot with ev depends on it too:
	// without ev it is beyond the tolerance, and the declaration is
	// refused for it (custody.WeighingsUpsetBy; issue 15, fix15u: the
	// page refused for a weighing yet said nothing depended on ev).
	ws, err := custody.WeighingsUpsetBy(r.Context(), s.Store, ev)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		out = append(out, fmt.Sprintf("The weighing (event %s) of lot %s at %s, dated %s: it was judged against the lot with this event, and without it would be beyond the tolerance (%s), %s.",
			w.Event.EventID, w.Lot, siteLabel(sites, w.Event.BizLocation), w.Event.EventTime.UTC().Format("2006-01-02 15:04 UTC"), w.Why,
			unless(w.Event.EventID, "so declaring this event in error is refused unless that weighing is declared in error in the same document too")))
	}
	// A later run or shipment that drew on what ev put there depends on
	// it too: without ev its draw would fall on another holding — the
	// lot's body at another site, or another party's part — and the
	// declaration is refused for it (custody.DrawsRedrawnBy; issue 15,
	// fix15zc, nu15g items 1 and 2: the page said nothing depended on
	// the receipt, then answered 500).
	ds, err := custody.DrawsRedrawnBy(r.Context(), s.Store, ev)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		took := "what stood of it there"
		if d.Draw.Stated {
			took = quantityNum(d.Draw.Tonnes) + " t"
		}
		what := "The refinery run"
		if d.Draw.Kind == ledger.DrawDispatch {
			what = "The shipment"
		}
		fall := "its draw would fall on another holding"
		if len(d.Draw.Now) == 0 {
			// It drew on other holdings too, which stay (issue 15,
			// fix15zg): it would take nothing and be counted nowhere.
			fall = "it would take nothing, be counted nowhere, and what it took of the holdings that still stand there would go back to them"
		}
		out = append(out, fmt.Sprintf("%s (event %s) at %s, dated %s, took %s of lot %s from what this event put there: without this event that holding no longer stands there and %s, %s.",
			what, d.Event.EventID, siteLabel(sites, d.Draw.Site), d.Event.EventTime.UTC().Format("2006-01-02 15:04 UTC"), took, d.Lot, fall,
			unless(d.Event.EventID, "so declaring this event in error is refused unless that event is declared in error first or in the same document too")))
	}
	// A later event that would stand on nothing without ev — a shipment
	// of a lot no event then commissions, an inspection while the lot is
	// at sea, a sampling where no part of it was received, an unpacking
	// from a container nothing put it in — depends on it too: the
	// declaration is refused for it, or, a run's input, the run takes
	// nothing of the lot (custody.StrandedBy; issue 15, fix15zk: the page
	// said nothing depended on such an event and the capture took it).
	st, err := custody.StrandedBy(r.Context(), s.Store, ev)
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	for _, w := range ws {
		listed[w.Event.EventID] = true
	}
	for _, d := range ds {
		listed[d.Event.EventID] = true
	}
	// Every one is named, up to custody.StrandedListed; the rest are
	// counted (issue 8 §2, fixAa: the page named only the first of each
	// lot).
	worded, more := 0, 0
	for _, e := range st {
		if listed[e.Event.EventID] {
			continue // named above
		}
		if worded == custody.StrandedListed {
			more++
			continue
		}
		worded++
		site := e.Event.BizLocation
		if site == "" {
			site = e.Event.ReadPoint
		}
		when := e.Event.EventTime.UTC().Format("2006-01-02 15:04 UTC")
		if !e.Refused {
			out = append(out, fmt.Sprintf("The %s (event %s) of lot %s at %s, dated %s: once this event is declared in error it takes nothing of the lot (%s), so it is counted as having taken 0 t of it, and what rests on it reads so.",
				e.Kind, e.Event.EventID, e.Lot, siteLabel(sites, site), when, e.Why))
			continue
		}
		out = append(out, fmt.Sprintf("The %s (event %s) of lot %s at %s, dated %s, stands on this event: without it %s — %s.",
			e.Kind, e.Event.EventID, e.Lot, siteLabel(sites, site), when, e.Why,
			unless(e.Event.EventID, "so declaring this event in error is refused unless that event is declared in error in the same document too (or corrective events there give it something to stand on)")))
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("And %s more, each standing on nothing without this event too: declaring it in error is refused unless they are declared in error in the same document (the refusal names every one).",
			units.Int(more)))
	}
	return out, nil
}

// flaggedShipmentText words a shipment (name, of tonnes of lot, drawn
// from whose holding at from) that declaring an event of kind
// (ledger.EventKind) in error leaves shipping from nothing (why: what
// then stands there, ledger.FromNothingText). A receipt's dependent is
// flagged "ships from a receipt declared in error"; a weighing's or a
// commissioning's ships from nothing, and never from a receipt (issue
// 15, fix15zk: the preview said a receipt for a declared weighing).
func flaggedShipmentText(kind, name, tonnes, lot, whose, from, why string) string {
	if kind == "receipt" {
		return fmt.Sprintf("The shipment %s of %s t of lot %s%s at %s: once this event is declared in error %s, so it is flagged \"ships from a receipt declared in error\" and its %s t are counted nowhere — not in transit, not taken of any other holding (a corrected receipt captured again lets it ship from it once more).",
			name, tonnes, lot, whose, from, why, tonnes)
	}
	return fmt.Sprintf("The shipment %s of %s t of lot %s%s at %s: once this %s is declared in error %s, so the shipment ships from nothing — what it took of stood there by this %s — and its %s t are counted nowhere, not in transit, not taken of any other holding (a corrected %s captured again lets it ship once more).",
		name, tonnes, lot, whose, from, kind, why, kind, tonnes, kind)
}

func mapValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// carried is ev with a line for each lot the containers it moved by their
// own identifiers held then (the contents stored with it,
// critmin.ContentsStore; ledger.WithContents): the preview names those
// lots, and what depends on ev through them, as the capture's checks do
// (issue 8 §2, nu36a-5). ev as it is when the store keeps no contents.
func (s *site) carried(r *http.Request, ev *critmin.Event) *critmin.Event {
	cs, ok := s.Store.(critmin.ContentsStore)
	if !ok || !ledger.MovesContents(ev) || len(ev.Carried) > 0 {
		return ev
	}
	held, err := cs.EventContents(r.Context(), []string{ev.EventID})
	if err != nil || len(held[ev.EventID]) == 0 {
		return ev
	}
	return ledger.WithContents(ev, held[ev.EventID])
}
