//! The layout of every key HeliosDB stores. Nothing else builds keys.
//!
//! * `rows`:  `table id (u32 BE)` ‖ memcomparable primary key (or rowid) —
//!   except rows keyed by one integer (rowid tables, `INTEGER PRIMARY KEY`,
//!   any single-integer key), which live 64 to an entry in *pages*:
//!   `table id` ‖ the integer with its low 6 bits cleared ‖ `0x00` (see
//!   [`page_of`] and `storage::pages`). No key encoding starts a value with
//!   `0x00`, so a page key never equals a row key, and it sorts right after
//!   its first row's key: pages and the other rows keep one key order
//! * `index`: `index id (u32 BE)` ‖ memcomparable index columns [‖ primary key]
//!   (a unique index omits the primary key when no indexed column is NULL, so
//!   its uniqueness check is one point read; the value is always the row key)
//! * `versions`: row key ‖ `!to_scn (u64 BE)` — a superseded row version,
//!   keyed by the SCN at which it *ended*, newest first under its row key. The
//!   version an UPDATE replaced ended at the current image's stamp, so the
//!   previous state of a row is one point read; "the version valid at SCN s"
//!   is the last entry below `row key ‖ !s` (one reverse seek)
//! * `changes`: `table id (u32 BE)` ‖ `SCN (u64 BE)` ‖ `part (u32 BE, 0)` — the row
//!   changes one commit made to a table that has consumers
//! * `meta`:  short ASCII prefixes below
//! * `commits`: `SCN (u64 BE)`

use crate::types::keycode::{decode_value_dir, encode_value, encode_value_dir, prefix_successor};
use crate::types::Value;
use std::ops::Bound;

/// The longest row or index key HeliosDB writes. fjall keys are limited to
/// 65,535 bytes; the margin leaves room for the suffixes the versions and
/// change keyspaces append to a row key.
pub const MAX_KEY_LEN: usize = 65_000;

/// Fails when `key` (a row or index key of `table`) is longer than [`MAX_KEY_LEN`].
///
/// # Errors
/// `Mismatch` naming the table and the size.
pub fn check_key_len(key: &[u8], table: &str, what: &str) -> crate::error::Result<()> {
    if key.len() > MAX_KEY_LEN {
        return Err(crate::error::Error::Mismatch(format!(
            "{what} of a row of {table} is too large: {} bytes encoded, the limit is {MAX_KEY_LEN} \
             (shorten the primary-key or indexed values)",
            key.len()
        )));
    }
    Ok(())
}

/// `meta` key holding the on-disk format version.
pub const META_FORMAT_VERSION: &[u8] = b"format_version";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: &[u8] = b"heliosdb-5";

/// The previous format, which an open upgrades in place (`heliosdb-4` kept
/// every index entry in an entry of its own; see `storage::upgrade`).
pub const FORMAT_VERSION_4: &[u8] = b"heliosdb-4";

/// The format before that, also upgraded at open (`heliosdb-3` kept every
/// superseded version in an entry of its own).
pub const FORMAT_VERSION_3: &[u8] = b"heliosdb-3";

/// The format before that, also upgraded at open (`heliosdb-2` kept every
/// row in an entry of its own).
pub const FORMAT_VERSION_2: &[u8] = b"heliosdb-2";

/// The format before that, also upgraded at open (`heliosdb-1` keyed
/// `versions` by the SCN a version began at).
pub const FORMAT_VERSION_1: &[u8] = b"heliosdb-1";

/// `meta` key of an interrupted upgrade's progress: the last row key whose
/// versions are already in the new layout.
pub const META_UPGRADE_DONE_THROUGH: &[u8] = b"upgrade_done_through";
/// `meta` key of the object-id counter.
pub const META_NEXT_OBJECT_ID: &[u8] = b"next_object_id";
/// `meta` prefix of table definitions.
pub const META_TABLE_PREFIX: &[u8] = b"t/";
/// `meta` prefix of view definitions (followed by the lower-cased view name).
pub const META_VIEW_PREFIX: &[u8] = b"v/";
/// `meta` prefix of change feed definitions (followed by the lower-cased name).
pub const META_FEED_PREFIX: &[u8] = b"c/";
/// `meta` prefix of rowid high-water marks.
pub const META_SEQ_PREFIX: &[u8] = b"s/";

/// `meta` key of a table definition.
pub fn meta_table_key(table_id: u32) -> Vec<u8> {
    let mut k = META_TABLE_PREFIX.to_vec();
    k.extend_from_slice(&table_id.to_be_bytes());
    k
}

/// `meta` key of a view definition.
pub fn meta_view_key(name: &str) -> Vec<u8> {
    let mut k = META_VIEW_PREFIX.to_vec();
    k.extend_from_slice(name.to_ascii_lowercase().as_bytes());
    k
}

/// `meta` key of a change feed definition.
pub fn meta_feed_key(name: &str) -> Vec<u8> {
    let mut k = META_FEED_PREFIX.to_vec();
    k.extend_from_slice(name.to_ascii_lowercase().as_bytes());
    k
}

/// `meta` key of a table's rowid high-water mark.
pub fn meta_seq_key(table_id: u32) -> Vec<u8> {
    let mut k = META_SEQ_PREFIX.to_vec();
    k.extend_from_slice(&table_id.to_be_bytes());
    k
}

/// Reads the id back from a `meta` key made by [`meta_seq_key`] or [`meta_table_key`].
pub fn id_from_meta_key(key: &[u8]) -> Option<u32> {
    let tail: [u8; 4] = key.get(2..6)?.try_into().ok()?;
    Some(u32::from_be_bytes(tail))
}

/// The prefix every row key of a table (or every entry of an index) starts with.
pub fn object_prefix(id: u32) -> Vec<u8> {
    // Room for what usually follows (an integer key is 13 bytes in all):
    // the allocator hands out 24 bytes for 4 anyway, and appending to a
    // 4-byte vector reallocates.
    let mut k = Vec::with_capacity(24);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// Key of a row in `rows`, from its primary-key values (or its rowid).
pub fn row_key(table_id: u32, pk: &[&Value]) -> Vec<u8> {
    let mut k = object_prefix(table_id);
    for v in pk {
        encode_value(&mut k, v);
    }
    k
}

/// Key of a row keyed by an integer rowid.
pub fn rowid_key(table_id: u32, rowid: i64) -> Vec<u8> {
    row_key(table_id, &[&Value::Integer(rowid)])
}

/// Length of a row key holding one integer: table id ‖ tag ‖ 8 bytes.
pub const INT_ROW_KEY_LEN: usize = 13;
/// The low bits of an integer key that pick its slot in a page.
pub const PAGE_SLOT_BITS: u32 = 6;
/// Rows a page holds at most.
pub const PAGE_SLOTS: usize = 1 << PAGE_SLOT_BITS;
const SLOT_MASK: u8 = (PAGE_SLOTS - 1) as u8;
/// Length of a page key.
pub const PAGE_KEY_LEN: usize = INT_ROW_KEY_LEN + 1;

/// The page a row key belongs to and its slot there, when the key is one
/// ascending integer (`table id ‖ 0x10 ‖ 8 bytes`); `None` for every other
/// row key (stored one row per entry).
pub fn page_of(row_key: &[u8]) -> Option<([u8; PAGE_KEY_LEN], u8)> {
    if row_key.len() != INT_ROW_KEY_LEN || row_key[4] != crate::types::keycode::TAG_INT {
        return None;
    }
    let mut page = [0u8; PAGE_KEY_LEN];
    page[..INT_ROW_KEY_LEN].copy_from_slice(row_key);
    let slot = row_key[INT_ROW_KEY_LEN - 1] & SLOT_MASK;
    page[INT_ROW_KEY_LEN - 1] &= !SLOT_MASK;
    Some((page, slot))
}

/// Whether a stored `rows` key is a page key (made by [`page_of`]).
pub fn is_page_key(key: &[u8]) -> bool {
    key.len() == PAGE_KEY_LEN && key[4] == crate::types::keycode::TAG_INT && key[INT_ROW_KEY_LEN] == 0
}

/// The row key of `slot` in the page under `page_key`.
pub fn page_row_key(page_key: &[u8], slot: u8) -> [u8; INT_ROW_KEY_LEN] {
    let mut k = [0u8; INT_ROW_KEY_LEN];
    k.copy_from_slice(&page_key[..INT_ROW_KEY_LEN]);
    k[INT_ROW_KEY_LEN - 1] |= slot & SLOT_MASK;
    k
}

/// For a range bound on row keys: the key of the page that would hold the
/// bound's row, when the bound starts like an integer row key. A range read
/// of `rows` widens its bounds to include that page, so pages straddling a
/// bound are read (their rows are then filtered by the bound itself).
pub fn page_around(bound: &[u8]) -> Option<[u8; PAGE_KEY_LEN]> {
    page_of(bound.get(..INT_ROW_KEY_LEN)?).map(|(page, _)| page)
}

/// Index entry key: index id ‖ the indexed values (DESC columns complemented),
/// followed by the row key's primary-key part unless `unique_form` is set.
pub fn index_key(index_id: u32, values: &[(&Value, bool)], row_key: &[u8], unique_form: bool) -> Vec<u8> {
    let mut k = object_prefix(index_id);
    for (v, desc) in values {
        encode_value_dir(&mut k, v, *desc);
    }
    if !unique_form {
        k.extend_from_slice(key_values(row_key).unwrap_or_default());
    }
    k
}

/// The fence of an index's last page (see `storage::index_pages`): the
/// index id of `key` (any key of that index) followed by `0xFF`, above
/// every key of the index and below every key of the next one (no value
/// encoding, ascending or complemented, starts with `0xFF`). `None` for a
/// key too short to hold an index id.
pub fn index_end_fence(key: &[u8]) -> Option<Vec<u8>> {
    let mut fence = key.get(..4)?.to_vec();
    fence.push(0xFF);
    Some(fence)
}

/// Bounds covering every key that starts with `prefix`.
pub fn prefix_bounds(prefix: &[u8]) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let hi = match prefix_successor(prefix) {
        Some(s) => Bound::Excluded(s),
        None => Bound::Unbounded,
    };
    (Bound::Included(prefix.to_vec()), hi)
}

/// `meta` key of the GC horizon: history before this SCN has been removed.
pub const META_GC_HORIZON: &[u8] = b"gc_horizon";

/// `meta` key of the SCN and transaction-id reservation (see
/// [`super::commit_log::RESERVE_BLOCK`]).
pub const META_RESERVED: &[u8] = b"scn_reserved";

/// Key of a superseded version of the row under `row_key`, valid until
/// (not including) `to_scn`.
pub fn version_key(row_key: &[u8], to_scn: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(row_key.len() + 8);
    push_version_key(&mut k, row_key, to_scn);
    k
}

/// Appends [`version_key`]`(row_key, to_scn)` to `out`.
pub fn push_version_key(out: &mut Vec<u8>, row_key: &[u8], to_scn: u64) {
    out.extend_from_slice(row_key);
    out.extend_from_slice(&(!to_scn).to_be_bytes());
}

/// Splits a `versions` key into its row key and the SCN at which the version ended.
pub fn split_version_key(key: &[u8]) -> Option<(&[u8], u64)> {
    let cut = key.len().checked_sub(8)?;
    let tail: [u8; 8] = key[cut..].try_into().ok()?;
    Some((&key[..cut], !u64::from_be_bytes(tail)))
}

/// Key of a change-log entry: part `seq` of commit `scn`'s changes to table `table_id`.
pub fn change_key(table_id: u32, scn: u64, seq: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(16);
    k.extend_from_slice(&table_id.to_be_bytes());
    k.extend_from_slice(&scn.to_be_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The table id and SCN of a change-log key.
pub fn split_change_key(key: &[u8]) -> Option<(u32, u64)> {
    let id: [u8; 4] = key.get(..4)?.try_into().ok()?;
    let scn: [u8; 8] = key.get(4..12)?.try_into().ok()?;
    Some((u32::from_be_bytes(id), u64::from_be_bytes(scn)))
}

/// Key of a commit record.
pub fn commit_key(scn: u64) -> Vec<u8> {
    scn.to_be_bytes().to_vec()
}

/// The encoded values of a row or index key: what follows its table or index id.
pub fn key_values(key: &[u8]) -> Option<&[u8]> {
    key.get(4..)
}

/// The rowid of a row key of a rowid table (`table id ‖ encoded integer`).
pub fn decode_rowid(key: &[u8]) -> Option<i64> {
    // The common case, read in place: `table id ‖ 0x10 ‖ 8 bytes`.
    if let Some(tail) = key.get(4..INT_ROW_KEY_LEN).filter(|_| key.len() == INT_ROW_KEY_LEN) {
        if tail[0] == crate::types::keycode::TAG_INT {
            let b: [u8; 8] = tail[1..].try_into().ok()?;
            return Some((u64::from_be_bytes(b) ^ (1 << 63)) as i64);
        }
    }
    match decode_value_dir(&mut key_values(key)?, false, None) {
        Ok(Value::Integer(rowid)) => Some(rowid),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGES: [i64; 9] = [i64::MIN, i64::MIN + 63, -65, -64, -1, 0, 63, 64, i64::MAX];

    #[test]
    fn rowids_read_back_from_their_keys() {
        for r in EDGES {
            assert_eq!(decode_rowid(&rowid_key(9, r)), Some(r));
        }
        assert_eq!(decode_rowid(&row_key(9, &[&Value::Text("1".into())])), None);
    }

    #[test]
    fn a_page_holds_its_64_rowids_in_key_order() {
        for r in EDGES {
            let key = rowid_key(9, r);
            let (page, slot) = page_of(&key).unwrap();
            assert!(is_page_key(&page));
            assert_eq!(page_row_key(&page, slot)[..], key[..]);
            assert_eq!(i64::from(slot), r.rem_euclid(64));
            // The page key sorts after its first slot's key, before the rest.
            let first = page_row_key(&page, 0);
            assert!(page[..] > first[..] && page[..] < page_row_key(&page, 1)[..]);
            assert_eq!(page_around(&key), Some(page));
        }
        // Neighbouring pages keep the rowids' order.
        let (a, _) = page_of(&rowid_key(9, -1)).unwrap();
        let (b, _) = page_of(&rowid_key(9, 0)).unwrap();
        assert!(a < b);
        // Other keys are not paged.
        assert_eq!(page_of(&row_key(9, &[&Value::Integer(1), &Value::Integer(2)])), None);
        assert_eq!(page_of(&row_key(9, &[&Value::Text("x".into())])), None);
        assert!(!is_page_key(&row_key(9, &[&Value::Integer(1), &Value::Boolean(false)])));
    }
}
