// Command critmin is the one binary of the critmin platform.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/critmin/critmin/cli"
)

func main() {
	ctx := context.Background()
	if cli.HandlesSignals(os.Args[1:]) {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: os.Getenv}
	if exe, err := os.Executable(); err == nil {
		env.Executable = exe
	}
	if err := cli.Run(ctx, env, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "critmin:", cli.Describe(err))
		if cli.UsageError(err) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
