package http

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Trusted proxies (serve --trusted-proxy CIDR[,CIDR]). Behind a reverse
// proxy or load balancer that terminates TLS, the connection critmin sees
// is the proxy's, over plain HTTP: the client's address and scheme come
// only in the X-Forwarded-For and X-Forwarded-Proto headers, which anyone
// can also send. critmin believes them only from a peer inside a trusted
// network: then the client's address (for the request log and the rate
// limits of expensive routes) is the right-most X-Forwarded-For address
// that is not itself a trusted proxy, and X-Forwarded-Proto "https" (its
// last value, the one the nearest proxy set) marks the request as secure,
// so that the session cookie is sent with Secure. From any other peer both
// headers are ignored.

// ParseTrustedProxies reads a comma-separated list of networks in CIDR
// notation ("10.0.0.0/8,fd00::/8"); a bare address is a network of one.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR network: %w", part, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not a CIDR network: %w", part, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// SetTrustedProxies sets the networks whose forwarded headers are
// believed (none by default). Call it before Listen.
func (s *Server) SetTrustedProxies(p []netip.Prefix) { s.trusted = p }

type clientKey struct{}

// client is what a request's forwarded headers, from a trusted proxy,
// say of the client.
type client struct {
	addr  string
	https bool
}

func (s *Server) trustedAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// resolveClient records the client's address and scheme in the request's
// context: the peer's own, or, when the peer is a trusted proxy, those
// its forwarded headers give.
func (s *Server) resolveClient(r *http.Request) *http.Request {
	c := &client{addr: peerAddr(r), https: r.TLS != nil}
	if len(s.trusted) > 0 {
		if peer, err := netip.ParseAddr(c.addr); err == nil && s.trustedAddr(peer) {
			if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
				hops := strings.Split(strings.Join(xff, ","), ",")
				for i := len(hops) - 1; i >= 0; i-- {
					a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
					if err != nil {
						break // a malformed hop: keep the last address believed
					}
					c.addr = a.Unmap().String()
					if !s.trustedAddr(a) {
						break
					}
				}
			}
			if protos := r.Header.Values("X-Forwarded-Proto"); len(protos) > 0 {
				last := protos[len(protos)-1]
				if i := strings.LastIndexByte(last, ','); i >= 0 {
					last = last[i+1:]
				}
				c.https = c.https || strings.EqualFold(strings.TrimSpace(last), "https")
			}
		}
	}
	return r.WithContext(context.WithValue(r.Context(), clientKey{}, c))
}

func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientAddr is the client's address: the peer's, or the one a trusted
// proxy forwarded.
func clientAddr(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey{}).(*client); ok {
		return c.addr
	}
	return peerAddr(r)
}

// requestSecure reports whether the client reached critmin over TLS:
// directly, or through a trusted proxy that says so.
func requestSecure(r *http.Request) bool {
	if c, ok := r.Context().Value(clientKey{}).(*client); ok {
		return c.https
	}
	return r.TLS != nil
}
