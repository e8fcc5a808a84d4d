package epcis

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/critmin/critmin"
)

// StreamXML reads an EPCIS 2.0 or 1.2 XML document (EPCISDocument or
// EPCISQueryDocument) from r without holding it in memory, as
// StreamDocument reads the JSON binding: the XML token stream
// (encoding/xml's Decoder) is read element by element; each event of an
// EventList is read as a tree of its own, mapped onto the JSON-LD binding
// exactly as FromXML maps it, and passed to each as its JSON text, in
// document order, then dropped. The rest of the document — root, header
// and master data — is small and kept; when its end has been read it is
// mapped and validated as FromXML and ParseDocument validate a whole
// document (with its event list emptied), and only then is the returned
// Document complete.
//
// Each StreamEvent carries Path, which turns the JSON pointers of its
// validation errors into XML element paths. An event's path always gives
// its position among the EventList's elements of its name
// ("…/EventList/ObjectEvent[3]"), since whether a name repeats is not
// known until the list ends; FromXML writes "[i]" only where it does.
//
// The Document passed to each has the context of the namespaces declared
// so far (a namespace keeps its prefix once given, so a later event can
// only add prefixes) and the master data of the header read so far.
// Errors of the document itself (unknown elements, undeclared namespace
// prefixes, a broken header) are returned as one EINVALID error naming
// XML paths, after the whole document has been read.
func StreamXML(r io.Reader, each func(d *Document, e StreamEvent) error) (*Document, error) {
	if err := loadSchemas(); err != nil {
		return nil, fmt.Errorf("epcis: load schemas: %w", err)
	}
	// Any declared encoding, transcoded; a byte-order mark dropped.
	s := &xmlStreamer{c: &xconv{prefixOf: map[string]string{}, nsOf: map[string]string{}, stdUsed: map[string]bool{}, paths: map[string]string{}}, dec: newXMLDecoder(r), each: each}
	if err := s.read(); err != nil {
		return nil, err
	}
	return s.finish()
}

// xmlStreamer is the state of one streamed XML document.
type xmlStreamer struct {
	c    *xconv
	dec  *xml.Decoder
	each func(*Document, StreamEvent) error
	root *xnode
	// open is the path of elements from the root to the current one.
	open []*openNode
	doc  *Document
	ns   int // namespaces the document's context was made with
	n    int // events passed on
}

// openNode is an element being read outside any event.
type openNode struct {
	n    *xnode
	text strings.Builder
	path string
	// seen counts the children of each key so far, for their labels.
	seen map[string]int
	// inList: an EventList, or an <extension> inside one (EPCIS 1.2
	// carries TransformationEvent there): its event children are streamed.
	inList bool
}

func (s *xmlStreamer) read() error {
	for {
		tok, err := s.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return s.readErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if s.root != nil && len(s.open) == 0 {
				return critmin.FieldErrorf("", "not well-formed XML: more than one root element")
			}
			if len(s.open) >= maxXMLDepth {
				return critmin.FieldErrorf("", "XML nested deeper than %d elements", maxXMLDepth)
			}
			s.declare(t)
			var scope map[string]string
			if len(s.open) > 0 {
				scope = s.open[len(s.open)-1].n.scope
			}
			n := newXNode(t, scope)
			if len(s.open) == 0 {
				s.root = n
				n.label = n.name.Local
				s.open = append(s.open, &openNode{n: n, path: "/" + n.name.Local, seen: map[string]int{}})
				continue
			}
			parent := s.open[len(s.open)-1]
			k := s.c.key(t.Name)
			parent.seen[k]++
			if _, isEvent := typeKeys[t.Name.Local]; isEvent && parent.inList && !s.c.isUser(t.Name) {
				label := fmt.Sprintf("%s[%d]", k, parent.seen[k])
				if err := s.event(t, parent.n.scope, parent.path+"/"+label, label); err != nil {
					return err
				}
				continue
			}
			label := k
			if parent.seen[k] > 1 {
				label = fmt.Sprintf("%s[%d]", k, parent.seen[k])
			}
			n.label = label
			parent.n.children = append(parent.n.children, n)
			if parent.inList && (t.Name.Local != "extension" || s.c.isUser(t.Name)) {
				// Neither an event nor a wrapper of events: refused by
				// name when the document is mapped (eventList), so its
				// content is skipped rather than kept.
				if err := s.dec.Skip(); err != nil {
					return s.readErr(err)
				}
				continue
			}
			inList := !s.c.isUser(t.Name) && (t.Name.Local == "EventList" || t.Name.Local == "extension" && parent.inList)
			s.open = append(s.open, &openNode{n: n, path: parent.path + "/" + label, seen: map[string]int{}, inList: inList})
		case xml.CharData:
			if len(s.open) > 0 {
				s.open[len(s.open)-1].text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return critmin.FieldErrorf("", "not well-formed XML: text outside the root element")
			}
		case xml.EndElement:
			top := s.open[len(s.open)-1]
			top.n.text = strings.TrimSpace(top.text.String())
			s.open = s.open[:len(s.open)-1]
		}
	}
	if s.root == nil {
		return critmin.FieldErrorf("", "not XML: no root element")
	}
	return nil
}

// readErr keeps a reader's own error (past the size limit, a client gone)
// as it is, and names a syntax error as one.
func (s *xmlStreamer) readErr(err error) error {
	if ce := xmlDecodeError(err); ce != nil {
		return ce
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return critmin.FieldErrorf("", "not well-formed XML: %v", err)
	}
	// encoding/xml's own refusals of the XML declaration (an unsupported
	// version or encoding) are plain errors starting "xml: "; the
	// reader's errors (size limits, I/O) keep their own codes.
	if strings.HasPrefix(err.Error(), "xml: ") {
		return critmin.FieldErrorf("", "XML declaration refused: %v", err)
	}
	return err
}

// declare gives the namespaces an element uses or declares their prefixes
// (collectNamespaces, element by element).
func (s *xmlStreamer) declare(t xml.StartElement) {
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" {
			s.c.declare(a.Name.Local, a.Value)
		}
	}
	if t.Name.Space != "" {
		s.c.declare("ns", t.Name.Space)
	}
	for _, a := range t.Attr {
		if a.Name.Space != "" && a.Name.Space != "xmlns" {
			s.c.declare("ns", a.Name.Space)
		}
	}
}

// event reads one event element whole, maps it and passes it on.
func (s *xmlStreamer) event(start xml.StartElement, scope map[string]string, path, label string) error {
	ev, err := s.subtree(start, scope, len(s.open))
	if err != nil {
		return err
	}
	ev.label = label
	s.c.collectNamespaces(ev)
	s.c.labelTree(ev)
	s.c.checkNamespaces(ev, path)
	if s.doc == nil || len(s.c.nsOf) != s.ns {
		if err := s.provisional(); err != nil {
			return err
		}
	}
	// The event's own pointer → path notes, kept with it until its batch
	// has been validated.
	docPaths := s.c.paths
	s.c.paths = map[string]string{}
	m := s.c.event(ev, s.doc.Pointer(s.n), path)
	evPaths := &XMLDocument{paths: s.c.paths}
	s.c.paths = docPaths
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("epcis: xml: %w", err)
	}
	i := s.n
	s.n++
	return s.each(s.doc, StreamEvent{Index: i, Raw: raw, Path: evPaths.Path})
}

// subtree reads the rest of an element whose start tag was just read.
func (s *xmlStreamer) subtree(start xml.StartElement, scope map[string]string, depth int) (*xnode, error) {
	if depth >= maxXMLDepth {
		return nil, critmin.FieldErrorf("", "XML nested deeper than %d elements", maxXMLDepth)
	}
	n := newXNode(start, scope)
	var text strings.Builder
	for {
		tok, err := s.dec.Token()
		if err == io.EOF {
			return nil, critmin.FieldErrorf("", "not well-formed XML: the document ends inside <%s>", start.Name.Local)
		}
		if err != nil {
			return nil, s.readErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			ch, err := s.subtree(t, n.scope, depth+1)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, ch)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			n.text = strings.TrimSpace(text.String())
			return n, nil
		}
	}
}

// provisional makes the Document the events are decoded with: the
// header's master data and the namespaces read so far. Errors of the
// partial document are left for finish, which reports them once.
func (s *xmlStreamer) provisional() error {
	errs, paths := len(s.c.errs), s.c.paths
	s.c.paths = map[string]string{}
	out := s.c.document(s.root, "/"+s.root.name.Local)
	s.c.errs, s.c.paths = s.c.errs[:errs], paths
	ctx := parseContext(s.c.context())
	d := &Document{Type: fmt.Sprint(out["type"]), Context: ctx, Master: parseMasterData(out, ctx), EventPointer: "/epcisBody/eventList", xml: true}
	if d.Type == "EPCISQueryDocument" {
		d.EventPointer = "/epcisBody/queryResults/resultsBody/eventList"
	}
	if s.doc != nil {
		// Batches still pending keep the same Document: widen it.
		*s.doc = *d
	} else {
		s.doc = d
	}
	s.ns = len(s.c.nsOf)
	return nil
}

// finish maps and validates the document without its events, and reports
// every error of the document itself found while streaming.
func (s *xmlStreamer) finish() (*Document, error) {
	c := s.c
	c.labelTree(s.root)
	rootPath := "/" + s.root.name.Local
	c.checkNamespaces(s.root, rootPath)
	out := c.document(s.root, rootPath)
	out["@context"] = c.context()
	x := &XMLDocument{paths: c.paths}
	if len(c.errs) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: c.errs[0].Pointer + ": " + c.errs[0].Reason, Fields: c.errs}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("epcis: xml: %w", err)
	}
	doc, err := ParseXMLDocument(b, false)
	if err != nil {
		return nil, x.Translate(err)
	}
	if s.doc != nil {
		*s.doc = *doc
		return s.doc, nil
	}
	return doc, nil
}
