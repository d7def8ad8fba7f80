//! `OrgRegistry`: starts an `OrgActor` per organization on first use and lets it go
//! after an idle period, so memory stays bounded with thousands of tenants.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix::prelude::*;

use crate::domain::OrgId;

use super::{OrgActor, OrgDependencies, Refresh};

struct Entry {
    address: Addr<OrgActor>,
    last_used: Instant,
}

pub struct OrgRegistry {
    deps: OrgDependencies,
    idle: Duration,
    orgs: HashMap<OrgId, Entry>,
}

impl OrgRegistry {
    pub fn new(deps: OrgDependencies, idle: Duration) -> Self {
        Self {
            deps,
            idle,
            orgs: HashMap::new(),
        }
    }

    /// Shows how many organizations have a live actor (`impact_organization_actors`).
    fn count_actors(&self) {
        self.deps
            .metrics
            .organization_actors
            .set(i64::try_from(self.orgs.len()).unwrap_or(i64::MAX));
    }
}

impl Actor for OrgRegistry {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        let every = (self.idle / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
        ctx.run_interval(every, |registry, _| {
            let idle = registry.idle;
            // Dropping the last address stops the actor and frees its cache.
            registry
                .orgs
                .retain(|_, entry| entry.last_used.elapsed() < idle);
            registry.count_actors();
        });
    }
}

/// The actor of one organization, started if needed.
#[derive(Message)]
#[rtype(result = "Addr<OrgActor>")]
pub struct ActorFor(pub OrgId);

impl Handler<ActorFor> for OrgRegistry {
    type Result = MessageResult<ActorFor>;

    fn handle(&mut self, ActorFor(org): ActorFor, _: &mut Self::Context) -> Self::Result {
        let deps = &self.deps;
        let entry = self.orgs.entry(org.clone()).or_insert_with(|| Entry {
            address: OrgActor::new(org, deps.clone()).start(),
            last_used: Instant::now(),
        });
        entry.last_used = Instant::now();
        let address = entry.address.clone();
        self.count_actors();
        MessageResult(address)
    }
}

/// Data changed: drop the caches of these organizations (or of all).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Invalidate(pub Option<Vec<OrgId>>);

impl Handler<Invalidate> for OrgRegistry {
    type Result = ();

    fn handle(&mut self, Invalidate(orgs): Invalidate, _: &mut Self::Context) {
        match orgs {
            Some(orgs) => {
                for org in orgs {
                    if let Some(entry) = self.orgs.get(&org) {
                        entry.address.do_send(Refresh);
                    }
                }
            }
            None => {
                for entry in self.orgs.values() {
                    entry.address.do_send(Refresh);
                }
            }
        }
    }
}
