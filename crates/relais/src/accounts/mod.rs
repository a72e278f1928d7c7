//! Accounts in the back office: signing in (password, then a second factor),
//! invitations, the accounts screen of coordinators and administrators, and
//! `relais user …`.

pub mod commands;
pub mod password;
pub mod screens;
pub mod signin;
pub mod totp;

use std::sync::Arc;

use crate::directory::Directory;
use crate::web::Web;
use crate::web::clients::ClientCounts;

/// What the accounts' handlers reach.
#[derive(Clone, Debug)]
pub struct AccountsState {
    /// The toolkit's state.
    pub web: Web,
    /// The directory, for the organisations and territories of accounts.
    pub directory: Arc<Directory>,
    /// The key material for sealed tokens.
    pub secret: Arc<crate::secret::ServerSecret>,
    /// Failed sign-ins per client.
    pub sign_in_tries: Arc<ClientCounts>,
}

crate::capability_state!(AccountsState);
