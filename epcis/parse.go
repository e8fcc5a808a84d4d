// Package epcis speaks GS1 EPCIS 2.0 JSON/JSON-LD: it parses and validates
// capture documents (against the official JSON Schemas and the rules a
// schema cannot express), turns query parameters into an event filter, and
// writes query documents. It knows the standard, not the mineral view.
package epcis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"github.com/critmin/critmin/units"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Document is a parsed capture request: an EPCISDocument, an
// EPCISQueryDocument, or a single event (POST /epcis/events).
type Document struct {
	Type    string
	Context *Context
	// Events are the undecoded events in document order.
	Events []any
	// EventPointer is the JSON pointer of the event list, so that errors
	// name "/epcisBody/eventList/3/eventTime".
	EventPointer string
	Master       []critmin.MasterDataElement
	single       bool
	// xml is set for the JSON form of an XML capture: its events are
	// checked against the schema widened to the XSD (xsdOverlay).
	xml bool
	// eventBytes is, for an XML document mapped whole, the size of each
	// event's JSON text as the streamed reader would give it
	// (json.Marshal of the mapped event), so that the per-event limit
	// (MaxEventBytes) holds whether an XML document is mapped whole or
	// streamed; nil otherwise (a streamed event is measured as read).
	eventBytes []int
}

// ParseDocument decodes a capture body and validates everything but its
// events. Its errors are *critmin.Error with field pointers. When the
// document is refused for its own structure or its header's master data,
// the returned *Document still holds its context and undecoded events, so
// that the caller can report their errors with the document's (every
// independent error at once); on any other error it is nil.
func ParseDocument(body []byte, singleEvent bool) (*Document, error) {
	return parseDocument(body, singleEvent, false)
}

// ParseXMLDocument is ParseDocument of the JSON-LD form FromXML made of an
// XML document (XMLDocument.JSON): its events are checked against GS1's
// JSON Schema widened where it is narrower than the EPCIS 2.0 XSD
// (xsdOverlay), so that what the XML binding admits is accepted.
func ParseXMLDocument(body []byte, singleEvent bool) (*Document, error) {
	return parseDocument(body, singleEvent, true)
}

func parseDocument(body []byte, singleEvent, xml bool) (*Document, error) {
	if err := loadSchemas(); err != nil {
		return nil, fmt.Errorf("epcis: load schemas: %w", err)
	}
	// A UTF-8 byte-order mark before the document is ignored, as RFC
	// 8259 §8.1 allows a parser to (Windows editors write one).
	body = bytes.TrimPrefix(body, utf8BOM)
	if err := checkText(body); err != nil {
		return nil, err
	}
	// A member name given twice is refused (encoding/json would keep the
	// last silently, and the event hash would be of the collapsed event).
	if err := jsonstrict.CheckNames(body); err != nil {
		return nil, err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil, critmin.FieldErrorf("", "body is not valid JSON: %v", err)
	}
	var nul []critmin.FieldError
	if findNUL(v, nil, &nul, 20); len(nul) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: nul[0].Pointer + ": " + nul[0].Reason, Fields: nul}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, critmin.FieldErrorf("", "body must be a JSON object")
	}
	typ, _ := obj["type"].(string)
	if _, has := obj["@context"]; !has {
		return nil, critmin.FieldErrorf("/@context", "missing: an EPCIS 2.0 JSON-LD document must carry @context")
	}
	doc := &Document{Type: typ, Context: parseContext(obj["@context"]), single: singleEvent, xml: xml}
	if singleEvent {
		if typ == "EPCISDocument" || typ == "EPCISQueryDocument" {
			return nil, critmin.FieldErrorf("/type", "%s sent to /events; send documents to /capture", typ)
		}
		doc.Events = []any{obj}
		return doc, nil
	}
	var list []any
	switch typ {
	case "EPCISDocument":
		body, _ := obj["epcisBody"].(map[string]any)
		list, _ = body["eventList"].([]any)
		doc.EventPointer = "/epcisBody/eventList"
		if _, ok := body["eventList"]; ok {
			body["eventList"] = []any{}
			defer func() { body["eventList"] = list }()
		}
	case "EPCISQueryDocument":
		body, _ := obj["epcisBody"].(map[string]any)
		qr, _ := body["queryResults"].(map[string]any)
		rb, _ := qr["resultsBody"].(map[string]any)
		list, _ = rb["eventList"].([]any)
		doc.EventPointer = "/epcisBody/queryResults/resultsBody/eventList"
		if _, ok := rb["eventList"]; ok {
			rb["eventList"] = []any{}
			defer func() { rb["eventList"] = list }()
		}
	case "":
		return nil, critmin.FieldErrorf("/type", "missing: expected EPCISDocument or EPCISQueryDocument")
	default:
		return nil, critmin.FieldErrorf("/type", "unknown document type %q: expected EPCISDocument or EPCISQueryDocument", typ)
	}
	// The document's own structure is checked with its event list emptied;
	// events are checked one by one so that each error names its event and
	// GS1-Capture-Error-Behaviour: proceed can keep the good ones.
	doc.Events = list
	if xml && !singleEvent {
		doc.eventBytes = make([]int, len(list))
		for i, ev := range list {
			if b, err := json.Marshal(ev); err == nil {
				doc.eventBytes[i] = len(b)
			}
		}
	}
	return doc, checkHeader(obj, doc)
}

// checkHeader checks a document without its events (the event list
// emptied) against the schema and checks and reads its master data into
// doc.Master. The header's schema problems (a bad creationDate, …) and
// its master data's are independent: both are reported (the caller adds
// the events', every independent error at once). A master-data problem
// at or inside a pointer the schema already reported is the same problem
// and is left out.
func checkHeader(obj map[string]any, doc *Document) error {
	var fields []critmin.FieldError
	if err := documentSchema.Validate(obj); err != nil {
		fields = schemaViolations(err, "", "the document")
	}
	fields = append(fields, contextErrors(obj["@context"], "/@context")...)
	doc.Master = parseMasterData(obj, doc.Context)
	if err := checkMasterData(obj, doc.Context); err != nil {
		var me *critmin.Error
		if !errors.As(err, &me) || len(fields) == 0 {
			return err
		}
	master:
		for _, m := range me.Fields {
			for _, f := range fields {
				if f.Pointer != "" && (m.Pointer == f.Pointer || strings.HasPrefix(m.Pointer, f.Pointer+"/")) {
					continue master
				}
			}
			fields = append(fields, m)
		}
	}
	if len(fields) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fields[0].Pointer + ": " + fields[0].Reason, Fields: fields}
	}
	return nil
}

// parseMasterData reads epcisHeader.epcisMasterData.vocabularyList, with
// each attribute name's IRI through the document's @context (ctx).
func parseMasterData(obj map[string]any, ctx *Context) []critmin.MasterDataElement {
	hdr, _ := obj["epcisHeader"].(map[string]any)
	md, _ := hdr["epcisMasterData"].(map[string]any)
	vl, _ := md["vocabularyList"].([]any)
	var out []critmin.MasterDataElement
	for _, v := range vl {
		voc, _ := v.(map[string]any)
		typ, _ := voc["type"].(string)
		els, _ := voc["vocabularyElementList"].([]any)
		for _, e := range els {
			el, _ := e.(map[string]any)
			id, _ := el["id"].(string)
			if id == "" {
				continue
			}
			m := critmin.MasterDataElement{Type: typ, ID: id, Attributes: map[string]string{}}
			attrs, _ := el["attributes"].([]any)
			values := map[string][]string{}
			for _, a := range attrs {
				at, _ := a.(map[string]any)
				aid, _ := at["id"].(string)
				if aid == "" {
					continue
				}
				// A repeated attribute (an XML attribute element given
				// twice) keeps every value, as a JSON array.
				val := scalarString(at["attribute"])
				if prev, dup := m.Attributes[aid]; dup {
					var list []any
					if json.Unmarshal([]byte(prev), &list) != nil || !strings.HasPrefix(prev, "[") {
						list = []any{prev}
					}
					b, _ := json.Marshal(append(list, at["attribute"]))
					val = string(b)
				}
				m.Attributes[aid] = val
				values[aid] = append(values[aid], attrValues(at["attribute"])...)
				if iri := AttrIRI(ctx, aid); iri != aid {
					if m.AttributeIRIs == nil {
						m.AttributeIRIs = map[string]string{}
					}
					m.AttributeIRIs[aid] = iri
				}
			}
			// A multi-valued attribute (repeated, or a JSON array), and a
			// scalar whose text reads as a JSON array, have their values
			// recorded apart, so the index holds each value and never
			// splits a scalar.
			for aid, vals := range values {
				if len(vals) != 1 || strings.HasPrefix(m.Attributes[aid], "[") {
					if m.AttributeValues == nil {
						m.AttributeValues = map[string][]string{}
					}
					m.AttributeValues[aid] = vals
				}
			}
			children, _ := el["children"].([]any)
			for _, c := range children {
				if cs, ok := c.(string); ok && cs != "" {
					m.Children = append(m.Children, cs)
				}
			}
			out = append(out, m)
		}
	}
	if len(out) > 0 && ctx != nil && len(ctx.prefixes) > 0 {
		out[0].Prefixes = make(map[string]string, len(ctx.prefixes))
		for p, ns := range ctx.prefixes {
			out[0].Prefixes[p] = ns
		}
	}
	return out
}

// attrValues lists the values EQ_ATTR_ compares for one occurrence of an
// attribute (EPCIS 2.0 §8.2.7.1: the parameter matches if any value of the
// attribute equals it): a JSON array's elements, or the scalar's text.
func attrValues(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return []string{scalarString(v)}
	}
	vals := make([]string, len(list))
	for i, x := range list {
		vals[i] = scalarString(x)
	}
	return vals
}

// AttrValueText is the text a master-data attribute value (a JSON scalar,
// object or array decoded with UseNumber) is stored and compared as:
// strings as they are, numbers and booleans as written, structures as JSON.
func AttrValueText(v any) string { return scalarString(v) }

// scalarString renders a JSON scalar as text; objects and arrays as JSON.
func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return ""
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

// Pointer returns the JSON pointer of event i.
func (d *Document) Pointer(i int) string {
	if d.single {
		return ""
	}
	return fmt.Sprintf("%s/%d", d.EventPointer, i)
}

var tzOffset = regexp.MustCompile(`^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$`)

// commonKeys and typeKeys are the standard event fields (EPCIS 2.0 §7.4);
// any other key is a user extension and must be namespaced.
var commonKeys = map[string]bool{"@context": true, "type": true, "eventTime": true, "recordTime": true, "eventTimeZoneOffset": true, "eventID": true, "certificationInfo": true, "errorDeclaration": true,
	"action": true, "bizStep": true, "disposition": true, "persistentDisposition": true, "readPoint": true, "bizLocation": true, "bizTransactionList": true, "sourceList": true, "destinationList": true, "sensorElementList": true}

var typeKeys = map[string]map[string]bool{
	critmin.ObjectEvent:         {"epcList": true, "quantityList": true, "ilmd": true},
	critmin.AggregationEvent:    {"parentID": true, "childEPCs": true, "childQuantityList": true},
	critmin.AssociationEvent:    {"parentID": true, "childEPCs": true, "childQuantityList": true},
	critmin.TransactionEvent:    {"parentID": true, "epcList": true, "quantityList": true},
	critmin.TransformationEvent: {"inputEPCList": true, "inputQuantityList": true, "outputEPCList": true, "outputQuantityList": true, "transformationID": true, "ilmd": true},
}

// Decode validates event i and returns it as a domain event with recordTime
// set to now and an eventID assigned when it has none. Every problem found
// is returned, each naming its field; with them comes the partly decoded
// event (nil when event i is not an object), for further checks only.
func (d *Document) Decode(i int, now time.Time) (*critmin.Event, *critmin.Error) {
	return d.decodeValue(d.Events[i], i, now)
}

// decodeValue is Decode of event i given as a decoded JSON value.
func (d *Document) decodeValue(x any, i int, now time.Time) (*critmin.Event, *critmin.Error) {
	ptr := d.Pointer(i)
	obj, ok := x.(map[string]any)
	if !ok {
		return nil, critmin.FieldErrorf(ptr, "an event must be a JSON object")
	}
	if i < len(d.eventBytes) && d.eventBytes[i] > MaxEventBytes {
		return nil, eventBytesError(ptr, i, d.eventBytes[i])
	}
	if fe := eventSizeErrors(obj, ptr); len(fe) > 0 {
		// Refused before it is validated: the cost of validating and
		// storing grows with the lists.
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("event %d is too large: %s: %s", i, fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	ctx := d.Context
	if inner, has := obj["@context"]; has && !d.single {
		ctx = ctx.merge(parseContext(inner))
	}
	v := &validator{ptr: ptr, ctx: ctx}
	if inner, has := obj["@context"]; has && !d.single {
		v.errs = append(v.errs, contextErrors(inner, ptr+"/@context")...)
	}
	ev := v.decode(obj)
	canonicalEventIDs(obj, ev)
	v.declarationDates(ev, now)
	// The schema is the catch-all for what the rules above leave out. It
	// runs even when the rules found problems, so that every independent
	// problem of the event is reported at once; a schema problem where a
	// rule already reported one (or inside or around it) is the same
	// problem and is left out.
	sch, types := eventSchema, typeSchemas
	if d.xml {
		sch, types = xmlEventSchema, xmlTypeSchemas
	}
	if ts, ok := types[ev.Type]; ok {
		sch = ts
	}
	if err := sch.Validate(obj); err != nil {
		ruled := v.errs
		violations := schemaViolations(err, ptr, "the event")
	schema:
		for _, fe := range violations {
			if fe.Pointer == ptr && strings.Contains(fe.Reason, ", or ") {
				// A cross-field rule (anyOf/not over the whole event):
				// stated at the field at fault in the standard's words;
				// when no rule explains it (an unknown action), it
				// repeats another error and is left out — unless it is
				// the only one.
				if rules := eventRuleErrors(obj, ptr); len(rules) > 0 {
				rule:
					for _, r := range rules {
						for _, e := range v.errs {
							if e.Pointer == r.Pointer {
								continue rule
							}
						}
						v.errs = append(v.errs, r)
					}
					continue
				}
				if len(ruled) > 0 || len(violations) > 1 {
					continue
				}
			}
			if fe.Pointer == ptr && missingRuled(fe.Reason, ptr, ruled) {
				// "missing property 'eventTime'" where a rule already
				// said so, in its words, at /eventTime.
				continue
			}
			if msg, ok := cbvMessage(obj, ptr, fe.Pointer); ok {
				fe.Reason = msg
			}
			for _, r := range ruled {
				// The schema's problems at the event itself (a missing
				// field) are independent of the rules' deeper ones.
				if fe.Pointer == r.Pointer || strings.HasPrefix(fe.Pointer, r.Pointer+"/") || (fe.Pointer != ptr && strings.HasPrefix(r.Pointer, fe.Pointer+"/")) {
					continue schema
				}
			}
			v.errs = append(v.errs, fe)
		}
	}
	if len(v.errs) > 0 {
		e := &critmin.Error{Code: critmin.EINVALID, Fields: v.errs}
		e.Message = fmt.Sprintf("event %d is invalid: %s: %s", i, v.errs[0].Pointer, v.errs[0].Reason)
		// What could be decoded goes back beside the error, so that a
		// profile's independent checks (ledger.DecodeMineral) can report
		// their problems too; it must never be stored.
		return ev, e
	}
	if ev.EventID == "" {
		// CBV 2.0 §8.9: an event without an eventID is named by its hash,
		// so that capturing it twice is recognised as a duplicate.
		ev.EventID = HashID(PreHash(obj, ctx))
		obj["eventID"] = ev.EventID
		if v.selfCorrective(ev); len(v.errs) > 0 {
			e := &critmin.Error{Code: critmin.EINVALID, Fields: v.errs}
			e.Message = fmt.Sprintf("event %d is invalid: %s: %s", i, v.errs[0].Pointer, v.errs[0].Reason)
			return ev, e
		}
	}
	rt := now.UTC().Truncate(time.Millisecond)
	ev.RecordTime = rt
	obj["recordTime"] = rt.Format("2006-01-02T15:04:05.000Z07:00")
	delete(obj, "@context")
	raw, err := marshalStored(obj)
	if err != nil {
		return nil, critmin.FieldErrorf(ptr, "cannot re-encode event: %v", err)
	}
	ev.Raw = raw
	ev.Context = ctx.Raw
	return ev, nil
}

type validator struct {
	ptr  string
	ctx  *Context
	errs []critmin.FieldError
	// stored is set when reading back a stored record (DecodeStored):
	// rules that judge captures only — keys that are XML names — do not
	// refuse what an older version stored under its sealed chain.
	stored bool
}

func (v *validator) fail(field, format string, args ...any) {
	v.errs = append(v.errs, critmin.FieldError{Pointer: v.ptr + "/" + field, Reason: fmt.Sprintf(format, args...)})
}

// uriChars refuses, at field, an identifier holding a character RFC 3986
// allows nowhere in a URI (URICharFault), and reports whether it is free
// of them.
func (v *validator) uriChars(field, s string) bool {
	if r := URICharFault(s); r != "" {
		v.fail(field, "%q is not a URI: %s", s, r)
		return false
	}
	return true
}

func (v *validator) str(obj map[string]any, key string) string {
	x, has := obj[key]
	if !has {
		return ""
	}
	s, ok := x.(string)
	if !ok {
		v.fail(key, "must be a string")
	}
	return s
}

func (v *validator) decode(obj map[string]any) *critmin.Event {
	ev := &critmin.Event{}
	ev.Type = v.str(obj, "type")
	known, standard := typeKeys[ev.Type]
	switch {
	case ev.Type == "":
		v.fail("type", "missing: every event needs a type")
	case !standard && !isAbsoluteURI(ev.Type):
		v.fail("type", "unknown event type %q: expected ObjectEvent, AggregationEvent, AssociationEvent, TransactionEvent, TransformationEvent or an extension type URI", ev.Type)
	}
	if _, has := obj["eventTime"]; !has {
		v.fail("eventTime", "missing: every event needs an eventTime")
	} else if t, ok := v.timestamp(obj, "eventTime"); ok {
		ev.EventTime = t
	}
	if _, has := obj["eventTimeZoneOffset"]; !has {
		v.fail("eventTimeZoneOffset", "missing: every event needs an eventTimeZoneOffset")
	} else if s := v.str(obj, "eventTimeZoneOffset"); s != "" && !tzOffset.MatchString(s) {
		// The EPCIS 2.0 JSON schema's pattern (and the XSD's), after
		// ISO 8601 practice: -14:00 to +14:00, the offsets in civil use.
		v.fail("eventTimeZoneOffset", "eventTimeZoneOffset %q is not a UTC offset of the form +hh:mm or -hh:mm in the range -14:00 to +14:00 (EPCIS 2.0 schema, after ISO 8601; minutes 00 to 59)", s)
	} else {
		ev.EventTimeZoneOffset = s
	}
	ev.EventID = v.str(obj, "eventID")
	if ev.EventID != "" && !isAbsoluteURI(ev.EventID) {
		v.fail("eventID", "%q is not an absolute URI", ev.EventID)
	}
	if standard && ev.Type != critmin.TransformationEvent {
		if _, has := obj["action"]; !has {
			v.fail("action", "missing: a %s needs action ADD, OBSERVE or DELETE", ev.Type)
		}
	}
	ev.Action = v.str(obj, "action")
	if ev.Action != "" && ev.Action != "ADD" && ev.Action != "OBSERVE" && ev.Action != "DELETE" {
		v.fail("action", "%q is not one of ADD, OBSERVE, DELETE", ev.Action)
	}
	if s := v.str(obj, "bizStep"); s != "" {
		b, ok := bizStepVocab.normalize(s)
		if !ok && !isAbsoluteURI(s) {
			v.fail("bizStep", "%q is neither a CBV 2.0 business step nor an absolute URI", s)
		}
		ev.BizStep = b
	}
	if s := v.str(obj, "disposition"); s != "" {
		b, ok := dispositionVocab.normalize(s)
		if !ok && !isAbsoluteURI(s) {
			v.fail("disposition", "%q is neither a CBV 2.0 disposition nor an absolute URI", s)
		}
		ev.Disposition = b
	}
	ev.ReadPoint = v.locationID(obj, "readPoint")
	ev.BizLocation = v.locationID(obj, "bizLocation")
	ev.ParentID = v.str(obj, "parentID")
	if ev.ParentID != "" && !v.uriChars("parentID", ev.ParentID) {
		ev.ParentID = ""
	} else if ev.ParentID != "" && isAbsoluteURI(ev.ParentID) {
		v.gs1Key("parentID", ev.ParentID)
	}
	if ev.ParentID != "" {
		ev.EPCs = append(ev.EPCs, critmin.EPCRef{Role: critmin.RoleParent, EPC: ev.ParentID})
	}
	ev.TransformationID = v.str(obj, "transformationID")
	if ev.TransformationID != "" && !v.uriChars("transformationID", ev.TransformationID) {
		ev.TransformationID = ""
	} else if ev.TransformationID != "" && isAbsoluteURI(ev.TransformationID) {
		v.gs1Key("transformationID", ev.TransformationID)
	}
	for key, role := range map[string]string{"epcList": critmin.RoleEPC, "childEPCs": critmin.RoleChild, "inputEPCList": critmin.RoleInput, "outputEPCList": critmin.RoleOutput} {
		for _, e := range v.stringList(obj, key) {
			ev.EPCs = append(ev.EPCs, critmin.EPCRef{Role: role, EPC: e})
		}
	}
	for key, role := range map[string]string{"quantityList": critmin.RoleEPC, "childQuantityList": critmin.RoleChild, "inputQuantityList": critmin.RoleInput, "outputQuantityList": critmin.RoleOutput} {
		ev.Quantities = append(ev.Quantities, v.quantities(obj, key, role)...)
	}
	sortRefs(ev)
	ev.Sources = v.sourceDest(obj, "sourceList", "source")
	ev.Destinations = v.sourceDest(obj, "destinationList", "destination")
	ev.BizTransactions = v.bizTransactions(obj)
	v.ilmd(obj, ev)
	v.sensors(obj, ev)
	v.errorDeclaration(obj, ev)
	v.limits(obj)
	for key := range obj {
		if commonKeys[key] || known[key] {
			continue
		}
		if !standard && !strings.Contains(key, ":") {
			continue // the schema judges extension event types' own fields
		}
		if _, ok := v.ctx.Expand(key); !ok {
			if prefix, local, _ := strings.Cut(key, ":"); len(v.ctx.remote) > 0 && !isCURIE(prefix, local) {
				// With a remote context any CURIE is accepted; this key
				// is none (JSON-LD 1.1 §4.1.5: an NCName prefix, then a
				// local part without spaces).
				v.fail(escape(key), "%q is not a valid CURIE: a key needs a prefix that is an NCName (a letter or _ first, no spaces) and a non-empty local part without spaces", key)
			} else {
				v.fail(escape(key), "user extension %q is not in a declared namespace: declare its prefix in @context or use a full IRI", key)
			}
		}
	}
	if !v.stored && !xmlNamesValid(v.ctx, obj) {
		v.xmlNames(obj, "")
	}
	return ev
}

// pointerEscape escapes a key for a JSON pointer (RFC 6901 §3).
var pointerEscape = strings.NewReplacer("~", "~0", "/", "~1")

func escape(key string) string {
	return pointerEscape.Replace(key)
}

// timestamp parses an RFC 3339 date-time that carries a time-zone offset
// or Z, as EPCIS 2.0 §7.3.3 requires.
func (v *validator) timestamp(obj map[string]any, key string) (time.Time, bool) {
	s := v.str(obj, key)
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.fail(key, "%q is not an RFC 3339 date-time with a time-zone offset (e.g. 2025-10-02T08:00:00.000+05:00)", s)
		return time.Time{}, false
	}
	return t, true
}

func (v *validator) locationID(obj map[string]any, key string) string {
	x, has := obj[key]
	if !has {
		return ""
	}
	m, ok := x.(map[string]any)
	if !ok {
		v.fail(key, "must be an object with an id")
		return ""
	}
	id, _ := m["id"].(string)
	if id == "" {
		v.fail(key+"/id", "missing: %s needs an id URI", key)
	} else if !v.uriChars(key+"/id", id) {
		return ""
	} else if !isAbsoluteURI(id) {
		v.fail(key+"/id", "%q is not an absolute URI", id)
	} else {
		v.gs1Key(key+"/id", id)
	}
	return id
}

// gs1Key refuses, at field, an identifier written as a GS1 key that names
// none (GS1KeyFault: a wrong check digit, a malformed EPC URN); a Digital
// Link keeps the wording "not a valid GS1 Digital Link".
func (v *validator) gs1Key(field, id string) {
	msg := GS1KeyFault(id)
	if msg == "" {
		return
	}
	what := "a valid GS1 key"
	if strings.HasPrefix(strings.ToLower(id), "http") {
		what = "a valid GS1 Digital Link"
	}
	v.fail(field, "%q is not %s: %s", id, what, msg)
}

func (v *validator) stringList(obj map[string]any, key string) []string {
	x, has := obj[key]
	if !has {
		return nil
	}
	arr, ok := x.([]any)
	if !ok {
		v.fail(key, "must be an array of URIs")
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		// (the pointer is built only for a fault)
		if ok && URICharFault(s) != "" {
			v.uriChars(fmt.Sprintf("%s/%d", key, i), s)
			continue
		}
		if !ok || !isAbsoluteURI(s) {
			v.fail(fmt.Sprintf("%s/%d", key, i), "must be an absolute URI")
			continue
		}
		if GS1KeyFault(s) != "" {
			v.gs1Key(fmt.Sprintf("%s/%d", key, i), s)
		}
		out = append(out, s)
	}
	return out
}

func (v *validator) quantities(obj map[string]any, key, role string) []critmin.QuantityElement {
	x, has := obj[key]
	if !has {
		return nil
	}
	arr, ok := x.([]any)
	if !ok {
		v.fail(key, "must be an array of quantity elements")
		return nil
	}
	var out []critmin.QuantityElement
	for i, e := range arr {
		// The element's pointer is built only for a fault: verify decodes
		// every stored record through here.
		p := func() string { return fmt.Sprintf("%s/%d", key, i) }
		m, ok := e.(map[string]any)
		if !ok {
			v.fail(p(), "must be an object with epcClass, quantity and uom")
			continue
		}
		for k := range m {
			if k != "epcClass" && k != "quantity" && k != "uom" {
				v.fail(p()+"/"+escape(k), "unknown field %q in a quantity element (allowed: epcClass, quantity, uom)", k)
			}
		}
		q := critmin.QuantityElement{Role: role}
		q.EPCClass, _ = m["epcClass"].(string)
		if q.EPCClass == "" {
			v.fail(p()+"/epcClass", "missing: a quantity element needs an epcClass URI")
		} else if URICharFault(q.EPCClass) != "" {
			v.uriChars(p()+"/epcClass", q.EPCClass)
		} else if !isAbsoluteURI(q.EPCClass) {
			v.fail(p()+"/epcClass", "%q is not an absolute URI", q.EPCClass)
		} else if GS1KeyFault(q.EPCClass) != "" {
			v.gs1Key(p()+"/epcClass", q.EPCClass)
		}
		if raw, has := m["quantity"]; has {
			n, ok := raw.(json.Number)
			if !ok {
				v.fail(p()+"/quantity", "must be a number, not %s", jsonKind(raw))
			} else if f, err := n.Float64(); !finite(f, err) {
				v.fail(p()+"/quantity", "%s is not a finite number", n)
			} else if critmin.Underflows(n.String(), f) {
				v.fail(p()+"/quantity", underflowReason, n)
			} else if f < 0 {
				v.fail(p()+"/quantity", "%s is negative; a quantity must be zero or more", n)
			} else if u, _ := m["uom"].(string); units.IsMass(u) {
				// A mass is bounded as a mass, whatever its unit
				// (units.MaxMassKg; issue 15, W5).
				if reason := units.MassOverLimit(f, u); reason != "" {
					v.fail(p()+"/quantity", "%s %s %s", units.Echo(n.String(), f), u, reason)
				} else {
					f = positiveZero(f)
					q.Quantity = &f
				}
			} else if f > MaxQuantity {
				unit := "(in the element's unit)"
				if u, ok := m["uom"].(string); ok && uomCode.MatchString(u) {
					unit = u
				}
				// As written, digits grouped, unless it is long (1e300
				// written out in 301 digits): then as a power of ten,
				// "1 × 10³⁰⁰" (units.Echo; issue 15, fix15zi).
				v.fail(p()+"/quantity", "%s is over the limit of %s %s", units.Echo(n.String(), f), units.Int(int64(MaxQuantity)), unit)
			} else {
				f = positiveZero(f)
				q.Quantity = &f
			}
		}
		if raw, has := m["uom"]; has {
			s, ok := raw.(string)
			if !ok || !uomCode.MatchString(s) {
				v.fail(p()+"/uom", "must be a UN/CEFACT Rec 20 code of 2 or 3 capitals or digits (e.g. KGM, TNE)")
			}
			q.UOM = s
			if _, hasQ := m["quantity"]; !hasQ {
				v.fail(p()+"/uom", "uom given without a quantity")
			}
		}
		out = append(out, q)
	}
	return out
}

var uomCode = regexp.MustCompile(`^[A-Z0-9]{2,3}$`)

func jsonKind(x any) string {
	switch x.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case nil:
		return "null"
	}
	return "a value"
}

func (v *validator) sourceDest(obj map[string]any, key, idKey string) []critmin.SourceDest {
	arr, _ := obj[key].([]any)
	var out []critmin.SourceDest
	for i, e := range arr {
		m, _ := e.(map[string]any)
		typ, _ := m["type"].(string)
		id, _ := m[idKey].(string)
		if typ == "" || id == "" {
			v.fail(fmt.Sprintf("%s/%d", key, i), "needs a type and a %s", idKey)
			continue
		}
		t, ok := srcDestTypeVocab.normalize(typ)
		if !ok && !isAbsoluteURI(typ) {
			v.fail(fmt.Sprintf("%s/%d/type", key, i), "%q is neither a CBV source/destination type nor an absolute URI", typ)
		}
		if URICharFault(id) != "" { // (the pointer is built only for a fault)
			v.uriChars(fmt.Sprintf("%s/%d/%s", key, i, idKey), id)
			continue
		}
		if GS1KeyFault(id) != "" {
			v.gs1Key(fmt.Sprintf("%s/%d/%s", key, i, idKey), id)
		}
		out = append(out, critmin.SourceDest{Type: t, ID: id})
	}
	return out
}

func (v *validator) bizTransactions(obj map[string]any) []critmin.BizTransaction {
	arr, _ := obj["bizTransactionList"].([]any)
	var out []critmin.BizTransaction
	for i, e := range arr {
		m, _ := e.(map[string]any)
		id, _ := m["bizTransaction"].(string)
		typ, _ := m["type"].(string)
		if id == "" {
			v.fail(fmt.Sprintf("bizTransactionList/%d/bizTransaction", i), "missing: needs a bizTransaction URI")
			continue
		}
		t, ok := bizTxnTypeVocab.normalize(typ)
		if typ != "" && !ok && !isAbsoluteURI(typ) {
			v.fail(fmt.Sprintf("bizTransactionList/%d/type", i), "%q is neither a CBV business transaction type nor an absolute URI", typ)
		}
		if URICharFault(id) != "" { // (the pointer is built only for a fault)
			v.uriChars(fmt.Sprintf("bizTransactionList/%d/bizTransaction", i), id)
			continue
		}
		if GS1KeyFault(id) != "" {
			v.gs1Key(fmt.Sprintf("bizTransactionList/%d/bizTransaction", i), id)
		}
		out = append(out, critmin.BizTransaction{Type: t, ID: id})
	}
	return out
}

// ilmd checks that every ILMD field is namespaced and records the expanded
// tree; top-level scalars are also kept apart (Event.ILMD).
func (v *validator) ilmd(obj map[string]any, ev *critmin.Event) {
	x, has := obj["ilmd"]
	if !has {
		return
	}
	m, ok := x.(map[string]any)
	if !ok {
		v.fail("ilmd", "must be an object")
		return
	}
	ev.ILMD = map[string]string{}
	ev.ILMDTree = v.expandTree(m, "ilmd")
	for k, val := range ev.ILMDTree {
		switch val.(type) {
		case string, json.Number, bool:
			ev.ILMD[k] = scalarString(val)
		}
	}
}

// expandTree expands the keys of an ILMD object and reports top-level keys
// that are in no declared namespace: the GS1 EPCIS 2.0 JSON schema (ilmd:
// propertyNames) and EPCIS 2.0 §7.3.6 constrain only the names of the ILMD
// elements themselves. Their nested content is free, as inside any
// extension element (an XML-to-JSON conversion gives bare child names):
// nested keys are expanded when they are CURIEs or terms of the context
// and kept as written otherwise.
func (v *validator) expandTree(m map[string]any, ptr string) map[string]any {
	out := make(map[string]any, len(m))
	for k, val := range m {
		if strings.HasPrefix(k, "@") {
			continue
		}
		iri, ok := v.ctx.Expand(k)
		if !ok {
			v.fail(ptr+"/"+escape(k), "field %q is not in a declared namespace: declare its prefix in @context or use a full IRI", k)
			continue
		}
		out[iri] = v.expandValue(val)
	}
	return out
}

// expandValue expands the keys of nested extension content where the
// context can, keeping the others as written.
func (v *validator) expandValue(val any) any {
	switch t := val.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if strings.HasPrefix(k, "@") {
				continue
			}
			if iri, ok := v.ctx.Expand(k); ok {
				k = iri
			}
			out[k] = v.expandValue(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = v.expandValue(e)
		}
		return out
	}
	return val
}

func (v *validator) sensors(obj map[string]any, ev *critmin.Event) {
	arr, _ := obj["sensorElementList"].([]any)
	for i, e := range arr {
		se, _ := e.(map[string]any)
		reports, _ := se["sensorReport"].([]any)
		var metaTime time.Time
		if md, ok := se["sensorMetadata"].(map[string]any); ok {
			if s, ok := md["time"].(string); ok {
				metaTime, _ = time.Parse(time.RFC3339Nano, s)
			}
		}
		for j, r := range reports {
			rep, _ := r.(map[string]any)
			sr := critmin.SensorReport{Time: metaTime, Extensions: map[string]any{}, Pointer: fmt.Sprintf("/sensorElementList/%d/sensorReport/%d", i, j)}
			sr.Type, _ = rep["type"].(string)
			// One measurement type in every spelling it is met under
			// (gs1:MT-Mass, gs1:Mass are Mass): a reader that compares the
			// bare form never skips a report spelled otherwise. A spelling
			// EPCIS 2.0 JSON does not admit is refused in words.
			if sr.Type != "" {
				t := sr.Type
				if strings.Contains(t, ":") && !strings.HasPrefix(t, "gs1:") {
					t = v.ctx.ExpandValue(t)
				}
				bare, ok := NormalizeMeasurementType(t)
				field := fmt.Sprintf("sensorElementList/%d/sensorReport/%d/type", i, j)
				switch {
				case !ok:
					// Not a standard type (gs1:Humidity): kept as written,
					// as before; a reader that needs the report refuses it
					// (ledger.DecodeMineral: an analyte under another type).
					bare = sr.Type
				case bare != sr.Type && (!strings.Contains(sr.Type, ":") || strings.Contains(sr.Type, "://")):
					// The EPCIS 2.0 JSON schema admits the bare term or a
					// CURIE, never the GS1 Web Vocabulary IRI itself nor
					// a bare "MT-" term: refused in words, not skipped.
					v.fail(field, "%q: write the GS1 measurement type as %q (or the CURIE gs1:MT-%s); EPCIS 2.0 JSON does not admit the GS1 Web Vocabulary IRI or a bare MT- term here", sr.Type, bare, bare)
				}
				sr.Type = bare
			}
			sr.ChemicalSubstance, _ = rep["chemicalSubstance"].(string)
			// A CURIE of a declared prefix (cm:analyte/Nd) is the IRI it
			// stands for, as the JSON-LD context reads it.
			if strings.Contains(sr.ChemicalSubstance, ":") && !strings.Contains(sr.ChemicalSubstance, "://") {
				sr.ChemicalSubstance = v.ctx.ExpandValue(sr.ChemicalSubstance)
			}
			sr.Component, _ = rep["component"].(string)
			sr.UOM, _ = rep["uom"].(string)
			// The bounds read (finite, within range) for the interval check.
			var bounds [2]*json.Number
			for _, k := range []string{"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"} {
				n, ok := rep[k].(json.Number)
				if !ok {
					continue
				}
				f, err := n.Float64()
				if !finite(f, err) {
					v.fail(fmt.Sprintf("sensorElementList/%d/sensorReport/%d/%s", i, j, k), "%s is not a finite number", n)
					continue
				}
				if critmin.Underflows(n.String(), f) {
					v.fail(fmt.Sprintf("sensorElementList/%d/sensorReport/%d/%s", i, j, k), underflowReason, n)
					continue
				}
				f = positiveZero(f)
				// EPCIS 2.0 §7.3.7.2: sDev is a standard deviation and
				// percRank a percentile rank; a standard deviation of 0 (or
				// less) claims a perfect instrument, which no reading is —
				// omit sDev when the precision is unknown.
				if k == "sDev" && !(f > 0) {
					v.fail(fmt.Sprintf("sensorElementList/%d/sensorReport/%d/sDev", i, j), "sDev must be > 0 (the standard deviation of the value; omit it when unknown), got %s", n)
					continue
				}
				if k == "percRank" && (f < 0 || f > 100) {
					v.fail(fmt.Sprintf("sensorElementList/%d/sensorReport/%d/percRank", i, j), "percRank is a percentile rank and must lie in [0, 100], got %s", n)
					continue
				}
				if math.Abs(f) > MaxSensorValue {
					v.fail(fmt.Sprintf("sensorElementList/%d/sensorReport/%d/%s", i, j, k), "%s is beyond the limit of ±%s for a sensor value (in its unit): no reading comes near it (docs/identity.md, \"Limits\")", units.Echo(n.String(), f), units.Int(int64(MaxSensorValue)))
					continue
				}
				switch k {
				case "value":
					sr.Value = &f
				case "sDev":
					sr.SDev = &f
				case "minValue":
					bounds[0] = &n
				case "maxValue":
					bounds[1] = &n
				}
			}
			// EPCIS 2.0 §7.3.7.2: minValue and maxValue are the least and
			// the greatest value observed, in the report's one unit; a
			// minimum above the maximum is no interval (issue 8 §5,
			// nu34-8). value, meanValue and percValue are not tied to
			// them: the standard's own example
			// (object_event_all_possible_fields) states meanValue 13.2
			// and percValue 12.7 with minValue 26 and maxValue 26.2.
			if lo, hi := bounds[0], bounds[1]; lo != nil && hi != nil {
				l, _ := lo.Float64()
				h, _ := hi.Float64()
				if l > h {
					v.fail(fmt.Sprintf("sensorElementList/%d/sensorReport/%d/minValue", i, j), "minValue %s is more than maxValue %s: they are the least and the greatest value observed (EPCIS 2.0 §7.3.7.2), so the minimum cannot exceed the maximum", units.Echo(lo.String(), l), units.Echo(hi.String(), h))
				}
			}
			if s, ok := rep["time"].(string); ok {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					sr.Time = t
				}
			}
			for k, val := range rep {
				if strings.Contains(k, ":") {
					iri, ok := v.ctx.Expand(k)
					if !ok {
						v.fail(fmt.Sprintf("sensorElementList/%d/sensorReport/%d/%s", i, j, escape(k)), "field %q is not in a declared namespace", k)
						continue
					}
					sr.Extensions[iri] = val
				}
			}
			ev.Sensors = append(ev.Sensors, sr)
		}
	}
}

func (v *validator) errorDeclaration(obj map[string]any, ev *critmin.Event) {
	x, has := obj["errorDeclaration"]
	if !has {
		return
	}
	m, ok := x.(map[string]any)
	if !ok {
		v.fail("errorDeclaration", "must be an object")
		return
	}
	ed := &critmin.ErrorDeclaration{}
	if s, ok := m["declarationTime"].(string); ok {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			v.fail("errorDeclaration/declarationTime", "%q is not an RFC 3339 date-time with offset", s)
		}
		ed.DeclarationTime = t
	} else {
		v.fail("errorDeclaration/declarationTime", "missing: an error declaration needs a declarationTime")
	}
	if s, ok := m["reason"].(string); ok {
		ed.Reason, _ = errReasonVocab.normalize(s)
	}
	if ids, ok := m["correctiveEventIDs"].([]any); ok {
		for _, id := range ids {
			if s, ok := id.(string); ok {
				ed.CorrectiveEventIDs = append(ed.CorrectiveEventIDs, s)
			}
		}
	}
	ev.ErrorDeclaration = ed
}

// declarationDates refuses what EPCIS 2.0 §7.4.1.2 makes impossible
// of a declaration captured at now (fixNn): a declarationTime ("the date
// and time at which the declaration of error is made") after now, or
// before the eventTime of the event it declares — a declaration is made
// of an event that happened —, each beyond critmin.MaxClockSkew, the
// allowance an eventTime after now has too (custody futureEvent); and a
// correctiveEventID naming the declared event itself, which cannot
// correct itself. Mass balance books a declaration by its
// declarationTime: one dated 2099 would sit in a claim period not begun.
// A stored record is read as it was captured (v.stored).
func (v *validator) declarationDates(ev *critmin.Event, now time.Time) {
	d := ev.ErrorDeclaration
	if d == nil || v.stored {
		return
	}
	if at := d.DeclarationTime; !at.IsZero() {
		if !now.IsZero() && at.After(now.Add(critmin.MaxClockSkew)) {
			v.fail("errorDeclaration/declarationTime", "the declaration time %s is after this capture records it (%s) by more than the allowed clock skew of %s: a declaration is recorded after it is made (EPCIS 2.0 §7.4.1.2); check the date, year and time zone",
				at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), critmin.ClockSkewWords)
		} else if !ev.EventTime.IsZero() && at.Before(ev.EventTime.Add(-critmin.MaxClockSkew)) {
			v.fail("errorDeclaration/declarationTime", "the declaration time %s is before the event it declares in error happened (eventTime %s) by more than the allowed clock skew of %s: an event is declared in error after it happened (EPCIS 2.0 §7.4.1.2); check the date, year and time zone",
				at.UTC().Format(time.RFC3339), ev.EventTime.UTC().Format(time.RFC3339), critmin.ClockSkewWords)
		}
	}
	if ev.EventID != "" {
		v.selfCorrective(ev)
	}
}

// selfCorrective refuses a correctiveEventID naming the declared event
// itself (declarationDates), by its eventID as written or, for an event
// written without one, by the CBV 2.0 hash ID that names it (CBV 2.0
// §8.9; the hash leaves the errorDeclaration out, so a declaration
// could otherwise list its own hash, nu35-5). IDs compare by
// CanonicalEventID: hash IDs by their digest, whatever the case of their
// hex digits and with or without "?ver=CBV2.0" (fixWw).
func (v *validator) selfCorrective(ev *critmin.Event) {
	d := ev.ErrorDeclaration
	if d == nil || v.stored {
		return
	}
	for i, id := range d.CorrectiveEventIDs {
		if CanonicalEventID(id) == CanonicalEventID(ev.EventID) {
			v.fail(fmt.Sprintf("errorDeclaration/correctiveEventIDs/%d", i), "%q is the event this declaration declares in error: an event cannot correct itself; name the corrective event, captured under its own eventID (EPCIS 2.0 §7.4.1.2 correctiveEventIDs), or leave it out", id)
		}
	}
}

var quotedName = regexp.MustCompile(`'([^']+)'`)

// missingRuled reports whether a schema problem at the event itself is
// only "missing property 'x'" (or properties) for fields the rules already
// reported at ptr/x: the same problem, reported once.
func missingRuled(reason, ptr string, ruled []critmin.FieldError) bool {
	if !strings.Contains(reason, "missing propert") {
		return false
	}
	names := quotedName.FindAllStringSubmatch(reason, -1)
	if len(names) == 0 {
		return false
	}
	for _, n := range names {
		found := false
		for _, r := range ruled {
			if r.Pointer == ptr+"/"+escape(n[1]) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// cbvMessage words the schema's refusal of a bizStep or disposition that
// uses the CBV namespace without being a CBV value (CBV 2.0 §7.1, §7.2;
// the schemas forbid the namespace for non-standard values): the value,
// the rule, and the nearest standard value, instead of a raw pattern and
// the whole list.
func cbvMessage(obj map[string]any, ptr, at string) (string, bool) {
	field := strings.TrimPrefix(at, ptr+"/")
	var voc *vocabulary
	var what string
	switch field {
	case "bizStep":
		voc, what = bizStepVocab, "business step"
	case "disposition":
		voc, what = dispositionVocab, "disposition"
	default:
		return "", false
	}
	s, ok := obj[field].(string)
	if !ok {
		return "", false
	}
	bare := s
	for _, p := range []string{voc.urnPfx, voc.webPfx, "https://ns.gs1.org/cbv/", "http://ns.gs1.org/cbv/", "urn:epcglobal:cbv:"} {
		bare = strings.TrimPrefix(bare, p)
	}
	best, dist := "", -1
	for _, v := range voc.Values() {
		if d := editDistance(strings.ToLower(bare), strings.ToLower(v)); dist < 0 || d < dist {
			best, dist = v, d
		}
	}
	msg := fmt.Sprintf("%q is not a standard CBV %s; a value in the CBV namespace must be one of the CBV's, and any other value must be a URI of your own namespace", s, what)
	if best != "" && dist <= len(bare)/2+1 {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return msg, true
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// xmlNames refuses every key of an event, at any depth (extension fields,
// ILMD, sensor elements, nested content and literal attributes), whose
// local name in the XML binding is not a valid XML name (XMLLocalName):
// query results in XML would have to rename it ("ex:1grade" and
// "ex:_grade" would both become <ex:_grade>). Keys starting with "@" are
// JSON-LD keywords and @context is not content. Every key EPCIS defines is
// a valid name.
func (v *validator) xmlNames(obj map[string]any, at string) {
	for _, k := range sortedKeys(obj) {
		if strings.HasPrefix(k, "@") {
			continue
		}
		ptr := at + escape(k)
		if local, ok := XMLLocalName(v.ctx, k); !ok && !v.failedAt(ptr) {
			v.fail(ptr, "%q is not a valid XML local name (NCName), so the event could not be given in the XML binding: its local name %q must start with a letter or _ and hold only letters, digits, -, . and _", k, local)
		}
		v.xmlNamesIn(obj[k], ptr+"/")
	}
}

// xmlNamesValid reports whether xmlNames would accept every key of obj,
// at any depth: the same keys judged by the same rule (XMLLocalName),
// without sorting them or building their pointers, so that the common
// event pays no more; xmlNames names the faults of any other.
func xmlNamesValid(ctx *Context, obj map[string]any) bool {
	for k, e := range obj {
		if strings.HasPrefix(k, "@") {
			continue
		}
		if _, ok := XMLLocalName(ctx, k); !ok {
			return false
		}
		if !xmlNamesValidIn(ctx, e) {
			return false
		}
	}
	return true
}

func xmlNamesValidIn(ctx *Context, x any) bool {
	switch t := x.(type) {
	case map[string]any:
		return xmlNamesValid(ctx, t)
	case []any:
		for _, e := range t {
			if !xmlNamesValidIn(ctx, e) {
				return false
			}
		}
	}
	return true
}

func (v *validator) xmlNamesIn(x any, at string) {
	switch t := x.(type) {
	case map[string]any:
		v.xmlNames(t, at)
	case []any:
		for i, e := range t {
			v.xmlNamesIn(e, at+strconv.Itoa(i)+"/")
		}
	}
}

// failedAt reports whether field already has an error (a key that is no
// CURIE is refused once, for that).
func (v *validator) failedAt(field string) bool {
	for _, e := range v.errs {
		if e.Pointer == v.ptr+"/"+field {
			return true
		}
	}
	return false
}

// contextErrors are the faults of a local @context (at ptr) that make it
// no JSON-LD context: a term or prefix defined as something other than an
// IRI string, null or an expanded term definition (JSON-LD 1.1 §9.15.1:
// {"ex": 5} is an "invalid term definition"). Keywords ("@vocab",
// "@version", …) are left to the schema.
func contextErrors(c any, ptr string) []critmin.FieldError {
	var out []critmin.FieldError
	switch t := c.(type) {
	case []any:
		for i, e := range t {
			out = append(out, contextErrors(e, fmt.Sprintf("%s/%d", ptr, i))...)
		}
	case map[string]any:
		for _, k := range sortedKeys(t) {
			if strings.HasPrefix(k, "@") {
				continue
			}
			switch t[k].(type) {
			case string, nil, map[string]any:
			default:
				out = append(out, critmin.FieldError{Pointer: ptr + "/" + escape(k), Reason: fmt.Sprintf("the @context defines %q as %s: a term or prefix is defined by an IRI string, null or an object (JSON-LD 1.1 §9.15.1, invalid term definition)", k, jsonKind(t[k]))})
			}
		}
	}
	return out
}
