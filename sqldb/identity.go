package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// goSteps are migration steps SQL cannot express, run in the migration's
// transaction after its SQL, keyed by migration number.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx, d Dialect) error{
	3:  BackfillIdentity,
	13: BackfillIdentity,
}

// canon is the canonical form of an identifier for matching
// (epcis.Canonical): the canonical GS1 Digital Link URI of a GS1 key, the
// identifier itself otherwise. Empty stays empty (NULL).
func canon(id string) string { return epcis.Canonical(id) }

// BackfillIdentity sets the canonical form of every stored identifier to
// what epcis.Canonical makes of it today. Migration 3 runs it after its SQL
// copied each captured value; migration 13 runs it again because the
// canonicalisation changed after stores were made (GS1 Digital Link
// unification: serials with dots, GRAI with an empty serial, new idpat
// patterns), so a store made before then has stale canonical columns and
// its queries miss spellings. It reads each column's distinct pairs
// (captured value, stored canonical form) and updates only the rows whose
// stored form differs, one UPDATE per distinct captured value; running it
// again changes nothing. The canonical columns are those capture writes
// (insertEvents, saveLots): declarations' corrective IDs and reasons keep
// their value as is and are not touched.
func BackfillIdentity(ctx context.Context, tx *sql.Tx, d Dialect) error {
	_, err := backfillIdentity(ctx, tx, d)
	return err
}

// backfillIdentity is BackfillIdentity, returning the number of distinct
// captured values whose canonical form it rewrote, and covering the
// vocabulary elements' canonical identifiers (master_data_attrs.id_canon,
// masterCanon) too.
func backfillIdentity(ctx context.Context, tx *sql.Tx, d Dialect) (int, error) {
	changed := 0
	for _, c := range []struct{ table, col, canonCol, where string }{
		{"events", "read_point", "read_point_canon", ""},
		{"events", "biz_location", "biz_location_canon", ""},
		{"event_epcs", "epc", "canon", ""},
		{"event_quantities", "epc_class", "canon", ""},
		{"event_attrs", "val", "canon", " AND kind NOT IN ('corrective', 'errorReason')"},
		{"lots", "location", "location_canon", ""},
		{"master_data_attrs", "id", "id_canon", ""},
	} {
		if c.table == "master_data_attrs" {
			if ok, err := hasColumn(ctx, tx, d, c.table, c.canonCol); err != nil || !ok {
				continue // a store older than its table (migration 3, 13)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT `+c.col+`, `+c.canonCol+` FROM `+c.table+` WHERE `+c.col+` IS NOT NULL`+c.where)
		if err != nil {
			return changed, fmt.Errorf("backfill %s.%s: %w", c.table, c.canonCol, err)
		}
		stale := map[string]string{} // captured value → its canonical form
		for rows.Next() {
			var v string
			var stored sql.NullString
			if err := rows.Scan(&v, &stored); err != nil {
				rows.Close()
				return changed, err
			}
			cv := canon(v)
			if c.table == "master_data_attrs" {
				cv = masterCanon(v)
			}
			if !stored.Valid || stored.String != cv {
				stale[v] = cv
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return changed, err
		}
		changed += len(stale)
		vals := make([]string, 0, len(stale))
		for v := range stale {
			vals = append(vals, v)
		}
		sort.Strings(vals)
		upd := `UPDATE ` + c.table + ` SET ` + c.canonCol + ` = ? WHERE ` + c.col + ` = ?` + c.where
		if d.Dollar {
			upd = Rebind(upd)
		}
		for _, v := range vals {
			if _, err := tx.ExecContext(ctx, upd, stale[v], v); err != nil {
				return changed, fmt.Errorf("backfill %s.%s: %w", c.table, c.canonCol, err)
			}
		}
	}
	return changed, nil
}

// canonLots returns the event as the lot projection sees it: every
// class-level and instance-level identifier in canonical form, so that
// the mineral view keeps one lot per canonical class identifier whatever
// spelling each event used. Locations and parties stay as captured.
func canonLots(ev *critmin.Event) *critmin.Event {
	c := *ev
	c.Quantities = make([]critmin.QuantityElement, len(ev.Quantities))
	for i, q := range ev.Quantities {
		q.EPCClass = canon(q.EPCClass)
		c.Quantities[i] = q
	}
	c.EPCs = make([]critmin.EPCRef, len(ev.EPCs))
	for i, e := range ev.EPCs {
		e.EPC = canon(e.EPC)
		c.EPCs[i] = e
	}
	if c.ParentID != "" {
		c.ParentID = canon(c.ParentID)
	}
	return &c
}

// matchIDs adds "the canonical column matches one of the query values":
// each value is compared by its canonical form; an EPC pattern URI
// (urn:epc:idpat:…) by the Digital Link forms it covers
// (epcis.PatternMatch); any other value ending in "*" is a prefix of the
// identifier as captured or as canonical. literal makes "*" an ordinary
// character. It returns the condition and appends its arguments in
// placeholder order.
func (w *where) matchIDs(capturedCol, canonCol string, values []string, literal bool) string {
	var exact []string
	likes := map[string][]string{}
	like := func(col, pattern string) {
		likes[col] = append(likes[col], pattern)
	}
	for _, p := range values {
		if !literal {
			if ms, ok := epcis.PatternMatch(p); ok {
				for _, m := range ms {
					if m.Exact != "" {
						exact = append(exact, m.Exact)
					}
					if m.Like != "" {
						like(canonCol, m.Like)
					}
				}
				continue
			}
			if prefix, ok := strings.CutSuffix(p, "*"); ok {
				esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)
				like(capturedCol, esc+"%")
				if cp := canon(prefix); cp != prefix {
					like(canonCol, strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(cp)+"%")
				}
				continue
			}
		}
		exact = append(exact, canon(p))
	}
	var parts []string
	if len(exact) > 0 {
		parts = append(parts, inList(canonCol, len(exact)))
		for _, e := range exact {
			w.args = append(w.args, e)
		}
	}
	for _, col := range []string{capturedCol, canonCol} {
		if ps := likes[col]; len(ps) > 0 {
			parts = append(parts, w.likeAny(col, ps))
		}
	}
	if len(parts) == 0 {
		return "(1 = 0)"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// matchSuffix adds "col, as captured, ends with one of the suffixes",
// compared exactly: LIKE '%suffix' narrows (SQLite's LIKE ignores ASCII
// case, PostgreSQL's does not), and the column's last characters equal
// to the suffix decide, so both backends match alike
// (critmin.EPCMatch.Suffix).
func (w *where) matchSuffix(col string, suffixes []string) string {
	if len(suffixes) == 0 {
		return "(1 = 0)"
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	ors := make([]string, 0, len(suffixes))
	for _, sfx := range suffixes {
		n := utf8.RuneCountInString(sfx)
		if n == 0 {
			ors = append(ors, "(1 = 0)")
			continue
		}
		// n is counted here, never taken from the caller's text: it is
		// written into the statement as a number.
		ors = append(ors, fmt.Sprintf(`(%s LIKE ? ESCAPE '\' AND substr(%s, length(%s) - %d) = ?)`, col, col, col, n-1))
		w.args = append(w.args, "%"+esc.Replace(sfx), sfx)
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// likeAny is "col matches one of the LIKE patterns". A few patterns are
// ORed; more are a VALUES table joined by EXISTS, so that the condition's
// depth does not grow with the list: SQLite parses "a OR b OR …" as a
// tree one level deeper per term and refuses one deeper than 1,000
// (SQLITE_MAX_EXPR_DEPTH), which 500 EPC patterns of two forms each reach,
// while a query may list 1,000 values (epcis.MaxListValues). Both SQLite
// and PostgreSQL name a VALUES table's column column1.
func (w *where) likeAny(col string, patterns []string) string {
	const orMost = 8
	if len(patterns) <= orMost {
		ors := make([]string, len(patterns))
		for i, p := range patterns {
			ors[i] = col + ` LIKE ? ESCAPE '\'`
			w.args = append(w.args, p)
		}
		return strings.Join(ors, " OR ")
	}
	for _, p := range patterns {
		w.args = append(w.args, p)
	}
	return "EXISTS (SELECT 1 FROM (" + valuesTable(len(patterns)) + ") AS lp WHERE " + col + ` LIKE lp.column1 ESCAPE '\')`
}

// valuesTable is "VALUES (CAST(? AS TEXT)), …" with n rows (n ≥ 1), a
// one-column table of text arguments. The cast gives PostgreSQL the type
// of an untyped parameter. A VALUES list is not a compound SELECT to
// SQLite, so its 500-term limit (SQLITE_MAX_COMPOUND_SELECT) does not
// apply to it — unless it is one arm of a UNION, so recursive queries
// seed from it through a separate CTE.
func valuesTable(n int) string {
	return "VALUES " + strings.TrimSuffix(strings.Repeat("(CAST(? AS TEXT)), ", n), ", ")
}

// inCanon adds "col IN (canonical forms of vals)".
func (w *where) inCanon(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	cv := make([]string, len(vals))
	for i, v := range vals {
		cv[i] = canon(v)
	}
	w.in(col, cv)
}

// storable reports whether s can be an identifier in the store: capture
// refuses NUL characters and invalid UTF-8 (epcis limits), and PostgreSQL
// cannot compare them, so a lookup of such a string finds nothing.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
