package postgres_test

import (
	"testing"

	"github.com/critmin/critmin/postgres"
)

func TestRedactDSN(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://postgres:S3cretPW@127.0.0.1:5432/x", "postgres://postgres:xxxxx@127.0.0.1:5432/x"},
		{"postgres://postgres@127.0.0.1:5432/x?password=S3cretPW", "postgres://postgres@127.0.0.1:5432/x?password=xxxxx"},
		{"postgres://postgres@127.0.0.1:5432/x?password=S3cretPW&sslmode=bogus", "postgres://postgres@127.0.0.1:5432/x?password=xxxxx&sslmode=bogus"},
		{"postgresql://h/x?sslmode=require&sslpassword=K3yPW&PASSWORD=a%20b", "postgresql://h/x?sslmode=require&sslpassword=xxxxx&PASSWORD=xxxxx"},
		{"postgres://h/x?pass%77ord=S3cretPW", "postgres://h/x?password=xxxxx"},
		{"postgres://u:p@h/x?password=q&application_name=a", "postgres://u:xxxxx@h/x?password=xxxxx&application_name=a"},
		{"host=h user=u password=S3cretPW dbname=x", "host=h user=u password=xxxxx dbname=x"},
		{"host=h password = 'S3 cret\\'PW' sslpassword=K dbname=x", "host=h password = xxxxx sslpassword=xxxxx dbname=x"},
		{"postgres://h/x?password=%zz", "postgres://h/x?password=xxxxx"},
		{"postgres://u:S3cretPW@h:port/x", "(unparseable DSN)"},
		{"/var/lib/critmin/critmin.db", "/var/lib/critmin/critmin.db"},
	} {
		if got := postgres.RedactDSN(c.in); got != c.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
