package epcis

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
)

// The XML binding (EPCIS 2.0 §9.3, EPCglobal-epcis-2_0.xsd) and the EPCIS
// 1.2 XML binding (EPCglobal-epcis-1_2.xsd) are read by mapping a document
// onto the JSON-LD binding (EPCIS 2.0 §9.4 and its Annex on XML/JSON
// equivalence), so that an XML capture is validated, hashed, stored and
// queried by exactly the code that serves JSON:
//
//   - standard fields are unqualified elements and keep their names; lists
//     (epcList/epc, quantityList/quantityElement, bizTransactionList, …)
//     become arrays, quantity and the sensor-report values numbers;
//   - sensorMetadata and sensorReport carry their fields as attributes;
//   - a user extension is an element in a namespace: it becomes the key
//     "prefix:localName", the document's namespace declarations become the
//     prefix definitions of its @context, and its content becomes text, a
//     number (typed numeric with xsi:type), a boolean (xsd:boolean) or an
//     object of its children (bare names for unqualified children);
//   - the EPCIS 1.2 wrappers are unwrapped, as the 2.0 standard moved their
//     content into the event: <extension> (quantityList, sourceList,
//     destinationList, ilmd, childQuantityList…, nested <extension> for the
//     fields added later), <baseExtension> (eventID, errorDeclaration), and
//     the <extension> wrappers of the event list that carry
//     TransformationEvent (1.2 §7.4.6) and AssociationEvent (2.0 in a 1.2
//     document). The 2.0 XSD keeps <extension> elements, reserved for later
//     versions; their content is unwrapped the same way;
//   - master data (EPCISHeader/extension/EPCISMasterData in 1.2 and 2.0,
//     or the body of an EPCISMasterDataDocument) becomes
//     epcisHeader.epcisMasterData.vocabularyList.
//
// An element the mapping does not know — an unqualified element that is no
// EPCIS 2.0 field — is refused with its path: EPCIS 2.0 §7.1.2 puts every
// extension in a namespace.

// XML namespaces of the standard (never user-extension prefixes).
const (
	nsEPCIS12   = "urn:epcglobal:epcis:xsd:1"
	nsEPCIS20   = "urn:epcglobal:epcis:xsd:2"
	nsQuery12   = "urn:epcglobal:epcis-query:xsd:1"
	nsQuery20   = "urn:epcglobal:epcis-query:xsd:2"
	nsMaster12  = "urn:epcglobal:epcis-masterdata:xsd:1"
	nsMaster20  = "urn:epcglobal:epcis-masterdata:xsd:2"
	nsSBDH      = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
	nsXSD       = "http://www.w3.org/2001/XMLSchema"
	nsXMLDecl   = "http://www.w3.org/XML/1998/namespace"
	maxXMLDepth = 64
)

var standardNamespaces = map[string]bool{nsEPCIS12: true, nsEPCIS20: true, nsQuery12: true, nsQuery20: true, nsMaster12: true, nsMaster20: true,
	nsSBDH: true, xsiNamespace: true, nsXSD: true, nsXMLDecl: true}

// XMLDocument is an XML capture body mapped onto the JSON-LD binding.
type XMLDocument struct {
	// JSON is the equivalent EPCIS 2.0 JSON-LD document (or event).
	JSON []byte
	// Version is the schemaVersion the XML document declared ("1.2", "2.0").
	Version string
	paths   map[string]string
}

// FromXML maps an EPCIS 2.0 or 1.2 XML document onto the JSON-LD binding.
// single is true for POST /epcis/events: the root is then one event
// element. Errors name the XML element path.
func FromXML(body []byte, single bool) (*XMLDocument, error) {
	root, err := readXMLTree(body)
	if err != nil {
		return nil, err
	}
	c := &xconv{prefixOf: map[string]string{}, nsOf: map[string]string{}, stdUsed: map[string]bool{}, paths: map[string]string{}}
	c.collectNamespaces(root)
	c.labelTree(root)
	rootPath := "/" + root.name.Local
	c.checkNamespaces(root, rootPath)
	var out map[string]any
	x := &XMLDocument{Version: "2.0", paths: c.paths}
	if v := root.attr("schemaVersion"); v != "" {
		x.Version = v
	} else if root.name.Space == nsEPCIS12 {
		x.Version = "1.2"
	}
	if single {
		if _, ok := typeKeys[root.name.Local]; !ok || root.name.Space != "" && !standardNamespaces[root.name.Space] {
			return nil, critmin.FieldErrorf(rootPath, "the root element must be one EPCIS event (ObjectEvent, AggregationEvent, AssociationEvent, TransactionEvent, TransformationEvent); send documents to /capture")
		}
		out = c.event(root, "", rootPath)
	} else {
		out = c.document(root, rootPath)
	}
	out["@context"] = c.context()
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("epcis: xml: %w", err)
	}
	x.JSON = b
	if len(c.errs) > 0 {
		// The document is refused; x still carries what could be
		// mapped, so that the caller can report the validation errors
		// of the rest with these (every independent error at once).
		return x, &critmin.Error{Code: critmin.EINVALID, Message: c.errs[0].Pointer + ": " + c.errs[0].Reason, Fields: c.errs}
	}
	return x, nil
}

// Path turns a JSON pointer of the mapped document into the path of the
// XML element (or attribute) it came from: the nearest mapped ancestor's
// path followed by the rest of the pointer.
func (x *XMLDocument) Path(pointer string) string {
	if x == nil || !strings.HasPrefix(pointer, "/") && pointer != "" {
		return pointer
	}
	p := pointer
	rest := ""
	for {
		if xp, ok := x.paths[p]; ok {
			return xp + rest
		}
		if p == "" {
			return pointer
		}
		i := strings.LastIndex(p, "/")
		rest = p[i:] + rest
		p = p[:i]
	}
}

// Translate rewrites the pointers of a validation error from the JSON
// mapping to XML element paths.
func (x *XMLDocument) Translate(err error) error {
	var e *critmin.Error
	if x == nil || !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]critmin.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out.Fields[i] = critmin.FieldError{Pointer: x.Path(f.Pointer), Reason: f.Reason}
	}
	out.Message = strings.Replace(e.Message, e.Fields[0].Pointer+":", out.Fields[0].Pointer+":", 1)
	return &out
}

// xnode is a parsed XML element.
type xnode struct {
	name     xml.Name
	attrs    []xml.Attr
	text     string
	children []*xnode
	label    string // name with its position among same-named siblings
	// scope is the namespace declarations in scope at the element
	// (prefix → namespace), for QName-valued attributes (a sensorReport
	// type="gs1:Temperature"), which the XML decoder does not resolve.
	scope map[string]string
}

// newXNode is the node of a start tag whose parent has the namespace
// declarations scope in scope.
func newXNode(t xml.StartElement, scope map[string]string) *xnode {
	n := &xnode{name: t.Name, attrs: append([]xml.Attr(nil), t.Attr...), scope: scope}
	copied := false
	for _, a := range t.Attr {
		if a.Name.Space != "xmlns" {
			continue
		}
		if !copied {
			// The parent's map is shared by its other children.
			next := make(map[string]string, len(scope)+1)
			for k, v := range scope {
				next[k] = v
			}
			n.scope, copied = next, true
		}
		n.scope[a.Name.Local] = a.Value
	}
	return n
}

// resolveQName expands a QName-valued attribute through the namespace
// declarations in scope at n: "p:local" with p declared is the namespace
// followed by local; ok is false for any other value.
func (n *xnode) resolveQName(v string) (iri string, ok bool) {
	p, local, found := strings.Cut(v, ":")
	if !found || local == "" || strings.HasPrefix(local, "//") {
		return "", false
	}
	ns, declared := n.scope[p]
	if !declared {
		return "", false
	}
	return ns + local, true
}

func (n *xnode) attr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n *xnode) hasAttr(local string) bool {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return true
		}
	}
	return false
}

// readXMLTree parses a whole document, bounding its depth.
func readXMLTree(body []byte) (*xnode, error) {
	dec := newXMLDecoder(bytes.NewReader(body)) // any declared encoding, a byte-order mark dropped
	var stack []*xnode
	var texts []*strings.Builder
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ce := xmlDecodeError(err); ce != nil {
				return nil, ce
			}
			return nil, critmin.FieldErrorf("", "not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, critmin.FieldErrorf("", "not well-formed XML: more than one root element")
			}
			if len(stack) >= maxXMLDepth {
				return nil, critmin.FieldErrorf("", "XML nested deeper than %d elements", maxXMLDepth)
			}
			var n *xnode
			if len(stack) > 0 {
				n = newXNode(t, stack[len(stack)-1].scope)
			} else {
				n = newXNode(t, nil)
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			texts = append(texts, &strings.Builder{})
		case xml.CharData:
			if len(stack) > 0 {
				texts[len(texts)-1].Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, critmin.FieldErrorf("", "not well-formed XML: text outside the root element")
			}
		case xml.EndElement:
			n := stack[len(stack)-1]
			n.text = strings.TrimSpace(texts[len(texts)-1].String())
			stack, texts = stack[:len(stack)-1], texts[:len(texts)-1]
		}
	}
	if root == nil {
		return nil, critmin.FieldErrorf("", "not XML: no root element")
	}
	return root, nil
}

// labelTree names each child for paths: "name", or "prefix:name" for a
// user extension, followed by "[i]" (1-based, XPath) where the name
// repeats among its siblings.
func (c *xconv) labelTree(n *xnode) {
	count := map[string]int{}
	for _, ch := range n.children {
		count[c.key(ch.name)]++
	}
	seen := map[string]int{}
	for _, ch := range n.children {
		k := c.key(ch.name)
		seen[k]++
		ch.label = k
		if count[k] > 1 {
			ch.label = fmt.Sprintf("%s[%d]", k, seen[k])
		}
		c.labelTree(ch)
	}
}

// xconv maps one XML document.
type xconv struct {
	prefixOf map[string]string // namespace → prefix
	nsOf     map[string]string // prefix → namespace (the @context's definitions)
	stdUsed  map[string]bool   // standard prefixes used with their own namespace
	// remoteOf maps a RemotePrefixNamespace to its prefix, which stays
	// undeclared in the @context; remotes lists their remote contexts.
	remoteOf map[string]string
	remotes  []string
	paths    map[string]string // JSON pointer → XML path
	errs     []critmin.FieldError
}

func (c *xconv) fail(path, format string, args ...any) {
	if len(c.errs) < 100 {
		c.errs = append(c.errs, critmin.FieldError{Pointer: path, Reason: fmt.Sprintf(format, args...)})
	}
}

func (c *xconv) note(ptr, path string) { c.paths[ptr] = path }

// collectNamespaces gives every user namespace of the document a prefix:
// the one it is declared with, or a generated one where the prefix is
// taken by another namespace or the namespace is a default one.
func (c *xconv) collectNamespaces(n *xnode) {
	for _, a := range n.attrs {
		if a.Name.Space == "xmlns" {
			c.declare(a.Name.Local, a.Value)
		}
	}
	for _, ch := range n.children {
		c.collectNamespaces(ch)
	}
	if n.name.Space != "" {
		c.declare("ns", n.name.Space)
	}
	for _, a := range n.attrs {
		if a.Name.Space != "" && a.Name.Space != "xmlns" {
			c.declare("ns", a.Name.Space)
		}
	}
}

// checkNamespaces refuses every element and attribute whose namespace is
// not an absolute IRI — above all a prefix the document never declares
// (<zz:myField> with no xmlns:zz, which the XML decoder leaves as the
// namespace "zz"): Namespaces in XML 1.0 §5 makes an undeclared prefix
// an error, and EPCIS 2.0 §7.1.2 (and the XSD's ##other extension
// points) puts each extension in a namespace named by a URI. Each
// offending element is named by its path, as written.
func (c *xconv) checkNamespaces(n *xnode, path string) {
	if n.name.Space != "" && !isAbsoluteURI(n.name.Space) {
		c.fail(path, "element <%s:%s>: namespace prefix %q is not declared (no xmlns:%s), or the namespace it is declared with is not an absolute IRI", n.name.Space, n.name.Local, n.name.Space, n.name.Space)
	}
	for _, a := range n.attrs {
		if a.Name.Space != "" && a.Name.Space != "xmlns" && !isAbsoluteURI(a.Name.Space) {
			c.fail(path+"/@"+a.Name.Space+":"+a.Name.Local, "attribute %s:%s: namespace prefix %q is not declared (no xmlns:%s) or its namespace is not an absolute IRI", a.Name.Space, a.Name.Local, a.Name.Space, a.Name.Space)
		}
	}
	for _, ch := range n.children {
		c.checkNamespaces(ch, path+"/"+ch.label)
	}
}

// declare gives namespace ns a JSON-LD prefix, the one it is declared
// with wherever it can, so that a document read from XML names its
// extensions as the JSON it was written from did: a standard context's
// prefix declared with its own namespace (xmlns:cbvmda="urn:epcglobal:cbv:mda:",
// xmlns:gs1="https://gs1.org/voc/") is that prefix, with no definition of
// its own in the @context; one declared with another namespace redefines
// it, as a JSON-LD @context may (GS1's
// transformation_event_all_possible_fields.jsonld defines cbvmda as
// http://example.com/cbvmda/) — except the prefixes whose CURIEs EPCIS
// values are read through (gs1, cbv, epcis, xsd), which keep their
// meaning. A prefix already given to another namespace, or a default
// namespace, gets a generated one (prefix1, prefix2, …).
func (c *xconv) declare(prefix, ns string) {
	if ns == "" || standardNamespaces[ns] || !isAbsoluteURI(ns) {
		return
	}
	// A JSON-LD prefix QueryDocumentXML had to escape (xmlName).
	prefix = xmlNameDecode(prefix)
	if _, ok := c.prefixOf[ns]; ok {
		return
	}
	if _, ok := c.remoteOf[ns]; ok {
		return
	}
	if remote, ok := parseRemoteContextNamespace(ns); ok {
		// A remote @context of the events (QueryDocumentXML): kept in the
		// document's @context, in the order declared.
		if !slices.Contains(c.remotes, remote) {
			c.remotes = append(c.remotes, remote)
		}
		return
	}
	if rp, remote, ok := parseRemotePrefixNamespace(ns); ok {
		// A prefix only a remote @context declares (QueryDocumentXML):
		// the key keeps it undeclared, under that remote context.
		if c.remoteOf == nil {
			c.remoteOf = map[string]string{}
		}
		c.remoteOf[ns] = rp
		if remote != "" && !slices.Contains(c.remotes, remote) {
			c.remotes = append(c.remotes, remote)
		}
		return
	}
	if std, ok := standardPrefixes[prefix]; ok && std == ns {
		if _, taken := c.nsOf[prefix]; !taken {
			c.prefixOf[ns] = prefix
			c.stdUsed[prefix] = true
			return
		}
	}
	p := prefix
	for i := 1; ; i++ {
		_, taken := c.nsOf[p]
		_, std := standardPrefixes[p]
		if !taken && !c.stdUsed[p] && (!std || !fixedPrefixes[p]) && p != "ns" && !c.isRemotePrefix(p) {
			break
		}
		p = fmt.Sprintf("%s%d", prefix, i)
	}
	c.prefixOf[ns], c.nsOf[p] = p, ns
}

// fixedPrefixes are the standard context's prefixes an XML document may
// not redefine in the JSON it is mapped to: EPCIS values are read through
// them (a sensor type gs1:MT-Mass, a CBV value cbv:BizStep-shipping, an
// xsd datatype).
var fixedPrefixes = map[string]bool{"gs1": true, "cbv": true, "epcis": true, "xsd": true}

// isRemotePrefix reports whether p is the prefix of a
// RemotePrefixNamespace of the document, which no namespace may declare.
func (c *xconv) isRemotePrefix(p string) bool {
	for _, rp := range c.remoteOf {
		if rp == p {
			return true
		}
	}
	return false
}

// context is the @context of the mapped document: the standard one, the
// remote contexts of its RemotePrefixNamespaces, and the document's
// namespaces as prefixes.
func (c *xconv) context() any {
	if len(c.nsOf) == 0 && len(c.remotes) == 0 {
		return StandardContext
	}
	out := []any{StandardContext}
	for _, r := range c.remotes {
		out = append(out, r)
	}
	if len(c.nsOf) > 0 {
		m := make(map[string]any, len(c.nsOf))
		for p, ns := range c.nsOf {
			m[p] = ns
		}
		out = append(out, m)
	}
	return out
}

// key is an element's or attribute's JSON key: "prefix:local" when it is
// namespaced, the bare local name otherwise.
func (c *xconv) key(n xml.Name) string {
	if n.Space == "" {
		return xmlNameDecode(n.Local)
	}
	if standardNamespaces[n.Space] {
		return n.Local
	}
	if !isAbsoluteURI(n.Space) {
		// An undeclared prefix (refused by checkNamespaces): named as
		// written.
		return n.Space + ":" + n.Local
	}
	if rp, ok := c.remoteOf[n.Space]; ok {
		return rp + ":" + xmlNameDecode(n.Local)
	}
	return c.prefixOf[n.Space] + ":" + xmlNameDecode(n.Local)
}

func (c *xconv) isUser(n xml.Name) bool { return n.Space != "" && !standardNamespaces[n.Space] }

// document maps EPCISDocument, EPCISQueryDocument and
// EPCISMasterDataDocument.
func (c *xconv) document(root *xnode, path string) map[string]any {
	out := map[string]any{"schemaVersion": "2.0"}
	if v := root.attr("creationDate"); v != "" {
		out["creationDate"] = v
	}
	c.note("/creationDate", path+"/@creationDate")
	c.note("/schemaVersion", path+"/@schemaVersion")
	var events []any
	var vocab []any
	body := map[string]any{}
	switch root.name.Local {
	case "EPCISDocument":
		out["type"] = "EPCISDocument"
		out["epcisBody"] = body
		c.note("/epcisBody/eventList", path+"/EPCISBody/EventList")
	case "EPCISQueryDocument":
		out["type"] = "EPCISQueryDocument"
		c.note("/epcisBody/queryResults/resultsBody/eventList", path+"/EPCISBody/QueryResults/resultsBody/EventList")
	case "EPCISMasterDataDocument":
		// A master-data document has no JSON form: it is captured as an
		// EPCISDocument with its vocabularies in the header and no events.
		out["type"] = "EPCISDocument"
		out["epcisBody"] = body
	default:
		c.fail(path, "unknown root element %q: expected EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument (EPCIS 2.0 or 1.2 XML)", root.name.Local)
		return out
	}
	if root.name.Space != "" && !standardNamespaces[root.name.Space] {
		c.fail(path, "root element in namespace %q: expected %s (EPCIS 2.0) or %s (EPCIS 1.2)", root.name.Space, nsEPCIS20, nsEPCIS12)
	}
	c.checkElement(root, "", path, xsdContent{attrs: []string{"schemaVersion", "creationDate"}, anyAttr: true}, nil)
	sawBody := false
	for _, ch := range root.children {
		p := path + "/" + ch.label
		switch {
		case ch.name.Local == "EPCISHeader" && !c.isUser(ch.name):
			vocab = append(vocab, c.header(ch, p)...)
		case ch.name.Local == "EPCISBody" && !c.isUser(ch.name):
			sawBody = true
			c.checkElement(ch, "", p, anyAttrs, nil)
			for _, b := range ch.children {
				bp := p + "/" + b.label
				switch {
				case b.name.Local == "EventList" && !c.isUser(b.name):
					events = append(events, c.eventList(b, bp, "/epcisBody/eventList", len(events))...)
				case b.name.Local == "QueryResults" && root.name.Local == "EPCISQueryDocument":
					c.checkElement(b, "", bp, noAttrs, nil)
					qr := map[string]any{}
					for _, q := range b.children {
						qp := bp + "/" + q.label
						switch q.name.Local {
						case "queryName", "subscriptionID":
							qr[q.name.Local] = q.text
						case "resultsBody":
							c.checkElement(q, "", qp, noAttrs, nil)
							for _, el := range q.children {
								if el.name.Local == "EventList" {
									events = append(events, c.eventList(el, qp+"/"+el.label, "/epcisBody/queryResults/resultsBody/eventList", len(events))...)
								} else if el.name.Local != "VocabularyList" {
									c.fail(qp+"/"+el.label, "unknown element %q in resultsBody (expected EventList)", el.name.Local)
								}
							}
						case "extension":
						default:
							if !c.isUser(q.name) {
								c.fail(qp, "unknown element %q in QueryResults", q.name.Local)
							}
						}
					}
					qr["resultsBody"] = map[string]any{"eventList": nil}
					body["queryResults"] = qr
				case b.name.Local == "VocabularyList" && root.name.Local == "EPCISMasterDataDocument":
					vocab = append(vocab, c.vocabularyList(b, bp)...)
				case b.name.Local == "extension" && !c.isUser(b.name):
					c.checkElement(b, "", bp, anyAttrs, nil)
				default:
					if !c.isUser(b.name) {
						c.fail(bp, "unknown element %q in EPCISBody", b.name.Local)
					}
				}
			}
		case ch.name.Local == "extension" && !c.isUser(ch.name):
			c.checkElement(ch, "", p, anyAttrs, nil)
		default:
			if !c.isUser(ch.name) {
				c.fail(p, "unknown element %q in %s", ch.name.Local, root.name.Local)
			}
		}
	}
	if !sawBody {
		c.fail(path+"/EPCISBody", "missing: an EPCIS document needs an EPCISBody")
	}
	if events == nil {
		events = []any{}
	}
	if qr, ok := body["queryResults"].(map[string]any); ok {
		qr["resultsBody"] = map[string]any{"eventList": events}
	} else if root.name.Local == "EPCISQueryDocument" {
		body["queryResults"] = map[string]any{"queryName": "", "resultsBody": map[string]any{"eventList": events}}
	} else {
		body["eventList"] = events
	}
	out["epcisBody"] = body
	if len(vocab) > 0 {
		out["epcisHeader"] = map[string]any{"epcisMasterData": map[string]any{"vocabularyList": vocab}}
	}
	return out
}

// eventList maps the events of an EventList in document order, unwrapping
// the <extension> elements that carry EPCIS 1.2's later event types.
func (c *xconv) eventList(list *xnode, path, ptr string, start int) []any {
	var out []any
	var walk func(n *xnode, path string)
	walk = func(n *xnode, path string) {
		c.checkElement(n, "", path, anyAttrs, nil)
		for _, e := range n.children {
			p := path + "/" + e.label
			_, isEvent := typeKeys[e.name.Local]
			switch {
			case isEvent && !c.isUser(e.name):
				out = append(out, c.event(e, fmt.Sprintf("%s/%d", ptr, start+len(out)), p))
			case e.name.Local == "extension" && !c.isUser(e.name):
				walk(e, p)
			case c.isUser(e.name):
				c.fail(p, "extension event type %q: critmin reads extension event types from the JSON binding only", c.key(e.name))
			default:
				c.fail(p, "unknown element %q in EventList: expected an EPCIS event", e.name.Local)
			}
		}
	}
	walk(list, path)
	return out
}

// header reads the master data of an EPCISHeader.
func (c *xconv) header(h *xnode, path string) []any {
	var out []any
	c.checkElement(h, "", path, anyAttrs, nil)
	for _, ch := range h.children {
		p := path + "/" + ch.label
		switch {
		case ch.name.Local == "extension" && !c.isUser(ch.name), ch.name.Local == "EPCISMasterData" && !c.isUser(ch.name):
			if ch.name.Local == "extension" {
				out = append(out, c.header(ch, p)...)
				continue
			}
			c.note("/epcisHeader/epcisMasterData", p)
			c.checkElement(ch, "", p, noAttrs, nil)
			for _, v := range ch.children {
				if v.name.Local == "VocabularyList" {
					out = append(out, c.vocabularyList(v, p+"/"+v.label)...)
				}
			}
		}
	}
	return out
}

// vocabularyList maps master data (EPCIS 2.0 §7.2, XSD VocabularyType):
// attributes become {id, attribute} with the attribute's text or content,
// children a list of identifiers.
func (c *xconv) vocabularyList(vl *xnode, path string) []any {
	var out []any
	c.checkElement(vl, "", path, noAttrs, nil)
	for _, v := range vl.children {
		vp := path + "/" + v.label
		if v.name.Local != "Vocabulary" {
			if !c.isUser(v.name) && v.name.Local != "extension" {
				c.fail(vp, "unknown element %q in VocabularyList", v.name.Local)
			}
			continue
		}
		ptr := fmt.Sprintf("/epcisHeader/epcisMasterData/vocabularyList/%d", len(out))
		c.note(ptr, vp)
		voc := map[string]any{"type": v.attr("type")}
		c.checkElement(v, ptr, vp, xsdContent{attrs: []string{"type"}, anyAttr: true}, nil)
		var elements []any
		for _, el := range v.children {
			if el.name.Local != "VocabularyElementList" {
				continue
			}
			c.checkElement(el, "", vp+"/"+el.label, noAttrs, nil)
			for _, ve := range el.children {
				if ve.name.Local != "VocabularyElement" {
					continue
				}
				vep := vp + "/" + el.label + "/" + ve.label
				c.checkElement(ve, "", vep, xsdContent{attrs: []string{"id"}, anyAttr: true}, nil)
				eptr := fmt.Sprintf("%s/vocabularyElementList/%d", ptr, len(elements))
				c.note(eptr, vep)
				c.note(eptr+"/id", vep+"/@id")
				e := map[string]any{"id": ve.attr("id")}
				var attrs, children []any
				for _, a := range ve.children {
					switch a.name.Local {
					case "attribute":
						aptr, ap := fmt.Sprintf("%s/attributes/%d", eptr, len(attrs)), vep+"/"+a.label
						c.note(aptr, ap)
						c.note(aptr+"/id", ap+"/@id")
						c.note(aptr+"/attribute", ap)
						attrs = append(attrs, map[string]any{"id": a.attr("id"), "attribute": c.extValue(a, ap)})
					case "children":
						c.checkElement(a, "", vep+"/"+a.label, anyAttrs, nil)
						for _, id := range a.children {
							c.checkAttrs(id, "", vep+"/"+a.label+"/"+id.label, noAttrs, nil)
							c.note(fmt.Sprintf("%s/children/%d", eptr, len(children)), vep+"/"+a.label+"/"+id.label)
							children = append(children, id.text)
						}
					}
				}
				if attrs != nil {
					e["attributes"] = attrs
				}
				if children != nil {
					e["children"] = children
				}
				elements = append(elements, e)
			}
		}
		if elements == nil {
			elements = []any{}
		}
		voc["vocabularyElementList"] = elements
		out = append(out, voc)
	}
	return out
}

// scalarFields are the standard event fields whose XML form is text.
var scalarFields = map[string]bool{"eventTime": true, "recordTime": true, "eventTimeZoneOffset": true, "eventID": true, "certificationInfo": true,
	"parentID": true, "action": true, "bizStep": true, "disposition": true, "transformationID": true}

var epcLists = map[string]bool{"epcList": true, "childEPCs": true, "inputEPCList": true, "outputEPCList": true}
var xmlQuantityLists = map[string]bool{"quantityList": true, "childQuantityList": true, "inputQuantityList": true, "outputQuantityList": true}

// event maps one event element.
func (c *xconv) event(el *xnode, ptr, path string) map[string]any {
	m := map[string]any{"type": el.name.Local}
	c.note(ptr, path)
	c.note(ptr+"/type", path)
	c.checkElement(el, ptr, path, anyAttrs, m)
	c.eventFields(m, el, ptr, path)
	return m
}

func (c *xconv) eventFields(m map[string]any, el *xnode, ptr, path string) {
	for _, ch := range el.children {
		p := path + "/" + ch.label
		if c.isUser(ch.name) {
			k := c.key(ch.name)
			c.note(ptr+"/"+escape(k), p)
			addValue(m, k, c.extValue(ch, p))
			continue
		}
		k := ch.name.Local
		fp := ptr + "/" + k
		if scalarFields[k] {
			c.checkAttrs(ch, fp, p, noAttrs, nil)
		}
		if k == "certificationInfo" && len(ch.children) == 0 {
			// One URI, or (the element repeated, as QueryDocumentXML
			// writes the JSON binding's list) a list of them.
			switch prev := m[k].(type) {
			case nil:
				m[k] = ch.text
				c.note(fp, p)
			case string:
				m[k] = []any{prev, ch.text}
			case []any:
				m[k] = append(prev, ch.text)
			}
			continue
		}
		if _, dup := m[k]; dup && k != "extension" && k != "baseExtension" {
			c.fail(p, "element %q repeated: the EPCIS XML schema allows it once", k)
			continue
		}
		c.note(fp, p)
		switch {
		case k == "extension" || k == "baseExtension":
			c.checkElement(ch, ptr, p, anyAttrs, m)
			c.eventFields(m, ch, ptr, p)
		case scalarFields[k]:
			if len(ch.children) > 0 {
				c.fail(p, "%s must be text, not elements", k)
			}
			m[k] = ch.text
			switch k {
			case "bizStep":
				m[k] = jsonVocab(bizStepVocab, ch.text)
			case "disposition":
				m[k] = jsonVocab(dispositionVocab, ch.text)
			}
		case k == "readPoint" || k == "bizLocation":
			m[k] = c.location(ch, fp, p)
		case epcLists[k]:
			c.checkElement(ch, fp, p, noAttrs, nil)
			l := []any{}
			for i, e := range ch.children {
				if e.name.Local != "epc" {
					c.fail(p+"/"+e.label, "unknown element %q in %s (expected epc)", e.name.Local, k)
					continue
				}
				c.checkAttrs(e, "", p+"/"+e.label, noAttrs, nil)
				c.note(fmt.Sprintf("%s/%d", fp, i), p+"/"+e.label)
				l = append(l, e.text)
			}
			m[k] = l
		case xmlQuantityLists[k]:
			c.checkElement(ch, fp, p, noAttrs, nil)
			l := []any{}
			for _, q := range ch.children {
				qp := p + "/" + q.label
				if q.name.Local != "quantityElement" {
					c.fail(qp, "unknown element %q in %s (expected quantityElement)", q.name.Local, k)
					continue
				}
				qptr := fmt.Sprintf("%s/%d", fp, len(l))
				c.note(qptr, qp)
				c.checkElement(q, qptr, qp, noAttrs, nil)
				o := map[string]any{}
				for _, f := range q.children {
					c.checkAttrs(f, "", qp+"/"+f.label, noAttrs, nil)
					c.note(qptr+"/"+f.name.Local, qp+"/"+f.label)
					switch f.name.Local {
					case "quantity":
						// xsi:nil (the XSD's nillable quantity) is a
						// quantity element without a quantity, as in JSON.
						if !isNil(f) {
							o["quantity"] = c.number(f.text, qp+"/"+f.label)
						}
					default:
						o[c.key(f.name)] = f.text
					}
				}
				l = append(l, o)
			}
			m[k] = l
		case k == "bizTransactionList" || k == "sourceList" || k == "destinationList":
			item := map[string]string{"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination"}[k]
			c.checkElement(ch, fp, p, noAttrs, nil)
			l := []any{}
			for _, e := range ch.children {
				ep := p + "/" + e.label
				if e.name.Local != item {
					c.fail(ep, "unknown element %q in %s (expected %s)", e.name.Local, k, item)
					continue
				}
				c.checkAttrs(e, "", ep, xsdContent{attrs: []string{"type"}}, nil)
				eptr := fmt.Sprintf("%s/%d", fp, len(l))
				c.note(eptr, ep)
				c.note(eptr+"/type", ep+"/@type")
				c.note(eptr+"/"+item, ep) // the identifier is the element's text
				o := map[string]any{item: e.text}
				if e.hasAttr("type") {
					voc := bizTxnTypeVocab
					if k != "bizTransactionList" {
						voc = srcDestTypeVocab
					}
					o["type"] = jsonVocab(voc, e.attr("type"))
				}
				l = append(l, o)
			}
			m[k] = l
		case k == "sensorElementList":
			m[k] = c.sensors(ch, fp, p)
		case k == "persistentDisposition":
			c.checkElement(ch, fp, p, noAttrs, nil)
			o := map[string]any{}
			for _, e := range ch.children {
				if e.name.Local != "set" && e.name.Local != "unset" {
					c.fail(p+"/"+e.label, "unknown element %q in persistentDisposition (expected set or unset)", e.name.Local)
					continue
				}
				c.checkAttrs(e, "", p+"/"+e.label, noAttrs, nil)
				prev, _ := o[e.name.Local].([]any)
				o[e.name.Local] = append(prev, jsonVocab(dispositionVocab, e.text))
			}
			m[k] = o
		case k == "ilmd":
			o := map[string]any{}
			c.ilmd(o, ch, fp, p)
			m[k] = o
		case k == "errorDeclaration":
			m[k] = c.errorDeclaration(ch, fp, p)
		default:
			c.fail(p, "unknown element %q: not an EPCIS 2.0 field of %s, and a user extension must be in a namespace (EPCIS 2.0 §7.1.2)", k, m["type"])
		}
	}
}

func (c *xconv) ilmd(o map[string]any, el *xnode, ptr, path string) {
	c.checkElement(el, ptr, path, anyAttrs, o)
	for _, e := range el.children {
		ep := path + "/" + e.label
		if !c.isUser(e.name) {
			if e.name.Local == "extension" {
				c.ilmd(o, e, ptr, ep)
				continue
			}
			c.fail(ep, "ILMD element %q is in no namespace: ILMD fields are user extensions and must be namespaced (EPCIS 2.0 §7.3.6)", e.name.Local)
			continue
		}
		k := c.key(e.name)
		c.note(ptr+"/"+escape(k), ep)
		addValue(o, k, c.extValue(e, ep))
	}
}

// members maps the children of el into o: a user extension element
// becomes an extension member (named by its expanded key), an EPCIS 1.2
// `extension` wrapper is looked into, and any other element goes to own,
// which maps it and reports whether it is one of el's standard members;
// an element it does not know is refused, naming where it stood (what).
func (c *xconv) members(el *xnode, ptr, path string, o map[string]any, what string, own func(e *xnode, ep string) bool) {
	for _, e := range el.children {
		ep := path + "/" + e.label
		switch {
		case c.isUser(e.name):
			k := c.key(e.name)
			c.note(ptr+"/"+escape(k), ep)
			addValue(o, k, c.extValue(e, ep))
		case e.name.Local == "extension":
			c.checkElement(e, ptr, ep, anyAttrs, o)
			c.members(e, ptr, ep, o, what, own)
		case !own(e, ep):
			c.fail(ep, "unknown element %q in %s", e.name.Local, what)
		}
	}
}

func (c *xconv) location(el *xnode, ptr, path string) map[string]any {
	o := map[string]any{}
	c.checkElement(el, ptr, path, noAttrs, nil)
	c.members(el, ptr, path, o, el.name.Local+" (expected id)", func(e *xnode, ep string) bool {
		if e.name.Local != "id" {
			return false
		}
		c.checkAttrs(e, "", ep, noAttrs, nil)
		c.note(ptr+"/id", ep)
		o["id"] = e.text
		return true
	})
	return o
}

func (c *xconv) errorDeclaration(el *xnode, ptr, path string) map[string]any {
	o := map[string]any{}
	c.checkElement(el, ptr, path, anyAttrs, o)
	c.members(el, ptr, path, o, "errorDeclaration", func(e *xnode, ep string) bool {
		if e.name.Local == "correctiveEventIDs" {
			c.checkElement(e, "", ep, noAttrs, nil)
		} else {
			c.checkAttrs(e, "", ep, noAttrs, nil)
		}
		switch e.name.Local {
		case "declarationTime":
			c.note(ptr+"/declarationTime", ep)
			o["declarationTime"] = e.text
		case "reason":
			c.note(ptr+"/reason", ep)
			o["reason"] = jsonVocab(errReasonVocab, e.text)
		case "correctiveEventIDs":
			ids := []any{}
			for _, id := range e.children {
				ids = append(ids, id.text)
			}
			o["correctiveEventIDs"] = ids
		default:
			return false
		}
		return true
	})
	return o
}

// sensorNumeric are the sensor-report attributes of numeric type (XSD
// xsd:double); booleanValue is xsd:boolean.
var sensorNumeric = map[string]bool{"value": true, "minValue": true, "maxValue": true, "meanValue": true, "sDev": true, "percRank": true, "percValue": true}

func (c *xconv) sensors(el *xnode, ptr, path string) []any {
	l := []any{}
	c.checkElement(el, ptr, path, noAttrs, nil)
	for _, se := range el.children {
		sp := path + "/" + se.label
		if se.name.Local != "sensorElement" {
			c.fail(sp, "unknown element %q in sensorElementList (expected sensorElement)", se.name.Local)
			continue
		}
		c.checkElement(se, "", sp, noAttrs, nil)
		sptr := fmt.Sprintf("%s/%d", ptr, len(l))
		c.note(sptr, sp)
		o := map[string]any{}
		var reports []any
		c.members(se, sptr, sp, o, "sensorElement", func(part *xnode, pp string) bool {
			switch part.name.Local {
			case "sensorMetadata":
				c.note(sptr+"/sensorMetadata", pp)
				o["sensorMetadata"] = c.sensorAttrs(part, sptr+"/sensorMetadata", pp)
			case "sensorReport":
				rptr := fmt.Sprintf("%s/sensorReport/%d", sptr, len(reports))
				c.note(rptr, pp)
				reports = append(reports, c.sensorAttrs(part, rptr, pp))
			default:
				return false
			}
			return true
		})
		if reports != nil {
			o["sensorReport"] = reports
		}
		l = append(l, o)
	}
	return l
}

func (c *xconv) sensorAttrs(el *xnode, ptr, path string) map[string]any {
	o := map[string]any{}
	for _, a := range el.attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" && a.Name.Space == "" || standardNamespaces[a.Name.Space] && a.Name.Space != "" {
			continue
		}
		k := c.key(a.Name)
		c.note(ptr+"/"+escape(k), path+"/@"+k)
		switch {
		case a.Name.Space == "" && sensorNumeric[a.Name.Local]:
			o[k] = c.number(a.Value, path+"/@"+k)
		case a.Name.Space == "" && a.Name.Local == "booleanValue":
			o[k] = boolOrText(a.Value)
		case a.Name.Space == "" && a.Name.Local == "type":
			o[k] = sensorTypeJSON(el, a.Value)
		default:
			o[k] = a.Value
		}
	}
	for _, e := range el.children {
		if c.isUser(e.name) {
			addValue(o, c.key(e.name), c.extValue(e, path+"/"+e.label))
		}
	}
	return o
}

// xsiTypeIRI is an xsi:type value as a JSON-LD @type: xsd:local for an
// XML Schema datatype, the full IRI for another namespace's type, "" for
// a QName whose prefix is not declared.
func xsiTypeIRI(e *xnode, v string) string {
	iri, ok := e.resolveQName(v)
	if !ok {
		return ""
	}
	if local, ok := strings.CutPrefix(iri, nsXSD+"#"); ok {
		return "xsd:" + local
	}
	if local, ok := strings.CutPrefix(iri, nsXSD); ok {
		return "xsd:" + local
	}
	return iri
}

// sensorTypeJSON is the JSON form of a sensorReport type attribute: a
// QName in the GS1 Web Vocabulary namespace naming a standard measurement
// type without "MT-" (type="gs1:Temperature", as GS1's XML examples write
// it) is the bare term the EPCIS JSON binding uses ("Temperature", whose
// hash IRI is the same https://gs1.org/voc/Temperature); the CBV 2.0
// measurement-type term (type="gs1:MT-Temperature", under any prefix
// bound to the GS1 namespace) is the CURIE gs1:MT-Temperature, the
// standard context's gs1 prefix, so that its IRI — and the hash ID — is
// kept; anything else as written.
func sensorTypeJSON(el *xnode, v string) string {
	iri, ok := el.resolveQName(v)
	if !ok {
		return v
	}
	local, inGS1 := strings.CutPrefix(iri, gs1Vocab)
	if !inGS1 || strings.ContainsAny(local, "/#:") {
		return v
	}
	if strings.HasPrefix(local, "MT-") {
		return "gs1:" + local
	}
	if bare, ok := NormalizeMeasurementType(gs1Vocab + local); ok && bare != "" && !strings.Contains(bare, ":") {
		return bare
	}
	return v
}

// extValue maps the content of a user-extension element: its children as
// an object, or its text — a number when typed numeric with xsi:type, a
// boolean when typed xsd:boolean, a string otherwise (CBV 2.0 §8.9 hashes
// them alike). Attributes other than namespace declarations and xsi:type
// become keys of the object.
func (c *xconv) extValue(e *xnode, path string) any {
	var attrs []xml.Attr
	xsiType := ""
	for _, a := range e.attrs {
		switch {
		case a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns":
		case a.Name.Space == xsiNamespace:
			if a.Name.Local == "type" {
				xsiType = a.Value
			}
		case e.name.Local == "attribute" && a.Name.Space == "" && a.Name.Local == "id":
		default:
			attrs = append(attrs, a)
		}
	}
	if len(e.children) == 0 && len(attrs) == 0 && e.text == "" && isNil(e) {
		// <ex:f xsi:nil="true"/>: JSON's null (QueryDocumentXML writes
		// null so).
		return nil
	}
	if len(e.children) == 0 && len(attrs) == 0 {
		_, local, found := strings.Cut(xsiType, ":")
		if !found {
			local = xsiType
		}
		switch {
		case numericXSD(local):
			return c.number(e.text, path)
		case local == "boolean":
			return boolOrText(e.text)
		case xsiType != "" && local != "string" && local != "anyType" && local != "anySimpleType":
			// Another datatype (xsd:dateTime, xsd:date, xsd:anyURI, a
			// user's type) is kept as a JSON-LD value object, so that the
			// value keeps its type (a JSON {"@value": …, "@type":
			// "xsd:date"} comes back as it was written).
			if typ := xsiTypeIRI(e, xsiType); typ != "" {
				return map[string]any{"@value": e.text, "@type": typ}
			}
		}
		return e.text
	}
	o := map[string]any{}
	for _, a := range attrs {
		addValue(o, c.key(a.Name), a.Value)
	}
	for _, ch := range e.children {
		addValue(o, c.key(ch.name), c.extValue(ch, path+"/"+ch.label))
	}
	if len(e.children) > 0 && e.text != "" {
		// Mixed content (text beside child elements) has no JSON-LD form,
		// and dropping the text would change the event.
		c.fail(path, "text beside child elements (mixed content) has no EPCIS 2.0 JSON-LD form")
	}
	if len(e.children) == 0 && e.text != "" {
		o["@value"] = e.text
	}
	return o
}

// jsonVocab writes a standard CBV value in the form the JSON binding
// requires — bare ("shipping") — whether the XML gave the EPCIS 1.x URN
// (urn:epcglobal:cbv:bizstep:shipping) or the GS1 Web URI (CBV 2.0 §6, §8;
// the JSON schema forbids the URN form). Other values are kept.
func jsonVocab(v *vocabulary, s string) string {
	b, _ := v.normalize(s)
	return b
}

// xsdDouble is the lexical space of xsd:double (XML Schema 1.1 Part 2
// §3.3.5): a decimal with an optional exponent, INF, +INF, -INF or NaN.
var xsdDouble = regexp.MustCompile(`^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)$`)

// number is numberOrText of the text at XML path path, refusing an
// xsd:double literal that is not a finite float64 (INF, -INF, NaN, 1e400)
// with an error naming the element, as the JSON binding refuses the same
// value ("is not a finite number"): kept as text it would pass as a string
// in an extension, or be misreported as not a number in a quantity.
func (c *xconv) number(s, path string) any {
	if xsdDouble.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if !finite(f, err) {
			c.fail(path, "%s is not a finite number (beyond the range of a 64-bit float, ±1.8e308, or INF or NaN): every number in an event must be finite", s)
			return s
		}
		if critmin.Underflows(s, f) {
			c.fail(path, underflowReason, s)
			return s
		}
	}
	return numberOrText(s)
}

// numberOrText returns a json.Number for a decimal literal, the text
// otherwise (the schema then names it as not a number).
func numberOrText(s string) any {
	if _, err := strconv.ParseFloat(s, 64); err == nil && s != "" && !strings.ContainsAny(s, "xXnNiI_") {
		if json.Valid([]byte(s)) {
			return json.Number(s)
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return s
}

func isNil(e *xnode) bool {
	for _, a := range e.attrs {
		if a.Name.Space == xsiNamespace && a.Name.Local == "nil" && (a.Value == "true" || a.Value == "1") {
			return true
		}
	}
	return false
}

func boolOrText(s string) any {
	switch s {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	return s
}

// sortedKeys lists a map's keys in order.
func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PreHash returns the CBV 2.0 pre-hash string of event i as the document
// carries it (with its own @context where it has one).
func (d *Document) PreHash(i int) string {
	m, _ := d.Events[i].(map[string]any)
	ctx := d.Context
	if inner, ok := m["@context"]; ok && !d.single {
		ctx = ctx.merge(parseContext(inner))
	}
	return PreHash(m, ctx)
}

// xsdContent is what the EPCIS XML schemas (EPCglobal-epcis-2_0.xsd and
// the query and master-data schemas; the 1.2 schemas alike) let a
// standard element hold beside what the mapping reads: attrs are the
// unqualified attributes its type declares, anyAttr whether the type has
// xsd:anyAttribute.
type xsdContent struct {
	attrs   []string
	anyAttr bool
}

// noAttrs is an element whose XSD type declares no attribute and no
// xsd:anyAttribute (ReadPointType, EPCListType, QuantityElementType, the
// simple types of text fields, …).
var noAttrs = xsdContent{}

// anyAttrs is an element whose XSD type has xsd:anyAttribute and no
// attribute of its own (EPCISEventType, ILMDType, ErrorDeclarationType,
// the extension types, EPCISHeaderType, EPCISBodyType, EventListType, …).
var anyAttrs = xsdContent{anyAttr: true}

// checkText refuses character data in an element whose XSD type has
// element-only content; whitespace is fine (the reader trims it).
func (c *xconv) checkText(el *xnode, path string) {
	if el.text == "" {
		return
	}
	t := el.text
	if len(t) > 40 {
		t = t[:40] + "…"
	}
	c.fail(path, "text %q is not allowed in <%s>: the EPCIS XML schema gives it element-only content", t, el.name.Local)
}

// checkAttrs judges the attributes of a standard element against its XSD
// type x: namespace declarations and xsi:/xml: attributes are fine, and
// so are the unqualified attributes x declares (which the mapping reads).
// A namespaced attribute where x has xsd:anyAttribute is kept in keep as
// an extension field (its key prefix:local, as an element of that
// namespace would be); with keep nil there is no JSON-LD object to keep
// it in, and it is refused, as is any attribute the schema does not
// allow and an unqualified one the schema admits only through
// anyAttribute (the JSON-LD binding keeps extensions in a namespace,
// EPCIS 2.0 §7.1.2). Each refusal names the attribute's path.
func (c *xconv) checkAttrs(el *xnode, ptr, path string, x xsdContent, keep map[string]any) {
	for _, a := range el.attrs {
		switch {
		case a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns",
			a.Name.Space == xsiNamespace, a.Name.Space == nsXMLDecl, a.Name.Space == "xml":
			continue
		case a.Name.Space == "" && slices.Contains(x.attrs, a.Name.Local):
			continue
		}
		k := c.key(a.Name)
		ap := path + "/@" + k
		switch {
		case a.Name.Space == "" && x.anyAttr:
			c.fail(ap, "attribute %q of <%s> is in no namespace: the EPCIS XML schema admits it (xsd:anyAttribute), but an extension must be in a namespace to be kept (EPCIS 2.0 §7.1.2)", a.Name.Local, el.name.Local)
		case a.Name.Space == "" || !x.anyAttr || standardNamespaces[a.Name.Space]:
			c.fail(ap, "attribute %q is not allowed on <%s> by the EPCIS XML schema", k, el.name.Local)
		case keep == nil:
			c.fail(ap, "extension attribute %q on <%s> cannot be kept: the JSON-LD binding has no object there to hold it", k, el.name.Local)
		default:
			c.note(ptr+"/"+escape(k), ap)
			addValue(keep, k, a.Value)
		}
	}
}

// checkElement applies checkText and checkAttrs to an element-only
// element.
func (c *xconv) checkElement(el *xnode, ptr, path string, x xsdContent, keep map[string]any) {
	c.checkText(el, path)
	c.checkAttrs(el, ptr, path, x, keep)
}
