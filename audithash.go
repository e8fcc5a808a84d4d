package critmin

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// AuditHash is the chain hash of an audit entry: SHA-256 over its
// predecessor's hash and its content (seq, time in microseconds, log
// size as big-endian 64-bit integers; prev, action, subject, detail and
// capture id each length-prefixed). Every check of an audit entry — the
// writer, critmin verify and the readers of the refinery's period
// anchors — uses this one function (custody.AuditHash is it).
func AuditHash(prev string, e *AuditEntry) string {
	h := sha256.New()
	var n [8]byte
	for _, v := range []int64{e.Seq, e.At.UnixMicro(), e.LogSize} {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	for _, s := range []string{prev, e.Action, e.Subject, e.Detail, e.CaptureID} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}
