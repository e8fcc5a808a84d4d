package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestClaimDoesNotExemptFromWhereabouts (issue 9, fix9r item 1): a claim
// (cm:originClaim) never exempts an event from the physical checks. Lot W,
// 10 t of Pakistani concentrate (Nd 4 % + Pr 1 %), is commissioned at
// urn:t:site:mine-PAK (its bizLocation) and never shipped. A run at mb on
// November 20 feeding 1 t of W into 0.05 t of oxide at Nd 60 % + Pr 20 %
// (0.05 × 80 % = 0.04 t Nd+Pr, well inside mb's Pakistani balance of
// 2.6 t after K) is refused without a claim, since W is not at mb — and
// with a claim of Pakistan 100 % it is refused alike (before: accepted,
// moving W to mb and crediting mb with metal that never was there).
// Nothing is stored either way.
func TestClaimDoesNotExemptFromWhereabouts(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, feedAt("W", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")); err != nil {
		t.Fatal(err)
	}
	want := "lot urn:t:lot:W is at urn:t:site:mine-PAK at 2025-11-20T00:00:00Z (since commissioning, event urn:t:ev:W on 2025-10-01T00:00:00Z), not at urn:t:site:mb: it can be fed to a run only where it is"
	for _, c := range []struct{ name, id, claim string }{{"without a claim", "WR0", ""}, {"with a claim", "WR1", claimPAK}} {
		err := capture(svc, oxideRunFrom(c.id, "2025-11-20T00:00:00Z", c.id+"X", 0.05, c.claim, "W", 1))
		// A lot elsewhere conflicts with the record: 409 (ECONFLICT), as
		// every whereabouts refusal since fix15w.
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
			t.Errorf("run at mb feeding W at the mine, %s:\n got %v\nwant ECONFLICT with %q", c.name, err, want)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:"+c.id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: the refused run was stored (%v)", c.name, err)
		}
	}
	if w, err := db.FindLot(ctx, "urn:t:lot:W"); err != nil || w.Status == critmin.LotConsumed || w.Location != "urn:t:site:mine-PAK" {
		t.Errorf("after the refused runs W is %+v (%v), want at the mine, not consumed", w, err)
	}
}

// TestAddOfExistingLotElsewhereRefused (fix9r item 1, same class): an
// ObjectEvent ADD of a lot that already stands at a site, recorded at
// another site, would move it there without a shipment. W stands at
// urn:t:site:mine-PAK: an ADD of W at mb on November 20 — plain or
// carrying a claim — is refused 409 (it conflicts with the record of
// where W is), naming where W is; nothing is stored and W stays at the
// mine. An ADD of W at the mine (where it is) is taken, and so is the
// commissioning of a new lot N at mb (its first sighting).
func TestAddOfExistingLotElsewhereRefused(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, feedAt("W", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")); err != nil {
		t.Fatal(err)
	}
	add := func(id, site, ilmd string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
		 "quantityList": [{"epcClass": "urn:t:lot:W"}], "bizLocation": {"id": "urn:t:site:` + site + `"}` + ilmd + `}`
	}
	want := "lot urn:t:lot:W is at urn:t:site:mine-PAK at 2025-11-20T00:00:00Z (since commissioning, event urn:t:ev:W on 2025-10-01T00:00:00Z), not at urn:t:site:mb"
	for _, c := range []struct{ name, id, ilmd string }{
		{"plain", "WA0", ""},
		{"with a claim", "WA1", `, "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}`},
	} {
		err := capture(svc, add(c.id, "mb", c.ilmd))
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
			t.Errorf("ADD of W at mb, %s:\n got %v\nwant ECONFLICT with %q", c.name, err, want)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:"+c.id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: the refused ADD was stored (%v)", c.name, err)
		}
	}
	if w, err := db.FindLot(ctx, "urn:t:lot:W"); err != nil || w.Location != "urn:t:site:mine-PAK" {
		t.Errorf("after the refused ADDs W is %+v (%v), want at the mine", w, err)
	}
	if err := capture(svc, add("WA2", "mine-PAK", "")); err != nil {
		t.Errorf("ADD of W where it is: %v", err)
	}
	if err := capture(svc, strings.Replace(strings.Replace(feedAt("N", "ree_concentrate", "PAK", 5, "Nd:4", "Pr:1"), "mine-PAK\"}", "mb\"}", 1), "2025-10-01", "2025-11-20", 1)); err != nil {
		t.Errorf("commissioning a new lot at mb: %v", err)
	}
}

// TestClaimDoesNotExemptFromLotExists (fix9r item 2): lot V (Pakistani
// concentrate, 10 t) is first recorded on November 20. A run at mb dated
// November 19 feeding 1 t of V is refused — it is dated before V exists —
// with a claim as without one (before: a claim skipped the check and the
// run was taken). Nothing is stored.
func TestClaimDoesNotExemptFromLotExists(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, strings.Replace(feed("V", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"), "2025-10-01", "2025-11-20", 1)); err != nil {
		t.Fatal(err)
	}
	want := "the event time 2025-11-19T00:00:00Z is before lot urn:t:lot:V exists (first recorded (commissioned) on 2025-11-20T00:00:00Z)"
	for _, c := range []struct{ name, id, claim string }{{"without a claim", "VR0", ""}, {"with a claim", "VR1", claimPAK}} {
		err := capture(svc, oxideRunFrom(c.id, "2025-11-19T00:00:00Z", c.id+"X", 0.05, c.claim, "V", 1))
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
			t.Errorf("run before V exists, %s:\n got %v\nwant ECONFLICT (409, a conflict with the record) with %q", c.name, err, want)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:"+c.id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: the refused run was stored (%v)", c.name, err)
		}
	}
}
