-- Capture-job lists read summaries only (fix14c, issue 14 item 1): the
-- number of errors and of duplicate eventIDs of each job is kept in its
-- own column, so that a list of jobs never reads or decodes their error
-- and duplicate lists (up to 1,000 errors each). error_count is every
-- error found (the listed ones and errors_omitted); duplicate_count the
-- eventIDs skipped as already stored. Jobs stored before are counted here
-- (errors and duplicates are JSON text: an array, or null when empty).
ALTER TABLE capture_jobs ADD COLUMN error_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE capture_jobs ADD COLUMN duplicate_count BIGINT NOT NULL DEFAULT 0;
UPDATE capture_jobs SET
	error_count = errors_omitted + CASE WHEN json_typeof(errors::json) = 'array' THEN json_array_length(errors::json) ELSE 0 END,
	duplicate_count = CASE WHEN json_typeof(duplicates::json) = 'array' THEN json_array_length(duplicates::json) ELSE 0 END;
