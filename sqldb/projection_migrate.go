package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
)

// goStepsWithStore are migration steps that need the store itself, not
// only the migration's transaction: they rebuild derived tables from the
// chained records through verify's own replay (replayInto). Migrate runs
// a step once, after the migration's SQL and in its transaction, and
// records the migration with it; the store is read through that
// transaction (groupReads), so the step sees what the migrations before
// it left and commits or rolls back with its migration.
var goStepsWithStore = map[int]replayStep{
	52:  rebuildLotProjection,
	53:  backfillAttested,
	54:  dropInstanceLots,
	59:  replayLotsByEventTime,
	61:  replayLotParts,
	62:  markBasisNotStated,
	66:  replayPartWeighings,
	80:  replayOnwardParts,
	84:  replayReceivedPartOutturn,
	89:  replayMixSharesNotMeasured,
	92:  replayPartMoisture,
	93:  replayPartRejoin,
	94:  replayRunOutputs,
	96:  replayStandingSites,
	97:  replayNoBodySites,
	98:  replayRunOutputLines,
	99:  replayOnwardMoisture,
	100: replayLastPartNoBody,
	102: replayPartRunTakes,
}

// MigrationScratch opens an empty store for a migration step to replay
// the log into. The sqlite package sets it (to its OpenScratch) for both
// backends, as verify's scratch store.
var MigrationScratch func(ctx context.Context) (*DB, func() error, error)

// projectionTables are the lot projection's tables a replay rebuilds and
// migration 0052 rewrites when they differ: the genealogy links (with
// their replay flag), the kept origin mixes computed on them, and the
// lots, moves and run members of the same projection.
var projectionTables = []string{"lot_links", "lot_origin", "lots", "lot_moves", "transformation_members"}

// rebuildLotProjection is migration 0052's Go step. Lot links stored
// before migration 0045 followed the old run rule (every earlier input of
// a transformationID linked to a later event's outputs as consumption,
// replay = 0, and lines stated before the run's first output not summed),
// so a restated output counted its inputs twice; verify reported those
// rows but nothing repaired them. The step replays the chained records
// into a scratch store exactly as `critmin verify` does (replayInto:
// CaptureEvents, hence ledger.Project and ledger.RunLinks, the one rule),
// compares each table of projectionTables with the replay and, where one
// differs, replaces the stored table by the replayed one. A store with no
// run of more than one event has nothing the rule changes and is left
// alone, so a new store pays nothing — unless a run input line states a
// quantity: lots stored before migration 0047 (lots.taken_t) show no takes
// and a lot a run took part of as consumed, and the same replay recomputes
// their taken_t and status (ledger.Project's own rule), so verify agrees
// with them after the upgrade. Running it again changes nothing.
// The replay reads the whole log once (as verify does: about a minute of
// CPU a million events), holding the migration's transaction meanwhile; a
// record the replay refuses fails the migration, naming it, as verify
// would.
func rebuildLotProjection(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	// The old and the current rule differ only on a run of more than one
	// event (RunLinks of a run's first event are its inputs × outputs, as
	// the old rule's were).
	var split int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT transformation_id FROM events WHERE transformation_id IS NOT NULL AND declaration = 0
		GROUP BY transformation_id HAVING COUNT(*) > 1) AS runs`).Scan(&split); err != nil {
		return fmt.Errorf("count split runs: %w", err)
	}
	// Lots stored before migration 0047 hold taken_t 0 and, when a run
	// took a stated part of them, the status consumed: a run input line
	// with a quantity is a take (ledger.Project, takeInput) whose lot the
	// replay recomputes (taken_t, status) under the current rule.
	var takes int
	q := `SELECT COUNT(*) FROM (SELECT 1 FROM event_quantities WHERE role = ? AND quantity IS NOT NULL LIMIT 1) AS takes`
	if d.Dollar {
		q = Rebind(q)
	}
	if err := tx.QueryRowContext(ctx, q, critmin.RoleInput).Scan(&takes); err != nil {
		return fmt.Errorf("count stated takes: %w", err)
	}
	if split == 0 && takes == 0 {
		return nil
	}
	return replaceProjection(ctx, raw, tx, d)
}

// dropInstanceLots is migration 0054's Go step. Stores written before it
// hold a lot row, with no commodity, for every instance a
// TransformationEvent named in its inputEPCList or outputEPCList (an SSCC
// fed whole, an SGTIN of a lot); the projection now keeps none
// (critmin.Lot.Material), so the lot lists do not show them. Where a row
// with no mineral fact at all exists (the only kind the rule can drop),
// the step replays the log as verify does and rewrites the projection
// tables that differ (replaceProjection); a store without such a row is
// left alone. Running it again changes nothing.
var dropInstanceLots = replayWhere("lots without facts",
	`lots WHERE commodity = '' AND origin_country = '' AND origin_mine = '' AND supplier = '' AND uom = ''`)

// replayLotsByEventTime is migration 0059's Go step. Lots stored before
// it were folded in capture order: an event older than the lot's latest
// set nothing the later one left unsaid (location, owner, disposition),
// and a declaration replayed the lot's remaining events in capture
// order, so a corrective event older than later events lost the lot its
// location and owner. Capture now replays such a lot in event-time order
// (replayReordered, ledger.Replay); on a store holding a declaration or
// an event recorded after a later one of the same lot, the step replays
// the log as verify does and rewrites each lot projection table that
// differs. Other stores are left alone.
func replayLotsByEventTime(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	db := New(raw, raw, d)
	mode, err := db.replayMode(ctx, tx)
	if err != nil {
		return err
	}
	if mode == replayProjection {
		return nil
	}
	return replaceProjection(ctx, raw, tx, d)
}

// replayLotParts is migration 0061's Go step. Lots stored before it took
// every ObjectEvent quantity that was not a run input or a packing's
// child as the lot's mass, so shipping a part of a lot set the lot's mass
// to the part shipped; the projection now keeps the lot's total and
// records the part (ledger.Project, parts.go; critmin.Lot.Parts). Where
// an ObjectEvent of a movement step (shipping, departing, loading,
// transporting, receiving, arriving, unloading, accepting) states a
// quantity — the only events the rule reads differently — the step
// replays the log as verify does and rewrites each lot projection table
// that differs (replaceProjection); other stores are left alone. Running
// it again changes nothing.
var replayLotParts = replayWhere("movements with a quantity",
	`event_quantities q JOIN events e ON e.pk = q.event_pk
		WHERE e.event_type = 'ObjectEvent' AND q.quantity IS NOT NULL AND (`+movementStepCond()+`)`)

// markBasisNotStated is migration 0062's Go step. Lots stored before it
// hold assays read as dry without saying that their event stated no
// cm:basis (critmin.Assay.BasisNotStated), and kept origin mixes without
// the basis_not_stated anomaly. On a store holding any assay the step
// replays the log as verify does and rewrites each lot projection table
// that differs; a store without assays is left alone.
var markBasisNotStated = replayWhere("assayed lots", `lots WHERE assays LIKE '%analyte%'`)

// replayPartWeighings is migration 0066's Go step. Lots stored before it
// ignored a weighing where a part of the lot was received (an event
// observing the lot there with a quantity, or a Mass sensor report); the
// projection now books it on the part (critmin.LotPart.WeighedTonnes) and
// the lot's total follows (ledger.Project, parts.go). On a store holding
// a received part the step replays the log as verify does and rewrites
// each lot projection table that differs (replaceProjection); other
// stores are left alone. Running it again changes nothing.
var replayPartWeighings = replayWhere("lots with a received part", `lots WHERE parts LIKE '%"status":"received"%'`)

// replayOnwardParts is migration 0080's Go step. Lots stored before it
// took a dispatch from where a part of the lot was received (an onward
// shipment) out of the rest of the lot where it stands, the onward part
// leaving from the lot's site; the projection now ships it on from the
// received part (critmin.LotPart.ShippedOnTonnes, OnwardOf; ledger
// parts.go), leaving from where that part was received. On a store
// holding a received part the step replays the log as verify does and
// rewrites each lot projection table that differs (replaceProjection);
// other stores are left alone. Running it again changes nothing.
var replayOnwardParts = replayPartWeighings

// replayReceivedPartOutturn is migration 0084's Go step. Lots stored
// before it counted a received part at its shipped (loading) weight in
// the lot's total; the projection now counts its received (outturn)
// weight (critmin.LotPart.Mass; ledger parts.go). On a store holding a
// received part the step replays the log as verify does and rewrites
// each lot projection table that differs (replaceProjection); other
// stores are left alone. Running it again changes nothing.
var replayReceivedPartOutturn = replayPartWeighings

// replayMixSharesNotMeasured is migration 0089's Go step. Kept origin
// mixes written before fix9p/fix9q lack the elements whose origin shares
// rest on a feed grade never measured (custody.Mix.Unmeasured), so the
// views reading the kept mix stated "unknown 100 %" with a value and
// verify named lot_origin. On a store holding any kept mix the step
// replays the log as verify does and rewrites each lot projection table
// that differs (replaceProjection); a store without one is left alone.
// Running it again changes nothing.
var replayMixSharesNotMeasured = replayWhere("kept origin mixes", `lot_origin`)

// replayPartMoisture is migration 0092's Go step. Lots stored before it
// kept no moisture per part: a moisture read where a part of the lot was
// received set the whole lot's, and the lot's dry mass was its total ×
// (1 − that moisture). The projection now gives each part its own
// (critmin.LotPart.Moisture: the lot's when it left, then its own
// readings) and sums the lot's dry mass over the rest and the parts
// (ledger.Project, parts.go). On a store holding any lot with a part the
// step replays the log as verify does and rewrites each lot projection
// table that differs (replaceProjection); other stores are left alone.
// Running it again changes nothing.
var replayPartMoisture = replayWhere("lots with a part", `lots WHERE parts LIKE '%"shipEventID"%'`)

// replayPartRejoin is migration 0093's Go step. Lots stored before it
// kept a part received where the lot's body stands as a part apart
// (status received), counted in the lot's Σ parts besides the body: a
// weighing of the body there then counted it twice. The projection now
// rejoins it to the body (critmin.PartRejoined; ledger.Project,
// parts.go, rejoin). Like 0092 it replays the log on a store holding
// any lot with a part and rewrites each lot projection table that
// differs; other stores are left alone. Running it again changes
// nothing.
var replayPartRejoin = replayPartMoisture

// replayRunOutputs is migration 0094's Go step. Lots stored before it
// took the mass of a run's output from the latest output line naming it:
// an output-only event of the run naming the lot again replaced its mass
// (O8 made 0.5 t, then "O8 10 t": 10 t). The projection now adds each
// event's output line to what the run made (ledger.Project,
// addsToOutput: 10.5 t). On a store where a run (transformationID) has
// more than one output member row for one lot the step replays the log
// as verify does and rewrites each lot projection table that differs
// (replaceProjection); other stores are left alone. Running it again
// changes nothing.
var replayRunOutputs = replayWhere("run outputs named twice",
	`transformation_members WHERE role = 'output' GROUP BY transformation_id, epc_class HAVING COUNT(*) > 1`)

// replayNoBodySites is migration 0097's Go step. Lots stored before it
// whose every tonne left as parts (ledger.NoBody) read a weighing where
// their parts stood as a body's mass added to the parts (a 30 t lot
// weighed 29.8 t at the port holding both its parts read 59.8 t), and a
// weighing where nothing was left added its mass (issue 15, fix15r).
// Like 0092 it replays the log on a store holding any lot with a part
// and rewrites each lot projection table that differs; other stores are
// left alone. Running it again changes nothing.
var replayNoBodySites = replayPartMoisture

// replayOnwardMoisture is migration 0099's Go step (issue 15, fix15u).
// Lots stored before it gave a part shipped on from several received
// parts the first part's moisture (10 t at 8 % and 5 t at 4 % shipped on
// read 8 %, 13.8 t dry); it now carries the mass-weighted moisture of
// what it took of each (1/15 = 6.667 %, 14.0 t dry; ledger's
// shipOnward), and booked all a run took at a site holding several
// received parts on the first (15 t of two 10 t parts left 10 t standing
// there; now first in first out, 5 t). It replays the log on a store
// holding any onward part or run's take of a part (a lot whose parts
// name onwardFrom or takenTonnes) and rewrites each lot projection table
// that differs; other stores are left alone. Running it again changes
// nothing.
var replayOnwardMoisture = replayWhere("lots with an onward part or a part's take",
	`lots WHERE parts LIKE '%"onwardFrom"%' OR parts LIKE '%"takenTonnes"%'`)

// replayLastPartNoBody is migration 0100's Go step (issue 15, fix15w).
// Lots stored before it judged, at a part's receipt, what stood where
// the lot stood on the total before the receipt: the last 10 t part of a
// 20 t lot received at 9.9 t where its other part stood left a stale
// 20 − 19.9 = 0.1 t "body" there, and the part rejoined it (a run there
// then booked all it took on that part; the other part read as
// standing). It replays the log on a store holding any rejoined part
// and rewrites each lot projection table that differs; other stores are
// left alone. Running it again changes nothing.
var replayLastPartNoBody = replayWhere("lots with a rejoined part", `lots WHERE parts LIKE '%"rejoined"%'`)

// replayPartRunTakes is migration 0102's Go step (issue 15, fix15y).
// Lots stored before it kept only the total a run took of a received
// part (takenTonnes), not what each run's event took of it
// (critmin.LotPart.RunTakes): a run taking of several parts at different
// moistures was dried at the first part's (15 t of a 10 t part at 8 %
// and a 5 t part at 4 % read 13.8 t dry, not 14.0 t). And a part that
// rejoined the body when the body came to its site had its receipt
// overwritten by the body's (now kept, the body's event in
// rejoinEventID). It replays the log on a store holding any part a run
// took of or any rejoined part and rewrites each lot projection table
// that differs; other stores are left alone. Running it again changes
// nothing.
var replayPartRunTakes = replayWhere("lots with a part's take or a rejoined part",
	`lots WHERE parts LIKE '%"takenTonnes"%' OR parts LIKE '%"rejoined"%'`)

// replayStandingSites is migration 0096's Go step (issue 15, fix15t).
// Lots stored before it named, when every tonne left as parts, the site
// of their last part as their location (now the site where most of them
// stand, ledger.StandsAt), listed only the first received part an onward
// part took from (now LotPart.OnwardFrom, every one), and read a
// weighing after a run took part of the lot (or of a received part) as
// the total, what the run took included (now what stands: the total is
// the weighed mass plus what runs took). It replays the log on a store
// holding any lot with a part or a run's take and rewrites each lot
// projection table that differs; other stores are left alone. Running
// it again changes nothing.
var replayStandingSites = replayWhere("lots with a part or a take", `lots WHERE parts LIKE '%"shipEventID"%' OR taken_t > 0`)

// replayRunOutputLines is migration 0098's Go step (issue 9, fix9i).
// Links stored before it left out an output line a run stated before
// its first input line (an output-only event captured first): what the
// run produced (ledger.RunProduced) missed it, so its element balance
// and credit bound read too little while the lot held it all. And a lot
// made by several output lines at different moistures took the last
// one's for the whole lot. ledger.RunLinks now has the run's first
// input event carry such lines, and ledger.Project makes each line dry
// at its own event's moisture (blendMoisture). Both need one run to name
// an output lot in more than one line, the condition of 0094: on such a
// store the step replays the log as verify does and rewrites each lot
// projection table that differs (replaceProjection); other stores are
// left alone. Running it again changes nothing.
var replayRunOutputLines = replayRunOutputs

// replayStep is the shape of a migration's Go step that needs the store
// (goStepsWithStore).
type replayStep = func(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error

// replayWhere is the Go step of a migration that replays the lot
// projection only on a store holding a row the new rule reads
// differently: from is the rest of a query "SELECT 1 FROM from" (a table
// and its condition, a join or a grouping) naming such rows, what names
// them in the step's error. When the query finds none the store is left
// alone (a new store pays nothing); else the step replays the log as
// verify does and rewrites each lot projection table that differs
// (replaceProjection). Running it again changes nothing.
func replayWhere(what, from string) replayStep {
	q := `SELECT COUNT(*) FROM (SELECT 1 FROM ` + from + ` LIMIT 1) AS hit`
	return func(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
		var n int
		if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", what, err)
		}
		if n == 0 {
			return nil
		}
		return replaceProjection(ctx, raw, tx, d)
	}
}

// movementStepCond matches events.biz_step for the movement steps in any
// CBV spelling (bare, urn:epcglobal:cbv:bizstep:…, the GS1 web URI).
func movementStepCond() string {
	var or []string
	for _, s := range []string{"shipping", "departing", "loading", "transporting", "receiving", "arriving", "unloading", "accepting"} {
		or = append(or, "e.biz_step = '"+s+"'", "e.biz_step LIKE '%:"+s+"'", "e.biz_step LIKE '%/"+s+"'")
	}
	return strings.Join(or, " OR ")
}

// replaceProjection replays the log into a scratch store and replaces
// each table of projectionTables that differs by the replayed one.
func replaceProjection(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	return replaceProjectionOf(ctx, raw, tx, d, projectionTables)
}

// replaceProjectionOf is replaceProjection over tables: a migration that
// adds a projection table names it with the others (migration 0118's
// event_contents), which earlier migrations' stores do not hold yet.
func replaceProjectionOf(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect, tables []string) error {
	if MigrationScratch == nil {
		return fmt.Errorf("rebuild lot projection: no scratch store to replay into")
	}
	src := New(raw, raw, d)
	ctx = context.WithValue(ctx, groupReadsKey{}, &groupReads{write: raw, tx: tx})
	scratch, closeScratch, err := MigrationScratch(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = closeScratch() }()
	if err := src.replayInto(ctx, scratch); err != nil {
		return fmt.Errorf("rebuild lot projection: %w", err)
	}
	for _, name := range tables {
		t, ok := derivedTable(name)
		if !ok {
			return fmt.Errorf("rebuild lot projection: %s is not a derived table", name)
		}
		diff, _, err := compareTable(ctx, src, scratch, t, "")
		if err != nil {
			return err
		}
		if diff == nil {
			continue
		}
		if err := replaceTable(ctx, tx, d, scratch, t); err != nil {
			return fmt.Errorf("rebuild lot projection: %s: %w", name, err)
		}
	}
	return nil
}

// replayInto replays db's chained records and audit chain into scratch,
// an empty store, as Rebuild does, without comparing anything.
func (db *DB) replayInto(ctx context.Context, scratch *DB) error {
	mode, err := db.replayMode(ctx, db.reader(ctx))
	if err != nil {
		return err
	}
	scratch.writes = mode
	scratch.replayingLog = true
	return db.replay(ctx, scratch, &RebuildStats{}, withoutRows(db.ScanChain), nil, nil)
}

func derivedTable(name string) (DerivedTable, bool) {
	for _, t := range derivedTables {
		if t.Name == name {
			return t, true
		}
	}
	return DerivedTable{}, false
}

// replaceTable replaces every row of table t in tx by the rows of the
// same table in from. The table's columns are its DerivedTable's key and
// columns, which are all of them for the lot projection's tables.
func replaceTable(ctx context.Context, tx *sql.Tx, d Dialect, from *DB, t DerivedTable) error {
	cols := append(keyNames(t.Key), t.Cols...)
	for _, c := range cols {
		if strings.Contains(c, " AS ") {
			return fmt.Errorf("column %q is computed, the table cannot be copied", c)
		}
	}
	rows, err := from.Read.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+t.Name)
	if err != nil {
		return fmt.Errorf("read replayed rows: %w", err)
	}
	defer rows.Close()
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.Name); err != nil {
		return fmt.Errorf("drop stored rows: %w", err)
	}
	per := max(1, 900/len(cols)) // rows an INSERT, under either backend's parameter limit
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := "INSERT INTO " + t.Name + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if d.Dollar {
			q = Rebind(q)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("write replayed rows: %w", err)
		}
		args, n = args[:0], 0
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read replayed rows: %w", err)
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			args = append(args, v)
		}
		if n++; n == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read replayed rows: %w", err)
	}
	return flush()
}
