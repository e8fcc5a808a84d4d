package sqldb

import (
	"sync"
	"time"

	"github.com/critmin/critmin"
)

// AuthCacheTTL is how long this process answers an API token or session
// look-up from memory (FindTokenByHash, FindSession) before reading the
// store again. Revoking a token or ending a session through this store
// handle takes effect at once (the cache is cleared); through another
// process on the same database (`critmin token revoke`, a second server),
// within AuthCacheTTL. docs/security.md states the bound.
const AuthCacheTTL = 2 * time.Second

// authCacheMax bounds the entries kept; when full the cache starts
// empty again.
const authCacheMax = 4096

// authCache keeps recent successful token and session look-ups. Only
// found tokens and live sessions are kept: an unknown secret is read from
// the store every time, so a token created in another process works at
// once. What a cached entry carries (revocation time, expiry) is checked
// by the caller at each use, as for a fresh read.
type authCache struct {
	mu       sync.Mutex
	tokens   map[string]authToken   // by secret hash
	sessions map[string]authSession // by session-ID hash
	// gen counts clears: a look-up that began before a clear does not
	// store what it read (it may predate the revocation).
	gen uint64
	// now is the cache's clock (time.Now when nil; DB.SetAuthClock).
	now func() time.Time
}

type authToken struct {
	tok *critmin.Token
	at  time.Time
}

type authSession struct {
	s   *critmin.Session
	tok *critmin.Token
	at  time.Time
}

func (c *authCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// start marks the beginning of a store read: its time and generation.
func (c *authCache) start() (time.Time, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clock(), c.gen
}

func (c *authCache) token(hash string) *critmin.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tokens[hash]
	if !ok || c.clock().Sub(e.at) >= AuthCacheTTL {
		return nil
	}
	t := *e.tok
	return &t
}

func (c *authCache) putToken(hash string, t *critmin.Token, read time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.tokens == nil || len(c.tokens) >= authCacheMax {
		c.tokens = map[string]authToken{}
	}
	cp := *t
	c.tokens[hash] = authToken{tok: &cp, at: read}
}

func (c *authCache) session(idHash string) (*critmin.Session, *critmin.Token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.sessions[idHash]
	if !ok || c.clock().Sub(e.at) >= AuthCacheTTL {
		return nil, nil
	}
	s, t := *e.s, *e.tok
	return &s, &t
}

func (c *authCache) putSession(s *critmin.Session, t *critmin.Token, read time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.sessions == nil || len(c.sessions) >= authCacheMax {
		c.sessions = map[string]authSession{}
	}
	sc, tc := *s, *t
	c.sessions[s.IDHash] = authSession{s: &sc, tok: &tc, at: read}
}

// forget drops the entries of one token and its sessions (its record of
// use changed: TouchToken).
func (c *authCache) forget(tokenID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.tokens {
		if e.tok.ID == tokenID {
			delete(c.tokens, h)
		}
	}
	for h, e := range c.sessions {
		if e.tok.ID == tokenID {
			delete(c.sessions, h)
		}
	}
	c.gen++
}

// clear forgets everything: after a revocation or a sign-out through this
// handle, the next look-up reads the store.
func (c *authCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens, c.sessions = nil, nil
	c.gen++
}

// SetAuthClock sets the clock the token and session cache ages its
// entries by (time.Now when nil), so tests can pass AuthCacheTTL without
// waiting.
func (db *DB) SetAuthClock(now func() time.Time) {
	db.auth.mu.Lock()
	defer db.auth.mu.Unlock()
	db.auth.now = now
}
