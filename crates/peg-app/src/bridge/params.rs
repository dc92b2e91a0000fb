//! Bridge parameters: `app_state.bridge` in the genesis, stored at `bridge/params`
//! (`specs/bridge-module.md` §1).

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Largest `max_batch_transfers`: a batch of this many transfers stays well under an Ethereum
/// block's gas (about 30k gas per transfer).
pub const MAX_BATCH_TRANSFERS_LIMIT: u32 = 1000;

/// The bridge parameters; every field is optional in the genesis (its default applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BridgeParams {
    /// Seconds from the batch's creation (block time) to its Ethereum timeout.
    pub batch_timeout_secs: u64,
    /// Most transfers in one batch.
    pub max_batch_transfers: u32,
    /// Most pending batches per token (`MsgRequestBatch` is refused beyond).
    pub max_pending_batches_per_token: u32,
}

impl Default for BridgeParams {
    fn default() -> Self {
        Self {
            batch_timeout_secs: 3600,
            max_batch_transfers: 100,
            max_pending_batches_per_token: 8,
        }
    }
}

impl BridgeParams {
    /// Positive values, batch size at most [`MAX_BATCH_TRANSFERS_LIMIT`].
    pub fn validate(&self) -> Result<(), AppError> {
        let g = |m: String| AppError::Genesis(format!("app_state.bridge: {m}"));
        if self.batch_timeout_secs == 0 {
            return Err(g("batch_timeout_secs must be positive".into()));
        }
        if self.max_batch_transfers == 0 || self.max_batch_transfers > MAX_BATCH_TRANSFERS_LIMIT {
            return Err(g(format!(
                "max_batch_transfers {} must be 1 to {MAX_BATCH_TRANSFERS_LIMIT}",
                self.max_batch_transfers
            )));
        }
        if self.max_pending_batches_per_token == 0 {
            return Err(g("max_pending_batches_per_token must be positive".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_partial_objects() -> Result<(), Box<dyn std::error::Error>> {
        let p: BridgeParams = serde_json::from_str("{}")?;
        assert_eq!(p, BridgeParams::default());
        let p: BridgeParams = serde_json::from_str(r#"{"batch_timeout_secs": 60}"#)?;
        assert_eq!(p.batch_timeout_secs, 60);
        assert_eq!(p.max_batch_transfers, 100);
        assert!(serde_json::from_str::<BridgeParams>(r#"{"other": 1}"#).is_err());
        assert!(BridgeParams { batch_timeout_secs: 0, ..p }.validate().is_err());
        assert!(BridgeParams { max_batch_transfers: 1001, ..p }.validate().is_err());
        assert!(BridgeParams { max_pending_batches_per_token: 0, ..p }.validate().is_err());
        p.validate()?;
        Ok(())
    }
}
