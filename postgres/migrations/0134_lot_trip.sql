-- The trip a lot's body is on while it is in transit as a whole (issue 8,
-- fixQb; new-user checks n8d s33/s44): the bill of lading, the location
-- destination and the dispatching event of that trip (critmin.Lot.TripBill,
-- TripTo, TripEventID; ledger.Project). An arriving or unloading under
-- the trip's bill at a port on the way is then a step of the trip, not
-- its end, and a shipping of some of its containers there under the same
-- bill is the same trip. Empty when the body is not in transit; a lots
-- row's seal covers them only when one is stated (lotSealValues), so rows
-- sealed before stay valid. The Go step (sqldb.replayLotTrip, registered
-- in goStepsWithStore) replays the event log as `critmin verify` does on
-- a store holding a lot in transit and rewrites each lot projection table
-- that differs, in this migration's transaction.
ALTER TABLE lots ADD COLUMN trip_bill TEXT NOT NULL DEFAULT '';
ALTER TABLE lots ADD COLUMN trip_to TEXT NOT NULL DEFAULT '';
ALTER TABLE lots ADD COLUMN trip_event TEXT NOT NULL DEFAULT '';
