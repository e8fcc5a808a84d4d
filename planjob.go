package critmin

import (
	"context"
	"encoding/json"
	"time"
)

// Plan job statuses.
const (
	PlanRunning   = "running"
	PlanSuccess   = "success"
	PlanFailed    = "failed"
	PlanCancelled = "cancelled"
	// PlanAbandoned: the job's owner stopped renewing its lease (the
	// server died or lost the database) while it ran.
	PlanAbandoned = "abandoned"
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
	// Owner identifies the server process running the job; LeaseUntil is
	// when its lease lapses unless renewed (RenewPlanJob); Done counts the
	// scenarios planned so far; CancelRequested is set by CancelPlanJob,
	// from any server, and read by the owner at its next renewal.
	Owner      string
	LeaseUntil time.Time
	// StartedBy is the name of the token that started the job ("" for
	// jobs started by the server itself or stored before it was kept).
	StartedBy       string
	Done            int
	CancelRequested bool
}

// PlanJobLimits caps running plan jobs: each runs MIP solves in solver
// processes, so a job is CPU for minutes. 0 means no limit.
type PlanJobLimits struct {
	// Running is the most jobs running at once on the database.
	Running int
	// PerToken is the most one token may have running at once.
	PerToken int
}

// PlanStore keeps planning jobs so that a plan outlives the process that
// made it.
type PlanStore interface {
	// SavePlanJob inserts a job, or replaces the stored job of that ID
	// whole (a job is saved when it starts and again when it ends).
	SavePlanJob(ctx context.Context, j *PlanJob) error
	// StartPlanJob inserts a new running job unless limits are reached:
	// counted in the store, so across every server on it, a job whose
	// lease runs past now is running. More than lim.Running running jobs
	// in all, or lim.PerToken of j.StartedBy's, is refused with EBUSY
	// naming the limit and nothing is stored. The count and the insert
	// are one transaction that no other start interleaves with.
	StartPlanJob(ctx context.Context, j *PlanJob, now time.Time, lim PlanJobLimits) error
	// FindPlanJob returns a job with its documents; ENOTFOUND if none.
	FindPlanJob(ctx context.Context, id string) (*PlanJob, error)
	// ListPlanJobs returns up to limit jobs, newest first, without
	// Input, Result and Log.
	ListPlanJobs(ctx context.Context, limit int) ([]*PlanJob, error)
	// RenewPlanJob extends the lease of a running job that owner runs to
	// leaseUntil and records its progress; it reports whether the job
	// should stop: a cancel was requested, or the job is no longer
	// running under owner (another server found the lease lapsed and
	// marked it abandoned).
	RenewPlanJob(ctx context.Context, id, owner string, done int, leaseUntil time.Time) (stop bool, err error)
	// CancelPlanJob asks a running job to stop, whichever server runs
	// it, and returns the job (without documents); ENOTFOUND if none. A
	// job that has ended is returned unchanged.
	CancelPlanJob(ctx context.Context, id string) (*PlanJob, error)
	// AbandonPlanJobs marks every running job whose lease lapsed before
	// now as abandoned (finished now, with an error saying why), but for
	// the jobs of owner except (the caller's own, which it knows to be
	// alive even when a busy database delayed their renewal), and returns
	// how many it marked.
	AbandonPlanJobs(ctx context.Context, now time.Time, except string) (int, error)
}
