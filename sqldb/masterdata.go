package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

func init() {
	goSteps[15] = backfillMasterData
	// Migration 30 re-indexes multi-valued attributes one row per value.
	goSteps[30] = backfillMasterData
	// The master-data projections verify rebuilds (master_data itself is
	// in derivedTables).
	RegisterDerived(DerivedTable{Name: "master_data_versions", Key: []string{"vtype", "id", "#record_us"}, Cols: []string{"attrs", "children"}})
	RegisterDerived(DerivedTable{Name: "master_data_attrs", Key: []string{"vtype", "id", "id_canon", "name", "val"}})
	RegisterDerived(DerivedTable{Name: "master_data_children", Key: []string{"vtype", "parent", "child"}})
}

// ApplyMasterData is the master-data projection: it stores the vocabulary
// elements one capture sent (EPCIS 2.0 §7.2), at the capture's record time
// (to the millisecond, the precision of the events' recordTime), as a new
// version of each element, and makes it the current one — attributes and
// children replaced as a whole — with the attribute and hierarchy indexes
// of the HASATTR_, EQ_ATTR_ and WD_ query parameters. CaptureEvents calls
// it in its transaction; verify's replay reaches it through CaptureEvents
// (the master data of each capture, from the audit log, with the capture's
// time as the job's CreatedAt), and so does migration 15's backfill.
func ApplyMasterData(ctx context.Context, tx *sql.Tx, d Dialect, at time.Time, master []critmin.MasterDataElement) error {
	exec := func(q string, args ...any) error {
		if d.Dollar {
			q = Rebind(q)
		}
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}
	rt := micros(at.UTC().Truncate(time.Millisecond))
	current := `SELECT record_us FROM master_data WHERE vtype = ? AND id = ?`
	if d.Dollar {
		current = Rebind(current)
	}
	for _, m := range master {
		attrs, err := json.Marshal(m.Attributes)
		if err != nil {
			return err
		}
		children := "[]"
		if len(m.Children) > 0 {
			b, _ := json.Marshal(m.Children)
			children = string(b)
		}
		if err := exec(`INSERT INTO master_data_versions (vtype, id, record_us, attrs, children) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (vtype, id, record_us) DO UPDATE SET attrs = excluded.attrs, children = excluded.children`, m.Type, m.ID, rt, string(attrs), children); err != nil {
			return fmt.Errorf("%s: store master data version %q: %w", d.Name, m.ID, err)
		}
		// The current version is the one of the latest record time, in
		// whatever order versions are applied (a replay may apply a
		// capture without events last).
		var cur int64
		switch err := tx.QueryRowContext(ctx, current, m.Type, m.ID).Scan(&cur); {
		case err == nil && cur > rt:
			continue
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%s: master data %q: %w", d.Name, m.ID, err)
		}
		if err := exec(`INSERT INTO master_data (vtype, id, attrs, children, record_us) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (vtype, id) DO UPDATE SET attrs = excluded.attrs, children = excluded.children, record_us = excluded.record_us`, m.Type, m.ID, string(attrs), children, rt); err != nil {
			return fmt.Errorf("%s: store master data %q: %w", d.Name, m.ID, err)
		}
		if err := exec(`DELETE FROM master_data_attrs WHERE vtype = ? AND id = ?`, m.Type, m.ID); err != nil {
			return err
		}
		idCanon := masterCanon(m.ID)
		for name, val := range m.Attributes {
			iri := m.AttributeIRIs[name]
			if iri == "" {
				iri = epcis.NormalizeAttrName(name)
			}
			for _, v := range indexValues(m, name, val) {
				if err := exec(`INSERT INTO master_data_attrs (vtype, id, id_canon, name, val) VALUES (?, ?, ?, ?, ?)`, m.Type, m.ID, idCanon, iri, v); err != nil {
					return fmt.Errorf("%s: store master data attribute %q of %q: %w", d.Name, name, m.ID, err)
				}
			}
		}
		if err := exec(`DELETE FROM master_data_children WHERE vtype = ? AND parent = ?`, m.Type, idCanon); err != nil {
			return err
		}
		for _, c := range m.Children {
			if err := exec(`INSERT INTO master_data_children (vtype, parent, child) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, m.Type, idCanon, masterCanon(c)); err != nil {
				return fmt.Errorf("%s: store master data child %q of %q: %w", d.Name, c, m.ID, err)
			}
		}
	}
	return nil
}

// indexValues are the values of attribute name that master_data_attrs
// holds, one row each, so that EQ_ATTR_ matches if any value of a
// multi-valued attribute equals the parameter (EPCIS 2.0 §8.2.7.1): the
// values the capture recorded (AttributeValues), or, for master data
// captured before they were recorded, the elements of a value that reads
// as a JSON array (how a repeated or array attribute was stored), else
// the stored text. Duplicate values are indexed once.
func indexValues(m critmin.MasterDataElement, name, val string) []string {
	if vals, ok := m.AttributeValues[name]; ok {
		return dedupe(vals)
	}
	if m.AttributeValues == nil && strings.HasPrefix(val, "[") {
		var list []any
		d := json.NewDecoder(strings.NewReader(val))
		d.UseNumber()
		if d.Decode(&list) == nil && !d.More() {
			vals := make([]string, len(list))
			for i, x := range list {
				vals[i] = epcis.AttrValueText(x)
			}
			return dedupe(vals)
		}
	}
	return []string{val}
}

// dedupe drops repeated values, keeping the first of each.
func dedupe(vals []string) []string {
	seen := make(map[string]bool, len(vals))
	out := vals[:0:0]
	for _, v := range vals {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// masterCanon is a vocabulary element's identifier in the form the event
// columns it is matched against hold: the bare CBV form of a standard
// business step or disposition, the canonical form of a GS1 key.
func masterCanon(id string) string {
	return canon(epcis.NormalizeDisposition(epcis.NormalizeBizStep(id)))
}

// backfillMasterData (migration 15) rebuilds the master-data tables from
// the audit log's master-data entries, in order, so that a store captured
// before versioning has its versions at their capture times.
func backfillMasterData(ctx context.Context, tx *sql.Tx, d Dialect) error {
	for _, t := range []string{"master_data", "master_data_versions", "master_data_attrs", "master_data_children"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return err
		}
	}
	q := `SELECT at_us, detail FROM audit_log WHERE action = ? ORDER BY seq`
	if d.Dollar {
		q = Rebind(q)
	}
	rows, err := tx.QueryContext(ctx, q, critmin.AuditMasterData)
	if err != nil {
		return err
	}
	type entry struct {
		at     int64
		master []critmin.MasterDataElement
	}
	var entries []entry
	for rows.Next() {
		var e entry
		var detail string
		if err := rows.Scan(&e.at, &detail); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal([]byte(detail), &e.master); err != nil {
			rows.Close()
			return fmt.Errorf("audit master data: %w", err)
		}
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range entries {
		if err := ApplyMasterData(ctx, tx, d, fromMicros(e.at), e.master); err != nil {
			return err
		}
	}
	return nil
}

// MasterDataHistory lists every version of one vocabulary element, oldest
// first.
func (db *DB) MasterDataHistory(ctx context.Context, vtype, id string) ([]critmin.MasterDataVersion, error) {
	q := `SELECT record_us, attrs, children FROM master_data_versions WHERE vtype = ? AND id = ? ORDER BY record_us`
	if db.Dialect.Dollar {
		q = Rebind(q)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, q, vtype, id)
	if err != nil {
		return nil, fmt.Errorf("%s: master data history: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []critmin.MasterDataVersion
	for rows.Next() {
		var rt int64
		var attrs, children string
		if err := rows.Scan(&rt, &attrs, &children); err != nil {
			return nil, err
		}
		v := critmin.MasterDataVersion{MasterDataElement: critmin.MasterDataElement{Type: vtype, ID: id}, RecordTime: fromMicros(rt)}
		if err := decodeDerived("master_data_versions", rowKey("id", id), "attrs", attrs, &v.Attributes); err != nil {
			return nil, err
		}
		if err := decodeDerived("master_data_versions", rowKey("id", id), "children", children, &v.Children); err != nil {
			return nil, err
		}
		if len(v.Children) == 0 {
			v.Children = nil
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no master data for %s %s", vtype, id)
	}
	return out, nil
}

// masterColumns are the event columns HASATTR_ and EQ_ATTR_ follow to
// master data, by field name.
var masterColumns = map[string]string{"readPoint": "e.read_point_canon", "bizLocation": "e.biz_location_canon", "bizStep": "e.biz_step", "disposition": "e.disposition"}

// masterVocab is, for each field, the vocabulary its values belong to
// (EPCIS 2.0 §7.2: ReadPoint, BusinessLocation, BusinessStep,
// Disposition) and the one consulted when an element is not described in
// its own: a site described only as a BusinessLocation serves as a read
// point, and the other way round.
var masterVocab = map[string][2]string{
	"readPoint":   {"urn:epcglobal:epcis:vtype:ReadPoint", "urn:epcglobal:epcis:vtype:BusinessLocation"},
	"bizLocation": {"urn:epcglobal:epcis:vtype:BusinessLocation", "urn:epcglobal:epcis:vtype:ReadPoint"},
	"bizStep":     {"urn:epcglobal:epcis:vtype:BusinessStep", ""},
	"disposition": {"urn:epcglobal:epcis:vtype:Disposition", ""},
}

// masterConditions adds the WD_, HASATTR_ and EQ_ATTR_ conditions (EPCIS
// 2.0 §8.2.7.1). WD_ walks the children hierarchy from each value with a
// recursive query; both SQLite and PostgreSQL run WITH RECURSIVE.
func (w *where) masterConditions(f critmin.EventFilter) {
	for _, wd := range []struct {
		col  string
		vals []string
	}{{"e.read_point_canon", f.WDReadPoints}, {"e.biz_location_canon", f.WDBizLocations}} {
		if len(wd.vals) == 0 {
			continue
		}
		args := make([]any, len(wd.vals))
		for i, v := range wd.vals {
			args[i] = canon(v)
		}
		// The seeds are their own CTE: as the first arm of the recursive
		// UNION, a VALUES list of more than 500 rows is refused by SQLite
		// ("too many terms in compound SELECT"); see valuesTable.
		w.add(wd.col+" IN (WITH RECURSIVE s(id) AS ("+valuesTable(len(wd.vals))+"), d(id) AS (SELECT id FROM s UNION SELECT c.child FROM master_data_children c JOIN d ON c.parent = d.id) SELECT id FROM d)", args...)
	}
	for _, m := range f.MasterAttrs {
		col, ok := masterColumns[m.Field]
		if !ok {
			// ParseQuery admits only the fields above.
			w.add("1 = 0")
			continue
		}
		args := make([]any, 0, len(m.Attrs)+len(m.Values)+3)
		for _, a := range m.Attrs {
			args = append(args, a)
		}
		cond := col + " IN (SELECT a.id_canon FROM master_data_attrs a WHERE " + inList("a.name", len(m.Attrs))
		if m.Values != nil {
			cond += " AND " + inList("a.val", len(m.Values))
			for _, v := range m.Values {
				args = append(args, v)
			}
		}
		voc := masterVocab[m.Field]
		cond += " AND (a.vtype = ? OR (a.vtype = ? AND NOT EXISTS (SELECT 1 FROM master_data_attrs o WHERE o.vtype = ? AND o.id_canon = a.id_canon)))"
		args = append(args, voc[0], voc[1], voc[0])
		w.add(cond+")", args...)
	}
}
