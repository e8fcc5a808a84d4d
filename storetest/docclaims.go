package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// Several claims in one capture (issue 9 §1, new-user check nu31): every
// claim event of a document is judged in document order against the
// balance as the document's earlier events leave it, and a second claim on
// a lot already claimed — stored or earlier in the same document — is
// refused (409) unless the first is declared in error in that document.

// dcFeed commissions a dry REE concentrate lot of tonnes t from iso, read
// at its mine (readPoint: the lot stands at no site, so a run at mb may
// feed it), at Nd 4 % + Pr 1 %.
func dcFeed(lot, iso string, t float64) string {
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine-%s"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "%s", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%%", "cm:basis": "dry"}]}}`, lot, lot, t, iso, iso)
}

// dcRun is a run at site mb on 2025-10-dd consuming in tonnes of lot in
// and making the outputs ("lot:t"), all NdPr oxide at nd % Nd + pr % Pr
// (ILMD describes every output alike), with extra ILMD (a claim).
func dcRun(id string, day int, in string, inT float64, nd, pr float64, extra string, outs ...string) string {
	var os []string
	for _, o := range outs {
		lot, t, _ := strings.Cut(o, ":")
		os = append(os, fmt.Sprintf(`{"epcClass": "urn:t:lot:%s", "quantity": %s, "uom": "TNE"}`, lot, t))
	}
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "outputQuantityList": [%s], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": %v, "cm:unit": "%%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": %v, "cm:unit": "%%", "cm:basis": "dry"}]%s}}`,
		id, day, in, inT, strings.Join(os, ","), nd, pr, extra)
}

// dcClaim is an ObjectEvent ADD at site mb on 2025-10-dd claiming share
// of lot's content as Pakistani.
func dcClaim(id string, day int, lot, share string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + fmt.Sprintf("2025-10-%02dT00:00:00Z", day) + `", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": ` + share + `}]}}`
}

const dcPAK = `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`

// dcOpen stores the case's account. Site mb, category ree (Nd + Pr,
// factor 0.9), one claim period 2025-10, the capture's clock Oct 20:
//
//	R1 Oct 5: A (Pakistan, 100 t at Nd 4 % + Pr 1 %) → L1 1 t + L2 5 t
//	          at Nd 62 % + Pr 16 %. Credit PAK: Nd 4 × 0.9 = 3.6 t,
//	          Pr 1 × 0.9 = 0.9 t, bounded by what the products hold
//	          (Nd 6 × 62 % = 3.72 ≥ 3.6, Pr 6 × 16 % = 0.96 ≥ 0.9):
//	          4.5 t Nd+Pr. PAK balance 4.5 t.
//	R2 Oct 6: C (China, 1000 t: Nd 40 t, Pr 10 t) 500 t (Nd 20, Pr 5)
//	          → X 6 t, P 5 t, Y 1 t, Z 1 t at Nd 60 % + Pr 20 %
//	          (Nd 7.8 ≤ 20, Pr 2.6 ≤ 5: no gain). Each holds 80 % Nd+Pr:
//	          X 4.8 t, P 4.0 t, Y 0.8 t, Z 0.8 t. No claim: the PAK
//	          balance stays 4.5 t.
func dcOpen(t *testing.T, open Opener) (critmin.Store, *ledger.Service) {
	t.Helper()
	s := open(t)
	cs, svc := claimService(s)
	MustCapture(t, svc, ctDoc(dcFeed("A", "PAK", 100), dcFeed("C", "CHN", 1000)))
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}}}
	if err := custody.DeclareMassBalance(context.Background(), cs, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	MustCapture(t, svc, ctDoc(dcRun("R1", 5, "A", 100, 62, 16, "", "L1:1", "L2:5")))
	MustCapture(t, svc, ctDoc(dcRun("R2", 6, "C", 500, 60, 20, "", "X:6", "P:5", "Y:1", "Z:1")))
	return s, svc
}

// dcPAKLine is the PAK line of category ree in October's statement.
func dcPAKLine(t *testing.T, s critmin.Store) custody.BalanceLine {
	t.Helper()
	st, err := custody.StatementOf(context.Background(), s.(custody.Store), "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Categories {
		for _, l := range c.Lines {
			if l.Country == "PAK" {
				return l
			}
		}
	}
	t.Fatal("no PAK line in October's statement")
	return custody.BalanceLine{}
}

// dcNotStored fails unless none of the events ids is stored.
func dcNotStored(t *testing.T, s critmin.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		evs, err := s.FindEventsByID(context.Background(), "urn:t:ev:"+id)
		if err == nil && len(evs) > 0 {
			t.Errorf("event %s stored by a refused document", id)
		}
	}
}

// dcRefused captures body and fails unless it is refused with code,
// naming every want.
func dcRefused(t *testing.T, svc *ledger.Service, body, code string, want ...string) {
	t.Helper()
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(body)})
	if err == nil {
		t.Fatal("document accepted; want refused")
	}
	if got := critmin.ErrorCode(err); got != code {
		t.Errorf("refused %s (%v), want %s", got, err, code)
	}
	var all strings.Builder
	all.WriteString(err.Error())
	for _, f := range critmin.ErrorFields(err) {
		all.WriteString(" | " + f.Pointer + ": " + f.Reason)
	}
	for _, w := range want {
		if !strings.Contains(all.String(), w) {
			t.Errorf("refusal %q lacks %q", all.String(), w)
		}
	}
}

// testClaimsInOneDocument is the hand-worked cases (a)–(d) of issue 9 §1
// (nu31): the account of dcOpen, PAK balance 4.5 t.
func testClaimsInOneDocument(t *testing.T, open Opener) {
	// (a) An over-balance claim followed by a small claim on the same
	// lot: X 100 % PAK = 4.8 t > 4.5 t, shortfall 4.8 − 4.5 = 0.3 t; the
	// 1 % claim after it (0.048 t) is a second claim on X. Before the
	// fix only the last claim was booked and the document was taken.
	t.Run("over-balance then small claim", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		dcRefused(t, svc, ctDoc(dcClaim("big", 7, "X", "1"), dcClaim("small", 8, "X", "0.01")), critmin.EINVALID,
			"/epcisBody/eventList/0/ilmd/cm:originClaim: over-claim", "shortfall 0.3 t", "period 2025-10", "category ree",
			"/epcisBody/eventList/1/ilmd/cm:originClaim: claim on lot urn:t:lot:X refused: event urn:t:ev:big earlier in this document already claims")
		dcNotStored(t, s, "big", "small")
		if l := dcPAKLine(t, s); !ctNear(l.Claims, 0) || !ctNear(l.Closing, 4.5) {
			t.Errorf("PAK line %+v; want claims 0, closing 4.5", l)
		}
	})
	// (a) with a run's own claim: R3 Oct 7 makes V from 100 t of C
	// (Nd 4, Pr 1), 6 t at Nd 64 % + Pr 16 % (Nd 3.84 ≤ 4, Pr 0.96 ≤ 1)
	// = 4.8 t, claimed 100 % PAK: 4.8 > 4.5, shortfall 0.3 t; then a
	// 1 % ADD claim on V.
	t.Run("run claim over balance then small claim", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		dcRefused(t, svc, ctDoc(dcRun("R3", 7, "C", 100, 64, 16, dcPAK, "V:6"), dcClaim("small", 8, "V", "0.01")), critmin.EINVALID,
			"/epcisBody/eventList/0/ilmd/cm:originClaim: over-claim", "shortfall 0.3 t", "/epcisBody/eventList/1/ilmd/cm:originClaim: claim on lot urn:t:lot:V refused: event urn:t:ev:R3")
		dcNotStored(t, s, "R3", "small")
	})
	// (b) Two in-balance claims on one lot: Y 100 % = 0.8 t, then Y
	// 50 % = 0.4 t; 0.8 + 0.4 = 1.2 ≤ 4.5, but the second is a second
	// claim on Y, refused as in separate documents: 409.
	t.Run("two claims on one lot", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		dcRefused(t, svc, ctDoc(dcClaim("y1", 7, "Y", "1"), dcClaim("y2", 8, "Y", "0.5")), critmin.ECONFLICT,
			"/epcisBody/eventList/1/ilmd/cm:originClaim: claim on lot urn:t:lot:Y refused: event urn:t:ev:y1 earlier in this document")
		dcNotStored(t, s, "y1", "y2")
		// The same two claims in separate documents: the second 409 too.
		MustCapture(t, svc, ctDoc(dcClaim("y1", 7, "Y", "1")))
		dcRefused(t, svc, ctDoc(dcClaim("y2", 8, "Y", "0.5")), critmin.ECONFLICT, "urn:t:ev:y1")
	})
	// (c) Two claims on two lots, each alone within the balance, together
	// above it: P 100 % = 4.0 t ≤ 4.5 leaves 0.5 t; Y 100 % = 0.8 t >
	// 0.5 t, shortfall 0.8 − 0.5 = 0.3 t, named on Y's claim.
	t.Run("two lots over balance together", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		dcRefused(t, svc, ctDoc(dcClaim("p1", 7, "P", "1"), dcClaim("y1", 8, "Y", "1")), critmin.EINVALID,
			"/epcisBody/eventList/1/ilmd/cm:originClaim", "lot urn:t:lot:Y claims 0.8 t", "shortfall 0.3 t")
		dcNotStored(t, s, "p1", "y1")
	})
	// (c) with one run claiming two outputs: R3 Oct 7 makes P3 5 t and
	// Y3 1 t from 150 t of C (Nd 6, Pr 1.5) at Nd 60 % + Pr 20 %
	// (Nd 3.6 ≤ 6, Pr 1.2 ≤ 1.5), claimed 100 % PAK: 4.0 + 0.8 = 4.8 t
	// > 4.5, shortfall 0.3 t on the second.
	t.Run("one run claiming two lots over balance", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		dcRefused(t, svc, ctDoc(dcRun("R3", 7, "C", 150, 60, 20, dcPAK, "P3:5", "Y3:1")), critmin.EINVALID,
			"/epcisBody/eventList/0/ilmd/cm:originClaim", "lot urn:t:lot:Y3 claims 0.8 t", "shortfall 0.3 t")
		dcNotStored(t, s, "R3")
	})
	// (d) A claim and the declaration in error of the earlier claim on
	// that lot, in one document: Z 100 % = 0.8 t stored (balance 4.5 −
	// 0.8 = 3.7); the document declares it in error and claims Z 50 % =
	// 0.4 t: accepted, October's PAK claims 0.4 t, closing 4.5 − 0.4 =
	// 4.1 t.
	t.Run("claim with declaration in error of the earlier one", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		first := dcClaim("z1", 7, "Z", "1")
		MustCapture(t, svc, ctDoc(first))
		if l := dcPAKLine(t, s); !ctNear(l.Claims, 0.8) || !ctNear(l.Closing, 3.7) {
			t.Errorf("after z1, PAK line %+v; want claims 0.8, closing 3.7", l)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(first), &m); err != nil {
			t.Fatal(err)
		}
		m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-19T00:00:00Z", "reason": "incorrect_data"}
		decl, _ := json.Marshal(m)
		MustCapture(t, svc, ctDoc(string(decl), dcClaim("z2", 8, "Z", "0.5")))
		if l := dcPAKLine(t, s); !ctNear(l.Claims, 0.4) || !ctNear(l.Closing, 4.1) {
			t.Errorf("after z1 declared in error and z2, PAK line %+v; want claims 0.4, closing 4.1", l)
		}
	})
	// (e) A document re-sent unchanged is a duplicate, claims and all
	// (new-user check nu32): R3 Oct 7 makes V 3 t from 100 t of C (Nd 4,
	// Pr 1) at Nd 60 % + Pr 20 % (Nd 1.8 ≤ 4, Pr 0.6 ≤ 1): V holds
	// 3 × 80 % = 2.4 t, claimed 100 % PAK: 2.4 ≤ 4.5, closing 4.5 − 2.4
	// = 2.1 t. Re-sent, its 2.4 t is not booked again beside itself
	// (2.4 + 2.4 = 4.8 > 4.5 refused it). Then a document declares R3 in
	// error and R4 Oct 8 makes W alike, claimed 100 %: 2.4 ≤ 4.5, claims
	// 2.4 t, closing 2.1 t. Re-sending either document changes nothing.
	t.Run("document re-sent with its claims is a duplicate", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		doc1 := ctDoc(dcRun("R3", 7, "C", 100, 60, 20, dcPAK, "V:3"))
		MustCapture(t, svc, doc1)
		dcDuplicate(t, svc, doc1, "R3")
		if l := dcPAKLine(t, s); !ctNear(l.Claims, 2.4) || !ctNear(l.Closing, 2.1) {
			t.Errorf("after R3 re-sent, PAK line %+v; want claims 2.4, closing 2.1", l)
		}
		doc2 := ctDoc(dcDeclared(t, dcRun("R3", 7, "C", 100, 60, 20, dcPAK, "V:3")), dcRun("R4", 8, "C", 100, 60, 20, dcPAK, "W:3"))
		MustCapture(t, svc, doc2)
		dcDuplicate(t, svc, doc2, "R4")
		dcDuplicate(t, svc, doc1, "R3") // declared in error now: still a duplicate, not a second claim on V
		if l := dcPAKLine(t, s); !ctNear(l.Claims, 2.4) || !ctNear(l.Closing, 2.1) {
			t.Errorf("after R3 declared, R4 and both re-sent, PAK line %+v; want claims 2.4, closing 2.1", l)
		}
	})
	// (f) A declaration frees the balance only from its place in the
	// document on: R3's claim on V (2.4 t) stored, closing 2.1 t. R4's
	// claim on W (2.4 t) placed before the declaration of R3 is judged
	// with V's claim still holding: 2.4 > 2.1, shortfall 2.4 − 2.1 =
	// 0.3 t. Placed after it: 2.4 ≤ 4.5, taken; claims 2.4 t, closing
	// 4.5 − 2.4 = 2.1 t.
	t.Run("claim before the declaration that frees its balance", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		r3 := dcRun("R3", 7, "C", 100, 60, 20, dcPAK, "V:3")
		MustCapture(t, svc, ctDoc(r3))
		r4 := dcRun("R4", 8, "C", 100, 60, 20, dcPAK, "W:3")
		dcRefused(t, svc, ctDoc(r4, dcDeclared(t, r3)), critmin.EINVALID,
			"/epcisBody/eventList/0/ilmd/cm:originClaim", "lot urn:t:lot:W claims 2.4 t", "shortfall 0.3 t")
		dcNotStored(t, s, "R4")
		if l := dcPAKLine(t, s); !ctNear(l.Claims, 2.4) || !ctNear(l.Closing, 2.1) {
			t.Errorf("after the refusal, PAK line %+v; want claims 2.4 (V), closing 2.1", l)
		}
		MustCapture(t, svc, ctDoc(dcDeclared(t, r3), r4))
		if l := dcPAKLine(t, s); !ctNear(l.Claims, 2.4) || !ctNear(l.Closing, 2.1) {
			t.Errorf("after R3 declared then R4, PAK line %+v; want claims 2.4 (W), closing 2.1", l)
		}
	})
	// (g) A second claim on a lot placed before the declaration in error
	// of the first: Z 100 % (0.8 t) stored; the document claims Z 50 %
	// and only then declares z1 in error: 409, as the message asks for
	// the new claim with or after the declaration. PAK claims stay
	// 0.8 t, closing 4.5 − 0.8 = 3.7 t.
	t.Run("second claim before the declaration of the first", func(t *testing.T) {
		s, svc := dcOpen(t, open)
		first := dcClaim("z1", 7, "Z", "1")
		MustCapture(t, svc, ctDoc(first))
		dcRefused(t, svc, ctDoc(dcClaim("z2", 8, "Z", "0.5"), dcDeclared(t, first)), critmin.ECONFLICT,
			"claim on lot urn:t:lot:Z refused", "urn:t:ev:z1", "with or after the declaration")
		dcNotStored(t, s, "z2")
		if l := dcPAKLine(t, s); !ctNear(l.Claims, 0.8) || !ctNear(l.Closing, 3.7) {
			t.Errorf("after the refusal, PAK line %+v; want claims 0.8, closing 3.7", l)
		}
	})
}

// dcDeclared is event body declared in error (incorrect data, Oct 19).
func dcDeclared(t *testing.T, body string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-10-19T00:00:00Z", "reason": "incorrect_data"}
	b, _ := json.Marshal(m)
	return string(b)
}

// dcDuplicate captures body again and fails unless it is taken with the
// event id listed among the duplicates.
func dcDuplicate(t *testing.T, svc *ledger.Service, body, id string) {
	t.Helper()
	job, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(body)})
	if err != nil {
		t.Fatalf("document re-sent unchanged refused: %v", err)
	}
	for _, d := range job.Duplicates {
		if d == "urn:t:ev:"+id {
			return
		}
	}
	t.Errorf("re-sent document: duplicates %v, want urn:t:ev:%s among them", job.Duplicates, id)
}
