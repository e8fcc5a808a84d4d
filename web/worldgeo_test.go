package web_test

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"
)

// TestWorldGeoJSONHasNoStripes (nu15f item 11): the maps draw
// /web/world.geo.json as it is; Antarctica's, Russia's and Fiji's rings
// jumped from 180° to −180°, a stripe across the map. No ring edge (the
// closing one included) spans more than 180° of longitude, except along a
// pole, and every ring is closed.
func TestWorldGeoJSONHasNoStripes(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/web/world.geo.json", "", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d", resp.StatusCode)
	}
	var fc struct {
		Features []struct {
			Properties map[string]string
			Geometry   struct{ Coordinates [][][][2]float64 }
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		for _, poly := range f.Geometry.Coordinates {
			for _, r := range poly {
				if r[0] != r[len(r)-1] {
					t.Errorf("%s: a ring is not closed", f.Properties["iso"])
				}
				for i := 1; i < len(r); i++ {
					a, b := r[i-1], r[i]
					if math.Abs(b[0]-a[0]) > 180 && !(math.Abs(a[1]) == 90 && a[1] == b[1]) {
						t.Errorf("%s: an edge from %v to %v crosses the map", f.Properties["iso"], a, b)
					}
				}
			}
		}
	}
}
