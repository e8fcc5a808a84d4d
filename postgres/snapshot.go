package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"

	"github.com/critmin/critmin/sqldb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// snapshotID is the form of pg_export_snapshot()'s identifiers
// (hexadecimal parts joined by '-'), checked before it is spliced into
// SET TRANSACTION SNAPSHOT, which takes no parameter.
var snapshotID = regexp.MustCompile(`^[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+$`)

// useSnapshots lets store.ReadSnapshot spread its reads over several
// connections to dsn (the store's read database), each in a READ ONLY
// REPEATABLE READ transaction that imports the exported snapshot.
func useSnapshots(store *sqldb.DB, dsn string) {
	store.SnapshotPool = func(ctx context.Context, id string) (*sql.DB, error) {
		if !snapshotID.MatchString(id) {
			return nil, fmt.Errorf("unexpected snapshot identifier %q", id)
		}
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, err
		}
		pool := sql.OpenDB(snapshotConnector{inner: stdlib.GetConnector(*cfg), id: id})
		pool.SetMaxOpenConns(32)
		return pool, nil
	}
}

type snapshotConnector struct {
	inner driver.Connector
	id    string
}

func (c snapshotConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	conn, ok := dc.(*stdlib.Conn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("unexpected driver connection %T", dc)
	}
	for _, q := range []string{`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`, `SET TRANSACTION SNAPSHOT '` + c.id + `'`} {
		if _, err := conn.Conn().Exec(ctx, q); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return snapshotConn{conn}, nil
}

func (c snapshotConnector) Driver() driver.Driver { return c.inner.Driver() }

// snapshotConn is a connection kept inside its snapshot's transaction:
// pgx's ResetSession would discard a connection with a transaction open.
type snapshotConn struct{ *stdlib.Conn }

func (c snapshotConn) ResetSession(ctx context.Context) error {
	if c.Conn.Conn().IsClosed() {
		return driver.ErrBadConn
	}
	return nil
}
