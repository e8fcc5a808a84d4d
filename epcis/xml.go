package epcis

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
)

// xmlEvents reads the events of an EPCIS 2.0 XML document into the same
// shape as the JSON binding, for hashing: the hash of an event must not
// depend on its serialisation. Extension elements and attributes become
// "{namespace}localName" keys.
func xmlEvents(body []byte) ([]map[string]any, error) {
	dec := newXMLDecoder(bytes.NewReader(body))
	var events []map[string]any
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ce := xmlDecodeError(err); ce != nil {
				return nil, ce
			}
			return nil, critmin.FieldErrorf("", "not XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if _, isEvent := typeKeys[se.Name.Local]; isEvent && se.Name.Space == "" {
			el, err := readElement(dec, se)
			if err != nil {
				return nil, err
			}
			events = append(events, xmlEvent(el))
		}
	}
	if len(events) == 0 {
		return nil, critmin.FieldErrorf("", "no EPCIS events found in the XML document")
	}
	return events, nil
}

// element is a parsed XML element.
type element struct {
	name     xml.Name
	attrs    []xml.Attr
	text     string
	children []*element
}

func readElement(dec *xml.Decoder, start xml.StartElement) (*element, error) {
	el := &element{name: start.Name, attrs: start.Attr}
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("epcis: xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			c, err := readElement(dec, t)
			if err != nil {
				return nil, err
			}
			el.children = append(el.children, c)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			el.text = strings.TrimSpace(text.String())
			return el, nil
		}
	}
}

func key(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

// xmlEvent maps an event element to the JSON binding's structure.
func xmlEvent(el *element) map[string]any {
	m := map[string]any{"type": el.name.Local}
	xmlEventFields(m, el)
	return m
}

// xmlEventFields reads an event's children into m. The content of the
// unqualified <extension> and <baseExtension> wrappers (EPCIS 1.2, and
// reserved in the 2.0 XSD) belongs to the event itself, as in the JSON
// binding, which has no such wrappers: an event hashes alike in both.
func xmlEventFields(m map[string]any, el *element) {
	for _, c := range el.children {
		k := key(c.name)
		switch k {
		case "extension", "baseExtension":
			xmlEventFields(m, c)
		case "epcList", "childEPCs", "inputEPCList", "outputEPCList":
			var l []any
			for _, e := range c.children {
				l = append(l, e.text)
			}
			m[k] = l
		case "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList":
			var l []any
			for _, q := range c.children {
				l = append(l, xmlObject(q))
			}
			m[k] = l
		case "bizTransactionList", "sourceList", "destinationList":
			var l []any
			for _, e := range c.children {
				o := map[string]any{key(e.name): e.text}
				for _, a := range e.attrs {
					o[key(a.Name)] = a.Value
				}
				l = append(l, o)
			}
			m[k] = l
		case "sensorElementList":
			var l []any
			for _, se := range c.children {
				o := map[string]any{}
				var reports []any
				for _, part := range se.children {
					switch key(part.name) {
					case "sensorMetadata":
						o["sensorMetadata"] = attrObject(part)
					case "sensorReport":
						reports = append(reports, attrObject(part))
					default:
						addValue(o, key(part.name), xmlValue(part))
					}
				}
				if reports != nil {
					o["sensorReport"] = reports
				}
				l = append(l, o)
			}
			m[k] = l
		case "persistentDisposition":
			o := map[string]any{}
			for _, e := range c.children {
				prev, _ := o[e.name.Local].([]any)
				o[e.name.Local] = append(prev, e.text)
			}
			m[k] = o
		case "errorDeclaration":
			o := map[string]any{}
			for _, e := range c.children {
				if e.name.Local == "correctiveEventIDs" {
					var ids []any
					for _, id := range e.children {
						ids = append(ids, id.text)
					}
					o["correctiveEventIDs"] = ids
					continue
				}
				o[key(e.name)] = xmlValue(e)
			}
			m[k] = o
		default:
			addValue(m, k, xmlValue(c))
		}
	}
}

// addValue sets a key, turning repeated keys into an array.
func addValue(m map[string]any, k string, v any) {
	if prev, ok := m[k]; ok {
		if arr, isArr := prev.([]any); isArr {
			m[k] = append(arr, v)
		} else {
			m[k] = []any{prev, v}
		}
		return
	}
	m[k] = v
}

// xmlValue is an element's text, or an object of its children. Text typed
// numeric with xsi:type becomes a number, as the same value in JSON-LD
// would be; untyped text stays a string (CBV 2.0 §8.9).
func xmlValue(e *element) any {
	if len(e.children) == 0 && !hasDataAttrs(e) {
		for _, a := range e.attrs {
			if a.Name.Space == xsiNamespace && a.Name.Local == "type" {
				_, local, _ := strings.Cut(a.Value, ":")
				if _, err := strconv.ParseFloat(e.text, 64); err == nil && numericXSD(local) {
					return json.Number(e.text)
				}
			}
		}
		return e.text
	}
	return xmlObject(e)
}

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// hasDataAttrs reports whether an element carries attributes other than
// namespace declarations and xsi: ones; an extension element's attributes
// are content like its children.
func hasDataAttrs(e *element) bool {
	for _, a := range e.attrs {
		if a.Name.Space != "xmlns" && !(a.Name.Space == "" && a.Name.Local == "xmlns") && a.Name.Space != xsiNamespace {
			return true
		}
	}
	return false
}

func xmlObject(e *element) map[string]any {
	o := map[string]any{}
	for _, a := range e.attrs {
		if a.Name.Space != "xmlns" && !(a.Name.Space == "" && a.Name.Local == "xmlns") && a.Name.Space != xsiNamespace {
			addValue(o, key(a.Name), a.Value)
		}
	}
	for _, c := range e.children {
		addValue(o, key(c.name), xmlValue(c))
	}
	if len(e.children) == 0 && e.text != "" {
		o["@value"] = e.text
	}
	return o
}

// attrObject reads a sensor element's attributes (EPCIS 2.0 XML carries
// sensorMetadata and sensorReport fields as attributes).
func attrObject(e *element) map[string]any {
	o := map[string]any{}
	for _, a := range e.attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		o[key(a.Name)] = a.Value
	}
	return o
}
