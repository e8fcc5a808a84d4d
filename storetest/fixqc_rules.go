package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// Rules see the events that moved a lot inside a container (issue 8,
// new-user check nuq1 s14/s15, builder fixQc): a cross-border shipment
// naming only the container [C1] (epcList, no quantity line of the lot)
// is a shipment of every lot C1 held then, for every rule of the pack
// and for the certificate's evidence, as the same shipment naming the
// lot by a line is.

const qcCHN = "urn:t:site:mine-CHN" // master data: country CHN (ctDoc)

// qcVerdict is lot's verdict of rule under the default pack.
func qcVerdict(t *testing.T, s critmin.Store, lot, rule string) custody.Verdict {
	t.Helper()
	vs, err := custody.Evaluate(context.Background(), s.(custody.RuleStore), "urn:t:lot:"+lot, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == rule {
			return v
		}
	}
	t.Fatalf("no verdict %s", rule)
	return custody.Verdict{}
}

// qcWantShipmentFail wants lot's export-shipment-documents verdict to
// fail on shipment ev (urn:t:ev:…) for want of the assay certificate and
// of the lot's origin mine, with ev among its evidence.
func qcWantShipmentFail(t *testing.T, s critmin.Store, when, lot, ev string) {
	t.Helper()
	v := qcVerdict(t, s, lot, "export-shipment-documents")
	want := "urn:t:ev:" + ev + " has no urn:critmin:demo:btt:assayCertificate; lot urn:t:lot:Qa shipped in urn:t:ev:" + ev + " has no originMine"
	if v.Status != custody.Fail || v.Detail != want {
		t.Errorf("%s: %s export-shipment-documents %s %q; want fail %q", when, lot, v.Status, v.Detail, want)
	}
	if !slices.Contains(v.Evidence, "urn:t:ev:"+ev) {
		t.Errorf("%s: %s export-shipment-documents evidence %v; want %s among it", when, lot, v.Evidence, ev)
	}
}

// testRulesSeeContainerShipment (nuq1 s14, a WRONG PASS): lot Qa
// (Pakistan, 10,000 kg, no origin mine) at mb (Pakistan) packed whole,
// 10,000 kg, into C1 on Oct 2; [C1] shipped from mb to mine-CHN (China)
// on Oct 3 under BOL-QA with a bill of lading only. Hand-worked
// verdicts on Qa:
//   - export-shipment-documents: one cross-border shipment (PAK → CHN),
//     Qa-ship, C1 holding Qa's 10 t; it lacks the assay certificate, and
//     Qa names no origin mine: fail, both named (it read not_applicable,
//     "no export shipment in the lot's genealogy");
//   - a pack with handling in covered countries: [C1] received at
//     mine-CHN on Oct 4 is handling in China: fail (it passed).
//
// Run R on Oct 5 at mine-CHN fed C1 whole makes Qp (500 kg): Qp's
// export-shipment-documents fails on Qa-ship alike; dfars fails
// (processed in China); Qp's certificate names Qa-ship and Qa-recv in
// its custody chain and its evidence (they were left out).
// Control (s15): the same shipment naming "Qa 10,000 kg" by a line and
// no container fails alike.
func testRulesSeeContainerShipment(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("container", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(cfLot("Qa", "PAK", 10000, "Nd:10"), ctPack("Qa-pack", "ADD", cbC1, 2, "Qa:10000")))
		MustCapture(t, svc, ctDoc(ctShipTo("Qa-ship", "urn:t:bol:BOL-QA", qcCHN, 3, []string{cbC1})))
		qcWantShipmentFail(t, s, "after [C1] shipped", "Qa", "Qa-ship")
		MustCapture(t, svc, ctDoc(ctRecvAt("Qa-recv", "urn:t:bol:BOL-QA", qcCHN, 4, []string{cbC1})))
		pack, err := custody.ParsePack([]byte(`{"id": "h", "rules": [{"id": "no-chn-handling", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["handling"]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		vs, err := custody.Evaluate(ctx, s.(custody.RuleStore), "urn:t:lot:Qa", pack)
		if err != nil {
			t.Fatal(err)
		}
		if v := vs[0]; v.Status != custody.Fail || !strings.Contains(v.Detail, "handled at "+qcCHN+" in China") || !slices.Contains(v.Evidence, "urn:t:ev:Qa-recv") {
			t.Errorf("handling in China: %s %q %v; want fail naming the receipt of [C1] at %s", v.Status, v.Detail, v.Evidence, qcCHN)
		}
		MustCapture(t, svc, ctDoc(peRunAt("Qa-R", qcCHN, 5, []string{cbC1}, nil, "Qp", 500)))
		qcWantShipmentFail(t, s, "product Qp", "Qp", "Qa-ship")
		if v := qcVerdict(t, s, "Qp", "dfars-covered-countries"); v.Status != custody.Fail || !strings.Contains(v.Detail, "processed at "+qcCHN+" in China") {
			t.Errorf("Qp dfars %s %q; want fail, processed in China", v.Status, v.Detail)
		}
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := custody.Issue(ctx, s.(custody.CertStore), "urn:t:lot:Qp", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key)}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(cert)
		var c struct {
			CredentialSubject struct {
				Chain []struct{ EventID string } `json:"cm:custodyChain"`
				Trace []struct {
					TraceabilityEvents []struct{ LinkName string } `json:"traceabilityEvents"`
				} `json:"traceabilityInformation"`
			} `json:"credentialSubject"`
		}
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		var chain, evidence []string
		for _, x := range c.CredentialSubject.Chain {
			chain = append(chain, x.EventID)
		}
		for _, tr := range c.CredentialSubject.Trace {
			for _, x := range tr.TraceabilityEvents {
				evidence = append(evidence, x.LinkName)
			}
		}
		for _, ev := range []string{"urn:t:ev:Qa-ship", "urn:t:ev:Qa-recv"} {
			if !slices.Contains(chain, ev) || !slices.Contains(evidence, ev) {
				t.Errorf("Qp's certificate: custody chain %v, evidence %v; want %s in both", chain, evidence, ev)
			}
		}
	})
	t.Run("line (control)", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(cfLot("Qa", "PAK", 10000, "Nd:10")))
		MustCapture(t, svc, ctDoc(ctShipTo("Qa-ship", "urn:t:bol:BOL-QA", qcCHN, 3, nil, "Qa:10000")))
		qcWantShipmentFail(t, s, "after the line shipment", "Qa", "Qa-ship")
	})
}
