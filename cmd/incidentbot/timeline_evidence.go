package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/evidence"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/spf13/cobra"
)

func timelineVerifyCommand() *cobra.Command {
	var (
		anchors           bool
		bundle, publicKey string
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check every incident's hash chain and name the first broken event (--anchors: also against the filed reviews; --bundle: an exported bundle, offline)",
		Long: "Checks the hash chain of every incident's timeline in the database, one line per incident.\n" +
			"With --anchors it also reads, through the GitHub API (github:, GITHUB_*), the anchors written\n" +
			"in every filed review (its body and comments) and checks that the database still holds each\n" +
			"anchored event with the anchored hash: deleting the newest events is found this way.\n" +
			"With --bundle FILE --public-key FILE it checks a bundle of `timeline export` instead, without\n" +
			"a database. Exits 1 when anything does not verify. See docs/evidence.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if bundle != "" || publicKey != "" {
				if bundle == "" || publicKey == "" || anchors {
					return usageError{errors.New("--bundle and --public-key go together, without --anchors (a bundle is checked without a database)")}
				}
				return verifyBundle(cmd, bundle, publicKey)
			}
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			var reviews map[string]reviewAnchors
			if anchors {
				if reviews, err = readReviewAnchors(cmd.Context(), cfg); err != nil {
					return err
				}
			}
			db, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			report := func(line string) { fmt.Fprintln(out, line) }
			var broken, total int
			if anchors {
				broken, total, err = verifyWithAnchors(cmd.Context(), db, reviews, report)
			} else {
				broken, total, err = verifyTimelines(cmd.Context(), db, report)
			}
			if err != nil {
				return err
			}
			if anchors {
				fmt.Fprintf(out, "%d incidents checked, %d broken (anchors from %d filed reviews)\n", total, broken, len(reviews))
			} else {
				fmt.Fprintf(out, "%d incidents checked, %d broken\n", total, broken)
			}
			if broken > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&anchors, "anchors", false, "also check the database against the anchors in the filed reviews (GitHub)")
	cmd.Flags().StringVar(&bundle, "bundle", "", "check this bundle of `timeline export` instead of the database")
	cmd.Flags().StringVar(&publicKey, "public-key", "", "the ed25519 public key the bundle must be signed with (PEM or raw)")
	return cmd
}

// verifyBundle checks a bundle offline and says so in one line: "INC-42: bundle ok: ..." or
// "INC-42: bundle BROKEN: <reason>" (exit 1).
func verifyBundle(cmd *cobra.Command, path, keyPath string) error {
	pub, err := evidence.LoadPublicKey(keyPath)
	if err != nil {
		return fmt.Errorf("--public-key: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--bundle: %w", err)
	}
	r, err := evidence.Verify(data, pub)
	var f *evidence.Failure
	switch {
	case errors.As(err, &f):
		who := f.Incident
		if who == "" {
			who = path
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: bundle BROKEN: %s\n", who, f.Reason)
		return exitError{1}
	case err != nil:
		return err
	}
	withheld := ""
	if r.Withheld > 0 {
		withheld = fmt.Sprintf(", %d withheld (linked, content not included)", r.Withheld)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: bundle ok: %d events%s, head %s, %d anchors match, signed by %s\n",
		r.Incident.Key, r.Events, withheld, r.Head, r.Anchors, r.Key)
	return nil
}

func timelineExportCommand() *cobra.Command {
	private := false
	cmd := &cobra.Command{
		Use:   "export INC-42",
		Short: "Write an incident's timeline as a JSON bundle signed with timeline.signing_key_file, to standard output",
		Long: "Writes one incident's events (every field the hash chain covers), the chain's head and the\n" +
			"anchors on its timeline as JSON, signed with the ed25519 key in timeline.signing_key_file.\n" +
			"`incidentbot timeline verify --bundle FILE --public-key KEY.pub` checks it without a database.\n" +
			"Events that may hold a secret (what the review would redact) are withheld: the bundle keeps\n" +
			"their hashes, so the chain still links through them. So are all of a private incident's\n" +
			"unless --private is given. See docs/evidence.md.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := incidentArg(args[0])
			if err != nil {
				return err
			}
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			keyFile := cfg.Timeline.SigningKeyFile
			if keyFile == "" {
				return errors.New("timeline export signs the bundle with the ed25519 key in timeline.signing_key_file, which is not set; make a key with `incidentbot timeline keygen FILE`")
			}
			key, err := evidence.LoadPrivateKey(keyFile)
			if err != nil {
				return fmt.Errorf("timeline.signing_key_file: %w", err)
			}
			db, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			data, err := exportBundle(cmd.Context(), db, n, key, private)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	}
	cmd.Flags().BoolVar(&private, "private", false, "include the content of a private incident's events (withheld otherwise)")
	return cmd
}

// exportBundle reads incident number n's timeline and anchors and signs their bundle. The
// events are read in one read transaction with the anchors (one snapshot).
func exportBundle(ctx context.Context, db app.Database, n int, key ed25519.PrivateKey, private bool) ([]byte, error) {
	svc := incident.NewService(incident.ServiceConfig{Store: db})
	inc, err := svc.FindIncidentByNumber(ctx, n)
	if err != nil {
		return nil, err
	}
	var evs []incident.TimelineEvent
	var anchors []incident.Anchor
	err = db.View(ctx, func(tx incident.Tx) error {
		if evs, err = tx.Events(inc.ID); err != nil {
			return err
		}
		for _, e := range evs {
			if a, ok := incident.AnchorOf(inc, e); ok {
				anchors = append(anchors, a)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the timeline of %s: %w", inc.Key(), err)
	}
	return evidence.Build(inc, evs, anchors, key, evidence.Options{Private: private, Now: incident.SystemClock{}.Now()})
}

func timelineKeygenCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen FILE",
		Short: "Make an ed25519 key pair for timeline export: FILE (private, PEM, mode 0600) and FILE.pub",
		Long: "Writes a new ed25519 private key to FILE (PEM, PKCS #8, readable by its owner only) and its\n" +
			"public key to FILE.pub (PEM, PKIX). Overwrites neither. Set timeline.signing_key_file to FILE;\n" +
			"give FILE.pub to whoever verifies bundles.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, err := evidence.GenerateKey(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the private key %s and the public key %s.pub (%s)\n", args[0], args[0], evidence.Fingerprint(pub))
			return nil
		},
	}
}
