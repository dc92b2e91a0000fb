//! Normalized voting power (`specs/contracts.md` §1).

/// The sum every valset's powers are normalized to: `2^32`.
pub const TOTAL_NORMALIZED_POWER: u64 = 1 << 32;

/// `floor(2^32 * 2 / 3) + 1 = 2_863_311_531`: a checkpoint passes when the normalized power of its
/// valid signers is at least this, i.e. strictly more than two thirds (§1). The contract's
/// `PegHashes.POWER_THRESHOLD`.
pub const POWER_THRESHOLD: u64 = TOTAL_NORMALIZED_POWER * 2 / 3 + 1;

/// The most members a valset may have (§3: `MAX_VALIDATORS`).
pub const MAX_VALIDATORS: usize = 256;

/// `floor(power * 2^32 / total_power)` (§1), in `u128` so that no `u64` power overflows.
///
/// Returns `None` when `total_power` is zero or smaller than `power` (not a share of the total).
pub fn normalize_power(power: u64, total_power: u128) -> Option<u64> {
    if total_power == 0 || u128::from(power) > total_power {
        return None;
    }
    let scaled = u128::from(power) << 32;
    // power <= total_power, so the quotient is at most 2^32 and fits in a u64.
    u64::try_from(scaled / total_power).ok()
}

/// `true` when `signed_power` reaches the threshold (§1): `signed_power >= POWER_THRESHOLD`.
pub fn is_above_threshold(signed_power: u128) -> bool {
    signed_power >= u128::from(POWER_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_pinned() {
        assert_eq!(TOTAL_NORMALIZED_POWER, 4_294_967_296);
        assert_eq!(POWER_THRESHOLD, 2_863_311_531);
        // Strictly more than two thirds: 3 * (threshold - 1) <= 2 * total < 3 * threshold.
        assert!(3 * u128::from(POWER_THRESHOLD - 1) <= 2 * u128::from(TOTAL_NORMALIZED_POWER));
        assert!(3 * u128::from(POWER_THRESHOLD) > 2 * u128::from(TOTAL_NORMALIZED_POWER));
    }

    #[test]
    fn normalize_floors() {
        assert_eq!(normalize_power(1, 1), Some(TOTAL_NORMALIZED_POWER));
        assert_eq!(normalize_power(1, 3), Some(1_431_655_765));
        assert_eq!(normalize_power(2, 3), Some(2_863_311_530));
        assert_eq!(normalize_power(u64::MAX, u128::from(u64::MAX)), Some(1 << 32));
        assert_eq!(normalize_power(1, u128::from(u64::MAX) * 4), Some(0));
    }

    #[test]
    fn normalize_refuses_non_shares() {
        assert_eq!(normalize_power(1, 0), None);
        assert_eq!(normalize_power(0, 0), None);
        assert_eq!(normalize_power(3, 2), None);
    }

    #[test]
    fn threshold_boundary() {
        assert!(is_above_threshold(u128::from(POWER_THRESHOLD)));
        assert!(!is_above_threshold(u128::from(POWER_THRESHOLD - 1)));
        // Two of three equal validators are not enough after flooring: 2 * floor(2^32 / 3) < threshold.
        let third = normalize_power(1, 3).map(u128::from).unwrap_or_default();
        assert!(!is_above_threshold(2 * third));
        assert!(is_above_threshold(3 * third));
    }
}
