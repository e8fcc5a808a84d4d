package sqldb

import (
	"context"
	"database/sql"
)

// urnCaseMigration made the "urn" scheme and the NID of every URN
// identifier case-insensitive (epcis.CanonicalURN).
const urnCaseMigration = 74

func init() { goStepsWithStore[urnCaseMigration] = canonicalURNCase }

// canonicalURNCase is migration 0074's Go step: the canonical columns of
// a store made before it hold URNs with an upper-case scheme or NID as
// captured, and its lots are keyed by them, so one lot spelt in two cases
// is two lots. It rewrites every canonical column that differs from what
// capture stores today (backfillIdentity); where it rewrote any, it
// replays the log as verify does and replaces each lot projection table
// that differs (replaceProjection). A store whose identifiers are all
// canonical already is left alone; running it again changes nothing.
func canonicalURNCase(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	changed, err := backfillIdentity(ctx, tx, d)
	if err != nil || changed == 0 {
		return err
	}
	return replaceProjection(ctx, raw, tx, d)
}
