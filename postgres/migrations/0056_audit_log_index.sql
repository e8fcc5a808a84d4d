-- Look-ups of the audit chain by subject (a certificate's revocation, an
-- attested row's latest entry: sqldb/attest.go, sqldb/certificate.go) and
-- by action (the refinery key, period records, master data) read an index
-- instead of scanning every entry; seq orders each subject's or action's
-- entries as the chain does.
CREATE INDEX audit_log_subject ON audit_log (subject, action, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
