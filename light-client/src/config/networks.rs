//! Built-in network configurations.
//!
//! Sources: `configs/mainnet.yaml` of ethereum/consensus-specs, `metadata/config.yaml` and
//! `metadata/genesis_validators_root.txt` of eth-clients/sepolia and eth-clients/hoodi.
//! A fork not yet scheduled on a network is at [`FAR_FUTURE_EPOCH`]; once it is scheduled, pass
//! the network's `config.yaml` instead (or update this table through a reviewed change).

use alloy_primitives::{b256, fixed_bytes};

use super::{BlobScheduleEntry, ChainConfig, ForkSchedule, FAR_FUTURE_EPOCH};

fn blobs(entries: &[(u64, u64)]) -> Vec<BlobScheduleEntry> {
    entries
        .iter()
        .map(|&(epoch, max_blobs_per_block)| BlobScheduleEntry { epoch, max_blobs_per_block })
        .collect()
}

fn schedule(entries: [([u8; 4], u64); 8]) -> [ForkSchedule; 8] {
    entries.map(|(version, epoch)| ForkSchedule { version: version.into(), epoch })
}

pub(super) fn mainnet() -> ChainConfig {
    ChainConfig {
        name: "mainnet".into(),
        preset_base: "mainnet".into(),
        genesis_time: 1_606_824_023,
        seconds_per_slot: 12,
        genesis_validators_root: b256!(
            "4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95"
        ),
        forks: schedule([
            (fixed_bytes!("00000000").0, 0),
            (fixed_bytes!("01000000").0, 74_240),
            (fixed_bytes!("02000000").0, 144_896),
            (fixed_bytes!("03000000").0, 194_048),
            (fixed_bytes!("04000000").0, 269_568),
            (fixed_bytes!("05000000").0, 364_032),
            (fixed_bytes!("06000000").0, 411_392),
            (fixed_bytes!("07000000").0, FAR_FUTURE_EPOCH),
        ]),
        max_blobs_per_block_electra: 9,
        blob_schedule: blobs(&[(412_672, 15), (419_072, 21)]),
    }
}

pub(super) fn sepolia() -> ChainConfig {
    ChainConfig {
        name: "sepolia".into(),
        preset_base: "mainnet".into(),
        genesis_time: 1_655_733_600,
        seconds_per_slot: 12,
        genesis_validators_root: b256!(
            "d8ea171f3c94aea21ebc42a1ed61052acf3f9209c00e4efbaaddac09ed9b8078"
        ),
        forks: schedule([
            (fixed_bytes!("90000069").0, 0),
            (fixed_bytes!("90000070").0, 50),
            (fixed_bytes!("90000071").0, 100),
            (fixed_bytes!("90000072").0, 56_832),
            (fixed_bytes!("90000073").0, 132_608),
            (fixed_bytes!("90000074").0, 222_464),
            (fixed_bytes!("90000075").0, 272_640),
            // Gloas: the version is fixed; the epoch was not in the reviewed sources: pass
            // sepolia's `config.yaml` to `--network` to verify Gloas-era data.
            (fixed_bytes!("90000076").0, FAR_FUTURE_EPOCH),
        ]),
        max_blobs_per_block_electra: 9,
        blob_schedule: blobs(&[(274_176, 15), (275_712, 21)]),
    }
}

pub(super) fn hoodi() -> ChainConfig {
    ChainConfig {
        name: "hoodi".into(),
        preset_base: "mainnet".into(),
        genesis_time: 1_742_213_400,
        seconds_per_slot: 12,
        genesis_validators_root: b256!(
            "212f13fc4df078b6cb7db228f1c8307566dcecf900867401a92023d7ba99cb5f"
        ),
        forks: schedule([
            (fixed_bytes!("10000910").0, 0),
            (fixed_bytes!("20000910").0, 0),
            (fixed_bytes!("30000910").0, 0),
            (fixed_bytes!("40000910").0, 0),
            (fixed_bytes!("50000910").0, 0),
            (fixed_bytes!("60000910").0, 2_048),
            (fixed_bytes!("70000910").0, 50_688),
            (fixed_bytes!("80000910").0, 132_352),
        ]),
        max_blobs_per_block_electra: 9,
        blob_schedule: blobs(&[(52_480, 15), (54_016, 21)]),
    }
}
