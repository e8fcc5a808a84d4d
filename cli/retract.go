package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// errSuperseded makes cert-status exit non-zero for a superseded certificate.
type errSuperseded struct{ summary string }

func (e errSuperseded) Error() string { return "superseded: " + e.summary }

// runCertStatus checks a certificate's evidence events against the error
// declarations in the database (EPCIS 2.0 §7.4.1.2).
func runCertStatus(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "cert-status", "cert-status [--db DSN] CERTIFICATE.json")
	dsn := dbFlag(fs, env)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("cert-status: give one certificate file")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var cert custody.Certificate
	if err := json.Unmarshal(data, &cert); err != nil {
		return critmin.Errorf(critmin.EINVALID, "cert-status: %s is not a JSON certificate: %v", fs.Arg(0), err)
	}
	store, err := OpenStoreReadOnly(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	st, err := custody.Standing(ctx, store, cert)
	if err != nil {
		return err
	}
	if st.NotStored != "" {
		return critmin.Errorf(critmin.ECONFLICT, "cert-status: not current: %s", st.NotStored)
	}
	if st.Revoked {
		return critmin.Errorf(critmin.ECONFLICT, "cert-status: not current: the certificate is revoked")
	}
	if !st.Superseded {
		fmt.Fprintf(env.Stdout, "current: none of the %d evidence events is declared in error\n", st.Evidence)
		return nil
	}
	for _, r := range st.Reasons {
		fmt.Fprintln(env.Stdout, r.Text()) // the API's "message" (custody.Supersession.Text)
	}
	return errSuperseded{st.Summary()}
}
