-- A capture job made by a CSV import with proceed keeps what the import
-- left out of it (issue 15, fix15t2 item 5): import_rows, the file's
-- rows, and import_refused, those refused for their errors and never
-- sent; 0 and 0 for a job no such import made. The job page read these
-- figures from its address (?rows=…&refused=…), which anyone could
-- write.
ALTER TABLE capture_jobs ADD COLUMN import_rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE capture_jobs ADD COLUMN import_refused INTEGER NOT NULL DEFAULT 0;
