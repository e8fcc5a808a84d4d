package http

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// proveConfig is the Prove job's part of the server.
type proveConfig struct {
	// SigningKey signs certificates; Issuer names the signer.
	SigningKey ed25519.PrivateKey
	Issuer     custody.Issuer
	// Rules is the rule pack lot pages and certificates apply.
	Rules *custody.Pack
	// Conversion supplies mass-balance conversion factors (nil: declared).
	Conversion custody.ConversionSource
}

// SetSigningKey sets the key certificates are signed with.
//
// The key is also the installation's period key: the store trusts it
// (and only it) for the refinery's close records, which it signs.
func (s *Server) SetSigningKey(key ed25519.PrivateKey, issuerName string) {
	s.setSigningKey(key, issuerName, true)
}

func (s *Server) setSigningKey(key ed25519.PrivateKey, issuerName string, replaceTrust bool) {
	s.prove.SigningKey = key
	s.prove.Issuer = custody.Issuer{ID: custody.PublicKeyID(key), Name: issuerName}
	if t, ok := s.Store.(interface{ TrustPeriodKeys(...ed25519.PublicKey) }); ok && (replaceTrust || len(s.Store.PeriodKeys()) == 0) {
		t.TrustPeriodKeys(key.Public().(ed25519.PublicKey))
	}
}

// SetRulePack sets the rule pack applied to lots.
func (s *Server) SetRulePack(p *custody.Pack) { s.prove.Rules = p }

func (s *Server) initProve() error {
	s.prove.Rules = custody.DefaultPack()
	// An ephemeral key until SetSigningKey: certificates always work, and
	// `critmin serve` replaces it with the key kept on disk.
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	// A store that already trusts an installation key keeps it.
	s.setSigningKey(key, "critmin (ephemeral key)", false)
	return nil
}

func (s *Server) proveRoutes() {
	s.route("GET /api/v1/lots/{id}/trace", accessRead, s.handleTrace, "direction", "depth")
	s.route("GET /api/v1/lots/{id}/origin", accessRead, s.handleOrigin, "evidence", "format:json|csv")
	s.route("GET /api/v1/lots/{id}/rules", accessRead, s.handleRules)
	s.route("GET /api/v1/lots/{id}/certificate", accessRead, s.handleCertificate)
	s.route("POST /api/v1/lots/{id}/certificate", accessWrite, s.handleCertificateIssue)
	s.route("GET /api/v1/signing-key", accessPublic, s.handleSigningKey)
	s.logRoutes()
	s.route("POST /api/v1/certificates/status", accessRead, s.handleCertificateStatus)
	s.massBalanceRoutes()
}

// maxCertificateBytes bounds a posted certificate (JSON-LD with its
// evidence).
const maxCertificateBytes = 8 << 20

// handleCertificateStatus says whether a certificate (the JSON-LD body)
// is superseded: whether an event it rests on has been declared in error
// since it was issued (custody.Status). POST /api/v1/certificates/status
func (s *Server) handleCertificateStatus(w http.ResponseWriter, r *http.Request) {
	var cert custody.Certificate
	if err := decodeJSONLimit(r, &cert, maxCertificateBytes); err != nil {
		s.Error(w, r, err)
		return
	}
	// A certificate is an open JSON-LD document (unknown members are
	// kept), but one without an id and a subject is not a certificate:
	// its standing would be a vacuous "stands".
	e := &critmin.Error{Code: critmin.EINVALID}
	if id, _ := cert["id"].(string); id == "" {
		e.Fields = append(e.Fields, critmin.FieldError{Pointer: "/id", Reason: "required: the certificate's id (a string)"})
	}
	if _, ok := cert["credentialSubject"].(map[string]any); !ok {
		e.Fields = append(e.Fields, critmin.FieldError{Pointer: "/credentialSubject", Reason: "required: the certified lot (an object)"})
	}
	if len(e.Fields) > 0 {
		e.Message = e.Fields[0].Pointer + ": " + e.Fields[0].Reason
		s.Error(w, r, e)
		return
	}
	st, err := custody.Standing(r.Context(), s.Store, cert)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// handleTrace traces a lot's genealogy.
// GET /api/v1/lots/{id}/trace?direction=backward|forward&depth=N
func (s *Server) handleTrace(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "direction", "depth")
	// An explicit 0 is refused, not read as the default; a depth past
	// MaxDepth, also one beyond int's range, names MaxDepth.
	dir, depth := p.str("direction", custody.Backward), p.intIn("depth", custody.DefaultDepth, 1, custody.MaxDepth)
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	// A lot not in the record (its making event declared in error) has
	// no trace, origin or verdicts: 410, as its lot API (issue 8 §2).
	if err := custody.CheckLotMade(r.Context(), s.Store, r.PathValue("id")); err != nil {
		s.Error(w, r, err)
		return
	}
	t, err := custody.TraceLot(r.Context(), s.Store, r.PathValue("id"), dir, depth)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeFigures(w, http.StatusOK, t)
}

// handleOrigin gives a lot's origin composition; evidence=false reads the
// mix capture keeps, without listing every event. GET /api/v1/lots/{id}/origin
func (s *Server) handleOrigin(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "evidence")
	evidence := p.str("evidence", "true")
	if evidence != "true" && evidence != "false" {
		p.fail("evidence", "%q is not true or false", evidence)
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := custody.CheckLotMade(r.Context(), s.Store, r.PathValue("id")); err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := custody.OriginOf(r.Context(), s.Store, r.PathValue("id"), evidence == "true")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	respondFigures(w, r, c, func() table { return originTable(c) })
}

// originTable is a lot's origin as CSV rows, the same figures as the JSON
// and `critmin lot origin`: the physical origin — dry-mass view, each
// element's contained tonnes and the overall origin by contained payable
// element (quantity "overall (contained_value)" or "overall
// (contained_element)", Overall.Label) — and the claimed origin apart.
// The basis column says which each row is: physical (what the genealogy
// proves), claimed (a mass-balance attribution, never physical) or
// grade_not_measured (an element, or the overall origin, of a lot without
// an assay of its own: no tonnes, no share) or not_assayed (an element its
// feed carried that its own assays leave out and its commodity is not
// valued on, custody.Composition.UnassayedByProducts: no tonnes, no
// share).
func originTable(c *custody.Composition) table {
	t := table{name: "origin", header: []string{"lot", "quantity", "dimension", "key", "name", "tonnes", "share", "basis"}}
	add := func(q string, b custody.Breakdown) {
		if b.GradeNotMeasured {
			// Measured tonnes, origin shares unknown (a feed's grade of
			// the element never measured): no share, not "unknown 100 %".
			t.rows = append(t.rows, []string{c.Lot, q, "country", "", "grade not measured", fig(b.Tonnes), "", "grade_not_measured"})
			return
		}
		if b.NoneContained {
			// 0 t contained: no share of nothing (fix9y).
			t.rows = append(t.rows, []string{c.Lot, q, "country", "", "none contained", fig(0), "", "physical"})
			return
		}
		for dim, list := range map[string][]custody.Share{"country": b.ByCountry, "mine": b.ByMine, "supplier": b.BySupplier} {
			for _, sh := range list {
				t.rows = append(t.rows, []string{c.Lot, q, dim, sh.Key, sh.Name, fig(sh.Tonnes), fig(sh.Share), "physical"})
			}
		}
	}
	add("dry mass", c.Mass)
	// Shares of the whole: the parts of unknown origin (origin_unknown,
	// origin_not_measured) beside the countries, summing to 1 (fixqt).
	for _, sh := range c.Overall.OfWhole() {
		t.rows = append(t.rows, []string{c.Lot, "overall (" + c.Overall.Basis + ")", "country", sh.Key, sh.Name, fig(sh.Tonnes), fig(sh.Share), "physical"})
	}
	// A grade not measured (a product without an assay of its own) has
	// a row of its own, as the JSON has its overall basis and notMeasured:
	// no tonnes and no share, which nobody measured.
	notMeasured := func(q string) {
		t.rows = append(t.rows, []string{c.Lot, q, "country", "", "grade not measured", "", "", "grade_not_measured"})
	}
	if c.Overall.Basis == "grade_not_measured" {
		notMeasured("overall (grade_not_measured)")
	}
	for _, e := range c.GradeNotMeasured() {
		notMeasured(e)
	}
	for _, e := range c.UnassayedByProducts() {
		// Carried by its feed, not assayed, and not an element its
		// commodity is valued on: no "grade not measured" (fix9ah).
		t.rows = append(t.rows, []string{c.Lot, e, "country", "", "not assayed (by-product)", "", "", "not_assayed"})
	}
	if cl := c.Claimed; cl != nil {
		// The claimed origin (mass balance, not physical): each
		// origin's claimed tonnes and share of what the lot contains
		// now, and the part no claim covers (custody.Claim).
		q := "claimed " + cl.StatusText() + " " + strings.Join(cl.Elements, "+")
		// A refused claim attributes nothing: no tonnes and no share,
		// its figure stated only as "claimed …, refused" (fix9r).
		for _, f := range cl.RefusedFigures() {
			t.rows = append(t.rows, []string{c.Lot, q, "country", f.Key, f.Name + " (" + f.Text + ")", "", "", "claimed"})
		}
		for _, sh := range cl.ByCountry {
			if cl.Unbacked() {
				break
			}
			t.rows = append(t.rows, []string{c.Lot, q, "country", sh.Key, sh.Name, fig(sh.Tonnes), fig(sh.Share), "claimed"})
		}
		if cl.NotCovered > 0 {
			t.rows = append(t.rows, []string{c.Lot, q, "country", "", custody.Unclaimed, fig(cl.NotCoveredTonnes()), fig(cl.NotCovered), "claimed"})
		}
	}
	for e, b := range c.Elements {
		add(e, b)
	}
	sort.Slice(t.rows, func(i, j int) bool { return strings.Join(t.rows[i], ",") < strings.Join(t.rows[j], ",") })
	return t
}

// handleRules evaluates the rule pack on a lot. GET /api/v1/lots/{id}/rules
func (s *Server) handleRules(w http.ResponseWriter, r *http.Request) {
	if err := custody.CheckLotMade(r.Context(), s.Store, r.PathValue("id")); err != nil {
		s.Error(w, r, err)
		return
	}
	vs, err := custody.Evaluate(r.Context(), s.Store, r.PathValue("id"), s.prove.Rules)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeFigures(w, http.StatusOK, map[string]any{"pack": s.prove.Rules.ID, "verdicts": vs})
}

// handleCertificate issues a signed origin certificate as JSON-LD.
// GET /api/v1/lots/{id}/certificate
// serves, writing nothing, the certificate issued on the lot's current
// evidence; 404 when none is (issue one with the POST).
func (s *Server) handleCertificate(w http.ResponseWriter, r *http.Request) {
	c, err := s.IssuedCertificate(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSONType(w, http.StatusOK, "application/ld+json", " ", c)
}

// handleCertificateIssue issues, signs and stores a certificate on the
// lot's current evidence (the one already issued on it when the evidence
// is unchanged). POST /api/v1/lots/{id}/certificate (operator)
func (s *Server) handleCertificateIssue(w http.ResponseWriter, r *http.Request) {
	// The request has no body; one sent is refused, not ignored.
	if n, _ := r.Body.Read(make([]byte, 1)); n > 0 {
		s.Error(w, r, critmin.FieldErrorf("body", "this request takes no body (the lot is named in the address)"))
		return
	}
	c, err := s.IssueCertificate(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSONType(w, http.StatusOK, "application/ld+json", " ", c)
}

// handleSigningKey publishes the certificate signing key. GET /api/v1/signing-key
func (s *Server) handleSigningKey(w http.ResponseWriter, r *http.Request) {
	pub := s.prove.SigningKey.Public().(ed25519.PublicKey)
	writeJSON(w, http.StatusOK, map[string]string{"alg": "Ed25519", "publicKey": encodeKey(pub), "issuer": s.prove.Issuer.ID, "name": s.prove.Issuer.Name,
		"noteKey": custody.VerifierKey(pub), "log": custody.LogName(pub)})
}

func encodeKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }
