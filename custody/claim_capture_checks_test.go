package custody_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// mbSvc is a capture service over mbStore with the capture-time check and
// the clock at November 25, 2025 (October ended, November open).
func mbSvc(t *testing.T) (critmin.Store, *ledger.Service) {
	db := mbStore(t)
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-25T00:00:00Z")
	return db, svc
}

func capture(svc *ledger.Service, events ...string) error {
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: mbDoc(events...)})
	return err
}

// objectEv is an ObjectEvent on a lot at site mb with the given ILMD or
// sensorElementList JSON (extra).
func objectEv(id, when, lot, action, extra string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "` + action + `",
	 "quantityList": [{"epcClass": "` + lot + `"}], "bizLocation": {"id": "urn:t:site:mb"}` + extra + `}`
}

// TestLaterAssayClosesOverLot (issue 9, second check, 2): a lot's dry
// grades are checked over all its assays, stored and new. Lot Z,
// commissioned with Nd2O3 80 % (Nd 80 × 0.8574 = 68.59 %), then observed
// by a sensor report of Pr6O11 40 % (Pr 40 × 0.8277 = 33.11 %): 101.70 %
// > 100.5 % → refused, naming lot and event, nothing stored. Pr6O11 10 %
// (8.28 %; 76.87 % in all) is accepted.
func TestLaterAssayClosesOverLot(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, objectEv("Z0", "2025-11-20T00:00:00Z", "urn:t:lot:Z", "ADD", `, "bizStep": "commissioning",
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 80, "cm:unit": "%", "cm:basis": "dry"}]}`)); err != nil {
		t.Fatal(err)
	}
	sensor := func(v string) string {
		return `, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr6O11", "value": ` + v + `, "uom": "P1", "cm:basis": "dry"}]}]`
	}
	err := capture(svc, objectEv("Z1", "2025-11-21T00:00:00Z", "urn:t:lot:Z", "OBSERVE", sensor("40")))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "lot urn:t:lot:Z with the assays it already has and this event's") || !strings.Contains(err.Error(), "add up to 101.7 %") {
		t.Fatalf("Pr6O11 40 %% over Nd2O3 80 %%: %v", err)
	}
	if z, err := db.FindLot(ctx, "urn:t:lot:Z"); err != nil || len(z.Assays) != 1 {
		t.Errorf("refused assay stored: %+v %v", z, err)
	}
	if err := capture(svc, objectEv("Z2", "2025-11-21T00:00:00Z", "urn:t:lot:Z", "OBSERVE", sensor("10"))); err != nil {
		t.Errorf("Pr6O11 10 %%: %v", err)
	}
}

// TestRunEventsAddUp (issue 9, second check, 3): the events of one run
// (one transformationID) each consume what they state. C2 is 40 t; run
// E6 took 10 t (30 t left). Run U4's event ua takes 10 t and event ub
// 15 t: 5 t are left, so run U5 taking 10 t is refused (5 t + 0.5 % of
// 40 t = 5.2 t < 10 t). U4 put 25 t × 5 % = 1.25 t Nd+Pr in and its two
// outputs hold 2 × 0.5 t × 80 % = 0.8 t: no element_gain (counting ua's
// 10 t alone, 0.5 t in, would be a false gain).
func TestRunEventsAddUp(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	ev := func(id, xid, out string, in float64) string {
		s := oxideRun(id, "2025-11-20T00:00:00Z", out, 0.5, "")
		s = strings.Replace(s, `"quantity": 1, "uom": "TNE"}], "outputQuantityList"`, `"quantity": `+fmt.Sprint(in)+`, "uom": "TNE"}], "outputQuantityList"`, 1)
		return strings.Replace(s, `"bizStep": "commissioning",`, `"bizStep": "commissioning", "transformationID": "urn:t:run:`+xid+`",`, 1)
	}
	if err := capture(svc, ev("ua", "U4", "UA1", 10)); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, ev("ub", "U4", "UB1", 15)); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, ev("uc", "U5", "UC1", 10))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "only 5 t of its 40 t remain (35 t consumed by") {
		t.Fatalf("U5 after U4 took 25 t: %v", err)
	}
	o, err := custody.Origin(ctx, db, "urn:t:lot:UB1")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range o.Anomalies {
		if a.Kind == "element_gain" {
			t.Errorf("false element gain on U4: %+v", a)
		}
	}
}

// TestFutureClaimRefused (7): a claim dated after the capture records it
// (November 28 against the clock's November 25) is refused at its
// eventTime; one dated 3 minutes ahead (within MaxClaimClockSkew, 5
// minutes) is taken.
func TestFutureClaimRefused(t *testing.T) {
	db, svc := mbSvc(t)
	err := capture(svc, oxideRun("F1", "2025-11-28T00:00:00Z", "F1", 0.1, claimPAK))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "after this capture records it (2025-11-25T00:00:00Z) by more than the allowed clock skew of 5 minutes") {
		t.Fatalf("claim dated November 28: %v", err)
	}
	if f := critmin.ErrorFields(err); f[0].Pointer != "/epcisBody/eventList/0/eventTime" {
		t.Errorf("pointer %q", f[0].Pointer)
	}
	if _, err := db.FindLot(context.Background(), "urn:t:lot:F1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused claim stored F1: %v", err)
	}
	if err := capture(svc, oxideRun("F2", "2025-11-25T00:03:00Z", "F2", 0.1, claimPAK)); err != nil {
		t.Errorf("claim 3 minutes ahead: %v", err)
	}
}

// TestClaimFindsLotInAnySpelling (8): the run made lot OXL1 under its
// LGTIN URN; a later claim names it by its GS1 Digital Link, another lot
// the other way round: both find the run (epcis.Canonical) and are
// checked against November's balance (0.1 t × 80 % = 0.08 t each ≤ 2.6).
func TestClaimFindsLotInAnySpelling(t *testing.T) {
	_, svc := mbSvc(t)
	urn1, dl1 := "urn:epc:class:lgtin:0614141.112346.OXL1", "https://id.gs1.org/01/10614141123466/10/OXL1"
	urn2, dl2 := "urn:epc:class:lgtin:0614141.112346.OXL2", "https://id.gs1.org/01/10614141123466/10/OXL2"
	run := func(id, out string) string {
		return strings.Replace(oxideRun(id, "2025-11-20T00:00:00Z", "X", 0.1, ""), "urn:t:lot:X", out, 1)
	}
	claim := func(id, lot string) string {
		return objectEv(id, "2025-11-24T00:00:00Z", lot, "ADD", `, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}`)
	}
	if err := capture(svc, run("G1", urn1), run("G2", dl2)); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, claim("GC1", dl1)); err != nil {
		t.Errorf("claim by Digital Link on a lot made under its URN: %v", err)
	}
	if err := capture(svc, claim("GC2", urn2)); err != nil {
		t.Errorf("claim by URN on a lot made under its Digital Link: %v", err)
	}
}

// TestTiedClaimsInCaptureOrder (9): claims made at one event time are
// booked in capture order. November's Pakistani balance is 2.6 t
// (TestClaimInLaterEventCheckedAtCapture). Runs T1 (Nov 20) and T2 (Nov
// 21) each make 2.5 t of oxide = 2.0 t Nd+Pr from 100 t of CBIG (5 t in, no
// gain: fix9p, from 1 t of C2 each was capped at 0.05 t), unclaimed. A claim on T2 at
// Nov 24 is accepted (2.0 ≤ 2.6, 0.6 left); a later capture's claim on
// T1 at the same instant is refused with its own shortfall 2.0 − 0.6 =
// 1.4 t at its own claim, and T2's accepted claim is untouched — not
// booked first because T1's run is older.
func TestTiedClaimsInCaptureOrder(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, oxideRunFrom("T1", "2025-11-20T00:00:00Z", "T1", 2.5, "", "CBIG", 100), oxideRunFrom("T2", "2025-11-21T00:00:00Z", "T2", 2.5, "", "CBIG", 100)); err != nil {
		t.Fatal(err)
	}
	claim := func(id, lot string) string {
		return objectEv(id, "2025-11-24T00:00:00Z", lot, "ADD", `, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}`)
	}
	if err := capture(svc, claim("TC2", "urn:t:lot:T2")); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, claim("TC1", "urn:t:lot:T1"))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 1.4 t") || strings.Contains(err.Error(), "would break") {
		t.Fatalf("tied over-claim: %v", err)
	}
	if f := critmin.ErrorFields(err); f[0].Pointer != "/epcisBody/eventList/0/ilmd/cm:originClaim" {
		t.Errorf("pointer %q", f[0].Pointer)
	}
	if o, err := custody.Origin(ctx, db, "urn:t:lot:T2"); err != nil || o.Claimed.Status != custody.ClaimAccepted {
		t.Errorf("T2 after the refusal: %+v %v", o.Claimed, err)
	}
}

// TestEndedPeriodAssayChangeRefused (6): October's statement read lot A's
// assay (100 t × (4 + 1) % × 0.9 = 4.5 t PAK credit). A re-assay of A
// on November 24 (Pr 2 %: Pr inputs × factor 100 × 2 % × 0.9 = 1.8 t,
// bounded by the 0.96 t Pr E1's products hold, fix9c, fix9ad — mbStore;
// Nd 3.6 t as before) would rewrite October's final statement (4.5 →
// 3.6 + 0.96 = 4.56): refused naming the period and its end.
func TestEndedPeriodAssayChangeRefused(t *testing.T) {
	_, svc := mbSvc(t)
	err := capture(svc, objectEv("RA", "2025-11-24T00:00:00Z", "urn:t:lot:A", "OBSERVE",
		`, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 2, "uom": "P1", "cm:basis": "dry"}]}]`))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "claim period 2025-10 (2025-10-01 to 2025-11-01), which ended on 2025-11-01") ||
		!strings.Contains(err.Error(), "PAK credits would go from 4.5 to 4.56") {
		t.Fatalf("re-assay of an October input: %v", err)
	}
}

// TestCustodyModelChangeRefused (5): site mb's accepted claims (O1 in
// October, …) were judged under mass_balance; master data resending mb
// as segregated is refused naming the claim; resending it unchanged is
// taken. Site mb2 keeps no account: its model may change.
func TestCustodyModelChangeRefused(t *testing.T) {
	db, svc := mbSvc(t)
	md := func(site, model string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-20T00:00:00Z",
		 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [{"id": "` + site + `", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "` + model + `"}]}]}]}},
		 "epcisBody": {"eventList": []}}`)
	}
	ctx := context.Background()
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: md("urn:t:site:mb", "segregated")})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "cm:custodyModel may not change from mass_balance to segregated: the accepted claim on lot urn:t:lot:") {
		t.Fatalf("model change under accepted claims: %v", err)
	}
	sites, err := db.SiteDetails(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sites {
		if s.ID == "urn:t:site:mb" && s.CustodyModel != custody.MassBalance {
			t.Errorf("refused master data stored: mb is %q", s.CustodyModel)
		}
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: md("urn:t:site:mb", "mass_balance")}); err != nil {
		t.Errorf("same model resent: %v", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: md("urn:t:site:mb2", "segregated")}); err != nil {
		t.Errorf("model change at a site without an account: %v", err)
	}
}
