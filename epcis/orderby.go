package epcis

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/critmin/critmin"
)

// orderByField is the sort key of an orderBy naming an extension field
// (EPCIS 2.0 §8.2.7.1, the REST binding's orderBy parameter: "the fully
// qualified name of an extension field whose type is Int, Float, Time, or
// String … constructed as for the EQ_fieldname parameter"): the field at
// the top level of the event, read with its keys expanded through the
// event's own @context, so that a capture's CURIE and the full IRI are
// one field.
//
// JSON carries no declared field type, and XML carries every value as
// text, so each value's type is read from the value: a JSON number, or a
// string that is a finite decimal number, is a number (compared
// numerically); a string that is an RFC 3339 date-time is a Time
// (compared as instants, whatever its offset); any other string is a
// String, compared by "case-sensitive lexical ordering, considering
// UTF-8/ASCII code values of each successive character" (byte order of
// UTF-8). Values of different types order numbers, then times, then
// strings. The standard lets "events … that lack the specified field
// altogether … occur in any position": critmin puts them last, in ASC and
// DESC alike; a field given as an object, a list, or more than once has
// no single value to sort by and is treated as lacking.
type orderByField struct {
	iris []string
	m    *matcher // parsed @context cache
}

// Sort-key classes, in ascending order.
const (
	keyNumber = "1"
	keyTime   = "2"
	keyString = "3"
)

// SortKey implements critmin.EventSortKey.
func (o *orderByField) SortKey(ev *critmin.Event) (string, bool) {
	d, ok := decodeForMatch(ev, o.m.context(ev.Context))
	if !ok {
		return "", false
	}
	vals := d.fieldValues(scopeTop, false, o.iris)
	if len(vals) != 1 {
		return "", false
	}
	if n, ok := vals[0].(json.Number); ok {
		f, err := n.Float64()
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", false
		}
		return numberKey(f), true
	}
	s, ok := vals[0].(string)
	if !ok {
		if b, isBool := vals[0].(bool); isBool {
			return keyString + strconv.FormatBool(b), true
		}
		return "", false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return timeKey(t), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return numberKey(f), true
	}
	return keyString + s, true
}

// numberKey encodes f so that byte order is numeric order: the IEEE 754
// bits with the sign bit flipped for a positive number and every bit
// flipped for a negative one, in 16 hex digits; -0 is 0.
func numberKey(f float64) string {
	if f == 0 {
		f = 0
	}
	b := math.Float64bits(f)
	if b>>63 == 0 {
		b ^= 1 << 63
	} else {
		b = ^b
	}
	return fmt.Sprintf("%s%016x", keyNumber, b)
}

// timeKey encodes an instant so that byte order is time order: the Unix
// seconds with the sign bit flipped, then the nanoseconds.
func timeKey(t time.Time) string {
	return fmt.Sprintf("%s%016x%08x", keyTime, uint64(t.Unix())^(1<<63), t.Nanosecond())
}
