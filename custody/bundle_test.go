package custody_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

func demoStore(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := demo.Load(context.Background(), ledger.NewService(db)); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestBundleRoundTripAndTampering(t *testing.T) {
	db := demoStore(t)
	dir := t.TempDir()
	pub64, err := custody.GenerateKey(filepath.Join(dir, "key"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := custody.LoadPrivateKey(filepath.Join(dir, "key"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := custody.ParsePublicKey(pub64)
	if err != nil {
		t.Fatal(err)
	}
	b, err := custody.Export(context.Background(), db, 10, 20, key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(b)
	rep, err := custody.VerifyBundle(data, pub)
	head, _ := db.LogHead(context.Background())
	if err != nil || rep.Problem != nil || rep.Records != 11 || rep.LogSize != head.Size {
		t.Fatalf("genuine bundle: %+v, %v; want 11 records proved in the log of %d", rep, err, head.Size)
	}
	otherPub, _ := custody.GenerateKey(filepath.Join(dir, "other"))
	op, _ := custody.ParsePublicKey(otherPub)
	if _, err := custody.VerifyBundle(data, op); err == nil || !strings.Contains(err.Error(), "another key") {
		t.Errorf("wrong key: %v", err)
	}
	edited := strings.Replace(string(data), "24950", "24951", 1)
	if _, err := custody.VerifyBundle([]byte(edited), pub); err == nil || !strings.Contains(err.Error(), "changed after signing") {
		t.Errorf("edited bundle: %v", err)
	}
	// Re-signed after editing a record: the signature holds, the chain not.
	b.Records[3].Raw = strings.Replace(b.Records[3].Raw, "OBSERVE", "ADD", 1)
	b.Signature, _ = custody.Sign(b, key)
	data, _ = json.Marshal(b)
	rep, err = custody.VerifyBundle(data, pub)
	if err != nil || rep.Problem == nil || rep.Problem.Kind != custody.Altered || rep.Problem.Seq != 13 {
		t.Errorf("re-signed edited bundle: %+v, %v", rep.Problem, err)
	}
	// Re-signed after dropping a record: a gap.
	b.Records = append(b.Records[:2], b.Records[3:]...)
	b.Signature, _ = custody.Sign(b, key)
	data, _ = json.Marshal(b)
	rep, _ = custody.VerifyBundle(data, pub)
	if rep.Problem == nil || rep.Problem.Kind != custody.Deleted || rep.Problem.Seq != 13 {
		t.Errorf("bundle with a record dropped: %+v", rep.Problem)
	}
	if _, err := custody.VerifyBundle([]byte(`{"type": "other"}`), pub); err == nil {
		t.Error("a non-bundle was accepted")
	}
}

// TestBundleRefusedOnTamperedRecords: no bundle is signed over a record
// that fails verification; the error names it.
func TestBundleRefusedOnTamperedRecords(t *testing.T) {
	db := demoStore(t)
	dir := t.TempDir()
	_, _ = custody.GenerateKey(filepath.Join(dir, "key"))
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "key"))
	if _, err := db.Write.Exec(`UPDATE events SET raw = REPLACE(raw, '"eventTime"', '"eventTime" ') WHERE chain_seq = 12`); err != nil {
		t.Fatal(err)
	}
	_, err := custody.Export(context.Background(), db, 10, 20, key, time.Now())
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "evidence record 12") {
		t.Fatalf("export over an edited record: %v", err)
	}
	if _, err := custody.Export(context.Background(), db, 13, 20, key, time.Now()); err != nil {
		t.Errorf("a bundle of intact records is refused: %v", err)
	}
}
