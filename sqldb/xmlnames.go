package sqldb

import (
	"context"
	"fmt"
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
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT e.event_id, e.raw, c.body FROM events e LEFT JOIN contexts c ON c.id = e.context_id ORDER BY e.pk`)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: XML names: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var raw, body []byte
		if err := rows.Scan(&id, &raw, &body); err != nil {
			return nil, 0, err
		}
		// Most events hold no key an XML name cannot be: only keys
		// with a character outside [A-Za-z0-9_.:-] or a digit, "-" or
		// "." after ":" need the full check.
		if !suspectXMLNames(raw) {
			continue
		}
		keys := epcis.NonXMLNameKeys(raw, body)
		if len(keys) == 0 {
			continue
		}
		if len(events) >= MaxXMLNameReports {
			more++
			continue
		}
		events = append(events, id+": "+strings.Join(keys, ", "))
	}
	return events, more, rows.Err()
}

// suspectXMLNames is a fast filter for NonXMLNameKeys: whether some JSON
// key of raw (a string followed by ":") holds a character outside
// [A-Za-z0-9_.:@-] or has a local part starting with a digit, "-" or ".".
func suspectXMLNames(raw []byte) bool {
	s := string(raw)
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
