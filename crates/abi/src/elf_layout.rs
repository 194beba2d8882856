//! Where an ELF shared object keeps the names of the symbols it imports, so a scan can tell
//! early that a module never calls into Python (and so cannot use NumPy's C-API).
//!
//! Standard linkers (GNU ld with `-z separate-code`, the default since binutils 2.31, gold and
//! lld) put `.dynsym` and `.dynstr` in the first loadable segment, which is read-only and
//! starts at file offset 0, before any code. A module that uses NumPy's C-API gets the API
//! table through `PyCapsule_GetPointer` after `PyImport_Import*`, both resolved by the
//! dynamic linker, so their names are in `.dynstr`. When the first segment is read and holds
//! neither name, the module is a plain library loaded with `ctypes` or linked by another
//! module (CUDA kernels, `libtorch_cpu.so`): the rest of it cannot change the verdict.

/// The end of the first loadable segment, when the file is a little-endian ELF64 shared
/// object laid out as linkers write it (a read-only first segment at offset 0, then code,
/// read-only data and data, nothing appended): the import names have all been seen once
/// that many bytes were read. `None` for anything else (Mach-O, PE, older layouts where the first
/// segment is executable), or when `head` is too short to hold the program headers.
pub(crate) fn import_names_end(head: &[u8]) -> Option<u64> {
    const PT_LOAD: u32 = 1;
    const PF_X: u32 = 1;
    const PF_W: u32 = 2;
    const ET_DYN: u16 = 3;
    if head.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_le_bytes(head.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(head.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(head.get(at..at + 8)?.try_into().ok()?));
    if u16_at(16)? != ET_DYN {
        return None;
    }
    let phoff = usize::try_from(u64_at(32)?).ok()?;
    let phentsize = usize::from(u16_at(54)?);
    let phnum = usize::from(u16_at(56)?);
    if phentsize < 56 {
        return None;
    }
    let mut loads = Vec::new();
    for index in 0..phnum.min(64) {
        let at = phoff.checked_add(index.checked_mul(phentsize)?)?;
        if u32_at(at)? == PT_LOAD {
            loads.push((u64_at(at + 8)?, u32_at(at + 4)?, u64_at(at + 32)?));
        }
    }
    // Only the linkers' own layout is trusted: read-only, code, read-only data, data, in
    // file order. patchelf (which auditwheel runs to set RPATH) moves `.dynstr` into extra
    // segments it appends at the end, so a file with more segments says nothing.
    let flags: Vec<u32> = loads
        .iter()
        .map(|(_, flags, _)| flags & (PF_X | PF_W))
        .collect();
    let ordered = loads.windows(2).all(|pair| pair[0].0 < pair[1].0);
    let standard = matches!(flags[..], [0, PF_X, 0, PF_W] | [0, PF_X, PF_W]);
    let (offset, _, filesz) = *loads.first()?;
    (standard && ordered && offset == 0 && filesz > 0).then_some(filesz)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ELF64 header with PT_LOAD program headers `(offset, flags, filesz)`.
    fn elf(loads: &[(u64, u32, u64)]) -> Vec<u8> {
        let mut bytes = vec![0u8; 64 + 56 * loads.len()];
        bytes[..6].copy_from_slice(b"\x7fELF\x02\x01");
        bytes[16..18].copy_from_slice(&3u16.to_le_bytes());
        bytes[32..40].copy_from_slice(&64u64.to_le_bytes());
        bytes[54..56].copy_from_slice(&56u16.to_le_bytes());
        bytes[56..58].copy_from_slice(&(loads.len() as u16).to_le_bytes());
        for (index, (offset, flags, filesz)) in loads.iter().enumerate() {
            let at = 64 + 56 * index;
            bytes[at..at + 4].copy_from_slice(&1u32.to_le_bytes());
            bytes[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
            bytes[at + 8..at + 16].copy_from_slice(&offset.to_le_bytes());
            bytes[at + 32..at + 40].copy_from_slice(&filesz.to_le_bytes());
        }
        bytes
    }

    /// h5py 3.14.0's `_conv` module before auditwheel: R, RX, R, RW.
    const LINKER: [(u64, u32, u64); 4] = [
        (0, 4, 0x6208),
        (0x7000, 5, 0x303a5),
        (0x38000, 4, 0xb1d4),
        (0x44110, 6, 0x2650),
    ];

    #[test]
    fn the_linkers_layout_bounds_the_import_names() {
        assert_eq!(import_names_end(&elf(&LINKER)), Some(0x6208));
        assert_eq!(
            import_names_end(&elf(&LINKER[..2]
                .iter()
                .copied()
                .chain([(0x40000, 6, 0x100)])
                .collect::<Vec<_>>())),
            Some(0x6208)
        );
    }

    #[test]
    fn segments_patchelf_appended_or_another_format_say_nothing() {
        // h5py 3.14.0's `_conv` as shipped: auditwheel's patchelf appended two RW segments
        // holding `.dynsym`, `.dynamic` and `.dynstr`.
        let mut patched = LINKER.to_vec();
        patched.extend([(0x6d000, 6, 0x27c8), (0x70000, 6, 0x1328)]);
        assert_eq!(import_names_end(&elf(&patched)), None);
        let mut executable_first = LINKER;
        executable_first[0].1 = 5;
        assert_eq!(import_names_end(&elf(&executable_first)), None);
        assert_eq!(import_names_end(b"\xcf\xfa\xed\xfe"), None);
        assert_eq!(import_names_end(&elf(&LINKER)[..70]), None);
        let mut exec_type = elf(&LINKER);
        exec_type[16] = 2; // ET_EXEC
        assert_eq!(import_names_end(&exec_type), None);
    }
}
