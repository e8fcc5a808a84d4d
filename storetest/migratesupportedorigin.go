package storetest

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// toleranceDoc is goDoc with site r declaring an element tolerance of
// 10 % (cm:elementTolerance) in the same document as its runs.
func toleranceDoc(events ...string) string {
	return strings.Replace(goDoc(events...), `{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]}`,
		`{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}, {"id": "https://ns.critmin.org/mineral/v1/elementTolerance", "attribute": "0.1"}]}`, 1)
}

// MigrateSupportedOrigin (fixZc, issue 9 nu38b items 2 and 4): migration
// 0120 rebuilds the kept origin mixes of a store written before a gained
// product's carried shares spread its inputs' whole content and before a
// gain within the tolerance was kept as noise but not as metal, on SQLite
// and PostgreSQL alike. Site r declares a tolerance of 10 % in the same
// document as the runs: the kept mixes read it (capture applies the
// document's master data before it keeps them, as a replay does).
//
//	GA, Pakistan, 10 t at Nd 1 % = 0.1 t; GR1: GA → GW 1 t at Nd 60 %
//	  = 0.6 t > 0.1 × 1.1: element_gain; 0.1 t Pakistan, 0.5 t unknown
//	GB, Australia, 1 t at Nd 9 % = 0.09 t
//	GR2: GW 1 t + GB 1 t → GZ 1 t at Nd 69 % = 0.69 t. In as recorded
//	  0.1 + 0.09 = 0.19 t: element_gain again; but the inputs' whole
//	  content is 0.6 + 0.09 = 0.69 t, all of which GZ holds: Pakistan
//	  0.1 t (14.5 %), Australia 0.09 t (13.0 %), unknown 0.5 t (72.5 %).
//	  The mix before kept the cap re-scaling the carried shares:
//	  Pakistan 0.1 × 0.19 / 0.69 = 0.027536 t, unknown 0.637681 t.
//	GF, Pakistan, 100 t at Nd 1 % = 1 t; GN1 10 t at Nd 10.99 % = 1.099 t
//	  (+9.9 %: noise, Pakistan 100 %, supported by 1 t); GN2 10 t at Nd
//	  12.07801 % = 1.207801 t against 1 t supported > 1.1: element_gain,
//	  0.207801 t of unknown origin. The mixes before kept GN1 without
//	  its supported figure and GN2 as Pakistan 100 %, no anomaly.
func MigrateSupportedOrigin(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	mixOf := func(db *sqldb.DB, lot string) *custody.Mix {
		raw, ok, err := db.LotMix(ctx, lot)
		if err != nil || !ok {
			t.Fatalf("%s's kept mix: %v %v", lot, ok, err)
		}
		m, err := custody.DecodeMix(raw)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	nd := func(db *sqldb.DB, lot string) (pak, unknown float64) {
		o, err := custody.OriginOf(ctx, db, lot, false)
		if err != nil {
			t.Fatal(err)
		}
		b := o.Elements["Nd"]
		for _, sh := range b.ByCountry {
			if sh.Key == "PAK" {
				pak = sh.Tonnes
			}
		}
		return pak, b.UnknownOrigin
	}
	const gz, gn1, gn2 = "urn:t:lot:GZ", "urn:t:lot:GN1", "urn:t:lot:GN2"
	checkReplayMigration(t, open, 120, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), toleranceDoc(
			goFeed("GA", "ree_concentrate", "PAK", 10, "Nd:1"),
			goFeed("GB", "ndpr_oxide", "AUS", 1, "Nd:9"),
			goFeed("GF", "ree_concentrate", "PAK", 100, "Nd:1"),
			goRun("GR1", 2, []string{"GA:10"}, "GW", 1, "Nd:60"),
			goRun("GR2", 3, []string{"GW:1", "GB:1"}, "GZ", 1, "Nd:69"),
			goRun("GN1R", 2, []string{"GF:100"}, "GN1", 10, "Nd:10.99"),
			goRun("GN2R", 3, []string{"GN1:10"}, "GN2", 10, "Nd:12.07801")))
	}, func(db *sqldb.DB) {
		// Back to the mixes as the binary before fixZc kept them: GZ's
		// cap without the whole content it spreads, GN1 without its
		// supported figure, GN2 balanced (no cap, no anomaly).
		m := mixOf(db, gz)
		for e, c := range m.Caps {
			c.Whole = nil
			m.Caps[e] = c
		}
		execRebound(t, db, `UPDATE lot_origin SET mix = ? WHERE lot = ?`, custody.EncodeMix(m), gz)
		m = mixOf(db, gn1)
		m.Supported = nil
		execRebound(t, db, `UPDATE lot_origin SET mix = ? WHERE lot = ?`, custody.EncodeMix(m), gn1)
		m = mixOf(db, gn2)
		m.Caps, m.Unrec = nil, nil
		var keep []custody.Anomaly
		for _, a := range m.Anomalies {
			if a.Kind != "element_gain" && a.Kind != "element_capped" {
				keep = append(keep, a)
			}
		}
		m.Anomalies = keep
		execRebound(t, db, `UPDATE lot_origin SET mix = ? WHERE lot = ?`, custody.EncodeMix(m), gn2)
	}, func(db *sqldb.DB, stage migrationStage) {
		zp, zu := nd(db, gz)
		n1p, n1u := nd(db, gn1)
		n2p, n2u := nd(db, gn2)
		if stage == beforeMigration {
			// What the readers of the kept mix (lot list, lots CSV, risk
			// ledger, planner) showed on an upgraded store before 0120.
			if math.Abs(zp-0.1*0.19/0.69) > 1e-9 || math.Abs(n2p-1.207801) > 1e-9 || n2u != 0 {
				t.Errorf("%v: GZ Pakistan %.6f t, GN2 Pakistan %.6f t unknown %.6f; want the old mixes (0.027536; 1.207801, 0)", stage, zp, n2p, n2u)
			}
			if rep := verifyFull(t, db, nil, true); rep.Difference == nil || rep.Difference.Table != "lot_origin" {
				t.Errorf("%v: verify %v %v; want lot_origin named (the old mixes)", stage, rep.Problem, rep.Difference)
			}
			return
		}
		if math.Abs(zp-0.1) > 1e-9 || math.Abs(zu-0.5) > 1e-9 {
			t.Errorf("%v: GZ Nd Pakistan %.6f t, unknown origin %.6f t; want 0.1 and 0.5", stage, zp, zu)
		}
		if math.Abs(n1p-1.099) > 1e-9 || n1u != 0 || math.Abs(mixOf(db, gn1).Supported["Nd"]-1) > 1e-9 {
			t.Errorf("%v: GN1 Nd Pakistan %.6f t, unknown %.6f, supported %v; want 1.099 t Pakistan (noise), supported by 1 t", stage, n1p, n1u, mixOf(db, gn1).Supported)
		}
		if math.Abs(n2p-1) > 1e-9 || math.Abs(n2u-0.207801) > 1e-9 {
			t.Errorf("%v: GN2 Nd Pakistan %.6f t, unknown origin %.6f t; want 1 and 0.207801", stage, n2p, n2u)
		}
	})
}
