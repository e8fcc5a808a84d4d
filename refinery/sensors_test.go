package refinery_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

const sensorSite = "urn:critmin:test:site:leach-plant"

// sensorFlowsheet: feed → stockpile (inventory, surveyed) → reclaim →
// leach → concentrate (measured) and residue (unmeasured). Every
// measurement comes from sensor reports at read points.
const sensorFlowsheet = `{"id": "sensor-test", "elements": ["Cu"],
 "nodes": [
  {"id": "stockpile", "kind": "stockpile", "read_point": "urn:critmin:test:rp:stockpile", "inventory": {}},
  {"id": "leach", "kind": "leaching"}],
 "streams": [
  {"id": "feed", "to": "stockpile", "kind": "feed", "read_point": "urn:critmin:test:rp:feed"},
  {"id": "reclaim", "from": "stockpile", "to": "leach", "kind": "internal", "read_point": "urn:critmin:test:rp:reclaim"},
  {"id": "conc", "from": "leach", "kind": "product", "read_point": "urn:critmin:test:rp:conc"},
  {"id": "residue", "from": "leach", "kind": "residue"}]}`

// sensorEvent writes an ObjectEvent (OBSERVE) at a read point of the
// site with one sensor element holding the reports given.
func sensorEvent(id, at, bizStep, rp string, reports ...string) string {
	step := ""
	if bizStep != "" {
		step = fmt.Sprintf(`"bizStep": %q,`, bizStep)
	}
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:critmin:test:event:%s", "eventTime": %q, "eventTimeZoneOffset": "+00:00",
 "action": "OBSERVE", %s "epcList": [], "readPoint": {"id": %q}, "bizLocation": {"id": %q},
 "sensorElementList": [{"sensorReport": [%s]}]}`, id, at, step, rp, sensorSite, strings.Join(reports, ","))
}

func mass(v float64, uom string, sdev ...float64) string {
	if len(sdev) > 0 {
		return fmt.Sprintf(`{"type": "gs1:Mass", "value": %g, "uom": %q, "sDev": %g}`, v, uom, sdev[0])
	}
	return fmt.Sprintf(`{"type": "gs1:Mass", "value": %g, "uom": %q}`, v, uom)
}

func conc(analyte string, v float64, sdev ...float64) string {
	if len(sdev) > 0 {
		return fmt.Sprintf(`{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/%s", "value": %g, "uom": "P1", "sDev": %g, "cm:basis": "dry"}`, analyte, v, sdev[0])
	}
	return fmt.Sprintf(`{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/%s", "value": %g, "uom": "P1", "cm:basis": "dry"}`, analyte, v)
}

func captureEvents(t *testing.T, ctx context.Context, svc *ledger.Service, events ...string) {
	t.Helper()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-02T00:00:00Z",
 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc), Token: "test"}); err != nil {
		t.Fatalf("capture: %v", err)
	}
}

func sensorStore(t *testing.T) (context.Context, *sqldb.DB, *ledger.Service, *refinery.Problem) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	flow, err := refinery.DecodeProblemUnvalidated(strings.NewReader(sensorFlowsheet))
	if err != nil {
		t.Fatal(err)
	}
	return ctx, store, ledger.NewService(store), flow
}

// October 2025 at the leach plant, every figure from sensor reports. With
// the default precision (weighing 0.5 %, assay 3 % rel., moisture 0.5 %
// abs.) where a report gives no sDev, and dry = w(1 − m), var(dry) =
// (1 − m)²var(w) + w²var(m):
//
//	stockpile opening (survey 30 Sep 18:00, the latest of September; the
//	  one of 15 Sep is older): w 500 t sDev 5, m 10 % sDev 0.4 %, Cu 2.0 %
//	  sDev 0.05 → dry 450 t, var 0.81·25 + 500²·0.004² = 20.25 + 4 = 24.25
//	stockpile closing (survey 31 Oct 18:00; the one of 1 Nov is the next
//	  month's): w 600 t (sd 3), m 8 % (sd 0.005), Cu 1.8 % (sd 0.054) →
//	  dry 552 t, var 0.92²·9 + 600²·0.005² = 7.6176 + 9 = 16.6176
//	feed, two truck batches (the one of 28 Sep is September's):
//	  5 Oct  w 200,000 kg sDev 1,000 kg, m 10 % (sd 0.005), Cu 2.5 % sDev 0.05
//	         → dry 180, var 0.81·1 + 200²·0.005² = 0.81 + 1 = 1.81
//	  20 Oct w 100 t (sd 0.5), m 5 % (sd 0.005), Cu 3.0 % (sd 0.09)
//	         → dry 95, var 0.9025·0.25 + 100²·0.005² = 0.225625 + 0.25 = 0.475625
//	  mass 275 t, sd √2.285625 = 1.51183…
//	  Cu (180·2.5 + 95·3.0)/275 = 735/275 = 2.672727… %,
//	     sd √((180·0.05)² + (95·0.09)²)/275 = √(81 + 73.1025)/275 = 0.0451408…
//	reclaim: w 170 t (sd 0.85), no moisture report (dry), Cu as Cu 2.4 % (sd 0.072)
//	conc: w 20 t (sd 0.1), Cu 17 % (sd 0.51)
func TestFromLedgerSensorReportsAndSurveys(t *testing.T) {
	ctx, store, svc, flow := sensorStore(t)
	rpS, rpF, rpR, rpC := "urn:critmin:test:rp:stockpile", "urn:critmin:test:rp:feed", "urn:critmin:test:rp:reclaim", "urn:critmin:test:rp:conc"
	captureEvents(t, ctx, svc,
		sensorEvent("s0", "2025-09-15T12:00:00Z", "stock_taking", rpS, mass(400, "TNE"), conc("H2O", 9), conc("Cu", 2.1)),
		sensorEvent("s1", "2025-09-30T18:00:00Z", "stock_taking", rpS, mass(500, "TNE", 5), conc("H2O", 10, 0.4), conc("Cu", 2.0, 0.05)),
		sensorEvent("s2", "2025-10-31T18:00:00Z", "cycle_counting", rpS, mass(600, "TNE"), conc("H2O", 8), conc("Cu", 1.8)),
		sensorEvent("s3", "2025-11-01T06:00:00Z", "stock_taking", rpS, mass(999, "TNE"), conc("Cu", 1.0)),
		sensorEvent("f0", "2025-09-28T08:00:00Z", "", rpF, mass(77, "TNE"), conc("Cu", 9)),
		sensorEvent("f1", "2025-10-05T08:00:00Z", "", rpF, mass(200000, "KGM", 1000), conc("H2O", 10), conc("Cu", 2.5, 0.05)),
		sensorEvent("f2", "2025-10-20T08:00:00Z", "", rpF, mass(100, "TNE"), conc("H2O", 5), conc("Cu", 3.0)),
		sensorEvent("r1", "2025-10-25T08:00:00Z", "", rpR, mass(170, "TNE"), conc("Cu", 2.4)),
		sensorEvent("c1", "2025-10-26T08:00:00Z", "", rpC, mass(20, "TNE"), conc("Cu", 17)),
	)
	p, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	s := map[string]refinery.Stream{}
	for _, st := range p.Streams {
		s[st.ID] = st
	}
	inv := p.Nodes[0].Inventory
	near(t, "opening dry t", inv.Opening.Value, 450, 1e-9)
	near(t, "opening sd", inv.Opening.SD, math.Sqrt(24.25), 1e-9)
	near(t, "opening Cu", inv.OpeningGrade["Cu"].Value, 2.0, 1e-12)
	near(t, "opening Cu sd", inv.OpeningGrade["Cu"].SD, 0.05, 1e-12)
	near(t, "closing dry t", inv.Closing.Value, 552, 1e-9)
	near(t, "closing sd", inv.Closing.SD, math.Sqrt(16.6176), 1e-9)
	near(t, "closing Cu sd", inv.ClosingGrade["Cu"].SD, 0.054, 1e-12)
	near(t, "feed dry t", s["feed"].Mass.Value, 275, 1e-9)
	near(t, "feed sd", s["feed"].Mass.SD, math.Sqrt(2.285625), 1e-9)
	near(t, "feed Cu", s["feed"].Grade["Cu"].Value, 735.0/275, 1e-12)
	near(t, "feed Cu sd", s["feed"].Grade["Cu"].SD, math.Sqrt(154.1025)/275, 1e-12)
	near(t, "reclaim t", s["reclaim"].Mass.Value, 170, 1e-12)
	near(t, "reclaim sd", s["reclaim"].Mass.SD, 0.85, 1e-12)
	near(t, "reclaim Cu sd", s["reclaim"].Grade["Cu"].SD, 0.072, 1e-12)
	near(t, "conc t", s["conc"].Mass.Value, 20, 1e-12)
	if src := s["feed"].Mass.Source; len(src) != 2 || src[0] != "urn:critmin:test:event:f1" || src[1] != "urn:critmin:test:event:f2" {
		t.Errorf("feed source %v, want f1 and f2", src)
	}
	if src := inv.Closing.Source; len(src) != 1 || src[0] != "urn:critmin:test:event:s2" {
		t.Errorf("closing source %v, want s2", src)
	}
	if s["residue"].Mass != nil {
		t.Error("the residue, which no sensor reports, got a mass")
	}

	// The period close uses them as measured values with their precision:
	// the stockpile balance 450 + 275 − 170 = 555 against a closing 552 is
	// redundant (every term measured), so the reconciliation adjusts the
	// four masses, and they come out measured with their sds.
	r := mustReconcile(t, p)
	sp := nodeOf(t, r, "stockpile")
	near(t, "stockpile raw imbalance", float64(sp.RawImbalance["mass"]), 450+275-170-552, 1e-9)
	if sp.Inventory.Closing.Class != "redundant" || sp.Inventory.Closing.Measured == nil || *sp.Inventory.Closing.MeasuredSD != math.Sqrt(16.6176) {
		t.Errorf("closing stock %+v, want a redundant measurement with sd √16.6176", sp.Inventory.Closing)
	}
	// The reconciled masses close the stockpile (the Cu balances, bilinear,
	// share the adjustment, so it is not the mass-only closed form): the
	// raw excess of 3 t in is taken off the inputs and put on the closing.
	op, cl := float64(sp.Inventory.Opening.Value), float64(sp.Inventory.Closing.Value)
	fe, re := float64(streamOf(t, r, "feed").Mass.Value), float64(streamOf(t, r, "reclaim").Mass.Value)
	near(t, "reconciled stockpile balance", op+fe-re-cl, 0, 1e-6)
	if !(cl > 552 && fe < 275 && op < 450 && re > 170) {
		t.Errorf("adjustments opening %g feed %g reclaim %g closing %g: want in lowered, out raised", op, fe, re, cl)
	}
}

// Bad sensor records are refused, naming the event and what is wrong.
func TestFromLedgerSensorErrors(t *testing.T) {
	rpS, rpF := "urn:critmin:test:rp:stockpile", "urn:critmin:test:rp:feed"
	for _, c := range []struct {
		name, event, want string
	}{
		{"survey with a bizStep that is not a survey", sensorEvent("x", "2025-10-31T18:00:00Z", "receiving", rpS, mass(600, "TNE")), "stock_taking or cycle_counting"},
		{"assay without a mass", sensorEvent("x", "2025-10-05T08:00:00Z", "", rpF, conc("Cu", 2.5)), "needs one Mass report"},
		{"two masses", sensorEvent("x", "2025-10-05T08:00:00Z", "", rpF, mass(1, "TNE"), mass(2, "TNE")), "second Mass report"},
		// The same grade twice: capture refuses two different grades of one
		// analyte in one event (ledger), so only a repeat reaches the ledger.
		{"element twice", sensorEvent("x", "2025-10-05T08:00:00Z", "", rpF, mass(100, "TNE"), conc("Cu", 1), conc("Cu", 1)), "reported twice"},
		{"an as-received assay", sensorEvent("x", "2025-10-05T08:00:00Z", "", rpF, mass(100, "TNE"), conc("H2O", 5), `{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Cu", "value": 2, "uom": "P1", "cm:basis": "as_received"}`), "dry basis"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, store, svc, flow := sensorStore(t)
			captureEvents(t, ctx, svc, c.event)
			_, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "urn:critmin:test:event:x") {
				t.Errorf("err = %v, want EINVALID naming event x and %q", err, c.want)
			}
		})
	}
	// A Mass report in a volume unit is refused at capture already (issue
	// 9: a weighing the ledger cannot read is refused, never skipped), so
	// nothing reaches the reconciliation.
	t.Run("mass in a volume unit", func(t *testing.T) {
		ctx, _, svc, _ := sensorStore(t)
		doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-02T00:00:00Z",
 "epcisBody": {"eventList": [` + sensorEvent("x", "2025-10-05T08:00:00Z", "", rpF, mass(100, "MTQ")) + `]}}`
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc), Token: "test"})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "sensorReport/0/uom: a Mass report needs a mass unit") {
			t.Errorf("err = %v, want EINVALID at the report's uom", err)
		}
	})
	// The error names the report by its JSON pointer: the second Mass
	// report is report 1 of sensor element 0.
	t.Run("pointer", func(t *testing.T) {
		ctx, store, svc, flow := sensorStore(t)
		captureEvents(t, ctx, svc, sensorEvent("x", "2025-10-05T08:00:00Z", "", rpF, mass(1, "TNE"), mass(2, "TNE")))
		_, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
		if f := critmin.ErrorFields(err); len(f) != 1 || f[0].Pointer != "event urn:critmin:test:event:x /sensorElementList/0/sensorReport/1" {
			t.Errorf("fields %+v, want the pointer of report 1", f)
		}
	})
	t.Run("two surveys at one time", func(t *testing.T) {
		ctx, store, svc, flow := sensorStore(t)
		captureEvents(t, ctx, svc,
			sensorEvent("x", "2025-10-31T18:00:00Z", "stock_taking", rpS, mass(600, "TNE")),
			sensorEvent("y", "2025-10-31T18:00:00Z", "stock_taking", rpS, mass(610, "TNE")))
		_, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "two stock surveys") {
			t.Errorf("err = %v, want two stock surveys", err)
		}
	})
	t.Run("another site's bizLocation", func(t *testing.T) {
		ctx, store, svc, flow := sensorStore(t)
		ev := strings.Replace(sensorEvent("x", "2025-10-05T08:00:00Z", "", rpF, mass(100, "TNE")), sensorSite, "urn:critmin:test:site:elsewhere", 1)
		captureEvents(t, ctx, svc, ev)
		_, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "bizLocation") {
			t.Errorf("err = %v, want the bizLocation named", err)
		}
	})
	t.Run("a survey read point on a node without inventory", func(t *testing.T) {
		ctx, store, _, flow := sensorStore(t)
		flow.Nodes[1].ReadPoint = "urn:critmin:test:rp:leach"
		_, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "no inventory") {
			t.Errorf("err = %v, want no inventory", err)
		}
	})
	t.Run("a month with no sensor report and no transformation", func(t *testing.T) {
		ctx, store, svc, flow := sensorStore(t)
		captureEvents(t, ctx, svc, sensorEvent("x", "2025-09-05T08:00:00Z", "", rpF, mass(100, "TNE")))
		_, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "no measurements") {
			t.Errorf("err = %v, want no measurements", err)
		}
	})
}

// Validate refuses a read point used twice, one with spaces, and a survey
// read point on a node without inventory, naming the field.
func TestValidateReadPoints(t *testing.T) {
	for _, c := range []struct{ name, file, ptr string }{
		{"twice", `{"elements": ["Cu"], "nodes": [{"id": "a"}], "streams": [
  {"id": "in", "to": "a", "read_point": "urn:x:rp", "mass_t": {"value": 1, "sd": 0.1}, "grade_pct": {"Cu": {"value": 1, "sd": 0.1}}},
  {"id": "out", "from": "a", "read_point": "urn:x:rp"}]}`, "/streams/1/read_point"},
		{"spaces", `{"elements": ["Cu"], "nodes": [{"id": "a"}], "streams": [
  {"id": "in", "to": "a", "read_point": "urn:x: rp", "mass_t": {"value": 1, "sd": 0.1}, "grade_pct": {"Cu": {"value": 1, "sd": 0.1}}},
  {"id": "out", "from": "a"}]}`, "/streams/0/read_point"},
		{"no inventory", `{"elements": ["Cu"], "nodes": [{"id": "a", "read_point": "urn:x:rp"}], "streams": [
  {"id": "in", "to": "a", "mass_t": {"value": 1, "sd": 0.1}, "grade_pct": {"Cu": {"value": 1, "sd": 0.1}}},
  {"id": "out", "from": "a"}]}`, "/nodes/0/read_point"},
	} {
		_, err := refinery.DecodeProblem(strings.NewReader(c.file))
		var ce *critmin.Error
		if !errors.As(err, &ce) || len(ce.Fields) == 0 || ce.Fields[0].Pointer != c.ptr {
			t.Errorf("%s: %v, want the error at %s", c.name, err, c.ptr)
		}
	}
}

// A weighing declared in error (EPCIS 2.0 §7.4.1.2) is replaced by its
// corrective event: the feed is the corrected 210 t, not 200 + 210.
func TestFromLedgerSensorCorrected(t *testing.T) {
	ctx, store, svc, flow := sensorStore(t)
	rpF := "urn:critmin:test:rp:feed"
	wrong := sensorEvent("f1", "2025-10-05T08:00:00Z", "", rpF, mass(200, "TNE"), conc("Cu", 2.5))
	captureEvents(t, ctx, svc, wrong)
	declared := strings.TrimSuffix(strings.TrimSpace(wrong), "}") + `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:critmin:test:event:f1c"]}}`
	captureEvents(t, ctx, svc, declared, sensorEvent("f1c", "2025-10-05T08:00:00Z", "", rpF, mass(210, "TNE"), conc("Cu", 2.5)))
	p, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
	if err != nil {
		t.Fatal(err)
	}
	if m := p.Streams[0].Mass; m == nil || m.Value != 210 || len(m.Source) != 1 || m.Source[0] != "urn:critmin:test:event:f1c" {
		t.Errorf("feed after the correction: %+v, want 210 t from f1c", m)
	}
}

// A stream reading of another month is none of this month's business: a
// faulty September weighing (two Mass reports) neither blocks October nor
// is named in its error (October has no data: "no measurements"). Within
// the month, every fault is reported at once: a faulty feed event and a
// survey with a wrong bizStep give two fields, each naming its event.
func TestFromLedgerSensorFaultsOfThePeriodOnly(t *testing.T) {
	rpS, rpF := "urn:critmin:test:rp:stockpile", "urn:critmin:test:rp:feed"
	ctx, store, svc, flow := sensorStore(t)
	captureEvents(t, ctx, svc, sensorEvent("sep", "2025-09-05T08:00:00Z", "", rpF, mass(1, "TNE"), mass(2, "TNE")))
	_, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "no measurements") || strings.Contains(err.Error(), "event:sep") {
		t.Errorf("October with a faulty September reading: %v, want no measurements and no word of September", err)
	}
	captureEvents(t, ctx, svc,
		sensorEvent("oct1", "2025-10-05T08:00:00Z", "", rpF, mass(1, "TNE"), mass(2, "TNE")),
		sensorEvent("oct2", "2025-10-31T18:00:00Z", "receiving", rpS, mass(600, "TNE")))
	_, err = refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
	var e *critmin.Error
	if !errors.As(err, &e) || len(e.Fields) != 2 || !strings.Contains(e.Fields[0].Pointer, "event:oct1") || !strings.Contains(e.Fields[1].Pointer, "event:oct2") {
		t.Fatalf("err = %v, want both October faults (oct1, oct2) and nothing of September", err)
	}
}
