package postgres

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// conninfoKeys are the libpq connection keywords (PostgreSQL manual,
// 34.1.2 "Parameter Key Words") that pgx also reads: a --db value whose
// first word is one of them, followed by =, is a key=value DSN.
var conninfoKeys = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true,
	"password": true, "passfile": true, "sslmode": true, "sslcert": true,
	"sslkey": true, "sslrootcert": true, "sslpassword": true, "sslsni": true,
	"connect_timeout": true, "application_name": true, "target_session_attrs": true,
	"options": true, "service": true, "servicefile": true, "channel_binding": true,
	"krbsrvname": true, "gssencmode": true, "requiressl": true,
}

// conninfoWord matches one key= word of a key=value DSN ("key = value" is
// also libpq syntax).
var conninfoWord = regexp.MustCompile(`(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)\s*=`)

// ParseDB classifies a --db value, the one place that decides it: a
// postgres:// or postgresql:// URL, or a libpq/pgx key=value DSN (its
// first word a connection keyword such as host, dbname, user, password,
// port or sslmode, then =), is PostgreSQL; a value without = words is a
// SQLite path. Anything between is refused rather than guessed, since a
// wrong guess turns a DSN, password and all, into a SQLite file name:
// another URL scheme, a URL that does not parse (the error never quotes
// it), a URL with a #fragment (an unencoded # in the password), a first
// word key= whose key libpq does not know, and a path followed by
// key=value words. Errors name --db and never include a secret.
func ParseDB(dsn string) (isPostgres bool, err error) {
	s := strings.TrimSpace(dsn)
	if s == "" {
		return false, errors.New("--db is empty")
	}
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		return true, checkURL(s)
	}
	if strings.Contains(s, "://") {
		return false, fmt.Errorf("--db %q: use a SQLite file path, a postgres:// URL or a key=value PostgreSQL DSN", RedactDSN(s))
	}
	words := conninfoWord.FindAllStringSubmatchIndex(s, -1)
	if len(words) == 0 {
		return false, nil
	}
	first := strings.ToLower(s[words[0][2]:words[0][3]])
	if words[0][2] == 0 {
		if conninfoKeys[first] {
			return true, nil
		}
		return false, fmt.Errorf("--db %q: %q is not a PostgreSQL connection keyword (host, port, dbname, user, password, sslmode, …); for a SQLite file whose name holds =, write it as ./%s", RedactDSN(s), first, RedactDSN(s))
	}
	for _, w := range words {
		if conninfoKeys[strings.ToLower(s[w[2]:w[3]])] {
			return false, fmt.Errorf("--db %q: a key=value PostgreSQL DSN starts with a keyword (host=…, dbname=…); this begins with a path", RedactDSN(s))
		}
	}
	return false, nil
}

// checkURL refuses a postgres:// URL that does not parse, without
// quoting it: Go's url.Parse error holds the whole URL, and the piece
// it complains of (an "invalid port" after an unencoded : or # in the
// password) is part of the secret.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("--db: the postgres:// URL does not parse (%s); percent-encode @ : / ? # %% and spaces in the user name and password (%%40 %%3A %%2F %%3F %%23 %%25 %%20)", urlReason(err))
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return errors.New("--db: the postgres:// URL has a # (a fragment, which PostgreSQL does not use); percent-encode # in the password as %23")
	}
	return nil
}

// urlReason is the kind of a url.Parse error, without the text of the
// URL or the piece of it at fault.
func urlReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "invalid port"):
		return "invalid port"
	case strings.Contains(msg, "invalid userinfo"):
		return "invalid user name or password"
	case strings.Contains(msg, "invalid URL escape"):
		return "invalid % escape"
	case strings.Contains(msg, "invalid character"):
		return "invalid character in the host"
	case strings.Contains(msg, "control character"):
		return "control character"
	default:
		return "malformed URL"
	}
}

// IsDSN reports whether a --db value names a PostgreSQL database
// (ParseDB, ignoring its refusal: callers that open the database call
// ParseDB and report it).
func IsDSN(dsn string) bool {
	pg, err := ParseDB(dsn)
	return pg && err == nil
}

// RedactError is err with every secret of dsn taken out of its message:
// the raw DSN becomes RedactDSN of it, and its password (as given, and
// as percent-decoded) becomes xxxxx, however a driver or parser quoted
// it. A nil err stays nil; the wrapped error is kept for errors.Is.
func RedactError(err error, dsn string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := msg
	if dsn != "" {
		clean = strings.ReplaceAll(clean, dsn, RedactDSN(dsn))
		clean = strings.ReplaceAll(clean, fmt.Sprintf("%q", dsn), fmt.Sprintf("%q", RedactDSN(dsn)))
	}
	for _, p := range dsnSecrets(dsn) {
		if len(p) >= 1 {
			clean = strings.ReplaceAll(clean, p, "xxxxx")
		}
	}
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// dsnSecrets are the secret values in dsn, as written and decoded:
// a URL's userinfo password (found by hand, so that a URL that does not
// parse still has it removed) and password/sslpassword parameters of
// either form.
func dsnSecrets(dsn string) []string {
	var out []string
	add := func(v string) {
		v = strings.Trim(v, "'")
		if v == "" {
			return
		}
		out = append(out, v)
		if d, err := url.PathUnescape(v); err == nil && d != v {
			out = append(out, d)
		}
		if q := fmt.Sprintf("%q", v); q[1:len(q)-1] != v {
			out = append(out, q[1:len(q)-1])
		}
	}
	if _, rest, ok := strings.Cut(dsn, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				add(pw)
			}
		}
	}
	for _, m := range kvSecretValue.FindAllStringSubmatch(dsn, -1) {
		add(m[1])
	}
	return out
}

// kvSecretValue finds password= and sslpassword= values in a key=value
// DSN or a URL's query.
var kvSecretValue = regexp.MustCompile(`(?i)\b(?:ssl)?password\s*=\s*('(?:[^'\\]|\\.)*'?|[^\s&]*)`)

// URLForm is dsn as a postgres:// URL: a URL is returned as it is, a
// key=value DSN rewritten (host, port, user, password and dbname into
// the URL's parts, every other keyword a query parameter), for the code
// that edits a DSN's parts (restore's staging database, pg_dump's
// password kept off the command line). Values may be single-quoted with
// \' and \\ escapes (libpq's conninfo syntax).
func URLForm(dsn string) (string, error) {
	isPG, err := ParseDB(dsn)
	if err != nil {
		return "", err
	}
	if !isPG {
		return "", errors.New("--db: not a PostgreSQL DSN")
	}
	s := strings.TrimSpace(dsn)
	if strings.Contains(s, "://") {
		return s, nil
	}
	kv, err := parseConninfo(s)
	if err != nil {
		return "", err
	}
	u := &url.URL{Scheme: "postgres", Host: kv["host"]}
	if p := kv["port"]; p != "" {
		u.Host += ":" + p
	}
	if pw, ok := kv["password"]; ok {
		u.User = url.UserPassword(kv["user"], pw)
	} else if kv["user"] != "" {
		u.User = url.User(kv["user"])
	}
	if db := kv["dbname"]; db != "" {
		u.Path = "/" + db
	}
	q := url.Values{}
	for k, v := range kv {
		switch k {
		case "host", "port", "user", "password", "dbname":
		default:
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// parseConninfo splits a key=value DSN into its pairs.
func parseConninfo(s string) (map[string]string, error) {
	kv := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, errors.New("--db: a key=value DSN has a word without =")
		}
		key := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t\n")
		var val strings.Builder
		if strings.HasPrefix(s, "'") {
			i, closed := 1, false
			for ; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					val.WriteByte(s[i])
					continue
				}
				if s[i] == '\'' {
					closed = true
					break
				}
				val.WriteByte(s[i])
			}
			if !closed {
				return nil, fmt.Errorf("--db: the value of %s has no closing quote", key)
			}
			s = s[i+1:]
		} else {
			end := strings.IndexAny(s, " \t\n")
			if end < 0 {
				end = len(s)
			}
			val.WriteString(s[:end])
			s = s[end:]
		}
		kv[key] = val.String()
	}
	return kv, nil
}
