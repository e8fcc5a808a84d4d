package sqldb

// tripJoinsMigration is the migration whose Go step is replayTripJoins.
const tripJoinsMigration = 121

func init() { goStepsWithStore[tripJoinsMigration] = replayTripJoins }

// replayTripJoins is migration 0121's Go step (issue 8, fixNa). Stores
// written before it kept a dispatch under a bill of lading whose trip a
// part of the lot was already on, naming only containers that trip did
// not carry, as a further step of that trip: the containers' share stood
// where the lot was while it travelled, and its receipt then grew the
// lot (ledger.joinsTrip; a 10 t lot packed 6 t into C1 and 4 t into C2,
// [C1] then [C2] shipped under B by an event each: 6 t in transit and
// 4 t at the mine, 14 t once received). A receipt of some containers of
// such a trip closed the whole part at their share
// (ledger.receivedPartShare). On a store holding an event naming a
// container in its epcList (containerShipments) the step replays the log
// as verify does and rewrites each lot projection table that differs,
// event_contents included; other stores are left alone. Running it
// again changes nothing.
var replayTripJoins = replayContents
