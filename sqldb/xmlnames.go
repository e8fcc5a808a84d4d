package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/critmin/critmin/epcis"
)

// MaxXMLNameReports is the most events NonXMLNameKeys lists; the rest
// are counted.
const MaxXMLNameReports = 100

// NonXMLNameKeys lists the stored events holding extension keys that are
// no XML name (epcis.NonXMLNameKeys), "eventID: key, key", stored before
// capture refused them; at most MaxXMLNameReports, with the number of
// further events (more). Such events are kept as they are — their
// records are chained and hashed, so a rename would be a rewrite of the
// ledger — and served in XML with the names escaped _xHHHH_, which
// critmin reads back exactly: a warning of `critmin verify`, not a fault.
func (db *DB) NonXMLNameKeys(ctx context.Context) (events []string, more int, err error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT e.pk, e.event_id, e.raw, c.body FROM events e LEFT JOIN contexts c ON c.id = e.context_id ORDER BY e.pk`)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: XML names: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var hits xmlNameHits
	for rows.Next() {
		var pk int64
		var id, raw string
		var body sql.NullString
		if err := rows.Scan(&pk, &id, &raw, &body); err != nil {
			return nil, 0, err
		}
		hits.add(pk, id, raw, body.String)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	events, more = hits.result()
	return events, more, nil
}

// xmlNameHits gathers what NonXMLNameKeys reports from events given in
// any order: the MaxXMLNameReports events of lowest key holding a key
// that is no XML name, in key order, and the number of the others.
// Verify's rebuild gives it every record as it decodes them (in chain
// order), so the events are not read a second time.
type xmlNameHits struct {
	hits []xmlNameHit // sorted by pk, at most MaxXMLNameReports
	more int
}

type xmlNameHit struct {
	pk   int64
	text string
}

// xmlNameText returns "eventID: key, key" for an event holding keys that are
// no XML name, "" for the others.
func xmlNameText(id, raw, body string) string {
	// Most events hold no key an XML name cannot be: only keys with a
	// character outside [A-Za-z0-9_.:-] or a digit, "-" or "." after ":"
	// need the full check.
	if !suspectXMLNames(raw) {
		return ""
	}
	keys := epcis.NonXMLNameKeys([]byte(raw), []byte(body))
	if len(keys) == 0 {
		return ""
	}
	return id + ": " + strings.Join(keys, ", ")
}

func (h *xmlNameHits) add(pk int64, id, raw, body string) {
	h.addText(pk, xmlNameText(id, raw, body))
}

// addText records the event pk with its text from xmlNameText ("" for
// none).
func (h *xmlNameHits) addText(pk int64, text string) {
	if text == "" {
		return
	}
	i, _ := slices.BinarySearchFunc(h.hits, pk, func(x xmlNameHit, pk int64) int { return cmp.Compare(x.pk, pk) })
	if i >= MaxXMLNameReports {
		h.more++
		return
	}
	h.hits = slices.Insert(h.hits, i, xmlNameHit{pk: pk, text: text})
	if len(h.hits) > MaxXMLNameReports {
		h.hits = h.hits[:MaxXMLNameReports]
		h.more++
	}
}

func (h *xmlNameHits) result() ([]string, int) {
	var out []string
	for _, x := range h.hits {
		out = append(out, x.text)
	}
	return out, h.more
}

// suspectXMLNames is a fast filter for NonXMLNameKeys: whether some JSON
// key of raw (a string followed by ":") holds a character outside
// [A-Za-z0-9_.:@-] or has a local part starting with a digit, "-" or ".".
func suspectXMLNames(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(s) {
			return false
		}
		k := j + 1
		for k < len(s) && (s[k] == ' ' || s[k] == '\n' || s[k] == '\t' || s[k] == '\r') {
			k++
		}
		if k < len(s) && s[k] == ':' {
			key := s[i+1 : j]
			local := key
			if c := strings.LastIndexByte(key, ':'); c >= 0 {
				local = key[c+1:]
			}
			if local == "" || local[0] == '-' || local[0] == '.' || local[0] >= '0' && local[0] <= '9' {
				return true
			}
			for _, r := range key {
				if !(r == '_' || r == '-' || r == '.' || r == ':' || r == '@' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
					return true
				}
			}
		}
		i = j
	}
	return false
}
