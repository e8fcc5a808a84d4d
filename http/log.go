package http

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// The verifiable log and certificate registry (custody/log.go): signed
// checkpoints, inclusion and consistency proofs, stored certificates and
// their revocation.
func (s *Server) logRoutes() {
	s.route("GET /api/v1/log/checkpoint", accessPublic, s.handleCheckpoint)
	s.route("GET /api/v1/log/proof/inclusion", accessRead, s.handleInclusionProof, "event", "size")
	s.route("GET /api/v1/log/proof/consistency", accessPublic, s.handleConsistencyProof, "old", "new")
	s.route("GET /api/v1/certificates/revocations", accessPublic, s.handleRevocations)
	s.route("POST /api/v1/certificates/verify", accessPublic, s.handleCertificateVerify)
	s.route("GET /api/v1/certificates/{cid}", accessRead, s.handleCertificateGet)
	s.route("GET /api/v1/certificates/{cid}/status", accessPublic, s.handleCertificateRevocation)
	s.route("POST /api/v1/certificates/{cid}/revoke", accessAdmin, s.handleCertificateRevoke)
}

func (s *Server) pub() ed25519.PublicKey { return s.prove.SigningKey.Public().(ed25519.PublicKey) }

// handleCheckpoint signs the log's current head as a C2SP signed note.
// GET /api/v1/log/checkpoint
func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	head, err := s.Store.LogHead(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	note, err := custody.SignCheckpoint(head, s.prove.SigningKey)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(note)
}

// handleInclusionProof proves an event's records in the tree of a size
// (default: the current one), with a checkpoint of that size.
// GET /api/v1/log/proof/inclusion?event=ID&size=N
func (s *Server) handleInclusionProof(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "event", "size")
	id := p.required("event")
	size := p.int("size", 0)
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	ctx := r.Context()
	rf, ok := s.Store.(custody.RecordFinder)
	if !ok {
		s.Error(w, r, critmin.Errorf(critmin.EINTERNAL, "store cannot find records"))
		return
	}
	head, err := s.Store.LogHead(ctx)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !p.q.Has("size") { // left out: the current size; an explicit 0 is refused below
		size = int(head.Size)
	}
	if int64(size) > head.Size || size < 1 {
		s.Error(w, r, critmin.FieldErrorf("size", "%d is not between 1 and the log's size %d", size, head.Size))
		return
	}
	recs, err := rf.ChainRecordsByEventID(ctx, []string{id})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if len(recs) == 0 {
		s.Error(w, r, critmin.Errorf(critmin.ENOTFOUND, "no event %q", id))
		return
	}
	if head.Root, err = custody.TreeHash(ctx, s.Store, int64(size)); err != nil {
		s.Error(w, r, err)
		return
	}
	head.Size = int64(size)
	note, err := custody.SignCheckpoint(head, s.prove.SigningKey)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var entries []*custody.LogEntry
	for _, rec := range recs {
		if rec.Seq > int64(size) {
			continue
		}
		proof, err := custody.ProveInclusion(ctx, s.Store, rec.Seq-1, int64(size))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		rec.PrevChain, rec.Chain = "", ""
		entries = append(entries, &custody.LogEntry{Index: rec.Seq - 1, Record: rec, Proof: custody.EncodeProof(proof)})
	}
	if len(entries) == 0 {
		s.Error(w, r, critmin.FieldErrorf("size", "event %q entered the log after record %d", id, size))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"checkpoint": string(note), "entries": entries})
}

// handleConsistencyProof proves that the tree of size new extends the
// tree of size old (default new: the current size), with a checkpoint of
// the newer tree. GET /api/v1/log/proof/consistency?old=N&new=M
func (s *Server) handleConsistencyProof(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "old", "new")
	given := r.URL.Query().Get("old") != ""
	old := p.int("old", -1)
	newSize := p.int("new", 0)
	switch {
	case !given:
		p.fail("old", "required: the size of the older checkpoint")
	case old < 0 && p.err() == nil:
		p.fail("old", "%d is not a tree size: give the size of the older checkpoint (1 or more)", old)
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	ctx := r.Context()
	head, err := s.Store.LogHead(ctx)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !p.q.Has("new") { // left out: the current size; an explicit 0 is checked below
		newSize = int(head.Size)
	}
	if int64(newSize) > head.Size {
		s.Error(w, r, critmin.FieldErrorf("new", "%d is beyond the log's size %d", newSize, head.Size))
		return
	}
	proof, err := custody.ProveConsistency(ctx, s.Store, int64(old), int64(newSize))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if head.Root, err = custody.TreeHash(ctx, s.Store, int64(newSize)); err != nil {
		s.Error(w, r, err)
		return
	}
	head.Size = int64(newSize)
	note, err := custody.SignCheckpoint(head, s.prove.SigningKey)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"old": old, "new": newSize, "checkpoint": string(note), "proof": custody.EncodeProof(proof)})
}

func (s *Server) certStore() (custody.CertificateStore, error) {
	cs, ok := s.Store.(custody.CertificateStore)
	if !ok {
		return nil, critmin.Errorf(critmin.EINTERNAL, "store keeps no certificates")
	}
	return cs, nil
}

// certID accepts a certificate's full URN or its hexadecimal part.
func certID(v string) string {
	if strings.HasPrefix(v, "urn:") {
		return v
	}
	return "urn:critmin:certificate:" + v
}

// handleCertificateGet returns a stored certificate exactly as issued.
// GET /api/v1/certificates/{cid}
func (s *Server) handleCertificateGet(w http.ResponseWriter, r *http.Request) {
	cs, err := s.certStore()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := cs.FindCertificate(r.Context(), certID(r.PathValue("cid")))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json")
	if c.RevokedAt != nil {
		w.Header().Set("Critmin-Certificate-Revoked", c.RevokedAt.Format(time.RFC3339))
	}
	_, _ = io.WriteString(w, c.Body)
}

// handleCertificateRevocation says whether a certificate stands: its
// stored record (issued, revoked and why) with the flags POST
// /api/v1/certificates/status gives — stands, isRevoked, superseded and
// the declarations that supersede it. GET /api/v1/certificates/{cid}/status
func (s *Server) handleCertificateRevocation(w http.ResponseWriter, r *http.Request) {
	cs, err := s.certStore()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	c, err := cs.FindCertificate(r.Context(), certID(r.PathValue("cid")))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var cert custody.Certificate
	if err := json.Unmarshal([]byte(c.Body), &cert); err != nil {
		s.Error(w, r, fmt.Errorf("stored certificate %s: %w", c.ID, err))
		return
	}
	st, err := custody.Standing(r.Context(), s.Store, cert)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		*custody.StoredCertificate
		*custody.CertStatus
	}{c, st})
}

// handleCertificateRevoke revokes a certificate (admin), with a reason.
// POST /api/v1/certificates/{cid}/revoke {"reason": "…"}
func (s *Server) handleCertificateRevoke(w http.ResponseWriter, r *http.Request) {
	cs, err := s.certStore()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.Error(w, r, err)
		return
	}
	if strings.TrimSpace(body.Reason) == "" {
		s.Error(w, r, critmin.FieldErrorf("/reason", "required: say why the certificate is revoked"))
		return
	}
	by := ""
	if tok, ok := r.Context().Value(tokenKey).(*critmin.Token); ok {
		by = tok.Name
	}
	id := certID(r.PathValue("cid"))
	if err := cs.RevokeCertificate(r.Context(), id, body.Reason, by, time.Now()); err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeCertificate(w, r, cs, id)
}

// writeCertificate answers with certificate id of cs as JSON, or the error.
func (s *Server) writeCertificate(w http.ResponseWriter, r *http.Request, cs custody.CertificateStore, id string) {
	c, err := cs.FindCertificate(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// handleRevocations serves the signed revocation list.
// GET /api/v1/certificates/revocations
func (s *Server) handleRevocations(w http.ResponseWriter, r *http.Request) {
	cs, err := s.certStore()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	list, err := cs.Revocations(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	now := time.Now()
	// Superseded certificates are listed too, with why: offline, a
	// verifier has no ledger to learn it from.
	if cl, ok := s.Store.(custody.CertificateLister); ok {
		sup, err := s.supersededNow(r.Context(), cl, now)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		list = append(list, sup...)
	}
	rl, err := custody.SignRevocations(list, s.prove.SigningKey, now)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rl)
}

// handleCertificateVerify checks a posted certificate with the server's
// key and reports its revocation and whether it is superseded (valid is
// false for either). POST /api/v1/certificates/verify
func (s *Server) handleCertificateVerify(w http.ResponseWriter, r *http.Request) {
	if err := requireJSON(r); err != nil {
		s.Error(w, r, err)
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := checkJSONObject(data); err != nil {
		s.Error(w, r, err)
		return
	}
	chk, err := custody.VerifyCertificate(data, s.pub(), nil)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if cs, err := s.certStore(); err == nil {
		c, err := cs.FindCertificate(r.Context(), chk.ID)
		if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
			s.Error(w, r, err) // a stored record edited outside critmin: 409
			return
		}
		if err == nil && c.RevokedAt != nil {
			chk.Revoked = &custody.Revocation{ID: c.ID, At: *c.RevokedAt, Reason: c.RevokedReason}
		}
	}
	// A certificate whose evidence was declared in error since it was
	// issued is superseded (custody.Status): it fails as a revoked one
	// does. One resting on events this ledger does not hold is judged on
	// its signature and revocation alone.
	out := map[string]any{"signature": "valid", "check": chk, "superseded": false}
	superseded := false
	switch st, err := custody.Status(r.Context(), s.Store, chk.Cert); {
	case err == nil:
		superseded = st.Superseded
		if superseded {
			out["superseded"], out["supersededBy"] = true, st.Reasons
		}
	case critmin.ErrorCode(err) != critmin.ENOTFOUND:
		s.Error(w, r, err)
		return
	}
	out["valid"] = chk.Revoked == nil && !superseded
	writeJSON(w, http.StatusOK, out)
}
