package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// siteChange is how a location's master data changed an attribute a
// verdict or an origin reads — its country (SiteCountry: cm:country,
// countryCode, the UN/LOCODE's country) or its cm:siteKind — from one
// version to a later one.
type siteChange struct {
	id        string   // as master data spells it
	countries []string // each country a version gave (alpha-3), first seen first
	kinds     []string // each site kind a version gave (lower case), first seen first
	// country, kind: the country, the site kind changed.
	country, kind bool
	words         []string // "countryCode CN (CHN) recorded 2025-…, then countryCode US (USA) recorded 2025-…"
}

// siteChanges reads every version of the locations' master data (oldest
// first) and returns, by canonical identifier, those whose country or
// site kind a later version changed (set where none was is no change; a
// value dropped is). A site does not move (DFARS 252.225-7052 reads where
// material was mined and processed, a physical fact): capture refuses
// such a change where events are recorded (ledger, checkSiteFixed); a
// store from before holds it, and its readers take the site as in every
// country it was given (critmin.Site.CountryVersions), never the last.
func siteChanges(ctx context.Context, q querier, d Dialect) (map[string]*siteChange, error) {
	rows, err := q.QueryContext(ctx, `SELECT vtype, id, record_us, attrs FROM master_data_versions ORDER BY record_us, vtype, id`)
	if err != nil {
		return nil, fmt.Errorf("%s: master data versions: %w", d.Name, err)
	}
	defer rows.Close()
	type state struct {
		id                 string
		country, cwords    string
		kind               string
		countries, kinds   []string
		words              []string
		countrySet, kindOf bool
		// countryChanged, kindChanged: a later version changed it.
		countryChanged, kindChanged bool
	}
	all := map[string]*state{}
	for rows.Next() {
		var vtype, id, a string
		var rt int64
		if err := rows.Scan(&vtype, &id, &rt, &a); err != nil {
			return nil, err
		}
		if !locationTypes[vtype] {
			continue
		}
		var attrs map[string]string
		if err := decodeDerived("master_data_versions", rowKey("id", id), "attrs", a, &attrs); err != nil {
			return nil, err
		}
		at := fromMicros(rt).UTC().Format(time.RFC3339)
		k := canon(id)
		st := all[k]
		if st == nil {
			st = &state{id: id}
			all[k] = st
		}
		c, conflict := critmin.SiteCountry(attrs, nil)
		if conflict != "" {
			c = ""
		}
		cw := critmin.SiteCountryWords(attrs)
		switch {
		case c != "" && !st.countrySet:
			st.country, st.cwords, st.countrySet = c, cw, true
			st.countries = append(st.countries, c)
		case st.countrySet && c != st.country:
			if c == "" {
				cw = "no country"
			}
			st.words = append(st.words, fmt.Sprintf("its country changed from %s (recorded before) to %s (recorded %s)", st.cwords, cw, at))
			st.countryChanged = true
			if c != "" && !containsString(st.countries, c) {
				st.countries = append(st.countries, c)
			}
			st.country, st.cwords = c, cw
		}
		kind := strings.ToLower(strings.TrimSpace(attr(attrs, "siteKind")))
		switch {
		case kind != "" && !st.kindOf:
			st.kind, st.kindOf = kind, true
			st.kinds = append(st.kinds, kind)
		case st.kindOf && kind != st.kind:
			st.words = append(st.words, fmt.Sprintf("its siteKind changed from %s to %s (recorded %s)", orNone(st.kind), orNone(kind), at))
			st.kindChanged = true
			if !containsString(st.kinds, kind) {
				st.kinds = append(st.kinds, kind)
			}
			st.kind = kind
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]*siteChange{}
	for k, st := range all {
		if len(st.words) > 0 {
			out[k] = &siteChange{id: st.id, countries: st.countries, kinds: st.kinds, country: st.countryChanged, kind: st.kindChanged, words: st.words}
		}
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// applySiteChanges marks each site whose country master data changed: no
// one country (Country ""), the change named in CountryConflict, every
// country it was given in CountryVersions — so that the origin of a lot
// first recorded there is in conflict (origin_conflict) and a
// covered-country rule reads the covered one (custody). A site whose
// kind changed keeps every kind it was given in KindVersions (its
// latest in Kind): the rules read it the covered way (critmin.Site
// WasKind, AlwaysKind).
func applySiteChanges(sites map[string]*critmin.Site, changes map[string]*siteChange) {
	for k, ch := range changes {
		s := sites[k]
		if s == nil {
			continue
		}
		if ch.kind {
			s.KindVersions = append([]string(nil), ch.kinds...) // "": a version gave none
		}
		if !ch.country {
			continue
		}
		s.Country = ""
		s.CountryVersions = append([]string(nil), ch.countries...)
		s.CountryConflict = "master data of " + ch.id + " changed after events were recorded there: " + strings.Join(ch.words, "; ")
	}
}

// siteProblem is verify's report of the locations whose master data
// changed a country or site kind after an event was recorded there (one
// event named each), "" when none did.
func (db *DB) siteProblem(ctx context.Context) (string, error) {
	q := db.reader(ctx)
	changes, err := siteChanges(ctx, q, db.Dialect)
	if err != nil {
		return "", err
	}
	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	one := `SELECT event_id FROM events WHERE declaration = 0 AND (biz_location_canon = ? OR read_point_canon = ?) ORDER BY pk LIMIT 1`
	if db.Dialect.Dollar {
		one = Rebind(one)
	}
	var out []string
	for _, k := range keys {
		var ev string
		switch err := q.QueryRowContext(ctx, one, k, k).Scan(&ev); {
		case err == nil:
		case errors.Is(err, sql.ErrNoRows):
			continue
		default:
			return "", fmt.Errorf("%s: events at %s: %w", db.Dialect.Name, k, err)
		}
		ch := changes[k]
		out = append(out, fmt.Sprintf("location %s, where event %s is recorded: %s", ch.id, ev, strings.Join(ch.words, "; ")))
	}
	if len(out) == 0 {
		return "", nil
	}
	return "a site does not move, yet master data changed what verdicts read of it (DFARS 252.225-7052 reads where material was mined and processed; its covered-country rules read every country it was given): " + strings.Join(out, "; "), nil
}

// siteParents reads the location hierarchy master data declares: each
// location element's canonical identifier, with the elements whose
// current children list it (EPCIS 2.0 §8), sorted.
func siteParents(ctx context.Context, q querier, d Dialect) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT vtype, parent, child FROM master_data_children ORDER BY parent, child`)
	if err != nil {
		return nil, fmt.Errorf("%s: master data children: %w", d.Name, err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var vtype, parent, child string
		if err := rows.Scan(&vtype, &parent, &child); err != nil {
			return nil, err
		}
		if !locationTypes[vtype] || parent == child || containsString(out[child], parent) {
			continue
		}
		out[child] = append(out[child], parent)
	}
	return out, rows.Err()
}

// applySiteParents reads each site with the locations it lies inside
// (critmin.SiteAncestors: the GLN of a GLN sub-location, GS1 General
// Specifications §3.4.2; the elements whose master-data children list
// it): see critmin.ApplySiteParents.
func (db *DB) applySiteParents(ctx context.Context, q querier, sites map[string]*critmin.Site) error {
	parents, err := siteParents(ctx, q, db.Dialect)
	if err != nil {
		return err
	}
	for child, ps := range parents {
		for _, p := range ps {
			if s := sites[p]; s != nil && !containsString(s.Contains, child) {
				s.Contains = append(s.Contains, child)
				sort.Strings(s.Contains)
			}
		}
	}
	critmin.ApplySiteParents(sites, func(k string) []string { return siteUp(parents, k) })
	return nil
}

// siteUp is the canonical identifiers of the locations the one of
// canonical identifier k lies directly inside: the elements whose
// master-data children list it, and the GLN of a GLN sub-location
// (epcis.LocationBase).
func siteUp(parents map[string][]string, k string) []string {
	up := parents[k]
	if b := epcis.LocationBase(k); b != "" && !containsString(up, b) {
		up = append(append([]string(nil), up...), b)
	}
	return up
}
