package custody_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// runT is a TransformationEvent of run urn:t:run:<tid> at site, feeding
// inT tonnes of lot in (none when in is "") into outT tonnes of lot out
// (NdPr oxide at Nd 60 % + Pr 20 %, with ILMD extra; no ILMD for "-").
func runT(id, tid, when, site, in string, inT float64, out string, outT float64, extra string) string {
	inputs := ""
	if in != "" {
		inputs = `"inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": ` + fmtF(inT) + `, "uom": "TNE"}], `
	}
	ilmd := `,
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]` + extra + `}`
	if extra == "-" {
		ilmd = "" // no ILMD: the output's facts stated nowhere
	}
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "transformationID": "urn:t:run:` + tid + `", ` + inputs + `"outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + fmtF(outT) + `, "uom": "TNE"}],
	 "bizLocation": {"id": "urn:t:site:` + site + `"}` + ilmd + `}`
}

func fmtF(f float64) string { return fmt.Sprint(f) }

// refused409 fails t unless err is ECONFLICT and says want, and event id
// was not stored.
func refused409(t *testing.T, db critmin.Store, what string, err error, id, want string) {
	t.Helper()
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
		t.Errorf("%s:\n got %v\nwant ECONFLICT with %q", what, err, want)
	}
	if _, err := db.FindEventsByID(context.Background(), "urn:t:ev:"+id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("%s: the refused event was stored (%v)", what, err)
	}
}

// TestRunOutputNamesExistingLotRefused (fix9s item 1): a lot is made
// once. K3 is commissioned at mb on November 20 as 10 t of Chinese
// concentrate. Run T1 at mb on November 21 feeding 1 t of CBIG
// (Pakistani, Nd 4 % + Pr 1 %: 0.05 t Nd+Pr) and naming K3 as its output
// (0.05 t, no ILMD — with one, the second-commissioning check refuses
// it already) would rewrite K3 as
// Pakistan 100 % and make the Chinese 10 t vanish: refused 409 naming
// K3 and its commissioning; K3 keeps its 10 t and China. Run T2 makes
// new lot O (0.05 t); a later output-only event of T2 adding 0.01 t to O
// is its own product: accepted. Run T3 naming O as its output is
// refused naming run T2, which made it.
func TestRunOutputNamesExistingLotRefused(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	k3 := strings.Replace(strings.Replace(feedAt("K3", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"), "mine-CHN\"}", "mb\"}", 1), "2025-10-01", "2025-11-20", 1)
	if err := capture(svc, k3); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, runT("T1", "T1", "2025-11-21T00:00:00Z", "mb", "CBIG", 1, "K3", 0.05, "-"))
	refused409(t, db, "run T1 naming K3", err, "T1", "lot urn:t:lot:K3 already exists (commissioned by event urn:t:ev:K3 on 2025-11-20T00:00:00Z): a lot is made once")
	if k, err := db.FindLot(ctx, "urn:t:lot:K3"); err != nil || !near(k.WetTonnes, 10) || k.OriginCountry != "CHN" {
		t.Errorf("K3 after the refused run: %+v %v, want 10 t CHN", k, err)
	}
	if err := capture(svc, runT("T2", "T2", "2025-11-21T00:00:00Z", "mb", "CBIG", 1, "O", 0.05, "")); err != nil {
		t.Fatalf("run T2 making new lot O: %v", err)
	}
	if err := capture(svc, runT("T2b", "T2", "2025-11-21T06:00:00Z", "mb", "", 0, "O", 0.01, "")); err != nil {
		t.Errorf("an output-only event of T2 adding to its own O: %v", err)
	}
	err = capture(svc, runT("T3", "T3", "2025-11-22T00:00:00Z", "mb", "CBIG", 1, "O", 0.05, ""))
	refused409(t, db, "run T3 naming O", err, "T3", "lot urn:t:lot:O already exists (made by run urn:t:run:T2 (event urn:t:ev:T2)")
}

// TestRunEventAtAnotherSiteRefused (fix9s item 2, s14.py): run T at mb
// makes O (0.05 t oxide from 1 t of CBIG) on November 21. An output-only
// event of T at warehouse wh on November 22 would move O to wh without a
// shipment while mb's account still books it: refused 409 naming mb, the
// run's site; O stays at mb. An output event of another run at wh naming
// O is refused too (O exists, made by T).
func TestRunEventAtAnotherSiteRefused(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, runT("T", "T", "2025-11-21T00:00:00Z", "mb", "CBIG", 1, "O", 0.05, "")); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, runT("Tw", "T", "2025-11-22T00:00:00Z", "wh", "", 0, "O", 0.05, ""))
	refused409(t, db, "output-only event of T at wh", err, "Tw", "run urn:t:run:T happens at urn:t:site:mb (event urn:t:ev:T on 2025-11-21T00:00:00Z), not at urn:t:site:wh")
	if o, err := db.FindLot(ctx, "urn:t:lot:O"); err != nil || o.Location != "urn:t:site:mb" {
		t.Errorf("O after the refused event: %+v %v, want at mb", o, err)
	}
	err = capture(svc, runT("Uw", "U", "2025-11-22T00:00:00Z", "wh", "", 0, "O", 0.05, ""))
	refused409(t, db, "another run at wh naming O", err, "Uw", "lot urn:t:lot:O already exists")
}

// TestClaimOnConsumedLotRefused (fix9s item 3, s16.py): run R1 turns 1 t
// of CBIG into OX (0.05 t oxide); run R2 takes all 0.05 t of OX into OX2
// (0.04 t; Nd+Pr 0.04 × 80 % = 0.032 ≤ 0.05 × 80 % = 0.04). 0.05 − 0.05 =
// 0 t of OX remain: a claim ADD on OX is refused 409 naming OX and R2 —
// the claim would take the balance for material that no longer exists.
// A plain ADD on OX is refused alike; an OBSERVE (a reading) is taken.
func TestClaimOnConsumedLotRefused(t *testing.T) {
	db, svc := mbSvc(t)
	if err := capture(svc, runT("R1", "R1", "2025-11-20T00:00:00Z", "mb", "CBIG", 1, "OX", 0.05, "")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, runT("R2", "R2", "2025-11-21T00:00:00Z", "mb", "OX", 0.05, "OX2", 0.04, "")); err != nil {
		t.Fatal(err)
	}
	want := "lot urn:t:lot:OX refused: it was consumed by urn:t:run:R2"
	err := capture(svc, objectEv("cOX", "2025-11-22T00:00:00Z", "urn:t:lot:OX", "ADD", `, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}`))
	refused409(t, db, "claim ADD on consumed OX", err, "cOX", want)
	err = capture(svc, objectEv("aOX", "2025-11-22T00:00:00Z", "urn:t:lot:OX", "ADD", ""))
	refused409(t, db, "plain ADD on consumed OX", err, "aOX", want)
	if err := capture(svc, objectEv("oOX", "2025-11-22T00:00:00Z", "urn:t:lot:OX", "OBSERVE", "")); err != nil {
		t.Errorf("an OBSERVE of consumed OX (a reading): %v", err)
	}
}

// TestClaimOnLotAtSeaRefused (fix9s item 4): O (0.05 t oxide, made at mb
// on November 20) is shipped from mb to hou on November 21. A claim ADD
// on O on November 22 with no bizLocation — before: it skipped the
// whereabouts check and was taken — is refused 409: O is in transit, and
// a claim is made where the lot stands.
func TestClaimOnLotAtSeaRefused(t *testing.T) {
	db, svc := mbSvc(t)
	if err := capture(svc, runT("R", "R", "2025-11-20T00:00:00Z", "mb", "CBIG", 1, "O", 0.05, "")); err != nil {
		t.Fatal(err)
	}
	ship := `{"type": "ObjectEvent", "eventID": "urn:t:ev:S9s", "eventTime": "2025-11-21T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	 "quantityList": [{"epcClass": "urn:t:lot:O"}], "readPoint": {"id": "urn:t:site:mb"}, "destinationList": [{"type": "location", "destination": "urn:t:site:hou"}]}`
	if err := capture(svc, ship); err != nil {
		t.Fatal(err)
	}
	claim := `{"type": "ObjectEvent", "eventID": "urn:t:ev:C9s", "eventTime": "2025-11-22T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "quantityList": [{"epcClass": "urn:t:lot:O"}], "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`
	refused409(t, db, "claim ADD on O at sea, no location", capture(svc, claim), "C9s", "lot urn:t:lot:O is in transit at 2025-11-22T00:00:00Z (shipping from urn:t:site:mb, event urn:t:ev:S9s")
}
