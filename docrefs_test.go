package critmin_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocReferencesExist: every docs/*.md path named anywhere in the Go
// source — error messages that tell the user where to read on, comments
// — names a file that exists (nu12f: three errors pointed to
// docs/backup.md, which never did).
func TestDocReferencesExist(t *testing.T) {
	ref := regexp.MustCompile(`docs/[A-Za-z0-9_./-]+?\.md`)
	seen := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata" || d.Name() == "node_modules" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || path == "docrefs_test.go" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range ref.FindAllString(string(b), -1) {
			seen++
			if _, err := os.Stat(m); err != nil {
				t.Errorf("%s names %s, which does not exist", path, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("found only %d docs/*.md references: the scan is broken", seen)
	}
}
