package http

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"testing"
)

// TestWriteJSONEncodeFailure: a value JSON cannot encode (+Inf) answers 500
// problem+json, never 200 with an empty body; a good value is written whole.
func TestWriteJSONEncodeFailure(t *testing.T) {
	for name, write := range map[string]func(*httptest.ResponseRecorder, any){
		"writeJSON":     func(w *httptest.ResponseRecorder, v any) { writeJSON(w, 200, v) },
		"writeFigures":  func(w *httptest.ResponseRecorder, v any) { writeFigures(w, 200, v) },
		"writeJSONType": func(w *httptest.ResponseRecorder, v any) { writeJSONType(w, 200, "application/ld+json", " ", v) },
	} {
		w := httptest.NewRecorder()
		write(w, map[string]float64{"wet_t": math.Inf(1)})
		var p Problem
		if w.Code != 500 || w.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(w.Body.Bytes(), &p) != nil || p.Status != 500 || p.Detail == "" {
			t.Errorf("%s: +Inf gave %d %q %q", name, w.Code, w.Header().Get("Content-Type"), w.Body.String())
		}
		w = httptest.NewRecorder()
		write(w, map[string]float64{"wet_t": 2.5})
		var m map[string]float64
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &m) != nil || m["wet_t"] != 2.5 {
			t.Errorf("%s: 2.5 gave %d %q", name, w.Code, w.Body.String())
		}
	}
}
