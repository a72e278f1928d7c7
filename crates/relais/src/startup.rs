//! Builds the application from its settings: the seam that `relais serve`
//! and the tests share. A test builds an [`Application`] on port 0 with an
//! in-memory database and talks to it over real HTTP.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::Request;
use tokio::net::TcpListener;
use tower::Layer as _;

use crate::config::Settings;
use crate::conversation::Conversation;
use crate::directory::{self, Directory};
use crate::secret::ServerSecret;
use crate::sheets::Library;
use crate::storage::{self, Db, create_private_dir};
use crate::web::{self, AppState, RouteExample};

/// How often each instance checks whether the directory changed.
const DIRECTORY_CHECK: Duration = Duration::from_secs(5);

/// A built application, listening, not yet serving.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
    examples: Vec<RouteExample>,
    mailer: crate::referral::outbox::Mailer,
}

impl Application {
    /// Prepares the data directory, the secret and the database (applying
    /// migrations), then binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = storage::open_database(&settings).await?;
        let secret = load_secret(&settings)?;
        Self::build_with(settings, db, secret).await
    }

    /// Builds on a database and secret the caller prepared (tests share a
    /// PostgreSQL database this way).
    pub async fn build_with(
        settings: Settings,
        db: Db,
        secret: ServerSecret,
    ) -> anyhow::Result<Self> {
        if settings.load_demo {
            directory::load_demo_if_empty(&db).await?;
        }
        let directory_index = Arc::new(
            Directory::load(&db)
                .await
                .context("could not load the directory")?,
        );
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("could not listen on {}", settings.addr))?;
        let site = web::site();
        let examples = site.examples().to_vec();
        let sheets = Library::embedded().map_err(|problems| {
            anyhow::anyhow!("invalid information sheets:\n{}", problems.join("\n"))
        })?;
        let conversation = Conversation::national(&secret)?;
        let mailer = crate::referral::outbox::Mailer::from_settings(&settings)?;
        let state = AppState::new(
            settings,
            db,
            secret,
            directory_index,
            Arc::new(sheets),
            Arc::new(conversation),
        );
        state
            .referrals
            .refresh_receiving(&state.db)
            .await
            .context("could not read which organisations receive referrals")?;
        Ok(Self {
            listener,
            state,
            examples,
            mailer,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state, for tests that look behind the HTTP side.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Every route, with an address that reaches it.
    pub fn routes(&self) -> &[RouteExample] {
        &self.examples
    }

    /// Serves until `shutdown` completes, then finishes the requests in
    /// flight and closes the database.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Self {
            listener,
            state,
            examples: _,
            mailer,
        } = self;
        let db = state.db.clone();
        let background = [
            tokio::spawn(Arc::clone(&state.directory).keep_fresh(db.clone(), DIRECTORY_CHECK)),
            tokio::spawn(Arc::clone(&state.referrals).keep_fresh(db.clone(), DIRECTORY_CHECK)),
            tokio::spawn(crate::referral::outbox::run(state.clone(), mailer)),
            tokio::spawn(crate::referral::retention::run(state.clone())),
        ];
        let router = web::site().into_router(state);
        // The language prefix is taken off before routing: wrap the router.
        let app = axum::middleware::from_fn(web::layout::localize).layer(router);
        let service =
            axum::ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(app);
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        for task in background {
            task.abort();
        }
        db.close().await;
        Ok(())
    }
}

/// Reads the server secret, creating it (and the data directory) if needed.
pub fn load_secret(settings: &Settings) -> anyhow::Result<ServerSecret> {
    let path = settings.secret_path();
    if settings.secret_file.is_none() {
        create_private_dir(&settings.data_dir)?;
    }
    ServerSecret::load_or_create(&path)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("stopping: finishing the requests in flight");
}
