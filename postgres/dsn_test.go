package postgres_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin/postgres"
)

// TestParseDB: every --db value is classified by one function; a
// key=value DSN is PostgreSQL, and a value that could be either is
// refused with an error that names --db and holds no password.
func TestParseDB(t *testing.T) {
	const secret = "S3cretPW"
	for _, tc := range []struct {
		name, dsn string
		pg        bool
		refused   bool
	}{
		{"url", "postgres://u:" + secret + "@h/db", true, false},
		{"postgresql url", "postgresql://u@h/db", true, false},
		{"key=value", "host=127.0.0.1 user=postgres password=" + secret + " dbname=Y", true, false},
		{"key = value", "dbname = Y host = h", true, false},
		{"uppercase key", "HOST=h dbname=y", true, false},
		{"quoted password", "host=h password='a b " + secret + "' dbname=y", true, false},
		{"sqlite path", "/var/lib/critmin/critmin.db", false, false},
		{"relative path", "critmin.db", false, false},
		{"path holding =", "./a=b.db", false, false},
		{"unknown key", "foo=bar", false, true},
		{"path then conninfo", "data.db password=" + secret, false, true},
		{"other scheme", "mysql://u:" + secret + "@h/db", false, true},
		{"invalid port", "postgres://u:pa:" + secret + "@h:54x/db", true, true},
		{"# in password", "postgres://u:pa#" + secret + "@h/db", true, true},
		{"? in password", "postgres://u:pa?" + secret + "@h/db", true, true},
		{"digits then #", "postgres://u:12#" + secret + "@h/db", true, true},
		{"invalid escape", "postgres://u:pa%zz" + secret + "@h/db", true, true},
		{"empty", "  ", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pg, err := postgres.ParseDB(tc.dsn)
			if (err != nil) != tc.refused {
				t.Fatalf("ParseDB(%q) error = %v, want refused=%v", tc.dsn, err, tc.refused)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "--db") || strings.Contains(err.Error(), secret) {
					t.Errorf("error %q must name --db and not hold the password", err)
				}
				return
			}
			if pg != tc.pg {
				t.Errorf("ParseDB(%q) = %v, want %v", tc.dsn, pg, tc.pg)
			}
		})
	}
}

// TestURLForm: a key=value DSN becomes the URL pgx and pg_dump read the
// same way: host:port, user:password (percent-encoded), /dbname, the
// rest as query parameters.
func TestURLForm(t *testing.T) {
	got, err := postgres.URLForm(`host=h port=5433 user=pg password='p w\'#' dbname=db sslmode=disable`)
	if err != nil {
		t.Fatal(err)
	}
	// password p w'# → p%20w%27%23 in userinfo
	if want := "postgres://pg:p%20w%27%23@h:5433/db?sslmode=disable"; got != want {
		t.Errorf("URLForm = %q, want %q", got, want)
	}
	if _, err := postgres.URLForm("host=h password='open"); err == nil {
		t.Error("an unclosed quote was accepted")
	}
}

// TestRedactError: a driver or parser error quoting the DSN, or just its
// password (raw or percent-decoded), loses the secret but keeps its cause.
func TestRedactError(t *testing.T) {
	const secret = "S3c%40ret"
	dsn := "postgres://u:" + secret + "@h/db"
	cause := errors.New("boom")
	for _, msg := range []string{"parse " + dsn, `parse "` + dsn + `"`, "auth failed for S3c@ret", "pw " + secret} {
		err := postgres.RedactError(errors.Join(errors.New(msg), cause), dsn)
		if strings.Contains(err.Error(), "S3c") {
			t.Errorf("%q → %q still holds the password", msg, err)
		}
		if !errors.Is(err, cause) {
			t.Errorf("%q: the cause is lost", msg)
		}
	}
	if postgres.RedactError(nil, dsn) != nil {
		t.Error("nil error became non-nil")
	}
}
