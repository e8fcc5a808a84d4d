package epcis

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"io"
	"time"

	"github.com/critmin/critmin"
)

// StreamEvent is one event of a streamed document, undecoded: its JSON
// text (a copy, owned by the receiver) and its index in the event list.
type StreamEvent struct {
	Index int
	Raw   []byte
	// Path, when set (an event of an XML document, StreamXML), turns a
	// JSON pointer of the event's errors into its XML element path.
	Path func(pointer string) string
}

// StreamDocument reads an EPCISDocument or EPCISQueryDocument from r
// without holding it in memory: the event list is cut into events, one at
// a time, and each is passed to each in document order (the caller decodes
// it with DecodeRaw, usually in batches). The rest of the document — its
// @context, header and master data — is small, is kept, and is checked
// against the official document schema (with its event list emptied) when
// the end of the document has been read; only then is the returned
// Document complete. An error from each stops the read and is returned.
//
// The event list can be streamed only when "@context" comes before
// "epcisBody", as every EPCIS implementation known to us writes it (and
// the GS1 examples do, and any writer that sorts keys): the events cannot
// be read without their context. A document that puts it after its body
// is still accepted, but its body is held in memory until it is known.
// "type" may come anywhere; the streamed list must match it.
//
// Errors are *critmin.Error with JSON pointers, as ParseDocument's, or the
// reader's own error.
func StreamDocument(r io.Reader, each func(d *Document, e StreamEvent) error) (*Document, error) {
	if err := loadSchemas(); err != nil {
		return nil, fmt.Errorf("epcis: load schemas: %w", err)
	}
	s := &streamer{each: each, top: map[string]any{}}
	// A UTF-8 byte-order mark before the document is ignored (RFC 8259
	// §8.1 allows a parser to).
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	dec := json.NewDecoder(br)
	if err := s.document(dec); err != nil {
		return nil, err
	}
	// Nothing but white space may follow the document. Whatever follows
	// — another JSON value or text that is none ("trailing") — is named
	// by where it starts (0-based byte offset), not by a JSON syntax error
	// about a literal.
	start := dec.InputOffset()
	if buf, err := io.ReadAll(dec.Buffered()); err == nil {
		start += int64(len(buf) - len(bytes.TrimLeft(buf, " \t\r\n")))
	}
	if _, err := dec.Token(); err != io.EOF {
		var se *json.SyntaxError
		if err != nil && !errors.As(err, &se) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, s.syntax(err)
		}
		return nil, critmin.FieldErrorf("body", "data after the end of the document (at byte %d): send one EPCIS document per request, with nothing after its closing }", start)
	}
	if s.doc == nil {
		return nil, critmin.FieldErrorf("/@context", "missing: an EPCIS 2.0 JSON-LD document must carry @context")
	}
	return s.finish()
}

type streamer struct {
	each func(*Document, StreamEvent) error
	dec  *json.Decoder
	// top holds the document's members but its body; body the body's
	// members but the event list (and its parents), decoded.
	top      map[string]any
	body     map[string]any
	qr, rb   map[string]any
	typ      string
	doc      *Document
	deferred json.RawMessage // an epcisBody read before @context or type
	events   int
	// listType is the document type whose event list was streamed (the
	// type may come after the body, as when keys are written sorted).
	listType string
}

// errStop marks an error already in its final form.
type streamErr struct{ err error }

func (e streamErr) Error() string { return e.err.Error() }
func (e streamErr) Unwrap() error { return e.err }

func (s *streamer) syntax(err error) error {
	var re streamErr
	if errors.As(err, &re) {
		return re.err
	}
	var ce *critmin.Error
	if errors.As(err, &ce) {
		return err
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return critmin.FieldErrorf("", "body is not valid JSON: %v", err)
	}
	return err // the reader's (a size limit, a broken connection)
}

// value decodes one JSON value with the checks ParseDocument applies to
// the whole body: valid UTF-8, no lone surrogate, no NUL.
func streamValue(raw []byte, path []any) (any, error) {
	if err := checkText(raw); err != nil {
		return nil, err
	}
	// One pass when the text is clean: decodeJSONValueStrict fails
	// wherever CheckNames would refuse, so only then are CheckNames'
	// walk and the plain decoding needed, for their errors (perf11z).
	v, err := decodeJSONValueStrict(raw)
	if err != nil {
		if err := jsonstrict.CheckNames(raw); err != nil {
			return nil, err
		}
		if v, err = decodeJSONValue(raw); err != nil {
			return nil, critmin.FieldErrorf(pointer(path), "not valid JSON: %v", err)
		}
	}
	// A NUL can reach a decoded string only as the escape \u0000 (a raw
	// NUL byte is not valid JSON text): without either in raw, the walk
	// of the decoded value is skipped (perf11x).
	var nul []critmin.FieldError
	if !mayHoldNUL(raw) {
		return v, nil
	}
	if findNUL(v, path, &nul, 20); len(nul) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: nul[0].Pointer + ": " + nul[0].Reason, Fields: nul}
	}
	return v, nil
}

// mayHoldNUL reports whether JSON text raw can decode to a string
// holding U+0000: it holds a NUL byte or the escape \u0000 (false means
// findNUL would find nothing).
func mayHoldNUL(raw []byte) bool {
	return bytes.IndexByte(raw, 0) >= 0 || bytes.Contains(raw, []byte(`\u0000`))
}

func streamDelim(dec *json.Decoder, want json.Delim, ptr, what string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return critmin.FieldErrorf(ptr, "must be %s", what)
	}
	return nil
}

func streamKey(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", err
	}
	k, _ := t.(string)
	return k, nil
}

func (s *streamer) document(dec *json.Decoder) error {
	s.dec = dec
	t, err := dec.Token()
	if err != nil {
		return s.syntax(err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return critmin.FieldErrorf("", "body must be a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		k, err := streamKey(dec)
		if err != nil {
			return s.syntax(err)
		}
		if err := duplicate(seen, k, "/"+escape(k)); err != nil {
			return err
		}
		if k == "epcisBody" {
			if s.doc == nil {
				// The context comes later: hold the body.
				if err := dec.Decode(&s.deferred); err != nil {
					return s.syntax(err)
				}
				continue
			}
			if err := s.epcisBody(dec); err != nil {
				return s.syntax(err)
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return s.syntax(err)
		}
		v, err := streamValue(raw, []any{k})
		if err != nil {
			return err
		}
		s.top[k] = v
		switch k {
		case "@context":
			s.doc = &Document{Context: parseContext(v)}
			s.doc.Type = s.typ
		case "type":
			s.typ, _ = v.(string)
			if err := s.checkType(); err != nil {
				return err
			}
			if s.doc != nil {
				s.doc.Type = s.typ
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return s.syntax(err)
	}
	if s.deferred != nil {
		if s.doc == nil {
			return critmin.FieldErrorf("/@context", "missing: an EPCIS 2.0 JSON-LD document must carry @context")
		}
		if err := s.checkType(); err != nil {
			return err
		}
		inner := json.NewDecoder(bytes.NewReader(s.deferred))
		s.deferred = nil
		if err := s.epcisBody(inner); err != nil {
			return s.syntax(err)
		}
	}
	return nil
}

func (s *streamer) checkType() error {
	switch s.typ {
	case "EPCISDocument", "EPCISQueryDocument":
		return nil
	case "":
		return critmin.FieldErrorf("/type", "missing: expected EPCISDocument or EPCISQueryDocument")
	}
	return critmin.FieldErrorf("/type", "unknown document type %q: expected EPCISDocument or EPCISQueryDocument", s.typ)
}

// epcisBody reads the body, streaming the event list the type names.
func (s *streamer) epcisBody(dec *json.Decoder) error {
	s.body = map[string]any{}
	s.top["epcisBody"] = s.body
	// The header, when it came first, is known before any event: its
	// master data can be stored (and audited) ahead of them.
	s.doc.Master = parseMasterData(s.top, s.doc.Context)
	if err := streamDelim(dec, '{', "/epcisBody", "an object"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		k, err := streamKey(dec)
		if err != nil {
			return err
		}
		if err := duplicate(seen, k, "/epcisBody/"+escape(k)); err != nil {
			return streamErr{err}
		}
		switch {
		case k == "eventList" && s.typ != "EPCISQueryDocument" && s.listType == "":
			s.listType = "EPCISDocument"
			s.doc.EventPointer = "/epcisBody/eventList"
			s.body[k] = []any{}
			if err := s.eventList(dec); err != nil {
				return err
			}
		case k == "queryResults" && s.typ != "EPCISDocument" && s.listType == "":
			s.listType = "EPCISQueryDocument"
			s.qr = map[string]any{}
			s.body[k] = s.qr
			if err := s.object(dec, "/epcisBody/queryResults", s.qr, "resultsBody", func() error {
				s.rb = map[string]any{}
				s.qr["resultsBody"] = s.rb
				return s.object(dec, "/epcisBody/queryResults/resultsBody", s.rb, "eventList", func() error {
					s.doc.EventPointer = "/epcisBody/queryResults/resultsBody/eventList"
					s.rb["eventList"] = []any{}
					return s.eventList(dec)
				})
			}); err != nil {
				return err
			}
		default:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return err
			}
			v, err := streamValue(raw, []any{"epcisBody", k})
			if err != nil {
				return streamErr{err}
			}
			s.body[k] = v
		}
	}
	_, err := dec.Token()
	return err
}

// object reads an object into into, handing the member named special to
// fn (which must consume its value).
func (s *streamer) object(dec *json.Decoder, ptr string, into map[string]any, special string, fn func() error) error {
	if err := streamDelim(dec, '{', ptr, "an object"); err != nil {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		k, err := streamKey(dec)
		if err != nil {
			return err
		}
		if err := duplicate(seen, k, ptr+"/"+escape(k)); err != nil {
			return streamErr{err}
		}
		if k == special {
			if err := fn(); err != nil {
				return err
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		v, err := streamValue(raw, nil)
		if err != nil {
			return streamErr{err}
		}
		into[k] = v
	}
	_, err := dec.Token()
	return err
}

func (s *streamer) eventList(dec *json.Decoder) error {
	if err := streamDelim(dec, '[', s.doc.EventPointer, "an array of events"); err != nil {
		return err
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := s.each(s.doc, StreamEvent{Index: s.events, Raw: raw}); err != nil {
			return streamErr{err}
		}
		s.events++
	}
	_, err := dec.Token()
	return err
}

// finish checks the document without its events against the schema and
// reads its master data.
func (s *streamer) finish() (*Document, error) {
	if err := s.checkType(); err != nil {
		return nil, err
	}
	if s.listType != "" && s.listType != s.typ {
		// The events were read as the other type's list: the document is
		// refused whole (nothing is committed before this check).
		if s.typ == "EPCISDocument" {
			return nil, critmin.FieldErrorf("/epcisBody/queryResults", "an EPCISDocument carries its events in epcisBody.eventList, not in queryResults")
		}
		return nil, critmin.FieldErrorf("/epcisBody/eventList", "an EPCISQueryDocument carries its events in epcisBody.queryResults.resultsBody.eventList")
	}
	if err := checkHeader(s.top, s.doc); err != nil {
		return nil, err
	}
	return s.doc, nil
}

// DecodeRaw decodes and validates one streamed event of d, as Decode does
// for a parsed one; it also applies the text checks ParseDocument makes
// on a whole body (UTF-8, lone surrogates, NUL characters).
func (d *Document) DecodeRaw(e StreamEvent, now time.Time) (*critmin.Event, *critmin.Error) {
	ptr := d.Pointer(e.Index)
	if len(e.Raw) > MaxEventBytes {
		return nil, eventBytesError(ptr, e.Index, len(e.Raw))
	}
	v, err := streamValue(e.Raw, nil)
	if err != nil {
		var ce *critmin.Error
		if errors.As(err, &ce) {
			// Pointers inside the event become pointers in the document.
			out := &critmin.Error{Code: ce.Code, Message: ce.Message}
			for _, f := range ce.Fields {
				out.Fields = append(out.Fields, critmin.FieldError{Pointer: ptr + f.Pointer, Reason: f.Reason})
			}
			if len(out.Fields) == 0 {
				out.Fields = []critmin.FieldError{{Pointer: ptr, Reason: ce.Message}}
			}
			out.Message = fmt.Sprintf("event %d is invalid: %s: %s", e.Index, out.Fields[0].Pointer, out.Fields[0].Reason)
			return nil, out
		}
		return nil, critmin.FieldErrorf(ptr, "%v", err)
	}
	return d.decodeValue(v, e.Index, now)
}

// duplicate refuses a member name given twice in one object: a streamed
// list cannot be taken back, and which of two values counts is left open
// by RFC 8259 §4, so neither is guessed.
func duplicate(seen map[string]bool, k, ptr string) error {
	if seen[k] {
		return critmin.FieldErrorf(ptr, "member %q appears twice in the same object", k)
	}
	seen[k] = true
	return nil
}
