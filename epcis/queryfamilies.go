package epcis

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PrefixSource returns the namespace prefixes declared by captured
// documents: each prefix with every namespace IRI some capture bound it
// to (two partners may bind one prefix differently; a CURIE then names
// every such field).
type PrefixSource func() (map[string][]string, error)

// queryParser holds what the parameter families of ParseQueryWith share.
type queryParser struct {
	source   PrefixSource
	loaded   bool
	prefixes map[string][]string
	loadErr  error
	fail     func(param, format string, args ...any)
	preds    []pred
	needs    [][][]byte
}

// need records that the stored JSON must hold one of alts.
func (p *queryParser) need(alts ...string) {
	b := make([][]byte, len(alts))
	for i, a := range alts {
		b[i] = []byte(a)
	}
	p.needs = append(p.needs, b)
}

// needKey records that the stored JSON must hold the key name.
func (p *queryParser) needKey(name string) { p.need(`"` + name + `"`) }

// needLocal records, for a field named by CURIE, the local part its
// stored name holds whether captured as a CURIE or a full IRI.
func (p *queryParser) needLocal(field string) {
	prefix, local, _ := strings.Cut(field, ":")
	if uriSchemes[prefix] || local == "" {
		return
	}
	p.need(local)
}

var (
	quantityParam = regexp.MustCompile(`^(EQ|GT|GE|LT|LE)_quantity(_[A-Z0-9]{2,4})?$`)
	// sensorValueParam: EQ_value_CEL, GE_minValue_KGM … (query-schema.json
	// patternProperties; percRank has no unit).
	sensorValueParam = regexp.MustCompile(`^(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue)_([A-Z0-9]{2,4})$`)
	// sensorValueLike: a sensor value parameter whose suffix is no unit
	// code (GE_value_Temperature).
	sensorValueLike = regexp.MustCompile(`^(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue)_([^:]+)$`)
	// extensionParam: the families of comparisons on extension fields.
	extensionParam = regexp.MustCompile(`^(EQ|GT|GE|LT|LE)_(INNER_)?(ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_)?(.+)$`)
	existsParam    = regexp.MustCompile(`^EXISTS_(INNER_)?(ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_|readPoint_|bizLocation_)?(.+)$`)
	hexBinary      = regexp.MustCompile(`^([0-9A-Fa-f]{2})+$`)
	curie          = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*:[^\s|]+$`)
)

var scopeOf = map[string]scope{
	"":                   scopeTop,
	"ILMD_":              scopeILMD,
	"ERROR_DECLARATION_": scopeErrorDeclaration,
	"SENSORELEMENT_":     scopeSensorElement,
	"SENSORMETADATA_":    scopeSensorMetadata,
	"SENSORREPORT_":      scopeSensorReport,
	"readPoint_":         scopeReadPoint,
	"bizLocation_":       scopeBizLocation,
}

// standardFields are the event fields EXISTS_ may name besides
// extensions (EPCIS 2.0 §7.4, JSON field names).
var standardFields = map[string]bool{
	"eventID": true, "eventTime": true, "eventTimeZoneOffset": true, "recordTime": true,
	"certificationInfo": true, "epcList": true, "parentID": true, "childEPCs": true,
	"inputEPCList": true, "outputEPCList": true, "quantityList": true, "childQuantityList": true,
	"inputQuantityList": true, "outputQuantityList": true, "action": true, "transformationID": true,
	"bizStep": true, "disposition": true, "persistentDisposition": true, "readPoint": true,
	"bizLocation": true, "bizTransactionList": true, "sourceList": true, "destinationList": true,
	"sensorElementList": true, "ilmd": true,
}

// sensorURIParams are the sensor parameters that compare a URI attribute
// of sensor metadata and/or reports (EPCIS 2.0 §8.2.7.1, §7.3.8).
var sensorURIParams = map[string]sensorLevel{
	"EQ_deviceID":             inMetadata | inReport,
	"EQ_dataProcessingMethod": inMetadata | inReport,
	"EQ_bizRules":             inMetadata,
	"EQ_microorganism":        inReport,
	"EQ_chemicalSubstance":    inReport,
	"EQ_uriValue":             inReport,
	// deviceMetadata and rawData are URI attributes of both levels
	// (EPCIS 2.0 §7.3.8) that query-schema.json leaves out; the
	// standard's parameter list (§8.2.7.1) has them.
	"EQ_deviceMetadata": inMetadata | inReport,
	"EQ_rawData":        inMetadata | inReport,
}

// sensorTimeParams compare a date-time of sensor metadata or reports.
var sensorTimeParams = map[string]struct {
	field string
	lvl   sensorLevel
}{
	"GE_time":      {"time", inMetadata | inReport},
	"LT_time":      {"time", inMetadata | inReport},
	"GE_startTime": {"startTime", inMetadata | inReport},
	"LT_startTime": {"startTime", inMetadata | inReport},
	"GE_endTime":   {"endTime", inMetadata | inReport},
	"LT_endTime":   {"endTime", inMetadata | inReport},
}

// family parses the parameters evaluated on the event document; false
// means name is no parameter of the standard this server knows.
func (p *queryParser) family(name, raw string, list []string) bool {
	switch {
	case name == "EQ_persistentDisposition_set", name == "EQ_persistentDisposition_unset":
		p.needKey("persistentDisposition")
		p.preds = append(p.preds, persistentDispositionPred(strings.TrimPrefix(name, "EQ_persistentDisposition_"), mapList(list, NormalizeDisposition)))
	case name == "GE_errorDeclarationTime", name == "LT_errorDeclarationTime",
		name == "GE_errorDeclaration_Time", name == "LT_errorDeclaration_Time":
		// The OpenAPI spells it errorDeclarationTime, query-schema.json
		// errorDeclaration_Time: both are accepted.
		if o := p.timeOperand(name, name[:2], raw); o != nil {
			p.needKey("errorDeclaration")
			p.preds = append(p.preds, errorDeclarationTimePred(o))
		}
	case name == "EQ_type":
		p.needKey("type")
		p.preds = append(p.preds, sensorEQ("type", inReport, mapList(list, func(s string) string { return measurementType(nil, s) }), measurementType))
	case sensorURIParams[name] != 0:
		p.needKey(strings.TrimPrefix(name, "EQ_"))
		// A GS1 key (a device's GIAI, say) matches in any of its
		// spellings — EPC URN or Digital Link on any host — as the
		// identifier parameters do: both sides are compared canonical.
		p.preds = append(p.preds, sensorEQ(strings.TrimPrefix(name, "EQ_"), sensorURIParams[name], mapList(list, Canonical),
			func(ctx *Context, s string) string { return Canonical(ctx.ExpandValue(s)) }))
	case name == "EQ_stringValue":
		p.needKey("stringValue")
		p.preds = append(p.preds, sensorEQ("stringValue", inReport, list, func(_ *Context, s string) string { return s }))
	case name == "EQ_hexBinaryValue":
		for _, h := range list {
			if !hexBinary.MatchString(h) {
				p.fail(name, "%q is not hexBinary", h)
				return true
			}
		}
		p.needKey("hexBinaryValue")
		p.preds = append(p.preds, sensorEQ("hexBinaryValue", inReport, mapList(list, strings.ToUpper), func(_ *Context, s string) string { return strings.ToUpper(s) }))
	case name == "EQ_booleanValue":
		b, err := strconv.ParseBool(raw)
		if err != nil || (raw != "true" && raw != "false") {
			p.fail(name, "%q: give true or false", raw)
			return true
		}
		p.needKey("booleanValue")
		p.preds = append(p.preds, sensorEQ("booleanValue", inReport, []string{strconv.FormatBool(b)}, func(_ *Context, s string) string { return s }))
	case sensorTimeParams[name].field != "":
		st := sensorTimeParams[name]
		if o := p.timeOperand(name, name[:2], raw); o != nil {
			p.needKey(st.field)
			p.preds = append(p.preds, sensorCmp(st.field, st.lvl, o))
		}
	case name == "GE_percRank", name == "GT_percRank", name == "LE_percRank", name == "LT_percRank":
		if o := p.numOperand(name, name[:2], raw); o != nil {
			p.needKey("percRank")
			p.preds = append(p.preds, sensorCmp("percRank", inReport, o))
		}
	case sensorValueParam.MatchString(name):
		m := sensorValueParam.FindStringSubmatch(name)
		if m[1] == "EQ" && m[2] != "value" {
			return false // query-schema.json has EQ_ only for value
		}
		var o *operand
		if m[1] == "EQ" {
			for _, v := range list {
				if f, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					p.fail(name, "%q is not a finite number", v)
					return true
				}
			}
			o = &operand{op: "EQ", vals: list}
		} else if o = p.numOperand(name, m[1], raw); o == nil {
			return true
		}
		p.needKey(m[2])
		p.preds = append(p.preds, sensorValuePred(m[2], m[3], o))
	case sensorValueLike.MatchString(name):
		// GE_value_Temperature: the suffix names the unit, not the type
		// (query-schema.json: a UN/CEFACT Rec. 20 code of 2 to 4
		// upper-case letters or digits).
		m := sensorValueLike.FindStringSubmatch(name)
		p.fail(name, "the suffix %q must be a UN/CEFACT Rec. 20 unit code of 2 to 4 upper-case letters or digits, e.g. %s_%s_CEL for degrees Celsius (sensor types are matched with EQ_type)", m[3], m[1], m[2])
	case extensionParam.MatchString(name):
		m := extensionParam.FindStringSubmatch(name)
		field := m[4]
		if !strings.Contains(field, ":") {
			if m[2] != "" || m[3] != "" {
				p.bareField(name, m[1]+"_"+m[2]+m[3], field)
				return true
			}
			return false // EQ_foo: no standard parameter, no namespace
		}
		iris, ok := p.resolve(name, field)
		if !ok {
			return true
		}
		var o *operand
		if m[1] == "EQ" {
			o = &operand{op: "EQ", vals: p.expandValues(list)}
		} else if o = p.orderOperand(name, m[1], raw); o == nil {
			return true
		}
		p.needLocal(field)
		p.preds = append(p.preds, fieldPred(scopeOf[m[3]], m[2] != "", iris, o))
	default:
		return false
	}
	return true
}

// exists parses EXISTS_ parameters other than EXISTS_errorDeclaration.
func (p *queryParser) exists(name string) bool {
	m := existsParam.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	field := m[3]
	if m[1] == "" && m[2] == "" && standardFields[field] {
		p.needKey(field)
		p.preds = append(p.preds, existsStandard(field))
		return true
	}
	if !strings.Contains(field, ":") {
		if m[1] != "" || m[2] != "" {
			p.bareField(name, "EXISTS_"+m[1]+m[2], field)
			return true
		}
		return false
	}
	iris, ok := p.resolve(name, field)
	if ok {
		p.needLocal(field)
		p.preds = append(p.preds, fieldPred(scopeOf[m[2]], m[1] != "", iris, nil))
	}
	return true
}

// bareField refuses an extension-field parameter (EQ_INNER_ILMD_grade)
// whose field has no namespace: extension and ILMD fields are named by a
// CURIE or an IRI (EPCIS 2.0 §8.2.7.1), and the message says how.
func (p *queryParser) bareField(param, family, field string) {
	p.fail(param, "%q has no namespace: name the field as a CURIE with a prefix declared at capture (%sex:%s) or as a full IRI (%shttps://example.org/ns/%s)",
		field, family, field, family, field)
}

// resolve turns the field part of a parameter name into the IRIs it may
// stand for: an absolute IRI as given; a CURIE through the standard
// context's prefixes and those declared at capture.
func (p *queryParser) resolve(param, field string) ([]string, bool) {
	prefix, local, _ := strings.Cut(field, ":")
	if uriSchemes[prefix] && isAbsoluteURI(field) || strings.HasPrefix(local, "//") {
		return []string{field}, true
	}
	if !curie.MatchString(field) || local == "" {
		p.fail(param, "%q is neither a CURIE (prefix:name) nor an absolute IRI", field)
		return nil, false
	}
	var out []string
	if ns, ok := standardPrefixes[prefix]; ok {
		out = append(out, ns+local)
	}
	prefixes, err := p.load()
	if err != nil {
		p.fail(param, "cannot read the prefixes declared at capture: %v", err)
		return nil, false
	}
	for _, ns := range prefixes[prefix] {
		out = append(out, ns+local)
	}
	if len(out) == 0 && slices.Contains(prefixes[RemotePrefixKey], prefix) {
		// Used as a key by events of a document naming a remote context
		// (where, if anywhere, it is declared): such fields are stored as
		// written (Context.Expand). A prefix no event used this way is
		// unknown, remote contexts or not.
		out = append(out, field)
	}
	if len(out) == 0 {
		p.fail(param, "unknown prefix %q: no captured document's @context declares it and no event captured with a remote context uses it; use the full IRI or a prefix the events were captured with", prefix)
		return nil, false
	}
	sort.Strings(out)
	return out, true
}

func (p *queryParser) load() (map[string][]string, error) {
	if !p.loaded {
		p.loaded = true
		if p.source != nil {
			p.prefixes, p.loadErr = p.source()
		}
	}
	return p.prefixes, p.loadErr
}

// expandValues adds, for each CURIE value with a declared prefix, its
// expansions, so EQ_ex:f=ex:v matches a field stored as ex:v or as the
// full IRI.
func (p *queryParser) expandValues(list []string) []string {
	out := append([]string(nil), list...)
	for _, v := range list {
		prefix, local, ok := strings.Cut(v, ":")
		if !ok || uriSchemes[prefix] || !curie.MatchString(v) {
			continue
		}
		if p.source == nil {
			continue
		}
		prefixes, err := p.load()
		if err != nil {
			continue
		}
		for _, ns := range prefixes[prefix] {
			out = append(out, ns+local)
		}
	}
	return out
}

// orderOperand parses the value of GT_/GE_/LT_/LE_ on an extension field:
// a number or an RFC 3339 date-time (query-schema.json
// date-string-or-number).
func (p *queryParser) orderOperand(name, op, raw string) *operand {
	if t, err := time.Parse(time.RFC3339Nano, raw); err == nil {
		return &operand{op: op, isTime: true, t: t}
	}
	if f, err := strconv.ParseFloat(raw, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return &operand{op: op, num: f}
	}
	p.fail(name, "%q is neither a finite number nor an RFC 3339 date-time", raw)
	return nil
}

func (p *queryParser) numOperand(name, op, raw string) *operand {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.fail(name, "%q is not a finite number", raw)
		return nil
	}
	return &operand{op: op, num: f}
}

func (p *queryParser) timeOperand(name, op, raw string) *operand {
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		p.fail(name, "%q is not an RFC 3339 date-time with offset", raw)
		return nil
	}
	return &operand{op: op, isTime: true, t: t}
}

// measurementType returns the full IRI of a sensor measurement type: a
// bare standard type (Temperature) or gs1: CURIE is a term of
// https://gs1.org/voc/ (EPCIS 2.0 §7.3.8, CBV 2.0 measurement types).
//
// Every spelling of one standard type (gs1:MT-Mass, MT-Mass, gs1:Mass,
// https://gs1.org/voc/MT-Mass) is the IRI of its bare form, so a query for
// Mass finds a report written gs1:MT-Mass.
func measurementType(ctx *Context, s string) string {
	if bare, ok := NormalizeMeasurementType(s); ok && bare != s {
		s = bare
	} else if ctx != nil && strings.Contains(s, ":") {
		if b, ok := NormalizeMeasurementType(ctx.ExpandValue(s)); ok && !strings.Contains(b, ":") {
			s = b
		}
	}
	if !strings.Contains(s, ":") {
		return standardPrefixes["gs1"] + s
	}
	if rest, ok := strings.CutPrefix(s, "gs1:"); ok {
		return standardPrefixes["gs1"] + rest
	}
	if rest, ok := strings.CutPrefix(s, "http://gs1.org/voc/"); ok {
		return standardPrefixes["gs1"] + rest
	}
	if ctx != nil {
		return ctx.ExpandValue(s)
	}
	return s
}

// attrIRIs resolves the master-data attribute name of a HASATTR_ value or
// an EQ_ATTR_ parameter to the IRIs it may stand for (master data stores
// attribute names as IRIs, AttrIRI): a CURIE through the standard and
// the declared prefixes, an absolute IRI as given; an unknown prefix is a
// 400 naming the parameter.
func (p *queryParser) attrIRIs(param, name string) ([]string, bool) {
	iris, ok := p.resolve(param, name)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(iris)+1)
	for _, iri := range iris {
		out = append(out, normalizeAttr(iri))
	}
	// Attributes of captures stored before names were expanded are
	// indexed as written.
	if n := normalizeAttr(name); !slices.Contains(out, n) {
		out = append(out, n)
	}
	return out, true
}
