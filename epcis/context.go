package epcis

import (
	"encoding/json"
	"sort"
	"strings"
)

// StandardContext is the URL of the EPCIS 2.0 JSON-LD context. critmin
// knows its terms and never fetches it: it runs with no internet.
const StandardContext = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

// standardPrefixes are the prefixes the standard context defines.
var standardPrefixes = map[string]string{
	"epcis":   "https://ref.gs1.org/epcis/",
	"cbv":     "https://ref.gs1.org/cbv/",
	"cbvmda":  "urn:epcglobal:cbv:mda:",
	"gs1":     "https://gs1.org/voc/",
	"rdfs":    "http://www.w3.org/2000/01/rdf-schema#",
	"owl":     "http://www.w3.org/2002/07/owl#",
	"xsd":     "http://www.w3.org/2001/XMLSchema#",
	"dcterms": "http://purl.org/dc/terms/",
}

// uriSchemes are schemes that make a key an absolute IRI rather than a CURIE.
var uriSchemes = map[string]bool{"http": true, "https": true, "urn": true}

// Context is the prefix part of a JSON-LD @context: enough to expand the
// compact IRIs ("example:myField") of user extensions, without fetching
// remote contexts.
type Context struct {
	Raw      json.RawMessage
	prefixes map[string]string
	// remote lists the remote contexts other than the standard one (a
	// national GS1 extension context, say): critmin does not fetch them,
	// so a prefix they may define is accepted as a CURIE (Expand).
	remote []string
}

// parseContext reads prefix definitions from an @context value: a string
// (a remote context, kept but not fetched), an object, or an array of them.
func parseContext(v any) *Context {
	c := &Context{prefixes: map[string]string{}}
	if v == nil {
		return c
	}
	c.Raw, _ = json.Marshal(v)
	c.add(v)
	return c
}

func (c *Context) add(v any) {
	switch t := v.(type) {
	case string:
		if !isStandardContext(t) {
			c.remote = append(c.remote, t)
		}
	case []any:
		for _, e := range t {
			c.add(e)
		}
	case map[string]any:
		for k, def := range t {
			if strings.HasPrefix(k, "@") {
				continue
			}
			switch d := def.(type) {
			case string:
				c.prefixes[k] = d
			case map[string]any:
				if id, ok := d["@id"].(string); ok {
					c.prefixes[k] = id
				}
			}
		}
	}
}

// merge returns a context with c's prefixes overlaid by the inner one's,
// the JSON-LD rule for an event's own @context inside a document.
func (c *Context) merge(inner *Context) *Context {
	out := &Context{prefixes: make(map[string]string, len(c.prefixes)+len(inner.prefixes))}
	for k, v := range c.prefixes {
		out.prefixes[k] = v
	}
	for k, v := range inner.prefixes {
		out.prefixes[k] = v
	}
	out.remote = append(append([]string(nil), c.remote...), inner.remote...)
	var list []any
	for _, raw := range []json.RawMessage{c.Raw, inner.Raw} {
		var v any
		if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
			continue
		}
		if a, ok := v.([]any); ok {
			list = append(list, a...)
		} else {
			list = append(list, v)
		}
	}
	out.Raw, _ = json.Marshal(list)
	return out
}

// Expand turns a user-extension key into an absolute IRI. ok is false when
// the key has no namespace, or uses a prefix that no context declares:
// EPCIS 2.0 §7.1.2 requires every extension to live in a namespace.
func (c *Context) Expand(key string) (iri string, ok bool) {
	prefix, local, found := strings.Cut(key, ":")
	if !found || prefix == "" {
		return key, false
	}
	if ns, ok := c.prefixes[prefix]; ok {
		return ns + local, true
	}
	if ns, ok := standardPrefixes[prefix]; ok {
		return ns + local, true
	}
	if uriSchemes[prefix] && isAbsoluteURI(key) {
		return key, true
	}
	// A prefix no local context declares, in a document that names a
	// remote context (national GS1 extensions publish their prefixes so):
	// the GS1 schemas ask only that the key be a valid CURIE (JSON schema
	// "vocab-uri"/compact IRI; JSON-LD 1.1 §4.1.5), and critmin runs with
	// no network, so the key is kept as written — the capture's @context,
	// stored with the event, names where its prefix is defined.
	if len(c.remote) > 0 && isCURIE(prefix, local) {
		return key, true
	}
	return key, false
}

// firstRemote is the first remote context c names ("" for none).
func (c *Context) firstRemote() string {
	if c == nil || len(c.remote) == 0 {
		return ""
	}
	return c.remote[0]
}

// isCURIE reports whether prefix:local is a compact IRI: an NCName prefix
// and a local part that does not start with "//" (which would make the
// key an IRI of the scheme prefix).
func isCURIE(prefix, local string) bool {
	if local == "" || strings.HasPrefix(local, "//") || strings.ContainsAny(local, " \t\n<>\"{}|^`") {
		return false
	}
	for i, r := range prefix {
		ok := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 0x7f
		if i > 0 {
			ok = ok || r == '-' || r == '.' || r >= '0' && r <= '9'
		}
		if !ok {
			return false
		}
	}
	return prefix != ""
}

// isStandardContext reports whether a remote context URL is the EPCIS 2.0
// one, whose terms critmin knows.
func isStandardContext(u string) bool {
	switch strings.TrimSuffix(u, "/") {
	case StandardContext, "https://gs1.github.io/EPCIS/epcis-context.jsonld", "https://ref.gs1.org/standards/epcis/epcis-context.jsonld":
		return true
	}
	return false
}

// ExpandValue expands a compact IRI value ("ex:foo") when its prefix is
// declared; any other value is returned unchanged.
func (c *Context) ExpandValue(v string) string {
	prefix, local, found := strings.Cut(v, ":")
	if !found {
		return v
	}
	if ns, ok := c.prefixes[prefix]; ok {
		return ns + local
	}
	return v
}

// ContextRemotes lists the remote contexts (other than the standard one)
// a stored @context names.
func ContextRemotes(raw []byte) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return parseContext(v).remote
}

// RemotePrefixKey is the key under which a PrefixSource lists the
// prefixes that keys of captured events used without a local declaration,
// in documents naming a remote context (RemotePrefixesUsed): such a CURIE
// was kept as written (Context.Expand), and a query names it the same
// way. A prefix neither declared nor so used is unknown.
const RemotePrefixKey = "@remote"

// ContextPrefixes returns the prefix definitions of a stored @context
// value (JSON): each term with the IRI it is bound to (directly or by
// @id); remote context URLs add nothing, since they are never fetched.
func ContextPrefixes(raw []byte) map[string]string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return parseContext(v).prefixes
}

// RemotePrefixesUsed lists the prefixes of the keys of a stored event
// (raw JSON, at any depth: extension fields, ILMD, sensor and error
// declaration content) that its @context (raw JSON) declares nowhere
// locally but that Expand kept as written because the context names a
// remote one. Only such prefixes — actually used as keys — are known
// to a query besides the declared ones (EPCIS 2.0 §8.2.7.1: a query
// parameter naming an unknown field is a QueryParameterException, and an
// unknown prefix can name no captured field).
func RemotePrefixesUsed(rawEvent, rawContext []byte) []string {
	return storedEventKeys(rawEvent, rawContext, func(c *Context, k string) (string, bool) {
		if len(c.remote) == 0 {
			return "", false
		}
		prefix, local, found := strings.Cut(k, ":")
		return prefix, found && c.prefixes[prefix] == "" && standardPrefixes[prefix] == "" &&
			!uriSchemes[prefix] && isCURIE(prefix, local)
	})
}

// storedEventKeys walks a stored event (raw JSON) under its @context (raw
// JSON, merged with any @context inside the event) and returns, sorted and
// each once, pick's name for every key at any depth that pick accepts.
// Keywords ("@type", "@context"…) and the content of an inner @context are
// not walked: they define names, they do not use them. Unreadable JSON
// gives nil.
func storedEventKeys(rawEvent, rawContext []byte, pick func(c *Context, key string) (string, bool)) []string {
	var cv any
	if len(rawContext) > 0 && json.Unmarshal(rawContext, &cv) != nil {
		return nil
	}
	c := parseContext(cv)
	var ev any
	if json.Unmarshal(rawEvent, &ev) != nil {
		return nil
	}
	if m, ok := ev.(map[string]any); ok {
		if inner, ok := m["@context"]; ok {
			c = c.merge(parseContext(inner))
		}
	}
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if k == "@context" {
					continue
				}
				if !strings.HasPrefix(k, "@") {
					if name, ok := pick(c, k); ok {
						seen[name] = true
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(ev)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
