package sqldb

import (
	"hash/maphash"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// This file holds what capture writes for each event that is a function
// of the event alone — its chained record, the indexed columns of its row
// in events, and its identifier, quantity and attribute rows. Capture
// (insertEvents) and verify's rebuild (Rebuild) both build those rows
// here, so the two cannot drift apart.

// replayMode says what a capture writes. Capture writes everything;
// verify's scratch store, whose per-event tables verify rebuilds in
// memory, is given only what the lot projection reads back.
type replayMode int

const (
	// replayFull writes everything: capture, and the evidence check.
	replayFull replayMode = iota
	// replayRaw writes the projection and, for the declarations it
	// re-reads (applyDeclarations), each record's JSON, @context and
	// event_quantities rows, and the epcList rows of an event moving a
	// container by its own identifier (recontain); no other identifier
	// or attribute rows, chain, day roots or log.
	replayRaw
	// replayProjection writes the projection and, for a log with no
	// declaration, the event rows it looks up — those of events that
	// carry a transformationID — without their JSON; the check for an
	// eventID already stored reads DB.replayIDs instead.
	replayProjection
)

// eventRecord is the chained record of an event at chain position seq
// after the record whose chain hash is prev.
func eventRecord(ev *critmin.Event, seq int64, prev string) *critmin.ChainRecord {
	rec := &critmin.ChainRecord{Seq: seq, PK: ev.PK, EventID: ev.EventID, Declaration: ev.ErrorDeclaration != nil, EventTime: micros(ev.EventTime), RecordTime: micros(ev.RecordTime),
		CaptureID: ev.CaptureID, ContextHash: custody.ContextHash(ev.Context), Raw: string(ev.Raw), PrevChain: prev}
	rec.Chain = custody.Link(prev, rec)
	return rec
}

// eventIndexed is the indexed columns of an event's row in events: tz,
// action, biz_step, disposition, read_point, biz_location,
// transformation_id, read_point_canon, biz_location_canon.
func eventIndexed(ev *critmin.Event) []any {
	return []any{ev.EventTimeZoneOffset, nullStr(ev.Action), nullStr(ev.BizStep), nullStr(ev.Disposition), nullStr(ev.ReadPoint), nullStr(ev.BizLocation),
		nullStr(ev.TransformationID), nullStr(canon(ev.ReadPoint)), nullStr(canon(ev.BizLocation))}
}

// The index tables of eachIndexRow.
const (
	indexEPCs       = iota // event_epcs (role, epc, canon)
	indexQuantities        // event_quantities (role, epc_class, quantity, uom, canon)
	indexAttrs             // event_attrs (kind, name, val, canon)
)

// indexRow is one row capture writes for an event into event_epcs,
// event_quantities or event_attrs (table), without its event_pk: typed,
// so that verify's rebuild, which builds some 700,000 of them for 100,000
// events, allocates no []any a row (args boxes them for capture's insert).
//
//	event_epcs:       (role, epc, canon)                    = (a, b, canon)
//	event_quantities: (role, epc_class, quantity, uom, canon) = (a, b, qty, uom, canon)
//	event_attrs:      (kind, name, val, canon)              = (a, b, c, canon)
type indexRow struct {
	table      int
	a, b, c    string
	qty        *float64 // nil: no quantity (NULL)
	uom, canon string   // uom "" is NULL
}

// appendArgs appends the row's column values after pk, as capture
// inserts them (nullStr for a missing unit of measure).
func (r *indexRow) appendArgs(dst []any, pk int64) []any {
	switch r.table {
	case indexEPCs:
		return append(dst, pk, r.a, r.b, r.canon)
	case indexQuantities:
		var q any
		if r.qty != nil {
			q = *r.qty
		}
		return append(dst, pk, r.a, r.b, q, nullStr(r.uom), r.canon)
	}
	return append(dst, pk, r.a, r.b, r.c, r.canon)
}

// appendValues appends the row with pk as verify compares it (normalise
// of each value appendArgs gives), without boxing.
func (r *indexRow) appendValues(dst []value, pk int64) []value {
	dst = append(dst, value{num: true, f: float64(pk)}, value{s: r.a}, value{s: r.b})
	switch r.table {
	case indexEPCs:
		return append(dst, value{s: r.canon})
	case indexQuantities:
		q, u := value{null: true}, value{null: true}
		if r.qty != nil {
			q = value{num: true, f: *r.qty}
		}
		if r.uom != "" {
			u = value{s: r.uom}
		}
		return append(dst, q, u, value{s: r.canon})
	}
	return append(dst, value{s: r.c}, value{s: r.canon})
}

// indexWidths is the number of columns of each index table, event_pk
// included.
var indexWidths = [3]int{4, 6, 5}

// eachIndexRow calls fn with every row capture writes for an event into
// event_epcs, event_quantities and event_attrs, without its event_pk.
// The row is fn's only for the call.
func eachIndexRow(ev *critmin.Event, fn func(r *indexRow) error) error {
	var r indexRow
	r.table = indexEPCs
	for _, e := range ev.EPCs {
		r.a, r.b, r.canon = e.Role, e.EPC, canon(e.EPC)
		if err := fn(&r); err != nil {
			return err
		}
	}
	r = indexRow{table: indexQuantities}
	for _, q := range ev.Quantities {
		r.a, r.b, r.qty, r.uom, r.canon = q.Role, q.EPCClass, q.Quantity, q.UOM, canon(q.EPCClass)
		if err := fn(&r); err != nil {
			return err
		}
	}
	r = indexRow{table: indexAttrs}
	attr := func(kind, name, val, cn string) error {
		r.a, r.b, r.c, r.canon = kind, name, val, cn
		return fn(&r)
	}
	for _, s := range ev.Sources {
		if err := attr("source", s.Type, s.ID, canon(s.ID)); err != nil {
			return err
		}
	}
	for _, d := range ev.Destinations {
		if err := attr("destination", d.Type, d.ID, canon(d.ID)); err != nil {
			return err
		}
	}
	for _, b := range ev.BizTransactions {
		if err := attr("bizTransaction", b.Type, b.ID, canon(b.ID)); err != nil {
			return err
		}
	}
	for k, v := range ev.ILMD {
		if err := attr("ilmd", k, v, canon(v)); err != nil {
			return err
		}
	}
	if ev.ErrorDeclaration != nil {
		for _, id := range ev.ErrorDeclaration.CorrectiveEventIDs {
			if err := attr("corrective", "", id, id); err != nil {
				return err
			}
		}
		if reason := ev.ErrorDeclaration.Reason; reason != "" {
			if err := attr("errorReason", "", reason, reason); err != nil {
				return err
			}
		}
	}
	return nil
}

// idSet is a set of strings kept as 128-bit hashes (two seeded
// hash/maphash sums): verify's replay remembers every eventID it stored,
// a million at a time, in 16 bytes each that the garbage collector never
// scans. A string not added is reported present only if both sums of
// some added string collide with its own (about n²/2¹²⁹, 10⁻²⁷ for a
// million ids); the replay would then skip an event capture stored, and
// verify would report a difference — never miss one.
type idSet struct {
	seeds [2]maphash.Seed
	m     map[[2]uint64]struct{}
}

func newIDSet() *idSet {
	return &idSet{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, m: map[[2]uint64]struct{}{}}
}

func (s *idSet) key(id string) [2]uint64 {
	return [2]uint64{maphash.String(s.seeds[0], id), maphash.String(s.seeds[1], id)}
}

func (s *idSet) add(id string) { s.m[s.key(id)] = struct{}{} }

// has reports whether id was added; a nil set holds nothing.
func (s *idSet) has(id string) bool {
	if s == nil {
		return false
	}
	_, ok := s.m[s.key(id)]
	return ok
}
