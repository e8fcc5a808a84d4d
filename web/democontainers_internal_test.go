package web

import (
	"regexp"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestDemoContainerNumbersCheck (n15 item 5): every container the demo
// corridor names by an ISO 6346 number carries a valid check digit, so
// an operator can type it on the forms, which check it (iso6346Check).
// TGHU7654321 did not: TGHU765432 weighs T 31·1 + G 17·2 + H 18·4 +
// U 32·8 + 7·16 + 6·32 + 5·64 + 4·128 + 3·256 + 2·512 = 31 + 34 + 72 +
// 256 + 112 + 192 + 320 + 512 + 768 + 1,024 = 3,321; 3,321 mod 11 = 10,
// written 0, so its check digit is 0, and the forms refused the
// demo's own container "its check digit is 0, not 1". It is TGHU7654320
// now, and CAIU2223339 is CAIU2223330 (its digit is 0 too).
// MSKU1234565: M 24 + S 30·2 + K 21·4 + U 32·8 + 1·16 + 2·32 + 3·64 +
// 4·128 + 5·256 + 6·512 = 5,560; 5,560 mod 11 = 5.
func TestDemoContainerNumbersCheck(t *testing.T) {
	names, bodies, err := demo.Documents()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`urn:critmin:demo:container:([A-Z0-9]+)`)
	seen := map[string]bool{}
	for i, body := range bodies {
		for _, m := range re.FindAllSubmatch(body, -1) {
			n := string(m[1])
			if seen[n] {
				continue
			}
			seen[n] = true
			if !iso6346RE.MatchString(n) {
				t.Errorf("%s: container %s is not an ISO 6346 number", names[i], n)
				continue
			}
			if want := iso6346Check(n); int(n[10]-'0') != want {
				t.Errorf("%s: container %s has check digit %c; ISO 6346 gives %d", names[i], n, n[10], want)
			}
		}
	}
	if len(seen) < 2 {
		t.Fatalf("the demo names %d containers; want the corridor's (MSKU1234565, TGHU7654320, …)", len(seen))
	}
	if !seen["MSKU1234565"] || !seen["TGHU7654320"] {
		t.Errorf("containers %v; want MSKU1234565 and TGHU7654320 among them", seen)
	}
}
