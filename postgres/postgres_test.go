package postgres_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) critmin.Store { return pgtest.MustOpen(tb) },
		func(tb testing.TB, src critmin.Store) storetest.Opener { return pgtest.Copier(tb, src) })
}
