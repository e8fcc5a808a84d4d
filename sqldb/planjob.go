package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

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
	_, err = db.Write.ExecContext(ctx, db.q(`INSERT INTO plan_jobs (id, network, scenarios, status, error, created_us, finished_us, request, input, result, log)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET network = excluded.network, scenarios = excluded.scenarios, status = excluded.status,
			error = excluded.error, created_us = excluded.created_us, finished_us = excluded.finished_us,
			request = excluded.request, input = excluded.input, result = excluded.result, log = excluded.log`),
		j.ID, j.Network, string(scen), j.Status, j.Error, micros(j.Created), finished,
		doc(j.Request, "{}"), doc(j.Input, "{}"), doc(j.Result, "null"), j.Log)
	if err != nil {
		return fmt.Errorf("%s: save plan job %q: %w", db.Dialect.Name, j.ID, err)
	}
	return nil
}

// FindPlanJob returns a stored planning job with its documents.
func (db *DB) FindPlanJob(ctx context.Context, id string) (*critmin.PlanJob, error) {
	row := db.Read.QueryRowContext(ctx, db.q(`SELECT id, network, scenarios, status, error, created_us, finished_us, request, input, result, log FROM plan_jobs WHERE id = ?`), id)
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
	rows, err := db.Read.QueryContext(ctx, db.q(`SELECT id, network, scenarios, status, error, created_us, finished_us, '', '', '', '' FROM plan_jobs ORDER BY created_us DESC, id DESC LIMIT ?`), limit)
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
	var created int64
	var finished sql.NullInt64
	if err := scan(&j.ID, &j.Network, &scen, &j.Status, &j.Error, &created, &finished, &req, &in, &res, &j.Log); err != nil {
		return nil, err
	}
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
