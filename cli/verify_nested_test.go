package cli_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/storetest"
)

// TestVerifyNestedContainers: a store from before capture refused nested
// containers holding material holds storetest.NestedStoredDocuments (C1
// holding 6 t of QX packed into P by event urn:t:ev:nest). `critmin
// verify` exits non-zero naming the event, both containers and what C1
// held, with the rebuild and without.
func TestVerifyNestedContainers(t *testing.T) {
	db := uncheckedStore(t, storetest.NestedStoredDocuments)
	env := map[string]string{"CRITMIN_DB": db}
	for _, args := range [][]string{{"verify"}, {"verify", "--no-rebuild"}} {
		out, _, err := run(t, env, args...)
		if err == nil {
			t.Errorf("%v: no error; printed %q", args, out)
			continue
		}
		for _, want := range []string{"keeps a container holding material inside another container", "urn:t:ev:nest", "4000000038", "4000000069", "urn:t:lot:QX 6 t"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%v: error %q does not name %q", args, err, want)
			}
		}
	}
}
