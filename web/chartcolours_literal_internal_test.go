package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestChartsHardCodeNoCommodityColour: one colour per commodity on every
// page means no chart draws anything that is not that commodity in a
// commodity's colour. The Go code that builds charts (every file but
// colour.go, which holds the palette) and static/charts.js write no
// colour of commodityColours as a literal: the HHI chart's threshold
// lines were antimony's brown (#b54708) beside antimony's own HHI line,
// a bar chart's default and the map's lane fallback copper's teal
// (#0b6e69), the warehouse marker residue's grey (#667085).
func TestChartsHardCodeNoCommodityColour(t *testing.T) {
	palette := map[string]string{}
	for c, col := range commodityColours {
		palette[strings.ToLower(col)] = c
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "static/charts.js")
	lit := regexp.MustCompile(`#[0-9a-fA-F]{6}\b`)
	for _, f := range files {
		if f == "colour.go" || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range lit.FindAllString(line, -1) {
				if c, ok := palette[strings.ToLower(m)]; ok {
					t.Errorf("%s:%d: %s is %s's colour: %s", f, i+1, m, c, strings.TrimSpace(line))
				}
			}
		}
	}
}
