package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

func runEPCIS(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "hash" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(env.Stdout, "Usage: critmin epcis hash [--prehash] FILE  (CBV 2.0 event hash IDs, one per event, in document order)")
			return nil
		}
		return usagef("epcis: the subcommand is hash (critmin epcis hash FILE)")
	}
	fs := argsFlagSet(env, "epcis hash", "epcis hash [--prehash] FILE")
	pre := fs.Bool("prehash", false, "print each event's pre-hash string before its hash")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("epcis hash: give one EPCIS document (JSON-LD or XML)")
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("epcis hash: %w", err)
	}
	// The file is what is wrong, not the program: a refusal (exit 2), as
	// a missing file is (nu15g item 10: an empty file exited 1 with
	// "body is not valid JSON: EOF").
	if len(bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))) == 0 {
		return refusef("epcis hash: %s is empty: give an EPCIS document (JSON-LD or XML)", fs.Arg(0))
	}
	if why := jsonFault(body); why != "" {
		return refusef("epcis hash: %s: %s", fs.Arg(0), why)
	}
	preHashes, hashes, err := epcis.HashDocument(body)
	if err != nil {
		if critmin.ErrorCode(err) == critmin.EINVALID {
			// "body is not valid JSON" is the HTTP API's word; here the
			// file is the body.
			msg := strings.Replace(critmin.ErrorText(err), "body is not valid JSON", "is not valid JSON", 1)
			return refusef("epcis hash: %s: %s", fs.Arg(0), strings.TrimPrefix(msg, ": "))
		}
		return inFile(fs.Arg(0), err)
	}
	for i, h := range hashes {
		if *pre {
			fmt.Fprintln(env.Stdout, preHashes[i])
		}
		fmt.Fprintln(env.Stdout, h)
	}
	return nil
}
