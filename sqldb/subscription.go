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
)

// CreateNamedQuery stores a named query; ECONFLICT when the name is taken.
func (db *DB) CreateNamedQuery(ctx context.Context, q *critmin.NamedQuery) error {
	return db.attestWrite(ctx, "named_queries", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`INSERT INTO named_queries (name, params, created_us) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`),
			q.Name, string(q.Query), micros(q.CreatedAt))
		if err != nil {
			return fmt.Errorf("%s: create named query %q: %w", db.Dialect.Name, q.Name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return critmin.Errorf(critmin.ECONFLICT, "a query named %q exists", q.Name)
		}
		return nil
	}, q.Name)
}

// FindNamedQuery returns a named query.
func (db *DB) FindNamedQuery(ctx context.Context, name string) (*critmin.NamedQuery, error) {
	var q critmin.NamedQuery
	var params string
	var created int64
	err := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT name, params, created_us FROM named_queries WHERE name = ?`), name).Scan(&q.Name, &params, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no query named %q", name)
	} else if err != nil {
		return nil, fmt.Errorf("%s: find named query %q: %w", db.Dialect.Name, name, err)
	}
	if err := db.checkAttestedIn(ctx, db.consistent(ctx), "named_queries", name); err != nil {
		return nil, err
	}
	q.Query, q.CreatedAt = json.RawMessage(params), fromMicros(created)
	return &q, nil
}

// ListNamedQueries lists named queries by name, after after.
func (db *DB) ListNamedQueries(ctx context.Context, after string, limit int) ([]*critmin.NamedQuery, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT name, params, created_us FROM named_queries WHERE name > ? ORDER BY name LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: list named queries: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.NamedQuery
	for rows.Next() {
		var q critmin.NamedQuery
		var params string
		var created int64
		if err := rows.Scan(&q.Name, &params, &created); err != nil {
			return nil, err
		}
		q.Query, q.CreatedAt = json.RawMessage(params), fromMicros(created)
		out = append(out, &q)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	keys := make([][]any, len(out))
	for i, q := range out {
		keys[i] = []any{q.Name}
	}
	if err := db.checkAttestedKeys(ctx, db.reader(ctx), "named_queries", keys); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteNamedQuery removes a named query; its subscriptions and their
// notifications go with it (ON DELETE CASCADE).
func (db *DB) DeleteNamedQuery(ctx context.Context, name string) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Explicit deletes, so that the cascade does not depend on SQLite's
	// foreign_keys pragma.
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM notifications WHERE subscription_id IN (SELECT id FROM subscriptions WHERE query_name = ?)`), name); err != nil {
		return fmt.Errorf("%s: delete notifications of %q: %w", db.Dialect.Name, name, err)
	}
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM subscriptions WHERE query_name = ?`), name); err != nil {
		return fmt.Errorf("%s: delete subscriptions of %q: %w", db.Dialect.Name, name, err)
	}
	if err := db.guardAttested(ctx, tx, "named_queries", name); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, db.q(`DELETE FROM named_queries WHERE name = ?`), name)
	if err != nil {
		return fmt.Errorf("%s: delete named query %q: %w", db.Dialect.Name, name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return critmin.Errorf(critmin.ENOTFOUND, "no query named %q", name)
	}
	if err := db.attest(ctx, tx, "named_queries", name); err != nil {
		return err
	}
	return tx.Commit()
}

// CreateSubscription stores a subscription of an existing named query.
func (db *DB) CreateSubscription(ctx context.Context, s *critmin.Subscription) error {
	sched := ""
	if s.Schedule != nil {
		b, _ := json.Marshal(s.Schedule)
		sched = string(b)
	}
	res, err := db.Write.ExecContext(ctx, db.q(`INSERT INTO subscriptions (id, query_name, dest, secret, stream, schedule, report_if_empty, epc_format, initial_us, created_us, last_seq, next_run_us)
		SELECT ?, name, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM named_queries WHERE name = ?`),
		s.ID, s.Dest, s.Secret, boolInt(s.Stream), sched, boolInt(s.ReportIfEmpty), s.EPCFormat, optMicros(s.InitialRecordTime), micros(s.CreatedAt), s.LastSeq, optMicros(s.NextRun), s.QueryName)
	if err != nil {
		return fmt.Errorf("%s: create subscription: %w", db.Dialect.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return critmin.Errorf(critmin.ENOTFOUND, "no query named %q", s.QueryName)
	}
	return nil
}

// subscriptionSelect reads subscriptions with their delivery state. The
// last error is that of the newest notification with an outcome, and is
// empty once that one was delivered: a successful delivery clears the
// error an earlier failure left.
const subscriptionSelect = `SELECT s.id, s.query_name, s.dest, s.secret, s.stream, s.schedule, s.report_if_empty, s.epc_format, s.initial_us, s.created_us, s.last_seq, s.next_run_us, s.last_notified_us,
	(SELECT COUNT(*) FROM notifications n WHERE n.subscription_id = s.id AND n.delivered_us IS NOT NULL),
	(SELECT COUNT(*) FROM notifications n WHERE n.subscription_id = s.id AND n.delivered_us IS NULL),
	COALESCE((SELECT SUM(n.failures) FROM notifications n WHERE n.subscription_id = s.id), 0),
	COALESCE((SELECT CASE WHEN n.delivered_us IS NULL THEN n.last_error ELSE '' END FROM notifications n
		WHERE n.subscription_id = s.id AND (n.last_error <> '' OR n.delivered_us IS NOT NULL) ORDER BY n.id DESC LIMIT 1), '')
	FROM subscriptions s`

func scanSubscriptions(rows *sql.Rows) ([]*critmin.Subscription, error) {
	defer rows.Close()
	var out []*critmin.Subscription
	for rows.Next() {
		var s critmin.Subscription
		var stream, rie int
		var sched string
		var initial, next, notified sql.NullInt64
		var created int64
		if err := rows.Scan(&s.ID, &s.QueryName, &s.Dest, &s.Secret, &stream, &sched, &rie, &s.EPCFormat, &initial, &created, &s.LastSeq, &next, &notified,
			&s.Delivered, &s.Pending, &s.Failures, &s.LastError); err != nil {
			return nil, err
		}
		s.Stream, s.ReportIfEmpty, s.CreatedAt = stream == 1, rie == 1, fromMicros(created)
		if sched != "" {
			s.Schedule = &critmin.Schedule{}
			if err := json.Unmarshal([]byte(sched), s.Schedule); err != nil {
				return nil, fmt.Errorf("decode schedule of %s: %w", s.ID, err)
			}
		}
		s.InitialRecordTime, s.NextRun, s.LastNotifiedAt = nullTime(initial), nullTime(next), nullTime(notified)
		out = append(out, &s)
	}
	return out, rows.Err()
}

// FindSubscription returns one subscription of a named query.
func (db *DB) FindSubscription(ctx context.Context, queryName, id string) (*critmin.Subscription, error) {
	rows, err := db.consistent(ctx).QueryContext(ctx, db.q(subscriptionSelect+` WHERE s.query_name = ? AND s.id = ?`), queryName, id)
	if err != nil {
		return nil, fmt.Errorf("%s: find subscription: %w", db.Dialect.Name, err)
	}
	subs, err := scanSubscriptions(rows)
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no subscription %q of query %q", id, queryName)
	}
	return subs[0], nil
}

// ListSubscriptions lists the subscriptions of a query ("" for all).
func (db *DB) ListSubscriptions(ctx context.Context, queryName string) ([]*critmin.Subscription, error) {
	q, args := subscriptionSelect, []any{}
	if queryName != "" {
		q += ` WHERE s.query_name = ?`
		args = append(args, queryName)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(q+` ORDER BY s.created_us, s.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: list subscriptions: %w", db.Dialect.Name, err)
	}
	return scanSubscriptions(rows)
}

// ListSubscriptionsPage lists at most limit subscriptions of queryName
// ("" for all) by ID, after the ID after ("" from the first).
func (db *DB) ListSubscriptionsPage(ctx context.Context, queryName, after string, limit int) ([]*critmin.Subscription, error) {
	q, args := subscriptionSelect+` WHERE s.id > ?`, []any{after}
	if queryName != "" {
		q += ` AND s.query_name = ?`
		args = append(args, queryName)
	}
	args = append(args, limit)
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(q+` ORDER BY s.id LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: list subscriptions: %w", db.Dialect.Name, err)
	}
	return scanSubscriptions(rows)
}

// SubscriptionTotals counts the subscriptions, the notifications not yet
// delivered and the failed delivery attempts, as the per-subscription
// columns of ListSubscriptions would sum.
func (db *DB) SubscriptionTotals(ctx context.Context) (critmin.SubscriptionTotals, error) {
	var t critmin.SubscriptionTotals
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM subscriptions),
		(SELECT COUNT(*) FROM notifications n JOIN subscriptions s ON s.id = n.subscription_id WHERE n.delivered_us IS NULL),
		COALESCE((SELECT SUM(n.failures) FROM notifications n JOIN subscriptions s ON s.id = n.subscription_id), 0)`).Scan(&t.Subscriptions, &t.Pending, &t.Failures)
	if err != nil {
		return t, fmt.Errorf("%s: subscription totals: %w", db.Dialect.Name, err)
	}
	return t, nil
}

// DeleteSubscription removes a subscription and its notifications.
func (db *DB) DeleteSubscription(ctx context.Context, queryName, id string) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.q(`DELETE FROM subscriptions WHERE query_name = ? AND id = ?`), queryName, id)
	if err != nil {
		return fmt.Errorf("%s: delete subscription: %w", db.Dialect.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return critmin.Errorf(critmin.ENOTFOUND, "no subscription %q of query %q", id, queryName)
	}
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM notifications WHERE subscription_id = ?`), id); err != nil {
		return fmt.Errorf("%s: delete notifications: %w", db.Dialect.Name, err)
	}
	return tx.Commit()
}

// ClaimSubscriptions leases due subscriptions with a conditional UPDATE:
// a row is taken only while no other owner's lease is running, which is
// atomic on both backends, so two servers never run one subscription at
// once.
func (db *DB) ClaimSubscriptions(ctx context.Context, owner string, now, until time.Time, maxSeq int64, n int) ([]*critmin.Subscription, error) {
	rows, err := db.consistent(ctx).QueryContext(ctx, db.q(`SELECT id FROM subscriptions WHERE lease_until_us < ?
		AND ((stream = 1 AND last_seq < ?) OR (stream = 0 AND next_run_us <= ?)) ORDER BY COALESCE(next_run_us, 0), id LIMIT ?`),
		micros(now), maxSeq, micros(now), n)
	if err != nil {
		return nil, fmt.Errorf("%s: due subscriptions: %w", db.Dialect.Name, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []*critmin.Subscription
	for _, id := range ids {
		res, err := db.Write.ExecContext(ctx, db.q(`UPDATE subscriptions SET lease_owner = ?, lease_until_us = ? WHERE id = ? AND lease_until_us < ?`),
			owner, micros(until), id, micros(now))
		if err != nil {
			return nil, fmt.Errorf("%s: claim subscription: %w", db.Dialect.Name, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue // another server took it
		}
		rows, err := db.Write.QueryContext(ctx, db.q(subscriptionSelect+` WHERE s.id = ?`), id)
		if err != nil {
			return nil, fmt.Errorf("%s: read claimed subscription: %w", db.Dialect.Name, err)
		}
		subs, err := scanSubscriptions(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, subs...)
	}
	return out, nil
}

// CompleteRun writes the run's notifications and advances the
// subscription, releasing the lease, in one transaction.
func (db *DB) CompleteRun(ctx context.Context, owner, id string, notes []*critmin.Notification, lastSeq int64, nextRun *time.Time) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.q(`UPDATE subscriptions SET last_seq = ?, next_run_us = ?, lease_owner = '', lease_until_us = 0 WHERE id = ? AND lease_owner = ?`),
		lastSeq, optMicros(nextRun), id, owner)
	if err != nil {
		return fmt.Errorf("%s: complete subscription run: %w", db.Dialect.Name, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return critmin.Errorf(critmin.ECONFLICT, "subscription %q is no longer leased to %s", id, owner)
	}
	for _, n := range notes {
		ids, _ := json.Marshal(n.EventIDs)
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO notifications (subscription_id, body, event_ids, created_us, next_attempt_us) VALUES (?, ?, ?, ?, ?)`),
			id, string(n.Body), string(ids), micros(n.CreatedAt), micros(n.CreatedAt)); err != nil {
			return fmt.Errorf("%s: queue notification: %w", db.Dialect.Name, err)
		}
	}
	return tx.Commit()
}

// ClaimNotifications leases due, undelivered notifications. On
// PostgreSQL the rows are picked FOR UPDATE SKIP LOCKED, so servers
// claiming at once take different rows; SQLite has one writer. The
// notifications of the subscriptions in skip are left for later.
func (db *DB) ClaimNotifications(ctx context.Context, now, until time.Time, n int, skip []string) ([]*critmin.Notification, error) {
	due := `delivered_us IS NULL AND next_attempt_us <= ? AND claimed_until_us < ?`
	dueArgs := []any{micros(now), micros(now)}
	if len(skip) > 0 {
		due += ` AND subscription_id NOT IN (?` + strings.Repeat(`, ?`, len(skip)-1) + `)`
		for _, id := range skip {
			dueArgs = append(dueArgs, id)
		}
	}
	pick := `SELECT id FROM notifications WHERE ` + due + ` ORDER BY next_attempt_us, id LIMIT ?`
	if db.Dialect.Dollar {
		pick += ` FOR UPDATE SKIP LOCKED`
	}
	// A read first, so that an idle server does not take the write lock
	// every poll.
	var one int
	err := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT 1 FROM notifications WHERE `+due+` LIMIT 1`), dueArgs...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%s: due notifications: %w", db.Dialect.Name, err)
	}
	q := `UPDATE notifications SET claimed_until_us = ?, attempts = attempts + 1 WHERE id IN (` + pick + `)
		RETURNING id, subscription_id, body, event_ids, attempts, created_us`
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, db.q(q), append(append([]any{micros(until)}, dueArgs...), n)...)
	if err != nil {
		return nil, fmt.Errorf("%s: claim notifications: %w", db.Dialect.Name, err)
	}
	var out []*critmin.Notification
	for rows.Next() {
		var nt critmin.Notification
		var body, ids string
		var created int64
		if err := rows.Scan(&nt.ID, &nt.SubscriptionID, &body, &ids, &nt.Attempts, &created); err != nil {
			rows.Close()
			return nil, err
		}
		nt.Body, nt.CreatedAt = []byte(body), fromMicros(created)
		_ = json.Unmarshal([]byte(ids), &nt.EventIDs)
		out = append(out, &nt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, nt := range out {
		if err := tx.QueryRowContext(ctx, db.q(`SELECT query_name, dest, secret FROM subscriptions WHERE id = ?`), nt.SubscriptionID).Scan(&nt.QueryName, &nt.Dest, &nt.Secret); err != nil {
			return nil, fmt.Errorf("%s: subscription of notification %d: %w", db.Dialect.Name, nt.ID, err)
		}
	}
	return out, tx.Commit()
}

// NotificationDelivered marks a notification delivered and stamps its
// subscription's lastNotifiedAt.
func (db *DB) NotificationDelivered(ctx context.Context, id int64, at time.Time) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE notifications SET delivered_us = ?, claimed_until_us = 0 WHERE id = ?`), micros(at), id); err != nil {
		return fmt.Errorf("%s: mark delivered: %w", db.Dialect.Name, err)
	}
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE subscriptions SET last_notified_us = ? WHERE id = (SELECT subscription_id FROM notifications WHERE id = ?)`), micros(at), id); err != nil {
		return fmt.Errorf("%s: stamp subscription: %w", db.Dialect.Name, err)
	}
	return tx.Commit()
}

// NotificationFailed records a failed attempt; the row is due again at
// next.
func (db *DB) NotificationFailed(ctx context.Context, id int64, reason string, next time.Time) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	reason = strings.ToValidUTF8(reason, "?")
	if _, err := db.Write.ExecContext(ctx, db.q(`UPDATE notifications SET last_error = ?, next_attempt_us = ?, claimed_until_us = 0, failures = failures + 1 WHERE id = ?`), reason, micros(next), id); err != nil {
		return fmt.Errorf("%s: record failed delivery: %w", db.Dialect.Name, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func optMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

func nullTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}
