package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// SharedRateLimits reports whether rate limits should be counted in the
// database (migration 0028): on PostgreSQL, where several servers share
// one store; a SQLite store has one server process, which keeps them in
// memory and spares its single writer.
func (db *DB) SharedRateLimits() bool { return db.Dialect.Dollar }

var rateCalls atomic.Uint64

// TakeRate takes one request from key's allowance of one request per
// interval with bursts of burst, and reports whether it was allowed and,
// if not, how long until it would be. It is the generic cell rate
// algorithm (GCRA, ITU-T I.371 §4.4.2, "virtual scheduling"): the row
// holds the theoretical arrival time TAT; a request at now is allowed
// when max(TAT, now) + interval − now ≤ burst × interval, and then TAT
// becomes max(TAT, now) + interval. One upsert does the test and the
// update under the row's lock, so servers sharing the database share the
// allowance exactly. Hand-worked: interval 1 s, burst 10, ten requests at
// t=0 leave TAT = 10 s (the tenth: 10 − 0 ≤ 10, allowed); the eleventh at
// t=0 would make TAT 11 s, 11 > 10, refused, wait 11 − 0 − 10 = 1 s.
func (db *DB) TakeRate(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (bool, time.Duration, error) {
	nowUS, iv := now.UnixMicro(), interval.Microseconds()
	limit := int64(burst) * iv
	var tat int64
	// CASE rather than GREATEST, which SQLite lacks (its max(a, b) is the
	// same), so that the statement runs on both.
	err := db.Write.QueryRowContext(ctx, db.q(`INSERT INTO rate_limits (key, tat_us) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET tat_us = CASE WHEN rate_limits.tat_us > ? THEN rate_limits.tat_us ELSE ? END + ?
		WHERE CASE WHEN rate_limits.tat_us > ? THEN rate_limits.tat_us ELSE ? END + ? - ? <= ?
		RETURNING tat_us`), key, nowUS+iv, nowUS, nowUS, iv, nowUS, nowUS, iv, nowUS, limit).Scan(&tat)
	if err == nil {
		if rateCalls.Add(1)%1000 == 0 {
			// Forget callers whose allowance is full again.
			_, _ = db.Write.ExecContext(ctx, db.q(`DELETE FROM rate_limits WHERE tat_us < ?`), nowUS)
		}
		return true, 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, 0, fmt.Errorf("%s: rate limit %s: %w", db.Dialect.Name, key, err)
	}
	if err := db.Write.QueryRowContext(ctx, db.q(`SELECT tat_us FROM rate_limits WHERE key = ?`), key).Scan(&tat); err != nil {
		return false, 0, fmt.Errorf("%s: rate limit %s: %w", db.Dialect.Name, key, err)
	}
	wait := time.Duration(max(tat+iv-nowUS-limit, 0)) * time.Microsecond
	return false, wait, nil
}
