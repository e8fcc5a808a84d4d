package commercial_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqlite"
)

// meetAtSave is a store whose first two SaveInvoice calls wait for each
// other: both issuers have made every check before either writes, the
// interleaving a race produces by chance, made certain.
type meetAtSave struct {
	critmin.Store
	mu    sync.Mutex
	calls int
	meet  sync.WaitGroup
}

func (m *meetAtSave) SaveInvoice(ctx context.Context, inv *critmin.StoredInvoice) error {
	m.mu.Lock()
	m.calls++
	first := m.calls <= 2
	m.mu.Unlock()
	if first {
		m.meet.Done()
		m.meet.Wait()
	}
	return m.Store.SaveInvoice(ctx, inv)
}

// fix13r 2: the contract quantity was checked before the invoice was
// stored, outside the store's transaction, so two invoices issued at
// once each saw the other's lot not yet invoiced and together exceeded
// the quantity. Contract 100 dmt ± 10 % = 110 dmt; two lots of 100 wmt
// at 9 % = 91 dmt each: either fits (91 ≤ 110), both do not
// (91 + 91 = 182 > 110). Two issuers whose checks both run before either
// stores (meetAtSave), on SQLite and on PostgreSQL: exactly one invoice
// is issued, the other is refused 409 naming lot (beyond the contract
// quantity, counting the winner's 91 dmt), and the contract's delivered
// quantity is 91 dmt.
func TestContractQuantityConcurrentIssuers(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := openBackend(t, backend)
			s := demoOn(t, db)
			ctx := context.Background()
			termsFrom(t, s, "demo/cu-2025.json", "T-QRACE", func(m map[string]any) {
				delete(m, "assay_exchange")
				delete(m, "take_or_pay")
				m["weights"] = map[string]any{"final_at": "loading", "franchise_pct": 0.5}
				m["quantity"] = map[string]any{"dmt": 100, "tolerance_pct": 10}
			})
			var lots []string
			for _, n := range []string{"1", "2"} {
				lot := "urn:critmin:test:lot:QRACE-" + n
				slipLot(t, s, lot, "copper_concentrate", 100000, 9, 4, 0, 0)
				lots = append(lots, lot)
			}
			gate := &meetAtSave{Store: db}
			gate.meet.Add(2)
			s.Store = gate
			errs := make([]error, len(lots))
			var wg sync.WaitGroup
			for i, lot := range lots {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = s.IssueAt(ctx, "T-QRACE", lot, commercial.Provisional, provAt)
				}()
			}
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
				case !conflictAt(err, "lot") || !strings.Contains(critmin.ErrorMessage(err), "with the 91 dmt of the 1 lot already invoiced") || !strings.Contains(critmin.ErrorMessage(err), "beyond the contract quantity"):
					t.Errorf("lot %d: %v; want issued or 409 naming lot (91 dmt already invoiced, beyond the contract quantity)", i+1, err)
				}
			}
			if won != 1 {
				t.Errorf("%d invoices issued at once; want 1 (both make 182 dmt > 110 dmt)", won)
			}
			pos, err := s.Position(ctx, "T-QRACE")
			if err != nil {
				t.Fatal(err)
			}
			if pos.DeliveredDMT.String() != "91" {
				t.Errorf("delivered %s dmt; want 91 (one lot)", pos.DeliveredDMT)
			}
		})
	}
}

// openBackend opens an empty store on backend ("sqlite": a file in the
// test's directory; "postgres": a database of its own on the local
// server, dropped at the end).
func openBackend(t *testing.T, backend string) critmin.Store {
	t.Helper()
	if backend == "postgres" {
		return pgtest.MustOpen(t)
	}
	d, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "trade.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// shippedLot captures a copper lot of wetKg at 9 % moisture on a B/L
// dated ship (YYYY-MM-DD), commissioned on 1 June 2025.
func shippedLot(t *testing.T, s *commercial.Service, lot, ship string, wetKg float64) {
	t.Helper()
	q := qty(lot, wetKg)
	capture(t, s,
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"c"), "eventTime": "2025-06-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": q,
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:" + uuidFor(lot+"s"), "eventTime": ship + "T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": q, "sensorElementList": h2oAt(ship+"T07:00:00Z", 9),
			"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:" + uuidFor(lot)[:8]}}})
}

// fix13r 1: a term sheet stating a quantity per delivery period. Contract
// 1000 dmt ± 10 % overall, 100 dmt ± 10 % = 110 dmt a quarter; lots of
// 100 wmt at 9 % = 91 dmt each, the quarter being the B/L's. Lot Q3-A
// (B/L 4 Aug 2025): 91 ≤ 110, issued. Lot Q3-B (B/L 2 Sep 2025, also
// 2025-Q3): 91 + 91 = 182 > 110, refused 409 naming lot, the period, the
// figures and dmt (over by 182 − 110 = 72 dmt), though the whole contract
// (182 ≤ 1100) has room. Lot Q4 (B/L 1 Oct 2025, 2025-Q4): 91 ≤ 110,
// issued. The position shows 2025-Q3 at 91 of 110 dmt and 2025-Q4 at 91.
func TestContractQuantityPerPeriod(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-QPER", func(m map[string]any) {
		delete(m, "assay_exchange")
		delete(m, "take_or_pay")
		m["weights"] = map[string]any{"final_at": "loading", "franchise_pct": 0.5}
		m["quantity"] = map[string]any{"dmt": 1000, "tolerance_pct": 10, "per_period": map[string]any{"period": "quarter", "dmt": 100}}
	})
	ship := map[string]string{"Q3-A": "2025-08-04", "Q3-B": "2025-09-02", "Q4": "2025-10-01"}
	issue := func(name string) error {
		lot := "urn:critmin:test:lot:QPER-" + name
		shippedLot(t, s, lot, ship[name], 100000)
		at, _ := time.Parse(time.DateOnly, ship[name])
		_, err := s.IssueAt(ctx, "T-QPER", lot, commercial.Provisional, at.AddDate(0, 0, 3))
		return err
	}
	if err := issue("Q3-A"); err != nil {
		t.Fatalf("Q3-A: %v", err)
	}
	err := issue("Q3-B")
	if !conflictAt(err, "lot") {
		t.Fatalf("Q3-B: %v; want 409 naming lot", err)
	}
	for _, want := range []string{"QPER-Q3-B", "2025-Q3", "91 dmt (B/L 2025-09-02, period 2025-Q3), with the 91 dmt of the 1 lot", "makes 182 dmt", "100 dmt + 10 % tolerance = 110 dmt (over by 72 dmt)"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("refusal %q does not say %q", critmin.ErrorMessage(err), want)
		}
	}
	if err := issue("Q4"); err != nil {
		t.Fatalf("Q4: %v", err)
	}
	pos, err := s.Position(ctx, "T-QPER")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range pos.Periods {
		got[p.Period] = p.DeliveredDMT.String() + "/" + p.MaxDMT.String() + " " + p.Status
	}
	want := map[string]string{"2025-Q3": "91/110 within", "2025-Q4": "91/110 within"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("periods = %v; want %v", got, want)
	}
}

// fix13r 1: the per-period quantity is validated: a period other than
// month, quarter or year, a non-positive quantity and a period quantity
// above the whole contract's (1000 dmt) are refused naming the field.
func TestContractQuantityPerPeriodValidated(t *testing.T) {
	s := MustDemo(t)
	for _, c := range []struct {
		per  map[string]any
		want string
	}{
		{map[string]any{"period": "week", "dmt": 100}, "/quantity/per_period/period"},
		{map[string]any{"period": "month", "dmt": 0}, "/quantity/per_period/dmt"},
		{map[string]any{"period": "month", "dmt": 1200}, "/quantity/per_period/dmt"},
		{map[string]any{"period": "month", "dmt": 100, "tolerance_pct": 120}, "/quantity/per_period/tolerance_pct"},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(mustFile(t, "demo/cu-2025.json")), &m); err != nil {
			t.Fatal(err)
		}
		m["id"] = "T-QPERV"
		delete(m, "take_or_pay")
		m["quantity"] = map[string]any{"dmt": 1000, "tolerance_pct": 10, "per_period": c.per}
		b, _ := json.Marshal(m)
		_, err := s.SaveContract(context.Background(), b)
		found := false
		for _, f := range critmin.ErrorFields(err) {
			found = found || f.Pointer == c.want
		}
		if !found {
			t.Errorf("per_period %v: %v; want an error at %s", c.per, err, c.want)
		}
	}
}

// fix13r 4: a per-lb price in a per-kg rare-earth oxide series was inside
// the wide plausible range and undetected. refdata prices.csv (USGS MCS
// 2026, Argus FOB) gives Nd2O3 99.5 % at 73 USD/kg in 2025: 33.11
// "USD/kg" (73 ÷ 2.2046) is 0.454 of it, off by more than 1.67, and per
// lb 33.11 × 2.2046 = 72.99 USD/kg, 1.00 of it — refused naming the
// basket oxide's series field and USD/lb. 73 USD/kg is accepted.
func TestContractJudgesOxideSeriesAgainstDatedReference(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	csv := "series,date,value,unit,currency,source,frequency\n" +
		"NU-ND-LB,2025-10-01,33.11,USD/kg,USD,test,irregular\nNU-ND-LB,2025-10-08,33.20,USD/kg,USD,test,irregular\n" +
		"NU-ND-KG,2025-10-01,73,USD/kg,USD,test,irregular\nNU-ND-KG,2025-10-08,73.20,USD/kg,USD,test,irregular\n"
	if _, err := s.ImportPrices(ctx, strings.NewReader(csv), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	save := func(id, series string) error {
		var m map[string]any
		if err := json.Unmarshal([]byte(mustFile(t, "demo/ree-2025.json")), &m); err != nil {
			t.Fatal(err)
		}
		m["id"] = id
		m["basket"].(map[string]any)["oxides"].([]any)[0].(map[string]any)["price"] = map[string]any{"series": series, "unit": "USD/kg"}
		b, _ := json.Marshal(m)
		_, err := s.SaveContract(ctx, b)
		return err
	}
	err := save("T-NDLB", "NU-ND-LB")
	if fe := critmin.ErrorFields(err); len(fe) == 0 || fe[0].Pointer != "/basket/oxides/0/price/series" || !strings.Contains(fe[0].Reason, "most likely in USD/lb") {
		t.Errorf("Nd2O3 per lb labelled USD/kg: %v; want /basket/oxides/0/price/series, most likely in USD/lb", err)
	}
	if err := save("T-NDKG", "NU-ND-KG"); err != nil {
		t.Errorf("Nd2O3 73 USD/kg: %v", err)
	}
}

// fix13r 3: sublot dry weights (cm:sublotDMT) are the one place where a
// party states dry tonnes beside the lot's recorded wet tonnes. cuLot
// weighs 1000 wmt at 8 % = 920 dmt; sublots stated at 600 + 400 = 1000
// "dmt" are its wet tonnes: more dry tonnes than the lot's wet weight
// (1000 > 920 × 1.005 and ≥ 1000 wmt), refused naming sublots, the lot's
// wet weight and moisture, and cm:sublotDMT as wet tonnes stated as dry.
func TestSublotWetTonnesStatedAsDry(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	lot := cuLot()
	inSublots(lot, "A", "B")
	lot.Sublots = []commercial.Sublot{{ID: "A", DMT: d("600")}, {ID: "B", DMT: d("400")}}
	_, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: cuPrices()})
	if !hasField(err, "/sublots") {
		t.Fatalf("sublots 600 + 400 on 1000 wmt: %v; want refused naming sublots", err)
	}
	for _, want := range []string{"1000 dmt", "1000 wmt", "8 %", "at least the lot's wet weight", "cm:sublotDMT"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("refusal %q does not say %q", critmin.ErrorMessage(err), want)
		}
	}
}
