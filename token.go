package critmin

import (
	"context"
	"time"
)

// Roles of API tokens. An admin may do everything, an operator may capture
// and read, a viewer may only read.
const (
	RoleAdmin    = "admin"
	RoleOperator = "operator"
	RoleViewer   = "viewer"
)

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool {
	return r == RoleAdmin || r == RoleOperator || r == RoleViewer
}

// CanWrite reports whether a role may capture events.
func CanWrite(role string) bool { return role == RoleAdmin || role == RoleOperator }

// Token is an API token. Only the SHA-256 of its secret is stored.
type Token struct {
	ID        int64
	Name      string
	Role      string
	Hash      string
	CreatedAt time.Time
}

// TokenStore keeps API tokens.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
}

// StoredDataset is an imported edition of a reference dataset, kept whole
// as the CSV that was validated.
type StoredDataset struct {
	Name       string
	Edition    string
	ImportedAt time.Time
	Body       string
}

// DatasetStore keeps imported editions of reference data.
type DatasetStore interface {
	// SaveDataset stores an edition; ECONFLICT if that edition exists.
	SaveDataset(ctx context.Context, d *StoredDataset) error
	// ListDatasets returns every imported edition, oldest import first.
	ListDatasets(ctx context.Context) ([]*StoredDataset, error)
}

// Store is everything the platform persists; the sqlite and postgres
// packages implement it and one contract suite tests both.
type Store interface {
	EventStore
	LotStore
	TokenStore
	DatasetStore
	ChainStore
	LogStore
	GenealogyStore
	// Ping reports whether the database answers, for /readyz.
	Ping(ctx context.Context) error
	Close() error
}
