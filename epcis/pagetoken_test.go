package epcis

import (
	"errors"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

func TestPageTokenExpiry(t *testing.T) {
	issued := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	expires := issued.Add(PageTokenLifetime)
	c := &critmin.PageCursor{Key: "1772359200000000", PK: 42, Remaining: 7}
	tok := EncodePageTokenUntil(c, expires)

	got, err := DecodePageTokenAt(tok, expires.Add(-time.Second))
	if err != nil || *got != *c {
		t.Fatalf("a second before expiry: %+v %v", got, err)
	}
	_, err = DecodePageTokenAt(tok, expires)
	var ex *ExpiredTokenError
	if !errors.As(err, &ex) || !ex.Expired.Equal(expires) {
		t.Fatalf("at expiry: %v", err)
	}
	if want := "2026-03-02T10:00:00Z"; PageTokenExpiry(expires) != want || PageTokenExpiry(expires.In(time.FixedZone("PKT", 5*3600))) != want {
		t.Errorf("header form %q, want %q", PageTokenExpiry(expires), want)
	}
	// Tokens issued before expiry existed carry none and stay readable.
	old := EncodePageToken(c)
	if got, err := DecodePageTokenAt(old, expires.Add(1000*time.Hour)); err != nil || *got != *c {
		t.Errorf("token without expiry: %+v %v", got, err)
	}
	if _, err := DecodePageTokenAt("!!", issued); err == nil || errors.As(err, &ex) {
		t.Errorf("garbage token: %v", err)
	}
}
