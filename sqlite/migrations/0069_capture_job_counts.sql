-- Capture-job lists read summaries only (fix14c, issue 14 item 1): the
-- number of errors and of duplicate eventIDs of each job is kept in its
-- own column, so that a list of jobs never reads or decodes their error
-- and duplicate lists (up to 1,000 errors each). error_count is every
-- error found (the listed ones and errors_omitted); duplicate_count the
-- eventIDs skipped as already stored. Jobs stored before are counted here.
ALTER TABLE capture_jobs ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE capture_jobs ADD COLUMN duplicate_count INTEGER NOT NULL DEFAULT 0;
UPDATE capture_jobs SET
	error_count = CASE WHEN json_valid(errors) THEN json_array_length(errors) ELSE 0 END + errors_omitted,
	duplicate_count = CASE WHEN json_valid(duplicates) THEN json_array_length(duplicates) ELSE 0 END;
