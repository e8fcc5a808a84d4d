package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/units"
	"golang.org/x/mod/sumdb/tlog"
	"os"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// proofDoc is what `critmin log prove` and `log consistency` write and
// `log check` reads: a signed checkpoint with inclusion entries, or with a
// consistency proof from an older size.
type proofDoc struct {
	Checkpoint string              `json:"checkpoint"`
	Entries    []*custody.LogEntry `json:"entries,omitempty"`
	Old        *int64              `json:"old,omitempty"`
	Proof      []string            `json:"proof,omitempty"`
}

func runLog(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, `Usage: critmin log checkpoint|prove|consistency|check [flags]
  checkpoint   sign the log's current head (tree size, root hash, audit head) as a C2SP signed note
  prove        prove that an event is in the log: --event ID [--size N]
  consistency  prove that the log extends an older signed checkpoint: --checkpoint OLD.note
  check        check a proof document offline with the operator's public key`)
		if len(args) == 0 {
			return usagef("log: give a subcommand")
		}
		return nil
	}
	sub := args[0]
	fs := argsFlagSet(env, "log "+sub, "log "+sub+" [flags]")
	dsn := dbFlag(fs, env)
	keyFile := fs.String("key", envOr(env, "CRITMIN_SIGNING_KEY", ""), "the operator's Ed25519 private key (env CRITMIN_SIGNING_KEY)")
	out := fs.String("out", "", "write to this file instead of stdout")
	event := fs.String("event", "", "the eventID to prove (prove)")
	size := fs.Int64("size", 0, "tree size to prove in (prove; default: the current size)")
	cpFile := fs.String("checkpoint", "", "an older signed checkpoint (consistency)")
	pubkey := fs.String("pubkey", "", "the operator's public key (check)")
	old := fs.String("old", "", "the older checkpoint a consistency proof starts from (check)")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	write := func(b []byte) error {
		if *out != "" {
			return os.WriteFile(*out, b, 0o644)
		}
		_, err := env.Stdout.Write(b)
		return err
	}
	if sub == "check" {
		return logCheck(env, *pubkey, *old, fs.Args())
	}
	if sub != "checkpoint" && sub != "prove" && sub != "consistency" {
		return usagef("log: unknown subcommand %q (checkpoint, prove, consistency, check)", sub)
	}
	if *keyFile == "" {
		return usagef("--key: required to sign the checkpoint (critmin keygen makes one)")
	}
	key, err := custody.LoadPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	// checkpoint, prove and consistency only read the log: the note or
	// proof goes to --out or stdout.
	store, err := OpenStoreReadOnly(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	head, err := store.LogHead(ctx)
	if err != nil {
		return err
	}
	switch sub {
	case "checkpoint":
		note, err := custody.SignCheckpoint(head, key)
		if err != nil {
			return err
		}
		return write(note)
	case "prove":
		if *event == "" {
			return usagef("--event: required")
		}
		if !setFlags(fs)["size"] {
			*size = head.Size
		}
		if *size < 1 || *size > head.Size {
			return critmin.FieldErrorf("size", "%d is not between 1 and the log's size %d", *size, head.Size)
		}
		rf, ok := store.(custody.RecordFinder)
		if !ok {
			return fmt.Errorf("store %T cannot find records", store)
		}
		recs, err := rf.ChainRecordsByEventID(ctx, []string{*event})
		if err != nil {
			return err
		}
		doc := proofDoc{}
		for _, r := range recs {
			if r.Seq > *size {
				continue
			}
			p, err := custody.ProveInclusion(ctx, store, r.Seq-1, *size)
			if err != nil {
				return err
			}
			r.PrevChain, r.Chain = "", ""
			doc.Entries = append(doc.Entries, &custody.LogEntry{Index: r.Seq - 1, Record: r, Proof: custody.EncodeProof(p)})
		}
		if len(doc.Entries) == 0 {
			return critmin.Errorf(critmin.ENOTFOUND, "event %q is not in the first %s records of the log", *event, units.Int(*size))
		}
		if head.Root, err = custody.TreeHash(ctx, store, *size); err != nil {
			return err
		}
		head.Size = *size
		note, err := custody.SignCheckpoint(head, key)
		if err != nil {
			return err
		}
		doc.Checkpoint = string(note)
		b, _ := json.MarshalIndent(doc, "", " ")
		return write(append(b, '\n'))
	default: // consistency
		if *cpFile == "" {
			return usagef("--checkpoint: required (an older checkpoint)")
		}
		data, err := os.ReadFile(*cpFile)
		if err != nil {
			return err
		}
		oldCP, err := custody.OpenCheckpoint(data, key.Public().(ed25519.PublicKey))
		if err != nil {
			return inFile("--checkpoint "+*cpFile, err)
		}
		if head.Size < oldCP.Size {
			return critmin.Errorf(critmin.ECONFLICT, "log truncated: %s records now, the checkpoint signed %s", units.Int(head.Size), units.Int(oldCP.Size))
		}
		// Every log extends the empty one: a checkpoint of size 0 needs
		// no proof (RFC 9162 §2.1.4 defines proofs for 0 < old only).
		var p tlog.TreeProof
		if oldCP.Size > 0 {
			if p, err = custody.ProveConsistency(ctx, store, oldCP.Size, head.Size); err != nil {
				return err
			}
			if err := custody.CheckConsistency(oldCP, &custody.Checkpoint{LogHead: head}, p); err != nil {
				return critmin.Errorf(critmin.ECONFLICT, "%v", err)
			}
		}
		note, err := custody.SignCheckpoint(head, key)
		if err != nil {
			return err
		}
		o := oldCP.Size
		b, _ := json.MarshalIndent(proofDoc{Checkpoint: string(note), Old: &o, Proof: custody.EncodeProof(p)}, "", " ")
		return write(append(b, '\n'))
	}
}

// logCheck checks a proof document offline.
func logCheck(env *Env, pubkey, oldFile string, files []string) error {
	if pubkey == "" || len(files) != 1 {
		return usagef("log check: give --pubkey and one proof file")
	}
	pub, err := parsePublicKey(pubkey)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	var doc proofDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return critmin.Errorf(critmin.EINVALID, "%s: not a proof document: %v", files[0], err)
	}
	cp, err := custody.OpenCheckpoint([]byte(doc.Checkpoint), pub)
	if err != nil {
		return inFile(files[0], err)
	}
	for _, e := range doc.Entries {
		if err := custody.CheckEntry(e, cp); err != nil {
			return critmin.Errorf(critmin.ECONFLICT, "%v", err)
		}
		fmt.Fprintf(env.Stdout, "ok: event %s is leaf %s of the signed log of %s records\n", e.Record.EventID, units.Int(e.Index), units.Int(cp.Size))
	}
	if doc.Proof != nil || oldFile != "" {
		if oldFile == "" {
			return usagef("--old: give the older checkpoint the consistency proof starts from")
		}
		b, err := os.ReadFile(oldFile)
		if err != nil {
			return err
		}
		oldCP, err := custody.OpenCheckpoint(b, pub)
		if err != nil {
			return inFile("--old "+oldFile, err)
		}
		p, err := custody.DecodeProof(doc.Proof)
		if err != nil {
			return inFile(files[0], err)
		}
		if err := custody.CheckConsistency(oldCP, cp, p); err != nil {
			return critmin.Errorf(critmin.ECONFLICT, "%v", err)
		}
		fmt.Fprintf(env.Stdout, "ok: the signed log of %s records extends the checkpoint of %s records\n", units.Int(cp.Size), units.Int(oldCP.Size))
	}
	return nil
}
