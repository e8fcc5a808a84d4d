package critmin

import (
	"context"
	"encoding/json"
	"time"
)

// Plan job statuses.
const (
	PlanRunning     = "running"
	PlanSuccess     = "success"
	PlanFailed      = "failed"
	PlanCancelled   = "cancelled"
	PlanInterrupted = "interrupted" // running when the server stopped
)

// PlanJob is a stored planning job: what was asked (Request), the
// planning file it ran on with the ledger's lots pulled in (Input), its
// plans (Result, the plan package's JSON) and the solver log. The root
// package keeps the three documents as JSON so that it imports nothing
// from the planner.
type PlanJob struct {
	ID        string
	Network   string
	Scenarios []string
	Status    string
	Error     string
	Created   time.Time
	Finished  *time.Time
	Request   json.RawMessage
	Input     json.RawMessage
	Result    json.RawMessage
	Log       string
}

// PlanStore keeps planning jobs so that a plan outlives the process that
// made it.
type PlanStore interface {
	// SavePlanJob inserts a job, or replaces the stored job of that ID
	// whole (a job is saved when it starts and again when it ends).
	SavePlanJob(ctx context.Context, j *PlanJob) error
	// FindPlanJob returns a job with its documents; ENOTFOUND if none.
	FindPlanJob(ctx context.Context, id string) (*PlanJob, error)
	// ListPlanJobs returns up to limit jobs, newest first, without
	// Input, Result and Log.
	ListPlanJobs(ctx context.Context, limit int) ([]*PlanJob, error)
}
