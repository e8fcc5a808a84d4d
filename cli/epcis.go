package cli

import (
	"context"
	"fmt"
	"os"

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
		return err
	}
	preHashes, hashes, err := epcis.HashDocument(body)
	if err != nil {
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
