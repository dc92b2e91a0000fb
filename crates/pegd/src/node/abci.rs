//! The ABCI server side: peg-app's [`App`] behind one mutex, served by `tendermint-abci` 0.41
//! (synchronous, one thread per CometBFT connection: consensus, mempool, query, snapshot).
//!
//! Failure rule: an `Err` from the application (store failure, corruption, a call out of order)
//! or a panic inside it must never turn into an answer CometBFT would act on (a wrong app hash
//! forks the node off the network). The connection thread reports the failure to the supervisor
//! and then never answers; the supervisor stops CometBFT and exits non-zero. Committed state is
//! crash-safe (peg-store), so the restart replays from the last commit.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard};

use peg_app::tendermint_proto::v0_38::abci::{
    RequestCheckTx, RequestExtendVote, RequestFinalizeBlock, RequestInfo, RequestInitChain,
    RequestPrepareProposal, RequestProcessProposal, RequestQuery, RequestVerifyVoteExtension,
    ResponseCheckTx, ResponseCommit, ResponseExtendVote, ResponseFinalizeBlock, ResponseInfo,
    ResponseInitChain, ResponsePrepareProposal, ResponseProcessProposal, ResponseQuery,
    ResponseVerifyVoteExtension,
};
use peg_app::{App, AppError};

/// Why the node must stop, as reported to the supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FatalError {
    /// The ABCI call.
    pub call: &'static str,
    /// What went wrong.
    pub reason: String,
}

/// The [`tendermint_abci::Application`] handed to the server: cheap to clone (one clone per
/// connection), all clones share one [`App`].
#[derive(Debug, Clone)]
pub struct AbciApp {
    app: Arc<Mutex<App>>,
    fatal: Sender<FatalError>,
}

impl AbciApp {
    /// Wraps `app`; fatal failures are sent on `fatal`.
    pub fn new(app: App, fatal: Sender<FatalError>) -> Self {
        Self { app: Arc::new(Mutex::new(app)), fatal }
    }

    /// The shared application (the supervisor takes the lock at shutdown so that no call is in
    /// flight when the process exits).
    pub fn shared(&self) -> Arc<Mutex<App>> {
        Arc::clone(&self.app)
    }

    /// Reports a fatal failure and blocks this connection forever: no answer reaches CometBFT.
    fn halt(&self, call: &'static str, reason: String) -> ! {
        tracing::error!(call, %reason, "fatal application error: stopping the node");
        // The supervisor may already be gone (shutting down): nothing else to do then.
        let _ = self.fatal.send(FatalError { call, reason });
        loop {
            std::thread::park();
        }
    }

    fn lock(&self, call: &'static str) -> MutexGuard<'_, App> {
        match self.app.lock() {
            Ok(guard) => guard,
            Err(_) => self.halt(call, "the application panicked in an earlier call".to_owned()),
        }
    }

    /// Runs `f` on the locked app; an `Err` is fatal.
    fn call<T>(&self, call: &'static str, f: impl FnOnce(&mut App) -> Result<T, AppError>) -> T {
        let result = {
            let mut guard = self.lock(call);
            f(&mut guard)
        };
        match result {
            Ok(value) => value,
            Err(error) => self.halt(call, error.to_string()),
        }
    }
}

impl tendermint_abci::Application for AbciApp {
    fn info(&self, request: RequestInfo) -> ResponseInfo {
        self.call("Info", |app| app.info(&request))
    }

    fn init_chain(&self, request: RequestInitChain) -> ResponseInitChain {
        self.call("InitChain", |app| app.init_chain(&request))
    }

    fn query(&self, request: RequestQuery) -> ResponseQuery {
        self.call("Query", |app| Ok(app.query(&request)))
    }

    fn check_tx(&self, request: RequestCheckTx) -> ResponseCheckTx {
        self.call("CheckTx", |app| Ok(app.check_tx(&request)))
    }

    fn commit(&self) -> ResponseCommit {
        self.call("Commit", App::commit)
    }

    fn prepare_proposal(&self, request: RequestPrepareProposal) -> ResponsePrepareProposal {
        self.call("PrepareProposal", |app| app.prepare_proposal(&request))
    }

    fn process_proposal(&self, request: RequestProcessProposal) -> ResponseProcessProposal {
        self.call("ProcessProposal", |app| app.process_proposal(&request))
    }

    fn extend_vote(&self, request: RequestExtendVote) -> ResponseExtendVote {
        self.call("ExtendVote", |app| app.extend_vote(&request))
    }

    fn verify_vote_extension(
        &self,
        request: RequestVerifyVoteExtension,
    ) -> ResponseVerifyVoteExtension {
        self.call("VerifyVoteExtension", |app| app.verify_vote_extension(&request))
    }

    fn finalize_block(&self, request: RequestFinalizeBlock) -> ResponseFinalizeBlock {
        self.call("FinalizeBlock", |app| app.finalize_block(&request))
    }
}
