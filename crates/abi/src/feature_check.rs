//! Recovering the C-API feature version a NumPy 1.x build requires.
//!
//! 1.x headers check `NPY_FEATURE_VERSION` against
//! `PyArray_GetNDArrayCFeatureVersion()` (slot 211 of the API table, byte
//! offset `0x698`) and pass the constant to `PyErr_Format` as its third
//! argument. The constant is an immediate in machine code, not a string, so
//! this looks for the call through offset `0x698` followed closely by the
//! argument load. Where the pattern is not found the floor stays unknown and
//! the header major alone still decides `< 2`.

/// The byte offset of `PyArray_GetNDArrayCFeatureVersion` in the API table.
const FEATURE_VERSION_SLOT: u32 = 0x698;

/// How far after the call the argument load may sit, in bytes.
const WINDOW: usize = 24;

/// The feature versions a NumPy 1.x header can require.
const PLAUSIBLE: std::ops::RangeInclusive<u32> = 6..=0x11;

/// The highest feature version required by the checks found, if any.
pub(crate) fn numpy1_feature_version(bytes: &[u8]) -> Option<u32> {
    x86_64(bytes).into_iter().chain(arm64(bytes)).max()
}

/// `call [reg + 0x698]` (`FF 9x 98 06 00 00`) then `mov edx, imm32` (SysV)
/// or `mov r8d, imm32` (Windows x64).
fn x86_64(bytes: &[u8]) -> Option<u32> {
    let slot = FEATURE_VERSION_SLOT.to_le_bytes();
    let mut best = None;
    for (index, window) in bytes.windows(6).enumerate() {
        let is_call = window[0] == 0xFF
            && (0x90..=0x97).contains(&window[1])
            && window[1] != 0x94
            && window[2..6] == slot;
        if !is_call {
            continue;
        }
        let after = bytes.get(index + 6..).unwrap_or_default();
        let after = after.get(..WINDOW.min(after.len())).unwrap_or_default();
        for (offset, &byte) in after.iter().enumerate() {
            let immediate_at = match byte {
                0xBA => offset + 1,
                0x41 if after.get(offset + 1) == Some(&0xB8) => offset + 2,
                _ => continue,
            };
            if let Some(value) = after.get(immediate_at..immediate_at + 4).and_then(read_u32)
                && PLAUSIBLE.contains(&value)
            {
                best = best.max(Some(value));
                break;
            }
        }
    }
    best
}

/// How many instruction words after the slot load the Linux argument load may sit (GCC puts
/// `mov w2, #imm` 6 or 7 words after it).
const ARM64_WINDOW_WORDS: usize = 12;

/// The two arm64 calling conventions' argument loads after `ldr xT, [xB, #0x698]`:
///
/// * AAPCS64 (Linux, GCC): within a few instructions, `mov w2, #imm` (the third argument of
///   `PyErr_Format` in a register), before the next `bl`;
/// * Apple arm64 (clang), where variadic arguments go on the stack: exactly `blr xT`,
///   `mov wK, #imm`, `stp xK, x0, [sp]` (or `str xK, [sp]`). Requiring the `blr` of the
///   loaded register right after the load rules out loads of other fields at `+0x698`.
///
/// Bytes read from scipy 1.11.4, pandas 2.0.3, scikit-learn 1.3.2 and matplotlib 3.7.5
/// (macOS arm64 and manylinux aarch64 wheels) are in the tests.
fn arm64(bytes: &[u8]) -> Option<u32> {
    const LDR_MASK: u32 = 0xFFFF_FC00;
    let ldr_slot = 0xF940_0000 | ((FEATURE_VERSION_SLOT / 8) << 10);
    let mut best = None;
    let words: Vec<u32> = bytes.chunks_exact(4).filter_map(read_u32).collect();
    for (index, &word) in words.iter().enumerate() {
        if word & LDR_MASK != ldr_slot {
            continue;
        }
        let loaded = word & 0x1F;
        if let [blr, mov, store, ..] = words.get(index + 1..).unwrap_or_default()
            && *blr == 0xD63F_0000 | (loaded << 5)
            && let Some((register, value)) = movz_w(*mov)
            && (*store == 0xA900_03E0 | register || *store == 0xF900_03E0 | register)
            && PLAUSIBLE.contains(&value)
        {
            best = best.max(Some(value));
            continue;
        }
        for &next in words.iter().skip(index + 1).take(ARM64_WINDOW_WORDS) {
            if next & 0xFC00_0000 == 0x9400_0000 {
                // `bl`: the call the arguments were for has passed.
                break;
            }
            if let Some((2, value)) = movz_w(next)
                && PLAUSIBLE.contains(&value)
            {
                best = best.max(Some(value));
                break;
            }
        }
    }
    best
}

/// `MOVZ wK, #imm16` (no shift): `(K, imm16)`.
fn movz_w(word: u32) -> Option<(u32, u32)> {
    (word & 0xFFE0_0000 == 0x5280_0000).then_some((word & 0x1F, (word >> 5) & 0xFFFF))
}

/// A little-endian `u32` from exactly four bytes.
fn read_u32(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_64_sysv_sequence_from_pandas_1_5_3_cp311() {
        // Bytes after `call [rax+0x698]` in pandas/_libs/reduction.so (cp311 wheel).
        let mut code = vec![
            0x83, 0xF8, 0x0F, 0x48, 0x8B, 0x05, 0x21, 0x47, 0x00, 0x00, 0x77, 0x27,
        ];
        code.extend([
            0xFF, 0x90, 0x98, 0x06, 0x00, 0x00, 0xBA, 0x10, 0x00, 0x00, 0x00, 0x48,
        ]);
        assert_eq!(numpy1_feature_version(&code), Some(0x10));
    }

    #[test]
    fn windows_x64_third_argument() {
        let code = [
            0xFF, 0x93, 0x98, 0x06, 0x00, 0x00, 0x48, 0x8B, 0xC8, 0x41, 0xB8, 0x0D, 0x00, 0x00,
            0x00,
        ];
        assert_eq!(numpy1_feature_version(&code), Some(0x0D));
    }

    #[test]
    fn arm64_sequence() {
        let ldr: u32 = 0xF940_0000 | ((0x698 / 8) << 10) | (1 << 5) | 8; // ldr x8, [x1, #0x698]
        let blr: u32 = 0xD63F_0100; // blr x8
        let mov: u32 = 0x5280_0002 | (0x0F << 5); // mov w2, #0xf
        let code: Vec<u8> = [ldr, blr, mov]
            .iter()
            .flat_map(|word| word.to_le_bytes())
            .collect();
        assert_eq!(numpy1_feature_version(&code), Some(0x0F));
    }

    fn words(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|word| word.to_le_bytes()).collect()
    }

    #[test]
    fn apple_arm64_passes_the_constant_on_the_stack() {
        // scipy 1.11.4 macosx_12_0_arm64, `_lsap`: ldr x8, [x8, #0x698]; blr x8;
        // mov w8, #0x10; stp x8, x0, [sp]; adr x1, fmt.
        let code = words(&[
            0xF943_4D08,
            0xD63F_0100,
            0x5280_0208,
            0xA900_03E8,
            0x1000_0001,
        ]);
        assert_eq!(numpy1_feature_version(&code), Some(0x10));
        // The same load and call, but the constant is not stored for a variadic call.
        let code = words(&[0xF943_4D08, 0xD63F_0100, 0x5280_0208, 0x9100_0000]);
        assert_eq!(numpy1_feature_version(&code), None);
        // pybind11's own API check (`cmp w0, #6`) after the call gives no floor.
        let code = words(&[0xF943_4D08, 0xD63F_0100, 0x7100_181F, 0x5400_0049]);
        assert_eq!(numpy1_feature_version(&code), None);
    }

    #[test]
    fn linux_arm64_argument_seven_words_after_the_load() {
        // scipy 1.11.4 manylinux aarch64: ldr x1, [x1, #0x698]; ldr x19, [x0]; blr x1;
        // mov w3, w0; adrp x1; mov x0, x19; add x1; mov w2, #0x10; bl PyErr_Format.
        let code = words(&[
            0xF943_4C21,
            0xF940_0013,
            0xD63F_0020,
            0x2A00_03E3,
            0x9000_0001,
            0xAA13_03E0,
            0x9100_0021,
            0x5280_0202,
            0x9400_0000,
        ]);
        assert_eq!(numpy1_feature_version(&code), Some(0x10));
        // A `bl` before the argument load ends the search.
        let code = words(&[0xF943_4C21, 0xD63F_0020, 0x9400_0000, 0x5280_0202]);
        assert_eq!(numpy1_feature_version(&code), None);
    }

    #[test]
    fn no_call_or_implausible_immediate() {
        assert_eq!(numpy1_feature_version(&[0xBA, 0x10, 0, 0, 0]), None);
        let code = [
            0xFF, 0x90, 0x98, 0x06, 0x00, 0x00, 0xBA, 0x00, 0x10, 0x00, 0x00,
        ];
        assert_eq!(numpy1_feature_version(&code), None);
        assert_eq!(numpy1_feature_version(&[]), None);
    }
}
