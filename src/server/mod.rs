//! The report server: actix-web in front of per-organization actors.
//!
//! `Application::build` starts the shared actors (outside the per-worker
//! `HttpServer` factory, as actix requires), binds the listener and reports its
//! port, so tests can run it on port 0.

pub mod actors;
pub mod auth;
pub mod errors;
pub mod flags;
pub mod limits;
pub mod lists;
pub mod nightly;
pub mod observability;
pub(crate) mod paths;
pub mod reports;
pub mod routes;
pub mod usage_recorder;
pub mod view;

use crate::report::conversations::InboxLinks;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Addr};
use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{Server, Service, ServiceResponse};
use actix_web::http::{ConnectionType, Version};
use actix_web::middleware::{self, DefaultHeaders};
use actix_web::{web, App, HttpServer};

use crate::server::actors::{
    DatamartFetcher, Invalidate, OrgDependencies, OrgRegistry, ReportCache,
};
use crate::server::auth::TokenVerifier;
use crate::server::flags::{FlagHandle, FlagSupervisor};
use crate::server::observability::Metrics;
use crate::server::reports::AppState;
use crate::settings::Settings;
use crate::store::{self, Store};

/// How the server was started: production, or the demo with its sign-in page.
#[derive(Clone)]
pub enum Mode {
    Production,
    /// The demo: a sign-in page of demo users, signed with this secret.
    Demo {
        jwt_secret: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error("cannot open the database: {0}")]
    Store(#[from] store::StoreError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set up metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("cannot read the RS256 public key {path}: {source}")]
    KeyFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the RS256 public key {path} cannot be read: {source}")]
    Key {
        path: String,
        #[source]
        source: jsonwebtoken::errors::Error,
    },
}

/// A built, bound server, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    pub store: Arc<dyn Store>,
}

fn token_verifier(settings: &Settings, mode: &Mode) -> Result<TokenVerifier, StartError> {
    let max_lifetime = Duration::from_secs(settings.auth.max_token_lifetime_seconds.max(60));
    Ok(key_verifier(settings, mode)?.with_max_lifetime(max_lifetime))
}

/// The verifier for the configured key: the demo's secret, an RS256 public key, or
/// the shared HS256 secret.
fn key_verifier(settings: &Settings, mode: &Mode) -> Result<TokenVerifier, StartError> {
    if let Mode::Demo { jwt_secret } = mode {
        return Ok(TokenVerifier::hs256(
            jwt_secret,
            user_hasher(settings, Some(jwt_secret))?,
        ));
    }
    let secret = settings.auth.jwt_secret.trim();
    let secret_ok = secret.len() >= 16;
    let key_path = settings.auth.jwt_public_key_path.trim();
    if !key_path.is_empty() {
        let pem = std::fs::read(key_path).map_err(|source| StartError::KeyFile {
            path: key_path.to_string(),
            source,
        })?;
        let users = user_hasher(settings, secret_ok.then_some(secret))?;
        return TokenVerifier::rs256(&pem, users).map_err(|source| StartError::Key {
            path: key_path.to_string(),
            source,
        });
    }
    if !secret_ok {
        return Err(StartError::Config(
            "set IMPACT__AUTH__JWT_SECRET (at least 16 characters, shared with the host web admin) \
             or IMPACT__AUTH__JWT_PUBLIC_KEY_PATH (an RS256 public key)"
                .into(),
        ));
    }
    Ok(TokenVerifier::hs256(
        secret,
        user_hasher(settings, Some(secret))?,
    ))
}

/// The key the usage rows hash users with: `usage.user_hash_secret` (at least 16
/// characters); else one derived from the HS256 secret; else, with recording off,
/// a key of this process's own, never stored. A public key is no secret to hash
/// with, so RS256 alone with recording on refuses to start.
fn user_hasher(
    settings: &Settings,
    hs256_secret: Option<&str>,
) -> Result<crate::usage::UserHasher, StartError> {
    let configured = settings.usage.user_hash_secret.trim();
    if !configured.is_empty() {
        if configured.len() < 16 {
            return Err(StartError::Config(
                "IMPACT__USAGE__USER_HASH_SECRET must have at least 16 characters".into(),
            ));
        }
        return Ok(crate::usage::UserHasher::new(configured.as_bytes()));
    }
    if let Some(secret) = hs256_secret {
        return Ok(crate::usage::UserHasher::derived_from(secret));
    }
    if !settings.usage.enabled {
        return crate::usage::UserHasher::random()
            .map_err(|e| StartError::Config(format!("no randomness for a key: {e}")));
    }
    Err(StartError::Config(
        "with an RS256 key, set IMPACT__USAGE__USER_HASH_SECRET (at least 16 characters): \
         the key the usage rows hash users with"
            .into(),
    ))
}

/// HTTP/1.0 has no chunked framing: a client of that version reads a body of
/// unknown length until the connection closes. actix-http chunks a streamed body
/// (a download) whatever the request's version, so for such a client a streamed
/// body is sent as it is and the connection closed after it. Bodies of known length
/// carry `Content-Length` and keep the connection as the client asked.
fn http10_framing<B: MessageBody>(mut response: ServiceResponse<B>) -> ServiceResponse<B> {
    if response.request().version() == Version::HTTP_10
        && response.response().body().size() == BodySize::Stream
    {
        let head = response.response_mut().head_mut();
        head.no_chunking(true);
        head.set_connection_type(ConnectionType::Close);
    }
    response
}

/// The flags as the file has them now (every flag off while it cannot be read),
/// and the supervisor that follows the file from then on. A file that names a flag
/// or section the product does not know is a typo someone must fix: the server
/// refuses to start on it.
fn start_flags(settings: &Settings, metrics: &Arc<Metrics>) -> Result<FlagHandle, StartError> {
    let initial_flags = match flags::load(&settings.flags.path) {
        Ok(flags) => flags,
        Err(error) if error.names_unknown() => {
            return Err(StartError::Config(format!(
                "the flags file (flags.path, IMPACT__FLAGS__PATH) is refused: {error}"
            )));
        }
        Err(error) => {
            // Start with everything off rather than not at all; the supervisor
            // picks up the file as soon as it becomes valid.
            tracing::error!(error = %error, "the flags file cannot be read; every flag is off until it can");
            metrics.flag_reloads.with_label_values(&["error"]).inc();
            metrics.flags_file_refused.set(1);
            flags::Flags::default()
        }
    };
    let flag_handle = FlagHandle::new(initial_flags);
    FlagSupervisor::new(
        settings.flags.path.clone(),
        flag_handle.clone(),
        Arc::clone(metrics),
    )
    .start();
    Ok(flag_handle)
}

/// Drops cached reports when another instance changes an organization's data
/// (assumption saves, aggregations), for as long as the server runs.
async fn follow_other_instances(
    store: &dyn crate::store::CoordinationStore,
    registry: &Addr<OrgRegistry>,
) -> Result<(), StartError> {
    if let Some(mut changes) = store.subscribe().await? {
        let registry = registry.clone();
        actix_web::rt::spawn(async move {
            while let Some(change) = changes.recv().await {
                match change.org_id().map(crate::domain::OrgId::parse) {
                    Some(Ok(org)) => registry.do_send(Invalidate(Some(vec![org]))),
                    Some(Err(_)) => tracing::warn!(
                        ?change,
                        "ignored a change notice without a valid organization"
                    ),
                    // Notices may have been missed: every cached report may be stale.
                    None => {
                        tracing::info!("the change listener is back; dropping every cached report");
                        registry.do_send(Invalidate(None));
                    }
                }
            }
        });
    }
    Ok(())
}

/// The listener on the configured address, and the port it got (any, for port 0).
fn bind(settings: &Settings) -> Result<(TcpListener, u16), StartError> {
    let address = format!("{}:{}", settings.server.host, settings.server.port);
    let listener = TcpListener::bind(&address).map_err(|source| StartError::Bind {
        address: address.clone(),
        source,
    })?;
    let port = listener
        .local_addr()
        .map_err(|source| StartError::Bind { address, source })?
        .port();
    Ok((listener, port))
}

/// `server.business_hours_url`: empty, or an `http(s)://` address with no quote or
/// control character, since the page puts it in a link. Anything else stops the
/// server at start, saying so.
fn host_page(url: &str) -> Result<Option<String>, StartError> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(None);
    }
    if let Some(problem) = crate::text::link_problem(url) {
        return Err(StartError::Config(format!(
            "server.business_hours_url {problem}, not '{}'",
            crate::text::excerpt(url)
        )));
    }
    Ok(Some(url.to_string()))
}

impl Application {
    /// Must run inside an actix `System`.
    pub async fn build(settings: Settings, mode: Mode) -> Result<Self, StartError> {
        let verifier = Arc::new(token_verifier(&settings, &mode)?);
        let inbox = InboxLinks::new(Some(&settings.server.inbox_url_template))
            .map_err(StartError::Config)?;
        let metrics = Metrics::new()?;
        // Shared by every worker, so the bound is the server's.
        let downloads = Arc::new(crate::server::limits::DownloadLimit::new(
            settings.server.downloads_at_once(),
            settings.server.download_send_timeout(),
        ));
        let store = store::open(&settings.database_url(), settings.database.pool_size).await?;

        let flag_handle = start_flags(&settings, &metrics)?;

        // The fetcher only reads what reports are made of.
        let report_reads: Arc<dyn store::ReportStore> =
            Arc::clone(&store) as Arc<dyn store::ReportStore>;
        let fetcher = DatamartFetcher::new(Arc::clone(&report_reads), Arc::clone(&metrics)).start();
        let registry = OrgRegistry::new(
            OrgDependencies {
                store: Arc::clone(&store),
                fetcher,
                metrics: Arc::clone(&metrics),
                fetch: settings.fetch.clone(),
                cache: ReportCache::new(
                    settings.server.cache_max_megabytes * 1024 * 1024,
                    Duration::from_secs(settings.server.cache_ttl_seconds.max(1)),
                ),
            },
            Duration::from_secs(settings.server.org_idle_seconds.max(1)),
        )
        .start();

        actix_web::rt::spawn(observability::watch_datamart(
            Arc::clone(&store),
            Arc::clone(&metrics),
        ));
        let usage = if settings.usage.enabled {
            crate::server::usage_recorder::Recorder::start(
                Arc::clone(&store) as Arc<dyn store::UsageStore>,
                crate::server::usage_recorder::RecorderSettings {
                    queue: settings.usage.queue(),
                    flush_every: settings.usage.flush_every(),
                },
                Arc::new(chrono::Utc::now),
                Arc::clone(&metrics) as Arc<dyn crate::server::usage_recorder::RecorderOutcome>,
            )
        } else {
            crate::server::usage_recorder::Recorder::off(
                Arc::clone(&metrics) as Arc<dyn crate::server::usage_recorder::RecorderOutcome>
            )
        };

        follow_other_instances(store.as_ref(), &registry).await?;
        if settings.nightly.enabled {
            nightly::NightlyScheduler::new(
                settings.clone(),
                Arc::clone(&store),
                registry.clone(),
                Arc::clone(&metrics),
            )
            .map_err(StartError::Config)?
            .start();
        }

        let state = web::Data::new(AppState {
            registry: registry.clone(),
            flags: flag_handle,
            store: Arc::clone(&store),
            metrics: Arc::clone(&metrics),
            policy: Arc::new(settings.report.clone()),
            cookie_secure: settings.server.cookie_secure,
            inbox,
            business_hours_url: host_page(&settings.server.business_hours_url)?,
            downloads: Arc::clone(&downloads),
            usage,
        });
        let verifier = web::Data::new(verifier);
        let demo = match &mode {
            Mode::Demo { jwt_secret } => Some(web::Data::new(routes::demo::DemoSignIn::new(
                jwt_secret.clone(),
            ))),
            Mode::Production => None,
        };

        let (listener, port) = bind(&settings)?;
        let body_timeout = Duration::from_millis(settings.server.body_timeout_ms.max(1));
        let server = HttpServer::new(move || {
            let metrics = state.metrics.clone();
            let mut app = App::new()
                .app_data(state.clone())
                .app_data(verifier.clone())
                .app_data(web::PayloadConfig::new(limits::MAX_BODY_BYTES))
                .wrap(middleware::from_fn(errors::shape_errors))
                .wrap(middleware::from_fn(move |request, next| {
                    limits::body_deadline(body_timeout, request, next)
                }))
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .wrap(middleware::from_fn(move |request, next| {
                    observability::timed(metrics.clone(), request, next)
                }))
                // Outermost, so that it sees every answer as it goes out.
                .wrap_fn(|request, service| {
                    let response = service.call(request);
                    async move { Ok(http10_framing(response.await?)) }
                })
                .configure(routes::operations::routes)
                .configure(routes::api::routes)
                .configure(routes::lists::routes)
                .configure(routes::sign_in::routes)
                .configure(routes::page::routes);
            if let Some(demo) = &demo {
                app = app.app_data(demo.clone()).configure(routes::demo::routes);
            }
            app
        })
        .max_connections(settings.server.max_connections_per_worker.max(1))
        .listen(listener)
        .map_err(|source| StartError::Bind {
            address: "the listener".into(),
            source,
        })?
        .shutdown_timeout(10)
        .run();
        Ok(Self {
            port,
            server,
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is asked to stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The running server, to be spawned (tests).
    pub fn into_server(self) -> Server {
        self.server
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_business_hours_page_is_a_web_address_or_nothing() {
        assert!(matches!(host_page("  "), Ok(None)));
        let page = host_page(" https://admin.example/hours ");
        assert!(matches!(page, Ok(Some(url)) if url == "https://admin.example/hours"));
        for bad in [
            "javascript:alert(1)",
            "admin.example/hours",
            "https://a\"b",
            "https://a\u{7}b",
        ] {
            assert!(
                matches!(host_page(bad), Err(StartError::Config(_))),
                "{bad}"
            );
        }
    }
}
