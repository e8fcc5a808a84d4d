package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
)

// SaveMassBalance stores a site's mass-balance declaration as its next
// version (one more than the latest) and sets d.Version; earlier versions
// are kept. The caller validates it (custody.DeclareMassBalance). Two
// concurrent saves cannot take the same number: (site, version) is the
// primary key and the loser's insert fails.
func (db *DB) SaveMassBalance(ctx context.Context, d *critmin.MassBalanceDeclaration) error {
	var last sql.NullInt64
	if err := db.Write.QueryRowContext(ctx, db.q(`SELECT MAX(version) FROM mass_balance_versions WHERE site = ?`), canon(d.Site)).Scan(&last); err != nil {
		return fmt.Errorf("%s: mass-balance declaration version: %w", db.Dialect.Name, err)
	}
	v := *d
	v.Version = int(last.Int64) + 1
	body, err := json.Marshal(&v)
	if err != nil {
		return fmt.Errorf("%s: encode mass-balance declaration: %w", db.Dialect.Name, err)
	}
	if err := db.attestWrite(ctx, "mass_balance_versions", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO mass_balance_versions (site, version, declared_us, body) VALUES (?, ?, ?, ?)`),
			canon(d.Site), v.Version, micros(d.DeclaredAt), string(body)); err != nil {
			return fmt.Errorf("%s: save mass-balance declaration: %w", db.Dialect.Name, err)
		}
		return nil
	}, canon(d.Site), v.Version); err != nil {
		return err
	}
	d.Version = v.Version
	return nil
}

// FindMassBalance returns a site's latest declaration, ENOTFOUND if it has
// none.
func (db *DB) FindMassBalance(ctx context.Context, site string) (*critmin.MassBalanceDeclaration, error) {
	vs, err := db.MassBalanceVersions(ctx, site)
	if err != nil {
		return nil, err
	}
	return vs[len(vs)-1], nil
}

// MassBalanceVersions returns every version of a site's declaration,
// oldest first, ENOTFOUND if it has none.
func (db *DB) MassBalanceVersions(ctx context.Context, site string) ([]*critmin.MassBalanceDeclaration, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT version, body FROM mass_balance_versions WHERE site = ? ORDER BY version`), canon(site))
	if err != nil {
		return nil, fmt.Errorf("%s: find mass-balance declaration: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.MassBalanceDeclaration
	for rows.Next() {
		var (
			version int
			body    string
		)
		if err := rows.Scan(&version, &body); err != nil {
			return nil, fmt.Errorf("%s: find mass-balance declaration: %w", db.Dialect.Name, err)
		}
		var d critmin.MassBalanceDeclaration
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			return nil, fmt.Errorf("%s: stored mass-balance declaration of %s: %w", db.Dialect.Name, site, err)
		}
		d.Version = version // rows migrated from before 0019 have none in their body
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: find mass-balance declaration: %w", db.Dialect.Name, err)
	}
	if len(out) == 0 {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "site %s has no mass-balance declaration", site)
	}
	rows.Close()
	keys := make([][]any, len(out))
	for i, d := range out {
		keys[i] = []any{canon(site), d.Version}
	}
	if err := db.checkAttestedKeys(ctx, db.reader(ctx), "mass_balance_versions", keys); err != nil {
		return nil, err
	}
	return out, nil
}

// ClaimEvents returns, for each of ids that carries a mass-balance claim,
// the live event that made it: the latest event (by event time, then
// record) naming the lot as an output or observed lot whose ILMD holds
// cm:originClaim, not declared in error. custody books a claim in the
// claim period of that event (ISO 22095-2: a claim is made in the period
// it is made).
func (db *DB) ClaimEvents(ctx context.Context, ids []string) (map[string]critmin.ClaimEvent, error) {
	out := map[string]critmin.ClaimEvent{}
	err := inChunks(canonAll(ids), func(part []any) error {
		rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT q.canon, e.event_id, e.event_time, e.pk, e.raw FROM event_quantities q JOIN events e ON e.pk = q.event_pk
			WHERE e.declaration = 0 AND q.role <> 'input' AND q.canon IN (`+placeholders(len(part))+`)
			AND NOT EXISTS (SELECT 1 FROM events d WHERE d.declaration = 1 AND d.event_id = e.event_id)
			ORDER BY e.event_time, e.pk`), part...)
		if err != nil {
			return fmt.Errorf("%s: claim events: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var lot, ev, raw string
			var at, pk int64
			if err := rows.Scan(&lot, &ev, &at, &pk, &raw); err != nil {
				return err
			}
			if !hasILMDClaim(raw) {
				continue
			}
			out[lot] = critmin.ClaimEvent{Event: ev, At: fromMicros(at), Seq: pk}
		}
		return rows.Err()
	})
	return out, err
}

// hasILMDClaim says an event's JSON carries cm:originClaim in its ILMD
// (any prefix bound to the mineral namespace, or the full IRI).
func hasILMDClaim(raw string) bool {
	if !strings.Contains(raw, "originClaim") {
		return false
	}
	var ev struct {
		ILMD map[string]json.RawMessage `json:"ilmd"`
	}
	if json.Unmarshal([]byte(raw), &ev) != nil {
		return false
	}
	for k := range ev.ILMD {
		if strings.HasSuffix(k, ":originClaim") || strings.HasSuffix(k, "/originClaim") {
			return true
		}
	}
	return false
}

func canonAll(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = canon(id)
	}
	return out
}
