package epcis

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/critmin/critmin"
)

// CBVXMLFormat is a value of the GS1-CBV-XML-Format request header (EPCIS
// 2.0 REST binding, openapi.yaml components/parameters/GS1-CBV-XML-Format):
// the form of standard CBV values (business steps, dispositions,
// business transaction, source and destination types, error reasons) in
// XML results. The header is for XML only; JSON results write CBV values
// as the JSON binding does.
type CBVXMLFormat string

// The GS1-CBV-XML-Format values. The XSD types these fields xsd:anyURI
// (EPCglobal-epcis-2_0.xsd, BusinessStepIDType, DispositionIDType, …), so
// both the URN and the Web URI of a value are valid XML, and GS1's own
// XML examples use both (WithSensorData/SensorDataExamples.xml writes
// https://ref.gs1.org/cbv/Bizstep-sensor_reporting).
const (
	// CBVNoPreference lets the server choose: the URN, as EPCIS 1.2 XML
	// readers expect.
	CBVNoPreference CBVXMLFormat = "No_Preference"
	// CBVAlwaysURN writes urn:epcglobal:cbv:bizstep:shipping.
	CBVAlwaysURN CBVXMLFormat = "Always_URN"
	// CBVAlwaysWebURI writes https://ref.gs1.org/cbv/BizStep-shipping.
	CBVAlwaysWebURI CBVXMLFormat = "Always_Web_URI"
	// CBVNeverTranslates keeps a value captured as a URN or a Web URI as
	// captured; a value captured in JSON's bare form ("shipping"), which
	// has no XML spelling, is written as the URN.
	CBVNeverTranslates CBVXMLFormat = "Never_Translates"
)

// ParseCBVXMLFormat reads the GS1-CBV-XML-Format header; empty means
// No_Preference. Another value is EINVALID naming the header.
func ParseCBVXMLFormat(h string) (CBVXMLFormat, error) {
	switch f := CBVXMLFormat(strings.TrimSpace(h)); f {
	case "":
		return CBVNoPreference, nil
	case CBVNoPreference, CBVAlwaysURN, CBVAlwaysWebURI, CBVNeverTranslates:
		return f, nil
	}
	return "", critmin.FieldErrorf("GS1-CBV-XML-Format", "%q is not one of No_Preference, Always_Web_URI, Always_URN, Never_Translates", h)
}

// QueryDocumentXML writes events as an EPCIS 2.0 XML EPCISQueryDocument
// (EPCglobal-epcis-query-2_0.xsd), the inverse of FromXML: standard fields
// in the XSD's order, CBV values in the form cbv asks for (URNs unless
// Always_Web_URI or Never_Translates says otherwise), sensor fields as
// attributes, and each user extension as an element in the namespace its
// key expands to through the @context the event was captured with. A JSON
// number becomes text typed xsd:decimal (xsd:double for an exponent) and a
// boolean xsd:boolean, so that the event hash ID (CBV 2.0 §8.9) is the
// same in both bindings. Identifiers are written as the events hold them
// (the caller translates them for GS1-EPC-Format first, TranslateEvent).
func QueryDocumentXML(events []*critmin.Event, queryName string, now time.Time, cbv CBVXMLFormat) ([]byte, error) {
	return queryDocumentXML(events, queryName, now, false, cbv)
}

// EventXML writes one stored event as an EPCISQueryDocument holding it
// (the XML binding has no stand-alone event document). Like
// EventWithContext, an event declared in error carries the declaration's
// errorDeclaration (EPCIS 2.0 §7.4.1.2).
func EventXML(ev *critmin.Event, now time.Time, cbv CBVXMLFormat) ([]byte, error) {
	return queryDocumentXML([]*critmin.Event{ev}, "SimpleEventQuery", now, true, cbv)
}

func queryDocumentXML(events []*critmin.Event, queryName string, now time.Time, declared bool, cbv CBVXMLFormat) ([]byte, error) {
	w := &xmlWriter{prefixOf: map[string]string{}, nsOf: map[string]string{}, cbv: cbv}
	var body bytes.Buffer
	for _, ev := range events {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(ev.Raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("epcis: xml: event %s: %w", ev.EventID, err)
		}
		if d := ev.DeclaredInError; declared && d != nil && len(d.Raw) > 0 {
			if _, has := m["errorDeclaration"]; !has {
				var ed any
				dd := json.NewDecoder(bytes.NewReader(d.Raw))
				dd.UseNumber()
				if dd.Decode(&ed) == nil {
					m["errorDeclaration"] = ed
				}
			}
		}
		w.ctx = parseStored(ev.Context)
		w.buf = &body
		w.event(m)
		w.remoteContexts()
	}
	var out bytes.Buffer
	out.WriteString(xml.Header)
	out.WriteString(`<epcisq:EPCISQueryDocument xmlns:epcisq="` + nsQuery20 + `" xmlns:epcis="` + nsEPCIS20 + `" xmlns:xsi="` + xsiNamespace + `" xmlns:xsd="` + nsXSD + `"`)
	// The remote contexts first, in the order the events name them, which
	// FromXML keeps (RemoteContextNamespace); then the other prefixes.
	prefixes := make([]string, 0, len(w.nsOf))
	for p := range w.nsOf {
		if !slices.Contains(w.remotes, p) {
			prefixes = append(prefixes, p)
		}
	}
	sort.Strings(prefixes)
	for _, p := range append(w.remotes, prefixes...) {
		out.WriteString(` xmlns:` + p + `="`)
		xmlAttrEscape(&out, w.nsOf[p])
		out.WriteString(`"`)
	}
	out.WriteString(` schemaVersion="2.0" creationDate="` + now.UTC().Format("2006-01-02T15:04:05.000Z07:00") + `">`)
	out.WriteString("<EPCISBody><epcisq:QueryResults><queryName>")
	xmlTextEscape(&out, queryName)
	out.WriteString("</queryName><resultsBody><EventList>")
	out.Write(body.Bytes())
	out.WriteString("</EventList></resultsBody></epcisq:QueryResults></EPCISBody></epcisq:EPCISQueryDocument>\n")
	return out.Bytes(), nil
}

type xmlWriter struct {
	buf      *bytes.Buffer
	ctx      *Context
	prefixOf map[string]string // namespace → prefix
	nsOf     map[string]string // prefix → namespace
	// remotes are the prefixes of the RemoteContextNamespaces, in the
	// order the events name their remote contexts.
	remotes []string
	cbv     CBVXMLFormat
}

// remoteContexts declares every remote context of the event just written
// (RemoteContextNamespace), after its keys so that its own prefixes keep
// their names.
func (w *xmlWriter) remoteContexts() {
	if w.ctx == nil {
		return
	}
	for _, u := range w.ctx.remote {
		ns := RemoteContextNamespace(u)
		if _, ok := w.prefixOf[ns]; ok {
			continue
		}
		w.remotes = append(w.remotes, w.prefix("remotecontext", ns))
	}
}

// fieldOrder is each event type's XSD sequence after the common fields.
var fieldOrder = map[string][]string{
	critmin.ObjectEvent: {"epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "quantityList", "sourceList", "destinationList",
		"sensorElementList", "persistentDisposition", "ilmd"},
	critmin.AggregationEvent: {"parentID", "childEPCs", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "childQuantityList", "sourceList",
		"destinationList", "sensorElementList", "persistentDisposition"},
	critmin.TransactionEvent: {"bizTransactionList", "parentID", "epcList", "action", "bizStep", "disposition", "readPoint", "bizLocation", "quantityList", "sourceList",
		"destinationList", "sensorElementList", "persistentDisposition"},
	critmin.TransformationEvent: {"inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID", "bizStep", "disposition", "readPoint",
		"bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList", "persistentDisposition", "ilmd"},
	critmin.AssociationEvent: {"parentID", "childEPCs", "childQuantityList", "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList",
		"destinationList", "sensorElementList", "persistentDisposition"},
}

var commonOrder = []string{"eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration", "certificationInfo"}

func (w *xmlWriter) event(m map[string]any) {
	typ, _ := m["type"].(string)
	name := typ
	if _, std := fieldOrder[typ]; !std {
		name = w.qname(typ)
	}
	w.buf.WriteString("<" + name + ">")
	done := map[string]bool{"type": true, "@context": true}
	for _, k := range append(append([]string(nil), commonOrder...), fieldOrder[typ]...) {
		if v, ok := m[k]; ok {
			w.field(k, v)
			done[k] = true
		}
	}
	for _, k := range sortedKeys(m) {
		if !done[k] {
			w.value(w.qname(k), m[k])
		}
	}
	w.buf.WriteString("</" + name + ">")
}

// cbvForm writes a standard CBV value in the form w.cbv asks for: its URN
// (Always_URN, No_Preference), its Web URI (Always_Web_URI), or as
// captured when that is a URN or a Web URI (Never_Translates; JSON's bare
// form and a CURIE become the URN). Values outside the vocabulary are written as
// given.
func (w *xmlWriter) cbvForm(v *vocabulary, s string) string {
	bare, ok := v.normalize(s)
	if !ok {
		return s
	}
	switch w.cbv {
	case CBVAlwaysWebURI:
		return v.webPfx + bare
	case CBVNeverTranslates:
		// A URN or a Web URI is kept; the bare form and the JSON-LD
		// CURIE (cbv:BizStep-shipping) have no meaning in XML.
		if strings.HasPrefix(s, "urn:") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
			return s
		}
	}
	return v.urnPfx + bare
}

func (w *xmlWriter) text(name, s string) {
	w.buf.WriteString("<" + name + ">")
	xmlTextEscape(w.buf, s)
	w.buf.WriteString("</" + name + ">")
}

func (w *xmlWriter) field(k string, v any) {
	switch k {
	case "bizStep":
		w.text(k, w.cbvForm(bizStepVocab, scalarString(v)))
	case "disposition":
		w.text(k, w.cbvForm(dispositionVocab, scalarString(v)))
	case "readPoint", "bizLocation":
		m, _ := v.(map[string]any)
		w.buf.WriteString("<" + k + ">")
		if id, ok := m["id"]; ok {
			w.text("id", scalarString(id))
		}
		w.extensions(m, "id")
		w.buf.WriteString("</" + k + ">")
	case "epcList", "childEPCs", "inputEPCList", "outputEPCList":
		l, _ := v.([]any)
		w.buf.WriteString("<" + k + ">")
		for _, e := range l {
			w.text("epc", scalarString(e))
		}
		w.buf.WriteString("</" + k + ">")
	case "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList":
		l, _ := v.([]any)
		w.buf.WriteString("<" + k + ">")
		for _, e := range l {
			q, _ := e.(map[string]any)
			w.buf.WriteString("<quantityElement>")
			for _, f := range []string{"epcClass", "quantity", "uom"} {
				if x, ok := q[f]; ok {
					w.text(f, scalarString(x))
				}
			}
			w.buf.WriteString("</quantityElement>")
		}
		w.buf.WriteString("</" + k + ">")
	case "bizTransactionList", "sourceList", "destinationList":
		item := map[string]string{"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination"}[k]
		voc := srcDestTypeVocab
		if item == "bizTransaction" {
			voc = bizTxnTypeVocab
		}
		l, _ := v.([]any)
		w.buf.WriteString("<" + k + ">")
		for _, e := range l {
			o, _ := e.(map[string]any)
			w.buf.WriteString("<" + item)
			if t, ok := o["type"]; ok {
				w.attr("type", w.cbvForm(voc, scalarString(t)))
			}
			w.buf.WriteString(">")
			xmlTextEscape(w.buf, scalarString(o[item]))
			w.buf.WriteString("</" + item + ">")
		}
		w.buf.WriteString("</" + k + ">")
	case "certificationInfo":
		// The JSON binding allows one URI or a list of them
		// (event-definitions-JSON-Schema.json); the XSD has one
		// element, so a list is written as that element repeated, which
		// FromXML reads back as the list.
		if l, ok := v.([]any); ok {
			for _, e := range l {
				w.text(k, scalarString(e))
			}
			return
		}
		w.text(k, scalarString(v))
	case "persistentDisposition":
		o, _ := v.(map[string]any)
		w.buf.WriteString("<persistentDisposition>")
		for _, f := range []string{"unset", "set"} {
			l, _ := o[f].([]any)
			for _, e := range l {
				w.text(f, w.cbvForm(dispositionVocab, scalarString(e)))
			}
		}
		w.buf.WriteString("</persistentDisposition>")
	case "sensorElementList":
		l, _ := v.([]any)
		w.buf.WriteString("<sensorElementList>")
		for _, e := range l {
			se, _ := e.(map[string]any)
			w.buf.WriteString("<sensorElement>")
			if md, ok := se["sensorMetadata"].(map[string]any); ok {
				w.sensorPart("sensorMetadata", md)
			}
			reports, _ := se["sensorReport"].([]any)
			for _, r := range reports {
				rm, _ := r.(map[string]any)
				w.sensorPart("sensorReport", rm)
			}
			w.extensions(se, "sensorMetadata", "sensorReport")
			w.buf.WriteString("</sensorElement>")
		}
		w.buf.WriteString("</sensorElementList>")
	case "ilmd":
		o, _ := v.(map[string]any)
		w.buf.WriteString("<ilmd>")
		w.extensions(o)
		w.buf.WriteString("</ilmd>")
	case "errorDeclaration":
		o, _ := v.(map[string]any)
		w.buf.WriteString("<errorDeclaration>")
		if t, ok := o["declarationTime"]; ok {
			w.text("declarationTime", scalarString(t))
		}
		if r, ok := o["reason"]; ok {
			w.text("reason", w.cbvForm(errReasonVocab, scalarString(r)))
		}
		if ids, ok := o["correctiveEventIDs"].([]any); ok {
			w.buf.WriteString("<correctiveEventIDs>")
			for _, id := range ids {
				w.text("correctiveEventID", scalarString(id))
			}
			w.buf.WriteString("</correctiveEventIDs>")
		}
		w.extensions(o, "declarationTime", "reason", "correctiveEventIDs")
		w.buf.WriteString("</errorDeclaration>")
	default:
		w.text(k, scalarString(v))
	}
}

// sensorPart writes sensorMetadata or a sensorReport: scalar fields as
// attributes (extension fields as namespaced attributes), anything else
// as child elements.
func (w *xmlWriter) sensorPart(name string, m map[string]any) {
	w.buf.WriteString("<" + name)
	var nested []string
	for _, k := range sortedKeys(m) {
		switch t := m[k].(type) {
		case map[string]any, []any:
			nested = append(nested, k)
		default:
			if name == "sensorReport" && k == "type" {
				w.attr("type", w.sensorType(scalarString(t)))
				continue
			}
			n := xmlName(k)
			if strings.Contains(k, ":") {
				n = w.qname(k)
			}
			w.attr(n, scalarString(t))
		}
	}
	if len(nested) == 0 {
		w.buf.WriteString("/>")
		return
	}
	w.buf.WriteString(">")
	for _, k := range nested {
		w.value(w.qname(k), m[k])
	}
	w.buf.WriteString("</" + name + ">")
}

// extensions writes the keys of m not listed in skip as elements.
func (w *xmlWriter) extensions(m map[string]any, skip ...string) {
	for _, k := range sortedKeys(m) {
		if contains(skip, k) || strings.HasPrefix(k, "@") {
			continue
		}
		w.value(w.qname(k), m[k])
	}
}

// value writes one extension value as element name: text, a typed
// number or boolean, repeated elements for an array, children for an
// object, a typed literal for a JSON-LD value object.
func (w *xmlWriter) value(name string, v any) {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			w.value(name, e)
		}
	case map[string]any:
		if lit, ok := t["@value"]; ok {
			// A literal; its other keys (an XML element's attributes,
			// read by FromXML) become attributes again.
			w.buf.WriteString("<" + name)
			if typ, ok := t["@type"].(string); ok {
				w.attr("xsi:type", xsdQName(w.ctx.ExpandValue(typ)))
			}
			for _, k := range sortedKeys(t) {
				if !strings.HasPrefix(k, "@") {
					n := xmlName(k)
					if strings.Contains(k, ":") {
						n = w.qname(k)
					}
					w.attr(n, scalarString(t[k]))
				}
			}
			w.buf.WriteString(">")
			xmlTextEscape(w.buf, scalarString(lit))
			w.buf.WriteString("</" + name + ">")
			return
		}
		w.buf.WriteString("<" + name + ">")
		for _, k := range sortedKeys(t) {
			if strings.HasPrefix(k, "@") {
				continue
			}
			w.value(w.qname(k), t[k])
		}
		w.buf.WriteString("</" + name + ">")
	case json.Number:
		typ := "xsd:decimal"
		if strings.ContainsAny(t.String(), "eE") {
			typ = "xsd:double"
		}
		w.buf.WriteString("<" + name + ` xsi:type="` + typ + `">` + t.String() + "</" + name + ">")
	case bool:
		w.buf.WriteString("<" + name + ` xsi:type="xsd:boolean">` + scalarString(t) + "</" + name + ">")
	case nil:
		w.buf.WriteString("<" + name + ` xsi:nil="true"/>`)
	default:
		w.text(name, scalarString(t))
	}
}

// xsdQName writes an XML Schema datatype IRI as xsd:local.
func xsdQName(t string) string {
	if rest, ok := strings.CutPrefix(t, "http://www.w3.org/2001/XMLSchema#"); ok {
		return "xsd:" + rest
	}
	return t
}

func (w *xmlWriter) attr(name, val string) {
	w.buf.WriteString(" " + name + `="`)
	xmlAttrEscape(w.buf, val)
	w.buf.WriteString(`"`)
}

// qname maps a JSON key to an XML qualified name: a CURIE through the
// event's @context (the prefix it was captured with where it is free in
// the document), a full IRI split after its last "/" or "#", a bare name
// (unqualified content of an extension) as it is.
// gs1Vocab is the namespace of the GS1 Web Vocabulary, which names the
// standard sensor types (https://gs1.org/voc/Temperature).
const gs1Vocab = "https://gs1.org/voc/"

// sensorType is a sensorReport type as the XML binding writes it: a
// standard type as a QName in the GS1 Web Vocabulary namespace, keeping
// the term as written — "Temperature" as type="gs1:Temperature" (GS1's
// XML examples), the CBV 2.0 measurement-type CURIE gs1:MT-Temperature as
// type="gs1:MT-Temperature" — so that the XML reads back to a type of the
// same IRI and the same hash ID (sensorTypeJSON); any other type (a
// user's IRI) as given.
func (w *xmlWriter) sensorType(v string) string {
	local := ""
	switch {
	case !strings.Contains(v, ":"):
		local = v
	case strings.HasPrefix(v, gs1Vocab):
		local = strings.TrimPrefix(v, gs1Vocab)
	case strings.HasPrefix(v, "gs1:"):
		local = strings.TrimPrefix(v, "gs1:")
	}
	if local == "" || strings.ContainsAny(local, "/#:") {
		return v
	}
	return w.prefix("gs1", gs1Vocab) + ":" + local
}

func (w *xmlWriter) qname(key string) string {
	prefix, ns, local, found := splitQName(w.ctx, key)
	if !found {
		return xmlName(key)
	}
	return w.prefix(prefix, ns) + ":" + xmlName(local)
}

// splitQName is the prefix, namespace and local name the XML binding
// gives a JSON key (qname); found is false for a bare name, whose local
// name is the key itself.
func splitQName(ctx *Context, key string) (prefix, ns, local string, found bool) {
	prefix, local, found = strings.Cut(key, ":")
	if !found {
		return "", "", key, false
	}
	ns, ok := ctx.prefixes[prefix]
	if !ok {
		ns, ok = standardPrefixes[prefix]
	}
	if !ok {
		if iri, isIRI := ctx.Expand(key); isIRI && uriSchemes[prefix] {
			i := strings.LastIndexAny(iri, "/#")
			ns, local, prefix = iri[:i+1], iri[i+1:], "ns"
			ok = true
		}
	}
	if !ok {
		// A prefix declared only in a remote context: its namespace is
		// not known offline, so the XML namespace names the prefix and the
		// remote context instead (RemotePrefixNamespace), which FromXML
		// maps back to the key as written under that remote context.
		ns = RemotePrefixNamespace(prefix, ctx.firstRemote())
	}
	return prefix, ns, local, true
}

// RemotePrefixMarker starts the XML namespace critmin writes for a JSON-LD
// prefix that only a remote @context declares (RemotePrefixNamespace).
const RemotePrefixMarker = "urn:critmin:remote-context-prefix:"

// RemotePrefixNamespace is the XML namespace of the keys whose prefix
// (de in de:qualityGrade) only a remote @context declares, which critmin
// never fetches (docs/epcis.md, "Remote contexts and term definitions"):
// urn:critmin:remote-context-prefix:{prefix}:{remote context URL} — the
// first remote context the event was captured with, or none when it has
// none. FromXML reads such a namespace back as the key prefix:local kept
// as written and the remote context URL in the document's @context, so
// that the event captured again from its XML has the same keys and the
// same CBV 2.0 hash ID (which hashes such a key as written).
func RemotePrefixNamespace(prefix, remote string) string {
	return RemotePrefixMarker + prefix + ":" + remote
}

// RemoteContextMarker starts the XML namespace critmin declares for each
// remote @context an event was captured with (RemoteContextNamespace).
const RemoteContextMarker = "urn:critmin:remote-context:"

// RemoteContextNamespace is the XML namespace that carries a remote
// @context URL of an event in the XML binding, which has no @context:
// urn:critmin:remote-context:{URL}, declared on the query document
// whether or not a key uses it (a RemotePrefixNamespace names only the
// first remote context, since which remote context declares a prefix is
// not known offline). FromXML reads each back as a remote context of the
// document's @context, in the order declared, so that an event with
// several remote contexts keeps them all when its XML is captured again.
func RemoteContextNamespace(remote string) string {
	return RemoteContextMarker + remote
}

// parseRemoteContextNamespace reads a RemoteContextNamespace: the remote
// context URL; ok is false for any other namespace, or a URL that is not
// absolute.
func parseRemoteContextNamespace(ns string) (remote string, ok bool) {
	remote, found := strings.CutPrefix(ns, RemoteContextMarker)
	if !found || !isAbsoluteURI(remote) {
		return "", false
	}
	return remote, true
}

// parseRemotePrefixNamespace reads a RemotePrefixNamespace: the prefix and
// the remote context URL ("" for none); ok is false for any other
// namespace, or a prefix that is no CURIE prefix.
func parseRemotePrefixNamespace(ns string) (prefix, remote string, ok bool) {
	rest, found := strings.CutPrefix(ns, RemotePrefixMarker)
	if !found {
		return "", "", false
	}
	prefix, remote, found = strings.Cut(rest, ":")
	if !found || !isCURIE(prefix, "x") || remote != "" && !isAbsoluteURI(remote) {
		return "", "", false
	}
	return prefix, remote, true
}

// XMLLocalName is the local name the XML binding gives a JSON key of an
// event and whether it is a valid XML local name (an NCName: a letter,
// "_" or a non-ASCII character first, then also digits, "-" and "."). A
// key whose local name is not one cannot be written in the XML binding
// without renaming it, so capture refuses it (validator.xmlNames).
func XMLLocalName(ctx *Context, key string) (string, bool) {
	_, _, local, _ := splitQName(ctx, key)
	return local, isNCName(local)
}

// isNCName reports whether s is a valid XML local name (as xmlName
// judges each character).
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !nameRune(r, i == 0) {
			return false
		}
	}
	return true
}

// nameRune reports whether r may stand in an XML local name, first or
// not: ASCII letters and "_" (and, after the first, digits, "-" and
// "."), and a non-ASCII character that encoding/xml — critmin's own
// reader, whose name tables (XML 1.0's first edition) are the strictest
// of the readers in use — takes there. The answers for non-ASCII
// characters are cached.
func nameRune(r rune, first bool) bool {
	switch {
	case r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z':
		return true
	case r == '-' || r == '.' || r >= '0' && r <= '9':
		return !first
	case r < 0x80 || r == utf8.RuneError:
		return false
	}
	key := int64(r)
	if first {
		key = -key
	}
	if v, ok := nameRunes.Load(key); ok {
		return v.(bool)
	}
	doc := "<" + string(r) + "/>"
	if !first {
		doc = "<a" + string(r) + "/>"
	}
	_, err := xml.NewDecoder(strings.NewReader(doc)).Token()
	nameRunes.Store(key, err == nil)
	return err == nil
}

var nameRunes sync.Map

func (w *xmlWriter) prefix(want, ns string) string {
	if p, ok := w.prefixOf[ns]; ok {
		return p
	}
	if want == "" || strings.HasPrefix(strings.ToLower(want), "xml") || want == "epcis" || want == "epcisq" || want == "xsi" || want == "xsd" {
		want = "ns"
	}
	// A JSON-LD prefix need not be an XML one ("1x", "a b"): escaped
	// (FromXML decodes the prefix it is declared with).
	want = xmlName(want)
	p := want
	for i := 1; ; i++ {
		if _, taken := w.nsOf[p]; !taken {
			break
		}
		p = fmt.Sprintf("%s%d", want, i)
	}
	w.prefixOf[ns], w.nsOf[p] = p, ns
	return p
}

// xmlName makes a JSON name a valid XML name (an NCName: a letter, "_"
// or a non-ASCII character first, then also digits, "-" and "."), so
// that an XML result is always well-formed. A character an NCName may not
// hold there is escaped as _xHHHH_ (its code point in hex, _xHHHHHHHH_
// beyond U+FFFF), and a "_" that would start such an escape as _x005F_ —
// the encoding of XmlConvert.EncodeLocalName and ISO/IEC 9075-14 — which
// FromXML decodes (xmlNameDecode), so the name reads back as it was. Capture
// refuses new keys that would need it (XMLLocalName); it serves keys stored
// before that check ("ex:1st", "ex:a b"), which `critmin verify` lists.
func xmlName(s string) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	for i, r := range s {
		ok := nameRune(r, i == 0)
		switch {
		case r == '_' && xmlNameEscape.MatchString(s[i:]):
			b.WriteString("_x005F_")
		case ok:
			b.WriteRune(r)
		case r > 0xFFFF:
			fmt.Fprintf(&b, "_x%08X_", r)
		default:
			fmt.Fprintf(&b, "_x%04X_", r)
		}
	}
	return b.String()
}

// xmlNameEscape matches an escape of xmlName at the start of a name.
var xmlNameEscape = regexp.MustCompile(`^_x([0-9A-Fa-f]{8}|[0-9A-Fa-f]{4})_`)

// xmlNameEscapes matches every escape of xmlName in a name.
var xmlNameEscapes = regexp.MustCompile(`_x([0-9A-Fa-f]{8}|[0-9A-Fa-f]{4})_`)

// xmlNameDecode undoes xmlName's escapes, for a name that is exactly
// what xmlName writes for some name: another XML writer's name that
// merely holds the pattern (<ex:_x0041_bc>, whose decoding "Abc" xmlName
// would write as it is) is kept as written.
func xmlNameDecode(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	d := xmlNameEscapes.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.ParseUint(m[2:len(m)-1], 16, 32)
		if err != nil || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
			return m
		}
		return string(rune(n))
	})
	if xmlName(d) != s {
		return s
	}
	return d
}

func xmlTextEscape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

func xmlAttrEscape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

// NonXMLNameKeys lists the keys of a stored event (its raw JSON and the
// @context it was captured with) whose XML local name is no XML name
// ("ex:1st", "ex:a b"): capture refuses such keys now (XMLLocalName), but
// an event stored before that check may hold them. XML results escape
// them (xmlName) and FromXML restores them, so they are served; `critmin
// verify` lists them so that an operator knows XML readers other than
// critmin see escaped names. Each key is given once, in sorted order.
func NonXMLNameKeys(rawEvent, rawContext []byte) []string {
	return storedEventKeys(rawEvent, rawContext, func(c *Context, k string) (string, bool) {
		_, ok := XMLLocalName(c, k)
		return k, !ok
	})
}
