-- A period record may void an earlier one the installation cannot vouch
-- for (signed by a foreign key, or changed after it was signed): action
-- 'void', its result the voided record's hash (refinery.VoidRecord,
-- docs/refinery.md "Foreign close records").
ALTER TABLE refinery_periods DROP CONSTRAINT IF EXISTS refinery_periods_action_check;
ALTER TABLE refinery_periods ADD CONSTRAINT refinery_periods_action_check CHECK (action IN ('close', 'reopen', 'void'));
