package web_test

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// An upload over the capture page's limit gets a readable HTML page
// naming the limit in MiB (the capture file-size limit, 1 MiB here, the
// page's own limit adding 1 MiB for the form's encoding), whether the
// multipart body overflows the page's limit or only the file does; not a
// raw 413 or "cannot read the upload: multipart: …". Nothing is stored.
func TestCapturePageOversizedUpload(t *testing.T) {
	ts := MustServe(t, false, &ledger.Limits{MaxEvents: 10000, MaxBytes: 1 << 20, MaxXMLBytes: 1 << 20})
	for _, size := range []int{1<<20 + 1000, 3 << 20} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("behaviour", "rollback")
		fw, _ := mw.CreateFormFile("file", "big.json")
		_, _ = fw.Write([]byte(`{"x":"` + strings.Repeat("a", size) + `"}`))
		_ = mw.Close()
		resp, page := send(t, "POST", ts.URL+"/capture", body.Bytes(), map[string]string{
			"Authorization": "Bearer " + operatorSecret, "Content-Type": mw.FormDataContentType(), "Accept": "text/html"})
		if resp.StatusCode != 413 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(page), "1 MiB") || strings.Contains(string(page), "multipart") {
			t.Errorf("%d-byte upload: %d %s\n%.600s", size, resp.StatusCode, resp.Header.Get("Content-Type"), page)
		}
	}
	if n, err := ts.Store.CountEvents(t.Context()); err != nil || n != 0 {
		t.Errorf("%d events stored (%v)", n, err)
	}
}
