-- A mass-balance declaration is keyed by the canonical form of its site
-- (epcis.Canonical, docs/identity.md): declared as
-- urn:epc:id:sgln:4012345.00008.0 it finds the runs of events naming
-- https://id.gs1.org/414/4012345000085, and a second declaration under
-- another spelling of the site is the next version of the same account.
-- The Go step of this migration (sqldb.canonMassBalanceSites) rewrites
-- every stored row's site to its canonical form, numbering the versions
-- of spellings of one site in the order they were declared.
SELECT 1;
