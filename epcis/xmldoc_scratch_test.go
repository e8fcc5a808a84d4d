package epcis

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestScratchXML(t *testing.T) {
	files, _ := filepath.Glob("../testdata/epcis/xml/XML/*/*.xml")
	f2, _ := filepath.Glob("../testdata/epcis/xml/XML/*.xml")
	f3, _ := filepath.Glob("../testdata/epcis/xml/XSL/1.2/XML/*.xml")
	files = append(append(files, f2...), f3...)
	for _, f := range files {
		body, _ := os.ReadFile(f)
		x, err := FromXML(body, false)
		if err != nil {
			t.Logf("%s: FROMXML %v", f, err)
			continue
		}
		doc, err := ParseDocument(x.JSON, false)
		if err != nil {
			t.Logf("%s: PARSE %v", f, x.Translate(err))
			continue
		}
		for i := range doc.Events {
			if _, e := doc.Decode(i, time.Now()); e != nil {
				t.Logf("%s: DECODE %v %v", f, x.Translate(e), x.Translate(e).(interface{ Error() string }))
			}
		}
		t.Logf("%s: ok %d events %d master", f, len(doc.Events), len(doc.Master))
	}
}
