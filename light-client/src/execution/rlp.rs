//! Minimal zero-copy RLP reading on top of `alloy_rlp::Header` (canonical encodings only: the
//! header decoder rejects non-canonical sizes, single bytes and leading zeros in lengths).
//!
//! Spec: <https://ethereum.org/developers/docs/data-structures-and-encoding/rlp/>.

use alloy_rlp::{BufMut, Encodable, Header};

use super::error::ExecutionError;

/// One RLP item: its full encoding and its payload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    /// True for a list.
    pub(crate) is_list: bool,
    /// The payload (for a single byte `< 0x80`, the byte itself).
    pub(crate) payload: &'a [u8],
    /// The whole encoding, header included.
    pub(crate) raw: &'a [u8],
}

impl<'a> Item<'a> {
    /// Reads one item off the front of `buf`, advancing it.
    pub(crate) fn next(buf: &mut &'a [u8], context: &'static str) -> Result<Self, ExecutionError> {
        let start: &'a [u8] = buf;
        let mut rest: &'a [u8] = buf;
        let header = Header::decode(&mut rest).map_err(ExecutionError::rlp(context))?;
        // `Header::decode` has checked that `rest` holds the whole payload.
        let (payload, after) = rest
            .split_at_checked(header.payload_length)
            .ok_or(ExecutionError::Rlp { context, source: alloy_rlp::Error::InputTooShort })?;
        let consumed = start.len() - after.len();
        let raw = start
            .get(..consumed)
            .ok_or(ExecutionError::Rlp { context, source: alloy_rlp::Error::InputTooShort })?;
        *buf = after;
        Ok(Self { is_list: header.list, payload, raw })
    }

    /// Reads exactly one item spanning all of `bytes`.
    pub(crate) fn exact(bytes: &'a [u8], context: &'static str) -> Result<Self, ExecutionError> {
        let mut buf = bytes;
        let item = Self::next(&mut buf, context)?;
        if !buf.is_empty() {
            return Err(ExecutionError::TrailingBytes { context, got: buf.len() });
        }
        Ok(item)
    }

    /// The payload of a list item.
    pub(crate) fn list(self, context: &'static str) -> Result<&'a [u8], ExecutionError> {
        if self.is_list {
            Ok(self.payload)
        } else {
            Err(ExecutionError::ExpectedList { context })
        }
    }

    /// The payload of a string item.
    pub(crate) fn string(self, context: &'static str) -> Result<&'a [u8], ExecutionError> {
        if self.is_list {
            Err(ExecutionError::ExpectedString { context })
        } else {
            Ok(self.payload)
        }
    }

    /// A fixed-size string field (hash, address, bloom).
    pub(crate) fn fixed<const N: usize>(
        self,
        field: &'static str,
    ) -> Result<[u8; N], ExecutionError> {
        let bytes = self.string(field)?;
        <[u8; N]>::try_from(bytes).map_err(|_| ExecutionError::FieldLength {
            field,
            got: bytes.len(),
            expected: N,
        })
    }

    /// A canonical unsigned integer field (no leading zero, at most 8 bytes).
    pub(crate) fn u64(self, field: &'static str) -> Result<u64, ExecutionError> {
        let bytes = self.string(field)?;
        be_u64(bytes).ok_or(ExecutionError::InvalidInteger { field, max_bytes: 8 })
    }
}

/// A canonical big-endian integer: empty for zero, no leading zero byte, at most 8 bytes.
fn be_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 8 || bytes.first() == Some(&0) {
        return None;
    }
    Some(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

/// Splits a list payload into its items.
pub(crate) fn list_items<'a>(
    mut payload: &'a [u8],
    context: &'static str,
) -> Result<Vec<Item<'a>>, ExecutionError> {
    let mut items = Vec::new();
    while !payload.is_empty() {
        items.push(Item::next(&mut payload, context)?);
    }
    Ok(items)
}

/// Writes a list header for `payload_length` bytes of payload.
pub(crate) fn put_list_header(payload_length: usize, out: &mut dyn BufMut) {
    Header { list: true, payload_length }.encode(out);
}

/// Writes `bytes` as an RLP string.
pub(crate) fn put_string(bytes: &[u8], out: &mut dyn BufMut) {
    bytes.encode(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_must_be_canonical() {
        assert_eq!(be_u64(&[]), Some(0));
        assert_eq!(be_u64(&[1, 0]), Some(256));
        assert_eq!(be_u64(&[0]), None);
        assert_eq!(be_u64(&[0, 1]), None);
        assert_eq!(be_u64(&[1; 9]), None);
    }

    #[test]
    fn item_reads_single_bytes_strings_and_lists() -> Result<(), ExecutionError> {
        // 0x05, "dog", [0x05]
        let bytes = [0x05, 0x83, b'd', b'o', b'g', 0xc1, 0x05];
        let mut buf = &bytes[..];
        let a = Item::next(&mut buf, "t")?;
        assert_eq!((a.is_list, a.payload, a.raw), (false, &[5u8][..], &[5u8][..]));
        let b = Item::next(&mut buf, "t")?;
        assert_eq!((b.payload, b.raw.len()), (&b"dog"[..], 4));
        let c = Item::next(&mut buf, "t")?;
        assert!(c.is_list);
        assert_eq!(c.payload, &[5u8][..]);
        assert!(buf.is_empty());
        assert!(matches!(
            Item::exact(&bytes, "t"),
            Err(ExecutionError::TrailingBytes { got: 6, .. })
        ));
        // Truncated payload.
        assert!(matches!(Item::exact(&[0x83, b'd'], "t"), Err(ExecutionError::Rlp { .. })));
        // Non-canonical single byte.
        assert!(matches!(Item::exact(&[0x81, 0x05], "t"), Err(ExecutionError::Rlp { .. })));
        Ok(())
    }
}
