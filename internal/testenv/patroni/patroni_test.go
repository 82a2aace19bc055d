package patroni

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The cluster starts with a leader and a synchronous standby; a row committed through the
// multi-host URL survives the leader's death, and the URL then reaches the new leader.
func TestFailover(t *testing.T) {
	c := Start(t)
	members, err := c.Members()
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, m := range members {
		roles[m.Role] = m.Name
	}
	if roles["leader"] == "" || roles["sync_standby"] == "" {
		t.Fatalf("members %+v: want a leader and a sync_standby", members)
	}
	old := c.Leader()
	if old == nil || old.Name != roles["leader"] {
		t.Fatalf("Leader() = %v, /cluster says %s", old, roles["leader"])
	}
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, c.URL())
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE TABLE t (v text); INSERT INTO t VALUES ('before')"); err != nil {
		t.Fatal(err)
	}

	killed := c.KillLeader()
	if killed.Name != old.Name || !killed.Dead() {
		t.Fatalf("killed %s, want %s", killed.Name, old.Name)
	}
	n := c.WaitNewLeader(30 * time.Second)
	t.Logf("new leader %s after %.1fs (ttl %d, loop_wait %d, retry_timeout %d)",
		n.Name, time.Since(c.KilledAt()).Seconds(), Timing.TTL, Timing.LoopWait, Timing.RetryTimeout)
	if n.Name == old.Name {
		t.Fatalf("the new leader is the dead one")
	}
	var err2 error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err2 = exec("INSERT INTO t VALUES ('after')"); err2 == nil {
			break
		}
	}
	if err2 != nil {
		t.Fatalf("write through the URL after the failover: %v", err2)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, n.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var got []string
	rows, _ := conn.Query(ctx, "SELECT v FROM t ORDER BY v DESC")
	got, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(got) != 2 || got[0] != "before" || got[1] != "after" {
		t.Errorf("rows on the new leader: %v %v", got, err)
	}
}

// Without the binaries Start skips, or fails when RequireEnv is set.
func TestMissingBinariesSkip(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(RequireEnv, "")
	ok := t.Run("inner", func(t *testing.T) {
		Start(t)
		t.Error("Start returned without patroni on the PATH")
	})
	if !ok {
		t.Fatal("Start failed instead of skipping")
	}
}
