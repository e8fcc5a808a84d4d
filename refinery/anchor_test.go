package refinery_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqldb"
	"github.com/xuri/excelize/v2"
)

const twoProductSite = "urn:critmin:demo:site:refinery-mo"

// closeTwoProduct closes 2025-10 of the two-product month: feed 100 t ×
// 1 % = 1 t Cu, conc 8 t × 10 % = 0.8 t (reconciled recovery 0.816).
func closeTwoProduct(t *testing.T, db *sqldb.DB, key ed25519.PrivateKey) *critmin.PeriodRecord {
	t.Helper()
	p := decode(t, `{"site":"`+twoProductSite+`","period":"2025-10","elements":["Cu"],"nodes":[{"id":"flotation"}],"streams":[
   {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "kind": "product", "commodity": "cu_conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "kind": "residue", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`)
	rec, _, err := refinery.ClosePeriod(context.Background(), db, p, op, "", key, at)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// refusedEverywhere asserts that every reader of the close refuses it
// with an ECONFLICT wrapping ErrTampered whose text holds want, and that
// critmin verify names the fault.
func refusedEverywhere(t *testing.T, db *sqldb.DB, want string) {
	t.Helper()
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, refinery.ErrTampered) || critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want ECONFLICT wrapping ErrTampered with %q", what, err, want)
		}
	}
	_, err := refinery.RecoveryFor(ctx, db, twoProductSite, "Cu", "2025-10")
	check("RecoveryFor", err)
	_, _, _, err = refinery.ClosedResult(ctx, db, twoProductSite, "2025-10")
	check("ClosedResult", err)
	_, _, _, err = refinery.ConversionFactors{Store: db}.ConversionFactor(ctx, twoProductSite,
		critmin.MaterialCategory{Elements: []string{"Cu"}, Product: "cu_conc", ConversionFactor: 0.5},
		critmin.ClaimPeriod{From: "2025-10-01", To: "2025-11-01"})
	check("ConversionFactor", err)
	_, _, err = plan.Demo().WithRefineryYields(ctx, db)
	check("WithRefineryYields", err)
	rep, err := db.Verify(ctx, nil, nil)
	if err != nil || rep.OK() || !strings.Contains(rep.PeriodProblem, want) {
		t.Errorf("verify: %+v %v, want a period problem with %q", rep, err, want)
	}
}

// forge rewrites the close's result (conc's contained Cu 0.8… → 0.4…,
// recovery about 0.41 instead of 0.816), recomputes its hash and signs
// it with a fresh key (nu12b-2 item 1); with anchor it also rewrites the
// close's anchor, the last audit entry, and the entry's hash, as an
// intruder who knows the formats would.
func forge(t *testing.T, db *sqldb.DB, rec *critmin.PeriodRecord, anchor bool) {
	t.Helper()
	ctx := context.Background()
	edited := strings.Replace(rec.Result, `"Cu":0.8`, `"Cu":0.4`, 1)
	if edited == rec.Result {
		t.Fatalf("nothing to change in %.300s", rec.Result)
	}
	f := *rec
	f.Result = edited
	f.Hash = refinery.RecordHash(&f)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	f.KeyID = base64.StdEncoding.EncodeToString(pub)
	raw, _ := hex.DecodeString(f.Hash)
	f.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, raw))
	if _, err := db.Write.ExecContext(ctx, `UPDATE refinery_periods SET result = ?, hash = ?, key_id = ?, signature = ? WHERE seq = ?`, f.Result, f.Hash, f.KeyID, f.Signature, f.Seq); err != nil {
		t.Fatal(err)
	}
	if !anchor {
		return
	}
	as, err := db.PeriodAnchors(ctx)
	if err != nil || len(as) != 1 {
		t.Fatalf("anchors: %v %v", as, err)
	}
	e := as[0]
	d, _ := json.Marshal(refinery.AnchorOf(&f))
	e.Detail = string(d)
	e.Hash = custody.AuditHash(e.Prev, e)
	if _, err := db.Write.ExecContext(ctx, `UPDATE audit_log SET detail = ?, hash = ? WHERE seq = ?`, e.Detail, e.Hash, e.Seq); err != nil {
		t.Fatal(err)
	}
}

// TestForgedCloseIsRefused (nu12b-2 item 1): a close re-signed with an
// outside key after its result was edited is refused by every reader and
// by verify — because its hash no longer matches its audit anchor; with
// the anchor rewritten too, because the key is not the installation's;
// and with no installation key configured, because the stored result no
// longer reconciles the stored problem (Check: conc 8 t × 10 % = 0.8 t
// Cu, not the 0.4 t written).
func TestForgedCloseIsRefused(t *testing.T) {
	t.Run("anchor", func(t *testing.T) {
		db, key := testStore(t)
		rec := closeTwoProduct(t, db, key)
		db.TrustPeriodKeys() // no key given: the store's pinned key still finds it
		forge(t, db, rec, false)
		refusedEverywhere(t, db, "not one of this installation's keys")
	})
	t.Run("key", func(t *testing.T) {
		db, key := testStore(t)
		forge(t, db, closeTwoProduct(t, db, key), true)
		refusedEverywhere(t, db, "not one of this installation's keys")
	})
	t.Run("check", func(t *testing.T) {
		db, key := testStore(t)
		rec := closeTwoProduct(t, db, key)
		db.TrustPeriodKeys()
		forge(t, db, rec, true)
		// The store pins the key of its first record: a record re-signed
		// with another key is caught by its key even with none given.
		refusedEverywhere(t, db, "not one of this installation's keys")
	})
}

// TestTruncatedChainIsRefused (nu12b-2 item 2): deleting the reopen at
// the end of the period chain, or the close itself, leaves their anchors
// in the audit chain: readers refuse the chain instead of serving the
// period as closed (or quietly as never closed), and verify names the
// missing record. Moving the reopen before the close is refused too.
func TestTruncatedChainIsRefused(t *testing.T) {
	ctx := context.Background()
	admin := refinery.Actor{Name: "al", Role: critmin.RoleAdmin}
	t.Run("reopen deleted", func(t *testing.T) {
		db, key := testStore(t)
		closeTwoProduct(t, db, key)
		if _, err := refinery.ReopenPeriod(ctx, db, twoProductSite, "2025-10", admin, "r", key, at); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := refinery.ClosedResult(ctx, db, twoProductSite, "2025-10"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Fatalf("after the reopen: %v, want ENOTFOUND", err)
		}
		if _, err := db.Write.ExecContext(ctx, `DELETE FROM refinery_periods WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		refusedEverywhere(t, db, "period record 2 (reopen "+twoProductSite+" 2025-10), anchored by audit entry")
	})
	t.Run("close deleted", func(t *testing.T) {
		db, key := testStore(t)
		closeTwoProduct(t, db, key)
		if _, err := db.Write.ExecContext(ctx, `DELETE FROM refinery_periods WHERE seq = 1`); err != nil {
			t.Fatal(err)
		}
		refusedEverywhere(t, db, "the period chain was truncated")
	})
	t.Run("reopen moved first", func(t *testing.T) {
		db, key := testStore(t)
		closeTwoProduct(t, db, key)
		if _, err := refinery.ReopenPeriod(ctx, db, twoProductSite, "2025-10", admin, "r", key, at); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`UPDATE refinery_periods SET seq = 3 WHERE seq = 1`, `UPDATE refinery_periods SET seq = 1 WHERE seq = 2`, `UPDATE refinery_periods SET seq = 2 WHERE seq = 3`} {
			if _, err := db.Write.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		refusedEverywhere(t, db, "prev")
	})
}

// TestUnfinishedMonthCannotBeClosed (nu12b-2 item 4): a period whose end,
// the 1st of the next month at 00:00 in the site's time zone, is after
// now cannot be closed — the current month included.
//
//	now 2026-11-30 11:12 UTC: 2026-11 ends 2026-12-01 00:00 UTC → refused,
//	  the latest month that can be closed is 2026-10;
//	now 2026-11-30 19:30 UTC = 2026-12-01 00:30 +05:00: at a +05:00 site
//	  2026-11 ended 30 minutes ago (2026-11-30 19:00 UTC), but a site
//	  whose zone its master data does not declare must also have ended
//	  in UTC−12: 2026-12-01 00:00 −12:00 = 12:00 UTC → refused; at a UTC
//	  site it ends in 4 h 30 → refused;
//	now 2026-11-30 11:12 UTC = 2026-12-01 01:12 +14:00 (fix12c gap 3): a
//	  flowsheet declaring "+14:00" has its month ended there, but not in
//	  UTC−12 (ends 2026-12-01 12:00 UTC) → refused.
//
// TestSiteZoneFromMasterData covers a site whose zone is declared.
func TestUnfinishedMonthCannotBeClosed(t *testing.T) {
	ctx := context.Background()
	month := func(period, tz string) *refinery.Problem {
		zone := ""
		if tz != "" {
			zone = `"time_zone":"` + tz + `",`
		}
		return decode(t, `{"site":"`+twoProductSite+`","period":"`+period+`",`+zone+`"elements":["Cu"],"nodes":[{"id":"flotation"}],"streams":[
   {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`)
	}
	morning := time.Date(2026, 11, 30, 11, 12, 0, 0, time.UTC)
	evening := time.Date(2026, 11, 30, 19, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		name, period, tz string
		now              time.Time
		refused          string
	}{
		{"current month UTC", "2026-11", "", morning, "the latest month that can be closed is 2026-10"},
		{"next month", "2026-12", "", morning, "2026-12 has not ended"},
		{"current month at a UTC site in the evening", "2026-11", "", evening, "ends 2026-12-01 00:00 +00:00"},
		{"ended at a +05:00 site not declared", "2026-11", "+05:00", evening, "has not ended in UTC−12"},
		{"+14:00 flowsheet, current month", "2026-11", "+14:00", morning, "ends 2026-12-01 00:00 -12:00 (2026-12-01 12:00 UTC)"},
		{"previous month", "2026-10", "", morning, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, key := testStore(t)
			_, _, err := refinery.ClosePeriod(ctx, db, month(c.period, c.tz), op, "", key, c.now)
			if c.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), c.refused) || !strings.Contains(err.Error(), "/period") {
				t.Errorf("got %v, want EINVALID at /period with %q", err, c.refused)
			}
			if recs, _ := db.PeriodRecords(ctx, "", ""); len(recs) != 0 {
				t.Errorf("refused close left %d records", len(recs))
			}
		})
	}
}

// TestReportSaysWhyAccepted (nu12b-2 item 5): the report of a period
// closed with --accept while its global test fails states the closed
// state and the reason in its notes (page, text) and in the Summary
// table (CSV, XLSX), and no longer tells the reader to investigate
// "before the period is closed".
func TestReportSaysWhyAccepted(t *testing.T) {
	p := decode(t, `{"site":"`+twoProductSite+`","period":"2025-10","elements":["Cu"],"nodes":[{"id":"flotation"}],"streams":[
   {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`)
	r, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	r.GlobalTest = refinery.TestFail // as a month closed with --accept
	close := &critmin.PeriodRecord{Seq: 4, Site: twoProductSite, Period: "2025-10", Action: critmin.PeriodClose, Actor: "metallurgist", Role: critmin.RoleOperator, Reason: "conc assay under review", At: at}
	rep := refinery.NewReport(p, r, close, at)
	notes := strings.Join(rep.Notes, "\n")
	if !strings.Contains(notes, `accepted because "conc assay under review"`) || !strings.Contains(notes, "Closed by metallurgist") {
		t.Errorf("notes lack the close and its reason:\n%s", notes)
	}
	if strings.Contains(notes, "before the period is closed") {
		t.Errorf("a closed period's notes still say to investigate before the close:\n%s", notes)
	}
	var csv strings.Builder
	if err := rep.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"state,closed", "accepted_reason,conc assay under review"} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
	open := refinery.NewReport(p, r, nil, at)
	var ocsv strings.Builder
	if err := open.WriteCSV(&ocsv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ocsv.String(), "state,open") || !strings.Contains(strings.Join(open.Notes, " "), "before the period is closed") {
		t.Errorf("open report: %v", open.Notes)
	}
}

// TestReportNeutralisesFormulaIDs (fix1213 item 1, fix1213c item 3): a
// stream id that a spreadsheet would run as a formula is written as text:
// with a leading ' in the CSV report, and as a string-typed cell holding
// the id unchanged in the XLSX report; its numbers stay numbers.
func TestReportNeutralisesFormulaIDs(t *testing.T) {
	p := decode(t, `{"site":"`+twoProductSite+`","period":"2025-10","elements":["Cu"],"nodes":[{"id":"flotation"}],"streams":[
   {"id": "=HYPERLINK(\"http://evil\")", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`)
	r, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	rep := refinery.NewReport(p, r, nil, at)
	var csv strings.Builder
	if err := rep.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(csv.String(), "\n") {
		for _, cell := range strings.Split(line, ",") {
			if strings.HasPrefix(strings.TrimPrefix(cell, `"`), "=") {
				t.Errorf("CSV cell %q would run as a formula (line %q)", cell, line)
			}
		}
	}
	if !strings.Contains(csv.String(), `'=HYPERLINK`) {
		t.Errorf("CSV lacks the neutralised id:\n%s", csv.String())
	}
	var x bytes.Buffer
	if err := rep.WriteXLSX(&x); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	// fix1213c item 3: XLSX cells are typed, so the id is written as a
	// string cell exactly as given (no leading '), and no cell carries a
	// formula: the text cannot run.
	const id = `=HYPERLINK("http://evil")`
	found := false
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for r, row := range rows {
			for k, c := range row {
				cell, _ := excelize.CoordinatesToCellName(k+1, r+1)
				if fm, _ := f.GetCellFormula(sh, cell); fm != "" {
					t.Errorf("sheet %s %s: formula %q", sh, cell, fm)
				}
				if strings.HasPrefix(c, "'") {
					t.Errorf("sheet %s %s: %q keeps a CSV apostrophe", sh, cell, c)
				}
				if c == id {
					found = true
					if typ, _ := f.GetCellType(sh, cell); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
						t.Errorf("sheet %s %s: id cell type %v, want a string cell", sh, cell, typ)
					}
				}
			}
		}
	}
	if !found {
		t.Errorf("XLSX lacks the id %s as text", id)
	}
}

// TestBackfillAnchors (fix1213 item 2): a close stored before anchoring
// existed (its refinery.period audit entry absent: the last audit entry,
// removed) is refused by readers ("no audit entry anchors it");
// BackfillAnchors checks the chain with the installation key and
// anchors it; readers then serve it (the recovery the close stored); a second
// run anchors nothing. A reopen appended after the backfill is anchored
// by the store as usual, and the chain still verifies: anchors are
// matched by record seq, not by position. A forged record is never
// anchored.
func TestBackfillAnchors(t *testing.T) {
	ctx := context.Background()
	db, key := testStore(t)
	rec := closeTwoProduct(t, db, key)
	_, _, before, err := refinery.ClosedResult(ctx, db, twoProductSite, "2025-10")
	if err != nil {
		t.Fatal(err)
	}
	want := before.Accounts[0].Recovery["conc"]
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM audit_log WHERE action = ?`, critmin.AuditRefineryPeriod); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := refinery.ClosedResult(ctx, db, twoProductSite, "2025-10"); err == nil || !strings.Contains(err.Error(), "no audit entry anchors it") {
		t.Fatalf("unanchored close: %v, want refused", err)
	}
	got, err := refinery.BackfillAnchors(ctx, db, db, at)
	if err != nil || len(got) != 1 || got[0].Seq != rec.Seq {
		t.Fatalf("backfill: %v %v, want record %d", got, err, rec.Seq)
	}
	if _, _, res, err := refinery.ClosedResult(ctx, db, twoProductSite, "2025-10"); err != nil {
		t.Fatalf("after backfill: %v", err)
	} else if r := res.Accounts[0].Recovery["conc"]; r != want {
		t.Errorf("recovery %v, want the close's %v", r, want)
	}
	if again, err := refinery.BackfillAnchors(ctx, db, db, at); err != nil || len(again) != 0 {
		t.Fatalf("second backfill: %v %v, want nothing", again, err)
	}
	if _, err := refinery.ReopenPeriod(ctx, db, twoProductSite, "2025-10", refinery.Actor{Name: "boss", Role: critmin.RoleAdmin}, "late assay", key, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	recs, anchors, err := refinery.StableChain(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := refinery.VerifyChain(recs, anchors, db.PeriodKeys()); err != nil {
		t.Errorf("chain with a backfilled anchor and a later one: %v", err)
	}

	db2, key2 := testStore(t)
	rec2 := closeTwoProduct(t, db2, key2)
	if _, err := db2.Write.ExecContext(ctx, `DELETE FROM audit_log WHERE action = ?`, critmin.AuditRefineryPeriod); err != nil {
		t.Fatal(err)
	}
	forge(t, db2, rec2, false)
	if got, err := refinery.BackfillAnchors(ctx, db2, db2, at); err == nil || critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("backfill of a forged record: %v %v, want ECONFLICT and nothing anchored", got, err)
	}
	if as, _ := db2.PeriodAnchors(ctx); len(as) != 0 {
		t.Errorf("a refused backfill left %d anchors", len(as))
	}
}
