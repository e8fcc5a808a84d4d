package storetest

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/critmin/critmin/sqldb"
)

// testCaptureJobCountsMigration: migration 0069 counts the error and
// duplicate lists of capture jobs stored before it, so that
// ListCaptureJobs can show them without reading the lists. Two jobs as an
// older critmin left them (error_count and duplicate_count 0):
//
//	old1: errors lists 2, errors_omitted 3, duplicates lists 3 → 2 + 3 = 5 errors, 3 duplicates
//	old2: errors "[]", duplicates "null" (json.Marshal of no duplicates) → 0 and 0
//
// The migration's UPDATE, run again on them, sets those counts.
func testCaptureJobCountsMigration(t *testing.T, open Opener) {
	ctx := context.Background()
	db, ok := open(t).(*sqldb.DB)
	if !ok {
		t.Skip("not a sqldb store")
	}
	for _, q := range []string{
		`INSERT INTO capture_jobs (capture_id, created_us, finished_us, running, success, behaviour, event_count, stored, errors, duplicates, token, errors_omitted, error_count, duplicate_count)
		 VALUES ('old1', 2000, 2000, 0, 0, 'proceed', 9, 1, '[{"type":"a","title":"t","status":400},{"type":"b","title":"t","status":400}]', '["x","y","z"]', 'ops', 3, 0, 0)`,
		`INSERT INTO capture_jobs (capture_id, created_us, finished_us, running, success, behaviour, event_count, stored, errors, duplicates, token, errors_omitted, error_count, duplicate_count)
		 VALUES ('old2', 1000, 1000, 0, 1, 'rollback', 1, 1, '[]', 'null', 'ops', 0, 0, 0)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	b, err := fs.ReadFile(db.Migrations, "0069_capture_job_counts.sql")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), "UPDATE capture_jobs")
	if i < 0 {
		t.Fatal("migration 0069 has no UPDATE of capture_jobs")
	}
	if _, err := db.Write.ExecContext(ctx, string(b[i:])); err != nil {
		t.Fatal(err)
	}
	jobs, err := db.ListCaptureJobs(ctx, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].CaptureID != "old1" || jobs[0].ErrorCount != 5 || jobs[0].ErrorsOmitted != 3 || jobs[0].DuplicateCount != 3 ||
		jobs[1].CaptureID != "old2" || jobs[1].ErrorCount != 0 || jobs[1].DuplicateCount != 0 {
		for _, j := range jobs {
			t.Errorf("job %+v", *j)
		}
		t.Errorf("want old1 with 5 errors (3 omitted) and 3 duplicates, then old2 with none")
	}
}
