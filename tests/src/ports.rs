//! Free loopback ports. A port is "free" when it can be bound right now; the caller binds it
//! soon after, and the ranges are chosen at random so parallel test runs rarely collide.

use std::net::{Ipv4Addr, TcpListener};

use crate::{HarnessError, Result};

/// Whether `port` can be bound on 127.0.0.1 now.
pub fn is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// One free port chosen by the kernel.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// A base port `b` such that `b + 10 i + k` is free for every `i < nodes` and `k < 10`: the
/// layout of `pegd testnet --base-port` (node `i`: P2P `+0`, RPC `+1`, ABCI `+2`), with room.
pub fn free_node_range(nodes: usize) -> Result<u16> {
    let span = u16::try_from(nodes.saturating_mul(10)).map_err(|_| too_many(nodes))?;
    // Below the kernel's ephemeral range: a port there can be taken at any moment by an outgoing
    // connection's source port (seen in CI: the relayer's metrics port, free when checked, was
    // in use a few seconds later).
    let ceiling = ephemeral_range_start().saturating_sub(span);
    let window = ceiling.saturating_sub(RANGE_FLOOR).max(10);
    for _ in 0..64 {
        // The kernel's ephemeral choice is a cheap source of randomness; on a multiple of 10 for
        // readable logs.
        let seed = free_port()?;
        let base = RANGE_FLOOR + (seed % window) / 10 * 10;
        if base.checked_add(span).is_none_or(|end| end > ephemeral_range_start()) {
            continue;
        }
        if (0..span).all(|offset| is_free(base + offset)) {
            return Ok(base);
        }
    }
    Err(HarnessError::Setup {
        what: format!("finding {span} consecutive free loopback ports"),
        reason: "64 attempts found none".into(),
    })
}

/// Lowest base port handed out.
const RANGE_FLOOR: u16 = 20_000;

/// First port of the kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`;
/// Linux's default 32768 when unreadable).
fn ephemeral_range_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .filter(|start| *start > RANGE_FLOOR + 1_000)
        .unwrap_or(32_768)
}

fn too_many(nodes: usize) -> HarnessError {
    HarnessError::Setup {
        what: format!("{nodes} nodes"),
        reason: "too many for one port range".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_free_and_a_bound_port_is_not() {
        let base = free_node_range(4).expect("a free range");
        assert!((0..40).all(|o| is_free(base + o)));
        assert!(base >= RANGE_FLOOR && base + 40 <= ephemeral_range_start(), "{base}");
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, base)).expect("bind");
        assert!(!is_free(base));
        drop(listener);
    }
}
