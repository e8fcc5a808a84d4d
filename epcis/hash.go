package epcis

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The EPCIS Event Hash ID (CBV 2.0 §8.9): a pre-hash string of the event's
// content in a canonical order and form, hashed with SHA-256 and written
// "ni:///sha-256;<hex>?ver=CBV2.0". Two serialisations of one event hash
// alike; any change of content changes the hash. The output is checked
// against the vectors of the algorithm's reference implementation
// (shared/epcis/hash-vectors).
//
// The pre-hash has two parts. First the standard fields in their canonical
// order: eventTime, eventTimeZoneOffset, the EPC and quantity lists,
// action, transformationID, bizStep, disposition, persistentDisposition,
// readPoint, bizLocation and sensorElementList. Then, sorted as strings,
// everything else: bizTransactionList, sourceList, destinationList, ilmd,
// errorDeclaration and user extensions ("{namespace}localName=value").
// Lists are sorted; timestamps are UTC with milliseconds; numbers lose
// trailing zeros; CBV values (bare, URN or CURIE) become GS1 Web URIs; EPC
// URIs become canonical GS1 Digital Link URIs. recordTime, eventID and
// certificationInfo are not part of the hash.

// orderedFields are the standard fields hashed in canonical order.
var orderedFields = []string{"eventTime", "eventTimeZoneOffset", "epcList", "parentID", "inputEPCList", "childEPCs", "quantityList", "childQuantityList",
	"inputQuantityList", "outputEPCList", "outputQuantityList", "action", "transformationID", "bizStep", "disposition", "persistentDisposition",
	"readPoint", "bizLocation", "sensorElementList"}

// excluded fields never enter the hash.
var excluded = map[string]bool{"@context": true, "type": true, "recordTime": true, "eventID": true, "certificationInfo": true}

var (
	metadataOrder = []string{"time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"}
	reportOrder   = []string{"type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time", "microorganism", "chemicalSubstance",
		"value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem"}
	gs1VocPrefixes = []string{"gs1:", "https://gs1.org/voc/", "https://ref.gs1.org/voc/"}
)

type hasher struct {
	ctx *Context
}

// PreHash returns an event's pre-hash string. ctx supplies the prefixes
// of user extensions.
func PreHash(event map[string]any, ctx *Context) string {
	h := hasher{ctx: ctx}
	typ, _ := event["type"].(string)
	var b strings.Builder
	b.WriteString("eventType=" + typ)
	for _, f := range orderedFields {
		v, ok := event[f]
		if !ok {
			continue
		}
		b.WriteString(h.ordered(f, v))
	}
	var rest []string
	for k, v := range event {
		if excluded[k] || contains(orderedFields, k) {
			continue
		}
		switch k {
		case "bizTransactionList":
			rest = append(rest, k+h.typedList(v, "bizTransaction", bizTxnTypeVocab))
		case "sourceList":
			rest = append(rest, k+h.typedList(v, "source", srcDestTypeVocab))
		case "destinationList":
			rest = append(rest, k+h.typedList(v, "destination", srcDestTypeVocab))
		case "ilmd":
			rest = append(rest, k+h.extObject(v))
		case "errorDeclaration":
			rest = append(rest, k+h.errorDecl(v))
		default:
			rest = append(rest, h.ext(k, v))
		}
	}
	sort.Strings(rest)
	for _, r := range rest {
		b.WriteString(r)
	}
	return b.String()
}

// HashID returns the CBV 2.0 event hash ID of a pre-hash string.
func HashID(preHash string) string {
	sum := sha256.Sum256([]byte(preHash))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (h hasher) ordered(f string, v any) string {
	switch f {
	case "eventTime":
		return f + "=" + hashTime(scalarString(v))
	case "epcList", "inputEPCList", "childEPCs", "outputEPCList":
		return f + sortedJoin(list(v), func(x any) string { return "epc=" + h.value(x) })
	case "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList":
		return f + sortedJoin(list(v), func(x any) string {
			m, _ := x.(map[string]any)
			return "quantityElement" + h.fields(m, []string{"epcClass", "quantity", "uom"})
		})
	case "bizStep":
		return f + "=" + vocabURI(scalarString(v), bizStepVocab)
	case "disposition":
		return f + "=" + vocabURI(scalarString(v), dispositionVocab)
	case "persistentDisposition":
		m, _ := v.(map[string]any)
		out := f
		for _, k := range []string{"set", "unset"} {
			out += sortedJoin(list(m[k]), func(x any) string { return k + "=" + vocabURI(scalarString(x), dispositionVocab) })
		}
		return out
	case "readPoint", "bizLocation":
		m, _ := v.(map[string]any)
		return f + h.fields(m, []string{"id"})
	case "sensorElementList":
		return f + sortedJoin(list(v), func(x any) string {
			m, _ := x.(map[string]any)
			out := "sensorElement"
			if md, ok := m["sensorMetadata"].(map[string]any); ok {
				out += "sensorMetadata" + h.fields(md, metadataOrder)
			}
			out += sortedJoin(list(m["sensorReport"]), func(r any) string {
				rm, _ := r.(map[string]any)
				return "sensorReport" + h.fields(rm, reportOrder)
			})
			var extra []string
			for k, val := range m {
				if k != "sensorMetadata" && k != "sensorReport" {
					extra = append(extra, h.ext(k, val))
				}
			}
			sort.Strings(extra)
			return out + strings.Join(extra, "")
		})
	}
	return f + "=" + h.value(v)
}

// fields writes the named fields of an object in order, then its other
// (extension) fields sorted.
func (h hasher) fields(m map[string]any, order []string) string {
	var b strings.Builder
	for _, k := range order {
		v, ok := m[k]
		if !ok {
			continue
		}
		switch {
		case k == "type" && contains(reportOrder, "exception"):
			b.WriteString(k + "=" + gs1Voc(scalarString(v)))
		case k == "exception":
			b.WriteString(k + "=" + gs1Voc(scalarString(v)))
		case strings.Contains(strings.ToLower(k), "time") && !strings.Contains(strings.ToLower(k), "offset"):
			b.WriteString(k + "=" + hashTime(scalarString(v)))
		default:
			b.WriteString(k + "=" + h.value(v))
		}
	}
	var extra []string
	for k, v := range m {
		if !contains(order, k) {
			extra = append(extra, h.ext(k, v))
		}
	}
	sort.Strings(extra)
	return b.String() + strings.Join(extra, "")
}

// typedList writes bizTransaction, source or destination elements: each
// "type=<CBV URI>" then the identifier, the elements sorted.
func (h hasher) typedList(v any, idKey string, vocab *vocabulary) string {
	return sortedJoin(list(v), func(x any) string {
		m, _ := x.(map[string]any)
		out := ""
		if t, ok := m["type"]; ok {
			out += "type=" + vocabURI(scalarString(t), vocab)
		}
		if id, ok := m[idKey]; ok {
			out += idKey + "=" + h.value(id)
		}
		return out
	})
}

func (h hasher) errorDecl(v any) string {
	m, _ := v.(map[string]any)
	var parts []string
	for k, val := range m {
		switch k {
		case "declarationTime":
			parts = append(parts, k+"="+hashTime(scalarString(val)))
		case "reason":
			parts = append(parts, k+"="+vocabURI(scalarString(val), errReasonVocab))
		case "correctiveEventIDs":
			for _, id := range list(val) {
				parts = append(parts, k+"="+scalarString(id))
			}
		default:
			parts = append(parts, h.ext(k, val))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "")
}

// ext writes a user extension: "{ns}local=value", or "{ns}local" and its
// children sorted; an array repeats the key per element.
func (h hasher) ext(key string, v any) string {
	name := h.expandKey(key)
	if arr, ok := v.([]any); ok {
		parts := make([]string, len(arr))
		for i, e := range arr {
			parts[i] = h.ext(key, e)
		}
		sort.Strings(parts)
		return strings.Join(parts, "")
	}
	if m, ok := v.(map[string]any); ok {
		return name + h.extObject(m)
	}
	return name + "=" + h.value(v)
}

func (h hasher) extObject(v any) string {
	m, _ := v.(map[string]any)
	var parts []string
	for k, val := range m {
		if strings.HasPrefix(k, "@") {
			continue
		}
		parts = append(parts, h.ext(k, val))
	}
	sort.Strings(parts)
	return strings.Join(parts, "")
}

// expandKey writes an extension key as "{namespace}localName": the
// namespace a prefix stands for, or a full IRI split after its last "/" or
// "#". Keys already in that form (from XML) pass through.
func (h hasher) expandKey(key string) string {
	if strings.HasPrefix(key, "{") {
		return key
	}
	if prefix, local, found := strings.Cut(key, ":"); found {
		if ns, ok := h.ctx.prefixes[prefix]; ok {
			return "{" + ns + "}" + local
		}
		if ns, ok := standardPrefixes[prefix]; ok {
			return "{" + ns + "}" + local
		}
	}
	iri, ok := h.ctx.Expand(key)
	if !ok {
		return key
	}
	i := strings.LastIndexAny(iri, "/#")
	if i < 0 {
		return iri
	}
	return "{" + iri[:i+1] + "}" + iri[i+1:]
}

// value canonicalises a scalar: booleans, numbers without trailing zeros,
// GS1 keys as Digital Link, standard CURIEs expanded.
func (h hasher) value(v any) string {
	switch t := v.(type) {
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return pyNumber(t.String())
	case float64:
		return pyNumber(strconv.FormatFloat(t, 'g', -1, 64))
	}
	s := strings.TrimSpace(scalarString(v))
	if n := pyNumber(s); n != s {
		return n
	}
	if dl, ok := NormaliseGS1(s); ok {
		return dl
	}
	for _, p := range []string{"gs1:"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return "https://gs1.org/voc/" + rest
		}
	}
	if rest, ok := strings.CutPrefix(s, "cbv:"); ok {
		return "https://ref.gs1.org/cbv/" + rest
	}
	return s
}

// vocabURI writes a CBV value as its GS1 Web URI; other URIs as given.
func vocabURI(s string, v *vocabulary) string {
	if bare, ok := v.normalize(s); ok {
		return v.webPfx + bare
	}
	return s
}

// gs1Voc writes a GS1 Web Vocabulary term (measurement and alert types).
func gs1Voc(s string) string {
	for _, p := range gs1VocPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return "https://gs1.org/voc/" + rest
		}
	}
	if !strings.Contains(s, ":") {
		return "https://gs1.org/voc/" + s
	}
	return s
}

// hashTime writes a timestamp in UTC with millisecond precision.
func hashTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return t.UTC().Round(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// pyNumber writes a numeric string the way the reference implementation
// does: an integral value without decimals, otherwise the shortest
// representation that round-trips. Non-numbers come back unchanged.
func pyNumber(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(s, "xXpP_") {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	exp := math.Floor(math.Log10(math.Abs(f)))
	if exp < -4 || exp >= 16 {
		out := strconv.FormatFloat(f, 'e', -1, 64)
		// Python writes 1e-05, Go 1e-05: both pad the exponent to 2 digits.
		return out
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func list(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case nil:
		return nil
	}
	return []any{v}
}

func sortedJoin(items []any, render func(any) string) string {
	parts := make([]string, len(items))
	for i, x := range items {
		parts[i] = render(x)
	}
	sort.Strings(parts)
	return strings.Join(parts, "")
}

// HashDocument returns the pre-hash strings and hash IDs of a document's
// events, in document order. It reads EPCIS 2.0 JSON-LD and XML.
func HashDocument(body []byte) (preHashes, hashes []string, err error) {
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '<' {
		events, err := xmlEvents(body)
		if err != nil {
			return nil, nil, err
		}
		ctx := &Context{prefixes: map[string]string{}}
		for _, m := range events {
			p := PreHash(m, ctx)
			preHashes = append(preHashes, p)
			hashes = append(hashes, HashID(p))
		}
		return preHashes, hashes, nil
	}
	doc, err := ParseDocument(body, false)
	if err != nil {
		if d, err2 := ParseDocument(body, true); err2 == nil {
			doc, err = d, nil
		} else {
			return nil, nil, err
		}
	}
	for _, e := range doc.Events {
		m, _ := e.(map[string]any)
		ctx := doc.Context
		if inner, ok := m["@context"]; ok && !doc.single {
			ctx = ctx.merge(parseContext(inner))
		}
		p := PreHash(m, ctx)
		preHashes = append(preHashes, p)
		hashes = append(hashes, HashID(p))
	}
	return preHashes, hashes, nil
}

// HashStored returns the CBV 2.0 hash ID of a stored event (its JSON and
// the @context it was captured with).
func HashStored(raw, context []byte) (string, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return "", err
	}
	return HashID(PreHash(m, parseStored(context))), nil
}
