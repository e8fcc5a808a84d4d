package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/critmin/critmin"
)

// SavePlanJob inserts a planning job or replaces the stored one whole, in
// one statement.
func (db *DB) SavePlanJob(ctx context.Context, j *critmin.PlanJob) error {
	if j.ID == "" {
		return critmin.FieldErrorf("/id", "a plan job needs an id")
	}
	scen, err := json.Marshal(j.Scenarios)
	if err != nil {
		return err
	}
	var finished any
	if j.Finished != nil {
		finished = micros(*j.Finished)
	}
	doc := func(b json.RawMessage, empty string) string {
		if len(b) == 0 {
			return empty
		}
		return string(b)
	}
	var lease int64
	if !j.LeaseUntil.IsZero() {
		lease = micros(j.LeaseUntil)
	}
	// cancel_requested is never cleared by a save: another server may
	// have set it since the owner read it.
	_, err = db.Write.ExecContext(ctx, db.q(planJobUpsert), planJobArgs(j, scen, finished, lease, doc)...)
	if err != nil {
		return fmt.Errorf("%s: save plan job %q: %w", db.Dialect.Name, j.ID, err)
	}
	return nil
}

// planJobUpsert inserts a job or replaces it whole but for started_by,
// which only the first insert sets.
const planJobUpsert = `INSERT INTO plan_jobs (id, network, scenarios, status, error, created_us, finished_us, request, input, result, log, owner, lease_until_us, done, cancel_requested, started_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET network = excluded.network, scenarios = excluded.scenarios, status = excluded.status,
			error = excluded.error, created_us = excluded.created_us, finished_us = excluded.finished_us,
			request = excluded.request, input = excluded.input, result = excluded.result, log = excluded.log,
			owner = excluded.owner, lease_until_us = excluded.lease_until_us, done = excluded.done,
			cancel_requested = CASE WHEN plan_jobs.cancel_requested = 1 OR excluded.cancel_requested = 1 THEN 1 ELSE 0 END`

func planJobArgs(j *critmin.PlanJob, scen []byte, finished any, lease int64, doc func(json.RawMessage, string) string) []any {
	return []any{j.ID, j.Network, string(scen), j.Status, j.Error, micros(j.Created), finished,
		doc(j.Request, "{}"), doc(j.Input, "{}"), doc(j.Result, "null"), j.Log, j.Owner, lease, j.Done, boolInt(j.CancelRequested), j.StartedBy}
}

// StartPlanJob counts the running jobs and inserts j in one transaction,
// under Dialect.LockPlanJobs on PostgreSQL (SQLite's single writer
// already serialises it), so two servers starting jobs at once cannot
// both take the last place.
func (db *DB) StartPlanJob(ctx context.Context, j *critmin.PlanJob, now time.Time, lim critmin.PlanJobLimits) error {
	if j.ID == "" {
		return critmin.FieldErrorf("/id", "a plan job needs an id")
	}
	scen, err := json.Marshal(j.Scenarios)
	if err != nil {
		return err
	}
	doc := func(b json.RawMessage, empty string) string {
		if len(b) == 0 {
			return empty
		}
		return string(b)
	}
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: start plan job: %w", db.Dialect.Name, err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.Dialect.LockPlanJobs != "" {
		if _, err := tx.ExecContext(ctx, db.Dialect.LockPlanJobs); err != nil {
			return fmt.Errorf("%s: start plan job: lock: %w", db.Dialect.Name, err)
		}
	}
	var all, mine int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN started_by = ? THEN 1 ELSE 0 END), 0) FROM plan_jobs WHERE status = 'running' AND lease_until_us >= ?`),
		j.StartedBy, micros(now)).Scan(&all, &mine); err != nil {
		return fmt.Errorf("%s: start plan job: count running: %w", db.Dialect.Name, err)
	}
	if lim.PerToken > 0 && j.StartedBy != "" && mine >= lim.PerToken {
		return critmin.Errorf(critmin.EBUSY, "token %q already has %d plan jobs running, the most one token may run at once (%d); wait for one to finish or cancel one (DELETE /api/v1/plans/{id})", j.StartedBy, mine, lim.PerToken)
	}
	if lim.Running > 0 && all >= lim.Running {
		return critmin.Errorf(critmin.EBUSY, "%d plan jobs are running on this database, the most it runs at once (%d); retry when one has finished", all, lim.Running)
	}
	var lease int64
	if !j.LeaseUntil.IsZero() {
		lease = micros(j.LeaseUntil)
	}
	var finished any
	if j.Finished != nil {
		finished = micros(*j.Finished)
	}
	if _, err := tx.ExecContext(ctx, db.q(planJobUpsert), planJobArgs(j, scen, finished, lease, doc)...); err != nil {
		return fmt.Errorf("%s: start plan job %q: %w", db.Dialect.Name, j.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: start plan job: %w", db.Dialect.Name, err)
	}
	return nil
}

// FindPlanJob returns a stored planning job with its documents.
func (db *DB) FindPlanJob(ctx context.Context, id string) (*critmin.PlanJob, error) {
	row := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT id, network, scenarios, status, error, created_us, finished_us, request, input, result, log, owner, lease_until_us, done, cancel_requested FROM plan_jobs WHERE id = ?`), id)
	j, err := scanPlanJob(row.Scan, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no plan job %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: find plan job %q: %w", db.Dialect.Name, id, err)
	}
	return j, nil
}

// ListPlanJobs returns up to limit jobs, newest first, without documents.
func (db *DB) ListPlanJobs(ctx context.Context, limit int) ([]*critmin.PlanJob, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT id, network, scenarios, status, error, created_us, finished_us, '', '', '', '', owner, lease_until_us, done, cancel_requested FROM plan_jobs ORDER BY created_us DESC, id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("%s: list plan jobs: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.PlanJob
	for rows.Next() {
		j, err := scanPlanJob(rows.Scan, false)
		if err != nil {
			return nil, fmt.Errorf("%s: list plan jobs: %w", db.Dialect.Name, err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

func scanPlanJob(scan func(...any) error, docs bool) (*critmin.PlanJob, error) {
	var j critmin.PlanJob
	var scen, req, in, res string
	var created, lease, cancel int64
	var finished sql.NullInt64
	if err := scan(&j.ID, &j.Network, &scen, &j.Status, &j.Error, &created, &finished, &req, &in, &res, &j.Log, &j.Owner, &lease, &j.Done, &cancel); err != nil {
		return nil, err
	}
	if lease != 0 {
		j.LeaseUntil = fromMicros(lease)
	}
	j.CancelRequested = cancel != 0
	if err := json.Unmarshal([]byte(scen), &j.Scenarios); err != nil {
		return nil, fmt.Errorf("scenarios of plan job %q: %w", j.ID, err)
	}
	j.Created = fromMicros(created)
	if finished.Valid {
		t := fromMicros(finished.Int64)
		j.Finished = &t
	}
	if docs {
		j.Request, j.Input, j.Result = json.RawMessage(req), json.RawMessage(in), json.RawMessage(res)
	}
	return &j, nil
}

// RenewPlanJob extends a running job's lease and records its progress, in
// one conditional update that also reads the cancel flag (RETURNING, in
// SQLite since 3.35 and in PostgreSQL): no row means the job no longer
// runs under owner, and so must stop.
func (db *DB) RenewPlanJob(ctx context.Context, id, owner string, done int, leaseUntil time.Time) (bool, error) {
	var cancel int64
	err := db.Write.QueryRowContext(ctx, db.q(`UPDATE plan_jobs SET lease_until_us = ?, done = ?
		WHERE id = ? AND owner = ? AND status = 'running' RETURNING cancel_requested`), micros(leaseUntil), done, id, owner).Scan(&cancel)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: renew plan job %q: %w", db.Dialect.Name, id, err)
	}
	return cancel != 0, nil
}

// CancelPlanJob sets a running job's cancel flag (read on the primary, so
// that a read replica's lag cannot hide a job just started).
func (db *DB) CancelPlanJob(ctx context.Context, id string) (*critmin.PlanJob, error) {
	if _, err := db.Write.ExecContext(ctx, db.q(`UPDATE plan_jobs SET cancel_requested = 1 WHERE id = ? AND status = 'running'`), id); err != nil {
		return nil, fmt.Errorf("%s: cancel plan job %q: %w", db.Dialect.Name, id, err)
	}
	row := db.Write.QueryRowContext(ctx, db.q(`SELECT id, network, scenarios, status, error, created_us, finished_us, '', '', '', '', owner, lease_until_us, done, cancel_requested FROM plan_jobs WHERE id = ?`), id)
	j, err := scanPlanJob(row.Scan, false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no plan job %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cancel plan job %q: %w", db.Dialect.Name, id, err)
	}
	return j, nil
}

// AbandonPlanJobs marks running jobs with a lapsed lease as abandoned. It
// looks first and writes only when there is such a job, so that listing
// jobs does not wait for the writer (SQLite's is held through a long
// capture).
func (db *DB) AbandonPlanJobs(ctx context.Context, now time.Time, except string) (int, error) {
	var lapsed int
	if err := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM plan_jobs WHERE status = 'running' AND lease_until_us < ? AND owner <> ?`), micros(now), except).Scan(&lapsed); err != nil {
		return 0, fmt.Errorf("%s: abandon plan jobs: %w", db.Dialect.Name, err)
	}
	if lapsed == 0 {
		return 0, nil
	}
	res, err := db.Write.ExecContext(ctx, db.q(`UPDATE plan_jobs SET status = 'abandoned', finished_us = ?,
		error = 'the server running this job stopped (its lease lapsed) before it ended; plan it again'
		WHERE status = 'running' AND lease_until_us < ? AND owner <> ?`), micros(now), micros(now), except)
	if err != nil {
		return 0, fmt.Errorf("%s: abandon plan jobs: %w", db.Dialect.Name, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
