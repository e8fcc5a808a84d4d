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

// EPCFormat is a value of the GS1-EPC-Format request header (EPCIS 2.0
// REST binding, openapi.yaml components/parameters/GS1-EPC-Format): the
// form of the identifiers in query results.
type EPCFormat string

// The GS1-EPC-Format values. Without the header the binding's default,
// Always_GS1_Digital_Link, applies.
const (
	AlwaysDigitalLink EPCFormat = "Always_GS1_Digital_Link"
	AlwaysEPCURN      EPCFormat = "Always_EPC_URN"
	NeverTranslates   EPCFormat = "Never_Translates"
	NoPreference      EPCFormat = "No_Preference"
)

// ParseEPCFormat reads the GS1-EPC-Format header; empty means the
// default, Always_GS1_Digital_Link. Another value is EINVALID naming the
// header.
func ParseEPCFormat(h string) (EPCFormat, error) {
	switch f := EPCFormat(strings.TrimSpace(h)); f {
	case "":
		return AlwaysDigitalLink, nil
	case AlwaysDigitalLink, AlwaysEPCURN, NeverTranslates, NoPreference:
		return f, nil
	}
	return "", critmin.FieldErrorf("GS1-EPC-Format", "%q is not one of Always_GS1_Digital_Link, Always_EPC_URN, Never_Translates, No_Preference", h)
}

// GCPLengths maps GS1 prefixes to the length of the GS1 Company Prefixes
// that start with them, as GS1's "GCP length" table does
// (gcpprefixformatlist); the longest matching prefix wins. Writing a
// Digital Link as an EPC URN needs it. The zero value knows no lengths.
type GCPLengths struct {
	byPrefix map[string]int
	longest  int
}

// Len returns the GS1 Company Prefix length of a key, if the table knows it.
func (g *GCPLengths) Len(k Key) (int, bool) {
	if g == nil {
		return 0, false
	}
	digits := k.CompanyPrefix()
	for n := min(g.longest, len(digits)); n > 0; n-- {
		if l, ok := g.byPrefix[digits[:n]]; ok {
			return l, true
		}
	}
	return 0, false
}

// LoadGCPLengths reads GS1's GCP length table, in its XML form
// (<GCPPrefixFormatList><entry prefix="…" gcpLength="…"/>…) or its JSON
// form ({"GCPPrefixFormatList": {"entry": [{"prefix": "…", "gcpLength":
// N}, …]}}). Every prefix must be digits and every length 6 to 12.
func LoadGCPLengths(r io.Reader) (*GCPLengths, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	type entry struct {
		Prefix    string      `xml:"prefix,attr" json:"prefix"`
		GCPLength json.Number `xml:"gcpLength,attr" json:"gcpLength"`
	}
	var entries []entry
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
		var doc struct {
			List struct {
				Entry []entry `json:"entry"`
			} `json:"GCPPrefixFormatList"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, fmt.Errorf("GCP length table: %w", err)
		}
		entries = doc.List.Entry
	} else {
		var doc struct {
			Entry []entry `xml:"entry"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			return nil, fmt.Errorf("GCP length table: %w", err)
		}
		entries = doc.Entry
	}
	g := &GCPLengths{byPrefix: map[string]int{}}
	for i, e := range entries {
		n, err := strconv.Atoi(e.GCPLength.String())
		if !allDigits(e.Prefix) || err != nil || n < 6 || n > 12 {
			return nil, fmt.Errorf("GCP length table: entry %d (prefix %q, length %q) is not a digit prefix with a length of 6 to 12", i, e.Prefix, e.GCPLength)
		}
		g.byPrefix[e.Prefix] = n
		g.longest = max(g.longest, len(e.Prefix))
	}
	if len(g.byPrefix) == 0 {
		return nil, fmt.Errorf("GCP length table: no entries")
	}
	return g, nil
}

// Translate writes one identifier in the form f asks for: the canonical
// Digital Link for Always_GS1_Digital_Link; the EPC URN for
// Always_EPC_URN, when the identifier is already a URN or the GCP length
// of a Digital Link is known (else it stays a Digital Link: the URN cannot
// be written without it); as captured otherwise. Identifiers that are not
// GS1 keys never change.
func Translate(id string, f EPCFormat, gcp *GCPLengths) string {
	switch f {
	case AlwaysDigitalLink:
		if dl, ok := NormaliseGS1(id); ok {
			return dl
		}
		return id
	case AlwaysEPCURN:
		if len(id) > 8 && strings.EqualFold(id[:8], "urn:epc:") {
			return id
		}
		k, ok := ParseKey(id)
		if !ok {
			return id
		}
		if n, ok := gcp.Len(k); ok {
			if urn, ok := k.ToURN(n); ok {
				return urn
			}
		}
		return k.DigitalLink()
	}
	return id
}

// identifierLists and identifierObjects name the event fields that hold
// identifiers (EPCIS 2.0 §7.3.3–7.3.5): lists of EPCs, and objects with
// the field holding the identifier.
var (
	identifierLists   = []string{"epcList", "childEPCs", "inputEPCList", "outputEPCList"}
	quantityLists     = []string{"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
	identifierObjects = map[string]string{"readPoint": "id", "bizLocation": "id"}
	identifierEntries = map[string]string{"sourceList": "source", "destinationList": "destination", "bizTransactionList": "bizTransaction"}
)

// TranslateEvent rewrites the identifiers of one stored event (its JSON)
// in the form f asks for; numbers keep their text. Never_Translates and
// No_Preference return the event as captured.
func TranslateEvent(raw json.RawMessage, f EPCFormat, gcp *GCPLengths) (json.RawMessage, error) {
	if f != AlwaysDigitalLink && f != AlwaysEPCURN {
		return raw, nil
	}
	if !needsTranslation(raw, f, gcp) {
		// Most events name no GS1 key, or name them already in the form
		// asked for: they are returned as stored, without the decoding
		// and re-encoding below (a quarter of a query's CPU under load,
		// docs/benchmarks.md).
		return raw, nil
	}
	return translateAll(raw, f, gcp)
}

// translateAll rewrites every identifier field of an event in form f.
func translateAll(raw json.RawMessage, f EPCFormat, gcp *GCPLengths) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	tr := func(v any) any {
		if s, ok := v.(string); ok {
			return Translate(s, f, gcp)
		}
		return v
	}
	for _, k := range identifierLists {
		if l, ok := m[k].([]any); ok {
			for i := range l {
				l[i] = tr(l[i])
			}
		}
	}
	for _, k := range quantityLists {
		if l, ok := m[k].([]any); ok {
			for _, e := range l {
				if q, ok := e.(map[string]any); ok {
					if _, has := q["epcClass"]; has {
						q["epcClass"] = tr(q["epcClass"])
					}
				}
			}
		}
	}
	if _, has := m["parentID"]; has {
		m["parentID"] = tr(m["parentID"])
	}
	for k, field := range identifierObjects {
		if o, ok := m[k].(map[string]any); ok {
			if _, has := o[field]; has {
				o[field] = tr(o[field])
			}
		}
	}
	for k, field := range identifierEntries {
		if l, ok := m[k].([]any); ok {
			for _, e := range l {
				if o, ok := e.(map[string]any); ok {
					if _, has := o[field]; has {
						o[field] = tr(o[field])
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// eventIDs are the identifier fields TranslateEvent rewrites (the lists
// above), read without the rest of the event.
type eventIDs struct {
	EPCList            []string   `json:"epcList"`
	ChildEPCs          []string   `json:"childEPCs"`
	InputEPCList       []string   `json:"inputEPCList"`
	OutputEPCList      []string   `json:"outputEPCList"`
	QuantityList       []classRef `json:"quantityList"`
	ChildQuantityList  []classRef `json:"childQuantityList"`
	InputQuantityList  []classRef `json:"inputQuantityList"`
	OutputQuantityList []classRef `json:"outputQuantityList"`
	ParentID           string     `json:"parentID"`
	ReadPoint          *idRef     `json:"readPoint"`
	BizLocation        *idRef     `json:"bizLocation"`
	SourceList         []entryRef `json:"sourceList"`
	DestinationList    []entryRef `json:"destinationList"`
	BizTransactionList []entryRef `json:"bizTransactionList"`
}

type classRef struct {
	EPCClass string `json:"epcClass"`
}

type idRef struct {
	ID string `json:"id"`
}

type entryRef struct {
	Source         string `json:"source"`
	Destination    string `json:"destination"`
	BizTransaction string `json:"bizTransaction"`
}

// needsTranslation reports whether any identifier of the event would be
// written differently in form f. When in doubt (the fields do not decode
// as expected) it says yes, so that TranslateEvent does the full rewrite.
func needsTranslation(raw json.RawMessage, f EPCFormat, gcp *GCPLengths) bool {
	// ParseKey knows GS1 keys only as "urn:epc:" URNs (any case) and
	// http(s) Digital Links; an event whose text holds neither names no
	// key. JSON escapes could hide them, so an event with "\u" escapes
	// goes on to the full check.
	if !bytes.Contains(raw, []byte(`\u`)) && !bytes.Contains(raw, []byte("http://")) && !bytes.Contains(raw, []byte("https://")) && !containsFold(raw, "urn:epc:") {
		return false
	}
	var e eventIDs
	if err := json.Unmarshal(raw, &e); err != nil {
		return true
	}
	changes := func(id string) bool { return id != "" && Translate(id, f, gcp) != id }
	for _, l := range [][]string{e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList} {
		for _, id := range l {
			if changes(id) {
				return true
			}
		}
	}
	for _, l := range [][]classRef{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range l {
			if changes(q.EPCClass) {
				return true
			}
		}
	}
	if changes(e.ParentID) || (e.ReadPoint != nil && changes(e.ReadPoint.ID)) || (e.BizLocation != nil && changes(e.BizLocation.ID)) {
		return true
	}
	for _, l := range [][]entryRef{e.SourceList, e.DestinationList, e.BizTransactionList} {
		for _, x := range l {
			if changes(x.Source) || changes(x.Destination) || changes(x.BizTransaction) {
				return true
			}
		}
	}
	return false
}

// containsFold reports whether b holds s (ASCII) in any case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if b[i]|0x20 == s[0]|0x20 && bytes.EqualFold(b[i:i+len(s)], []byte(s)) {
			return true
		}
	}
	return false
}
