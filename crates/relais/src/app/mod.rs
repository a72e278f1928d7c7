//! The application, on top of everything: its state, every route
//! registered in one place from each capability's, the background tasks,
//! and the seam that `relais serve` and the tests share. A test builds an
//! [`Application`] on port 0 with an in-memory database and talks to it
//! over real HTTP.
//!
//! Capabilities never see [`AppState`]: each has a state of its own (the
//! pieces it reaches, and the toolkit's [`Web`]), given to its routes here.

pub mod demo;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::Request;
use tokio::net::TcpListener;
use tower::Layer as _;

use crate::accounts::AccountsState;
use crate::backoffice::{Screen, Screens};
use crate::config::Settings;
use crate::conversation::{Conversation, ConversationState};
use crate::directory::{self, Directory, DirectoryState};
use crate::referral::{ReferralState, Referrals};
use crate::secret::ServerSecret;
use crate::sheets::{Library, SheetsState};
use crate::storage::{self, Db, create_private_dir};
use crate::web::clients::ClientCounts;
use crate::web::{self, RouteExample, Site, Web};

/// The state of the whole application: the toolkit's, and each
/// capability's pieces. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The toolkit's state: settings, database, assets, limits.
    pub web: Web,
    /// The key material for sealed tokens.
    pub secret: Arc<ServerSecret>,
    /// The directory and its orientation index.
    pub directory: Arc<Directory>,
    /// The information sheets.
    pub sheets: Arc<Library>,
    /// The help conversation's flow and token sealer.
    pub conversation: Arc<Conversation>,
    /// Referrals: receipts, the outbox's bell, who can receive.
    pub referrals: Arc<Referrals>,
    /// Failed sign-ins per client.
    pub sign_in_tries: Arc<ClientCounts>,
    /// Live help: who is on duty, the queues, the conversations.
    pub live: Arc<crate::live::Live>,
}

crate::capability_state!(AppState);

impl AppState {
    /// Assembles the state from its parts.
    pub fn new(
        settings: Settings,
        db: Db,
        secret: ServerSecret,
        directory: Arc<Directory>,
        sheets: Arc<Library>,
        conversation: Arc<Conversation>,
    ) -> Self {
        let referrals = Arc::new(Referrals::new(
            &secret,
            settings.referrals_per_client_per_hour,
        ));
        let entries = Box::new(TerritoryEntries {
            directory: Arc::clone(&directory),
            fallback: settings.neutral_url.clone(),
        });
        let live = Arc::new(crate::live::Live::new(&db, &secret, &settings));
        Self {
            live,
            web: Web::new(settings, db, entries),
            secret: Arc::new(secret),
            directory,
            sheets,
            conversation,
            referrals,
            sign_in_tries: Arc::new(crate::accounts::signin::sign_in_tries()),
        }
    }

    fn directory_state(&self) -> DirectoryState {
        DirectoryState {
            web: self.web.clone(),
            directory: Arc::clone(&self.directory),
        }
    }

    fn sheets_state(&self) -> SheetsState {
        SheetsState {
            web: self.web.clone(),
            directory: Arc::clone(&self.directory),
            sheets: Arc::clone(&self.sheets),
        }
    }

    fn conversation_state(&self) -> ConversationState {
        ConversationState {
            web: self.web.clone(),
            directory: Arc::clone(&self.directory),
            conversation: Arc::clone(&self.conversation),
            recipients: Arc::clone(&self.referrals) as Arc<dyn crate::conversation::Recipients>,
            live: Arc::new(crate::live::offer::Offers {
                live: Arc::clone(&self.live),
                directory: Arc::clone(&self.directory),
            }),
        }
    }

    /// Live help's state, for its routes, screens and upkeep.
    pub fn live_state(&self) -> crate::live::LiveState {
        crate::live::LiveState {
            web: self.web.clone(),
            directory: Arc::clone(&self.directory),
            conversation: Arc::clone(&self.conversation),
            live: Arc::clone(&self.live),
            referrals: Arc::clone(&self.referrals),
            secret: Arc::clone(&self.secret),
        }
    }

    /// The referrals' state, for their handlers and the outbox.
    pub fn referral_state(&self) -> ReferralState {
        ReferralState {
            web: self.web.clone(),
            directory: Arc::clone(&self.directory),
            conversation: Arc::clone(&self.conversation),
            referrals: Arc::clone(&self.referrals),
            secret: Arc::clone(&self.secret),
        }
    }

    fn overview_state(&self) -> crate::overview::OverviewState {
        crate::overview::OverviewState {
            web: self.web.clone(),
            directory: Arc::clone(&self.directory),
            sheets: Arc::clone(&self.sheets),
        }
    }

    fn accounts_state(&self) -> AccountsState {
        AccountsState {
            web: self.web.clone(),
            directory: Arc::clone(&self.directory),
            secret: Arc::clone(&self.secret),
            sign_in_tries: Arc::clone(&self.sign_in_tries),
        }
    }
}

/// The territories' entries, as the directory knows them.
struct TerritoryEntries {
    directory: Arc<Directory>,
    fallback: String,
}

impl web::Entries for TerritoryEntries {
    fn by_host(&self, host: &str) -> Option<String> {
        self.directory
            .index()
            .territory_of_host(host)
            .map(|t| t.slug.to_string())
    }

    fn exists(&self, slug: &str) -> bool {
        self.directory.index().territory(slug).is_some()
    }

    /// The neutral site of the entry's territory, else of the only
    /// territory this instance serves (suspended or not: the person may
    /// know that site), else the server's setting. (On the national entry
    /// of several territories the page cannot know the person's, and must
    /// not ask.)
    fn exit_url(&self, territory: Option<&str>) -> String {
        let index = self.directory.index();
        index
            .page_territory(territory)
            .and_then(|t| t.neutral_url.clone())
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| self.fallback.clone())
    }
}

/// Every route of the application, the one place where each capability's
/// routes are registered: the public site, the back office's open screens
/// (signing in), and its guarded screens (behind a complete session).
pub struct Routes {
    /// The public site.
    pub site: Site,
    /// Signing in: open to anyone.
    pub open: Screens,
    /// Behind a complete session.
    pub guarded: Screens,
}

impl Routes {
    /// Every route, each capability's with its state.
    pub fn of(state: &AppState) -> Self {
        Self::assemble(Some(state))
    }

    /// Every route without its handlers: the list alone, for tools that
    /// read it without serving (`cargo xtask stall` finds the forms so).
    pub fn listed() -> Self {
        Self::assemble(None)
    }

    /// The one place where each capability's routes are registered.
    fn assemble(state: Option<&AppState>) -> Self {
        let site = Site::new()
            .merge(
                web::pages::routes(Site::new()),
                state.map(|s| s.web.clone()),
            )
            .merge(
                crate::conversation::routes::routes(Site::new()),
                state.map(AppState::conversation_state),
            )
            .merge(
                directory::routes::routes(Site::new()),
                state.map(AppState::directory_state),
            )
            .merge(
                directory::voice::routes(Site::new()),
                state.map(AppState::directory_state),
            )
            .merge(
                crate::referral::public::routes(Site::new()),
                state.map(AppState::referral_state),
            )
            .merge(
                crate::sheets::routes::routes(Site::new()),
                state.map(AppState::sheets_state),
            )
            .merge(
                crate::live::person::routes(Site::new()),
                state.map(AppState::live_state),
            );
        let open = Screens::new().merge(
            crate::accounts::signin::screens(Screens::new()),
            state.map(AppState::accounts_state),
        );
        let guarded = Screens::new()
            .merge(
                crate::overview::screens(Screens::new()),
                state.map(AppState::overview_state),
            )
            .merge(
                directory::screens::screens(Screens::new()),
                state.map(AppState::directory_state),
            )
            .merge(
                crate::accounts::screens::screens(Screens::new()),
                state.map(AppState::accounts_state),
            )
            .merge(
                crate::sheets::screens::screens(Screens::new()),
                state.map(AppState::sheets_state),
            )
            .merge(
                crate::conversation::screens::screens(Screens::new()),
                state.map(AppState::conversation_state),
            )
            .merge(
                crate::referral::pro::screens(Screens::new()),
                state.map(AppState::referral_state),
            )
            .merge(
                crate::live::console::screens(Screens::new()),
                state.map(AppState::live_state),
            );
        Self {
            site,
            open,
            guarded,
        }
    }

    /// The whole router: the public site's layers over its routes, the
    /// back office's below them.
    pub fn into_router(self, web: Web) -> axum::Router {
        let back_office = crate::backoffice::router(web.clone(), self.open, self.guarded);
        self.site.into_router(
            web,
            back_office,
            crate::accounts::signin::PRIVATE_PATHS,
            vec![crate::backoffice::ERROR_PAGES],
        )
    }
}

/// How often each instance checks whether the directory changed.
const DIRECTORY_CHECK: Duration = Duration::from_secs(5);
/// How often each instance checks whether a territory published a
/// questionnaire: a publication reaches every instance within this.
const FLOWS_CHECK: Duration = Duration::from_secs(2);

/// A built application, listening, not yet serving.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
    examples: Vec<RouteExample>,
    open_screens: Vec<Screen>,
    screens: Vec<Screen>,
    mailer: crate::referral::outbox::Mailer,
}

impl Application {
    /// Prepares the data directory, the secret and the database (applying
    /// migrations), then binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = storage::open_or_create_database(&settings).await?;
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
        let sheets = Library::embedded().map_err(|problems| {
            anyhow::anyhow!("invalid information sheets:\n{}", problems.join("\n"))
        })?;
        let conversation = Conversation::national(&secret)?;
        conversation
            .refresh(&db, true)
            .await
            .context("could not load the territories' questionnaires")?;
        let mailer = crate::referral::outbox::Mailer::from_settings(&settings)?;
        let state = AppState::new(
            settings,
            db,
            secret,
            directory_index,
            Arc::new(sheets),
            Arc::new(conversation),
        );
        state.web.set_demo(
            storage::demo::is_demo(&state.db)
                .await
                .context("could not read whether the database is a demonstration")?,
        );
        state
            .referrals
            .refresh_receiving(&state.db)
            .await
            .context("could not read which organisations receive referrals")?;
        let routes = Routes::of(&state);
        let examples = routes.site.examples().to_vec();
        let open_screens = routes.open.list().to_vec();
        let screens = routes.guarded.list().to_vec();
        Ok(Self {
            listener,
            state,
            examples,
            open_screens,
            screens,
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

    /// Every back-office route that needs a signed-in account.
    pub fn guarded_screens(&self) -> &[Screen] {
        &self.screens
    }

    /// Every back-office route of signing in, open to anyone.
    pub fn open_screens(&self) -> &[Screen] {
        &self.open_screens
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
            open_screens: _,
            screens: _,
            mailer,
        } = self;
        let db = state.db.clone();
        let background = [
            tokio::spawn(Arc::clone(&state.directory).keep_fresh(db.clone(), DIRECTORY_CHECK)),
            tokio::spawn(Arc::clone(&state.referrals).keep_fresh(db.clone(), DIRECTORY_CHECK)),
            tokio::spawn(Arc::clone(&state.conversation).keep_fresh(db.clone(), FLOWS_CHECK)),
            tokio::spawn(crate::referral::outbox::run(state.referral_state(), mailer)),
            tokio::spawn(crate::referral::retention::run(state.referral_state())),
            tokio::spawn(state.live_state().run()),
        ];
        let router = Routes::of(&state).into_router(state.web.clone());
        // The entry's and the language's prefixes are taken off before
        // routing: wrap the router.
        let app = axum::middleware::from_fn_with_state(state.web.clone(), web::layout::localize)
            .layer(router);
        let service =
            axum::ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(app);
        // Live pages and sockets stay open: they are told to end when the
        // instance stops, so that the requests in flight can finish.
        let live = Arc::clone(&state.live);
        let shutdown = async move {
            shutdown.await;
            live.close();
        };
        // Small frames go out at once: with Nagle's algorithm, a live
        // message written just after another waited for the peer's
        // delayed acknowledgement, up to 40 ms.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY");
            }
        });
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
