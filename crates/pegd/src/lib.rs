//! The peg zone node as a library: node homes (`init`, `testnet`), the ABCI server and CometBFT
//! supervisor (`start`), the key ring, the CometBFT RPC client and the `tx` / `query` commands.
//! The `pegd` binary (`src/main.rs`) is the command line over it; the library exists so that the
//! fuzz targets and tests reach the parsers of outside data:
//! [`rpc::parse_http_response`], [`keys::decode_key_file`],
//! [`node::cometbft::edit_config_toml`].

pub mod cmd;
pub mod keys;
pub mod node;
pub mod rpc;
