package web

import (
	"math"
	"testing"
)

// TestRouteSplitsAtAntimeridian: a route crossing the antimeridian is
// two pieces split at ±180°, never one line across the map.
//
// Shanghai (121.5° E, 31.2° N) to Long Beach (118.2° W = −118.2°,
// 33.8° N): 239.7° apart the direct way, so it goes east across +180°:
// unwrapped, Long Beach is at −118.2 + 360 = 241.8°; +180° is
// (180 − 121.5) / (241.8 − 121.5) = 58.5 / 120.3 = 0.486284 of the way,
// latitude 31.2 + 0.486284 × (33.8 − 31.2) = 31.2 + 1.264339 = 32.464339.
// Pieces: (121.5, 31.2)–(180, 32.464339) and (−180, 32.464339)–(−118.2,
// 33.8). The way back crosses −180° at the same latitude. Karachi
// (67.0° E) to Houston (95.4° W): 162.4° apart, one piece.
func TestRouteSplitsAtAntimeridian(t *testing.T) {
	const lat = 31.2 + 58.5/120.3*(33.8-31.2)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	check := func(name string, got [][][2]float64, want [][][2]float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v; want %v", name, got, want)
		}
		for i := range want {
			for j := range want[i] {
				if !near(got[i][j][0], want[i][j][0]) || !near(got[i][j][1], want[i][j][1]) {
					t.Errorf("%s: piece %d point %d = %v; want %v", name, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
	if !near(lat, 32.464339152119700) {
		t.Fatalf("worked latitude %v", lat)
	}
	check("Shanghai → Long Beach", routeSegments(121.5, 31.2, -118.2, 33.8), [][][2]float64{{{121.5, 31.2}, {180, lat}}, {{-180, lat}, {-118.2, 33.8}}})
	check("Long Beach → Shanghai", routeSegments(-118.2, 33.8, 121.5, 31.2), [][][2]float64{{{-118.2, 33.8}, {-180, lat}}, {{180, lat}, {121.5, 31.2}}})
	check("Karachi → Houston", routeSegments(67.0, 24.8, -95.4, 29.8), [][][2]float64{{{67.0, 24.8}, {-95.4, 29.8}}})
}
