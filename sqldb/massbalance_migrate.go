package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

func init() {
	goSteps[31] = func(ctx context.Context, tx *sql.Tx, d Dialect) error {
		// epcis.Canonical now reads the scheme of a Digital Link in any
		// case (HTTPS://…): the stored canonical columns are refreshed
		// first, as migrations 3 and 13 did.
		if err := BackfillIdentity(ctx, tx, d); err != nil {
			return err
		}
		return canonMassBalanceSites(ctx, tx, d)
	}
}

// canonMassBalanceSites is migration 31's Go step. Declarations were kept
// under the site as declared, so a declaration made under
// urn:epc:id:sgln:… missed the runs of events naming the site by its GS1
// Digital Link (and a scheme or NID in another case), and two spellings
// held two accounts of one site. Every row's site becomes its canonical
// form (epcis.Canonical); the versions of all spellings of one site are
// numbered 1, 2, … in the order they were declared (declared_us, then the
// old version and spelling), which is the order they would have had under
// one key. The body keeps the site as declared. Running it again changes
// nothing.
func canonMassBalanceSites(ctx context.Context, tx *sql.Tx, d Dialect) error {
	q := func(s string) string {
		if d.Dollar {
			return Rebind(s)
		}
		return s
	}
	type row struct {
		site     string
		version  int
		declared int64
		body     string
	}
	rows, err := tx.QueryContext(ctx, `SELECT site, version, declared_us, body FROM mass_balance_versions`)
	if err != nil {
		return fmt.Errorf("read mass-balance declarations: %w", err)
	}
	bySite := map[string][]row{}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.site, &r.version, &r.declared, &r.body); err != nil {
			rows.Close()
			return err
		}
		c := canon(r.site)
		bySite[c] = append(bySite[c], r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	sites := make([]string, 0, len(bySite))
	for c := range bySite {
		sites = append(sites, c)
	}
	sort.Strings(sites)
	for _, c := range sites {
		rs := bySite[c]
		same := true
		for _, r := range rs {
			same = same && r.site == c
		}
		if same {
			continue
		}
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].declared != rs[j].declared {
				return rs[i].declared < rs[j].declared
			}
			if rs[i].version != rs[j].version {
				return rs[i].version < rs[j].version
			}
			return rs[i].site < rs[j].site
		})
		for _, r := range rs {
			if _, err := tx.ExecContext(ctx, q(`DELETE FROM mass_balance_versions WHERE site = ? AND version = ?`), r.site, r.version); err != nil {
				return fmt.Errorf("canonicalise mass-balance site %s: %w", r.site, err)
			}
		}
		for i, r := range rs {
			if _, err := tx.ExecContext(ctx, q(`INSERT INTO mass_balance_versions (site, version, declared_us, body) VALUES (?, ?, ?, ?)`), c, i+1, r.declared, r.body); err != nil {
				return fmt.Errorf("canonicalise mass-balance site %s: %w", r.site, err)
			}
		}
	}
	return nil
}
