//! The order of a run's batch writes when more than one is in flight
//! (`AggregationStore::write_batch`): a batch commits only after the batch before
//! it has, and never when that one failed, so what a stopped run leaves written is
//! always its first batches. That is what lets an organization's read mark move in
//! the transaction of its last days: its earlier days are committed before it.
//!
//! On PostgreSQL the wait for the batch before is a lock of PostgreSQL's own (each
//! write holds an advisory lock keyed by the run and its number from its first
//! statement, and the next write takes it before its last statements), so its
//! deadlock detector sees it: two runs writing the same organization's days at
//! once can otherwise wait on each other through the datamart and through this
//! program, where no one would see the circle. SQLite takes one write at a time
//! (`AggregationStore::writes_at_once`), and its turns never wait.

use tokio::sync::watch;

use crate::store::driver::{params, Statement};
use crate::store::sql::Dialect;
use crate::store::{StoreError, StoreResult};

/// Where a write stands, as the write after it sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Not begun.
    Waiting,
    /// Its transaction holds its lock and has made the months it writes, so the
    /// next write may begin (it will never make a month this one waits on).
    Begun,
    Committed,
    /// Failed or dropped: the writes after it do not commit.
    Failed,
}

/// One batch's place in its run's order of writes (`WriteTurns::next_turn`), or a
/// write alone (`WriteTurn::alone`).
pub struct WriteTurn {
    /// The advisory lock of this write (`run`, `number`); none for a write alone.
    lock: Option<(i32, i32)>,
    own: watch::Sender<Stage>,
    before: Option<watch::Receiver<Stage>>,
}

/// Hands out the turns of a run's writes, in the order they must commit.
pub struct WriteTurns {
    run: i32,
    number: i32,
    last: Option<watch::Receiver<Stage>>,
}

impl WriteTurns {
    /// The turns of one run: its key tells its locks from another run's (the
    /// process id mixed with the nanoseconds of the second it started). Two runs
    /// with the same key would only wait on each other where PostgreSQL sees it.
    pub fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        WriteTurns {
            run: (std::process::id() ^ nanos) as i32,
            number: 0,
            last: None,
        }
    }

    /// The turn of the next write, which commits after the one handed out before.
    pub fn next_turn(&mut self) -> WriteTurn {
        let (own, seen) = watch::channel(Stage::Waiting);
        self.number = self.number.wrapping_add(1);
        let turn = WriteTurn {
            lock: Some((self.run, self.number)),
            own,
            before: self.last.take(),
        };
        self.last = Some(seen);
        turn
    }
}

impl Default for WriteTurns {
    fn default() -> Self {
        Self::new()
    }
}

impl WriteTurn {
    /// A write that waits on no other and that no other waits on.
    pub fn alone() -> Self {
        WriteTurn {
            lock: None,
            own: watch::channel(Stage::Waiting).0,
            before: None,
        }
    }

    /// Waits until the write before this one has begun (or ended), so that this
    /// one never makes a month, or takes a lock, the one before still needs: were
    /// this one to take the earlier one's advisory lock first, it would wait on it
    /// in this program while the earlier one waits on it in PostgreSQL, a circle no
    /// one sees.
    pub(super) async fn wait_for_the_one_before_to_begin(&mut self) {
        if let Some(before) = self.before.as_mut() {
            // An error means the sender is gone: that write has ended either way.
            let _ = before.wait_for(|stage| *stage != Stage::Waiting).await;
        }
    }

    /// The statement that takes this write's own lock, first in its transaction
    /// (PostgreSQL only; none for a write alone).
    pub(super) fn own_lock(&self, dialect: Dialect) -> Option<Statement> {
        let (run, number) = self.lock?;
        (dialect == Dialect::Postgres).then(|| advisory_lock(run, number))
    }

    /// Tells the write after this one that it may begin.
    pub(super) fn begun(&self) {
        self.own.send_replace(Stage::Begun);
    }

    /// The statement that waits, inside this write's transaction, until the write
    /// before it has ended (PostgreSQL only).
    pub(super) fn lock_of_the_one_before(&self, dialect: Dialect) -> Option<Statement> {
        let (run, number) = self.lock?;
        (dialect == Dialect::Postgres && self.before.is_some())
            .then(|| advisory_lock(run, number.wrapping_sub(1)))
    }

    /// Waits until the write before this one has ended: `Ok` once it committed, an
    /// error if it did not (this one must not commit then).
    pub(super) async fn the_one_before_committed(&mut self, context: &str) -> StoreResult<()> {
        let Some(before) = self.before.as_mut() else {
            return Ok(());
        };
        let ended = before
            .wait_for(|stage| matches!(stage, Stage::Committed | Stage::Failed))
            .await
            .map(|stage| *stage);
        match ended {
            Ok(Stage::Committed) => Ok(()),
            _ => Err(StoreError::Abandoned(context.to_string())),
        }
    }

    /// Tells the write after this one that this one committed.
    pub(super) fn committed(&self) {
        self.own.send_replace(Stage::Committed);
    }
}

impl Drop for WriteTurn {
    /// A write that ends without committing, by an error or dropped, fails the ones
    /// after it.
    fn drop(&mut self) {
        if *self.own.borrow() != Stage::Committed {
            self.own.send_replace(Stage::Failed);
        }
    }
}

/// Takes (or waits for) the advisory lock of a write until its transaction ends;
/// counted, as the lock itself returns nothing a row can hold.
fn advisory_lock(run: i32, number: i32) -> Statement {
    Statement::new(
        "SELECT count(*) FROM pg_advisory_xact_lock($1, $2)",
        params![run, number],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write commits after the one before it committed, and never after one that
    /// failed or was dropped; a write alone waits on nothing.
    #[tokio::test]
    async fn a_write_waits_for_the_one_before_and_fails_with_it() {
        use futures_util::FutureExt;
        let mut turns = WriteTurns::new();
        let first = turns.next_turn();
        let mut second = turns.next_turn();
        let mut third = turns.next_turn();
        assert!(second.lock_of_the_one_before(Dialect::Postgres).is_some());
        assert!(second.lock_of_the_one_before(Dialect::Sqlite).is_none());
        assert!(first.lock_of_the_one_before(Dialect::Postgres).is_none());
        // The second waits until the first has begun, then until it has ended.
        assert!(second
            .wait_for_the_one_before_to_begin()
            .now_or_never()
            .is_none());
        first.begun();
        second.wait_for_the_one_before_to_begin().await;
        assert!(second
            .the_one_before_committed("second")
            .now_or_never()
            .is_none());
        // Committed, then gone (as a write's turn is once it returns): still
        // committed for the one after it.
        first.committed();
        drop(first);
        assert!(second.the_one_before_committed("second").await.is_ok());
        // The second ends without committing: the third must not commit.
        drop(second);
        third.wait_for_the_one_before_to_begin().await;
        assert!(matches!(
            third.the_one_before_committed("third").await,
            Err(StoreError::Abandoned(_))
        ));

        let mut alone = WriteTurn::alone();
        assert!(alone.own_lock(Dialect::Postgres).is_none());
        alone.wait_for_the_one_before_to_begin().await;
        assert!(alone.the_one_before_committed("alone").await.is_ok());
    }
}
