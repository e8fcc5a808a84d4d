package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// GenealogyResult is what `critmin bench genealogy` reports.
type GenealogyResult struct {
	Backend      string
	Events       int
	FinalLots    int
	ClosureLots  int
	LoadSeconds  float64
	Origin       [2]time.Duration // p50, p99 of origin composition of a final lot (kept mix)
	Walk         [2]time.Duration // the same with evidence: a full walk of the genealogy
	CTE          [2]time.Duration // p50, p99 of the recursive CTE (PostgreSQL)
	VerifyPerSec float64
}

// genealogyDocs builds the benchmark's genealogy: mine lots from several
// countries, each packed into a container (eight lots to a container,
// by childQuantityList), the containers shipped on voyages (a shipping
// and a receipt naming the containers aboard and their lots' masses),
// then `levels` levels of refinery runs that each
// blend two lots of the level below. It returns documents of at most
// batch events and the final lots.
func genealogyDocs(events, batch, levels int, seed uint64) ([][]byte, []string) {
	r := rand.New(rand.NewPCG(seed, 7))
	// Per mine lot: commission, pack it into a container; a 512th of the
	// voyage's shipping and receipt at the refinery is not counted.
	// (Containers are not nested into a voyage container: a container
	// holding material packed into another is refused, custody nestCheck.)
	perMine := 2
	// Events ≈ mines × (perMine + 1) since a binary tree of runs has about
	// one run per mine lot; round the mines up to whole trees so the
	// genealogy holds at least the events asked for.
	tree := 1 << levels
	mines := (events/(perMine+1) + tree - 1) / tree * tree
	countries := []string{"PAK", "PAK", "PAK", "MMR", "AUS", "USA", "BRA"}
	t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var list []map[string]any
	id := 0
	ev := func(typ string, kv ...any) map[string]any {
		id++
		t = t.Add(time.Second)
		e := map[string]any{"type": typ, "eventID": fmt.Sprintf("urn:critmin:gbench:ev:%09d", id), "eventTime": t.Format("2006-01-02T15:04:05.000Z07:00"), "eventTimeZoneOffset": "+00:00"}
		for i := 0; i+1 < len(kv); i += 2 {
			e[kv[i].(string)] = kv[i+1]
		}
		return e
	}
	q := func(class string, kg float64) []any {
		return []any{map[string]any{"epcClass": class, "quantity": kg, "uom": "KGM"}}
	}
	const refinery = "urn:critmin:gbench:refinery:1"
	level := make([]string, mines)
	var aboard []any     // the lots of the voyage being loaded, with their masses
	var containers []any // the containers aboard
	for i := 0; i < mines; i++ {
		lot := fmt.Sprintf("urn:critmin:gbench:mine-lot:%08d", i)
		level[i] = lot
		kg := float64(10000 + r.IntN(20000))
		c := countries[r.IntN(len(countries))]
		aboard = append(aboard, q(lot, kg)[0])
		list = append(list,
			ev("ObjectEvent", "action", "ADD", "bizStep", "commissioning", "quantityList", q(lot, kg), "bizLocation", map[string]any{"id": "urn:critmin:gbench:mine:" + c},
				"ilmd", map[string]any{"cm:commodity": "ree_concentrate", "cm:originCountry": c, "cm:originMine": "urn:critmin:gbench:mine:" + c, "cm:moisture": 0.08,
					"cm:assay": []any{map[string]any{"cm:analyte": "Nd2O3", "cm:value": 1 + r.Float64()*4, "cm:unit": "%", "cm:basis": "dry"}}}),
			ev("AggregationEvent", "action", "ADD", "bizStep", "packing", "parentID", fmt.Sprintf("urn:critmin:gbench:container:%07d", i/8), "childQuantityList", q(lot, kg)),
		)
		if i%8 == 7 || i == mines-1 {
			containers = append(containers, fmt.Sprintf("urn:critmin:gbench:container:%07d", i/8))
		}
		if i%512 == 511 || i == mines-1 {
			// The voyage sails to the refinery and is received there, so
			// that every lot on it can be fed to a run where it is.
			// The shipping and the receipt name the lots aboard with
			// their masses (quantityList), as the corridor's documents do.
			list = append(list,
				ev("ObjectEvent", "action", "OBSERVE", "bizStep", "shipping", "disposition", "in_transit", "epcList", containers, "quantityList", aboard),
				ev("ObjectEvent", "action", "OBSERVE", "bizStep", "receiving", "disposition", "in_progress", "epcList", containers, "quantityList", aboard, "bizLocation", map[string]any{"id": refinery}))
			aboard, containers = nil, nil
		}
	}
	for lv := 1; lv <= levels; lv++ {
		// A run takes 5 t of each mine lot (10–30 t) and the whole of
		// each run lot below it (4 t): a lot is never consumed beyond its
		// mass.
		in := 5000.0
		if lv > 1 {
			in = 4000
		}
		next := make([]string, len(level)/2)
		for j := range next {
			out := fmt.Sprintf("urn:critmin:gbench:run%02d-lot:%08d", lv, j)
			next[j] = out
			a, b := level[2*j], level[2*j+1]
			list = append(list, ev("TransformationEvent", "bizStep", "commissioning", "transformationID", fmt.Sprintf("urn:critmin:gbench:run:%02d:%08d", lv, j),
				"inputQuantityList", []any{map[string]any{"epcClass": a, "quantity": in, "uom": "KGM"}, map[string]any{"epcClass": b, "quantity": in, "uom": "KGM"}},
				"outputQuantityList", q(out, 4000), "bizLocation", map[string]any{"id": refinery},
				"ilmd", map[string]any{"cm:commodity": "ree_carbonate", "cm:moisture": 0}))
		}
		level = next
	}
	var docs [][]byte
	for start := 0; start < len(list); start += batch {
		part := list[start:min(start+batch, len(list))]
		evs := make([]any, len(part))
		for i, e := range part {
			evs[i] = e
		}
		b, _ := json.Marshal(map[string]any{"@context": Context, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": t.Format(time.RFC3339), "epcisBody": map[string]any{"eventList": evs}})
		docs = append(docs, b)
	}
	return docs, level
}

// cteQuery is the same backward trace as one PostgreSQL recursive CTE:
// the origin lots upstream of a lot and their dry tonnes by country.
const cteQuery = `WITH RECURSIVE up(lot) AS (
	SELECT $1::text
	UNION
	SELECT l.parent FROM lot_links l JOIN up ON l.child = up.lot WHERE l.kind = 'transformation'
)
SELECT lots.origin_country, SUM(lots.dry_t) FROM up JOIN lots ON lots.id = up.lot
WHERE NOT EXISTS (SELECT 1 FROM lot_links x WHERE x.child = up.lot AND x.kind = 'transformation')
GROUP BY lots.origin_country`

// Genealogy loads the generated genealogy and times backward origin
// composition of final lots (and on PostgreSQL the recursive CTE), then
// `critmin verify` over the whole chain.
func Genealogy(ctx context.Context, cfg Config, levels int) (*GenealogyResult, error) {
	cfg.defaults()
	epcis.MustLoadSchemas()
	store, backend, cleanup, err := openStore(ctx, &cfg, "genealogy")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	docs, finals := genealogyDocs(cfg.Events, cfg.Batch, levels, cfg.Seed)
	svc := custody.NewService(store)
	start := time.Now()
	for i, d := range docs {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: d}); err != nil {
			return nil, err
		}
		if (i+1)%50 == 0 {
			fmt.Fprintf(cfg.Progress, "loaded %d/%d documents\n", i+1, len(docs))
		}
	}
	n, err := store.CountEvents(ctx)
	if err != nil {
		return nil, err
	}
	res := &GenealogyResult{Backend: backend, Events: int(n), FinalLots: len(finals), LoadSeconds: time.Since(start).Seconds()}
	for _, evidence := range []bool{false, true} {
		var ds []time.Duration
		for i := 0; i < cfg.Queries; i++ {
			lot := finals[i%len(finals)]
			t0 := time.Now()
			c, err := custody.OriginOf(ctx, store, lot, evidence)
			if err != nil {
				return nil, err
			}
			ds = append(ds, time.Since(t0))
			if evidence {
				res.ClosureLots = len(c.OriginLots)
			}
		}
		if evidence {
			res.Walk = percentiles(ds)
		} else {
			res.Origin = percentiles(ds)
		}
	}
	var ds []time.Duration
	if backend == "postgres" {
		for i := 0; i < cfg.Queries; i++ {
			lot := finals[i%len(finals)]
			t0 := time.Now()
			rows, err := store.Read.QueryContext(ctx, cteQuery, lot)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var c sql.NullString
				var t float64
				if err := rows.Scan(&c, &t); err != nil {
					rows.Close()
					return nil, err
				}
			}
			rows.Close()
			ds = append(ds, time.Since(t0))
		}
		res.CTE = percentiles(ds)
	}
	t0 := time.Now()
	rep, err := custody.VerifyStore(ctx, store)
	if err != nil {
		return nil, err
	}
	if rep.Problem != nil {
		return nil, rep.Problem
	}
	res.VerifyPerSec = float64(rep.Records) / time.Since(t0).Seconds()
	return res, nil
}

func percentiles(ds []time.Duration) [2]time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return [2]time.Duration{ds[len(ds)/2], ds[len(ds)*99/100]}
}
