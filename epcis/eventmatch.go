package epcis

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/critmin/critmin"
)

// This file evaluates the SimpleEventQuery conditions that the store's
// index tables do not hold (EPCIS 2.0 §8.2.7.1): comparisons and EXISTS_
// on user extension fields at the top level of an event, inside ILMD,
// inside an error declaration, inside readPoint and bizLocation, inside
// sensor elements, their metadata and reports — each directly (EQ_ns:f)
// or nested at any depth below such a field (EQ_INNER_ns:f) — the sensor
// parameters, and persistentDisposition. Each condition reads the stored
// event document with every key expanded through the event's own
// @context, so a field matches whatever prefix the capture used.

// matcher is the conjunction of residual conditions of one query.
type matcher struct {
	preds []pred
	// needs are byte strings the stored JSON must hold for the conditions
	// to have a chance (one of each entry): the name of a standard
	// attribute, the local part of an extension field's name (present in
	// its CURIE and in its full IRI alike). An event without them is
	// refused before it is decoded.
	needs [][][]byte

	mu       sync.Mutex
	contexts map[string]*Context // parsed @context bodies, by text
}

type pred func(d *matchDoc) bool

// MatchEvent implements critmin.EventMatcher. An event whose stored
// document cannot be read matches nothing.
func (m *matcher) MatchEvent(ev *critmin.Event) bool {
	for _, alts := range m.needs {
		found := false
		for _, n := range alts {
			if bytes.Contains(ev.Raw, n) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	d, ok := decodeForMatch(ev, m.context(ev.Context))
	if !ok {
		return false
	}
	for _, p := range m.preds {
		if !p(d) {
			return false
		}
	}
	return true
}

// matchDoc is an event document with its keys expanded.
type matchDoc struct {
	top map[string]any
	ctx *Context
}

// context returns the parsed form of a stored @context, parsing each
// distinct one once per query.
func (m *matcher) context(raw json.RawMessage) *Context {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.contexts[string(raw)]; ok {
		return c
	}
	c := &Context{prefixes: map[string]string{}}
	if len(raw) > 0 {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			c = parseContext(v)
		}
	}
	if m.contexts == nil {
		m.contexts = map[string]*Context{}
	}
	m.contexts[string(raw)] = c
	return c
}

func decodeForMatch(ev *critmin.Event, ctx *Context) (*matchDoc, bool) {
	dec := json.NewDecoder(bytes.NewReader(ev.Raw))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, false
	}
	if inner, ok := raw["@context"]; ok {
		ctx = ctx.merge(parseContext(inner))
	}
	top, _ := expandKeys(raw, ctx).(map[string]any)
	return &matchDoc{top: top, ctx: ctx}, top != nil
}

// expandKeys expands every compact key the context (or the standard
// context) declares, drops JSON-LD keywords and unwraps typed literals
// ({"@value": …}).
func expandKeys(v any, ctx *Context) any {
	switch t := v.(type) {
	case map[string]any:
		if val, ok := t["@value"]; ok {
			return val
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			if strings.HasPrefix(k, "@") {
				continue
			}
			if iri, ok := ctx.Expand(k); ok {
				k = iri
			}
			out[k] = expandKeys(e, ctx)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = expandKeys(e, ctx)
		}
		return out
	}
	return v
}

// isExtensionKey reports whether an expanded key names a user extension
// (an IRI) rather than a standard field (a bare name).
func isExtensionKey(k string) bool { return strings.Contains(k, ":") }

// scope names where an extension-field parameter looks (EPCIS 2.0
// §8.2.7.1 and the REST binding's query-schema.json pattern families).
type scope int

const (
	scopeTop scope = iota
	scopeILMD
	scopeErrorDeclaration
	scopeReadPoint
	scopeBizLocation
	scopeSensorElement
	scopeSensorMetadata
	scopeSensorReport
)

// containers returns the objects whose direct keys are the fields of s.
func (d *matchDoc) containers(s scope) []map[string]any {
	obj := func(v any) []map[string]any {
		if m, ok := v.(map[string]any); ok {
			return []map[string]any{m}
		}
		return nil
	}
	switch s {
	case scopeTop:
		return []map[string]any{d.top}
	case scopeILMD:
		return obj(d.top["ilmd"])
	case scopeErrorDeclaration:
		return obj(d.top["errorDeclaration"])
	case scopeReadPoint:
		return obj(d.top["readPoint"])
	case scopeBizLocation:
		return obj(d.top["bizLocation"])
	}
	var out []map[string]any
	list, _ := d.top["sensorElementList"].([]any)
	for _, e := range list {
		se, ok := e.(map[string]any)
		if !ok {
			continue
		}
		switch s {
		case scopeSensorElement:
			out = append(out, se)
		case scopeSensorMetadata:
			out = append(out, obj(se["sensorMetadata"])...)
		case scopeSensorReport:
			reps, _ := se["sensorReport"].([]any)
			for _, r := range reps {
				out = append(out, obj(r)...)
			}
		}
	}
	return out
}

// fieldValues returns the values of the field named by one of iris in
// scope s: directly in the scope's objects, or (inner) at any depth below
// one of their extension fields. A repeated field (a JSON array) gives
// each element.
func (d *matchDoc) fieldValues(s scope, inner bool, iris []string) []any {
	var out []any
	add := func(v any) {
		if a, ok := v.([]any); ok {
			out = append(out, a...)
			return
		}
		out = append(out, v)
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				for _, iri := range iris {
					if k == iri {
						add(e)
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	for _, c := range d.containers(s) {
		for k, v := range c {
			if !isExtensionKey(k) && s != scopeILMD {
				continue
			}
			if inner {
				walk(v)
				continue
			}
			for _, iri := range iris {
				if k == iri {
					add(v)
				}
			}
		}
	}
	return out
}

// nonEmpty is the EXISTS_ test: present and not an empty string, list or
// object.
func nonEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

// operand is the parsed value of a comparison parameter: a number or a
// date-time (GT_/GE_/LT_/LE_), or a list of values (EQ_).
type operand struct {
	op     string // EQ GT GE LT LE
	vals   []string
	num    float64
	isTime bool
	t      time.Time
}

// compare applies o to one field value: EQ compares as strings (also
// after CURIE expansion), as numbers when both are numbers, as instants
// when both are date-times; the order comparisons need a number or a
// date-time on both sides.
func (o *operand) compare(v any, ctx *Context) bool {
	s, isStr := scalar(v)
	if !isStr {
		return false
	}
	if o.op == "EQ" {
		for _, want := range o.vals {
			if s == want || ctx.ExpandValue(s) == want {
				return true
			}
			if a, err := strconv.ParseFloat(s, 64); err == nil {
				if b, err := strconv.ParseFloat(want, 64); err == nil && a == b {
					return true
				}
			}
			if a, err := time.Parse(time.RFC3339Nano, s); err == nil {
				if b, err := time.Parse(time.RFC3339Nano, want); err == nil && a.Equal(b) {
					return true
				}
			}
		}
		return false
	}
	var c int
	if o.isTime {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return false
		}
		c = t.Compare(o.t)
	} else {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			return false
		}
		switch {
		case f < o.num:
			c = -1
		case f > o.num:
			c = 1
		}
	}
	return cmpOK(o.op, c)
}

func cmpOK(op string, c int) bool {
	switch op {
	case "GT":
		return c > 0
	case "GE":
		return c >= 0
	case "LT":
		return c < 0
	case "LE":
		return c <= 0
	}
	return c == 0
}

// scalar returns a leaf value as a string; ok is false for objects and
// lists.
func scalar(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64), true
	}
	return "", false
}

// fieldPred is EQ_/GT_/…/EXISTS_ on an extension field.
func fieldPred(s scope, inner bool, iris []string, o *operand) pred {
	return func(d *matchDoc) bool {
		for _, v := range d.fieldValues(s, inner, iris) {
			if o == nil {
				if nonEmpty(v) {
					return true
				}
			} else if o.compare(v, d.ctx) {
				return true
			}
		}
		return false
	}
}

// existsStandard is EXISTS_ on a standard top-level field.
func existsStandard(name string) pred {
	return func(d *matchDoc) bool { return nonEmpty(d.top[name]) }
}

// persistentDispositionPred is EQ_persistentDisposition_set/unset.
func persistentDispositionPred(part string, want []string) pred {
	return func(d *matchDoc) bool {
		pd, _ := d.top["persistentDisposition"].(map[string]any)
		list, _ := pd[part].([]any)
		for _, e := range list {
			s, _ := e.(string)
			got := NormalizeDisposition(d.ctx.ExpandValue(s))
			for _, w := range want {
				if got == w {
					return true
				}
			}
		}
		return false
	}
}

// sensorLevel names where a sensor attribute lives.
type sensorLevel int

const (
	inReport sensorLevel = 1 << iota
	inMetadata
)

// sensorValues returns the values of a standard sensor attribute in the
// metadata and/or reports of every sensor element.
func (d *matchDoc) sensorValues(name string, lvl sensorLevel) []any {
	var out []any
	if lvl&inMetadata != 0 {
		for _, c := range d.containers(scopeSensorMetadata) {
			if v, ok := c[name]; ok {
				out = append(out, v)
			}
		}
	}
	if lvl&inReport != 0 {
		for _, c := range d.containers(scopeSensorReport) {
			if v, ok := c[name]; ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// sensorEQ is EQ_deviceID, EQ_type … : equal to one of want after norm.
func sensorEQ(name string, lvl sensorLevel, want []string, norm func(ctx *Context, s string) string) pred {
	return func(d *matchDoc) bool {
		for _, v := range d.sensorValues(name, lvl) {
			s, ok := scalar(v)
			if !ok {
				continue
			}
			got := norm(d.ctx, s)
			for _, w := range want {
				if got == w {
					return true
				}
			}
		}
		return false
	}
}

// sensorCmp is GE_time, LT_startTime, GE_percRank …
func sensorCmp(name string, lvl sensorLevel, o *operand) pred {
	return func(d *matchDoc) bool {
		for _, v := range d.sensorValues(name, lvl) {
			if o.compare(v, d.ctx) {
				return true
			}
		}
		return false
	}
}

// sensorValuePred is EQ_/GT_/…_<field>_<uom> on the numeric fields of a
// sensor report (value, minValue, maxValue, meanValue, sDev, percValue):
// a report in the parameter's unit compares directly; a report in another
// unit of the same dimension compares after conversion (UN/CEFACT Rec 20
// definitions, unitScale); a report in an unrelated or unknown unit does
// not match. value, minValue, maxValue, meanValue and percValue are
// readings (points on the scale) and convert affinely (77 FAH = 25 CEL);
// sDev is a spread — the standard deviation of the value (EPCIS 2.0
// §7.3.7.2) — and, like any difference of two readings, converts by the
// scale factor alone: 1.5 FAH of spread is 1.5 × 5/9 = 0.8333 CEL, not
// (1.5 − 32) × 5/9. The stored and hashed value is the one written.
func sensorValuePred(field, uom string, o *operand) pred {
	return func(d *matchDoc) bool {
		for _, rep := range d.containers(scopeSensorReport) {
			s, ok := scalar(rep[field])
			if !ok {
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) {
				continue
			}
			ru, _ := rep["uom"].(string)
			if ru != uom {
				convert := convertUnit
				if sensorDifferenceFields[field] {
					convert = convertDifference
				}
				conv, ok := convert(v, ru, uom)
				if !ok {
					continue
				}
				v = conv
			}
			if o.op == "EQ" {
				for _, w := range o.vals {
					b, _ := strconv.ParseFloat(w, 64)
					if nearlyEqual(v, b) {
						return true
					}
				}
				continue
			}
			c := 0
			switch {
			case nearlyEqual(v, o.num):
			case v < o.num:
				c = -1
			default:
				c = 1
			}
			if cmpOK(o.op, c) {
				return true
			}
		}
		return false
	}
}

// unitTolerance is the relative difference under which two converted
// sensor values are equal: conversions such as 77 FAH → 25 CEL go through
// binary floating point and would otherwise miss by one ulp.
const unitTolerance = 1e-9

func nearlyEqual(a, b float64) bool {
	return math.Abs(a-b) <= unitTolerance*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// unitScale gives, for UN/CEFACT Rec 20 codes common in sensor reports,
// the dimension and the affine map to the dimension's base unit:
// base = value × factor + offset.
var unitScale = map[string]struct {
	dim            string
	factor, offset float64
}{
	"KEL": {"temperature", 1, 0},
	"CEL": {"temperature", 1, 273.15},
	"FAH": {"temperature", 5.0 / 9.0, 459.67 * 5.0 / 9.0},
	"KGM": {"mass", 1, 0},
	"GRM": {"mass", 1e-3, 0},
	"MGM": {"mass", 1e-6, 0},
	"TNE": {"mass", 1e3, 0},
	"LBR": {"mass", 0.45359237, 0},
	"MTR": {"length", 1, 0},
	"CMT": {"length", 1e-2, 0},
	"MMT": {"length", 1e-3, 0},
	"KMT": {"length", 1e3, 0},
	"PAL": {"pressure", 1, 0},
	"A97": {"pressure", 100, 0}, // hectopascal
	"KPA": {"pressure", 1e3, 0},
	"BAR": {"pressure", 1e5, 0},
	"MBR": {"pressure", 100, 0},
	"SEC": {"time", 1, 0},
	"MIN": {"time", 60, 0},
	"HUR": {"time", 3600, 0},
	"LTR": {"volume", 1e-3, 0},
	"MTQ": {"volume", 1, 0},
	"MLT": {"volume", 1e-6, 0},
}

// convertUnit converts v from one Rec 20 unit to another of the same
// dimension.
func convertUnit(v float64, from, to string) (float64, bool) {
	f, okf := unitScale[from]
	t, okt := unitScale[to]
	if !okf || !okt || f.dim != t.dim {
		return 0, false
	}
	base := v*f.factor + f.offset
	return (base - t.offset) / t.factor, true
}

// sensorDifferenceFields are the numeric sensor-report fields that state
// a difference between readings rather than a reading: sDev, the standard
// deviation of the value (EPCIS 2.0 §7.3.7.2). They convert by the unit's
// scale factor only (convertDifference). percRank is a rank with no unit.
var sensorDifferenceFields = map[string]bool{"sDev": true}

// convertDifference converts a difference (an interval, a spread) v from
// one Rec 20 unit to another of the same dimension: the offsets of offset
// scales cancel in a difference, so only the factors apply. A spread of
// 1.5 FAH is 1.5 × (5/9) / 1 = 0.8333 CEL and 0.8333 KEL.
func convertDifference(v float64, from, to string) (float64, bool) {
	f, okf := unitScale[from]
	t, okt := unitScale[to]
	if !okf || !okt || f.dim != t.dim {
		return 0, false
	}
	return v * f.factor / t.factor, true
}

// UnitTolerance is the relative tolerance of an equality between
// quantities converted from one unit to another (nearlyEqual).
const UnitTolerance = unitTolerance

// UnitFactors returns, for a UN/CEFACT Rec 20 unit of a proportional
// dimension (mass, length, pressure, time, volume — not temperature, whose
// scales are offset), each unit of that dimension with the factor k that
// turns a value in uom into one in that unit (value × k); nil for an
// unknown unit or a temperature. 1 TNE is 1000 KGM: UnitFactors("TNE")["KGM"]
// is 1000.
func UnitFactors(uom string) map[string]float64 {
	f, ok := unitScale[uom]
	if !ok || f.offset != 0 || f.dim == "temperature" {
		return nil
	}
	out := map[string]float64{}
	for u, t := range unitScale {
		if t.dim == f.dim && t.offset == 0 {
			out[u] = f.factor / t.factor
		}
	}
	return out
}

// errorDeclarationTimePred is GE_/LT_errorDeclarationTime.
func errorDeclarationTimePred(o *operand) pred {
	return func(d *matchDoc) bool {
		ed, _ := d.top["errorDeclaration"].(map[string]any)
		return ed != nil && o.compare(ed["declarationTime"], d.ctx)
	}
}
