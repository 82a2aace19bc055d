package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
)

// A backup taken while the bot writes is a consistent database: it opens, every chain in
// it verifies, and it holds every event committed before it began.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	db, path := MustOpenDB(t)
	svc := incident.NewService(incident.ServiceConfig{Store: db})
	inc, err := svc.Declare(ctx, incident.DeclareRequest{Actor: "U1", Title: "backup under load", Severity: incident.P2})
	if err != nil {
		t.Fatal(err)
	}
	// The domain needs a channel to take notes in; give the incident one directly.
	if err := db.Update(ctx, func(tx incident.Tx) error {
		i, err := tx.Incident(inc.ID)
		if err != nil {
			return err
		}
		i.ChannelID, i.ChannelName = "C1", "inc-1"
		return tx.UpdateIncident(i)
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := svc.AddNote(ctx, "U1", "C1", fmt.Sprintf("before %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // the bot goes on writing during the backup
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := svc.AddNote(ctx, "U1", "C1", fmt.Sprintf("during %d", i)); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	dest := filepath.Join(t.TempDir(), "backup.db")
	err = sqlite.Backup(ctx, path, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Backup(ctx, path, dest); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a backup over an existing file: %v", err)
	}
	copied, err := sqlite.Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	var evs []incident.TimelineEvent
	if err := copied.View(ctx, func(tx incident.Tx) (err error) { evs, err = tx.Events(inc.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if b := incident.VerifyChain(evs); b != nil {
		t.Fatalf("the backup's chain breaks at #%d: %s", b.Event.Seq, b.Reason)
	}
	notes := 0
	for _, e := range evs {
		if e.Kind == incident.EventNote && strings.HasPrefix(e.Data.Text, "before ") {
			notes++
		}
	}
	if notes != 50 {
		t.Errorf("the backup holds %d of the 50 notes committed before it", notes)
	}
}
