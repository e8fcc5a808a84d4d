package http

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"github.com/critmin/critmin/custody"
)

// supersessions caches the superseded certificates of the signed
// revocation list (GET /api/v1/certificates/revocations). Finding them
// checks every standing certificate's evidence against the ledger
// (custody.Supersessions), a cost that grows with every certificate
// issued; the answer changes only when the ledger grows (a correction or
// an error declaration is a new record) or the standing certificates
// change (one issued, revoked, or its stored body altered). The key is
// read from the database on every request — the ledger's last position
// and a hash of every standing certificate's id and body — so the cache
// is never stale after a revocation or a capture, on this server or
// another one of the same database; only the computation is saved.
// Explicit revocations are read on every request, as before.
type supersessions struct {
	mu   sync.Mutex
	key  string
	list []custody.Revocation
	// runs counts computations (tests).
	runs int
}

// supersessionKey is the revision the superseded list depends on.
func supersessionKey(maxSeq int64, certs []*custody.StoredCertificate) string {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(maxSeq))
	h.Write(n[:])
	for _, c := range certs {
		for _, s := range []string{c.ID, c.Body} {
			binary.BigEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// get returns the superseded list for key, computing it when the key
// changed. Concurrent requests with a new key compute it once.
func (c *supersessions) get(ctx context.Context, key string, compute func(context.Context) ([]custody.Revocation, error)) ([]custody.Revocation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key == key && key != "" {
		return append([]custody.Revocation(nil), c.list...), nil
	}
	list, err := compute(ctx)
	if err != nil {
		return nil, err
	}
	c.key, c.list = key, list
	c.runs++
	return append([]custody.Revocation(nil), list...), nil
}

// supersededNow is the superseded part of the revocation list, from the
// cache when the database's revision is unchanged.
func (s *Server) supersededNow(ctx context.Context, cl custody.CertificateLister, now time.Time) ([]custody.Revocation, error) {
	certs, err := cl.StandingCertificates(ctx)
	if err != nil {
		return nil, err
	}
	seq, err := s.Store.MaxSeq(ctx)
	if err != nil {
		return nil, err
	}
	return s.superseded.get(ctx, supersessionKey(seq, certs), func(ctx context.Context) ([]custody.Revocation, error) {
		return custody.Supersessions(ctx, s.Store, certs, now)
	})
}
