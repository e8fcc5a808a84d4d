package custody

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// Certificates are origin certificates / digital product passports for a
// lot, shaped after the UN Transparency Protocol (UNTP) Digital Product
// Passport: a W3C verifiable credential whose subject lists materials
// provenance by element and origin country, the custody chain, conformity
// claims (the rule verdicts) and the traceability events with their CBV
// 2.0 hash IDs. critmin signs the credential's canonical JSON and the
// proof's options with Ed25519 in its "proof" (SignProof).

// UNTP and W3C vocabularies the certificate uses.
const (
	vcContext   = "https://www.w3.org/ns/credentials/v2"
	untpContext = "https://test.uncefact.org/vocabulary/untp/dpp/0.5.0/"
)

// Issuer names who signs certificates.
type Issuer struct {
	ID   string
	Name string
}

// Certificate is the credential as a JSON object.
type Certificate map[string]any

// The names of the physical-origin lines of materialsProvenance (the
// only lines it holds: a claim's are in cm:claimedProvenance, fixQv): the
// dry-mass view (massLine), and each element (its symbol + elementLine)
// and aggregate (its name + aggregateLine) of cm:originComposition.
const (
	massLine      = "total dry mass (physical origin, dry-mass view)"
	elementLine   = " (physical origin, contained element)"
	aggregateLine = " (physical origin, contained aggregate, not an element)"
)

// Provenance is one line of materials provenance. OriginCountry is an
// ISO 3166-1 alpha-3 code or absent: material of unknown origin (and the
// part a claim does not cover) has no country code — "unknown" is none —
// so the field is omitted and CountryName says "unknown" (docs/verify.md).
type Provenance struct {
	Name          string  `json:"name"`
	OriginCountry string  `json:"originCountry,omitempty"`
	CountryName   string  `json:"countryName"`
	MassFraction  float64 `json:"massFraction"`
	Mass          Measure `json:"mass"`
	// Basis labels the line: "physical_origin" (what the genealogy
	// proves) or "claimed_origin" (a mass-balance claim, not physical).
	Basis string `json:"cm:originBasis"`
	// OriginUnknown says, on a physical line without a country
	// (countryName "unknown"), why its origin is unknown, in the lot
	// page's words: metal from no recorded input (a run's element_gain)
	// or lots for which no origin country is recorded (fixQj). Absent on
	// a line with a country.
	OriginUnknown string `json:"cm:originUnknown,omitempty"`
}

// unknownWhy words why share sh (Unknown) of element el's breakdown b is
// of unknown origin: b.UnknownOrigin tonnes came from no recorded input
// (a run's products held more el than its inputs put in: element_gain),
// the rest from lots for which no origin country is recorded.
func unknownWhy(el string, b Breakdown, sh Share) string {
	const norecord = "no origin country is recorded for the lots it came from"
	gain := 0.0
	if el != "" {
		gain = math.Min(b.UnknownOrigin, sh.Tonnes)
	}
	gainW := fmt.Sprintf("from no recorded input: a run's products held more %s than its inputs put in (element_gain)", el)
	switch {
	case gain <= unrecordedFloor:
		return "origin unknown: " + norecord
	case sh.Tonnes-gain <= unrecordedFloor:
		return "origin unknown: " + gainW
	}
	return fmt.Sprintf("origin unknown: %s t %s; %s t because %s", Figure(gain), gainW, Figure(sh.Tonnes-gain), norecord)
}

// Measure is a value with a UN/CEFACT unit code.
type Measure struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// TraceEvent links an event the certificate rests on, with its hash.
type TraceEvent struct {
	LinkName   string `json:"linkName"`
	LinkURL    string `json:"linkURL"`
	HashDigest string `json:"hashDigest"`
}

// Custody is one hand-over or step in the custody chain.
type Custody struct {
	Time      time.Time `json:"time"`
	Lot       string    `json:"lot"`
	BizStep   string    `json:"bizStep"`
	Location  string    `json:"location"`
	Custodian string    `json:"custodian,omitempty"`
	EventID   string    `json:"eventID"`
}

// CertStore is what issuing reads.
type CertStore interface {
	RuleStore
	critmin.LogStore
	FindEventsByID(ctx context.Context, id string) ([]*critmin.Event, error)
}

// Issue builds and signs a certificate for a lot: its origin composition,
// custody chain, the verdicts of pack and the hashes of every event those
// rest on.
func Issue(ctx context.Context, s CertStore, lot string, pack *Pack, key ed25519.PrivateKey, issuer Issuer, now time.Time) (Certificate, error) {
	// A certificate is signed and stored, a write: all of its evidence
	// is read from one store that sees every committed capture — the
	// primary when reads go to a lagging replica (serve --db-read;
	// sqldb.DB.ConsistentReads). Read from the replica, the lot (by ID,
	// from the primary) and its origin (from the replica) came from two
	// moments, and a lot just made from covered-country feed was signed
	// as passing the covered-country rule on its older origin.
	s = consistentCertStore(s)
	st, evidence, err := checkedStatement(ctx, s, lot, pack, issuer)
	if err != nil {
		return nil, err
	}
	cert, evIDs := st.cert, st.evIDs
	lot = st.lot
	cs, keeps := s.(CertificateStore)
	if keeps {
		c, err := keptCertificate(ctx, cs, lot, evidence, issuer)
		if err == nil {
			return c, nil
		}
		if critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return nil, err
		}
	}
	if rf, ok := s.(RecordFinder); ok {
		lg, err := logProofs(ctx, s, rf, evIDs, key)
		if err != nil {
			return nil, err
		}
		cert["cm:log"] = lg
	}
	generation := 0
	if keeps {
		if generation, err = cs.RevokedOnEvidence(ctx, lot, evidence, issuer.ID); err != nil {
			return nil, err
		}
	}
	cert["id"] = CertificateID(evidence, generation)
	cert["validFrom"] = now.UTC().Format(time.RFC3339)
	if cert, err = normalise(cert); err != nil {
		return nil, err
	}
	proof, err := SignProof(cert, key, now)
	if err != nil {
		return nil, err
	}
	cert["proof"] = proof
	if keeps {
		doc, err := json.Marshal(cert)
		if err != nil {
			return nil, err
		}
		sc := &StoredCertificate{ID: cert["id"].(string), Lot: lot, Evidence: evidence, Signer: issuer.ID, Body: string(doc), IssuedAt: now.UTC()}
		if err := cs.SaveCertificate(ctx, sc); err != nil {
			return nil, err
		}
	}
	return cert, nil
}

// consistentCertStore is s reading the primary when its reads go to a
// replica (sqldb.DB.ConsistentReads): a certificate's evidence is read
// from one store that sees every committed capture.
func consistentCertStore(s CertStore) CertStore {
	if c, ok := s.(consistentReader); ok {
		if cs, ok := c.ConsistentReads().(CertStore); ok {
			return cs
		}
	}
	return s
}

// checkedStatement builds what a certificate for lot states today and its
// evidence digest, refusing evidence that fails verification.
func checkedStatement(ctx context.Context, s CertStore, lot string, pack *Pack, issuer Issuer) (*certStatement, string, error) {
	st, err := statement(ctx, s, lot, pack, issuer)
	if err != nil {
		return nil, "", err
	}
	// A lot whose making event is declared in error is not in the
	// record (410, as its lot API answers): nothing is signed for it,
	// nor is a certificate kept from before handed out (issue 8 §2).
	if err := CheckLotMade(ctx, s, st.lot); err != nil {
		return nil, "", err
	}
	// The evidence digest covers everything the certificate states but
	// its time and proofs: the same lot on unchanged evidence gets the
	// same certificate back.
	body, err := canonical(st.cert)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	evidence := hex.EncodeToString(sum[:])
	// Never sign over evidence that fails verification, nor hand out a
	// certificate kept from before: the rows read above may have been
	// edited into the same statement.
	if ch, ok := s.(EvidenceChecker); ok {
		if err := ch.CheckEvidence(ctx, st.nodes, st.evIDs); err != nil {
			return nil, "", err
		}
	}
	return st, evidence, nil
}

// keptCertificate is the unrevoked certificate issuer issued for lot on
// evidence, or ENOTFOUND.
func keptCertificate(ctx context.Context, cs CertificateStore, lot, evidence string, issuer Issuer) (Certificate, error) {
	old, err := cs.FindCertificateByEvidence(ctx, lot, evidence, issuer.ID)
	if err != nil {
		return nil, err
	}
	var c Certificate
	if err := json.Unmarshal([]byte(old.Body), &c); err != nil {
		return nil, err
	}
	return c, nil
}

// Issued returns, without writing anything, the certificate issuer has
// issued for lot on its current evidence (unrevoked), or ENOTFOUND naming
// how to issue one: reading a certificate (GET) must not issue and store
// one (RFC 9110 §9.2.1, safe methods; fix14p — an anonymous GET with
// --public-read stored a certificate and an audit entry). Issue, a write,
// issues it.
func Issued(ctx context.Context, s CertStore, lot string, pack *Pack, issuer Issuer) (Certificate, error) {
	s = consistentCertStore(s)
	st, evidence, err := checkedStatement(ctx, s, lot, pack, issuer)
	if err != nil {
		return nil, err
	}
	cs, keeps := s.(CertificateStore)
	if keeps {
		c, err := keptCertificate(ctx, cs, st.lot, evidence, issuer)
		if critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return c, err
		}
	}
	return nil, critmin.Errorf(critmin.ENOTFOUND, "lot %s: no certificate issued on its current evidence: an operator issues one with POST /api/v1/lots/%s/certificate (or the button on the lot's certificate page)", st.lot, url.PathEscape(st.lot))
}

// certStatement is the unsigned content of a certificate: everything it
// states but its id, validFrom, cm:log and proof.
type certStatement struct {
	lot   string
	cert  Certificate
	evIDs []string // the evidence events, sorted
	nodes []string // the genealogy's lots and containers (no voyages)
}

// statementStore is what building a certificate's statement reads.
type statementStore interface {
	RuleStore
	FindEventsByID(ctx context.Context, id string) ([]*critmin.Event, error)
}

// statement builds what a certificate for lot states today under pack:
// Issue signs it, and Status builds it again to compare it with what an
// issued certificate states (restatedChanged).
func statement(ctx context.Context, s statementStore, lot string, pack *Pack, issuer Issuer) (*certStatement, error) {
	l, err := s.FindLot(ctx, lot)
	if err != nil {
		return nil, err
	}
	lot = l.ID // canonical
	in, err := gather(ctx, s, lot)
	if err != nil {
		return nil, err
	}
	verdicts, err := Evaluate(ctx, s, lot, pack)
	if err != nil {
		return nil, err
	}
	comp := in.origin
	// prov are the physical-origin lines (materialsProvenance), claimedProv
	// a mass-balance claim's lines (cm:claimedProvenance): two origins,
	// never one array (fixQv).
	var prov, claimedProv []Provenance
	add := func(name, el, basis string, b Breakdown) {
		if b.GradeNotMeasured || b.NoneContained {
			return // no share stated (cm:physicalOrigin sharesNotMeasured, noneContained)
		}
		for _, sh := range b.ByCountry {
			code, why := sh.Key, ""
			if code == Unknown {
				code = "" // no ISO 3166 code: omitted (Provenance)
				if basis == ReadsPhysical {
					why = unknownWhy(el, b, sh)
				}
			}
			line := Provenance{Name: name, OriginCountry: code, CountryName: country.Name(sh.Key), MassFraction: sh.Share, Mass: Measure{Value: sh.Tonnes, Unit: "TNE"}, Basis: basis, OriginUnknown: why}
			if basis == ReadsClaimed {
				claimedProv = append(claimedProv, line)
			} else {
				prov = append(prov, line)
			}
		}
	}
	add(massLine, "", ReadsPhysical, comp.Mass)
	var els []string
	for e := range comp.Elements {
		els = append(els, e)
	}
	sort.Strings(els)
	for _, e := range els {
		add(e+elementLine, e, ReadsPhysical, comp.Elements[e])
	}
	for _, a := range sortedKeys(comp.Aggregates) {
		add(a+aggregateLine, a, ReadsPhysical, comp.Aggregates[a])
	}
	// A refused claim attributes nothing: it is no provenance line and no
	// claimed origin, only a labelled record of what was stated and why it
	// was refused (cm:refusedClaim).
	claimed, refusedClaim := comp.Claimed, refusedClaimOf(comp.Claimed)
	if refusedClaim != nil {
		claimed = nil
		cp := *comp
		cp.Claimed = nil
		comp = &cp
	}
	if c := claimed; c != nil {
		name := fmt.Sprintf("%s (claimed origin, mass balance at %s, %s — not physical; claim %s)", strings.Join(c.Elements, "+"), c.Site, c.Period, c.StatusText())
		add(name, "", ReadsClaimed, Breakdown{ByCountry: c.ByCountry})
		if c.NotCovered > 0 {
			// What the lot holds now beyond the tonnes the claim debited
			// when it was made: claimed by no one, "unclaimed" — never
			// "not covered", a claim's status (fix9ah).
			claimedProv = append(claimedProv, Provenance{Name: name + " — " + Unclaimed + ": held beyond the claim", CountryName: Unclaimed, MassFraction: c.NotCovered, Mass: Measure{Value: c.NotCoveredTonnes(), Unit: "TNE"}, Basis: ReadsClaimed})
		}
	}
	var chain []Custody
	for _, f := range in.events {
		c := Custody{Time: f.ev.EventTime, BizStep: f.ev.BizStep, Location: f.ev.BizLocation, EventID: f.ev.EventID}
		if c.Location == "" {
			c.Location = f.ev.ReadPoint
		}
		if len(f.dstPoss) > 0 {
			c.Custodian = f.dstPoss[0]
		}
		if len(f.lots) > 0 {
			c.Lot = f.lots[0]
		}
		chain = append(chain, c)
	}
	evSet := map[string]bool{}
	for _, e := range comp.Events {
		evSet[e] = true
	}
	for _, c := range chain {
		evSet[c.EventID] = true
	}
	for _, v := range verdicts {
		for _, e := range v.Evidence {
			evSet[e] = true
		}
	}
	var all []string
	for e := range evSet {
		all = append(all, e)
	}
	sort.Strings(all)
	// A certificate rests only on events that stand when it is issued
	// (fix9ao). An event declared in error (EPCIS 2.0 §7.4.1.2) is named
	// where a figure's history needs it — a claim covered again since the
	// declaration (cm:claimCoverage) — but is no evidence: Status reads
	// any evidence event declared in error as superseding the
	// certificate, so a certificate issued after the declaration would
	// read superseded at once.
	var evIDs []string
	withdrawn := map[string]bool{}
	var traces []TraceEvent
	for _, id := range all {
		evs, err := s.FindEventsByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if declaredInError(evs) {
			withdrawn[id] = true
			continue
		}
		h, err := epcis.HashStored(evs[0].Raw, evs[0].Context)
		if err != nil {
			return nil, err
		}
		evIDs = append(evIDs, id)
		traces = append(traces, TraceEvent{LinkName: id, LinkURL: "/epcis/events/" + id, HashDigest: h})
	}
	var claims []map[string]any
	for i, v := range verdicts {
		if len(withdrawn) > 0 {
			// The verdict's evidence, like the certificate's, lists
			// only events that stand (its declaredValue still names a
			// declaration where it explains a figure).
			kept := []string{}
			for _, e := range v.Evidence {
				if !withdrawn[e] {
					kept = append(kept, e)
				}
			}
			v.Evidence = kept
		}
		// The rule itself (cm:rule) goes with its verdict, so that the
		// certificate's status can judge it again on today's record
		// (verdictsChanged) whatever pack the issuer ran.
		c := map[string]any{"id": v.Rule, "assessmentCriteria": v.Title, "status": v.Status,
			"declaredValue": v.Detail, "evidence": v.Evidence, "referenceRegulation": v.Source, "cm:rule": pack.Rules[i]}
		if v.Status == Pass || v.Status == Fail {
			// UNTP conformityClaim.conformance is whether the product
			// conforms to the criterion. A rule that does not apply
			// (not_applicable) neither passes nor fails: it states no
			// conformance at all, never false (fix9ah).
			c["conformance"] = v.Status == Pass
		}
		claims = append(claims, c)
	}
	cert := Certificate{
		"@context": []any{vcContext, untpContext, map[string]any{"cm": ledger.Namespace}},
		"type":     []string{"DigitalProductPassport", "VerifiableCredential"},
		"issuer":   map[string]any{"type": []string{"CredentialIssuer"}, "id": issuer.ID, "name": issuer.Name},
		"name":     "Origin certificate for " + lot,
		"credentialSubject": map[string]any{
			"type":                 []string{"ProductPassport"},
			"id":                   lot,
			"product":              map[string]any{"id": lot, "name": ledger.CommodityName(l.Commodity), "cm:commodity": l.Commodity, "cm:dryTonnes": l.DryTonnes},
			"materialsProvenance":  prov,
			"cm:originComposition": comp,
			"cm:physicalOrigin":    physicalOrigin(comp),
			"cm:custodyChain":      chain,
			"conformityClaim":      claims,
			"traceabilityInformation": []any{map[string]any{"valueChainProcess": "mine to product", "verifiedRatio": verifiedRatio(comp),
				"traceabilityEvents": traces}},
		},
	}
	if claimed != nil {
		// A lot without an accepted claim has no claimed origin: the key
		// is left out, never written as null (fix9ah).
		cert["credentialSubject"].(map[string]any)["cm:claimedOrigin"] = claimed
		// The claim's lines, in the form of materialsProvenance but
		// apart from it: a UNTP reader that knows no cm: member reads
		// materialsProvenance as the product's material origins, and a
		// claimed share is no physical origin (issue 9 §2, fixQv).
		// Left out when the claim states no line (byCountry empty),
		// never written as null or [].
		if len(claimedProv) > 0 {
			cert["credentialSubject"].(map[string]any)["cm:claimedProvenance"] = claimedProv
		}
	}
	if claimed != nil && claimed.CoverageNote != "" {
		// Covered again since a declaration in error (fix9d), or since
		// credits repaid the deficit it was booked in (fix9g): said so,
		// naming the declared events or the credits.
		cov := map[string]any{"note": claimed.CoverageNote, "coveredAgainBy": claimed.CoveredAgainBy}
		if len(claimed.CoveredBy) > 0 {
			cov["coveredBy"] = claimed.CoveredBy
		}
		if claimed.CoveredLater() {
			// Repaid by a later period's credits (fix9am): named, as
			// the rule verdict and the lot JSON name it.
			cov["coveredInPeriods"] = claimed.CoveredIn
		}
		cert["credentialSubject"].(map[string]any)["cm:claimCoverage"] = cov
	}
	if claimed != nil && claimed.ReassayNote != "" {
		// The claimed lot reassayed lower: the claim keeps what it took
		// at capture, naming the assay (fix9g).
		cert["credentialSubject"].(map[string]any)["cm:claimReassay"] = map[string]any{"note": claimed.ReassayNote, "reassayedBy": claimed.ReassayedBy}
	}
	if claimed != nil && claimed.RetiredNote != "" {
		// The lot holds less than the claim was made on: the claim
		// attributes its share of what the lot holds; the credit it
		// retired beyond stays retired (fix9ac).
		cert["credentialSubject"].(map[string]any)["cm:claimRetired"] = map[string]any{"note": claimed.RetiredNote, "retired": claimed.Retired}
	}
	if refusedClaim != nil {
		cert["credentialSubject"].(map[string]any)["cm:refusedClaim"] = refusedClaim
	}
	// Round-trip so that the signed form is exactly the JSON a verifier reads.
	cert, err = normalise(cert)
	if err != nil {
		return nil, err
	}
	var nodes []string
	for _, n := range in.trace.Nodes {
		if n.Kind != "voyage" { // drawn from the shipping event, no evidence of its own
			nodes = append(nodes, n.ID)
		}
	}
	return &certStatement{lot: lot, cert: cert, evIDs: evIDs, nodes: nodes}, nil
}

// declaredInError reports whether the records stored under one eventID
// (FindEventsByID: the event and any declaration of it) include an error
// declaration: the event no longer stands.
func declaredInError(evs []*critmin.Event) bool {
	for _, ev := range evs {
		if ev.DeclaredInError != nil || ev.ErrorDeclaration != nil {
			return true
		}
	}
	return false
}

// CertificateID derives a certificate's ID from its evidence digest (hex
// SHA-256 of the canonical body) and its revocation generation: the number
// of certificates already issued and revoked on the same evidence. The
// first certificate keeps the plain form, urn:critmin:certificate: and the
// first 32 hex digits of the digest; after n revocations the ID is the first
// 32 hex digits of SHA-256(digest "/revoked/" n), so a revoked ID is never
// handed out again (docs/verify.md, "Certificates").
func CertificateID(evidence string, generation int) string {
	if generation == 0 {
		return "urn:critmin:certificate:" + evidence[:32]
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/revoked/%d", evidence, generation)))
	return "urn:critmin:certificate:" + hex.EncodeToString(sum[:])[:32]
}

// logProofs signs a checkpoint of the log as it is and proves every
// record of the given events in it.
func logProofs(ctx context.Context, s critmin.LogStore, rf RecordFinder, ids []string, key ed25519.PrivateKey) (*certLog, error) {
	head, err := s.LogHead(ctx)
	if err != nil {
		return nil, err
	}
	note, err := SignCheckpoint(head, key)
	if err != nil {
		return nil, err
	}
	recs, err := rf.ChainRecordsByEventID(ctx, ids)
	if err != nil {
		return nil, err
	}
	lg := &certLog{Checkpoint: string(note), Entries: []*LogEntry{}}
	for _, r := range recs {
		p, err := ProveInclusion(ctx, s, r.Seq-1, head.Size)
		if err != nil {
			return nil, err
		}
		r.PrevChain, r.Chain = "", ""
		lg.Entries = append(lg.Entries, &LogEntry{Index: r.Seq - 1, Record: r, Proof: EncodeProof(p)})
	}
	return lg, nil
}

// verifiedRatio is the part of the lot's mass whose origin is known.
func verifiedRatio(c *Composition) float64 {
	r := 1.0
	for _, s := range c.Mass.ByCountry {
		if s.Key == Unknown {
			r -= s.Share
		}
	}
	return r
}

func normalise(c Certificate) (Certificate, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var out Certificate
	// Figures are signed as printed: FigureDecimals (RoundFigures).
	err = json.Unmarshal(RoundFigures(b), &out)
	return out, err
}

// CertCheck is what verifying a certificate established.
type CertCheck struct {
	Cert Certificate `json:"-"`
	ID   string      `json:"id"`
	Lot  string      `json:"lot"`
	// LogSize is the size of the signed checkpoint the events are proved
	// in; Events the traceability events proved in it.
	LogSize int64 `json:"logSize"`
	Events  int   `json:"events"`
	// Revoked is set when the revocation list given names the certificate.
	Revoked *Revocation `json:"revoked,omitempty"`
	// LegacyProof is set for a certificate signed before proofs covered
	// their options (Ed25519Signature2020): its document is signed, its
	// proof's created, verificationMethod and proofPurpose are not.
	LegacyProof bool `json:"legacyProof,omitempty"`
}

// VerifyCertificate checks a certificate offline with the issuer's
// public key: its Ed25519 proof (any change after signing fails), the
// signed checkpoint it carries, the inclusion proof of every event record
// it rests on, and that each traceability event's CBV 2.0 hash is that of
// a proved record. With a revocation list (signed by the same key), a
// revoked certificate is reported in CertCheck.Revoked.
func VerifyCertificate(data []byte, pub ed25519.PublicKey, revocations *RevocationList) (*CertCheck, error) {
	var c Certificate
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, critmin.FieldErrorf("", "not a certificate: a certificate is one JSON object")
	}
	if c == nil {
		return nil, critmin.FieldErrorf("", "not a certificate: a certificate is a JSON object, not null")
	}
	proof, _ := c["proof"].(map[string]any)
	if proof == nil {
		return nil, critmin.FieldErrorf("/proof", "required: a certificate carries the issuer's Ed25519 proof (an object)")
	}
	legacy, err := checkProof(c, proof, pub)
	if err != nil {
		return nil, critmin.FieldErrorf("/proof", "the certificate proof does not verify: %v", err)
	}
	cp, n, err := checkCertLog(c, pub)
	if err != nil {
		return nil, critmin.FieldErrorf("/cm:log", "the certificate log proofs do not verify: %v", err)
	}
	chk := &CertCheck{Cert: c, LogSize: cp.Size, Events: n, LegacyProof: legacy}
	chk.ID, _ = c["id"].(string)
	if subj, ok := c["credentialSubject"].(map[string]any); ok {
		chk.Lot, _ = subj["id"].(string)
	}
	if revocations != nil {
		chk.Revoked = revocations.Find(chk.ID)
	}
	return chk, nil
}

// PublicKeyID names an issuer by its key, for certificates.
func PublicKeyID(key ed25519.PrivateKey) string {
	return PublicKeyIDOf(key.Public().(ed25519.PublicKey))
}

// PublicKeyIDOf is PublicKeyID of a public key.
func PublicKeyIDOf(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "urn:critmin:issuer:" + strings.ToLower(base64.RawURLEncoding.EncodeToString(sum[:9]))
}

// CertRefusedClaim is a refused claim as a certificate records it
// (cm:refusedClaim): what was stated and why it was refused. It
// attributes no origin (the physical origin stands apart) and carries no
// massFraction.
type CertRefusedClaim struct {
	// Status is "refused", or "not_covered" for a claim accepted at
	// capture that a later fact left short (fix9h; the key stays
	// cm:refusedClaim so that readers of earlier certificates keep
	// finding it, docs/origin.md).
	Status      string   `json:"status"`
	Site        string   `json:"site"`
	Category    string   `json:"category,omitempty"`
	Period      string   `json:"period,omitempty"`
	Event       string   `json:"event"`
	Elements    []string `json:"elements"`
	Reason      string   `json:"reason"`
	Shortfall   float64  `json:"shortfall,omitempty"`
	RetractedBy []string `json:"retractedBy,omitempty"`
	// AssayedBy and WeighedBy are the assays and weighings recorded
	// after the claim that left it not covered (Claim.AssayedBy,
	// Claim.WeighedBy).
	AssayedBy []string `json:"assayedBy,omitempty"`
	WeighedBy []string `json:"weighedBy,omitempty"`
	// RunChangedBy are the run events recorded after the claim that
	// left it not covered (Claim.RunChangedBy, fix9p).
	RunChangedBy []string `json:"runChangedBy,omitempty"`
	// ShortOf is what a claim not covered is short of when it is not
	// the balance (Claim.ShortOf, the lot's and the claim API's
	// "shortOf"): ShortOfWindowShare (above its origin's share of a
	// rolling-average site's window, fix9u) or ShortOfCategorySystem (its
	// run no longer in its category's mass-balance system, fix9aj); ""
	// for a shortfall against the balance. ISO 22095-2 bounds claims out
	// by both.
	ShortOf string        `json:"shortOf,omitempty"`
	Stated  []StatedShare `json:"stated"`
}

// StatedShare is one origin share as a refused claim stated it.
type StatedShare struct {
	Country     string  `json:"country"`
	CountryName string  `json:"countryName"`
	StatedShare float64 `json:"statedShare"`
	// Status and Shortfall are this origin's own standing in a claim
	// not covered (RefusedFigure, fix9j): "not_covered" with its share
	// of its own origin's deficit, or "covered" by its own balance
	// while another origin is short. For a claim of several origins
	// refused at capture (fix9o), "refused" with each short origin's own
	// shortfall (0 for an origin its own balance covers). Empty for a
	// refused claim of one origin.
	Status    string  `json:"status,omitempty"`
	Shortfall float64 `json:"shortfall,omitempty"`
}

// refusedClaimOf is c as a certificate records a refused claim; nil when
// there is no claim or it was accepted.
func refusedClaimOf(c *Claim) *CertRefusedClaim {
	if !c.Unbacked() {
		return nil
	}
	r := &CertRefusedClaim{Status: c.Status, Site: c.Site, Category: c.Category, Period: c.Period, Event: c.Event, Elements: c.Elements, Reason: c.Error,
		Shortfall: c.Shortfall, RetractedBy: c.RetractedBy, AssayedBy: c.AssayedBy, WeighedBy: c.WeighedBy, RunChangedBy: c.RunChangedBy, ShortOf: c.ShortOf, Stated: []StatedShare{}}
	if r.Elements == nil {
		r.Elements = []string{}
	}
	figs := map[string]RefusedFigure{}
	for _, f := range c.RefusedFigures() {
		figs[f.Key] = f
	}
	for _, sh := range c.ByCountry {
		s := StatedShare{Country: sh.Key, CountryName: sh.Name, StatedShare: sh.Share}
		if f := figs[sh.Key]; len(c.ShortfallByCountry) > 0 {
			s.Status, s.Shortfall = f.Status, f.Shortfall
		}
		r.Stated = append(r.Stated, s)
	}
	return r
}

// RefusedClaimText is the one wording of a refused claim in every view —
// the lot page, the lot list, the lots CSV, `critmin lot show` and
// `critmin lot origin`: "claim refused: stated Pakistan 100.0 % — the
// claim attributes nothing; the physical origin stands". A refused claim
// attributes nothing, while the lot's physical origin is shown as ever, so
// no view prints its stated shares as an origin; the reason (Claim.Error)
// goes beside it where the view has room.
//
// A claim accepted at capture that a later fact left not covered (Status
// ClaimNotCovered; it names the fact: RetractedBy, AssayedBy, WeighedBy,
// RunChangedBy) was never refused: it reads "claim not covered: stated
// Pakistan 100.0 % — accepted at capture, no longer covered since
// urn:…:AS1; the claim attributes nothing; the physical origin stands",
// in every view alike (fix9e). The words follow Status, the one status
// every view reads (fix9ae, nu9f: a claim refused naming the retraction
// it rested on read "refused" in the lot API and "not covered" in the
// lots CSV and `lot show`): a refused claim that names later facts reads
// "claim refused: stated … — refused since urn:…:XA; …". A claim stored
// on a run outside its category before such claims were refused at
// capture (StoredOutside) was stored, never checked against its
// category: "claim not covered: stated … — stored without the category
// check capture makes now (…), its run not in its category's
// mass-balance system; …" (fix9ar).
func RefusedClaimText(c *Claim) string {
	by := strings.Join(c.NotCoveredBy(), ", ")
	const tail = "; the claim attributes nothing; the physical origin stands"
	switch {
	case c.Status == ClaimNotCovered && c.StoredOutside():
		// Stored before claims outside their category were refused at
		// capture: never checked against its category, so never
		// "accepted at capture" as one of it (fix9ar).
		s := "claim not covered: stated " + StatedText(c) + " — stored without the category check capture makes now (before claims outside their material category were refused), its run not in its category's mass-balance system"
		if by != "" {
			s += "; short besides since " + by
		}
		return s + tail
	case c.Status == ClaimNotCovered && by != "":
		return "claim not covered: stated " + StatedText(c) + " — accepted at capture, no longer covered since " + by + tail
	case c.Status == ClaimNotCovered:
		return "claim not covered: stated " + StatedText(c) + " — accepted at capture, no longer covered" + tail
	case by != "":
		return "claim refused: stated " + StatedText(c) + " — refused since " + by + tail
	}
	return "claim refused: stated " + StatedText(c) + " — the claim attributes nothing; the physical origin stands"
}

// StoredOutside reports whether c is a claim stored on a run outside its
// category that no event declared in error explains: stored before
// claims outside their category were refused at capture, so it was
// stored, never checked against its category (fix9al, fix9ar). Such a
// claim is not covered and booked in full, short of its category's
// system. A claim read back from JSON, which does not carry the mark,
// is one short of its category's system that names no event declared in
// error (an event that took its run out of the system is always named).
func (c *Claim) StoredOutside() bool {
	return c != nil && (c.storedOutside || c.Status == ClaimNotCovered && c.ShortOf == ShortOfCategorySystem && len(c.RetractedBy) == 0)
}

// NotCoveredBy are the later facts that left a claim accepted at capture
// not covered: the retracted runs and events, assays and weighings it
// names (RetractedBy, AssayedBy, WeighedBy, RunChangedBy); nil for a claim refused at
// capture or an accepted one.
func (c *Claim) NotCoveredBy() []string {
	if !c.Unbacked() {
		return nil
	}
	var out []string
	for _, ids := range [][]string{c.RetractedBy, c.AssayedBy, c.WeighedBy, c.RunChangedBy} {
		out = append(out, ids...)
	}
	return out
}

// StatedText is what a claim stated, "Pakistan 100.0 %, …": for a refused
// claim, which attributes nothing, on the lot page and in the CLI.
func StatedText(c *Claim) string {
	var parts []string
	for _, sh := range c.ByCountry {
		parts = append(parts, sh.Name+" "+units.Fixed(sh.Share*100, 1)+" %")
	}
	if len(parts) == 0 {
		return "no share"
	}
	return strings.Join(parts, ", ")
}

// physicalOrigin is a certificate's cm:physicalOrigin: the dry-mass view,
// each element, the overall origin and the elements not measured; the
// elements whose origin shares rest on a feed grade never measured
// (sharesNotMeasured, fix9q) and those of which the lot contains none
// (noneContained, fix9y) only where there are any, so a statement
// without them reads as before.
func physicalOrigin(comp *Composition) map[string]any {
	m := map[string]any{"dryMass": comp.Mass, "elements": comp.Elements, "aggregates": comp.Aggregates, "overall": comp.Overall, "notMeasured": comp.NotMeasured}
	if len(comp.SharesNotMeasured) > 0 {
		m["sharesNotMeasured"] = comp.SharesNotMeasured
	}
	// The elements of which the lot contains 0 t: no share (fix9y).
	var none []string
	for _, e := range sortedKeys(comp.Elements) {
		if comp.Elements[e].NoneContained {
			none = append(none, e)
		}
	}
	if len(none) > 0 {
		m["noneContained"] = none
	}
	// The elements holding metal of no recorded input (a run's
	// element_gain): of unknown origin, in tonnes (nu37a).
	unknown := map[string]float64{}
	for e, b := range comp.Elements {
		if b.UnknownOrigin > 0 {
			unknown[e] = b.UnknownOrigin
		}
	}
	if len(unknown) > 0 {
		m["unknownOrigin"] = unknown
	}
	return m
}
