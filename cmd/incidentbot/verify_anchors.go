package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nephoran/incidentbot/internal/app"
	"github.com/nephoran/incidentbot/internal/config"
	ghtracker "github.com/nephoran/incidentbot/internal/github"
	"github.com/nephoran/incidentbot/internal/incident"
)

// reviewAnchors are the anchors one filed review holds.
type reviewAnchors = ghtracker.ReviewAnchors

// readReviewAnchors reads the anchors of every filed review, by incident key, through the
// GitHub API the reviews are filed with.
func readReviewAnchors(ctx context.Context, cfg *config.Config) (map[string]reviewAnchors, error) {
	if !cfg.GitHub.ReviewsEnabled() {
		return nil, errors.New("--anchors reads the filed reviews from GitHub: set github.repo (GITHUB_REPO) and a token (GITHUB_TOKEN) or a GitHub App")
	}
	tr, err := app.ReviewTracker(cfg, nil)
	if err != nil {
		return nil, err
	}
	reviews, err := tr.Anchors(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the anchors of the filed reviews: %w", err)
	}
	return reviews, nil
}

// verifyWithAnchors checks every incident's chain as verifyTimelines does, then each
// anchor of its filed review against the database, and reports one line per incident:
//
//	INC-1: ok (12 events; 2 anchors of review #1 match)
//	INC-2: ANCHOR MISMATCH (review #2, 1 of 2 anchors): anchored at 14 events (head …) but the database has 11: events #12 to #14 are missing (deleted?)
//	INC-3: ok (5 events; no review filed, no anchors to check)
//	INC-9: MISSING from the database: review #9 holds 1 anchors of it
//
// A broken chain is reported as by verifyTimelines, first.
func verifyWithAnchors(ctx context.Context, db incident.Store, reviews map[string]reviewAnchors, report func(string)) (broken, total int, err error) {
	var (
		checks  []chainCheck
		verdict = map[string]string{} // by key: the anchors' verdict
	)
	err = db.View(ctx, func(tx incident.Tx) (err error) {
		if checks, err = checkChains(tx); err != nil {
			return err
		}
		for _, c := range checks {
			if verdict[c.key], err = checkAnchors(tx, c, reviews[c.key]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("verify timelines: %w", err)
	}
	known := map[string]bool{}
	for _, c := range checks {
		known[c.key] = true
		ra, filed := reviews[c.key]
		switch {
		case c.broken != nil:
			broken++
			b := c.broken
			report(fmt.Sprintf("%s: BROKEN at event #%d (id %d, %s, %s by %s): %s",
				c.key, b.Event.Seq, b.Event.ID, b.Event.Kind, incident.FormatTime(b.Event.At), b.Event.Actor, b.Reason))
		case verdict[c.key] != "":
			broken++
			report(c.key + ": " + verdict[c.key])
		case !filed:
			report(fmt.Sprintf("%s: ok (%d events; no review filed, no anchors to check)", c.key, c.events))
		default:
			report(fmt.Sprintf("%s: ok (%d events; %d anchors of review #%d match)", c.key, c.events, len(ra.Anchors), ra.Number))
		}
	}
	// A review whose incident the database lacks: the incident itself was deleted.
	var gone []string
	for key := range reviews {
		if !known[key] {
			gone = append(gone, key)
		}
	}
	slices.SortFunc(gone, func(a, b string) int { n, _ := parseIncidentKey(a); m, _ := parseIncidentKey(b); return n - m })
	for _, key := range gone {
		broken++
		ra := reviews[key]
		report(fmt.Sprintf("%s: MISSING from the database: review #%d (%s) holds %d anchors of it", key, ra.Number, ra.URL, len(ra.Anchors)))
	}
	return broken, len(checks) + len(gone), nil
}

// checkAnchors checks the anchors of c's review against the database, and returns ""
// when each matches, else the first mismatch and how many there are.
func checkAnchors(tx incident.Tx, c chainCheck, ra reviewAnchors) (string, error) {
	if len(ra.Anchors) == 0 {
		return "", nil
	}
	last, err := tx.LastEvent(c.id)
	if err != nil {
		return "", err
	}
	lastSeq := 0
	if last != nil {
		lastSeq = last.Seq
	}
	var first string
	bad := 0
	for _, a := range ra.Anchors {
		e, err := tx.Event(c.id, a.Events)
		if incident.ErrorCode(err) == incident.ENOTFOUND {
			e, err = nil, nil
		}
		if err != nil {
			return "", err
		}
		if msg := a.Check(e, lastSeq); msg != "" {
			if bad++; first == "" {
				first = msg
			}
		}
	}
	if bad == 0 {
		return "", nil
	}
	return fmt.Sprintf("ANCHOR MISMATCH (review #%d, %d of %d anchors): %s", ra.Number, bad, len(ra.Anchors), first), nil
}
