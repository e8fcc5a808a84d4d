package custody_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// partRun is gainRun with the output O assayed at Nd nd % + Pr pr % and
// the claim PAK 0.8: PK 10 t → O 1 t at site mb on October 20.
func partRun(nd, pr int) string {
	ev := gainRun("R9", "2025-10-20T00:00:00Z", "PK", 10, "O9", 1, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.8}]`)
	ev = strings.Replace(ev, `"cm:analyte": "Nd", "cm:value": 30`, fmt.Sprintf(`"cm:analyte": "Nd", "cm:value": %d`, nd), 1)
	return strings.Replace(ev, `"cm:analyte": "Pr", "cm:value": 30`, fmt.Sprintf(`"cm:analyte": "Pr", "cm:value": %d`, pr), 1)
}

// shipAndAssayPart ships 0.5 t of O9 from mb to Karachi (Oct 21),
// receives it there (Oct 22) and assays that part at Nd nd % + Pr pr %
// (Oct 23).
func shipAndAssayPart(t *testing.T, svc *ledger.Service, nd, pr int) {
	t.Helper()
	const lot, port = "urn:t:lot:O9", "urn:t:site:karachi"
	at := func(id, when, site, extra string) string {
		return strings.Replace(objectEv(id, when, lot, "OBSERVE", extra), "urn:t:site:mb", site, 1)
	}
	qty := func(ev string) string {
		return strings.Replace(ev, `"quantityList": [{"epcClass": "`+lot+`"}]`, `"quantityList": [{"epcClass": "`+lot+`", "quantity": 0.5, "uom": "TNE"}]`, 1)
	}
	ship := qty(at("s9", "2025-10-21T00:00:00Z", "urn:t:site:mb", `, "bizStep": "shipping", "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O9"}]`))
	recv := qty(at("r9", "2025-10-22T00:00:00Z", port, `, "bizStep": "receiving", "disposition": "in_progress", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O9"}]`))
	assay := at("a9", "2025-10-23T00:00:00Z", port, fmt.Sprintf(`, "bizStep": "sampling", "sensorElementList": [{"sensorReport": [
	 {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": %d, "uom": "P1", "cm:basis": "dry"},
	 {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": %d, "uom": "P1", "cm:basis": "dry"}]}]`, nd, pr))
	if err := capture(svc, ship, recv, assay); err != nil {
		t.Fatal(err)
	}
}

// TestClaimedContainsIsCappedAsPhysical (issue 9, fix9ab; new-user check
// nu9e G2): the claimed view's "contains now" is the physical origin's
// capped element content, never the uncapped assay.
//
//	PK (Pakistan) 10 t at Nd 4 % + Pr 1 %: in Nd 0.4 t, Pr 0.1 t.
//	Run R9: PK 10 t → O9 1 t at Nd 40 % + Pr 10 % = 0.4 + 0.1 = 0.5 t,
//	  claiming PAK 0.8: credit min(0.45, 0.5) = 0.45 t, claim 0.8 × 0.5
//	  = 0.4 t, accepted; the claim rests on the 0.5 t O9 held.
//	0.5 t of O9 shipped to Karachi, received, that part assayed at
//	  Nd 80 % + Pr 20 %: uncapped Nd 0.5 × 40 % + 0.5 × 80 % = 0.6 t,
//	  Pr 0.05 + 0.1 = 0.15 t (0.75 t): above what R9's inputs held
//	  (element_gain), so the physical origin counts Nd min(0.6, 0.4) +
//	  Pr min(0.15, 0.1) = 0.5 t.
//	Claimed view: contains 0.5 t (not 0.75), nothing not covered (not
//	  0.25 / 0.75 = 33.3 %), PAK 0.4 / 0.5 = 80 % as claimed (not 53.3 %).
func TestClaimedContainsIsCappedAsPhysical(t *testing.T) {
	ctx := context.Background()
	db, svc := gainStore(t)
	if err := capture(svc, partRun(40, 10)); err != nil {
		t.Fatal(err)
	}
	shipAndAssayPart(t, svc, 80, 20)
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O9", false)
	if err != nil {
		t.Fatal(err)
	}
	phys := o.Elements["Nd"].Recorded() + o.Elements["Pr"].Recorded()
	if math.Abs(phys-0.5) > 1e-9 {
		t.Fatalf("physical Nd+Pr %v t, want capped 0.4 + 0.1 = 0.5 t", phys)
	}
	cl := o.Claimed
	if cl == nil || cl.Status != custody.ClaimAccepted {
		t.Fatalf("claim %+v, want accepted", cl)
	}
	if math.Abs(cl.Tonnes-0.5) > 1e-9 {
		t.Errorf("claim rests on %v t, want 0.5 t (O9 when claimed)", cl.Tonnes)
	}
	if math.Abs(cl.Contains-phys) > 1e-9 {
		t.Errorf("claimed view: contains %v t, want the physical view's capped 0.5 t, never the uncapped 0.75 t", cl.Contains)
	}
	if cl.NotCovered != 0 || cl.NotCoveredTonnes() != 0 {
		t.Errorf("not covered %v (%v t), want 0: the lot holds the 0.5 t the claim rests on", cl.NotCovered, cl.NotCoveredTonnes())
	}
	if len(cl.ByCountry) != 1 || math.Abs(cl.ByCountry[0].Share-0.8) > 1e-9 || math.Abs(cl.ByCountry[0].Tonnes-0.4) > 1e-9 {
		t.Errorf("claimed shares %+v, want PAK 0.4 t = 80 %% of 0.5 t", cl.ByCountry)
	}
	// The lot list, lots CSV and CLI word the claim by SharesText; the
	// certificate and the rules read the same Claim.
	// fix9am words the 20 % no claim covers: 0.8 × 0.5 = 0.4 t claimed.
	if want := "Pakistan 80.0 %; claims 80.0 % of the lot (0.4 t of 0.5 t Nd+Pr); 20.0 % unclaimed"; cl.SharesText() != want {
		t.Errorf("claimed shares %q, want %q (not \"Pakistan 53.3 %%; not covered 33.3 %%\")", cl.SharesText(), want)
	}
}

// TestClaimedSharesWithinCapSumToOne (fix9ab): a lot that gains metal
// within what its run's inputs held (no cap bites on one element, the
// cap bites on the other) is read at its physical content, and the
// claimed shares and the share not covered never sum above 100 %.
//
//	Run R9: PK 10 t (Nd 0.4, Pr 0.1) → O9 1 t at Nd 20 % + Pr 5 % =
//	  0.2 + 0.05 = 0.25 t, claiming PAK 0.8: 0.2 t.
//	0.5 t part assayed at Nd 60 % + Pr 5 %: Nd 0.1 + 0.3 = 0.4 t (≤ 0.4,
//	  no gain), Pr 0.025 + 0.025 = 0.05 t: contains 0.45 t.
//	PAK share min(0.8, 0.2 / 0.45) = 0.444444; not covered 1 − 0.25 /
//	  0.45 = 0.444444 (0.2 t); sum 0.888889 ≤ 1 (the rest, 0.05 t = 20 %
//	  of 0.25 t, was never claimed).
//	Part assayed at Nd 80 % + Pr 5 % instead: Nd 0.1 + 0.4 = 0.5 t >
//	  0.4 t in, capped at 0.4 t: contains 0.45 t again, the same shares.
func TestClaimedSharesWithinCapSumToOne(t *testing.T) {
	for _, nd := range []int{60, 80} {
		t.Run(fmt.Sprint("Nd", nd), func(t *testing.T) {
			ctx := context.Background()
			db, svc := gainStore(t)
			if err := capture(svc, partRun(20, 5)); err != nil {
				t.Fatal(err)
			}
			shipAndAssayPart(t, svc, nd, 5)
			o, err := custody.OriginOf(ctx, db, "urn:t:lot:O9", false)
			if err != nil {
				t.Fatal(err)
			}
			cl := o.Claimed
			if cl == nil || cl.Status != custody.ClaimAccepted {
				t.Fatalf("claim %+v, want accepted", cl)
			}
			if math.Abs(cl.Contains-0.45) > 1e-9 || math.Abs(cl.Tonnes-0.25) > 1e-9 {
				t.Errorf("contains %v t, claim rests on %v t; want 0.45 t and 0.25 t", cl.Contains, cl.Tonnes)
			}
			if math.Abs(cl.NotCovered-(1-0.25/0.45)) > 1e-6 || math.Abs(cl.NotCoveredTonnes()-0.2) > 1e-9 {
				t.Errorf("not covered %v (%v t), want 1 − 0.25/0.45 = 0.444444 (0.2 t)", cl.NotCovered, cl.NotCoveredTonnes())
			}
			total := cl.NotCovered
			for _, sh := range cl.ByCountry {
				total += sh.Share
			}
			if len(cl.ByCountry) != 1 || math.Abs(cl.ByCountry[0].Share-0.2/0.45) > 1e-6 || total > 1+1e-9 {
				t.Errorf("shares %+v + not covered %v = %v, want PAK 0.444444 and a sum ≤ 1", cl.ByCountry, cl.NotCovered, total)
			}
		})
	}
}
