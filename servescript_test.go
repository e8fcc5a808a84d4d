package critmin_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestServeScriptLetsUserFlagsReplaceItsDefaults (issue 15:
// `./scripts/serve --public-read=false` was refused "given more than
// once", the script having put its own --public-read first): a --demo or
// --public-read the user gives replaces the script's default; the other
// default stays, and every user argument is passed on once, in order.
func TestServeScriptLetsUserFlagsReplaceItsDefaults(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to run scripts/serve")
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"defaults", nil, "--demo --public-read"},
		{"public read off", []string{"--public-read=false"}, "--demo --public-read=false"},
		{"no demo, one dash", []string{"-demo=false", "--addr", ":9090"}, "--public-read -demo=false --addr :9090"},
		{"both given", []string{"--demo", "--public-read=false"}, "--demo --public-read=false"},
		{"other flags only", []string{"--addr", "0.0.0.0:8080"}, "--demo --public-read --addr 0.0.0.0:8080"},
	}
	for _, c := range cases {
		out, err := exec.Command("bash", append([]string{"scripts/serve", "--print-args"}, c.args...)...).Output()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := strings.Join(strings.Fields(string(out)), " "); got != c.want {
			t.Errorf("%s: scripts/serve %v runs critmin serve %s, want %s", c.name, c.args, got, c.want)
		}
	}
}
